/**
 * The operator console's routes, mounted by the app at `/admin` before the JSON admin routes
 * (../admin):
 *
 * - `GET  /admin` — the console page's shell for a session (or a Bearer): its CSRF token, the
 *   page's scripts and the headline numbers in plain text (./shell); the login form for anyone
 *   else; 503 with a notice while `ADMIN_SECRET` is unset.
 * - `GET  /admin/console.json` — the console's model (./model: ids, counts and Meta's words,
 *   nothing personal) for the page's script, `no-store`, to the same readers (../admin
 *   `adminAuth`); 503 `console_unavailable` when it cannot be read.
 * - `GET  /admin/login` — a 303 to `/admin` (the form lives there); 503 with the same notice while
 *   `ADMIN_SECRET` is unset, like every route under `/admin` (the JSON ones: `admin_disabled`).
 * - `POST /admin/login` — form field `secret`; right: a session cookie and a 303 to `/admin`;
 *   wrong: 401 and the form again, after a second's wait, counted against the client's address
 *   (../authLimit: past the limit, 429 and `Retry-After` before the secret is compared); over plain
 *   http on a host other than the local machine: 400 and the form, saying to use https (the
 *   session cookie is `Secure`, the browser would drop it).
 * - `POST /admin/logout` — ends the session on the server (../sessionEnd) and clears the cookie
 *   (CSRF-checked like every console action).
 * - `POST /admin/destinations/:name/test-event` — `{"test_event_code"?: "TEST…"}` (default: the
 *   destination's own): sends a synthetic lead (./testEvent) and answers
 *   `{"status": "sent", "event_id", "fbtrace_id", …}` or Meta's error; 409 for a dry-run
 *   destination; 400 without any test code (a test event without one would count as a lead).
 * - `POST /admin/destinations/:name/probe` — "Try now" on a paused destination: asks its circuit
 *   to probe Meta at once with one waiting lead (as it does on its own at growing intervals), waits
 *   up to {@link PROBE_WAIT_MS} for the verdict, and answers
 *   `{"status": "recovered" | "paused" | "pending" | "live", "message", …}`, `message` in the
 *   console's words (Meta's refusal included); CSRF-checked like every console action.
 *
 * Every page is `no-store`, `nosniff`, `no-referrer`, under a strict nonce CSP (./layout); the
 * page renders in the browser (../../console), so its templates are not in the Worker's bundle.
 *
 * @example
 * ```ts
 * app.route("/admin", consoleRoutes(runtime)); // then app.route("/admin", adminRoutes)
 * // a test with its own model (./model.sample)
 * consoleRoutes({ ...defaultRuntime(), model: async (_env, now) => sampleConsoleModel(now) });
 * ```
 */
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { html } from "hono/html";
import { bodyLimit } from "hono/body-limit";
import { logLine } from "../../core/log";
import { consumerBatch } from "../../observe/metrics";
import { recordNow } from "../../observe/recorder";
import type { Runtime } from "../../core/runtime";
import { ConfigError, configFor, type Destination, destinationNamed, type RelayConfig } from "../../config/settings";
import { circuitOf, type CircuitStatus } from "../../delivery/holds";
import {
  type AdminEnv,
  type AdminGuardRuntime,
  adminAuth,
  adminCredential,
  adminSecret,
  failedAuthentication,
  refuseLimited,
  tooManyFailures,
} from "../admin";
import { failedAuthLimit } from "../authLimit";
import { clientAddressKey } from "../clientAddress";
import type { AdminBindings, SettingVars } from "../bindings";
import { dryRunCause, dryRunReason, failureCode, metaFields } from "../answers";
import { equalSecretText } from "../auth";
import { ApiError, errorResponse } from "../errors";
import { clearedSessionCookie, csrfToken, issueSession, requestSite, sessionCookie, sessionTokenOf } from "../session";
import { endSession } from "../sessionEnd";
import { buildConsoleModel } from "./data";
import { newNonce, pageHeaders } from "./layout";
import { renderLogin, renderNotice, SECRET_FIELD } from "./login";
import type { ConsoleModel } from "./model";
import { CONSOLE_MODEL_PATH } from "./script";
import { renderShell } from "./shell";
import { failureText } from "./metaText";
import { sendTestEvent, TEST_EVENT_CODE } from "./testEvent";

/** Assembles the console's data as of `now` (ms). */
export type ConsoleModelBuilder = (env: AdminBindings, now: number) => Promise<ConsoleModel>;

/**
 * The outside world of the console, the model's source (default ./data's `buildConsoleModel`),
 * and the limit on failed secrets (default the isolate's, ../authLimit).
 */
export interface ConsoleRuntime extends Runtime, Pick<AdminGuardRuntime, "authLimit"> {
  model?: ConsoleModelBuilder;
}

/** How long a wrong login waits before it is answered: slows guessing, costs no CPU. */
export const LOGIN_FAILURE_DELAY_MS = 1000;

/** How long "Try now" waits for the probe's verdict before answering "pending", and how often it looks. */
export const PROBE_WAIT_MS = 8000;
const PROBE_POLL_MS = 250;

/** Bodies the console's routes read are small: a secret, a test code. */
const SMALL_BODY_BYTES = 4 * 1024;

/**
 * The console's routes.
 *
 * @example
 * ```ts
 * const routes = consoleRoutes(defaultRuntime());
 * await routes.request("/", {}, { ADMIN_SECRET: "s3cret" }); // 200, the login form
 * ```
 */
export function consoleRoutes(runtime: ConsoleRuntime): Hono<AdminEnv> {
  const model = runtime.model ?? buildConsoleModel;
  const routes = new Hono<AdminEnv>();
  const small = bodyLimit({
    maxSize: SMALL_BODY_BYTES,
    onError: (c) => errorResponse(c, new ApiError("payload_too_large", "Body is too large")),
  });
  const page = (c: Context<AdminEnv>, status: 200 | 400 | 401 | 403 | 429 | 503, nonce: string, text: string) =>
    c.body(text, status, pageHeaders(nonce));
  const authLimit = runtime.authLimit ?? failedAuthLimit;
  const off = (c: Context<AdminEnv>, nonce: string) =>
    page(
      c,
      503,
      nonce,
      renderNotice({
        nonce,
        title: "The console is off",
        text: html`<p>It switches on when the relay has an <code>ADMIN_SECRET</code>, the console's password.</p>
<ul><li>On this machine: run <code class="command">npm run dev:meta</code> (a local Meta, with the console on and its password printed), or put <code>ADMIN_SECRET=…</code> (any long random text) in <code>.dev.vars</code> and restart <code>npm run dev</code>.</li>
<li>Deployed: <code class="command">npx wrangler secret put ADMIN_SECRET</code>.</li></ul>`,
      }),
    );

  /** The login form again, 429 with `Retry-After`: too many wrong secrets from this client's network. */
  const limitedLogin = (c: Context<AdminEnv>, nonce: string, error: ApiError) => {
    const wait = error.options.retryAfter ?? 60;
    c.header("retry-after", String(wait));
    const problem = `Too many wrong secrets from your network: wait ${wait} seconds before the next try.`;
    return page(c, 429, nonce, renderLogin({ nonce, problem }));
  };

  routes.get("/", async (c) => {
    const nonce = newNonce();
    const secret = adminSecret(c.env);
    if (!secret) return off(c, nonce);
    // A wrong Bearer is thrown here (401, or 429 past the limit); no credential shows the form.
    const credential = await adminCredential({ headers: c.req.raw.headers, env: c.env }, runtime);
    if (credential === undefined) {
      const ended = sessionTokenOf(c.req.header("cookie")) !== undefined;
      if (ended) c.header("set-cookie", clearedSessionCookie());
      return page(
        c,
        200,
        nonce,
        renderLogin({ nonce, ...(ended ? { problem: "Your session has ended: log in again." } : {}) }),
      );
    }
    const token = credential.via === "session" ? await csrfToken(credential.session, secret) : "";
    // The headline numbers in the page itself, for a reader without its script; when the model
    // cannot be read the shell goes without them (the script's own read says so, and is logged).
    const glance = await model(c.env, runtime.now()).catch(() => undefined);
    return page(c, 200, nonce, renderShell({ nonce, csrfToken: token, ...(glance ? { glance } : {}) }));
  });

  // The page's data, for the page's script (../../console/main): what the console shows, and
  // nothing personal (./model). Never cached: it is the relay's state now, behind the login.
  routes.get(CONSOLE_MODEL_PATH.slice("/admin".length), adminAuth(runtime), async (c) => {
    let data: ConsoleModel;
    try {
      data = await model(c.env, runtime.now());
    } catch (error) {
      logLine(runtime.log, {
        msg: "admin",
        level: "error",
        route: "console",
        outcome: "console_unavailable",
        reason: (error as Error).name,
      });
      throw new ApiError("console_unavailable", "The console's data could not be read");
    }
    return c.json(data, 200, { "cache-control": "no-store" });
  });

  // Off like the console itself while ADMIN_SECRET is unset: a bookmarked login says why.
  routes.get("/login", (c) => (adminSecret(c.env) ? c.redirect("/admin", 303) : off(c, newNonce())));

  routes.post("/login", small, async (c) => {
    const nonce = newNonce();
    const secret = adminSecret(c.env);
    if (!secret) return off(c, nonce);
    if (requestSite(c.req.raw.headers, c.req.url) === "cross") {
      return page(c, 403, nonce, renderLogin({ nonce, problem: "Log in from the console's own page." }));
    }
    if (!keepsSecureCookies(c.req.url)) {
      // The session cookie is `Secure`: over plain http the browser would drop it and show the
      // form again without a word. Said before the secret is compared: it tells a guesser nothing.
      const problem = `This page came over plain http, so the browser will not keep the login (its cookie is Secure). Open the console over https (https://${new URL(c.req.url).host}/admin) and log in there.`;
      return page(c, 400, nonce, renderLogin({ nonce, problem }));
    }
    const client = clientAddressKey(c.req.raw.headers);
    try {
      refuseLimited({ limit: authLimit, client, now: runtime.now(), log: runtime.log, route: "login" });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return limitedLogin(c, nonce, error);
    }
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const presented = form[SECRET_FIELD];
    if (typeof presented !== "string" || !(await equalSecretText(presented, secret))) {
      await runtime.sleep(LOGIN_FAILURE_DELAY_MS);
      const request = { headers: c.req.raw.headers, env: c.env };
      const reason = typeof presented === "string" ? "wrong_secret" : "no_secret";
      const wait = await failedAuthentication({ request, runtime, limit: authLimit, client, reason, route: "login" });
      if (wait !== undefined) return limitedLogin(c, nonce, tooManyFailures(wait));
      return page(
        c,
        401,
        nonce,
        renderLogin({ nonce, problem: "That is not the ADMIN_SECRET. Each wrong try waits a second." }),
      );
    }
    const now = runtime.now();
    const { token, session } = await issueSession(secret, now);
    logLine(runtime.log, { msg: "admin", route: "login", outcome: "login", status: 303 });
    c.header("set-cookie", sessionCookie(token, session, now));
    c.header("cache-control", "no-store");
    return c.redirect("/admin", 303);
  });

  // Ends the session on the server too (../sessionEnd): a copy of the cookie and its CSRF token
  // are refused from now on, not only until the browser forgets them.
  routes.post("/logout", adminAuth(runtime), async (c) => {
    const credential = c.get("admin");
    if (credential.via === "session") await endSession(c.env, credential.session, runtime.now());
    c.header("set-cookie", clearedSessionCookie());
    c.header("cache-control", "no-store");
    logLine(runtime.log, { msg: "admin", route: "logout", outcome: "logout", status: 303 });
    return c.redirect("/admin", 303);
  });

  routes.post("/destinations/:name/test-event", adminAuth(runtime), small, async (c) => {
    const { config, destination } = namedDestination(c.env, c.req.param("name"));
    const name = destination.name;
    if (!destination.target) {
      const message = destination.missingToken
        ? `Destination ${name} has no token: set the ${destination.missingToken.secret} secret (npx wrangler secret put ${destination.missingToken.secret}) before sending a test event`
        : `The relay runs dry: ${dryRunReason(dryRunCause(c.env))}. It sends nothing, test events included`;
      throw new ApiError("dry_run", message);
    }
    const asked = testCodeAsked(await c.req.text());
    if ("error" in asked) throw new ApiError("invalid_request", asked.error);
    const code = asked.code ?? destination.testEventCode;
    if (!code) {
      const message =
        "Give a test_event_code (Events Manager → Test events): an event without one would count as a real lead";
      throw new ApiError("test_event_code_required", message);
    }
    if (!TEST_EVENT_CODE.test(code))
      throw new ApiError("invalid_request", "test_event_code must be 1 to 64 letters, digits, - or _");

    const result = await sendTestEvent(config, destination, code, {
      fetch: runtime.fetch,
      now: runtime.now,
      sleep: runtime.sleep,
      random: runtime.random,
      record: (report) => recordNow(c.env, consumerBatch(report, runtime.now())),
      log: runtime.log,
      assets: c.env.ASSETS,
    });
    const ids = { destination: name, event_id: result.eventId };
    if (result.ok) {
      const fbtrace = result.fbtraceId ? { fbtrace_id: result.fbtraceId } : {};
      logLine(runtime.log, {
        msg: "admin",
        route: "test_event",
        outcome: "sent",
        attempts: result.attempts,
        ...ids,
        ...fbtrace,
      });
      return c.json({
        status: "sent",
        ...ids,
        test_event_code: code,
        events_received: result.eventsReceived,
        attempts: result.attempts,
        ...fbtrace,
      });
    }
    const failure = result.failure;
    const error = new ApiError(failureCode(failure), failure.userMessage ?? failure.message, {
      detail: metaFields(failure),
      extra: { ...ids, attempts: result.attempts },
    });
    logLine(runtime.log, {
      msg: "admin",
      level: "warn",
      route: "test_event",
      outcome: error.code,
      status: error.status,
      attempts: result.attempts,
      ...ids,
      ...metaFields(failure),
    });
    throw error;
  });

  routes.post("/destinations/:name/probe", adminAuth(runtime), async (c) => {
    const { destination } = namedDestination(c.env, c.req.param("name"));
    const name = destination.name;
    const circuit = circuitOf(c.env, name);
    if (!circuit) throw new ApiError("not_configured", "No delivery circuit is bound (DELIVERY_CIRCUIT)");
    const before = await circuit.status(runtime.now());
    if (!before.open && before.held === 0) {
      return c.json({ status: "live", destination: name, message: `Nothing waits: ${name} is not paused.` });
    }
    await circuit.probeSoon(runtime.now());
    logLine(runtime.log, { msg: "admin", route: "probe", outcome: "probe_requested", destination: name });
    let after: CircuitStatus = before;
    for (let waited = 0; waited < PROBE_WAIT_MS; waited += PROBE_POLL_MS) {
      await runtime.sleep(PROBE_POLL_MS);
      after = await circuit.status(runtime.now());
      if (!after.open || probed(before, after)) break;
    }
    return c.json(probeAnswer(name, before, after));
  });

  return routes;
}

/** Whether a probe ran between two readings of an open circuit: it counted, or set the next one. */
function probed(before: CircuitStatus, after: CircuitStatus): boolean {
  return after.probes !== before.probes || after.nextProbeAt !== before.nextProbeAt;
}

/** What "Try now" answers, in the console's words. */
function probeAnswer(name: string, before: CircuitStatus, after: CircuitStatus) {
  const base = { destination: name, held: after.held };
  if (!after.open) {
    return {
      status: "recovered" as const,
      ...base,
      message: `Meta accepted the lead: ${name} is live again, and its ${before.held} waiting ${before.held === 1 ? "lead goes" : "leads go"} back on the queue.`,
    };
  }
  if (!probed(before, after)) {
    return {
      status: "pending" as const,
      ...base,
      message: "The try is under way: reload in a moment to see Meta's answer.",
    };
  }
  const next =
    after.nextProbeAt !== undefined
      ? ` Next automatic try at ${new Date(after.nextProbeAt).toISOString().slice(11, 19)} UTC.`
      : "";
  return {
    status: "paused" as const,
    ...base,
    message: `Still refused${after.lastFailure ? `: ${failureText(after.lastFailure)}` : ""}.${next}`,
    ...(after.lastFailure ? { meta_code: after.lastFailure.code, fbtrace_id: after.lastFailure.fbtraceId } : {}),
  };
}

/**
 * Whether a browser keeps a `Secure` cookie set by an answer to this URL: over https, or on the
 * local machine (browsers treat `localhost` and loopback addresses as secure, as `wrangler dev` needs).
 */
function keepsSecureCookies(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === "https:") return true;
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname === "[::1]"
  );
}

/** The `test_event_code` of a test-event request: none (empty body, or the field absent), one, or why the body is wrong. */
function testCodeAsked(body: string): { code?: string } | { error: string } {
  const text = body.trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: "Body must be JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { error: "Body must be a JSON object" };
  const code = (parsed as Record<string, unknown>).test_event_code;
  if (code === undefined || code === null) return {};
  if (typeof code !== "string") return { error: "test_event_code must be text" };
  return code.trim() === "" ? {} : { code: code.trim() };
}

/**
 * The settings and the destination a console action names: 503 when the settings cannot be
 * read, 404 when no destination has that name.
 */
function namedDestination(env: SettingVars, name: string): { config: RelayConfig; destination: Destination } {
  let config: RelayConfig;
  try {
    config = configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ApiError("relay_misconfigured", error.message);
  }
  const destination = destinationNamed(config, name);
  if (!destination) throw new ApiError("not_found", "No destination of that name");
  return { config, destination };
}
