import { describe, expect, it } from "vitest";
import { QUEUE_RETRY_POLICY } from "../delivery/policy";
import { htmlText } from "../http/console/layout";
import type { ConsoleDestination } from "../http/console/model";
import { sampleConsoleModel } from "../http/console/model.sample";
import {
  ago,
  clock,
  destinationAlerts,
  destinationHint,
  duration,
  failureText,
  FIRST_RETRY_DELAY_MS,
  headline,
  HIDDEN_ID,
  intakeAlerts,
  latencyWords,
  leadParts,
  metaWords,
  modeLabel,
  percent,
  refusalReasons,
  relative,
  secretCommand,
  share,
  shownId,
  utc,
} from "./words";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const MIN = 60_000;

function destination(name: string, change: (d: ConsoleDestination) => void = () => {}): ConsoleDestination {
  const d = sampleConsoleModel(NOW).destinations.find((x) => x.name === name)!;
  change(d);
  return d;
}

describe("relative", () => {
  it.each([
    [NOW - 2_000, "just now"],
    [NOW - 30_000, "30 s ago"],
    [NOW - 90_000, "1 min ago"],
    [NOW - 59 * MIN, "59 min ago"],
    [NOW - 60 * MIN, "1 h ago"],
    [NOW - 47 * 60 * MIN, "47 h ago"],
    [NOW - 72 * 60 * MIN, "3 days ago"],
    [NOW + 4 * MIN, "in 4 min"],
    [NOW + 30_000, "in 30 s"],
  ])("%s → %s", (at, words) => {
    expect(relative(at, NOW)).toBe(words);
  });
});

describe("ago and clock", () => {
  it("wrap the words in a <time> with the exact UTC time on hover", () => {
    expect(htmlText(ago(NOW - 4 * MIN, NOW))).toBe(
      '<time datetime="2026-11-25T18:56:00.000Z" title="2026-11-25 18:56:00 UTC">4 min ago</time>',
    );
    expect(htmlText(clock(NOW))).toBe('<time datetime="2026-11-25T19:00:00.000Z">2026-11-25 19:00 UTC</time>');
    expect(utc(NOW + 1_500)).toBe("2026-11-25 19:00:01 UTC");
  });
});

describe("share and percent", () => {
  it.each([
    [0.123, "12 %", 0.123],
    [1, "100 %", 1],
    [1.4, "100 %", 1],
    [-0.2, "0 %", 0],
    [Number.NaN, "0 %", 0],
  ])("%s → %s", (value, words, clamped) => {
    expect(percent(value)).toBe(words);
    expect(share(value)).toBe(clamped);
  });
});

describe("modeLabel", () => {
  it("words each mode plainly: never 'misconfigured' for a token Meta stopped taking", () => {
    expect((["live", "dry_run", "held", "paused", "misconfigured"] as const).map((m) => modeLabel(m))).toEqual([
      "live",
      "dry run",
      "held",
      "paused",
      "action needed",
    ]);
  });
});

describe("metaWords and failureText", () => {
  it("drop Meta's own clock, the trailing period and doubled spaces", () => {
    expect(
      metaWords(
        "Error validating access token: Session has expired on Tuesday, 01-Dec-26 22:53:11 PST. The current time is Wednesday, 02-Dec-26 00:10:00 PST.",
      ),
    ).toBe("Error validating access token: Session has expired");
    expect(metaWords("Invalid parameter..  ")).toBe("Invalid parameter");
  });

  it("put Meta's words first, then the codes", () => {
    expect(failureText({ status: 400, code: 190, subcode: 463, message: "Session has expired." })).toBe(
      "Session has expired (HTTP 400 · code 190/463)",
    );
    expect(failureText({ status: 503, code: 2, message: "" })).toBe("HTTP 503 · code 2");
    expect(failureText({ message: "timed out after 1500 ms" })).toBe("timed out after 1500 ms (no answer)");
  });
});

describe("duration and latencyWords", () => {
  it.each([
    [4_000, "4 s"],
    [216_000, "3 min 36 s"],
    [900_000, "15 min"],
    [3 * 3_600_000 + 60_000, "3 h 1 min"],
    [72 * 3_600_000, "3 days"],
  ])("%s ms → %s", (ms, words) => {
    expect(duration(ms)).toBe(words);
  });

  it("says how fast leads reach Meta in words, as bounds", () => {
    expect(latencyWords({ p50: 120_000, p95: 900_000 })).toBe(
      "Half of the leads reached Meta within 2 min, almost all (95 %) within 15 min",
    );
    expect(latencyWords({ p50: 500, p95: 2000 })).toBe(
      "Half of the leads reached Meta within a second, almost all (95 %) within 2 s",
    );
  });
});

describe("shownId", () => {
  it("shows ordinary ids as they are", () => {
    expect(shownId("cartful.ses_5f1c9a7e2b.2@eu")).toBe("cartful.ses_5f1c9a7e2b.2@eu");
  });

  it("escapes bidirectional and control characters, so one key cannot pass for another", () => {
    expect(shownId("cartful.ses_\u202egnp.1")).toBe("cartful.ses_\\u202egnp.1");
    expect(shownId("a\u200bb\u0007c\u2066d")).toBe("a\\u200bb\\u0007c\\u2066d");
    expect(shownId("cartful.ses_\u202egnp.1")).not.toBe(shownId("cartful.ses_png.1"));
  });

  it("never shows an id that carries an email address or a phone number", () => {
    expect(shownId("cartful.jane.doe@example.com.1")).toBeUndefined();
    expect(shownId("cartful.+44 20 7946 0958.1")).toBeUndefined();
    expect(HIDDEN_ID).not.toContain("@");
  });
});

describe("leadParts: the counts add up", () => {
  const counts = {
    routed: 21,
    sent: 12,
    skipped: 3,
    filtered: 1,
    duplicate: 1,
    dead_lettered: 1,
    dry_run: 0,
    held: 9,
    retried: 30,
  };

  it("splits routed into delivered, declined, filtered by type, duplicate, refused, dry run, held now and on its way", () => {
    const parts = leadParts(counts, 3);
    expect(Object.fromEntries(parts.map((p) => [p.key, p.value]))).toEqual({
      sent: 12,
      skipped: 2,
      filtered: 1,
      duplicate: 1,
      dead_lettered: 1,
      dry_run: 0,
      held: 3,
      on_its_way: 1,
    });
    expect(parts.reduce((sum, p) => sum + p.value, 0)).toBe(counts.routed);
  });

  it("never counts more held than the window's routed leads leave (held from before the window)", () => {
    const parts = leadParts(counts, 50);
    expect(parts.find((p) => p.key === "held")!.value).toBe(4);
    expect(parts.find((p) => p.key === "on_its_way")!.value).toBe(0);
    expect(parts.reduce((sum, p) => sum + p.value, 0)).toBe(counts.routed);
  });

  it("labels retries as attempts nowhere in the sum (they are not leads)", () => {
    expect(leadParts(counts, 0).map((p) => p.key)).not.toContain("retried");
  });
});

describe("headline", () => {
  it("answers 'are my leads reaching Meta?' in clauses that link to their detail", () => {
    const d = destination("eu", (x) => {
      x.counts["24h"] = {
        routed: 241,
        sent: 226,
        skipped: 5,
        filtered: 0,
        duplicate: 2,
        dead_lettered: 4,
        dry_run: 0,
        held: 0,
        retried: 9,
      };
      x.deadLettersWaiting = 4;
    });
    expect(headline(d).map((c) => [c.text, c.href])).toEqual([
      ["226 of 241 leads reached Meta in 24 h", "#destination-eu-counts"],
      ["5 not sent because the shopper declined", "#destination-eu-counts"],
      ["2 repeats from Studio delivered once", "#destination-eu-counts"],
      ["4 need you", "#dead-letters"],
      ["4 on their way", "#destination-eu-alerts"],
    ]);
    expect(headline(d)[0]!.tone).toBe("ok");
  });

  it("tells leads of a Studio type the relay does not relay from those the shopper declined", () => {
    const d = destination("eu", (x) => {
      x.counts["24h"] = { ...x.counts["24h"], skipped: 5, filtered: 3 };
    });
    const texts = headline(d).map((c) => c.text);
    // 3 of those routed are no lead: the headline counts the leads alone.
    const { sent, routed } = d.counts["24h"];
    expect(texts[0]).toBe(`${sent} of ${routed - 3} leads reached Meta in 24 h`);
    expect(texts).toContain("2 not sent because the shopper declined");
    expect(texts).toContain("3 of a Studio event type the relay does not relay");
    const only = destination("eu", (x) => {
      x.counts["24h"] = { ...x.counts["24h"], skipped: 3, filtered: 3 };
    });
    expect(
      headline(only)
        .map((c) => c.text)
        .filter((t) => t.includes("declined")),
    ).toEqual([]);
  });

  it("says a paused destination's leads wait for a fix", () => {
    expect(headline(destination("us")).map((c) => c.text)).toContain("paused: 37 waiting for a fix");
  });
});

describe("destinationAlerts", () => {
  it("times the next try by the queue's own first retry delay", () => {
    expect(FIRST_RETRY_DELAY_MS).toBe(QUEUE_RETRY_POLICY.baseDelayMs);
  });

  it("has none for a healthy live destination, whose last refusal is older than its last delivery", () => {
    expect(destinationAlerts(destination("eu"), NOW)).toEqual([]);
  });

  it("pauses on a token Meta refuses: expired, not 'misconfigured', with the command to paste, Meta's words once", () => {
    const alerts = destinationAlerts(destination("us"), NOW);
    expect(alerts.map((a) => [a.kind, a.tone, a.title])).toEqual([
      ["paused", "bad", "Paused: Meta refuses the token (expired)."],
    ]);
    const text = htmlText(alerts[0]!.text as never);
    expect(text).toContain("npx wrangler secret put META_TOKEN_US");
    expect(text).toContain(".dev.vars");
    expect(text).toContain("<strong data-held>37</strong> leads waiting");
    expect(text.split("Session has expired").length - 1).toBe(1);
    expect(text).not.toContain("..");
  });

  it("gives a wrong pixel (100/33) its own advice, and no token alert beside it", () => {
    const d = destination("us", (x) => {
      x.circuit!.lastFailure = { status: 400, code: 100, subcode: 33, message: "Unsupported post request." };
    });
    const alerts = destinationAlerts(d, NOW);
    expect(alerts.map((a) => [a.kind, a.title])).toEqual([["paused", "Paused: Meta can't find the pixel."]]);
    const text = htmlText(alerts[0]!.text as never);
    expect(text).toContain("Meta can't find pixel <code>222222222222222</code>");
    expect(text).toContain("dataset assigned");
    expect(text).not.toContain("wrangler secret put");
  });

  it.each([
    ["no_token", "Held: no access token.", "npx wrangler secret put META_TOKEN_US"],
    ["unknown_destination", "Held:", "no longer name this destination"],
    ["settings_unusable", "Held:", "settings cannot be read"],
  ] as const)("words the circuit's cause %s", (cause, title, words) => {
    const d = destination("us", (x) => void (x.circuit = { cause, held: 1 }));
    const [alert] = destinationAlerts(d, NOW);
    expect(alert!.title).toBe(title);
    expect(htmlText(alert!.text as never)).toContain(words);
    expect(htmlText(alert!.text as never)).toContain("<strong data-held>1</strong> lead waiting");
  });

  it("says a destination without its token is held, with the secret's command", () => {
    const d = destination("test", (x) => void (x.mode = "held"));
    const [alert] = destinationAlerts(d, NOW);
    expect(alert!.kind).toBe("held");
    expect(htmlText(alert!.text as never)).toContain("npx wrangler secret put META_ACCESS_TOKEN");
  });

  it("shows a transient outage in amber: since when, leads waiting, next try, nothing to do yet", () => {
    const d = destination("eu", (x) => {
      x.lastFailure = { at: NOW - 10_000, status: 500, code: 2, message: "An unexpected error has occurred." };
      x.lastAccepted = { at: NOW - 3 * MIN };
      x.counts["24h"] = { ...x.counts["24h"], routed: x.counts["24h"].routed + 27 };
      x.incidents = [
        {
          startedAt: NOW - 2 * MIN,
          lastFailureAt: NOW - 10_000,
          scope: "transient",
          refusal: { status: 500, code: 2, message: "An unexpected error has occurred." },
          failures: 6,
          held: 0,
          deliveredAfter: 0,
        },
      ];
    });
    const alerts = destinationAlerts(d, NOW);
    expect(alerts.map((a) => [a.kind, a.tone, a.title])).toEqual([["unavailable", "warn", "Meta unavailable"]]);
    const text = htmlText(alerts[0]!.text as never);
    expect(text).toContain("2 min ago");
    expect(text).toContain("<strong data-waiting>27</strong> leads waiting");
    expect(text).toContain("next try by");
    expect(text).toContain("Nothing to do yet");
  });

  it("shows a circuit holding through a sustained outage in amber, nothing to fix, and dates the outage from the circuit", () => {
    const d = destination("us", (x) => {
      x.mode = "waiting";
      x.heldNow = 12;
      x.circuit = { cause: "meta_unavailable", held: 12, since: NOW - 6 * MIN, nextProbeAt: NOW + MIN };
    });
    const alerts = destinationAlerts(d, NOW);
    expect(alerts.map((a) => [a.kind, a.tone])).toEqual([["unavailable", "warn"]]);
    expect(htmlText(alerts[0]!.text as never)).toContain("Nothing to do yet");
    expect(headline(d).map((c) => c.text)).toContain("12 waiting for Meta to answer again");
    expect(modeLabel("waiting")).toBe("waiting for Meta");
    const failing = destination("eu", (x) => {
      x.failingSince = NOW - 5 * MIN;
      x.lastFailure = { at: NOW - 5_000, status: 503, message: "down" };
    });
    expect(htmlText(destinationAlerts(failing, NOW)[0]!.text as never)).toMatch(/^since <time[^>]*>5 min ago/);
  });

  it("calls Meta's throttling what it is", () => {
    const d = destination("eu", (x) => {
      x.lastFailure = { at: NOW - 5_000, status: 400, code: 17, message: "User request limit reached" };
    });
    expect(destinationAlerts(d, NOW).map((a) => a.kind)).toEqual(["throttled"]);
  });

  it("raises no token alert once Meta accepts again, and says it recovered", () => {
    const d = destination("us", (x) => {
      delete x.circuit;
      x.mode = "live";
      x.heldNow = 0;
      x.lastAccepted = { at: NOW - 2 * MIN };
      x.incidents[0] = { ...x.incidents[0]!, endedAt: NOW - 3 * MIN, deliveredAfter: 37 };
    });
    const alerts = destinationAlerts(d, NOW);
    expect(alerts.map((a) => [a.kind, a.tone])).toEqual([["recovered", "ok"]]);
    const text = htmlText(alerts[0]!.text as never);
    expect(text).toContain("after 42 min");
    expect(text).toContain("37 held leads released; all delivered since.");
    expect(destinationAlerts(d, NOW + 2 * 60 * MIN)).toEqual([]);
  });

  it("raises a retired API version from its signal, until Meta accepts again", () => {
    const retired = (x: ConsoleDestination) =>
      void x.signals.push({ kind: "version_retired", detail: "2635", firstAt: NOW, lastAt: NOW, count: 1 });
    expect(destinationAlerts(destination("eu", retired), NOW).map((a) => a.kind)).toEqual(["version_retired"]);
    const after = destination("eu", (x) => {
      retired(x);
      x.lastAccepted = { at: NOW + 1 };
    });
    expect(destinationAlerts(after, NOW + 1)).toEqual([]);
  });

  it("names a dry run, quietly", () => {
    const d = destination("test", (x) => void (x.mode = "dry_run"));
    expect(destinationAlerts(d, NOW).map((a) => [a.kind, a.tone])).toEqual([["dry_run", "muted"]]);
  });

  it("says dead letters are being filed while the counter is ahead of the list", () => {
    const d = destination("eu", (x) => {
      x.counts["24h"] = { ...x.counts["24h"], dead_lettered: 5 };
      x.deadLettersWaiting = 1;
      x.lastFailure = { at: NOW - 5_000, status: 400, code: 100, subcode: 2804019, message: "Invalid parameter" };
    });
    const filing = destinationAlerts(d, NOW).find((a) => a.kind === "dead_letters_filing")!;
    expect(filing.text).toBe("4 refused by Meta, being filed with the dead letters (up to 30 s).");
  });
});

describe("destinationHint", () => {
  it("tells a phone nobody gave from one Meta can't use", () => {
    expect(destinationHint({ hint: "ph on 74 %: …", matchKeys: { ph: 0.74 }, unusableKeys: { ph: 0.07 } })).toBe(
      "Phone on 74 % of delivered leads: 7 % of shoppers gave one Meta can't use (most often without a country code: add a country to the quiz, or set DEFAULT_COUNTRY); 19 % gave none.",
    );
    expect(destinationHint({ hint: "ph on 80 %: …", matchKeys: { ph: 0.8 }, unusableKeys: {} })).toBe(
      "Phone on 80 % of delivered leads: 20 % gave none (nothing to fix, unless the quiz asks for a phone Studio does not map: shopper.phone).",
    );
  });

  it("leaves another key's hint as it is", () => {
    expect(destinationHint({ hint: "fbc on 12 %: pass the _fbc cookie", matchKeys: {}, unusableKeys: {} })).toBe(
      "fbc on 12 %: pass the _fbc cookie",
    );
  });
});

describe("secretCommand", () => {
  it("is the command to paste", () => {
    expect(secretCommand("META_ACCESS_TOKEN_EU")).toBe("npx wrangler secret put META_ACCESS_TOKEN_EU");
  });
});

describe("intakeAlerts and refusalReasons", () => {
  it("raise an alert when the wrong secret or unreadable webhooks pass 5 % of the traffic", () => {
    expect(intakeAlerts({ received: 320, unauthorized: 32, invalid: 49, anonymous: 0 }).map((a) => a.kind)).toEqual([
      "unauthorized",
      "invalid",
    ]);
    expect(intakeAlerts({ received: 320, unauthorized: 32, invalid: 0, anonymous: 0 })[0]!.text).toContain(
      "Check the Authorization header of Studio's integration",
    );
    expect(intakeAlerts({ received: 1000, unauthorized: 10, invalid: 2, anonymous: 0 })).toEqual([]);
    expect(intakeAlerts({ received: 2, unauthorized: 2, invalid: 0, anonymous: 0 })).toEqual([]);
  });

  it("leave anonymous noise (no credential at all) out: it is not Studio with a wrong secret", () => {
    expect(intakeAlerts({ received: 400, unauthorized: 300, invalid: 0, anonymous: 300 })).toEqual([]);
    expect(intakeAlerts({ received: 400, unauthorized: 310, invalid: 0, anonymous: 300 })[0]!.text).toMatch(
      /^10 % of the webhooks in 24 h carried the wrong secret \(10\)/,
    );
  });

  it("count the reasons, most frequent first, from paths and codes", () => {
    const at = NOW;
    expect(
      refusalReasons([
        { at, code: "invalid_webhook", status: 422, issues: ["shopper.email: Not a valid email address"] },
        { at, code: "unauthorized", status: 401, issues: [] },
        { at, code: "invalid_webhook", status: 422, issues: ["shopper.email: Not a valid email address"] },
      ]),
    ).toEqual([
      { reason: "shopper.email: Not a valid email address", count: 2 },
      { reason: "wrong or missing secret", count: 1 },
    ]);
  });
});
