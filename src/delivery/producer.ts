/**
 * The producer: hands a webhook's finished events (one per destination) to the delivery queue
 * once per Studio event and destination, through the intake ledger (a Durable Object that
 * remembers 48 hours of Studio ids and `webhook-id`s per destination).
 */
import { DEFAULT_DESTINATION } from "../config/destinations";
import { consoleSink, type LogSink, logLine } from "../core/log";
import type { ServerEvent } from "../transform/capi";
import type { QueueBindings } from "./bindings";
import { intakeLedgerOf } from "./instances";
import type { ClaimResult, HeldClaim } from "./intakeLedger";
import { MAX_MESSAGE_BYTES, messageBytes, type QueuedEvent, sendBatches } from "./messages";

// The ledger's shards live beside its accessor (./instances); re-exported for modules that import them from here.
export { INTAKE_SHARDS, intakeShard } from "./instances";

/** One destination's finished event. */
export interface DestinationEvent {
  destination: string;
  pixelId: string;
  event: ServerEvent;
}

/** What the webhook route hands over once the events are built. */
export interface IntakeRequest {
  studioEventId: string;
  webhookId?: string;
  events: DestinationEvent[];
}

/** What became of one destination's event. */
export type EnqueueResult =
  | { destination: string; status: "queued"; eventId: string }
  /** Seen within 48 h: already queued for this destination, not queued again. `eventId` is the first delivery's. */
  | { destination: string; status: "duplicate"; eventId: string }
  /** Another delivery of the same webhook is being enqueued right now: answer 503 with Retry-After. */
  | { destination: string; status: "in_flight"; eventId: string; retryAfterSeconds: number };

/**
 * A message would be larger than a queue takes. The transform bounds every field that travels,
 * so this means a bound is missing: the webhook is refused (422) rather than queued and lost.
 */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
}

/**
 * Queues a webhook's events once per Studio event and destination: claims, in one call to the
 * intake ledger (strongly consistent), each destination's Studio `id` and `webhook-id`; sends
 * the claimed messages; then confirms their claims. If the send throws, the claims are released so
 * the sender's redelivery can go through, and the error is rethrown (answer 503); destinations
 * queued by an earlier delivery stay `duplicate`, so a redelivery never queues them twice. Without
 * an `INTAKE_LEDGER` binding every call enqueues (Meta still deduplicates by `event_id`). Throws
 * without a `CAPI_QUEUE` binding, and {@link MessageTooLargeError} before claiming anything.
 *
 * @param now ms
 * @example
 * ```ts
 * const results = await enqueueEvents(c.env, { studioEventId, webhookId, events }, Date.now());
 * results.map((r) => r.status); // ["queued", "duplicate"]
 * ```
 */
export async function enqueueEvents(
  env: QueueBindings,
  request: IntakeRequest,
  now: number,
  log: LogSink = consoleSink,
): Promise<EnqueueResult[]> {
  const queue = env.CAPI_QUEUE;
  if (!queue) throw new Error("CAPI_QUEUE is not bound");
  const messages: QueuedEvent[] = request.events.map(({ destination, pixelId, event }) => ({
    v: 2,
    eventId: event.event_id,
    studioEventId: request.studioEventId,
    ...(request.webhookId ? { webhookId: request.webhookId } : {}),
    destination,
    pixelId,
    event,
    acceptedAt: now,
  }));
  if (messages.some((message) => messageBytes(message) > MAX_MESSAGE_BYTES)) {
    throw new MessageTooLargeError(`an event is over the ${MAX_MESSAGE_BYTES} bytes a queue message may hold`);
  }
  const keys = messages.map((message) => intakeKeys(request.studioEventId, request.webhookId, message.destination));
  const ledger = intakeLedgerOf(env, request.studioEventId);
  const claims: (ClaimResult | undefined)[] = ledger
    ? await ledger.claim(
        messages.map((message, i) => ({ keys: keys[i]!, eventId: message.eventId })),
        now,
      )
    : messages.map(() => undefined);

  const held: HeldClaim[] = [];
  const toSend: QueuedEvent[] = [];
  const results: EnqueueResult[] = messages.map((message, i) => {
    const claim = claims[i];
    const destination = message.destination;
    // The outcomes returned here are the caller's to log (the webhook route writes one line per
    // webhook); this function logs only what the caller cannot see.
    if (claim?.outcome === "duplicate") return { destination, status: "duplicate", eventId: claim.eventId };
    if (claim?.outcome === "in_flight") {
      return { destination, status: "in_flight", eventId: message.eventId, retryAfterSeconds: claim.retryAfterSeconds };
    }
    if (claim) held.push({ keys: keys[i]!, token: claim.token });
    toSend.push(message);
    return { destination, status: "queued", eventId: message.eventId };
  });
  try {
    for (const run of sendBatches(toSend))
      await queue.sendBatch(run.map((body) => ({ body, contentType: "json" as const })));
  } catch (error) {
    if (ledger && held.length > 0) await ledger.release(held).catch(() => undefined);
    throw error;
  }
  const base = { msg: "capi_event", studio_event_id: request.studioEventId };
  if (ledger && held.length > 0) {
    // Already queued: a failed confirmation only means a redelivery after the lease may queue a
    // second copy (same event_id, which Meta drops). Not worth failing the webhook over.
    await ledger.confirm(held).catch(() => logLine(log, { ...base, level: "warn", outcome: "confirm_failed" }));
  }
  if (!ledger && toSend.length > 0)
    logLine(log, { ...base, level: "warn", outcome: "queued", reason: "no_intake_ledger" });
  return results;
}

/**
 * The ledger keys of one webhook delivery to one destination: its Studio `id` and, when signed,
 * its `webhook-id`; suffixed `@{destination}` except for `default` (whose keys are those written
 * before there were several destinations).
 *
 * @example
 * ```ts
 * intakeKeys("evt_1", "msg_9");       // ["id:evt_1", "wh:msg_9"]
 * intakeKeys("evt_1", undefined, "eu"); // ["id:evt_1@eu"]
 * ```
 */
export function intakeKeys(
  studioEventId: string,
  webhookId?: string,
  destination: string = DEFAULT_DESTINATION,
): string[] {
  const suffix = destination === DEFAULT_DESTINATION ? "" : `@${destination}`;
  const keys = [`id:${studioEventId}${suffix}`];
  if (webhookId) keys.push(`wh:${webhookId}${suffix}`);
  return keys;
}
