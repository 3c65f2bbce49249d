/**
 * Dead letters: the dead-letter queue's consumer (stores each letter in the dead-letter store),
 * re-driving letters back onto the delivery queue, and the view of a letter the admin routes
 * show (field names, never values).
 */
import { logLine } from "../core/log";
import { defaultRuntime, type Runtime } from "../core/runtime";
import type { QueueBindings } from "./bindings";
import { DEAD_LETTER_STORE_NAME, deadLetterStoreOf } from "./instances";
import type { StoredDeadLetter } from "./deadLetterStore";
import {
  claimedCopy,
  type DeadLetter,
  deadLetterKey,
  isDeadLetter,
  type QueuedEvent,
  readQueuedEvent,
  sendBatches,
} from "./messages";
import { isStale } from "./policy";

/** The dead-letter store's one Durable Object instance (named in ./instances; kept here for its importers). */
export { DEAD_LETTER_STORE_NAME };

/** Letters one replay call handles at most. */
export const REPLAY_LIMIT = 1000;

/**
 * The dead letter a DLQ message stands for: our own letters as they are; a bare queued event
 * (Cloudflare moved it after the consumer itself failed `max_retries` times) becomes a
 * `handler_failure` letter; anything else a `malformed` one.
 *
 * @param now ms
 * @example
 * ```ts
 * toDeadLetter({ id: "m1", attempts: 21, body: queuedEvent }, Date.now()).reason; // "handler_failure"
 * ```
 */
export function toDeadLetter(message: { id: string; attempts: number; body: unknown }, now: number): DeadLetter {
  const body = message.body;
  if (isDeadLetter(body)) return body;
  const queued = readQueuedEvent(body) ?? null;
  return {
    v: 1,
    kind: "dead_letter",
    key: queued ? deadLetterKey(queued.destination, queued.eventId) : `message:${message.id}`,
    message: queued,
    reason: queued ? "handler_failure" : "malformed",
    detail: queued
      ? "the consumer failed on this message until Cloudflare moved it"
      : "message body is not a queued event",
    attempts: message.attempts,
    deadLetteredAt: now,
  };
}

/**
 * Why a letter cannot be re-driven now, or `undefined` if it can: no event in it, or Meta would
 * refuse it (past the 7-day window, with a safety margin).
 *
 * @param now ms
 * @example
 * ```ts
 * replayRefusal(letter, Date.now()); // undefined | "malformed" | "stale"
 * ```
 */
export function replayRefusal(letter: DeadLetter, now: number): "malformed" | "stale" | undefined {
  if (!letter.message) return "malformed";
  return isStale(letter.message.event, now) ? "stale" : undefined;
}

/**
 * A letter as the admin routes show it: everything but user data values, which become the list
 * of fields present (`client_ip_address` included by name only).
 *
 * @example
 * ```ts
 * deadLetterView(letter).event?.user_data; // ["em", "ph", "client_ip_address", "client_user_agent"]
 * ```
 */
export function deadLetterView(letter: DeadLetter & { times?: number; replayedAt?: number }) {
  const { message, ...rest } = letter;
  if (!message) return { ...rest, event: null };
  const { user_data, ...event } = message.event;
  return {
    ...rest,
    eventId: message.eventId,
    studioEventId: message.studioEventId,
    destination: message.destination,
    pixelId: message.pixelId,
    acceptedAt: message.acceptedAt,
    replays: message.replays ?? 0,
    event: { ...event, user_data: Object.keys(user_data).sort() },
  };
}

/**
 * The DLQ consumer: stores the batch's letters in one call, then acks them all; logs the fate of
 * letters Cloudflare moved without our reason. Throws (Cloudflare retries) when the store is
 * unbound or unreachable.
 *
 * @example
 * ```ts
 * // through handleQueueBatch, for a queue whose name ends in "-dlq"
 * await storeDeadLetters(batch, env, defaultRuntime());
 * ```
 */
export async function storeDeadLetters(
  batch: MessageBatch<unknown>,
  env: Partial<Pick<Env, "DEAD_LETTERS">>,
  runtime: Pick<Runtime, "now" | "log">,
): Promise<void> {
  if (!env.DEAD_LETTERS) throw new Error("DEAD_LETTERS is not bound");
  const now = runtime.now();
  const letters = batch.messages.map((message) => toDeadLetter(message, now));
  await deadLetterStoreOf(env)!.put(letters);
  batch.ackAll();
  batch.messages.forEach((message, i) => {
    const letter = letters[i]!;
    // Our own letters had their fate logged when dead-lettered; the others are logged here.
    if (isDeadLetter(message.body)) return;
    logLine(runtime.log, {
      msg: "capi_event",
      level: "warn",
      outcome: "dead_lettered",
      reason: letter.reason,
      attempts: letter.attempts,
      ...(letter.message
        ? {
            event_id: letter.message.eventId,
            studio_event_id: letter.message.studioEventId,
            destination: letter.message.destination,
          }
        : {}),
    });
  });
}

/**
 * The dead-letter store's one instance, from its namespace (the admin routes' and the console's
 * way; ./instances `deadLetterStoreOf(env)` is the same from the env).
 *
 * @example
 * ```ts
 * await deadLetterStore(env.DEAD_LETTERS).get(["cartful.ses_1.1"]);
 * ```
 */
export function deadLetterStore(namespace: Env["DEAD_LETTERS"]) {
  return deadLetterStoreOf({ DEAD_LETTERS: namespace })!;
}

/** Why a letter was not re-driven. */
export type ReplayRefusal = "malformed" | "stale" | "already_replayed";

/** The answer of a replay (or of its dry run). */
export interface ReplayReport {
  dryRun: boolean;
  replayed: string[];
  refused: { key: string; reason: ReplayRefusal }[];
  notFound: string[];
}

/** What a replay would do: the letters to re-drive, those refused and why, the keys asked for but not found. */
export interface ReplayPlan {
  /** Each letter to re-drive: its key and its message as it goes back on the queue (one replay more). */
  toReplay: { key: string; message: QueuedEvent }[];
  refused: { key: string; reason: ReplayRefusal }[];
  notFound: string[];
}

/**
 * Plans a replay of `letters` (those found for `askedKeys`; `[]` when they were listed, not asked
 * by key), pure: refuses what {@link replayRefusal} names and what was re-driven already, and gives
 * every other letter's message one replay more. Nothing is sent or claimed: this is the dry run.
 *
 * @param now ms
 * @example
 * ```ts
 * planReplay(await store.get(["cartful.ses_1.1", "nope"]), ["cartful.ses_1.1", "nope"], Date.now());
 * // { toReplay: [{ key: "cartful.ses_1.1", message: {…, replays: 1 } }], refused: [], notFound: ["nope"] }
 * ```
 */
export function planReplay(
  letters: readonly StoredDeadLetter[],
  askedKeys: readonly string[],
  now: number,
): ReplayPlan {
  const found = new Set(letters.map((letter) => letter.key));
  const plan: ReplayPlan = { toReplay: [], refused: [], notFound: askedKeys.filter((key) => !found.has(key)) };
  const planned = new Set<string>();
  for (const letter of letters) {
    const refusal: ReplayRefusal | undefined =
      replayRefusal(letter, now) ?? (letter.replayedAt !== undefined ? "already_replayed" : undefined);
    if (refusal || !letter.message) plan.refused.push({ key: letter.key, reason: refusal ?? "malformed" });
    else if (!planned.has(letter.key)) {
      planned.add(letter.key);
      plan.toReplay.push({
        key: letter.key,
        message: { ...claimedCopy(letter.message), replays: (letter.message.replays ?? 0) + 1 },
      });
    }
  }
  return plan;
}

/**
 * The answer of a dry run: what {@link replay} would re-drive, as its own answer says it.
 *
 * @example
 * ```ts
 * dryRunReport(planReplay(letters, [], Date.now())); // { dryRun: true, replayed: ["cartful.ses_1.1"], refused: [], notFound: [] }
 * ```
 */
export function dryRunReport(plan: ReplayPlan): ReplayReport {
  return {
    dryRun: true,
    replayed: plan.toReplay.map((entry) => entry.key),
    refused: plan.refused,
    notFound: plan.notFound,
  };
}

/**
 * Carries out a plan: re-queues its letters on `CAPI_QUEUE` with their original event (same
 * `event_id`, `event_time` and destination), skipping the intake ledger (the operator means it;
 * Meta still deduplicates by `event_id`). A letter is re-driven once: the store hands each letter
 * to one replay only (`already_replayed` for the others, concurrent ones included), until it comes
 * back as a dead letter again. If the queue refuses, the claims of what was not sent are given back
 * and the error is rethrown.
 *
 * @param now ms, the time of the claims
 * @example
 * ```ts
 * await replay(env, planReplay(await store.get(["cartful.ses_1.1"]), ["cartful.ses_1.1"], Date.now()), Date.now());
 * // { dryRun: false, replayed: ["cartful.ses_1.1"], refused: [], notFound: [] }
 * ```
 */
export async function replay(
  env: Pick<QueueBindings, "CAPI_QUEUE" | "DEAD_LETTERS">,
  plan: ReplayPlan,
  now: number,
  runtime: Pick<Runtime, "log"> = defaultRuntime(),
): Promise<ReplayReport> {
  const report: ReplayReport = { dryRun: false, replayed: [], refused: [...plan.refused], notFound: plan.notFound };
  if (plan.toReplay.length === 0) return report;
  if (!env.CAPI_QUEUE || !env.DEAD_LETTERS) throw new Error("CAPI_QUEUE and DEAD_LETTERS must be bound to replay");
  const store = deadLetterStoreOf(env)!;
  const claimed = new Set(
    await store.claimReplay(
      plan.toReplay.map((entry) => entry.key),
      now,
    ),
  );
  for (const { key } of plan.toReplay) if (!claimed.has(key)) report.refused.push({ key, reason: "already_replayed" });
  const messages = plan.toReplay.filter(({ key }) => claimed.has(key)).map(({ message }) => message);
  let sent = 0;
  try {
    for (const run of sendBatches(messages)) {
      await env.CAPI_QUEUE.sendBatch(run.map((body) => ({ body, contentType: "json" as const })));
      sent += run.length;
    }
  } catch (error) {
    await store.releaseReplay(
      messages.slice(sent).map((message) => deadLetterKey(message.destination, message.eventId)),
      now,
    );
    throw error;
  }
  for (const message of messages) {
    report.replayed.push(deadLetterKey(message.destination, message.eventId));
    logLine(runtime.log, {
      msg: "capi_event",
      outcome: "replayed",
      event_id: message.eventId,
      studio_event_id: message.studioEventId,
      destination: message.destination,
      pixel_id: message.pixelId,
      replays: message.replays ?? 1,
    });
  }
  return report;
}
