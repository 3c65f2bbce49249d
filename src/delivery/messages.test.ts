import { describe, expect, it } from "vitest";
import { queuedEvent, serverEvent as fixtureEvent } from "../../test/queueFixtures";
import { isDeadLetterQueue, isQueuedEvent } from "./messages";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);
const queued = (id: string, pixelId = "111", eventTime = NOW_S - 60) => queuedEvent(id, eventTime, pixelId);

describe("isQueuedEvent", () => {
  it("accepts what enqueueEvent sends", () => {
    expect(isQueuedEvent(queued("a"))).toBe(true);
  });

  it.each([
    ["null", null],
    ["a string", "x"],
    ["another version", { ...queued("a"), v: 2 }],
    ["no pixel", { ...queued("a"), pixelId: "" }],
    ["an event_id that differs", { ...queued("a"), eventId: "b" }],
    ["no user_data", { ...queued("a"), event: { ...serverEvent("a"), user_data: null } }],
    ["event_time as text", { ...queued("a"), event: { ...serverEvent("a"), event_time: "1764100000" } }],
  ])("refuses %s", (_, body) => {
    expect(isQueuedEvent(body)).toBe(false);
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
