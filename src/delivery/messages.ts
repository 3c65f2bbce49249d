/**
 * What travels on the two queues: a {@link QueuedEvent} (a finished event on its way to one
 * destination), a {@link PackMessage} (a browser request's events, several {@link QueuedEvent}s in
 * one message) and a {@link DeadLetter} (an event that will not get there by itself), with the
 * guards that tell them from anything else and the bound on a message's size. Types and pure
 * checks only.
 */
import { DEFAULT_DESTINATION } from "../config/destinations";
import type { ServerEvent } from "../transform/capi";
import type { MetaCodes } from "./metaErrors";

/** The queue that carries finished events to the consumer (wrangler.jsonc). */
export const QUEUE_NAME = "cartful-capi-events";

/** Where events end that Meta refused for good, that ran out of retries, or that got too old. */
export const DEAD_LETTER_QUEUE_NAME = "cartful-capi-events-dlq";

/**
 * The largest message the relay builds, in UTF-8 bytes: Cloudflare Queues take 128 KB, and a
 * dead letter wraps the message with a few hundred bytes more.
 */
export const MAX_MESSAGE_BYTES = 100_000;

/** One queue message: one destination's finished event, user data already hashed. */
export interface QueuedEvent {
  v: 2;
  /** Meta's `event_id` (= `event.event_id`). */
  eventId: string;
  /** Studio's `id` of the webhook that produced the event. */
  studioEventId: string;
  /** The Standard Webhooks `webhook-id` it came with, if any. */
  webhookId?: string;
  /** The destination's name (`default` for the single-pixel configuration). */
  destination: string;
  /** Dataset / pixel the event is for (the destination's, when it was accepted). */
  pixelId: string;
  /** Exactly what goes into `data[]`: hashed user data, IP and user agent as Meta wants them. */
  event: ServerEvent;
  /** When the relay accepted the webhook (ms). */
  acceptedAt: number;
  /**
   * How many times an operator re-drove it from the dead letters; set, it marks a re-drive, which
   * the consumer sends in a request of its own ({@link isRedrive}).
   */
  replays?: number;
  /**
   * `browser`: it came from `POST /collect/cartful`, which claims nothing in the intake ledger
   * (Meta deduplicates a browser event's copies by `event_id`), so the consumer never asks the
   * ledger about it. Absent: a webhook's event.
   */
  origin?: "browser";
  /**
   * Set by the webhook route, which queues without asking the intake ledger: the consumer claims
   * the message's ledger keys (its Studio `id` and `webhook-id`, for its destination) before it
   * sends, so that a redelivered webhook goes to Meta once per destination. Absent on what needs
   * no claim: a browser event, an event the relay itself puts back on the queue (released by a
   * circuit, re-driven from the dead letters: {@link claimedCopy}), or a message an earlier
   * version queued after claiming it at intake.
   */
  unclaimed?: true;
  /**
   * The owner of the message's intake claim: a random id the webhook route gives each message it
   * queues ({@link newClaimId}: nothing personal), the same on every delivery of that message
   * because it travels in the body. So the message's own retries pass its claim whatever id the
   * queue gives them, and Studio's redelivery (a new message, a new claim id) is a duplicate.
   * Absent on a message queued before claim ids: its queue message id owns the claim instead.
   */
  claim?: string;
}

/** What a {@link QueuedEvent}'s `claim` may be: what {@link newClaimId} makes, and nothing else. */
export const CLAIM_ID = /^[0-9a-f]{32}$/;

/**
 * A new claim id: a random UUID's 32 hex digits (122 random bits) without its hyphens, so nothing
 * in it reads like a phone number or any other value a message must not carry.
 *
 * @example
 * ```ts
 * newClaimId(); // "3f2c9a1e0b7d4c55a1e2f3a4b5c6d7e8"
 * ```
 */
export function newClaimId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * The message as the relay itself puts it back on the queue (a circuit's release, a re-drive): its
 * intake claim was made by the delivery that first took it, so the copy is never claimed again
 * (a new queue message would find the claim another's and be dropped as a duplicate), and its
 * claim id goes with the mark.
 *
 * @example
 * ```ts
 * claimedCopy({ ...message, unclaimed: true, claim: "3f2c…" }).unclaimed; // undefined (and no claim)
 * ```
 */
export function claimedCopy(message: QueuedEvent): QueuedEvent {
  const { unclaimed: _unclaimed, claim: _claim, ...copy } = message;
  return copy;
}

/**
 * Whether the message is a re-driven dead letter (`replays` set by the re-drive): Meta refused it
 * before, so the consumer sends it in a request of its own, never beside healthy leads, where its
 * refusal would have Meta refuse them all and cost a bisection to find it again.
 *
 * @example
 * ```ts
 * isRedrive({ ...message, replays: 1 }); // true
 * isRedrive(message);                    // false
 * ```
 */
export function isRedrive(message: QueuedEvent): boolean {
  return (message.replays ?? 0) > 0;
}

/**
 * One queue message that carries several events: what one browser request becomes (at most one
 * message per request, so a browser event costs a share of one queue operation). Each item is a
 * whole {@link QueuedEvent}; the consumer delivers them as if each were its own message.
 */
export interface PackMessage {
  v: 3;
  kind: "pack";
  events: QueuedEvent[];
  /**
   * Deliveries the events had before this message: a pack re-sent with the unfinished part of an
   * earlier one carries its count, so retries and dead letters count from the first delivery.
   */
  attempts?: number;
}

/** Any message of the delivery queue. */
export type DeliveryMessage = QueuedEvent | PackMessage;

/** Why an event was dead-lettered. */
export type DeadLetterReason =
  /** Meta refused this event itself (e.g. code 100, invalid parameter). */
  | "rejected"
  /** Meta refused the destination's configuration (token, pixel, permissions, version) until the event's 7 days ran out. */
  | "configuration"
  /** Transient failures until the last allowed delivery. */
  | "retries_exhausted"
  /** Past Meta's 7-day window (never sent: it would sink its whole request). */
  | "stale"
  /** Moved by Cloudflare after the consumer itself failed on it `max_retries` times. */
  | "handler_failure"
  /** A message body that is not a {@link QueuedEvent} (a bug or a version skew). */
  | "malformed";

/** Every {@link DeadLetterReason}, for checks and for the admin routes' `?reason=`. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  "rejected",
  "configuration",
  "retries_exhausted",
  "stale",
  "handler_failure",
  "malformed",
];

/** A dead-letter queue message (and a row of the dead-letter store), with Meta's codes when Meta refused. */
export interface DeadLetter extends MetaCodes {
  v: 1;
  kind: "dead_letter";
  /** {@link deadLetterKey} of the message, or `message:<queue message id>` when the body was malformed. */
  key: string;
  /** The original message, for replay; `null` when malformed. */
  message: QueuedEvent | null;
  reason: DeadLetterReason;
  /** Meta's `error_user_msg` or `message`, or what went wrong (never personal data or the token). */
  detail: string;
  /** Deliveries of the message so far. */
  attempts: number;
  /** ms */
  deadLetteredAt: number;
}

/**
 * The key of a dead letter: the `event_id` for the `default` destination (as before there were
 * several), `{event_id}@{destination}` for the others, since one webhook's event goes to each.
 *
 * @example
 * ```ts
 * deadLetterKey("default", "cartful.ses_1.1"); // "cartful.ses_1.1"
 * deadLetterKey("eu", "cartful.ses_1.1");      // "cartful.ses_1.1@eu"
 * ```
 */
export function deadLetterKey(destination: string, eventId: string): string {
  return destination === DEFAULT_DESTINATION ? eventId : `${eventId}@${destination}`;
}

/**
 * A queue message body as a {@link QueuedEvent}, or `undefined` when it is not one this version
 * can deliver. Messages written before destinations (`v: 1`) are read as the `default`
 * destination's.
 *
 * @example
 * ```ts
 * readQueuedEvent(message.body)?.destination; // "eu"
 * readQueuedEvent({});                         // undefined
 * ```
 */
export function readQueuedEvent(body: unknown): QueuedEvent | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const m = body as Omit<Partial<QueuedEvent>, "v"> & { v?: unknown };
  const event = m.event as Partial<ServerEvent> | undefined;
  const valid =
    (m.v === 1 || (m.v === 2 && typeof m.destination === "string" && m.destination !== "")) &&
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
    event.user_data !== null;
  if (!valid) return undefined;
  return m.v === 2
    ? (m as QueuedEvent)
    : { ...(m as Omit<QueuedEvent, "v" | "destination">), v: 2, destination: DEFAULT_DESTINATION };
}

/**
 * Whether a queue message body is a {@link QueuedEvent} (of this version or the one before).
 *
 * @example
 * ```ts
 * isQueuedEvent(message.body); // false for `{}` or a message from a future format
 * ```
 */
export function isQueuedEvent(body: unknown): body is QueuedEvent {
  return readQueuedEvent(body) !== undefined;
}

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

/**
 * The size of a message as the queue counts it: its JSON in UTF-8 bytes.
 *
 * @example
 * ```ts
 * messageBytes(message) <= MAX_MESSAGE_BYTES;
 * ```
 */
export function messageBytes(message: unknown): number {
  return utf8Length(JSON.stringify(message));
}

/**
 * A text's length in UTF-8 bytes: its length when it is ASCII (a message's JSON nearly always
 * is: hashes, ids, numbers), else counted by encoding it.
 *
 * @example
 * ```ts
 * utf8Length("abc"); // 3
 * utf8Length("é");   // 2
 * ```
 */
export function utf8Length(text: string): number {
  return BEYOND_ASCII.test(text) ? utf8.encode(text).length : text.length;
}

const BEYOND_ASCII = /[\u0080-\uffff]/;

/** One encoder for the isolate: it holds no state between calls. */
const utf8 = new TextEncoder();

/**
 * A queue message body as a {@link PackMessage}, or `undefined` when it is not one (a single
 * event, or something else). Its items are read by {@link readQueuedEvent} one by one, so one bad
 * item is one malformed event, not a lost pack.
 *
 * @example
 * ```ts
 * readPack({ v: 3, kind: "pack", events: [a, b] })?.events.length; // 2
 * readPack(queuedEvent);                                           // undefined
 * ```
 */
export function readPack(body: unknown): { events: unknown[]; attempts: number } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const m = body as { v?: unknown; kind?: unknown; events?: unknown; attempts?: unknown };
  if (m.v !== 3 || m.kind !== "pack" || !Array.isArray(m.events) || m.events.length === 0) return undefined;
  const attempts =
    typeof m.attempts === "number" && Number.isSafeInteger(m.attempts) && m.attempts > 0 ? m.attempts : 0;
  return { events: m.events, attempts };
}

/**
 * Events packed into as few messages as the queue's size allows: one, unless together they pass
 * {@link MAX_MESSAGE_BYTES} (then cut in order). Every event must fit on its own
 * ({@link messageBytes} of it at most the bound less the pack's frame): the caller checks.
 *
 * @param attempts deliveries the events had already (a re-sent part of a pack)
 * @example
 * ```ts
 * packEvents([a, b, c]); // [{ v: 3, kind: "pack", events: [a, b, c] }]
 * ```
 */
export function packEvents(events: readonly QueuedEvent[], attempts = 0): PackMessage[] {
  if (events.length === 0) return [];
  const whole: PackMessage = { v: 3, kind: "pack", events: [...events], ...(attempts > 0 ? { attempts } : {}) };
  // Nearly always they fit: one serialisation measures them all, rather than one per event.
  if (messageBytes(whole) <= MAX_MESSAGE_BYTES) return [whole];
  const frame = messageBytes({ v: 3, kind: "pack", events: [], attempts: Number.MAX_SAFE_INTEGER });
  const packs: PackMessage[] = [];
  let run: QueuedEvent[] = [];
  let bytes = frame;
  const close = () => {
    if (run.length > 0) packs.push({ v: 3, kind: "pack", events: run, ...(attempts > 0 ? { attempts } : {}) });
    run = [];
    bytes = frame;
  };
  for (const event of events) {
    // +1 for the comma between items.
    const size = messageBytes(event) + 1;
    if (run.length > 0 && bytes + size > MAX_MESSAGE_BYTES) close();
    run.push(event);
    bytes += size;
  }
  close();
  return packs;
}

/** The two queues, as the delivery machinery sends to them. */
export interface Queues {
  CAPI_QUEUE?: Queue<DeliveryMessage>;
  CAPI_DLQ?: Queue<DeadLetter>;
}

/** Cloudflare's limits on one `sendBatch`: 100 messages, 256 KB in all. */
export const SEND_BATCH_MESSAGES = 100;
export const SEND_BATCH_BYTES = 250_000;

/**
 * Messages cut into runs that one `sendBatch` takes: at most {@link SEND_BATCH_MESSAGES} and
 * {@link SEND_BATCH_BYTES} each, in order.
 *
 * @example
 * ```ts
 * for (const run of sendBatches(messages)) await queue.sendBatch(run.map((body) => ({ body, contentType: "json" })));
 * ```
 */
export function sendBatches<T>(messages: readonly T[]): T[][] {
  // One message is one run, unmeasured: a message's bound (MAX_MESSAGE_BYTES) is under a batch's,
  // and a webhook's or a browser request's message is nearly always alone (measuring it was a
  // second JSON serialisation of it on the route's path).
  if (messages.length <= 1) return messages.length === 0 ? [] : [[...messages]];
  const runs: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (run.length > 0 && (run.length >= SEND_BATCH_MESSAGES || bytes + size > SEND_BATCH_BYTES)) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(message);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
