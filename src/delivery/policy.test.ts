import { describe, expect, it, vi } from "vitest";
import { serverEvent as fixtureEvent, queuedEvent } from "../../test/queueFixtures";
import { INTAKE_MARGIN_MS } from "../transform/transformWebhook";
import { MAX_EVENTS_PER_REQUEST } from "../transform/capi";
import type { GraphFailure } from "./graph";
import {
  type DeliveryPolicy,
  deadLetterOf,
  failureFate,
  groupRequests,
  isStale,
  isThrottle,
  DELIVERY_MARGIN_MS,
  MAX_DELAY_SECONDS,
  PROBE_FIRST_DELAY_MS,
  PROBE_MAX_DELAY_MS,
  probeDelayMs,
  QUEUE_DELIVERY_POLICY,
  QUEUE_MAX_RETRIES,
  retryDelaySeconds,
  throttleGuard,
} from "./policy";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);
const DAY = 86_400;

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);

const fail = (overrides: Partial<GraphFailure> = {}): GraphFailure => ({
  ok: false,
  transient: true,
  status: 503,
  message: "Service unavailable",
  ...overrides,
});
const poisoned = (overrides: Partial<GraphFailure> = {}) =>
  fail({
    transient: false,
    status: 400,
    code: 100,
    subcode: 2804003,
    message: "Invalid parameter",
    fbtraceId: "TRACE-BAD",
    ...overrides,
  });

describe("isStale", () => {
  it("accepts an event well inside Meta's 7 days", () => {
    expect(isStale(serverEvent("a", NOW_S - 6 * DAY), NOW)).toBe(false);
  });

  it("refuses an event that would pass 7 days within the safety margin", () => {
    expect(isStale(serverEvent("a", NOW_S - 7 * DAY + 60), NOW)).toBe(true);
  });

  it("refuses an event older than 7 days", () => {
    expect(isStale(serverEvent("a", NOW_S - 8 * DAY), NOW)).toBe(true);
  });

  it("never calls stale, for most of an hour, an event intake accepted at the very edge of its margin", () => {
    // Intake refuses what is within INTAKE_MARGIN_MS (an hour) of Meta's 7 days; event_time is
    // rounded down to the second, which makes the event look up to a second older here.
    const acceptedAt = NOW;
    const occurredAtMs = acceptedAt - 7 * DAY * 1000 + INTAKE_MARGIN_MS + 1; // the oldest intake takes
    const event = serverEvent("edge", Math.floor(occurredAtMs / 1000));
    expect(isStale(event, acceptedAt)).toBe(false);
    expect(isStale(event, acceptedAt + INTAKE_MARGIN_MS - DELIVERY_MARGIN_MS - 2000)).toBe(false);
    expect(isStale(event, acceptedAt + INTAKE_MARGIN_MS - DELIVERY_MARGIN_MS + 1000)).toBe(true);
    expect(INTAKE_MARGIN_MS - DELIVERY_MARGIN_MS).toBeGreaterThanOrEqual(50 * 60_000);
  });
});

describe("groupRequests", () => {
  it("groups per pixel, keeping arrival order", () => {
    const items = [
      queuedEvent({ id: "a", eventTime: NOW_S - 60, pixelId: "1" }),
      queuedEvent({ id: "b", eventTime: NOW_S - 60, pixelId: "2" }),
      queuedEvent({ id: "c", eventTime: NOW_S - 60, pixelId: "1" }),
    ];
    expect(groupRequests(items, (m) => m.pixelId).map((r) => [r.pixelId, r.items.map((m) => m.eventId)])).toEqual([
      ["1", ["a", "c"]],
      ["2", ["b"]],
    ]);
  });

  it("caps a request at Meta's 1,000 events", () => {
    const items = Array.from({ length: 2500 }, (_, i) => i);
    expect(groupRequests(items, () => "1").map((r) => r.items.length)).toEqual([MAX_EVENTS_PER_REQUEST, 1000, 500]);
  });

  it("honours a smaller limit and an empty input", () => {
    expect(groupRequests([1, 2, 3], () => "p", 2).map((r) => r.items)).toEqual([[1, 2], [3]]);
    expect(groupRequests([], () => "p")).toEqual([]);
  });
});

describe("isThrottle", () => {
  it.each([
    ["HTTP 429", fail({ status: 429 })],
    ["code 17", fail({ status: 400, code: 17 })],
    ["code 613", fail({ status: 400, code: 613 })],
    ["code 4", fail({ status: 400, code: 4 })],
    ["code 80004", fail({ status: 400, code: 80004 })],
    ["a Retry-After", fail({ status: 503, retryAfterMs: 5000 })],
  ])("%s is a throttle", (_, failure) => {
    expect(isThrottle(failure)).toBe(true);
  });

  it("a 503, a timeout and a permanent error are not", () => {
    expect(isThrottle(fail())).toBe(false);
    expect(isThrottle(fail({ status: undefined, message: "did not answer" }))).toBe(false);
    expect(isThrottle(poisoned())).toBe(false);
  });
});

describe("retryDelaySeconds", () => {
  it("grows with the attempts, never below half of each window", () => {
    const low = [1, 2, 3, 4, 5, 6].map((a) => retryDelaySeconds(a, QUEUE_DELIVERY_POLICY, () => 0));
    expect(low).toEqual([10, 20, 40, 80, 120, 120]);
    const high = [1, 2, 3].map((a) => retryDelaySeconds(a, QUEUE_DELIVERY_POLICY, () => 0.999999));
    expect(high).toEqual([20, 40, 80]);
  });

  it("stops growing at the 4-minute cap", () => {
    expect(retryDelaySeconds(15, QUEUE_DELIVERY_POLICY, () => 0.999999)).toBe(240);
  });

  it("waits at least what Retry-After asks", () => {
    expect(retryDelaySeconds(1, QUEUE_DELIVERY_POLICY, () => 0, 120_000)).toBe(120);
  });

  it("never asks Cloudflare for more than 12 hours", () => {
    expect(retryDelaySeconds(1, QUEUE_DELIVERY_POLICY, () => 0, 90_000_000)).toBe(MAX_DELAY_SECONDS);
  });
});

describe("failureFate", () => {
  it("retries a transient failure with a delay", () => {
    expect(failureFate(fail(), 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({ kind: "retry", delaySeconds: 10 });
  });

  it("still retries on the last retry, dead-letters after it", () => {
    expect(failureFate(fail(), QUEUE_MAX_RETRIES, QUEUE_DELIVERY_POLICY, () => 0).kind).toBe("retry");
    expect(failureFate(fail(), QUEUE_MAX_RETRIES + 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({
      kind: "dead_letter",
      reason: "retries_exhausted",
    });
  });

  it("dead-letters an event Meta refused, at once", () => {
    expect(failureFate(poisoned(), 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({
      kind: "dead_letter",
      reason: "rejected",
    });
  });

  it.each([
    ["a revoked token", { code: 190 }],
    ["a wrong pixel", { code: 100, subcode: 33 }],
    ["a missing permission", { code: 200, status: 403 }],
    ["a dead version", { code: 2635 }],
    ["a permanent 4xx with no code", { status: 401 }],
  ])("holds the event when Meta refuses the configuration (%s), whatever the attempt", (_what, overrides) => {
    for (const attempts of [1, QUEUE_MAX_RETRIES + 1]) {
      expect(
        failureFate(fail({ transient: false, status: 400, ...overrides }), attempts, QUEUE_DELIVERY_POLICY, () => 0),
      ).toMatchObject({ kind: "hold" });
    }
  });
});

describe("throttleGuard", () => {
  it("stops sending after a throttle and answers with it", async () => {
    const post = vi.fn(async () => fail({ status: 429, code: 613, retryAfterMs: 30_000 }));
    const guarded = throttleGuard(post);
    await guarded([serverEvent("a")]);
    const second = await guarded([serverEvent("b")]);
    expect(post).toHaveBeenCalledTimes(1);
    expect(second).toMatchObject({ ok: false, transient: true, code: 613, retryAfterMs: 30_000 });
  });

  it("keeps sending after other failures", async () => {
    const post = vi.fn(async () => fail());
    const guarded = throttleGuard(post);
    await guarded([serverEvent("a")]);
    await guarded([serverEvent("b")]);
    expect(post).toHaveBeenCalledTimes(2);
  });
});

describe("deadLetterOf", () => {
  it("keeps the message, reason, Meta's code and trace id", () => {
    const letter = deadLetterOf(
      { id: "m1", attempts: 3 },
      queuedEvent({ id: "a", eventTime: NOW_S - 60 }),
      { kind: "dead_letter", reason: "rejected", failure: poisoned({ userMessage: "Bad em" }) },
      NOW,
    );
    expect(letter).toMatchObject({
      key: "a",
      reason: "rejected",
      detail: "Bad em",
      status: 400,
      code: 100,
      subcode: 2804003,
      fbtraceId: "TRACE-BAD",
      attempts: 3,
      deadLetteredAt: NOW,
    });
    expect(letter.message?.event.event_id).toBe("a");
  });

  it("keys another destination's letter by event_id@destination", () => {
    const letter = deadLetterOf(
      { id: "m1", attempts: 1 },
      queuedEvent({ id: "a", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
      { kind: "dead_letter", reason: "stale" },
      NOW,
    );
    expect(letter.key).toBe("a@eu");
  });

  it("keys a malformed message by its queue message id", () => {
    expect(
      deadLetterOf({ id: "m9", attempts: 1 }, null, { kind: "dead_letter", reason: "malformed" }, NOW),
    ).toMatchObject({ key: "message:m9", message: null });
  });

  it("bounds Meta's text", () => {
    const letter = deadLetterOf(
      { id: "m1", attempts: 1 },
      queuedEvent({ id: "a", eventTime: NOW_S - 60 }),
      { kind: "dead_letter", reason: "rejected", failure: poisoned({ message: "x".repeat(2000) }) },
      NOW,
    );
    expect(letter.detail).toHaveLength(500);
  });
});

describe("policy", () => {
  it("the custom DeliveryPolicy is honoured", () => {
    const tiny: DeliveryPolicy = {
      maxRetries: 2,
      retry: { maxAttempts: 3, baseDelayMs: 2000, maxDelayMs: 4000, deadlineMs: 60_000 },
      splitRetries: { attempts: 2, delayMs: 1_000 },
    };
    expect(failureFate(fail(), 3, tiny, () => 0).kind).toBe("dead_letter");
    expect(failureFate(fail(), 2, tiny, () => 0)).toMatchObject({ kind: "retry", delaySeconds: 2 });
  });
});

describe("probeDelayMs", () => {
  it("probes a held destination after 30 s, then at doubling waits up to 10 minutes", () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(probeDelayMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000,
    ]);
    expect(probeDelayMs(0)).toBe(PROBE_FIRST_DELAY_MS);
    expect(probeDelayMs(1000)).toBe(PROBE_MAX_DELAY_MS);
  });
});
