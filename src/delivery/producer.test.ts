import { describe, expect, it, vi } from "vitest";
import { EM, IP, USER_AGENT, serverEvent as fixtureEvent } from "../../test/queueFixtures";
import { fakeQueue } from "../../test/queueFakes";
import type { QueuedEvent } from "./messages";
import { enqueueEvent, INTAKE_SHARDS, intakeKeys, intakeShard } from "./producer";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);

describe("intakeKeys / intakeShard", () => {
  it("claims the Studio id, and the webhook-id when signed", () => {
    expect(intakeKeys("evt_1")).toEqual(["id:evt_1"]);
    expect(intakeKeys("evt_1", "msg_9")).toEqual(["id:evt_1", "wh:msg_9"]);
  });

  it("puts one Studio id always on the same shard, within range", () => {
    expect(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X")).toBe(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X"));
    const shards = new Set(Array.from({ length: 500 }, (_, i) => intakeShard(`evt_${i}`)));
    expect(shards.size).toBe(INTAKE_SHARDS);
    for (const shard of shards) expect(shard).toMatch(/^intake-(\d|1[0-5])$/);
  });
});

describe("enqueueEvent", () => {
  function fakeLedger(claim: unknown) {
    return {
      claim: vi.fn(async () => claim),
      confirm: vi.fn(async () => true),
      release: vi.fn(async () => undefined),
    };
  }
  function env(ledger: ReturnType<typeof fakeLedger> | undefined, queue: Queue<QueuedEvent>) {
    return {
      CAPI_QUEUE: queue,
      ...(ledger ? { INTAKE_LEDGER: { idFromName: (name: string) => name, get: () => ledger } as unknown as DurableObjectNamespace<never> } : {}),
    };
  }
  const request = { event: serverEvent("cartful.ses_1.1"), studioEventId: "evt_1", webhookId: "msg_1", pixelId: "111" };

  it("claims, sends the finished event only, confirms", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    const result = await enqueueEvent(env(ledger, queue), request, NOW, (l) => lines.push(l));
    expect(result).toEqual({ status: "queued", eventId: "cartful.ses_1.1" });
    expect(ledger.claim).toHaveBeenCalledWith(["id:evt_1", "wh:msg_1"], "cartful.ses_1.1", NOW);
    expect(ledger.confirm).toHaveBeenCalledWith(["id:evt_1", "wh:msg_1"], "t1");
    expect(sent).toEqual([{ v: 1, eventId: "cartful.ses_1.1", studioEventId: "evt_1", webhookId: "msg_1", pixelId: "111", event: request.event, acceptedAt: NOW }]);
    // The caller logs the outcome it is handed; nothing else happened worth a line.
    expect(lines).toEqual([]);
  });

  it("answers duplicate without sending, with the first delivery's event_id", async () => {
    const ledger = fakeLedger({ outcome: "duplicate", eventId: "cartful.ses_1.1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    expect(await enqueueEvent(env(ledger, queue), request, NOW, () => {})).toEqual({ status: "duplicate", eventId: "cartful.ses_1.1" });
    expect(sent).toEqual([]);
  });

  it("answers in_flight while another delivery holds the claim", async () => {
    const ledger = fakeLedger({ outcome: "in_flight", retryAfterSeconds: 12 });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    expect(await enqueueEvent(env(ledger, queue), request, NOW, () => {})).toMatchObject({ status: "in_flight", retryAfterSeconds: 12 });
    expect(sent).toEqual([]);
  });

  it("releases the claim when the send fails, so a redelivery can go through", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue } = fakeQueue<QueuedEvent>(true);
    await expect(enqueueEvent(env(ledger, queue), request, NOW, () => {})).rejects.toThrow("queue unavailable");
    expect(ledger.release).toHaveBeenCalledWith(["id:evt_1", "wh:msg_1"], "t1");
    expect(ledger.confirm).not.toHaveBeenCalled();
  });

  it("still answers queued when only the confirmation fails", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    ledger.confirm.mockRejectedValueOnce(new Error("object reset"));
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    expect((await enqueueEvent(env(ledger, queue), request, NOW, (l) => lines.push(l))).status).toBe("queued");
    expect(sent).toHaveLength(1);
    expect(lines.some((l) => l.includes('"confirm_failed"'))).toBe(true);
  });

  it("queues without a ledger binding, saying so in the log", async () => {
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    expect((await enqueueEvent(env(undefined, queue), request, NOW, (l) => lines.push(l))).status).toBe("queued");
    expect(sent).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "queued", reason: "no_intake_ledger" });
  });

  it("throws without a queue binding", async () => {
    await expect(enqueueEvent({}, request, NOW, () => {})).rejects.toThrow("CAPI_QUEUE");
  });
});
