import { describe, expect, it, vi } from "vitest";
import { serverEvent as fixtureEvent } from "../../test/queueFixtures";
import { fakeQueue } from "../../test/queueFakes";
import { MAX_MESSAGE_BYTES, type QueuedEvent } from "./messages";
import { enqueueEvents, INTAKE_SHARDS, intakeKeys, intakeShard, MessageTooLargeError } from "./producer";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);

describe("intakeKeys / intakeShard", () => {
  it("claims the Studio id, and the webhook-id when signed", () => {
    expect(intakeKeys("evt_1")).toEqual(["id:evt_1"]);
    expect(intakeKeys("evt_1", "msg_9")).toEqual(["id:evt_1", "wh:msg_9"]);
  });

  it("claims per destination, the default one with the keys written before there were several", () => {
    expect(intakeKeys("evt_1", "msg_9", "default")).toEqual(["id:evt_1", "wh:msg_9"]);
    expect(intakeKeys("evt_1", "msg_9", "eu")).toEqual(["id:evt_1@eu", "wh:msg_9@eu"]);
  });

  it("puts one Studio id always on the same shard, within range", () => {
    expect(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X")).toBe(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X"));
    const shards = new Set(Array.from({ length: 500 }, (_, i) => intakeShard(`evt_${i}`)));
    expect(shards.size).toBe(INTAKE_SHARDS);
    for (const shard of shards) expect(shard).toMatch(/^intake-(\d|1[0-5])$/);
  });
});

describe("enqueueEvents", () => {
  function fakeLedger(...claims: unknown[]) {
    return {
      claim: vi.fn(async (entries: unknown[]) => entries.map((_, i) => claims[i] ?? claims[0])),
      confirm: vi.fn(async (held: unknown[]) => held.map(() => true)),
      release: vi.fn(async () => undefined),
    };
  }
  function env(ledger: ReturnType<typeof fakeLedger> | undefined, queue: Queue<QueuedEvent>) {
    return {
      CAPI_QUEUE: queue,
      ...(ledger
        ? {
            INTAKE_LEDGER: {
              idFromName: (name: string) => name,
              get: () => ledger,
            } as unknown as DurableObjectNamespace<never>,
          }
        : {}),
    };
  }
  const event = serverEvent("cartful.ses_1.1");
  const one = {
    studioEventId: "evt_1",
    webhookId: "msg_1",
    events: [{ destination: "default", pixelId: "111", event }],
  };
  const two = {
    studioEventId: "evt_1",
    webhookId: "msg_1",
    events: [
      { destination: "us", pixelId: "111", event },
      { destination: "eu", pixelId: "222", event },
    ],
  };

  it("claims, sends the finished event only, confirms", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    const results = await enqueueEvents(env(ledger, queue), one, NOW, (l) => lines.push(l));
    expect(results).toEqual([{ destination: "default", status: "queued", eventId: "cartful.ses_1.1" }]);
    expect(ledger.claim).toHaveBeenCalledWith([{ keys: ["id:evt_1", "wh:msg_1"], eventId: "cartful.ses_1.1" }], NOW);
    expect(ledger.confirm).toHaveBeenCalledWith([{ keys: ["id:evt_1", "wh:msg_1"], token: "t1" }]);
    expect(sent).toEqual([
      {
        v: 2,
        eventId: "cartful.ses_1.1",
        studioEventId: "evt_1",
        webhookId: "msg_1",
        destination: "default",
        pixelId: "111",
        event,
        acceptedAt: NOW,
      },
    ]);
    // The caller logs the outcome it is handed; nothing else happened worth a line.
    expect(lines).toEqual([]);
  });

  it("queues one message per destination, each claimed under its own keys in one call", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" }, { outcome: "claimed", token: "t2" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const results = await enqueueEvents(env(ledger, queue), two, NOW, () => {});
    expect(results.map((r) => [r.destination, r.status])).toEqual([
      ["us", "queued"],
      ["eu", "queued"],
    ]);
    expect(ledger.claim).toHaveBeenCalledTimes(1);
    expect(ledger.claim.mock.calls[0]![0]).toEqual([
      { keys: ["id:evt_1@us", "wh:msg_1@us"], eventId: "cartful.ses_1.1" },
      { keys: ["id:evt_1@eu", "wh:msg_1@eu"], eventId: "cartful.ses_1.1" },
    ]);
    expect(sent.map((m) => [m.destination, m.pixelId])).toEqual([
      ["us", "111"],
      ["eu", "222"],
    ]);
  });

  it("queues only the destinations a redelivery did not already queue", async () => {
    const ledger = fakeLedger(
      { outcome: "duplicate", eventId: "cartful.ses_1.1" },
      { outcome: "claimed", token: "t2" },
    );
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const results = await enqueueEvents(env(ledger, queue), two, NOW, () => {});
    expect(results.map((r) => r.status)).toEqual(["duplicate", "queued"]);
    expect(sent.map((m) => m.destination)).toEqual(["eu"]);
  });

  it("answers duplicate without sending, with the first delivery's event_id", async () => {
    const ledger = fakeLedger({ outcome: "duplicate", eventId: "cartful.ses_1.1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    expect(await enqueueEvents(env(ledger, queue), one, NOW, () => {})).toEqual([
      { destination: "default", status: "duplicate", eventId: "cartful.ses_1.1" },
    ]);
    expect(sent).toEqual([]);
  });

  it("answers in_flight while another delivery holds the claim", async () => {
    const ledger = fakeLedger({ outcome: "in_flight", retryAfterSeconds: 12 });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    expect(await enqueueEvents(env(ledger, queue), one, NOW, () => {})).toMatchObject([
      { status: "in_flight", retryAfterSeconds: 12 },
    ]);
    expect(sent).toEqual([]);
  });

  it("releases the claims when the send fails, so a redelivery can go through", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue } = fakeQueue<QueuedEvent>(true);
    await expect(enqueueEvents(env(ledger, queue), one, NOW, () => {})).rejects.toThrow("queue unavailable");
    expect(ledger.release).toHaveBeenCalledWith([{ keys: ["id:evt_1", "wh:msg_1"], token: "t1" }]);
    expect(ledger.confirm).not.toHaveBeenCalled();
  });

  it("still answers queued when only the confirmation fails", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    ledger.confirm.mockRejectedValueOnce(new Error("object reset"));
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    expect((await enqueueEvents(env(ledger, queue), one, NOW, (l) => lines.push(l)))[0]?.status).toBe("queued");
    expect(sent).toHaveLength(1);
    expect(lines.some((l) => l.includes('"confirm_failed"'))).toBe(true);
  });

  it("queues without a ledger binding, saying so in the log", async () => {
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    expect((await enqueueEvents(env(undefined, queue), one, NOW, (l) => lines.push(l)))[0]?.status).toBe("queued");
    expect(sent).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "queued", reason: "no_intake_ledger" });
  });

  it("refuses, before claiming anything, a message larger than a queue takes", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const huge = { ...event, event_source_url: `https://shop.example.com/?q=${"x".repeat(MAX_MESSAGE_BYTES)}` };
    await expect(
      enqueueEvents(
        env(ledger, queue),
        { ...one, events: [{ destination: "default", pixelId: "111", event: huge }] },
        NOW,
        () => {},
      ),
    ).rejects.toThrow(MessageTooLargeError);
    expect(ledger.claim).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
  });

  it("throws without a queue binding", async () => {
    await expect(enqueueEvents({}, one, NOW, () => {})).rejects.toThrow("CAPI_QUEUE");
  });
});
