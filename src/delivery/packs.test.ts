import { describe, expect, it, vi } from "vitest";
import { fakeBatch, fakeQueue } from "../../test/queueFakes";
import { queuedEvent } from "../../test/queueFixtures";
import { MAX_MESSAGE_BYTES, messageBytes, type DeliveryMessage, packEvents, readPack } from "./messages";
import { openPacks, planPackSettlement, settlePacks } from "./packs";
import { MAX_DELAY_SECONDS } from "./policy";

const NOW_S = Math.floor(Date.parse("2026-11-25T20:00:00Z") / 1000);
const event = (id: string) => ({ ...queuedEvent({ id, eventTime: NOW_S - 60 }), origin: "browser" as const });

describe("packEvents / readPack", () => {
  it("packs a request's events in one message, read back as it was sent", () => {
    const packs = packEvents([event("a"), event("b")]);
    expect(packs).toHaveLength(1);
    expect(readPack(JSON.parse(JSON.stringify(packs[0])))).toEqual({ events: [event("a"), event("b")], attempts: 0 });
  });

  it("measures a pack that fits in one serialisation, not one per event", () => {
    const stringify = vi.spyOn(JSON, "stringify");
    try {
      expect(packEvents([event("a"), event("b"), event("c")])).toHaveLength(1);
      expect(stringify).toHaveBeenCalledTimes(1);
    } finally {
      stringify.mockRestore();
    }
  });

  it("makes nothing of no events", () => {
    expect(packEvents([])).toEqual([]);
  });

  it("cuts a pack only where the queue's size requires, each part under the bound", () => {
    const big = (id: string) => {
      const e = event(id);
      return { ...e, event: { ...e.event, custom_data: { content_ids: ["x".repeat(30_000)] } } };
    };
    const packs = packEvents([big("a"), big("b"), big("c"), big("d")]);
    expect(packs.map((p) => p.events.map((e) => e.eventId))).toEqual([["a", "b", "c"], ["d"]]);
    for (const pack of packs) expect(messageBytes(pack)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it("carries the deliveries so far", () => {
    expect(packEvents([event("a")], 3)[0]).toMatchObject({ attempts: 3 });
    expect(readPack({ v: 3, kind: "pack", events: [event("a")], attempts: 3 })?.attempts).toBe(3);
  });

  it.each([
    ["a single event", event("a")],
    ["an empty pack", { v: 3, kind: "pack", events: [] }],
    ["events that are no list", { v: 3, kind: "pack", events: { 0: event("a") } }],
    ["another kind", { v: 3, kind: "dead_letter", events: [event("a")] }],
    ["null", null],
  ])("is no pack: %s", (_, body) => {
    expect(readPack(body)).toBeUndefined();
  });

  it("reads a nonsense carried count as none", () => {
    expect(readPack({ v: 3, kind: "pack", events: [1], attempts: "9" })?.attempts).toBe(0);
    expect(readPack({ v: 3, kind: "pack", events: [1], attempts: -2 })?.attempts).toBe(0);
  });
});

describe("planPackSettlement", () => {
  it("acks when every event is finished", () => {
    expect(planPackSettlement([{ kind: "done" }, { kind: "done" }])).toEqual({ kind: "ack" });
  });

  it("retries the message when none is finished, after the longest delay", () => {
    expect(
      planPackSettlement([
        { kind: "retry", delaySeconds: 30 },
        { kind: "retry", delaySeconds: 61.2 },
      ]),
    ).toEqual({ kind: "retry", delaySeconds: 62 });
  });

  it("re-sends the unfinished ones when some are finished", () => {
    expect(
      planPackSettlement([
        { kind: "done" },
        { kind: "retry", delaySeconds: 45 },
        { kind: "done" },
        { kind: "pending" },
      ]),
    ).toEqual({ kind: "resend", indexes: [1, 3], delaySeconds: 45 });
  });

  it("never acks an event that asked for nothing, and caps the delay at Cloudflare's", () => {
    expect(planPackSettlement([{ kind: "pending" }])).toEqual({ kind: "retry", delaySeconds: 30 });
    expect(planPackSettlement([{ kind: "retry", delaySeconds: 10 ** 9 }])).toEqual({
      kind: "retry",
      delaySeconds: MAX_DELAY_SECONDS,
    });
  });
});

describe("openPacks / settlePacks", () => {
  it("opens a pack into stand-ins with the carried count, and passes other messages on", () => {
    const { batch } = fakeBatch(
      "q",
      [{ v: 3, kind: "pack", events: [event("a"), event("b")], attempts: 2 }, event("c")],
      3,
    );
    const opened = openPacks(batch.messages);
    expect(opened.messages.map((m) => [m.id, m.attempts])).toEqual([
      ["m0#0", 5],
      ["m0#1", 5],
      ["m1", 3],
    ]);
    expect(opened.packs).toHaveLength(1);
  });

  it("acks a pack whose events all finished, and sends nothing", async () => {
    const { batch, state } = fakeBatch("q", [packEvents([event("a"), event("b")])[0]]);
    const opened = openPacks(batch.messages);
    for (const m of opened.messages) m.ack();
    const { queue, sent } = fakeQueue<DeliveryMessage>();
    await settlePacks(opened.packs, queue);
    expect(state(0)).toEqual({ acked: true });
    expect(sent).toEqual([]);
  });

  it("retries a pack whose events all wait", async () => {
    const { batch, state } = fakeBatch("q", [packEvents([event("a"), event("b")])[0]]);
    const opened = openPacks(batch.messages);
    opened.messages[0]!.retry({ delaySeconds: 40 });
    opened.messages[1]!.retry({ delaySeconds: 20 });
    const { queue, sent } = fakeQueue<DeliveryMessage>();
    await settlePacks(opened.packs, queue);
    expect(state(0)).toEqual({ acked: false, retried: { delaySeconds: 40 } });
    expect(sent).toEqual([]);
  });

  it("acks a mixed pack and re-sends its unfinished events in one pack, with their delay and count", async () => {
    const { batch, state } = fakeBatch("q", [packEvents([event("a"), event("b"), event("c")], 1)[0]], 2);
    const opened = openPacks(batch.messages);
    opened.messages[0]!.ack();
    opened.messages[1]!.retry({ delaySeconds: 90 });
    opened.messages[2]!.retry({ delaySeconds: 30 });
    const { queue, sent } = fakeQueue<DeliveryMessage>();
    await settlePacks(opened.packs, queue);
    expect(state(0)).toEqual({ acked: true });
    expect(sent).toEqual([{ v: 3, kind: "pack", events: [event("b"), event("c")], attempts: 3 }]);
    const call = (queue.sendBatch as unknown as { mock: { calls: [{ delaySeconds: number }[]][] } }).mock.calls[0]![0];
    expect(call.map((m) => m.delaySeconds)).toEqual([90]);
  });

  it("retries the whole message when the re-send fails (Meta drops the repeats by event_id)", async () => {
    const { batch, state } = fakeBatch("q", [packEvents([event("a"), event("b")])[0]]);
    const opened = openPacks(batch.messages);
    opened.messages[0]!.ack();
    opened.messages[1]!.retry({ delaySeconds: 50 });
    await settlePacks(opened.packs, fakeQueue<DeliveryMessage>(true).queue);
    expect(state(0)).toEqual({ acked: false, retried: { delaySeconds: 50 } });
  });
});
