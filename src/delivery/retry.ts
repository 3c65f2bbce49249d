/**
 * Retrying a Conversions API request while the webhook sender waits for our answer:
 * exponential backoff with full jitter, `Retry-After` honoured, a hard deadline.
 *
 * The queue consumer reuses {@link isTransient} and {@link backoffDelay} (with its own policy)
 * to decide between `retry({ delaySeconds })` and giving up.
 */
import type { Runtime } from "../core/runtime";
import type { ServerEvent } from "../transform/capi";
import type { GraphTarget } from "../config/settings";
import { DEFAULT_TIMEOUT_MS, postEvents, type GraphOutcome } from "./graph";

/**
 * How hard {@link deliver} (or a queue consumer, through {@link backoffDelay}) tries.
 *
 * @example
 * ```ts
 * const patient: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 300_000, deadlineMs: 86_400_000 };
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Cap of the first backoff window; each later window doubles. */
  baseDelayMs: number;
  /** Cap of any backoff window (not of `Retry-After`, see {@link backoffDelay}). */
  maxDelayMs: number;
  /** Time from the first attempt by which the last attempt must have ended (or timed out). */
  deadlineMs: number;
}

/**
 * For a synchronous webhook answer. Worst case, every attempt runs into the 1.5 s timeout:
 * 4 × 1.5 s plus backoff windows of at most 0.2 + 0.4 + 0.8 s is 7.4 s, inside the 8 s deadline,
 * which keeps the answer under the 10–15 s after which webhook senders commonly give up and
 * redeliver. Typical case (Meta answers in < 0.6 s): one attempt. Four attempts ride out a
 * brief blip or a throttle of a second or two; longer outages are the sender's (or the queue's)
 * redelivery to handle, and Meta deduplicates redeliveries by `event_id`.
 *
 * @example
 * ```ts
 * await deliver(target, [event], deps, { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 });
 * ```
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  deadlineMs: 8000,
});

/**
 * Whether an outcome is worth trying again later (a failure Meta or the network calls transient).
 *
 * @example
 * ```ts
 * if (isTransient(outcome)) message.retry({ delaySeconds: 30 }); else message.ack();
 * ```
 */
export function isTransient(outcome: GraphOutcome): boolean {
  return !outcome.ok && outcome.transient;
}

/**
 * The wait in ms before the attempt after `attempt` (1-based: `attempt` 1 is the wait after the
 * first try). Full jitter: uniform in `[0, min(maxDelayMs, baseDelayMs × 2^(attempt-1)))`.
 * `Retry-After` is a floor and is not capped by `maxDelayMs`: Meta asked us not to come back
 * sooner, and coming back sooner only earns another throttle. Whether a long wait still fits is
 * the caller's call ({@link deliver} stops when it would pass the deadline; a queue consumer may
 * turn it into `delaySeconds`).
 *
 * @param random uniform in [0, 1), e.g. `Math.random`
 * @example
 * ```ts
 * backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0.5);        // 100
 * backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0.5);        // 400
 * backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0.5, 3000);  // 3000
 * ```
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jittered = Math.floor(Math.min(Math.max(random(), 0), 1) * window);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * What {@link deliver} needs from the outside world, and its own option.
 *
 * @example
 * ```ts
 * const deps: DeliverDeps = defaultRuntime();
 * const quick: DeliverDeps = { ...defaultRuntime(), timeoutMs: 500 };
 * ```
 */
export interface DeliverDeps extends Pick<Runtime, "fetch" | "now" | "sleep" | "random"> {
  /** Per attempt; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * Sends `events`, retrying transient failures under `policy`. Stops at the first success or
 * permanent failure, after `maxAttempts`, or when the wait plus another full attempt would end
 * after `deadlineMs` from the start (so, with a fetch that honours its abort signal, `deliver`
 * itself never outlasts the deadline). Never throws; answers with the last outcome.
 *
 * @example
 * ```ts
 * const { outcome, attempts } = await deliver(target, [event], {
 *   fetch, now: Date.now, random: Math.random, sleep: (ms) => scheduler.wait(ms),
 * });
 * ```
 */
export async function deliver(
  target: GraphTarget,
  events: ServerEvent[],
  deps: DeliverDeps,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<{ outcome: GraphOutcome; attempts: number }> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const start = deps.now();
  for (let attempts = 1; ; attempts++) {
    const outcome = await postEvents(target, events, { fetch: deps.fetch, timeoutMs, now: deps.now });
    if (!isTransient(outcome) || attempts >= policy.maxAttempts) return { outcome, attempts };
    const delay = backoffDelay(attempts, policy, deps.random, outcome.ok ? undefined : outcome.retryAfterMs);
    if (deps.now() - start + delay + timeoutMs > policy.deadlineMs) return { outcome, attempts };
    await deps.sleep(delay);
  }
}
