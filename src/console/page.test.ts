import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { chartTotals } from "./chart";
import { type ConsoleDestination, type ConsoleModel, MATCH_KEYS } from "../http/console/model";
import { sampleConsoleModel } from "../http/console/model.sample";
import { KEY_LABELS, pageBody, renderConsole } from "./page";

const NOW = Date.parse("2026-11-25T19:00:00Z");
/** The console's stylesheet, a static asset the page links. */
const STYLESHEET = readFileSync(fileURLToPath(new URL("../../public/console/console.css", import.meta.url)), "utf8");
const OPTIONS = { csrfToken: "csrf-token-of-the-session" };

function model(change: (m: ConsoleModel) => void = () => {}): ConsoleModel {
  const m = sampleConsoleModel(NOW);
  change(m);
  return m;
}

function render(m: ConsoleModel = model()): string {
  return renderConsole(m, OPTIONS);
}

/** The element that opens with `opening` (a unique attribute), up to its closing `</tag>`. */
function element(page: string, tag: string, attribute: string): string {
  const start = page.indexOf(attribute);
  if (start < 0) throw new Error(`no ${attribute} on the page`);
  const open = page.lastIndexOf(`<${tag}`, start);
  const close = page.indexOf(`</${tag}>`, start);
  return page.slice(open, close + tag.length + 3);
}

/** What a fragment reads as: block tags become spaces, inline tags nothing, entities decoded, whitespace collapsed. */
function text(fragment: string): string {
  return fragment
    .replace(/<\/?(td|th|tr|li|dt|dd|p|div|h\d|br|table|tbody|ul|section|article|figure|meter)\b[^>]*>/g, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

function destination(m: ConsoleModel, name: string): ConsoleDestination {
  return m.destinations.find((d) => d.name === name)!;
}

/** Every string of a value, with `mark` appended, except the fields the model types as fixed words. */
function marked<T>(value: T, mark: string): T {
  const FIXED = new Set(["mode", "outcome", "state", "kind", "cause"]);
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === "string") return key !== undefined && FIXED.has(key) ? v : `${v}${mark}`;
    if (Array.isArray(v)) return v.map((item) => walk(item));
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]));
    return v;
  };
  return walk(value) as T;
}

describe("renderConsole: escaping", () => {
  const MARK = `<script>alert("x")</script><img src=x onerror=alert(1)>" onmouseover="alert(2)' &amp;`;
  const page = render(marked(model(), MARK));

  it("escapes every string from the model: none becomes markup", () => {
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<img");
    expect(page).not.toContain('" onmouseover="');
    expect(page).not.toContain("' &amp;");
    expect(page).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot; onmouseover=&quot;alert(2)&#39; &amp;amp;",
    );
  });

  it("shows each marked destination name, Meta message, hint and dead-letter key escaped", () => {
    const escaped = (s: string) =>
      s
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
    const m = marked(model(), MARK);
    const shown = [
      ...m.destinations.map((d) => d.name),
      destination(m, `eu${MARK}`).lastFailure!.message,
      destination(m, `eu${MARK}`).hint!,
      destination(m, `us${MARK}`).circuit!.lastFailure!.message,
      m.deadLetters[0]!.key,
      m.deadLetters[0]!.detail,
      m.recent[0]!.eventId,
    ];
    for (const s of shown) expect(page).toContain(escaped(s));
  });

  it("carries the CSRF token escaped too", () => {
    const tricky = renderConsole(model(), { csrfToken: `"><script>x</script>` });
    expect(tricky).not.toContain("<script");
    expect(tricky).toContain('name="csrf_token" value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });
});

describe("pageBody", () => {
  it("is the console for a model", () => {
    expect(pageBody({ model: model() }, OPTIONS.csrfToken)).toBe(render());
  });

  it("says a session that ended meanwhile, with the way back to the login form", () => {
    const body = pageBody({ ended: true }, OPTIONS.csrfToken);
    expect(body).toContain("<h1>Your session has ended</h1>");
    expect(body).toContain('<a href="/admin">Log in</a>');
  });

  it("says the data could not be read, and why, escaped, with a way to reload", () => {
    const body = pageBody({ failed: "<b>HTTP 503</b>" }, OPTIONS.csrfToken);
    expect(body).toContain("<h1>The console&#39;s data could not be read</h1><p>&lt;b&gt;HTTP 503&lt;/b&gt;</p>");
    expect(body).toContain('<a href="/admin">Reload</a>');
  });
});

describe("renderConsole: what the CSP allows", () => {
  const page = render();

  it("has no script, stylesheet, inline style or handler: the shell loads those under its nonce", () => {
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<link");
    expect(page).not.toContain("<style");
    expect(page).not.toMatch(/\son[a-z]+=/i);
    expect(page).not.toMatch(/\sstyle=/i);
  });

  it("loads nothing from elsewhere", () => {
    expect(page).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
  });

  it("gives the logout form the session's CSRF token", () => {
    expect(element(page, "form", 'action="/admin/logout"')).toContain(`name="csrf_token" value="${OPTIONS.csrfToken}"`);
  });

  it("is readable on a phone: system fonts, one column", () => {
    expect(STYLESHEET).toContain("system-ui");
    expect(STYLESHEET).toMatch(/@media \(max-width: ?600px\)/);
  });
});

describe("renderConsole: the relay and its webhooks", () => {
  it("shows the relay's mode, API version and queue", () => {
    const m = model();
    const page = render(m);
    expect(page).toContain(`data-relay-mode="${m.relay.mode}"`);
    expect(page).toContain(`<code>${m.relay.apiVersion}</code>`);
    expect(page).toContain("durable queue");
    expect(render(model((x) => void (x.relay.queued = false)))).toContain("direct (no queue bound)");
  });

  it("shows the settings' own problem in red", () => {
    const page = render(model((m) => void (m.relay.problem = "DESTINATIONS[1].pixel_id must be digits")));
    expect(page).toContain(
      '<div class="alert bad"><strong>The settings cannot be read:</strong> DESTINATIONS[1].pixel_id must be digits</div>',
    );
  });

  it("counts webhooks received, unauthorized and invalid over 24 hours and 7 days", () => {
    const m = model();
    const page = render(m);
    for (const window of ["24h", "7d"] as const) {
      const block = element(page, "dl", `data-webhooks="${window}"`);
      for (const key of ["received", "unauthorized", "invalid"] as const) {
        expect(block).toContain(`<dd data-count="${key}">${m.webhooks[window][key]}</dd>`);
      }
    }
  });
});

describe("renderConsole: the headline", () => {
  it("answers 'are my leads reaching Meta?' first, one sentence per destination, each clause a link", () => {
    const page = render();
    expect(page.indexOf('id="summary"')).toBeLessThan(page.indexOf('id="destinations"'));
    const eu = element(page, "p", 'data-headline="eu"');
    expect(text(eu)).toBe(
      "eu live 120 of 123 leads reached Meta in 24 h; 1 not sent because the shopper declined; 1 of a Studio event type the relay does not relay; 1 repeat from Studio delivered once; 1 needs you; last one 4 min ago.",
    );
    expect(eu).toContain(
      '<a class="clause ok" href="#destination-eu-counts" data-clause>120 of 123 leads reached Meta in 24 h</a>',
    );
    expect(eu).toContain('href="#dead-letters"');
    expect(page).toContain('id="destination-eu-counts"');
    expect(page).toContain('id="destination-eu-alerts"');
  });

  it("raises an amber alert when webhooks refused on arrival pass a share of the traffic", () => {
    const alert = element(render(), "div", 'data-intake-alert="invalid"');
    expect(text(alert)).toContain("7 % of the webhooks in 24 h were refused as unreadable or incomplete (9)");
    expect(render(model((m) => void (m.webhooks["24h"].invalid = 0)))).not.toContain("data-intake-alert");
  });
});

describe("renderConsole: destinations", () => {
  it("shows each destination's counts as a sum that adds up to what was routed, over 24 hours and 7 days", () => {
    const m = model();
    const page = render(m);
    for (const d of m.destinations) {
      const table = element(page, "table", `data-counts="${d.name}"`);
      const cells = (row: string) =>
        [...element(table, "tr", `data-row="${row}"`).matchAll(/<td class="num">(\d+)<\/td>/g)].map((x) =>
          Number(x[1]),
        );
      const rows = [...table.matchAll(/data-row="([a-z_]+)"/g)].map((x) => x[1]!).filter((r) => r !== "routed");
      for (const [i, window] of (["24h", "7d"] as const).entries()) {
        const sum = rows.reduce((total, row) => total + cells(row)[i]!, 0);
        expect(sum).toBe(d.counts[window].routed);
        expect(cells("routed")[i]).toBe(d.counts[window].routed);
      }
    }
  });

  it("keeps held now and retry attempts apart from the sum, labelled as what they are", () => {
    const apart = element(render(), "table", 'data-apart="us"');
    expect(text(element(apart, "tr", 'data-row="held_now"'))).toBe("Waiting for a fix now (held now) 37");
    expect(text(element(apart, "tr", 'data-row="retried"'))).toBe("Retry attempts (retried: attempts, not leads) 2 10");
  });

  it("pauses a destination whose token Meta refuses, in red, with the fix to paste and a Try now button", () => {
    const card = element(render(), "article", 'data-destination="us"');
    expect(card).toContain('class="card is-bad"');
    expect(card).toContain('data-mode="paused"');
    const alert = element(card, "div", 'data-alert="paused"');
    expect(text(alert)).toContain("Paused: Meta refuses the token (expired).");
    expect(alert).toContain('<code class="command">npx wrangler secret put META_TOKEN_US</code>');
    expect(alert).toContain('data-action="probe" data-destination="us"');
    expect(card).toContain('data-probe-result="us"');
    expect(card).not.toContain("misconfigured");
    expect(card.split("Session has expired").length - 1).toBe(2); // the alert, and the incident history
  });

  it("raises no alert for a healthy live destination, and shows its older refusal as history", () => {
    const card = element(render(), "article", 'data-destination="eu"');
    expect(card).not.toContain("data-alert=");
    expect(text(element(card, "dd", 'data-fact="last-failure"'))).toBe(
      "3 h ago · Service temporarily unavailable (HTTP 503 · code 2)",
    );
    expect(text(element(card, "dd", 'data-fact="latency"'))).toBe(
      "Half of the leads reached Meta within 5 s, almost all (95 %) within 31 s (120 leads, 24 h; p50/p95)",
    );
  });

  it("greys Meta's signals from before the last delivery", () => {
    const card = element(render(), "article", 'data-destination="eu"');
    expect(element(card, "li", 'data-signal="version_warning"')).toContain('class="past"');
    expect(element(render(), "article", 'data-destination="us"')).not.toContain('class="past"');
  });

  it("keeps a short incident history: cause, start, what it held, and how it ended", () => {
    const page = render();
    const eu = element(element(page, "article", 'data-destination="eu"'), "li", "data-incident=");
    expect(text(eu)).toContain(
      "Meta unavailable from 3 h ago (5 refused requests; Service temporarily unavailable (HTTP 503 · code 2)): recovered at 16:00:30 UTC (2 h ago), after 2 min 30 s.",
    );
    const us = element(element(page, "article", 'data-destination="us"'), "li", "data-incident=");
    expect(text(us)).toContain("Token refused from 45 min ago (6 refused requests, 37 leads held;");
    expect(us).toContain("still going");
  });

  it("offers a test event prefilled with the destination's test code, and asks for one where there is none", () => {
    const page = render();
    expect(element(page, "div", 'data-test-event="eu"')).toContain('value="TEST4521"');
    expect(text(element(page, "p", 'data-result="us"'))).toContain("Copy the code from Events Manager");
  });

  it("offers no test event without a token, and says why", () => {
    const held = render(model((m) => void (destination(m, "test").mode = "held")));
    expect(held).not.toContain('data-test-event="test"');
    expect(held).toContain("Test events need a token: set <code>META_ACCESS_TOKEN</code> first.");
    const dry = render(model((m) => void (destination(m, "test").mode = "dry_run")));
    expect(dry).toContain("Test events need a token: the relay runs dry and sends nothing.");
  });
});

describe("renderConsole: glossary", () => {
  it("says in plain words what each term in small type means", () => {
    const glossary = text(element(render(), "section", 'id="glossary"'));
    for (const term of ["routed", "duplicate", "held", "retried", "fbtrace_id", "p50 / p95"])
      expect(glossary).toContain(term);
    expect(glossary).toContain("attempts, not leads");
  });
});

describe("renderConsole: browser events", () => {
  it("shows a destination's browser events per Meta event name apart from its leads", () => {
    const page = render();
    const table = element(page, "table", 'data-browser-events="eu"');
    expect(text(element(table, "tr", 'data-event-name="ViewContent"'))).toBe("ViewContent 410 402 8 0");
    expect(page).not.toContain('data-browser-events="us"');
    expect(text(element(page, "p", "data-browser-intake"))).toContain("380 requests carrying 506 events");
  });
});

describe("renderConsole: refused on arrival", () => {
  it("lists why webhooks were refused, by path and code, never a value", () => {
    const section = element(render(), "section", 'id="refused"');
    expect(text(element(section, "ul", "data-refusal-reasons"))).toBe(
      "1 × shopper.email: Not a valid email address 1 × shopper.email: Required 1 × wrong or missing secret",
    );
    expect(section.match(/<tr data-refusal>/g)).toHaveLength(3);
    expect(render(model((m) => void (m.refusals = [])))).toContain('data-refusals="none"');
  });
});

describe("renderConsole: the chart", () => {
  it("draws the last 24 hours and the whole 7 days, with their totals in the legend", () => {
    const m = model();
    const page = render(m);
    for (const [range, points] of [
      ["24h", m.hours.slice(-24)],
      ["7d", m.hours],
    ] as const) {
      const figure = element(page, "figure", `class="chart-${range}"`);
      for (const [key, total] of Object.entries(chartTotals(points))) {
        expect(element(figure, "li", `data-series="${key}"`)).toContain(`<strong>${total}</strong>`);
      }
      expect(figure.match(/<g><title>/g)).toHaveLength(points.length);
    }
  });

  it("switches between them without JavaScript (radio buttons and CSS)", () => {
    const page = render();
    expect(page).toContain('<input type="radio" name="range" id="range-24h" class="range-input" checked>');
    expect(STYLESHEET.replace(/\s+/g, "")).toContain(
      "#range-24h:checked~.chart-7d,#range-7d:checked~.chart-24h{display:none",
    );
  });
});

describe("renderConsole: match quality", () => {
  it("puts what the relay sent beside what Meta matched, one row per key, and the hint plainly", () => {
    const page = render();
    const table = element(page, "table", 'data-coverage="eu"');
    expect(text(element(table, "tr", 'data-key="ph"'))).toBe("phone ph 82 % 82 % 81.5 %");
    expect(text(element(table, "tr", 'data-key="client_ip_address"'))).toBe(
      "IP address client_ip_address 100 % 100 % 99.9 %",
    );
    expect(text(element(table, "tr", 'data-key="fn"'))).toBe("first name fn 95 % 95 % —");
    expect(text(element(page, "p", 'data-hint="eu"'))).toBe(
      "Hint: fbc on 12 %: pass the _fbc cookie, or the page URL with its fbclid, in context",
    );
  });

  it("tells, for the phone, the shoppers who gave none from those who gave one Meta can't use", () => {
    expect(text(element(render(), "p", 'data-hint="us"'))).toBe(
      "Hint: Phone on 40 % of delivered leads: 7 % of shoppers gave one Meta can't use (most often without a country code: add a country to the quiz, or set DEFAULT_COUNTRY); 53 % gave none.",
    );
  });

  it("names the other keys no lead carried on one line", () => {
    expect(text(element(render(), "p", 'data-never-sent="eu"'))).toBe(
      `Never sent: ${(["db", "ge", "ct", "st", "zp", "country"] as const).map((k) => KEY_LABELS[k]).join(", ")}.`,
    );
    expect(MATCH_KEYS).toContain("zp");
  });

  it("lists every user_data key the Worker has, in its order", () => {
    expect(Object.keys(KEY_LABELS)).toEqual([...MATCH_KEYS]);
  });

  it("says so when a destination delivered nothing", () => {
    const page = render();
    const block = page.slice(page.indexOf('data-quality-for="test"'), page.indexOf('id="recent"'));
    expect(text(block)).toContain("No lead delivered in the last 24 hours.");
  });

  it("shows Meta's Event Match Quality and dedup feedback; its diagnostics are for the developer", () => {
    const block = element(render(), "div", 'data-quality="ok"');
    expect(block).toContain("<strong data-emq>7.2</strong>/10");
    expect(text(block)).toContain(
      "Matched with the Pixel's copy (dedup by event_id) server 100 % · browser 97.1 % · deduplicated 88.4 %",
    );
    expect(text(element(block, "details", 'class="diagnostics"'))).toContain("Meta's diagnostics (for your developer)");
  });

  it("cuts Meta's long texts, so a page cannot be pushed wide", () => {
    const long = "x".repeat(5000);
    const page = render(
      model((m) => {
        const q = destination(m, "eu").quality;
        if (q.state === "ok") q.quality.events[0]!.diagnostics[0]!.description = long;
      }),
    );
    expect(page).not.toContain("x".repeat(301));
    expect(page).toContain(`${"x".repeat(300)}…`);
  });

  it("shows a missing permission as such (give the token ads_read), not as a relay failure", () => {
    const block = element(render(), "div", 'data-quality="permission"');
    expect(block).toContain('class="alert"');
    expect(text(block)).toContain("Give the token ads_read");
    expect(text(block)).toContain("not a delivery failure");
    expect(text(block)).toContain("(#10) Application does not have permission for this action");
  });

  it("shows a failed read and no read yet, each for what it is", () => {
    const m = model((x) => {
      destination(x, "eu").quality = {
        state: "failed",
        at: NOW - 60_000,
        code: 2,
        message: "Service temporarily unavailable",
      };
    });
    const page = render(m);
    expect(text(element(page, "div", 'data-quality="failed"'))).toBe(
      "Meta's feedback could not be read 1 min ago: code 2: Service temporarily unavailable. Delivery is not affected; the next read will try again.",
    );
    expect(text(element(page, "p", 'data-quality="none"'))).toBe("No feedback from Meta yet (no token).");
  });
});

describe("renderConsole: recent leads", () => {
  it("lists one row per lead in its latest state, with its history counted", () => {
    const page = render(
      model((m) => {
        m.recent = [
          {
            at: NOW - 10_000,
            eventId: "cartful.ses_a.1",
            destination: "eu",
            outcome: "sent",
            keys: ["em", "ph"],
            fbtraceId: "T1",
          },
          { at: NOW - 40_000, eventId: "cartful.ses_a.1", destination: "eu", outcome: "retry", keys: ["em", "ph"] },
          { at: NOW - 70_000, eventId: "cartful.ses_a.1", destination: "eu", outcome: "queued", keys: ["em", "ph"] },
          { at: NOW - 80_000, eventId: "cartful.ses_b.1", destination: "eu", outcome: "skipped", keys: ["em", "ph"] },
          { at: NOW - 90_000, eventId: "cartful.ses_c.1", destination: "eu", outcome: "queued", keys: ["em"] },
          {
            at: NOW - 95_000,
            eventId: "cartful.ses_d.1.quiz:start",
            destination: "eu",
            outcome: "filtered",
            keys: ["em"],
          },
        ];
      }),
    );
    const rows = page.match(/<tr data-event="[^"]+">/g)!;
    expect(rows).toEqual([
      '<tr data-event="cartful.ses_a.1">',
      '<tr data-event="cartful.ses_b.1">',
      '<tr data-event="cartful.ses_c.1">',
      '<tr data-event="cartful.ses_d.1.quiz:start">',
    ]);
    const d = text(element(page, "tr", 'data-event="cartful.ses_d.1.quiz:start"'));
    expect(d).toContain("nothing sent: the relay does not relay this Studio event type");
    expect(d).not.toContain("declined");
    const a = text(element(page, "tr", 'data-event="cartful.ses_a.1"'));
    expect(a).toContain("delivered (3 steps) sent 2 keys T1");
    const b = text(element(page, "tr", 'data-event="cartful.ses_b.1"'));
    expect(b).toContain("nothing sent: the shopper declined");
    expect(b).not.toContain("keys");
    expect(text(element(page, "tr", 'data-event="cartful.ses_c.1"'))).toContain("will send 1 key");
  });

  it("shows ten leads, the rest under 'more'", () => {
    const page = render(
      model((m) => {
        m.recent = Array.from({ length: 14 }, (_, i) => ({
          at: NOW - i * 1000,
          eventId: `cartful.ses_${i}.1`,
          destination: "eu",
          outcome: "sent" as const,
          keys: ["em"],
        }));
      }),
    );
    expect(page).toContain("<summary>4 more</summary>");
    expect(page.match(/<tr data-event=/g)).toHaveLength(14);
  });

  it("escapes bidirectional characters in ids and never shows an id that carries an email", () => {
    const page = render(
      model((m) => {
        m.recent = [
          { at: NOW, eventId: "cartful.ses_\u202egnp.1", destination: "eu", outcome: "sent", keys: [] },
          { at: NOW, eventId: "cartful.jane@example.com.1", destination: "eu", outcome: "sent", keys: [] },
        ];
        m.deadLetters[0]!.key = "cartful.ses_\u202egnp.1@eu";
        m.deadLetters.push({
          ...m.deadLetters[0]!,
          key: "cartful.jane@example.com.1@eu",
          eventId: "cartful.jane@example.com.1",
        });
      }),
    );
    expect(page).not.toContain("\u202e".repeat(1) + "gnp.1</code>");
    expect(page).toContain("<code>cartful.ses_\\u202egnp.1</code>");
    expect(page).toContain('data-label="cartful.ses_\\u202egnp.1@eu"');
    expect(page).not.toContain("jane@example.com");
    expect(page).toContain("id not shown: it carries an email or phone number");
  });

  it("says so when there is no lead yet", () => {
    expect(render(model((m) => void (m.recent = [])))).toContain("No lead yet.");
  });
});

describe("renderConsole: dead letters", () => {
  it("shows each as a card: the Studio field to map, refused N×, a re-drive labelled for what it will do, a discard", () => {
    const page = render();
    const card = element(page, "li", 'data-dead-letter="cartful.ses_bad.1@eu"');
    expect(text(element(card, "strong", "data-fix"))).toBe(
      "This lead had no page URL, so Meta refused it. Map context.page_url (or store.domain) in the Studio integration.",
    );
    expect(text(element(card, "span", 'data-times="2"'))).toBe("refused 2× since 26 h ago");
    expect(text(element(card, "button", 'data-action="redrive"'))).toBe(
      "Re-drive (Meta will refuse it again until the data is fixed)",
    );
    expect(card).toContain('data-action="discard" data-key="cartful.ses_bad.1@eu" data-label="cartful.ses_bad.1@eu"');
    expect(card).toContain("data-letter-result");
  });

  it("offers a plain re-drive for a letter Meta may take again, and none for one it would refuse now", () => {
    const plain = render(
      model((m) => void Object.assign(m.deadLetters[0]!, { code: 2, subcode: undefined, reason: "transient" })),
    );
    expect(text(element(plain, "button", 'data-action="redrive"'))).toBe("Re-drive");
    const stale = render(model((m) => void (m.deadLetters[0]!.replayable = false)));
    expect(element(stale, "button", 'data-action="redrive"')).toContain("disabled");
  });

  it("agrees with the counter: 'being filed' while it is ahead of the list, never 'none' then", () => {
    const filing = render(
      model((m) => {
        m.deadLetters = [];
        const eu = destination(m, "eu");
        eu.deadLettersWaiting = 0;
        eu.lastFailure = { at: NOW - 5_000, status: 400, code: 100, subcode: 2804019, message: "Invalid parameter" };
      }),
    );
    expect(text(element(filing, "p", 'data-dead-letters="filing"'))).toContain(
      "refused by Meta, being filed (up to 30 s)",
    );
    expect(filing).not.toContain('data-dead-letters="none"');
    const none = render(model((m) => void (m.deadLetters = [])));
    expect(none).toContain('data-dead-letters="none"');
  });
});
