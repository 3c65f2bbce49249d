import { describe, expect, it } from "vitest";
import { type Incident, intakeRefusal, nextIncident, refusalScope } from "./incidents";

const down = { status: 503, code: 2, message: "Service temporarily unavailable" };
const token = { status: 400, code: 190, subcode: 463, message: "Session has expired" };

function run(events: Parameters<typeof nextIncident>[1][], start?: Incident): Incident | undefined {
  return events.reduce<Incident | undefined>((incident, event) => nextIncident(incident, event), start);
}

describe("refusalScope", () => {
  it.each([
    [{}, "transient"],
    [{ status: 500 }, "transient"],
    [{ status: 429 }, "transient"],
    [{ status: 400, code: 17 }, "transient"],
    [{ status: 400, code: 190, subcode: 463 }, "configuration"],
    [{ status: 400, code: 100, subcode: 33 }, "configuration"],
    [{ status: 400, code: 100, subcode: 2804019 }, "event"],
    [{ status: 400 }, "event"],
  ] as const)("%o → %s", (codes, scope) => {
    expect(refusalScope(codes)).toBe(scope);
  });
});

describe("nextIncident", () => {
  it("opens on Meta being down, grows with each failure, and closes at the first acceptance after the last", () => {
    const incident = run([
      { kind: "failure", at: 1000, refusal: down },
      { kind: "failure", at: 31_000, refusal: down },
      { kind: "accepted", at: 20_000 }, // an earlier acceptance (another batch) ends nothing
      { kind: "accepted", at: 61_000 },
    ]);
    expect(incident).toEqual({
      startedAt: 1000,
      lastFailureAt: 31_000,
      scope: "transient",
      refusal: down,
      failures: 2,
      held: 0,
      endedAt: 61_000,
      deliveredAfter: 0,
    });
  });

  it("counts what was held during a configuration refusal and what was delivered after, up to that", () => {
    const incident = run([
      { kind: "failure", at: 0, refusal: token },
      { kind: "held", n: 5 },
      { kind: "failure", at: 30_000, refusal: down }, // a probe Meta could not answer
      { kind: "held", n: 2 },
      { kind: "accepted", at: 90_000 },
      { kind: "sent", n: 4 },
      { kind: "sent", n: 10 },
    ]);
    expect(incident).toMatchObject({
      scope: "configuration",
      signal: "token",
      refusal: token,
      failures: 2,
      held: 7,
      endedAt: 90_000,
      deliveredAfter: 7,
    });
  });

  it("opens nothing for a refusal of one event, and starts a new incident after a closed one", () => {
    expect(
      nextIncident(undefined, {
        kind: "failure",
        at: 0,
        refusal: { status: 400, code: 100, subcode: 2804019, message: "x" },
      }),
    ).toBeUndefined();
    const closed = run([
      { kind: "failure", at: 0, refusal: down },
      { kind: "accepted", at: 10 },
    ])!;
    expect(nextIncident(closed, { kind: "failure", at: 50, refusal: token })).toMatchObject({
      startedAt: 50,
      failures: 1,
    });
    expect(nextIncident(closed, { kind: "held", n: 3 })).toBe(closed);
  });
});

describe("intakeRefusal", () => {
  it("keeps the code, status and paths, with the relay's own reasons only", () => {
    expect(
      intakeRefusal("invalid_webhook", 422, [
        { path: "shopper.email", message: "Not a valid email address" },
        { path: "occurred_at", message: "Invalid input: expected string, received jane@example.com" },
      ]),
    ).toEqual({
      code: "invalid_webhook",
      status: 422,
      issues: ["shopper.email: Not a valid email address", "occurred_at: invalid value"],
    });
  });

  it("escapes anything a path is not made of and bounds it", () => {
    const [issue] = intakeRefusal("invalid_webhook", 422, [
      { path: `a\u202eb<c>${"x".repeat(200)}`, message: "Required" },
    ]).issues;
    expect(issue).toMatch(/^a\\u202eb\\u003cc\\u003ex+: Required$/);
    expect(issue!.length).toBeLessThan(140);
  });
});
