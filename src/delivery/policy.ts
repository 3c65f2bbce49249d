/**
 * The consumer's delivery policy, pure: how long a message waits before its next delivery, which
 * of Meta's refusals are about our configuration, when Meta is throttling us, how messages become
 * Conversions API requests, and the fate of each message after an answer (./split isolates an
 * event Meta refuses within a request). No I/O of its own.
 */
import { MAX_EVENTS_PER_REQUEST, type ServerEvent } from "../transform/capi";
import { isTooOld } from "../transform/transformWebhook";
import { failureScope, type GraphFailure, type GraphOutcome } from "./graph";
import { metaErrorOf, refusalCodes } from "./metaErrors";
import { type DeadLetter, type DeadLetterReason, deadLetterKey, type QueuedEvent } from "./messages";
import { backoffDelay, type RetryPolicy } from "./retry";

/**
 * Deliveries after the first before a message is dead-lettered. Must equal `max_retries` of the
 * consumer in wrangler.jsonc (a test checks): on the last delivery the consumer dead-letters a
 * transient failure itself, with its reason, instead of letting Cloudflare move it silently.
 * With {@link QUEUE_RETRY_POLICY}'s waits, 30 retries span 55 to 110 minutes: a sustained outage is
 * taken by the destination's circuit (`meta_unavailable`, after {@link OUTAGE_MIN_FAILED_REQUESTS}
 * failed requests over {@link OUTAGE_MIN_MS}: minutes) well before a message runs out.
 */
export const QUEUE_MAX_RETRIES = 30;

/**
 * Backoff between deliveries of one message, used with "equal jitter" (a wait in the upper half
 * of each doubling window, so it never shrinks): 10–20 s, 20–40 s, 40–80 s, 80–160 s, then
 * 2–4 min. Short on purpose: independent faults (a third of requests failing) must not punish one
 * unlucky message with half-hour waits; a long outage is the circuit's to hold and probe.
 */
export const QUEUE_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: QUEUE_MAX_RETRIES + 1,
  baseDelayMs: 20_000,
  maxDelayMs: 240_000,
  deadlineMs: 7 * 24 * 3_600_000,
});

/**
 * A destination's circuit opens for a sustained transient outage (`meta_unavailable`) once Meta
 * failed this many of its requests in a row (none accepted between, throttles not counted)…
 */
export const OUTAGE_MIN_FAILED_REQUESTS = 8;
/**
 * …over at least this long: two minutes of nothing getting through. Independent faults at a third
 * of requests make 8 failures in a row a 1-in-6,561 run, and two minutes of them never happen
 * while traffic flows; an outage opens it within minutes, before any message runs out of retries.
 */
export const OUTAGE_MIN_MS = 2 * 60_000;

/**
 * Per-request timeout of the consumer. Longer than the webhook path's 1.5 s: nobody waits on the
 * answer here, and every timeout that hides a success costs a duplicate send.
 */
export const QUEUE_TIMEOUT_MS = 10_000;

/**
 * Wait of a message that should be held (see ./circuit) when the place that holds events cannot
 * be reached: 10 minutes a time, then it is offered again.
 */
export const HOLD_FALLBACK_DELAY_SECONDS = 600;

/** Cloudflare's cap on `delaySeconds` (12 hours; some of its pages say 24). */
export const MAX_DELAY_SECONDS = 43_200;

/**
 * How close to Meta's 7-day limit the delivery still sends an event: one that would cross it
 * within this margin is dead-lettered unsent, since it would sink its whole request. Intake keeps
 * a larger margin (`INTAKE_MARGIN_MS`, an hour), so what intake accepts is not stale here.
 */
export const DELIVERY_MARGIN_MS = 5 * 60_000;

/** What happens to one message after this delivery. */
export type Fate =
  | { kind: "sent"; fbtraceId?: string; batchSize: number; versionWarning?: string }
  | { kind: "retry"; delaySeconds: number; failure: GraphFailure }
  /** Meta refused the destination's configuration: keep the event until it is fixed (./circuit). */
  | { kind: "hold"; failure: GraphFailure }
  | { kind: "dead_letter"; reason: DeadLetterReason; failure?: GraphFailure };

/** The consumer's knobs. */
export interface DeliveryPolicy {
  /** = wrangler.jsonc `max_retries`. */
  maxRetries: number;
  retry: RetryPolicy;
  /**
   * While a refused request is being split (./split `settle`), a half that fails transiently (not
   * a throttle) is sent again in place this many times, `delayMs` apart and doubling, instead of
   * waiting for the message's next delivery: Meta has just answered, and a next delivery would
   * start the split again from a whole new batch.
   */
  splitRetries: { attempts: number; delayMs: number };
}

export const QUEUE_DELIVERY_POLICY: DeliveryPolicy = Object.freeze({
  maxRetries: QUEUE_MAX_RETRIES,
  retry: QUEUE_RETRY_POLICY,
  splitRetries: Object.freeze({ attempts: 2, delayMs: 1_000 }),
});

/**
 * Whether an event is (or within {@link DELIVERY_MARGIN_MS} will be) older than Meta accepts.
 * Such an event is never sent: Meta would reject the whole request it rides in.
 *
 * @param now ms
 * @example
 * ```ts
 * isStale({ ...event, event_time: Math.floor(Date.now() / 1000) - 8 * 86_400 }, Date.now()); // true
 * ```
 */
export function isStale(event: ServerEvent, now: number): boolean {
  return isTooOld(event.event_time * 1000, now + DELIVERY_MARGIN_MS);
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
 * Whether the failure is Meta throttling us (HTTP 429, a `Retry-After`, or a code ./metaErrors
 * calls a throttle: 4, 17, 32, 341, 613, 80000–80014): then the rest of the batch for that pixel
 * waits instead of being sent.
 *
 * @example
 * ```ts
 * isThrottle({ ok: false, transient: true, status: 400, code: 17, message: "User request limit reached" }); // true
 * ```
 */
export function isThrottle(
  failure: Pick<GraphFailure, "transient" | "status" | "code" | "subcode" | "retryAfterMs">,
): boolean {
  return (
    failure.transient &&
    (failure.status === 429 ||
      failure.retryAfterMs !== undefined ||
      metaErrorOf(failure.code, failure.subcode)?.throttle === true)
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
 * failure with a growing delay, or dead-letter it on its last allowed delivery; hold it while
 * Meta refuses the destination's configuration; dead-letter an event Meta refused. Event-level
 * rejections in a request of several are isolated by ./split `settle` before this is asked.
 *
 * @example
 * ```ts
 * failureFate({ ok: false, transient: true, status: 503, message: "down" }, 1, QUEUE_DELIVERY_POLICY, Math.random);
 * // { kind: "retry", delaySeconds: 15…30, failure }
 * ```
 */
export function failureFate(
  failure: GraphFailure,
  attempts: number,
  policy: DeliveryPolicy,
  random: () => number,
): Fate {
  const scope = failureScope(failure);
  if (scope === "configuration") return { kind: "hold", failure };
  if (scope === "event") return { kind: "dead_letter", reason: "rejected", failure };
  if (attempts > policy.maxRetries) return { kind: "dead_letter", reason: "retries_exhausted", failure };
  return { kind: "retry", delaySeconds: retryDelaySeconds(attempts, policy, random, failure.retryAfterMs), failure };
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
 * deadLetterOf(message, body, { kind: "dead_letter", reason: "stale" }, Date.now()).key; // "cartful.ses_1.1@eu"
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
    key: body ? deadLetterKey(body.destination, body.eventId) : `message:${message.id}`,
    message: body,
    reason: fate.reason,
    detail: detail.slice(0, 500),
    ...(failure ? refusalCodes(failure) : {}),
    attempts: message.attempts,
    deadLetteredAt: now,
  };
}

/** First wait before a held destination is probed again, and the longest (the wait doubles). */
export const PROBE_FIRST_DELAY_MS = 30_000;
export const PROBE_MAX_DELAY_MS = 10 * 60_000;

/**
 * How long to wait before probing a held destination again, after `probes` failed probes:
 * 30 s, 1 min, 2 min, … at most 10 min, so a fixed token is noticed within minutes while a
 * week-long misconfiguration costs a few hundred requests.
 *
 * @example
 * ```ts
 * probeDelayMs(0); // 30000
 * probeDelayMs(9); // 600000
 * ```
 */
export function probeDelayMs(probes: number): number {
  return Math.min(PROBE_MAX_DELAY_MS, PROBE_FIRST_DELAY_MS * 2 ** Math.max(0, Math.min(probes, 20)));
}
