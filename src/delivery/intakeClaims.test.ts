import { describe, expect, it, vi } from "vitest";
import { queuedEvent } from "../../test/queueFixtures";
import { CLAIM_RETRY_DELAY_SECONDS, claimIntake, claimPlan } from "./intakeClaims";
import type { MessageClaimRequest, MessageClaimResult } from "./intakeLedger";
import { intakeLedgerName } from "./instances";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

const webhook = (id: string, studioEventId: string, destination = "default") => ({
  id,
  body: {
    ...queuedEvent({ id: `cartful.${studioEventId}`, eventTime: NOW_S - 60, destination }),
    studioEventId,
    webhookId: `wh_${studioEventId}`,
    unclaimed: true as const,
  },
});

/** A ledger namespace whose objects answer with `answer`, recording each call (or failing for `down` ledgers). */
function ledger(answer: (request: MessageClaimRequest) => MessageClaimResult, down: string[] = []) {
  const calls: { ledger: string; requests: MessageClaimRequest[] }[] = [];
  const namespace = {
    idFromName: (name: string) => name,
    get: (ledger: string) => ({
      claimMessages: vi.fn(async (requests: MessageClaimRequest[]) => {
        calls.push({ ledger, requests });
        if (down.includes(ledger)) throw new Error("object unreachable");
        return requests.map(answer);
      }),
    }),
  } as unknown as DurableObjectNamespace<never>;
  return { namespace, calls };
}

describe("claimPlan", () => {
  it("claims only messages marked unclaimed, per destination, with their keys and the queue message id as owner", () => {
    const browser = { id: "m3", body: queuedEvent({ id: "cartful.b", eventTime: NOW_S - 60 }) };
    const plan = claimPlan([
      webhook("m1", "evt_a", "eu"),
      webhook("m2", "evt_a"),
      browser,
      webhook("m4", "evt_b", "eu"),
    ]);
    expect(plan).toEqual([
      {
        ledger: intakeLedgerName("eu"),
        indexes: [0, 3],
        requests: [
          { keys: ["id:evt_a@eu", "wh:wh_evt_a@eu"], eventId: "cartful.evt_a", owner: "m1" },
          { keys: ["id:evt_b@eu", "wh:wh_evt_b@eu"], eventId: "cartful.evt_b", owner: "m4" },
        ],
      },
      {
        ledger: intakeLedgerName("default"),
        indexes: [1],
        requests: [{ keys: ["id:evt_a", "wh:wh_evt_a"], eventId: "cartful.evt_a", owner: "m2" }],
      },
    ]);
  });
  it("owns a claim by the message's claim id, and by its queue id only for a message queued before claim ids", () => {
    const withClaim = { ...webhook("m1", "evt_b"), body: { ...webhook("m1", "evt_b").body, claim: "c1".repeat(16) } };
    const malformed = { ...webhook("m2", "evt_b"), body: { ...webhook("m2", "evt_b").body, claim: "c1-".repeat(10) } };
    const owners = claimPlan([withClaim, webhook("m3", "evt_b"), malformed]).flatMap((ledger) =>
      ledger.requests.map((request) => request.owner),
    );
    expect(owners).toEqual(["c1".repeat(16), "m3", "m2"]);
  });
});

describe("claimIntake", () => {
  const ids = Array.from({ length: 40 }, (_, i) => `evt_${i}`);

  it("makes one call per destination present in the batch, however many events, and sends what it claimed", async () => {
    const { namespace, calls } = ledger(() => ({ outcome: "claimed" }));
    const messages = ids.map((id, i) => webhook(`m${i}`, id, i % 2 ? "eu" : "default"));
    const verdicts = await claimIntake({ INTAKE_LEDGER: namespace as never }, messages, NOW);
    expect(verdicts.every((v) => v.kind === "send")).toBe(true);
    expect(calls.map((c) => [c.ledger, c.requests.length]).sort()).toEqual([
      ["intake:default", 20],
      ["intake:eu", 20],
    ]);
  });

  it("answers duplicate for a redelivery, and retries shortly what an unreachable ledger or a direct delivery holds", async () => {
    const down = intakeLedgerName("down");
    const { namespace } = ledger(
      (r) =>
        r.owner === "dup"
          ? { outcome: "duplicate", eventId: "cartful.first" }
          : r.owner === "busy"
            ? { outcome: "in_flight", retryAfterSeconds: 12 }
            : { outcome: "claimed" },
      [down],
    );
    const other = "evt_other";
    const verdicts = await claimIntake(
      { INTAKE_LEDGER: namespace as never },
      [webhook("dup", other), webhook("busy", other), webhook("m", "evt_down", "down"), webhook("ok", other)],
      NOW,
    );
    expect(verdicts).toEqual([
      { kind: "duplicate", eventId: "cartful.first" },
      { kind: "wait", delaySeconds: 12, reason: "in_flight" },
      { kind: "wait", delaySeconds: CLAIM_RETRY_DELAY_SECONDS, reason: "ledger_unreachable" },
      { kind: "send" },
    ]);
  });

  it("sends everything, asking nothing, without a ledger or for messages that need no claim", async () => {
    expect(await claimIntake({}, [webhook("m1", "evt_a")], NOW)).toEqual([{ kind: "send" }]);
    const { namespace, calls } = ledger(() => ({ outcome: "duplicate", eventId: "x" }));
    const resent = { id: "m2", body: queuedEvent({ id: "cartful.r", eventTime: NOW_S - 60 }) };
    expect(await claimIntake({ INTAKE_LEDGER: namespace as never }, [resent], NOW)).toEqual([{ kind: "send" }]);
    expect(calls).toEqual([]);
  });
});
