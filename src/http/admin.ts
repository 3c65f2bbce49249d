/**
 * The operator's routes, mounted by the app at `/admin`: inspect, re-drive and discard dead
 * letters.
 *
 * Routes (all answer JSON; `Authorization: Bearer <ADMIN_SECRET>`, compared in constant time, or
 * the console's session cookie with its CSRF rules, see {@link adminAuth}; without an
 * `ADMIN_SECRET` the routes answer 503 `admin_disabled`; a client that sent too many wrong
 * secrets, 429 `rate_limited`, see ./authLimit):
 *
 * - `GET  /admin/dead-letters?reason=&destination=&limit=&cursor=&all=1` — waiting letters,
 *   oldest first (`all=1` includes re-driven ones), each with how many times it was dead-lettered
 *   (`times`) and when first (`firstDeadLetteredAt`) and last (`deadLetteredAt`); `cursor` pages on.
 * - `GET  /admin/dead-letters/:key` — one letter (key = `event_id`, or `event_id@destination`
 *   for destinations other than `default`).
 * - `POST /admin/dead-letters/replay` `{"keys": [...]}` or `{"reason": "configuration"}`
 *   (optionally with `"destination"`; `"dryRun": true` to only see what would happen) — re-queues
 *   the original event, same `event_id`, `event_time` and destination, once per letter, marked as
 *   a re-drive (the consumer sends it to Meta alone, never beside healthy leads); refuses what
 *   Meta would no longer accept (past 7 days) and what was re-driven already.
 * - `DELETE /admin/dead-letters/:key` — discards a letter.
 *
 * Answers show which user_data fields an event carries, never their values (not even hashes),
 * and never the IP address.
 */
import type { HonoRequest, MiddlewareHandler } from "hono";
import { Hono } from "hono/tiny";
import {
  deadLetterStore,
  deadLetterView,
  dryRunReport,
  planReplay,
  REPLAY_LIMIT,
  replay,
  replayRefusal,
} from "../delivery/deadLetters";
import { logLine } from "../core/log";
import type { Runtime } from "../core/runtime";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "../delivery/messages";
import { authenticate, WebhookVerificationError } from "./auth";
import { type FailedAuthLimit, failedAuthLimit } from "./authLimit";
import { clientAddressKey } from "./clientAddress";
import type { AdminBindings } from "./bindings";
import { ApiError } from "./errors";
import { metricsRoutes } from "./metricsRoute";
import {
  type AdminSession,
  CSRF_FIELD,
  CSRF_HEADER,
  readSession,
  requestSite,
  sessionTokenOf,
  validCsrf,
} from "./session";
import { sessionEnded } from "./sessionEnd";

/** What the admin routes and the console see: their bindings, and the credential {@link adminAuth} accepted. */
export type AdminEnv = { Bindings: AdminBindings; Variables: { admin: AdminCredential } };

/** How an operator's request was authenticated. */
export type AdminCredential = { via: "bearer" } | { via: "session"; session: AdminSession };

/** Methods that change nothing, and so need no CSRF token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * `ADMIN_SECRET`, or `""` when it is unset.
 *
 * @example
 * ```ts
 * if (!adminSecret(c.env)) throw new ApiError("admin_disabled", "Set the ADMIN_SECRET secret");
 * ```
 */
export function adminSecret(env: { ADMIN_SECRET?: unknown }): string {
  return typeof env.ADMIN_SECRET === "string" ? env.ADMIN_SECRET : "";
}

/** What an admin credential is checked with: the request's headers and the Worker's bindings. */
export interface AdminRequest {
  headers: Headers;
  env: Partial<Pick<Env, "ADMIN_SECRET" | "ADMIN_AUTH_RATE_LIMIT" | "METRICS">>;
}

/** The outside world of the admin guard: the clock and the log, and the limit on failed secrets (./authLimit). */
export type AdminGuardRuntime = Pick<Runtime, "now" | "log"> & { authLimit?: FailedAuthLimit };

/**
 * Who is asking: `Authorization: Bearer <ADMIN_SECRET>` (compared in constant time), else a
 * console session cookie that is valid and not ended by a logout (./sessionEnd); `undefined` for
 * neither. A wrong Bearer is refused even with a valid cookie beside it (a script's mistake should
 * not be papered over by a browser's session): it counts one failed authentication of the client
 * (./authLimit), is logged (the reason, never the value or the address), and is thrown as 401
 * `unauthorized`, or 429 `rate_limited` once the client is over the limit; a client already over
 * it is answered 429 before its Bearer is compared at all.
 *
 * @throws ApiError `unauthorized` or `rate_limited` for a wrong Bearer
 * @example
 * ```ts
 * const credential = await adminCredential({ headers: c.req.raw.headers, env: c.env }, runtime);
 * if (credential === undefined) return loginForm();
 * ```
 */
export async function adminCredential(
  request: AdminRequest,
  runtime: AdminGuardRuntime,
): Promise<AdminCredential | undefined> {
  const secret = adminSecret(request.env);
  if (!secret) return undefined;
  const authorization = request.headers.get("authorization");
  const now = runtime.now();
  if (authorization !== null) {
    const limit = runtime.authLimit ?? failedAuthLimit;
    const client = clientAddressKey(request.headers);
    refuseLimited({ limit, client, now, log: runtime.log, route: "admin" });
    try {
      // Bearer only: the signature headers of webhooks are not accepted here.
      await authenticate(new Headers({ authorization }), "", secret, now);
      return { via: "bearer" };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      const wait = await failedAuthentication({
        request,
        runtime,
        limit,
        client,
        reason: error.reason,
        route: "admin",
      });
      if (wait !== undefined) throw tooManyFailures(wait);
      throw new ApiError("unauthorized", "Wrong Authorization: Bearer <ADMIN_SECRET>");
    }
  }
  const session = await readSession(sessionTokenOf(request.headers.get("cookie")), secret, now);
  if (session === undefined || (await sessionEnded(request.env, session, now, runtime.log))) return undefined;
  return { via: "session", session };
}

/**
 * Answers 429 before any secret is compared when the client is known to be over the limit on
 * failed authentications (and logs it).
 *
 * @throws ApiError `rate_limited`
 * @example
 * ```ts
 * refuseLimited({ limit: failedAuthLimit, client, now, log: runtime.log, route: "login" });
 * ```
 */
export function refuseLimited(input: {
  limit: FailedAuthLimit;
  client: string;
  now: number;
  log: Runtime["log"];
  route: "admin" | "login";
}): void {
  const wait = input.limit.retryAfter(input.client, input.now);
  if (wait === undefined) return;
  logLine(input.log, { msg: "admin", level: "warn", route: input.route, outcome: "rate_limited", status: 429 });
  throw tooManyFailures(wait);
}

/**
 * Counts and logs one failed admin authentication: the reason, never the value presented nor the
 * client's address. Returns the seconds to wait when that failure took the client over the limit.
 *
 * @example
 * ```ts
 * const wait = await failedAuthentication({ request, runtime, limit, client, reason: "wrong_secret", route: "login" });
 * ```
 */
export async function failedAuthentication(input: {
  request: AdminRequest;
  runtime: AdminGuardRuntime;
  limit: FailedAuthLimit;
  client: string;
  reason: string;
  route: "admin" | "login";
}): Promise<number | undefined> {
  const { request, runtime, limit, client, reason, route } = input;
  const wait = await limit.fail(request.env.ADMIN_AUTH_RATE_LIMIT, client, runtime.now());
  logLine(runtime.log, {
    msg: "admin",
    level: "warn",
    route,
    outcome: "auth_failed",
    reason,
    status: wait === undefined ? 401 : 429,
  });
  return wait;
}

/**
 * The 429 of a client over the limit on failed admin authentications.
 *
 * @example
 * ```ts
 * throw tooManyFailures(60); // 429, Retry-After: 60
 * ```
 */
export function tooManyFailures(retryAfter: number): ApiError<"rate_limited"> {
  return new ApiError("rate_limited", `Too many wrong secrets from your network: try again in ${retryAfter} s`, {
    retryAfter,
  });
}

/**
 * The guard of every `/admin` route but the console's page and login: without `ADMIN_SECRET`,
 * 503 `admin_disabled`; a wrong Bearer, 401 `unauthorized` or 429 `rate_limited`
 * ({@link adminCredential}); without a credential, 401 `unauthorized`. A state-changing request
 * (POST, DELETE, …) made with the session cookie must also come from the console's own origin
 * (`Origin` / `Sec-Fetch-Site`; else 403 `cross_origin`) and carry the session's CSRF token in
 * `x-csrf-token` (or, from a plain HTML form, the `csrf_token` field; else 403 `csrf_failed`).
 * Bearer needs neither: a script holding the secret is no forged request. The credential is left
 * in `c.var.admin`.
 *
 * @param runtime the clock and the log (a test gives its own), and optionally the failure limit
 * @example
 * ```ts
 * routes.post("/logout", adminAuth(runtime), (c) => …);
 * ```
 */
export function adminAuth(runtime: AdminGuardRuntime): MiddlewareHandler<{
  Bindings: AdminRequest["env"];
  Variables: { admin: AdminCredential };
}> {
  return async (c, next) => {
    const secret = adminSecret(c.env);
    if (!secret) throw new ApiError("admin_disabled", "Set the ADMIN_SECRET secret to use the admin routes");
    const credential = await adminCredential({ headers: c.req.raw.headers, env: c.env }, runtime);
    if (credential === undefined) {
      throw new ApiError("unauthorized", "Send Authorization: Bearer <ADMIN_SECRET>, or log in at /admin");
    }
    if (credential.via === "session" && !SAFE_METHODS.has(c.req.method)) {
      if (requestSite(c.req.raw.headers, c.req.url) !== "same") {
        throw new ApiError("cross_origin", "A console action must come from the console's own page");
      }
      if (!(await validCsrf(await presentedCsrf(c.req), credential.session, secret))) {
        throw new ApiError("csrf_failed", "Missing or wrong CSRF token: reload the console and try again");
      }
    }
    c.set("admin", credential);
    await next();
  };
}

/** The CSRF token a request carries: the header, else the field of a form body. */
async function presentedCsrf(req: HonoRequest): Promise<string | undefined> {
  const header = req.header(CSRF_HEADER);
  if (header) return header;
  const type = req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) return undefined;
  const form = await req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const field = form[CSRF_FIELD];
  return typeof field === "string" ? field : undefined;
}

/**
 * The operator's routes; the app mounts them with `app.route("/admin", adminRoutes(runtime))`.
 *
 * @param runtime the clock every route reads, and the log of failed authentications
 * @example
 * ```sh
 * curl -H "Authorization: Bearer $ADMIN_SECRET" https://relay.example.workers.dev/admin/dead-letters
 * curl -X POST -H "Authorization: Bearer $ADMIN_SECRET" -H "content-type: application/json" \
 *   -d '{"keys":["cartful.ses_5f1c9a7e2b.2"]}' https://relay.example.workers.dev/admin/dead-letters/replay
 * ```
 */
export function adminRoutes(runtime: AdminGuardRuntime): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();
  routes.use("*", adminAuth(runtime));

  /** The dead-letter routes need the store; the metrics and the console do not. */
  const needsDeadLetters: MiddlewareHandler<AdminEnv> = async (c, next) => {
    if (!c.env.DEAD_LETTERS) throw new ApiError("not_configured", "DEAD_LETTERS is not bound");
    await next();
  };
  routes.use("/dead-letters", needsDeadLetters);
  routes.use("/dead-letters/*", needsDeadLetters);

  routes.get("/dead-letters", async (c) => {
    const reason = c.req.query("reason");
    if (reason !== undefined && !DEAD_LETTER_REASONS.includes(reason as DeadLetterReason)) {
      throw new ApiError("invalid_reason", `reason must be one of ${DEAD_LETTER_REASONS.join(", ")}`);
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
    const now = runtime.now();
    return c.json({
      deadLetters: page.letters.map((letter) => ({
        ...deadLetterView(letter),
        replayable: replayRefusal(letter, now) === undefined,
      })),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  });

  routes.get("/dead-letters/:key", async (c) => {
    const [letter] = await deadLetterStore(c.env.DEAD_LETTERS!).get([c.req.param("key")]);
    if (!letter) throw new ApiError("not_found", "No dead letter with that key");
    return c.json({ ...deadLetterView(letter), replayable: replayRefusal(letter, runtime.now()) === undefined });
  });

  routes.delete("/dead-letters/:key", async (c) => {
    const deleted = await deadLetterStore(c.env.DEAD_LETTERS!).remove([c.req.param("key")]);
    if (deleted <= 0) throw new ApiError("not_found", "No dead letter with that key");
    return c.json({ deleted });
  });

  routes.post("/dead-letters/replay", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError("invalid_json", "Body must be JSON");
    }
    const request = parseReplayRequest(body);
    if ("error" in request) throw new ApiError("invalid_request", request.error);
    if (!c.env.CAPI_QUEUE) throw new ApiError("not_configured", "CAPI_QUEUE is not bound");
    const store = deadLetterStore(c.env.DEAD_LETTERS!);
    const letters =
      "keys" in request
        ? await store.get(request.keys)
        : (
            await store.list({
              limit: REPLAY_LIMIT,
              reason: request.reason,
              ...(request.destination ? { destination: request.destination } : {}),
            })
          ).letters;
    const plan = planReplay(letters, "keys" in request ? request.keys : [], runtime.now());
    const report = request.dryRun ? dryRunReport(plan) : await replay(c.env, plan, runtime.now(), runtime);
    return c.json(report);
  });
  routes.route("/metrics", metricsRoutes(runtime));
  return routes;
}

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
):
  | { keys: string[]; dryRun: boolean }
  | { reason: DeadLetterReason; destination?: string; dryRun: boolean }
  | { error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: "Body must be a JSON object" };
  const { keys, reason, dryRun, destination } = body as Record<string, unknown>;
  if (dryRun !== undefined && typeof dryRun !== "boolean") return { error: "dryRun must be true or false" };
  const dry = dryRun === true;
  if (keys !== undefined && reason !== undefined) return { error: "Give keys or reason, not both" };
  if (keys !== undefined) {
    if (
      !Array.isArray(keys) ||
      keys.length === 0 ||
      keys.length > REPLAY_LIMIT ||
      !keys.every((k) => typeof k === "string" && k !== "")
    ) {
      return { error: `keys must be 1 to ${REPLAY_LIMIT} dead-letter keys (event ids)` };
    }
    return { keys: [...new Set(keys as string[])], dryRun: dry };
  }
  if (destination !== undefined && (typeof destination !== "string" || !/^[a-z0-9_-]{1,32}$/.test(destination))) {
    return { error: "destination must be a destination's name" };
  }
  if (typeof reason === "string" && DEAD_LETTER_REASONS.includes(reason as DeadLetterReason)) {
    return {
      reason: reason as DeadLetterReason,
      ...(destination ? { destination: destination as string } : {}),
      dryRun: dry,
    };
  }
  return { error: `Give keys, or a reason among ${DEAD_LETTER_REASONS.join(", ")}` };
}
