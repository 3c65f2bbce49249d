/**
 * The producer: hands a webhook's finished events (one per destination) to the delivery queue.
 * It asks no Durable Object: each message is marked `unclaimed` and given a random claim id, and
 * the consumer claims its intake ledger keys under that id (./intakeClaims) once it is durably on the queue, so a redelivered webhook is
 * still sent once per destination while the webhook route costs one queue send and nothing more.
 */
import { DEFAULT_DESTINATION } from "../config/destinations";
import type { ServerEvent } from "../transform/capi";
import type { QueueBindings } from "./bindings";
import { MAX_MESSAGE_BYTES, messageBytes, newClaimId, type QueuedEvent, sendBatches } from "./messages";

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

/** What became of one destination's event: queued (whether it is a redelivery the consumer tells). */
export interface EnqueueResult {
  destination: string;
  status: "queued";
  eventId: string;
}

/**
 * A message would be larger than a queue takes. The transform bounds every field that travels,
 * so this means a bound is missing: the webhook is refused (422) rather than queued and lost.
 */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
}

/**
 * Queues a webhook's events, one message per destination, each marked `unclaimed` for the
 * consumer's intake claim, with a random claim id of its own as the claim's owner. Throws without
 * a `CAPI_QUEUE` binding, when the queue refuses (answer
 * 503: nothing was queued that Studio's redelivery would duplicate, and should a part of the
 * batch have gone, the consumer's claim drops the repeat), and {@link MessageTooLargeError}
 * before sending anything.
 *
 * @param now ms
 * @example
 * ```ts
 * const results = await enqueueEvents(c.env, { studioEventId, webhookId, events }, Date.now());
 * results.map((r) => r.status); // ["queued", "queued"]
 * ```
 */
export async function enqueueEvents(env: QueueBindings, request: IntakeRequest, now: number): Promise<EnqueueResult[]> {
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
    unclaimed: true,
    // The claim's owner travels in the body: a retry of this message keeps it whatever id the queue gives it.
    claim: newClaimId(),
  }));
  if (messages.some((message) => messageBytes(message) > MAX_MESSAGE_BYTES)) {
    throw new MessageTooLargeError(`an event is over the ${MAX_MESSAGE_BYTES} bytes a queue message may hold`);
  }
  for (const run of sendBatches(messages))
    await queue.sendBatch(run.map((body) => ({ body, contentType: "json" as const })));
  return messages.map((message) => ({ destination: message.destination, status: "queued", eventId: message.eventId }));
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
