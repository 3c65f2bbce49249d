/**
 * The producer: hands a finished event to the delivery queue once per Studio event, through the
 * intake ledger (a Durable Object that remembers 48 hours of Studio ids and `webhook-id`s).
 */
import { consoleSink, type LogSink, logLine } from "../config/log";
import type { ServerEvent } from "../transform/capi";
import type { QueueBindings } from "./bindings";
import type { QueuedEvent } from "./messages";

/** Durable Object instances the intake ledger is spread over (keyed by Studio `id`). Changing it forgets 48 h of memory. */
export const INTAKE_SHARDS = 16;

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
    await ledger.confirm(keys, claim.token).catch(() => logLine(sink, { ...base, level: "warn", outcome: "confirm_failed" }));
  }
  if (!claim) logLine(sink, { ...base, level: "warn", outcome: "queued", reason: "no_intake_ledger" });
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
