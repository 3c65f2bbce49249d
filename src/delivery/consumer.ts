/**
 * The consumer: the Worker's `queue()` handler. It turns batches of queued events into
 * Conversions API requests and carries out each message's fate (ack, retry with a delay, or dead
 * letter); the fates themselves are decided by the pure policy (./policy).
 *
 * Guarantees (see README "Durable delivery"): a message is acked only after Meta accepted its
 * event, or after its event was stored as a dead letter. Cloudflare Queues deliver at least once,
 * so the same event can reach Meta twice (a timeout that hid a success, a lost ack); every copy
 * carries the same `event_id` and Meta keeps one.
 */
import { ConfigError, configFor, type GraphTarget, type RelayConfig } from "../config/settings";
import { consoleSink, type LogSink, logLine } from "../config/log";
import type { ServerEvent } from "../transform/capi";
import type { QueueBindings } from "./bindings";
import { storeDeadLetters } from "./deadLetters";
import { type GraphFailure, postEvents } from "./graph";
import { isDeadLetterQueue, isQueuedEvent, type QueuedEvent } from "./messages";
import {
  deadLetterOf,
  type DeliveryPolicy,
  type Fate,
  groupRequests,
  isStale,
  MISCONFIGURED_DELAY_SECONDS,
  QUEUE_DELIVERY_POLICY,
  QUEUE_TIMEOUT_MS,
  retryDelaySeconds,
  settle,
  throttleGuard,
} from "./policy";

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
  env: object,
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

async function deliverBatch(batch: MessageBatch<unknown>, env: QueueBindings, deps: ConsumerDeps) {
  let config: RelayConfig;
  try {
    config = configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A setting is unusable: nothing can be sent until someone fixes it. Wait long, so that
    // max_retries leaves hours for the fix before Cloudflare dead-letters the messages.
    batch.retryAll({ delaySeconds: MISCONFIGURED_DELAY_SECONDS });
    logLine(deps.sink, { msg: "capi_event", level: "error", outcome: "misconfigured", reason: error.message, batch_size: batch.messages.length });
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
      logLine(deps.sink, { ...eventFields(body), outcome: "dry_run", dry_run: true, attempts: message.attempts });
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
    logLine(deps.sink, {
      ...eventFields(body),
      outcome: "sent",
      attempts: message.attempts,
      batch_size: fate.batchSize,
      ...(fate.fbtraceId ? { fbtrace_id: fate.fbtraceId } : {}),
    });
  } else if (fate.kind === "retry") {
    message.retry({ delaySeconds: fate.delaySeconds });
    logLine(deps.sink, {
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
    logLine(deps.sink, { ...fields, level: "error", outcome: "dead_letter_lost" });
    return;
  }
  try {
    await env.CAPI_DLQ.send(letter, { contentType: "json" });
  } catch {
    const delaySeconds = retryDelaySeconds(message.attempts, deps.policy, deps.random);
    message.retry({ delaySeconds });
    logLine(deps.sink, { ...fields, level: "error", outcome: "dead_letter_failed", delay_seconds: delaySeconds });
    return;
  }
  message.ack();
  logLine(deps.sink, { ...fields, level: "warn", outcome: "dead_lettered" });
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
