/**
 * Dead letters: the dead-letter queue's consumer (stores each letter in the dead-letter store)
 * and the operator's routes to inspect and re-drive them, mounted by the app at `/admin`.
 *
 * Routes (all answer JSON; `Authorization: Bearer <ADMIN_SECRET>`, compared in constant time;
 * without an `ADMIN_SECRET` the routes answer 503 `admin_disabled`):
 *
 * - `GET  /admin/dead-letters?reason=&limit=&cursor=&all=1` — waiting letters, oldest first
 *   (`all=1` includes re-driven ones); `cursor` pages on.
 * - `GET  /admin/dead-letters/:key` — one letter (key = `event_id`).
 * - `POST /admin/dead-letters/replay` `{"keys": [...]}` or `{"reason": "configuration"}`
 *   (`"dryRun": true` to only see what would happen) — re-queues the original event, same
 *   `event_id` and `event_time`; refuses what Meta would no longer accept (past 7 days).
 * - `DELETE /admin/dead-letters/:key` — discards a letter.
 *
 * Answers show which user_data fields an event carries, never their values (not even hashes),
 * and never the IP address.
 */
import { Hono } from "hono";
import { authenticate } from "../http/auth";
import type { StoredDeadLetter } from "./deadLetterStore";
import {
  type ConsumerDeps,
  type DeadLetter,
  type DeadLetterReason,
  isQueuedEvent,
  isStale,
  log,
  type QueueBindings,
  type QueuedEvent,
} from "./queue";

/** Bindings of the admin routes. */
export type AdminBindings = QueueBindings & { ADMIN_SECRET?: string } & Record<string, unknown>;

/** The dead-letter store's one Durable Object instance. */
export const DEAD_LETTER_STORE_NAME = "dead-letters";

const REASONS: readonly DeadLetterReason[] = ["rejected", "configuration", "retries_exhausted", "stale", "handler_failure", "malformed"];
/** Messages per `sendBatch` (Cloudflare's limit). */
const SEND_BATCH_LIMIT = 100;
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
  const queued = isQueuedEvent(body) ? body : null;
  return {
    v: 1,
    kind: "dead_letter",
    key: queued ? queued.eventId : `message:${message.id}`,
    message: queued,
    reason: queued ? "handler_failure" : "malformed",
    detail: queued ? "the consumer failed on this message until Cloudflare moved it" : "message body is not a queued event",
    attempts: message.attempts,
    deadLetteredAt: now,
  };
}

function isDeadLetter(body: unknown): body is DeadLetter {
  if (typeof body !== "object" || body === null) return false;
  const letter = body as Partial<DeadLetter>;
  return (
    letter.v === 1 &&
    letter.kind === "dead_letter" &&
    typeof letter.key === "string" &&
    REASONS.includes(letter.reason as DeadLetterReason) &&
    (letter.message === null || isQueuedEvent(letter.message))
  );
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
 * await storeDeadLetters(batch, env, deps);
 * ```
 */
export async function storeDeadLetters(
  batch: MessageBatch<unknown>,
  env: QueueBindings,
  deps: Pick<ConsumerDeps, "now" | "sink">,
): Promise<void> {
  if (!env.DEAD_LETTERS) throw new Error("DEAD_LETTERS is not bound");
  const now = deps.now();
  const letters = batch.messages.map((message) => toDeadLetter(message, now));
  await deadLetterStore(env.DEAD_LETTERS).put(letters);
  batch.ackAll();
  batch.messages.forEach((message, i) => {
    const letter = letters[i]!;
    // Our own letters had their fate logged when dead-lettered; the others are logged here.
    if (isDeadLetter(message.body)) return;
    log(deps.sink, {
      msg: "capi_event",
      level: "warn",
      outcome: "dead_lettered",
      reason: letter.reason,
      attempts: letter.attempts,
      ...(letter.message ? { event_id: letter.message.eventId, studio_event_id: letter.message.studioEventId } : {}),
    });
  });
}

function deadLetterStore(namespace: NonNullable<QueueBindings["DEAD_LETTERS"]>) {
  return namespace.get(namespace.idFromName(DEAD_LETTER_STORE_NAME));
}

/** The answer of a replay. */
export interface ReplayReport {
  dryRun: boolean;
  replayed: string[];
  refused: { key: string; reason: "malformed" | "stale" }[];
  notFound: string[];
}

/**
 * Re-queues letters on `CAPI_QUEUE` with their original event (same `event_id` and
 * `event_time`), skipping the intake ledger (the operator means it; Meta still deduplicates by
 * `event_id`), and marks them re-driven. Refuses letters {@link replayRefusal} names.
 *
 * @param now ms
 * @example
 * ```ts
 * await replayDeadLetters(env, await store.get(["cartful.ses_1.1"]), ["cartful.ses_1.1"], Date.now(), false);
 * // { dryRun: false, replayed: ["cartful.ses_1.1"], refused: [], notFound: [] }
 * ```
 */
export async function replayDeadLetters(
  env: QueueBindings,
  letters: StoredDeadLetter[],
  askedKeys: string[],
  now: number,
  dryRun: boolean,
  sink: ConsumerDeps["sink"] = (line) => console.log(line),
): Promise<ReplayReport> {
  const found = new Set(letters.map((letter) => letter.key));
  const report: ReplayReport = { dryRun, replayed: [], refused: [], notFound: askedKeys.filter((key) => !found.has(key)) };
  const messages: QueuedEvent[] = [];
  for (const letter of letters) {
    const refusal = replayRefusal(letter, now);
    if (refusal || !letter.message) {
      report.refused.push({ key: letter.key, reason: refusal ?? "malformed" });
      continue;
    }
    report.replayed.push(letter.key);
    messages.push({ ...letter.message, replays: (letter.message.replays ?? 0) + 1 });
  }
  if (dryRun || messages.length === 0) return report;
  if (!env.CAPI_QUEUE || !env.DEAD_LETTERS) throw new Error("CAPI_QUEUE and DEAD_LETTERS must be bound to replay");
  const store = deadLetterStore(env.DEAD_LETTERS);
  for (let start = 0; start < messages.length; start += SEND_BATCH_LIMIT) {
    const chunk = messages.slice(start, start + SEND_BATCH_LIMIT);
    await env.CAPI_QUEUE.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
    // Marked per chunk: a failure halfway leaves only the unsent letters waiting.
    await store.markReplayed(report.replayed.slice(start, start + SEND_BATCH_LIMIT), now);
  }
  for (const message of messages) {
    log(sink, {
      msg: "capi_event",
      outcome: "replayed",
      event_id: message.eventId,
      studio_event_id: message.studioEventId,
      pixel_id: message.pixelId,
      replays: message.replays ?? 1,
    });
  }
  return report;
}

type AdminEnv = { Bindings: AdminBindings };

function errorAnswer(code: string, message: string) {
  return { error: { code, message } };
}

/**
 * The operator's routes; the app mounts them with `app.route("/admin", adminRoutes)`.
 *
 * @example
 * ```sh
 * curl -H "Authorization: Bearer $ADMIN_SECRET" https://relay.example.workers.dev/admin/dead-letters
 * curl -X POST -H "Authorization: Bearer $ADMIN_SECRET" -H "content-type: application/json" \
 *   -d '{"keys":["cartful.ses_5f1c9a7e2b.2"]}' https://relay.example.workers.dev/admin/dead-letters/replay
 * ```
 */
export const adminRoutes = new Hono<AdminEnv>();

adminRoutes.use("*", async (c, next) => {
  const secret = typeof c.env.ADMIN_SECRET === "string" ? c.env.ADMIN_SECRET : "";
  if (!secret) return c.json(errorAnswer("admin_disabled", "Set the ADMIN_SECRET secret to use the admin routes"), 503);
  const authorization = c.req.header("authorization");
  try {
    // Bearer only: the signature headers of webhooks are not accepted here.
    await authenticate(new Headers(authorization ? { authorization } : {}), "", secret, Date.now());
  } catch {
    return c.json(errorAnswer("unauthorized", "Send Authorization: Bearer <ADMIN_SECRET>"), 401);
  }
  if (!c.env.DEAD_LETTERS) return c.json(errorAnswer("not_configured", "DEAD_LETTERS is not bound"), 503);
  await next();
});

adminRoutes.get("/dead-letters", async (c) => {
  const reason = c.req.query("reason");
  if (reason !== undefined && !REASONS.includes(reason as DeadLetterReason)) {
    return c.json(errorAnswer("invalid_reason", `reason must be one of ${REASONS.join(", ")}`), 400);
  }
  const limit = Number(c.req.query("limit") ?? 50);
  const cursor = c.req.query("cursor");
  const page = await deadLetterStore(c.env.DEAD_LETTERS!).list({
    limit: Number.isFinite(limit) ? limit : 50,
    ...(cursor ? { cursor } : {}),
    ...(reason ? { reason: reason as DeadLetterReason } : {}),
    includeReplayed: c.req.query("all") === "1",
  });
  const now = Date.now();
  return c.json({
    deadLetters: page.letters.map((letter) => ({ ...deadLetterView(letter), replayable: replayRefusal(letter, now) === undefined })),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
});

adminRoutes.get("/dead-letters/:key", async (c) => {
  const [letter] = await deadLetterStore(c.env.DEAD_LETTERS!).get([c.req.param("key")]);
  if (!letter) return c.json(errorAnswer("not_found", "No dead letter with that key"), 404);
  return c.json({ ...deadLetterView(letter), replayable: replayRefusal(letter, Date.now()) === undefined });
});

adminRoutes.delete("/dead-letters/:key", async (c) => {
  const deleted = await deadLetterStore(c.env.DEAD_LETTERS!).remove([c.req.param("key")]);
  return deleted > 0 ? c.json({ deleted }) : c.json(errorAnswer("not_found", "No dead letter with that key"), 404);
});

adminRoutes.post("/dead-letters/replay", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return c.json(errorAnswer("invalid_json", "Body must be JSON"), 400);
  }
  const request = parseReplayRequest(body);
  if ("error" in request) return c.json(errorAnswer("invalid_request", request.error), 400);
  if (!c.env.CAPI_QUEUE) return c.json(errorAnswer("not_configured", "CAPI_QUEUE is not bound"), 503);
  const store = deadLetterStore(c.env.DEAD_LETTERS!);
  const letters =
    "keys" in request
      ? await store.get(request.keys)
      : (await store.list({ limit: REPLAY_LIMIT, reason: request.reason })).letters;
  const report = await replayDeadLetters(c.env, letters, "keys" in request ? request.keys : [], Date.now(), request.dryRun);
  return c.json(report);
});

/**
 * Reads a replay request: `{"keys": [...]}` (1 to 1,000 keys) or `{"reason": "..."}` (the waiting
 * letters with that reason, up to 1,000), plus optional `"dryRun": true`.
 *
 * @example
 * ```ts
 * parseReplayRequest({ reason: "configuration", dryRun: true }); // { reason: "configuration", dryRun: true }
 * parseReplayRequest({}); // { error: "…" }
 * ```
 */
export function parseReplayRequest(
  body: unknown,
): { keys: string[]; dryRun: boolean } | { reason: DeadLetterReason; dryRun: boolean } | { error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: "Body must be a JSON object" };
  const { keys, reason, dryRun } = body as Record<string, unknown>;
  if (dryRun !== undefined && typeof dryRun !== "boolean") return { error: "dryRun must be true or false" };
  const dry = dryRun === true;
  if (keys !== undefined && reason !== undefined) return { error: "Give keys or reason, not both" };
  if (keys !== undefined) {
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > REPLAY_LIMIT || !keys.every((k) => typeof k === "string" && k !== "")) {
      return { error: `keys must be 1 to ${REPLAY_LIMIT} dead-letter keys (event ids)` };
    }
    return { keys: [...new Set(keys as string[])], dryRun: dry };
  }
  if (typeof reason === "string" && REASONS.includes(reason as DeadLetterReason)) {
    return { reason: reason as DeadLetterReason, dryRun: dry };
  }
  return { error: `Give keys, or a reason among ${REASONS.join(", ")}` };
}
