import { describe, expect, it } from "vitest";
import { queuedEvent, serverEvent as fixtureEvent } from "../../test/queueFixtures";
import {
  CLAIM_ID,
  claimedCopy,
  deadLetterKey,
  isDeadLetterQueue,
  isQueuedEvent,
  isRedrive,
  messageBytes,
  newClaimId,
  readQueuedEvent,
  SEND_BATCH_BYTES,
  sendBatches,
  utf8Length,
} from "./messages";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);

describe("isQueuedEvent / readQueuedEvent", () => {
  it("accepts what enqueueEvents sends", () => {
    expect(isQueuedEvent(queuedEvent({ id: "a", eventTime: NOW_S - 60 }))).toBe(true);
    expect(
      readQueuedEvent(queuedEvent({ id: "a", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }))?.destination,
    ).toBe("eu");
  });

  it("reads a message from before destinations (v1) as the default destination's", () => {
    const { v: _v, destination: _d, ...rest } = queuedEvent({ id: "a", eventTime: NOW_S - 60 });
    expect(readQueuedEvent({ ...rest, v: 1 })).toEqual({ ...rest, v: 2, destination: "default" });
  });

  it.each([
    ["null", null],
    ["a string", "x"],
    ["a future version", { ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }), v: 3 }],
    ["v2 without a destination", { ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }), destination: "" }],
    ["no pixel", { ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }), pixelId: "" }],
    ["an event_id that differs", { ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }), eventId: "b" }],
    [
      "no user_data",
      { ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }), event: { ...serverEvent("a"), user_data: null } },
    ],
    [
      "event_time as text",
      { ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }), event: { ...serverEvent("a"), event_time: "1764100000" } },
    ],
  ])("refuses %s", (_, body) => {
    expect(isQueuedEvent(body)).toBe(false);
  });
});

describe("isRedrive / claimedCopy", () => {
  it("marks a re-drive by its replays, and a copy the relay re-sends keeps it but drops its claim", () => {
    const message = {
      ...queuedEvent({ id: "a", eventTime: NOW_S - 60 }),
      unclaimed: true as const,
      claim: newClaimId(),
    };
    expect(isRedrive(message)).toBe(false);
    const redriven = { ...claimedCopy(message), replays: 1 };
    expect(isRedrive(redriven)).toBe(true);
    expect(redriven).not.toHaveProperty("claim");
    expect(redriven).not.toHaveProperty("unclaimed");
    expect(isRedrive(claimedCopy(redriven))).toBe(true);
  });
});

describe("newClaimId", () => {
  it("is 32 random hex digits, fit for CLAIM_ID, with no separator that could read as part of a value", () => {
    const ids = Array.from({ length: 50 }, newClaimId);
    for (const id of ids) expect(CLAIM_ID.test(id)).toBe(true);
    expect(new Set(ids).size).toBe(50);
  });
});

describe("isDeadLetterQueue", () => {
  it("knows the DLQ and per-environment copies", () => {
    expect(isDeadLetterQueue("cartful-capi-events-dlq")).toBe(true);
    expect(isDeadLetterQueue("cartful-capi-events-dlq-staging")).toBe(false);
    expect(isDeadLetterQueue("staging-capi-dlq")).toBe(true);
    expect(isDeadLetterQueue("cartful-capi-events")).toBe(false);
  });
});

describe("deadLetterKey", () => {
  it("is the event_id for default, event_id@destination for the others", () => {
    expect(deadLetterKey("default", "cartful.s.1")).toBe("cartful.s.1");
    expect(deadLetterKey("eu", "cartful.s.1")).toBe("cartful.s.1@eu");
  });
});

describe("sendBatches", () => {
  it("cuts runs at 100 messages", () => {
    expect(sendBatches(Array.from({ length: 250 }, (_, i) => i)).map((run) => run.length)).toEqual([100, 100, 50]);
  });

  it("cuts runs before 250 KB, however few messages", () => {
    const big = "x".repeat(90_000);
    const runs = sendBatches([big, big, big, big, big]);
    expect(runs.map((run) => run.length)).toEqual([2, 2, 1]);
    for (const run of runs)
      expect(run.reduce((sum, m) => sum + messageBytes(m), 0)).toBeLessThanOrEqual(SEND_BATCH_BYTES);
  });

  it("keeps order and gives nothing for nothing", () => {
    expect(sendBatches(["a", "b"]).flat()).toEqual(["a", "b"]);
    expect(sendBatches([])).toEqual([]);
    expect(sendBatches(["a"])).toEqual([["a"]]);
  });
});

describe("messageBytes", () => {
  it("counts UTF-8 bytes of the JSON, as the queue does", () => {
    expect(messageBytes("é")).toBe(4); // quotes + two bytes
  });
});

describe("utf8Length", () => {
  it("is the length of an ASCII text", () => {
    expect(utf8Length('{"a":"b"}')).toBe(9);
  });

  it("counts two, three and four bytes beyond ASCII, as TextEncoder does", () => {
    for (const text of ["é", "€", "😀", "aé€😀z", "\u0080", "\uffff"])
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });
});
