/**
 * The consumer's delivery policy, pure: how long a message waits before its next delivery, which
 * of Meta's refusals are about our configuration, when Meta is throttling us, how messages become
 * Conversions API requests, and the fate of each message after an answer, including the isolation
 * of one rejected event by bisection. No I/O of its own: `settle` is handed the `post` to call.
 */
import { MAX_EVENTS_PER_REQUEST, type ServerEvent } from "../transform/capi";
import { isTooOld, STALE_MARGIN_MS } from "../transform/transformWebhook";
import type { GraphFailure, GraphOutcome } from "./graph";
import type { DeadLetter, DeadLetterReason, QueuedEvent } from "./messages";
import { backoffDelay, type RetryPolicy } from "./retry";

/**
 * Deliveries after the first before a message is dead-lettered. Must equal `max_retries` of the
 * consumer in wrangler.jsonc (a test checks): on the last delivery the consumer dead-letters a
 * transient failure itself, with its reason, instead of letting Cloudflare move it silently.
 */
export const QUEUE_MAX_RETRIES = 20;

/**
 * Backoff between deliveries of one message, used with "equal jitter" (a wait in the upper half
 * of each doubling window, so it never shrinks): 15–30 s, 30–60 s, … up to 15–30 min. With
 * {@link QUEUE_MAX_RETRIES} that spans 3.8 to 7.5 hours: Meta may be down for an hour or two.
 */
export const QUEUE_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: QUEUE_MAX_RETRIES + 1,
  baseDelayMs: 30_000,
  maxDelayMs: 1_800_000,
  deadlineMs: 7 * 24 * 3_600_000,
});

/**
 * Per-request timeout of the consumer. Longer than the webhook path's 1.5 s: nobody waits on the
 * answer here, and every timeout that hides a success costs a duplicate send.
 */
export const QUEUE_TIMEOUT_MS = 10_000;

/** Wait of every message while the relay's settings are unusable (10 min; × max_retries = 3.3 h to fix them). */
export const MISCONFIGURED_DELAY_SECONDS = 600;

/** Cloudflare's cap on `delaySeconds` (12 hours). */
export const MAX_DELAY_SECONDS = 43_200;

/** What happens to one message after this delivery. */
export type Fate =
  | { kind: "sent"; fbtraceId?: string; batchSize: number }
  | { kind: "retry"; delaySeconds: number; failure: GraphFailure }
  | { kind: "dead_letter"; reason: DeadLetterReason; failure?: GraphFailure };

/** The consumer's knobs. */
export interface DeliveryPolicy {
  /** = wrangler.jsonc `max_retries`. */
  maxRetries: number;
  retry: RetryPolicy;
}

export const QUEUE_DELIVERY_POLICY: DeliveryPolicy = Object.freeze({
  maxRetries: QUEUE_MAX_RETRIES,
  retry: QUEUE_RETRY_POLICY,
});

/**
 * Whether an event is (or within {@link STALE_MARGIN_MS} will be) older than Meta accepts.
 * Such an event is never sent: Meta would reject the whole request it rides in.
 *
 * @param now ms
 * @example
 * ```ts
 * isStale({ ...event, event_time: Math.floor(Date.now() / 1000) - 8 * 86_400 }, Date.now()); // true
 * ```
 */
export function isStale(event: ServerEvent, now: number): boolean {
  return isTooOld(event.event_time * 1000, now + STALE_MARGIN_MS);
}

/**
 * Splits messages into Conversions API requests: per pixel, in arrival order, at most
 * {@link MAX_EVENTS_PER_REQUEST} events each.
 *
 * @example
 * ```ts
 * groupRequests(messages, (m) => m.body.pixelId);
 * // [{ pixelId: "111", items: [m1, m3] }, { pixelId: "222", items: [m2] }]
 * ```
 */
export function groupRequests<M>(
  items: readonly M[],
  pixelOf: (item: M) => string,
  limit: number = MAX_EVENTS_PER_REQUEST,
): { pixelId: string; items: M[] }[] {
  const perPixel = new Map<string, M[]>();
  for (const item of items) {
    const pixelId = pixelOf(item);
    const list = perPixel.get(pixelId);
    if (list) list.push(item);
    else perPixel.set(pixelId, [item]);
  }
  const requests: { pixelId: string; items: M[] }[] = [];
  for (const [pixelId, list] of perPixel) {
    for (let start = 0; start < list.length; start += limit) {
      requests.push({ pixelId, items: list.slice(start, start + limit) });
    }
  }
  return requests;
}

/**
 * Whether Meta refused our setup rather than an event: token (190), permissions (10,
 * 200–299), dead API version (2635), or HTTP 401/403/404 without a code. Every event would be
 * refused alike, so isolating one is pointless.
 *
 * @example
 * ```ts
 * isConfigurationFailure({ ok: false, transient: false, status: 400, code: 190, message: "Invalid OAuth access token" }); // true
 * ```
 */
export function isConfigurationFailure(failure: GraphFailure): boolean {
  const code = failure.code;
  if (code !== undefined) return code === 190 || code === 10 || (code >= 200 && code <= 299) || code === 2635;
  return failure.status === 401 || failure.status === 403 || failure.status === 404;
}

/**
 * Whether the failure is Meta throttling us (HTTP 429, a `Retry-After`, or codes 4, 17, 32,
 * 613, 80000–80014): then the rest of the batch for that pixel waits instead of being sent.
 *
 * @example
 * ```ts
 * isThrottle({ ok: false, transient: true, status: 400, code: 17, message: "User request limit reached" }); // true
 * ```
 */
export function isThrottle(failure: GraphFailure): boolean {
  const code = failure.code;
  return (
    failure.transient &&
    (failure.status === 429 ||
      failure.retryAfterMs !== undefined ||
      (code !== undefined && (code === 4 || code === 17 || code === 32 || code === 613 || (code >= 80000 && code <= 80014))))
  );
}

/**
 * Seconds to wait before the next delivery of a message delivered `attempts` times: the queue's
 * backoff with equal jitter, at least Meta's `Retry-After`, at most Cloudflare's 12 h.
 *
 * @example
 * ```ts
 * retryDelaySeconds(1, QUEUE_DELIVERY_POLICY, () => 0);        // 15
 * retryDelaySeconds(1, QUEUE_DELIVERY_POLICY, () => 0, 60_000); // 60
 * ```
 */
export function retryDelaySeconds(
  attempts: number,
  policy: DeliveryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ms = backoffDelay(attempts, policy.retry, () => 0.5 + random() / 2, retryAfterMs);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(ms / 1000)));
}

/**
 * The fate of a message (delivered `attempts` times) whose request failed: retry a transient
 * failure with a growing delay, or dead-letter it on its last allowed delivery; dead-letter a
 * permanent one. Event-level rejections in a request of several are isolated by {@link settle}
 * before this is asked.
 *
 * @example
 * ```ts
 * failureFate({ ok: false, transient: true, status: 503, message: "down" }, 1, QUEUE_DELIVERY_POLICY, Math.random);
 * // { kind: "retry", delaySeconds: 15…30, failure }
 * ```
 */
export function failureFate(failure: GraphFailure, attempts: number, policy: DeliveryPolicy, random: () => number): Fate {
  if (!failure.transient) {
    return { kind: "dead_letter", reason: isConfigurationFailure(failure) ? "configuration" : "rejected", failure };
  }
  if (attempts > policy.maxRetries) return { kind: "dead_letter", reason: "retries_exhausted", failure };
  return { kind: "retry", delaySeconds: retryDelaySeconds(attempts, policy, random, failure.retryAfterMs), failure };
}

/** A message as the pure core sees it. */
export interface Deliverable {
  attempts: number;
  event: ServerEvent;
}

/**
 * Sends `items` in one request through `post` and settles each one's fate. When Meta rejects a
 * request of several events for an event-level reason (one invalid event sinks the whole
 * request), the request is split in halves and each half sent again, down to the single bad
 * event: good batchmates are delivered, only the bad one is dead-lettered (about 2·log2(n)
 * extra requests per bad event).
 *
 * @example
 * ```ts
 * const fates = await settle(items, (events) => postEvents(target, events, deps), QUEUE_DELIVERY_POLICY, Math.random);
 * fates[i]; // fate of items[i]
 * ```
 */
export async function settle<M extends Deliverable>(
  items: readonly M[],
  post: (events: ServerEvent[]) => Promise<GraphOutcome>,
  policy: DeliveryPolicy,
  random: () => number,
): Promise<Fate[]> {
  if (items.length === 0) return [];
  const outcome = await post(items.map((item) => item.event));
  if (outcome.ok) {
    return items.map(() => ({ kind: "sent", batchSize: items.length, ...(outcome.fbtraceId ? { fbtraceId: outcome.fbtraceId } : {}) }));
  }
  if (!outcome.transient && !isConfigurationFailure(outcome) && items.length > 1) {
    const middle = Math.ceil(items.length / 2);
    const first = await settle(items.slice(0, middle), post, policy, random);
    const second = await settle(items.slice(middle), post, policy, random);
    return [...first, ...second];
  }
  return items.map((item) => failureFate(outcome, item.attempts, policy, random));
}

/**
 * Wraps `post` so that once Meta throttles us, later requests are not made but answered with
 * that throttle (their messages wait like the throttled ones instead of earning more throttles).
 *
 * @example
 * ```ts
 * const guarded = throttleGuard((events) => postEvents(target, events, deps));
 * ```
 */
export function throttleGuard(
  post: (events: ServerEvent[]) => Promise<GraphOutcome>,
): (events: ServerEvent[]) => Promise<GraphOutcome> {
  let throttled: GraphFailure | undefined;
  return async (events) => {
    if (throttled) return throttled;
    const outcome = await post(events);
    if (!outcome.ok && isThrottle(outcome)) throttled = { ...outcome, message: `not sent: ${outcome.message}` };
    return outcome;
  };
}

/**
 * The dead-letter record of a message.
 *
 * @param now ms
 * @example
 * ```ts
 * deadLetterOf(message, body, { kind: "dead_letter", reason: "stale" }, Date.now()).key; // body.eventId
 * ```
 */
export function deadLetterOf(
  message: { id: string; attempts: number },
  body: QueuedEvent | null,
  fate: Extract<Fate, { kind: "dead_letter" }>,
  now: number,
): DeadLetter {
  const failure = fate.failure;
  const detail =
    fate.reason === "stale"
      ? "event_time is past Meta's 7-day window"
      : fate.reason === "malformed"
        ? "message body is not a queued event"
        : (failure?.userMessage ?? failure?.message ?? fate.reason);
  return {
    v: 1,
    kind: "dead_letter",
    key: body ? body.eventId : `message:${message.id}`,
    message: body,
    reason: fate.reason,
    detail: detail.slice(0, 500),
    ...(failure?.status !== undefined ? { status: failure.status } : {}),
    ...(failure?.code !== undefined ? { code: failure.code } : {}),
    ...(failure?.subcode !== undefined ? { subcode: failure.subcode } : {}),
    ...(failure?.fbtraceId ? { fbtraceId: failure.fbtraceId } : {}),
    attempts: message.attempts,
    deadLetteredAt: now,
  };
}
