import { describe, expect, it } from "vitest";
import { htmlText } from "./layout";
import type { ConsoleDestination } from "./model";
import { sampleConsoleModel } from "./model.sample";
import { ago, clock, destinationAlerts, failureText, modeLabel, percent, relative, share, utc } from "./words";

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
  it("words dry_run as two words and leaves the others", () => {
    expect(["live", "dry_run", "misconfigured"].map((m) => modeLabel(m as "live"))).toEqual([
      "live",
      "dry run",
      "misconfigured",
    ]);
  });
});

describe("failureText", () => {
  it("joins what Meta gave: status, code/subcode, message", () => {
    expect(failureText({ status: 400, code: 190, subcode: 463, message: "Session has expired" })).toBe(
      "HTTP 400 · code 190/463 · Session has expired",
    );
    expect(failureText({ code: 2, message: "Service temporarily unavailable" })).toBe(
      "code 2 · Service temporarily unavailable",
    );
    expect(failureText({ message: "timed out after 1500 ms" })).toBe("timed out after 1500 ms");
  });
});

describe("destinationAlerts", () => {
  it("has none for a healthy live destination", () => {
    expect(destinationAlerts(destination("eu"), NOW)).toEqual([]);
  });

  it("raises an open circuit and an expired token, in red, circuit first", () => {
    const alerts = destinationAlerts(destination("us"), NOW);
    expect(alerts.map((a) => [a.kind, a.tone, a.title])).toEqual([
      ["circuit", "bad", "Circuit open:"],
      ["token", "bad", "Access token expired:"],
    ]);
  });

  it.each([
    ["meta_refused", "Meta refuses this destination&#39;s configuration"],
    ["no_token", "access token secret is not set"],
    ["unknown_destination", "no longer name this destination"],
    ["settings_unusable", "settings cannot be read"],
  ] as const)("words the circuit's cause %s", (cause, words) => {
    const d = destination("us", (x) => void (x.circuit = { cause, held: 1 }));
    const circuit = destinationAlerts(d, NOW).find((a) => a.kind === "circuit")!;
    expect(htmlText(circuit.text as never)).toContain(words);
    expect(htmlText(circuit.text as never)).toContain("1</span> event held.");
  });

  it("takes an expired token from a token signal alone", () => {
    const d = destination(
      "eu",
      (x) => void x.signals.push({ kind: "token", detail: "190/463", firstAt: NOW - MIN, lastAt: NOW, count: 2 }),
    );
    const token = destinationAlerts(d, NOW).find((a) => a.kind === "token")!;
    expect(token.title).toBe("Access token expired:");
    expect(htmlText(token.text as never)).toContain("Meta 190/463.");
  });

  it("raises a retired API version from its signal", () => {
    const d = destination(
      "eu",
      (x) => void x.signals.push({ kind: "version_retired", detail: "2635", firstAt: NOW, lastAt: NOW, count: 1 }),
    );
    expect(destinationAlerts(d, NOW).map((a) => a.kind)).toEqual(["version_retired"]);
  });

  it("names a dry run, quietly", () => {
    expect(destinationAlerts(destination("test"), NOW).map((a) => [a.kind, a.tone])).toEqual([["dry_run", "muted"]]);
  });

  it("does not take a throttle or a version warning for a token problem", () => {
    const d = destination("eu", (x) => {
      x.signals.push({ kind: "throttle", detail: "code 17", firstAt: NOW, lastAt: NOW, count: 1 });
      x.lastFailure = { at: NOW, status: 400, code: 17, message: "User request limit reached" };
    });
    expect(destinationAlerts(d, NOW)).toEqual([]);
  });
});
