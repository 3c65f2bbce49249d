import { describe, expect, it } from "vitest";
import type { GraphFailure } from "../delivery/graph";
import { type Answer, deliveryAnswer, type DestinationOutcome, failureCode } from "./answers";

const EVENT_ID = "cartful.ses_1.1";

/** The answer as the wire sees it: status, Retry-After and body. */
async function wire(answer: Answer) {
  if (!("error" in answer)) return { status: answer.status, retryAfter: null, body: answer.body };
  const res = answer.error.getResponse();
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

const sent: DestinationOutcome = { name: "eu", status: "sent", eventsReceived: 1, attempts: 1, fbtraceId: "T1" };
const refused = (failure: Partial<GraphFailure>): DestinationOutcome => ({
  name: "us",
  status: "failed",
  attempts: 1,
  failure: { ok: false, transient: false, status: 400, message: "Invalid", ...failure } as GraphFailure,
});

describe("deliveryAnswer", () => {
  it("answers a duplicate 202 on the queued path and 200 on the direct one", async () => {
    const duplicate: DestinationOutcome = { name: "default", status: "duplicate" };
    expect(await wire(deliveryAnswer(EVENT_ID, { path: "queued", outcomes: [duplicate] }))).toEqual({
      status: 202,
      retryAfter: null,
      body: { status: "duplicate", event_id: EVENT_ID, destinations: [{ name: "default", status: "duplicate" }] },
    });
    expect((await wire(deliveryAnswer(EVENT_ID, { path: "direct", outcomes: [duplicate] }))).status).toBe(200);
  });

  it("answers an event too large to queue 422 with issues, inside error and beside it, and no destinations", async () => {
    const answer = deliveryAnswer(EVENT_ID, { path: "too_large", message: "The message is 120000 bytes" });
    const issues = [{ path: "", message: "The event built from this webhook is too large to queue" }];
    expect(answer.outcome).toBe("invalid");
    expect(await wire(answer)).toEqual({
      status: 422,
      retryAfter: null,
      body: {
        error: { code: "invalid_webhook", message: "The message is 120000 bytes", issues },
        issues,
        destinations: [],
      },
    });
  });

  it("answers an unavailable queue 503 with Retry-After, listing the settled destinations as they were", async () => {
    const answer = deliveryAnswer(EVENT_ID, {
      path: "queue_unavailable",
      names: ["eu", "dry", "off"],
      settled: [
        { name: "dry", status: "dry_run", cause: "no_token" },
        { name: "off", status: "skipped", reason: "consent_denied" },
      ],
    });
    expect(answer.outcome).toBe("enqueue_failed");
    expect(await wire(answer)).toEqual({
      status: 503,
      retryAfter: "30",
      body: {
        error: {
          code: "queue_unavailable",
          message: "The event could not be queued; redeliver later",
          event_id: EVENT_ID,
        },
        destinations: [
          { name: "eu", status: "failed", error: "queue_unavailable" },
          { name: "dry", status: "dry_run" },
          { name: "off", status: "skipped" },
        ],
      },
    });
  });

  it("answers Meta's refusal of the event 422, naming the destination when there are several", async () => {
    const answer = deliveryAnswer(EVENT_ID, {
      path: "direct",
      outcomes: [sent, refused({ code: 100, subcode: 2804003, fbtraceId: "T2" })],
    });
    expect(answer.outcome).toBe("meta_rejected_event");
    expect(answer.meta).toEqual({ fbtrace_id: "T2", meta_code: 100, meta_subcode: 2804003, attempts: 1 });
    const { status, retryAfter, body } = await wire(answer);
    expect(status).toBe(422);
    expect(retryAfter).toBeNull();
    expect(body).toMatchObject({
      error: { code: "meta_rejected_event", event_id: EVENT_ID, destination: "us", fbtrace_id: "T2" },
      destinations: [
        { name: "eu", status: "sent" },
        { name: "us", status: "failed", error: "meta_rejected_event" },
      ],
    });
  });

  it("answers a transient failure 503 with Meta's Retry-After, bounded", async () => {
    const answer = deliveryAnswer(EVENT_ID, {
      path: "direct",
      outcomes: [refused({ transient: true, status: 503, code: 2, retryAfterMs: 1e26 })],
    });
    expect(await wire(answer)).toMatchObject({ status: 503, retryAfter: "300" });
  });

  it("answers a delivery in progress 503 with the longest wait asked", async () => {
    const answer = deliveryAnswer(EVENT_ID, {
      path: "queued",
      outcomes: [
        { name: "eu", status: "in_flight", retryAfterSeconds: 12 },
        { name: "us", status: "in_flight", retryAfterSeconds: 40 },
      ],
    });
    expect(await wire(answer)).toMatchObject({
      status: 503,
      retryAfter: "40",
      body: { error: { code: "delivery_in_progress", event_id: EVENT_ID } },
    });
  });
});

describe("failureCode", () => {
  it("words Meta's refusal of our configuration, of the event, and a transient failure", () => {
    expect(failureCode({ ok: false, transient: false, status: 400, code: 190, message: "token" })).toBe(
      "meta_rejected_configuration",
    );
    expect(failureCode({ ok: false, transient: false, status: 400, code: 100, message: "param" })).toBe(
      "meta_rejected_event",
    );
    expect(failureCode({ ok: false, transient: true, status: 503, code: 2, message: "later" })).toBe(
      "meta_unavailable",
    );
  });
});
