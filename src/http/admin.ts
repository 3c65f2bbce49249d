/**
 * The operator's routes, mounted by the app at `/admin`: inspect, re-drive and discard dead
 * letters.
 *
 * Routes (all answer JSON; `Authorization: Bearer <ADMIN_SECRET>`, compared in constant time;
 * without an `ADMIN_SECRET` the routes answer 503 `admin_disabled`):
 *
 * - `GET  /admin/dead-letters?reason=&destination=&limit=&cursor=&all=1` — waiting letters,
 *   oldest first (`all=1` includes re-driven ones); `cursor` pages on.
 * - `GET  /admin/dead-letters/:key` — one letter (key = `event_id`, or `event_id@destination`
 *   for destinations other than `default`).
 * - `POST /admin/dead-letters/replay` `{"keys": [...]}` or `{"reason": "configuration"}`
 *   (optionally with `"destination"`; `"dryRun": true` to only see what would happen) — re-queues
 *   the original event, same `event_id`, `event_time` and destination, once per letter; refuses
 *   what Meta would no longer accept (past 7 days) and what was re-driven already.
 * - `DELETE /admin/dead-letters/:key` — discards a letter.
 *
 * Answers show which user_data fields an event carries, never their values (not even hashes),
 * and never the IP address.
 */
import { Hono } from "hono";
import type { QueueBindings } from "../delivery/bindings";
import { deadLetterStore, deadLetterView, REPLAY_LIMIT, replayDeadLetters, replayRefusal } from "../delivery/deadLetters";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "../delivery/messages";
import { authenticate } from "./auth";
import { metricsRoutes } from "./metricsRoute";

/** Bindings of the admin routes. */
export type AdminBindings = QueueBindings & { ADMIN_SECRET?: string };

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
  if (reason !== undefined && !DEAD_LETTER_REASONS.includes(reason as DeadLetterReason)) {
    return c.json(errorAnswer("invalid_reason", `reason must be one of ${DEAD_LETTER_REASONS.join(", ")}`), 400);
  }
  const limit = Number(c.req.query("limit") ?? 50);
  const cursor = c.req.query("cursor");
  const destination = c.req.query("destination");
  const page = await deadLetterStore(c.env.DEAD_LETTERS!).list({
    limit: Number.isFinite(limit) ? limit : 50,
    ...(cursor ? { cursor } : {}),
    ...(reason ? { reason: reason as DeadLetterReason } : {}),
    ...(destination ? { destination } : {}),
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
      : (await store.list({ limit: REPLAY_LIMIT, reason: request.reason, ...(request.destination ? { destination: request.destination } : {}) }))
          .letters;
  const report = await replayDeadLetters(c.env, letters, "keys" in request ? request.keys : [], Date.now(), request.dryRun);
  return c.json(report);
});

/**
 * Reads a replay request: `{"keys": [...]}` (1 to 1,000 keys) or `{"reason": "..."}` (the waiting
 * letters with that reason, up to 1,000, optionally only a `"destination"`'s), plus optional
 * `"dryRun": true`.
 *
 * @example
 * ```ts
 * parseReplayRequest({ reason: "configuration", dryRun: true }); // { reason: "configuration", dryRun: true }
 * parseReplayRequest({}); // { error: "…" }
 * ```
 */
export function parseReplayRequest(
  body: unknown,
): { keys: string[]; dryRun: boolean } | { reason: DeadLetterReason; destination?: string; dryRun: boolean } | { error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: "Body must be a JSON object" };
  const { keys, reason, dryRun, destination } = body as Record<string, unknown>;
  if (dryRun !== undefined && typeof dryRun !== "boolean") return { error: "dryRun must be true or false" };
  const dry = dryRun === true;
  if (keys !== undefined && reason !== undefined) return { error: "Give keys or reason, not both" };
  if (keys !== undefined) {
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > REPLAY_LIMIT || !keys.every((k) => typeof k === "string" && k !== "")) {
      return { error: `keys must be 1 to ${REPLAY_LIMIT} dead-letter keys (event ids)` };
    }
    return { keys: [...new Set(keys as string[])], dryRun: dry };
  }
  if (destination !== undefined && (typeof destination !== "string" || !/^[a-z0-9_-]{1,32}$/.test(destination))) {
    return { error: "destination must be a destination's name" };
  }
  if (typeof reason === "string" && DEAD_LETTER_REASONS.includes(reason as DeadLetterReason)) {
    return { reason: reason as DeadLetterReason, ...(destination ? { destination: destination as string } : {}), dryRun: dry };
  }
  return { error: `Give keys, or a reason among ${DEAD_LETTER_REASONS.join(", ")}` };
}

adminRoutes.route("/metrics", metricsRoutes);
