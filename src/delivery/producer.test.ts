import { describe, expect, it } from "vitest";
import { serverEvent as fixtureEvent } from "../../test/queueFixtures";
import { fakeQueue } from "../../test/queueFakes";
import { MAX_MESSAGE_BYTES, type QueuedEvent } from "./messages";
import { enqueueEvents, intakeKeys, MessageTooLargeError } from "./producer";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);

describe("intakeKeys", () => {
  it("claims the Studio id, and the webhook-id when signed", () => {
    expect(intakeKeys("evt_1")).toEqual(["id:evt_1"]);
    expect(intakeKeys("evt_1", "msg_9")).toEqual(["id:evt_1", "wh:msg_9"]);
  });

  it("claims per destination, the default one with the keys written before there were several", () => {
    expect(intakeKeys("evt_1", "msg_9", "default")).toEqual(["id:evt_1", "wh:msg_9"]);
    expect(intakeKeys("evt_1", "msg_9", "eu")).toEqual(["id:evt_1@eu", "wh:msg_9@eu"]);
  });
});

describe("enqueueEvents", () => {
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

  it("sends one message per destination, marked for the consumer's intake claim, in one queue call", async () => {
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const results = await enqueueEvents({ CAPI_QUEUE: queue }, two, NOW);
    expect(results).toEqual([
      { destination: "us", status: "queued", eventId: "cartful.ses_1.1" },
      { destination: "eu", status: "queued", eventId: "cartful.ses_1.1" },
    ]);
    expect(queue.sendBatch).toHaveBeenCalledTimes(1);
    expect(sent).toEqual([
      {
        v: 2,
        eventId: "cartful.ses_1.1",
        studioEventId: "evt_1",
        webhookId: "msg_1",
        destination: "us",
        pixelId: "111",
        event,
        acceptedAt: NOW,
        unclaimed: true,
        claim: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
      expect.objectContaining({ destination: "eu", pixelId: "222", unclaimed: true }),
    ]);
  });

  it("gives each message a claim id of its own, so no two messages (nor a redelivery's) share one", async () => {
    const { queue, sent } = fakeQueue<QueuedEvent>();
    await enqueueEvents({ CAPI_QUEUE: queue }, two, NOW);
    await enqueueEvents({ CAPI_QUEUE: queue }, two, NOW);
    const claims = sent.map((message) => message.claim);
    expect(claims.every((claim) => typeof claim === "string")).toBe(true);
    expect(new Set(claims).size).toBe(4);
  });

  it("throws when the queue refuses (the route answers 503)", async () => {
    const { queue } = fakeQueue<QueuedEvent>(true);
    await expect(enqueueEvents({ CAPI_QUEUE: queue }, one, NOW)).rejects.toThrow("queue unavailable");
  });

  it("refuses, before sending anything, a message larger than a queue takes", async () => {
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const huge = { ...event, event_source_url: `https://shop.example.com/?q=${"x".repeat(MAX_MESSAGE_BYTES)}` };
    await expect(
      enqueueEvents(
        { CAPI_QUEUE: queue },
        { ...one, events: [{ destination: "default", pixelId: "111", event: huge }] },
        NOW,
      ),
    ).rejects.toThrow(MessageTooLargeError);
    expect(sent).toEqual([]);
  });

  it("throws without a queue binding", async () => {
    await expect(enqueueEvents({}, one, NOW)).rejects.toThrow("CAPI_QUEUE");
  });
});
