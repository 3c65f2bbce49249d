/**
 * What travels on the two queues: a {@link QueuedEvent} (a finished event on its way to Meta) and
 * a {@link DeadLetter} (an event that will not get there by itself), with the guards that tell
 * them from anything else. Types and pure checks only.
 */
import type { ServerEvent } from "../transform/capi";

/** The queue that carries finished events to the consumer (wrangler.jsonc). */
export const QUEUE_NAME = "cartful-capi-events";

/** Where events end that Meta refused for good, that ran out of retries, or that got too old. */
export const DEAD_LETTER_QUEUE_NAME = "cartful-capi-events-dlq";

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
/** Every {@link DeadLetterReason}, for checks and for the admin routes' `?reason=`. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  "rejected",
  "configuration",
  "retries_exhausted",
  "stale",
  "handler_failure",
  "malformed",
];

/**
 * Whether a dead-letter queue message body is one of our own {@link DeadLetter}s.
 *
 * @example
 * ```ts
 * isDeadLetter(message.body); // false for a bare queued event Cloudflare moved itself
 * ```
 */
export function isDeadLetter(body: unknown): body is DeadLetter {
  if (typeof body !== "object" || body === null) return false;
  const letter = body as Partial<DeadLetter>;
  return (
    letter.v === 1 &&
    letter.kind === "dead_letter" &&
    typeof letter.key === "string" &&
    DEAD_LETTER_REASONS.includes(letter.reason as DeadLetterReason) &&
    (letter.message === null || isQueuedEvent(letter.message))
  );
}
