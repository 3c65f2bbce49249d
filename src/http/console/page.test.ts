import { describe, expect, it } from "vitest";
import { chartTotals } from "./chart";
import { type ConsoleDestination, type ConsoleModel, MATCH_KEYS } from "./model";
import { sampleConsoleModel } from "./model.sample";
import { KEY_LABELS, renderConsole } from "./page";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const OPTIONS = { csrfToken: "csrf-token-of-the-session", nonce: "bm9uY2Utb2YtdGhlLXBhZ2U=" };

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
    expect(page.split("<script").length - 1).toBe(1);
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

  it("carries the CSRF token and the nonce escaped too", () => {
    const tricky = renderConsole(model(), { csrfToken: `"><script>x</script>`, nonce: `n"o` });
    expect(tricky.split("<script").length - 1).toBe(1);
    expect(tricky).toContain('<meta name="csrf-token" content="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">');
  });
});

describe("renderConsole: what the CSP allows", () => {
  const page = render();

  it("puts the nonce on its one style and one script, and has no inline handler or style attribute", () => {
    expect(page.match(/<style[^>]*>/g)).toEqual([`<style nonce="${OPTIONS.nonce}">`]);
    expect(page.match(/<script[^>]*>/g)).toEqual([`<script nonce="${OPTIONS.nonce}">`]);
    expect(page).not.toMatch(/\son[a-z]+=/i);
    expect(page).not.toMatch(/\sstyle=/i);
  });

  it("loads nothing from elsewhere", () => {
    expect(page).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
    expect(page).toContain('<link rel="icon" href="data:,">');
  });

  it("embeds the session's CSRF token for the script and the logout form", () => {
    expect(page).toContain(`<meta name="csrf-token" content="${OPTIONS.csrfToken}">`);
    expect(element(page, "form", 'action="/admin/logout"')).toContain(`name="csrf_token" value="${OPTIONS.csrfToken}"`);
  });

  it("is readable on a phone: a viewport and system fonts", () => {
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain("system-ui");
    expect(page).toMatch(/@media \(max-width:600px\)/);
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

describe("renderConsole: destinations", () => {
  it("gives each destination a card with its mode and its counts over 24 hours and 7 days", () => {
    const m = model();
    const page = render(m);
    for (const d of m.destinations) {
      const card = element(page, "article", `data-destination="${d.name}"`);
      expect(card).toContain(`data-mode="${d.mode}"`);
      expect(card).toContain(`<code>${d.pixelId}</code>`);
      for (const [key, value] of Object.entries(d.counts["24h"])) {
        expect(card).toContain(`<tr data-row="${key}">`);
        expect(element(card, "tr", `data-row="${key}"`)).toMatch(
          new RegExp(
            `<td class="num">${value}</td><td class="num">${d.counts["7d"][key as keyof (typeof d.counts)["7d"]]}</td>`,
          ),
        );
      }
    }
  });

  it("shows an open circuit in red: why, how many events it holds, when it probes next, what Meta said", () => {
    const m = model();
    const us = destination(m, "us");
    const card = element(render(m), "article", 'data-destination="us"');
    expect(card).toContain('class="card is-bad"');
    const alert = text(element(card, "div", 'data-alert="circuit"'));
    expect(element(card, "div", 'data-alert="circuit"')).toContain('class="alert bad"');
    expect(alert).toContain(`Circuit open: Meta refuses this destination's configuration`);
    expect(alert).toContain(`${us.circuit!.held} events held since 45 min ago; next probe in 4 min.`);
    expect(alert).toContain(`HTTP 400 · code 190/463 · ${us.circuit!.lastFailure!.message}`);
  });

  it("calls a token Meta refuses with 190/463 expired, in red, with how to replace it", () => {
    const card = element(render(), "article", 'data-destination="us"');
    const alert = element(card, "div", 'data-alert="token"');
    expect(alert).toContain('class="alert bad"');
    expect(text(alert)).toMatch(/^Access token expired: HTTP 400 · code 190\/463 · .* Generate a new token/);
  });

  it("calls another token refusal (190 without 463) refused, not expired", () => {
    const m = model((x) => {
      const us = destination(x, "us");
      us.circuit = undefined;
      us.signals = [];
      us.lastFailure = {
        at: NOW - 60_000,
        status: 400,
        code: 190,
        subcode: 460,
        message: "The session has been invalidated because the user changed their password",
      };
    });
    const alert = text(element(element(render(m), "article", 'data-destination="us"'), "div", 'data-alert="token"'));
    expect(alert).toMatch(/^Access token refused: HTTP 400 · code 190\/460/);
  });

  it("raises no alert for a healthy live destination", () => {
    const card = element(render(), "article", 'data-destination="eu"');
    expect(card).not.toContain("data-alert=");
    expect(card).toContain('class="card"');
  });

  it("shows a retired API version (2635) in red", () => {
    const m = model((x) => {
      destination(x, "eu").signals.push({
        kind: "version_retired",
        detail: "code 2635: v19.0",
        firstAt: NOW - 3_600_000,
        lastAt: NOW,
        count: 3,
      });
    });
    const alert = element(
      element(render(m), "article", 'data-destination="eu"'),
      "div",
      'data-alert="version_retired"',
    );
    expect(alert).toContain('class="alert bad"');
    expect(text(alert)).toContain("code 2635: v19.0");
    expect(text(alert)).toContain("META_API_VERSION");
  });

  it("lists Meta's health signals once each, with how often and when", () => {
    const m = model();
    const eu = destination(m, "eu");
    const signal = text(
      element(element(render(m), "article", 'data-destination="eu"'), "li", 'data-signal="version_warning"'),
    );
    expect(signal).toBe(
      `API version warning ${eu.signals[0]!.detail} (${eu.signals[0]!.count}× since 2 h ago, last 10 min ago)`,
    );
  });

  it("shows the last acceptance and the last failure with Meta's code, message and trace id", () => {
    const m = model();
    const eu = destination(m, "eu");
    const card = element(render(m), "article", 'data-destination="eu"');
    expect(text(element(card, "dd", 'data-fact="last-accepted"'))).toBe(
      `4 min ago · fbtrace_id ${eu.lastAccepted!.fbtraceId}`,
    );
    expect(text(element(card, "dd", 'data-fact="last-failure"'))).toBe(
      `3 h ago · HTTP 503 · code 2 · ${eu.lastFailure!.message} · fbtrace_id ${eu.lastFailure!.fbtraceId}`,
    );
    expect(text(element(card, "dd", 'data-fact="dead-letters"'))).toBe(`${eu.deadLettersWaiting} waiting`);
  });

  it("offers a test event prefilled with the destination's test code", () => {
    const card = element(render(), "article", 'data-destination="eu"');
    expect(card).toContain('id="test-code-eu" name="test_event_code" value="TEST4521"');
    expect(card).toContain('data-action="test-event" data-destination="eu" data-input="test-code-eu"');
  });

  it("asks for a test code where the destination has none", () => {
    const card = element(render(), "article", 'data-destination="us"');
    expect(card).toContain('id="test-code-us" name="test_event_code" value=""');
    expect(text(element(card, "p", 'data-result="us"'))).toContain(
      "a test event without one would count as a real lead",
    );
  });

  it("offers no test event for a dry-run destination, and says why", () => {
    const card = element(render(), "article", 'data-destination="test"');
    expect(card).not.toContain('data-action="test-event"');
    expect(card).toContain("runs dry and sends nothing");
    expect(element(card, "div", 'data-alert="dry_run"')).toContain('class="alert info"');
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
    expect(page).toContain("#range-24h:checked~.chart-7d,#range-7d:checked~.chart-24h{display:none}");
  });
});

describe("renderConsole: match quality", () => {
  it("lists the share of sent events with each key Meta weighs most or that some event carried, and the hint plainly", () => {
    const m = model((x) => void (destination(x, "eu").matchKeys.zp = 0.25));
    const eu = destination(m, "eu");
    const page = render(m);
    const table = element(page, "table", 'data-coverage="eu"');
    const listed = [
      "em",
      "ph",
      "fn",
      "ln",
      "zp",
      "external_id",
      "client_ip_address",
      "client_user_agent",
      "fbc",
      "fbp",
    ] as const;
    expect([...table.matchAll(/data-key="([^"]+)"/g)].map((match) => match[1])).toEqual(listed);
    for (const key of listed) {
      const share = Math.round((eu.matchKeys[key] ?? 0) * 100);
      expect(text(element(table, "tr", `data-key="${key}"`))).toBe(`${KEY_LABELS[key]} ${key} ${share} % ${share} %`);
    }
    expect(text(element(page, "p", 'data-hint="eu"'))).toBe(`Hint: ${eu.hint}`);
  });

  it("names the other keys no event carried on one line", () => {
    const m = model();
    const page = render(m);
    const never = MATCH_KEYS.filter(
      (key) =>
        !["em", "ph", "fn", "ln", "external_id", "client_ip_address", "client_user_agent", "fbc", "fbp"].includes(key),
    );
    expect(text(element(page, "p", 'data-never-sent="eu"'))).toBe(
      `Never sent: ${never.map((key) => KEY_LABELS[key]).join(", ")}.`,
    );
    const us = element(page, "table", 'data-coverage="us"');
    expect(text(element(us, "tr", 'data-key="fbc"'))).toContain("0 % 0 %");
  });

  it("says so when a destination sent nothing", () => {
    const block = element(render(), "div", 'data-quality-for="test"');
    expect(block).toContain("No event sent in the last 24 hours.");
    expect(block).not.toContain("data-coverage");
  });

  it("shows Meta's Event Match Quality, per-key and dedup feedback, coverage and diagnostics", () => {
    const m = model();
    const quality = destination(m, "eu").quality;
    if (quality.state !== "ok") throw new Error("the sample's eu has Meta's feedback");
    const event = quality.quality.events[0]!;
    const block = text(element(render(m), "div", `data-quality-event="${event.eventName}"`));
    expect(block).toContain(`Event Match Quality ${event.compositeScore}/10`);
    for (const k of event.matchKeyFeedback) expect(block).toContain(`${k.identifier} ${k.coverage} %`);
    expect(block).toContain("Dedup by event_id server 100 % · browser 97.1 % · deduplicated 88.4 %");
    expect(block).toContain(`Event coverage ${event.eventCoverage} % of Pixel events`);
    expect(block).toContain(
      `${event.diagnostics[0]!.name} (88 % of events): ${event.diagnostics[0]!.description} ${event.diagnostics[0]!.solution}`,
    );
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

describe("renderConsole: recent events and dead letters", () => {
  it("lists recent events: event id, destination, outcome, keys, fbtrace_id", () => {
    const m = model();
    const page = render(m);
    for (const e of m.recent) {
      expect(text(element(page, "tr", `data-event="${e.eventId}"`))).toMatch(
        new RegExp(`ago ${e.eventId} ${e.destination} ${e.outcome} ${e.keys.join(", ")} ${e.fbtraceId ?? "—"}$`),
      );
    }
  });

  it("gives each dead letter a re-drive and a discard button keyed by the letter", () => {
    const m = model();
    const letter = m.deadLetters[0]!;
    const row = element(render(m), "tr", `data-dead-letter="${letter.key}"`);
    expect(row).toContain(`<button type="button" data-action="redrive" data-key="${letter.key}">Re-drive</button>`);
    expect(row).toContain(
      `<button type="button" class="danger" data-action="discard" data-key="${letter.key}">Discard</button>`,
    );
    expect(text(row)).toContain(`${letter.reason} (code ${letter.code}) ${letter.detail} ${letter.fbtraceId} 5 h ago`);
  });

  it("disables re-drive for a letter Meta would refuse now", () => {
    const m = model((x) => void (x.deadLetters[0]!.replayable = false));
    expect(element(render(m), "tr", "data-dead-letter=")).toMatch(
      /data-action="redrive" data-key="[^"]+" disabled title="Meta would refuse it now/,
    );
  });

  it("says so when there is no dead letter and no event yet", () => {
    const page = render(model((x) => ((x.deadLetters = []), (x.recent = []))));
    expect(text(element(page, "section", 'id="dead-letters"'))).toContain(
      "None: every event reached Meta or is still on its way.",
    );
    expect(text(element(page, "section", 'id="recent"'))).toContain("No event yet.");
  });
});
