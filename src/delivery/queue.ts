/**
 * Durable delivery through Cloudflare Queues: the message format, the producer (idempotent
 * intake, then `send`) and the consumer (`queue()` handler) that turns batches of messages into
 * Conversions API requests and decides each message's fate.
 *
 * Pure core, thin shell: grouping, staleness, the fate of a message after an answer and the
 * isolation of a rejected event are pure functions (tested in queue.test.ts); `enqueueEvent` and
 * `handleQueueBatch` only do the I/O around them. The clock, `fetch`, randomness and the log sink
 * come in as dependencies.
 *
 * Guarantees (see README "Durable delivery"): a message is acked only after Meta accepted its
 * event, or after its event was stored as a dead letter. Cloudflare Queues deliver at least once,
 * so the same event can reach Meta twice (a timeout that hid a success, a lost ack); every copy
 * carries the same `event_id` and Meta keeps one.
 */
import { MAX_EVENTS_PER_REQUEST, type ServerEvent } from "../transform/capi";
import { ConfigError, configFor, type RelayConfig } from "../config/settings";
import type { DeadLetterStore } from "./deadLetterStore";
import { type GraphOutcome, type GraphTarget, postEvents } from "./graph";
import type { IntakeLedger } from "./intakeLedger";
import { type LogFields, type LogSink, logLine } from "../config/log";
import { isTooOld, STALE_MARGIN_MS } from "../transform/transformWebhook";
import { storeDeadLetters } from "./replay";
import { backoffDelay, type RetryPolicy } from "./retry";

/** Re-exported: the queue refuses to send what intake would refuse to take. */
export { STALE_MARGIN_MS };

/** The queue that carries finished events to the consumer (wrangler.toml). */
export const QUEUE_NAME = "cartful-capi-events";
/** Where events end that Meta refused for good, that ran out of retries, or that got too old. */
export const DEAD_LETTER_QUEUE_NAME = "cartful-capi-events-dlq";
/**
 * Deliveries after the first before a message is dead-lettered. Must equal `max_retries` of the
 * consumer in wrangler.toml (a test checks): on the last delivery the consumer dead-letters a
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
/** Durable Object instances the intake ledger is spread over (keyed by Studio `id`). Changing it forgets 48 h of memory. */
export const INTAKE_SHARDS = 16;

/** One queue message: the finished event, user data already hashed, and where it goes. */
export interface QueuedEvent {
  v: 1;
  /** Meta's `event_id` (= `event.event_id`). */
  eventId: string;
  /** Studio's `id` of the webhook that produced the event. */
  studioEventId: string;
  /** The Standard Webhooks `webhook-id` it came with, if any. */
  webhookId?: string;
  /** Dataset / pixel the event is for. */
  pixelId: string;
  /** Exactly what goes into `data[]`: hashed user data, IP and user agent as Meta wants them. */
  event: ServerEvent;
  /** When the relay accepted the webhook (ms). */
  acceptedAt: number;
  /** How many times an operator re-drove it from the dead letters. */
  replays?: number;
}

/** Why an event was dead-lettered. */
export type DeadLetterReason =
  /** Meta refused this event itself (e.g. code 100, invalid parameter). */
  | "rejected"
  /** Meta refused our configuration (token 190, permissions 10/200–299, dead version 2635): replay once fixed. */
  | "configuration"
  /** Transient failures until the last allowed delivery. */
  | "retries_exhausted"
  /** Past Meta's 7-day window (never sent: it would sink its whole request). */
  | "stale"
  /** Moved by Cloudflare after the consumer itself failed on it `max_retries` times. */
  | "handler_failure"
  /** A message body that is not a {@link QueuedEvent} (a bug or a version skew). */
  | "malformed";

/** A dead-letter queue message (and a row of the dead-letter store). */
export interface DeadLetter {
  v: 1;
  kind: "dead_letter";
  /** `eventId`, or `message:<queue message id>` when the body was malformed. */
  key: string;
  /** The original message, for replay; `null` when malformed. */
  message: QueuedEvent | null;
  reason: DeadLetterReason;
  /** Meta's `error_user_msg` or `message`, or what went wrong (never personal data or the token). */
  detail: string;
  status?: number;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
  /** Deliveries of the message so far. */
  attempts: number;
  /** ms */
  deadLetteredAt: number;
}

/** The bindings this module uses (wrangler.toml); all optional, each absence has a documented fallback. */
export interface QueueBindings {
  CAPI_QUEUE?: Queue<QueuedEvent>;
  CAPI_DLQ?: Queue<DeadLetter>;
  INTAKE_LEDGER?: DurableObjectNamespace<IntakeLedger>;
  DEAD_LETTERS?: DurableObjectNamespace<DeadLetterStore>;
}

/** Extra, never-personal fields of this module's log lines. */
export type QueueLogFields = LogFields & { pixel_id?: string; delay_seconds?: number; batch_size?: number; replays?: number };

const consoleSink: LogSink = (line) => console.log(line);

// ---------------------------------------------------------------------------------------------
// Producer

/** What the webhook route hands over once the event is built. */
export interface IntakeRequest {
  event: ServerEvent;
  studioEventId: string;
  webhookId?: string;
  pixelId: string;
}

export type EnqueueResult =
  | { status: "queued"; eventId: string }
  /** Seen within 48 h: already queued, not queued again. `eventId` is the first delivery's. */
  | { status: "duplicate"; eventId: string }
  /** Another delivery of the same webhook is being enqueued right now: answer 503 with Retry-After. */
  | { status: "in_flight"; eventId: string; retryAfterSeconds: number };

/**
 * Queues a finished event once per Studio event: claims its Studio `id` and `webhook-id` in the
 * intake ledger (a Durable Object, strongly consistent), sends the message, then confirms the
 * claim. If `send` throws, the claim is released so the sender's redelivery can go through, and
 * the error is rethrown (answer 503). Without an `INTAKE_LEDGER` binding every call enqueues
 * (Meta still deduplicates by `event_id`). Throws if there is no `CAPI_QUEUE` binding.
 *
 * @param now ms
 * @example
 * ```ts
 * const result = await enqueueEvent(c.env, { event, studioEventId, webhookId, pixelId: config.pixelId }, Date.now());
 * if (result.status === "in_flight") return c.json({ … }, 503, { "retry-after": String(result.retryAfterSeconds) });
 * return c.json({ status: result.status, event_id: result.eventId }, 202);
 * ```
 */
export async function enqueueEvent(
  env: QueueBindings,
  request: IntakeRequest,
  now: number,
  sink: LogSink = consoleSink,
): Promise<EnqueueResult> {
  const queue = env.CAPI_QUEUE;
  if (!queue) throw new Error("CAPI_QUEUE is not bound");
  const eventId = request.event.event_id;
  const message: QueuedEvent = {
    v: 1,
    eventId,
    studioEventId: request.studioEventId,
    ...(request.webhookId ? { webhookId: request.webhookId } : {}),
    pixelId: request.pixelId,
    event: request.event,
    acceptedAt: now,
  };
  const base = { msg: "capi_event", event_id: eventId, studio_event_id: request.studioEventId, pixel_id: request.pixelId };
  const keys = intakeKeys(request.studioEventId, request.webhookId);
  const ledger = env.INTAKE_LEDGER?.get(env.INTAKE_LEDGER.idFromName(intakeShard(request.studioEventId)));

  const claim = ledger ? await ledger.claim(keys, eventId, now) : undefined;
  // The outcomes returned here are the caller's to log (the webhook route writes one line per
  // webhook); this function logs only what the caller cannot see.
  if (claim?.outcome === "duplicate") return { status: "duplicate", eventId: claim.eventId };
  if (claim?.outcome === "in_flight") {
    return { status: "in_flight", eventId, retryAfterSeconds: claim.retryAfterSeconds };
  }
  try {
    await queue.send(message, { contentType: "json" });
  } catch (error) {
    if (ledger && claim) await ledger.release(keys, claim.token).catch(() => undefined);
    throw error;
  }
  if (ledger && claim) {
    // Already queued: a failed confirmation only means a redelivery after the lease may queue a
    // second copy (same event_id, which Meta drops). Not worth failing the webhook over.
    await ledger.confirm(keys, claim.token).catch(() => log(sink, { ...base, level: "warn", outcome: "confirm_failed" }));
  }
  if (!claim) log(sink, { ...base, level: "warn", outcome: "queued", reason: "no_intake_ledger" });
  return { status: "queued", eventId };
}

/**
 * The ledger keys of one webhook delivery: its Studio `id` and, when signed, its `webhook-id`.
 *
 * @example
 * ```ts
 * intakeKeys("evt_1", "msg_9"); // ["id:evt_1", "wh:msg_9"]
 * ```
 */
export function intakeKeys(studioEventId: string, webhookId?: string): string[] {
  return webhookId ? [`id:${studioEventId}`, `wh:${webhookId}`] : [`id:${studioEventId}`];
}

/**
 * The ledger instance that remembers a Studio event: FNV-1a of its `id` over
 * {@link INTAKE_SHARDS}. A redelivery has the same `id` (and the same `webhook-id` goes with the
 * same body), so both of its keys are always checked in one place, atomically.
 *
 * @example
 * ```ts
 * intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X"); // "intake-7" (stable)
 * ```
 */
export function intakeShard(studioEventId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < studioEventId.length; i++) {
    hash ^= studioEventId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `intake-${hash % INTAKE_SHARDS}`;
}

// ---------------------------------------------------------------------------------------------
// Consumer: pure core

/** Failure outcomes of a Graph request. */
export type GraphFailure = Extract<GraphOutcome, { ok: false }>;

/** What happens to one message after this delivery. */
export type Fate =
  | { kind: "sent"; fbtraceId?: string; batchSize: number }
  | { kind: "retry"; delaySeconds: number; failure: GraphFailure }
  | { kind: "dead_letter"; reason: DeadLetterReason; failure?: GraphFailure };

/** The consumer's knobs. */
export interface DeliveryPolicy {
  /** = wrangler.toml `max_retries`. */
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
 * Whether a queue message body is a {@link QueuedEvent} this version can deliver.
 *
 * @example
 * ```ts
 * isQueuedEvent(message.body); // false for `{}` or a message from a future format
 * ```
 */
export function isQueuedEvent(body: unknown): body is QueuedEvent {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Partial<QueuedEvent>;
  const event = m.event as Partial<ServerEvent> | undefined;
  return (
    m.v === 1 &&
    typeof m.eventId === "string" &&
    typeof m.studioEventId === "string" &&
    typeof m.pixelId === "string" &&
    m.pixelId !== "" &&
    typeof event === "object" &&
    event !== null &&
    event.event_id === m.eventId &&
    typeof event.event_name === "string" &&
    typeof event.event_time === "number" &&
    typeof event.user_data === "object" &&
    event.user_data !== null
  );
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

// ---------------------------------------------------------------------------------------------
// Consumer: shell

/** What the consumer needs from the outside world; tests inject fakes. */
export interface ConsumerDeps {
  fetch: typeof fetch;
  /** ms */
  now: () => number;
  random: () => number;
  sink: LogSink;
  timeoutMs: number;
  policy: DeliveryPolicy;
}

/**
 * The Worker's `queue()` handler for both queues. Events queue: per pixel, requests of up to
 * 1,000 events; stale events dead-lettered unsent; each message acked only once Meta accepted
 * its event (or it was dead-lettered), retried with a growing delay on a transient failure.
 * Dry run (no token): logged and acked. Unusable settings: the whole batch waits
 * {@link MISCONFIGURED_DELAY_SECONDS}. Dead-letter queue: stored for inspection and replay (see
 * replay.ts). Never throws for a bad message; throws (so Cloudflare retries the batch) only when
 * the dead-letter store is unbound or unreachable.
 *
 * @example
 * ```ts
 * export default { fetch: app.fetch, queue: (batch, env, ctx) => handleQueueBatch(batch, env, ctx) };
 * ```
 */
export async function handleQueueBatch(
  batch: MessageBatch<unknown>,
  env: QueueBindings & Record<string, unknown>,
  _ctx: ExecutionContext,
  deps: Partial<ConsumerDeps> = {},
): Promise<void> {
  const full: ConsumerDeps = {
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    now: deps.now ?? Date.now,
    random: deps.random ?? Math.random,
    sink: deps.sink ?? consoleSink,
    timeoutMs: deps.timeoutMs ?? QUEUE_TIMEOUT_MS,
    policy: deps.policy ?? QUEUE_DELIVERY_POLICY,
  };
  if (isDeadLetterQueue(batch.queue)) return storeDeadLetters(batch, env, full);
  return deliverBatch(batch, env, full);
}

/**
 * Whether a queue name is a dead-letter queue of this relay: {@link DEAD_LETTER_QUEUE_NAME}, or
 * any name ending in `-dlq` (per-environment copies).
 *
 * @example
 * ```ts
 * isDeadLetterQueue("cartful-capi-events-dlq"); // true
 * ```
 */
export function isDeadLetterQueue(name: string): boolean {
  return name === DEAD_LETTER_QUEUE_NAME || name.endsWith("-dlq");
}

async function deliverBatch(batch: MessageBatch<unknown>, env: QueueBindings & Record<string, unknown>, deps: ConsumerDeps) {
  let config: RelayConfig;
  try {
    config = configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A setting is unusable: nothing can be sent until someone fixes it. Wait long, so that
    // max_retries leaves hours for the fix before Cloudflare dead-letters the messages.
    batch.retryAll({ delaySeconds: MISCONFIGURED_DELAY_SECONDS });
    log(deps.sink, { msg: "capi_event", level: "error", outcome: "misconfigured", reason: error.message, batch_size: batch.messages.length });
    return;
  }
  const now = deps.now();
  const ready: { message: Message<unknown>; body: QueuedEvent; attempts: number; event: ServerEvent }[] = [];
  const endings: Promise<void>[] = [];

  for (const message of batch.messages) {
    const body = message.body;
    if (!isQueuedEvent(body)) {
      endings.push(deadLetter(message, null, { kind: "dead_letter", reason: "malformed" }, env, deps));
    } else if (isStale(body.event, now)) {
      endings.push(deadLetter(message, body, { kind: "dead_letter", reason: "stale" }, env, deps));
    } else if (!config.graph) {
      log(deps.sink, { ...eventFields(body), outcome: "dry_run", dry_run: true, attempts: message.attempts });
      message.ack();
    } else {
      ready.push({ message, body, attempts: message.attempts, event: body.event });
    }
  }

  const graph = config.graph;
  if (graph) {
    // Pixels are independent: one throttled or down does not hold up the others.
    const perPixel = groupRequests(ready, (item) => item.body.pixelId, Number.MAX_SAFE_INTEGER);
    await Promise.all(
      perPixel.map(async ({ pixelId, items }) => {
        const target: GraphTarget = { ...graph, pixelId };
        const post = throttleGuard((events) => postEvents(target, events, { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now }));
        for (const request of groupRequests(items, () => pixelId)) {
          const fates = await settle(request.items, post, deps.policy, deps.random);
          request.items.forEach((item, i) => endings.push(apply(item.message, item.body, fates[i]!, env, deps)));
        }
      }),
    );
  }
  await Promise.all(endings);
}

/** Acts on a fate: ack, retry with delay, or dead-letter then ack. */
async function apply(message: Message<unknown>, body: QueuedEvent, fate: Fate, env: QueueBindings, deps: ConsumerDeps): Promise<void> {
  if (fate.kind === "sent") {
    message.ack();
    log(deps.sink, {
      ...eventFields(body),
      outcome: "sent",
      attempts: message.attempts,
      batch_size: fate.batchSize,
      ...(fate.fbtraceId ? { fbtrace_id: fate.fbtraceId } : {}),
    });
  } else if (fate.kind === "retry") {
    message.retry({ delaySeconds: fate.delaySeconds });
    log(deps.sink, {
      ...eventFields(body),
      ...failureFields(fate.failure),
      level: "warn",
      outcome: "retry",
      attempts: message.attempts,
      delay_seconds: fate.delaySeconds,
    });
  } else {
    await deadLetter(message, body, fate, env, deps);
  }
}

/**
 * Sends a dead letter to the DLQ, then acks. If the DLQ refuses, the message is retried instead
 * (nothing is acked that is not stored somewhere).
 */
async function deadLetter(
  message: Message<unknown>,
  body: QueuedEvent | null,
  fate: Extract<Fate, { kind: "dead_letter" }>,
  env: QueueBindings,
  deps: ConsumerDeps,
): Promise<void> {
  const letter = deadLetterOf(message, body, fate, deps.now());
  const fields = {
    ...(body ? eventFields(body) : { msg: "capi_event" }),
    ...failureFields(fate.failure),
    attempts: message.attempts,
    reason: fate.reason,
  };
  if (!env.CAPI_DLQ) {
    // Misconfiguration: nowhere to keep it. Say so loudly rather than retry a refusal forever.
    message.ack();
    log(deps.sink, { ...fields, level: "error", outcome: "dead_letter_lost" });
    return;
  }
  try {
    await env.CAPI_DLQ.send(letter, { contentType: "json" });
  } catch {
    const delaySeconds = retryDelaySeconds(message.attempts, deps.policy, deps.random);
    message.retry({ delaySeconds });
    log(deps.sink, { ...fields, level: "error", outcome: "dead_letter_failed", delay_seconds: delaySeconds });
    return;
  }
  message.ack();
  log(deps.sink, { ...fields, level: "warn", outcome: "dead_lettered" });
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

function eventFields(body: QueuedEvent) {
  return {
    msg: "capi_event",
    event_id: body.eventId,
    studio_event_id: body.studioEventId,
    pixel_id: body.pixelId,
    ...(body.replays ? { replays: body.replays } : {}),
  };
}

/** Never Meta's free-text message in a log line: only codes, status and trace id. */
function failureFields(failure: GraphFailure | undefined) {
  if (!failure) return {};
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { meta_code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { meta_subcode: failure.subcode } : {}),
    ...(failure.fbtraceId ? { fbtrace_id: failure.fbtraceId } : {}),
    reason: failure.status === undefined ? "no_answer" : failure.transient ? "transient" : "permanent",
  };
}

/**
 * Writes one structured line through log.ts, with this module's extra (never personal) fields.
 *
 * @example
 * ```ts
 * log(console.log, { msg: "capi_event", outcome: "retry", event_id: "cartful.x.1", attempts: 2, delay_seconds: 40 });
 * ```
 */
export function log(sink: LogSink, fields: QueueLogFields): void {
  logLine(sink, fields);
}
