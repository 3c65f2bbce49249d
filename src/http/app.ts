/**
 * The HTTP shell: the Hono app that wires the routes to the webhook handler (./webhookRoute), the
 * browser events' endpoint (./collectRoute), the health check and the operator routes (./admin). Routes, status codes and the error shape are the
 * contract's, documented in docs/api.md.
 *
 * @example
 * ```ts
 * // src/index.ts
 * export default { fetch: createApp().fetch };
 * // a test with a fake Graph and a frozen clock
 * const app = createApp({ fetch: fakeGraph, now: () => 1764096127000, sleep: async () => {} });
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono/tiny";
import { logLine } from "../core/log";
import { jsonWithoutInvisible } from "../core/shownText";
import { defaultRuntime } from "../core/runtime";
import { SOURCE } from "../config/destinations";
import { ConfigError, configFor, type RelayConfig } from "../config/settings";
import type { QueueBindings } from "../delivery/bindings";
import { circuitName } from "../delivery/holds";
import { browserBatch, webhookBatch } from "../observe/metrics";
import { recordLater } from "../observe/recorder";
import { adminRoutes } from "./admin";
import type { AppBindings } from "./bindings";
import { COLLECT_PATH, collectRoutes } from "./collectRoute";
import { consoleRoutes } from "./console/routes";
import { ApiError, errorResponse } from "./errors";
import { readBody } from "./requestBody";
import {
  acceptWebhook,
  previewWebhook,
  refuseUnreadWebhook,
  unreadableBody,
  type WebhookRuntime,
} from "./webhookRoute";

/** The contract's limit on a webhook body. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The app's bindings: the webhook routes' and the operator's. */
type AppEnv = { Bindings: AppBindings };

/**
 * Builds the relay's Hono app. Every part of the outside world (core's `Runtime`) can be replaced,
 * and so can the webhook's metrics recorder (by default, the isolate's buffer of ../observe/recorder).
 */
export function createApp(overrides: Partial<WebhookRuntime> = {}): Hono<AppEnv> {
  const { metrics, ...replaced } = overrides;
  const world = defaultRuntime(replaced);
  const runtime: WebhookRuntime = {
    ...world,
    metrics: metrics ?? ((env, record, waitUntil) => recordLater(env, webhookBatch(record, world.now()), waitUntil)),
  };
  const app = new Hono<AppEnv>();
  app.use("*", answersWithoutInvisible);

  app.get("/healthz", async (c) => {
    let config: RelayConfig;
    try {
      config = configFor(c.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return c.json({ status: "ok", mode: "misconfigured", reason: error.message });
    }
    const destinations = await destinationModes(c.env, config, runtime.now());
    const modes = destinations.map((d) => d.mode);
    const mode = modes.includes("misconfigured") ? "misconfigured" : modes.includes("live") ? "live" : "dry_run";
    return c.json({ status: "ok", mode, destinations });
  });

  const tooLarge = () => new ApiError("payload_too_large", `Body is over ${MAX_BODY_BYTES / 1024} KiB`);
  // A webhook refused before its body is read is counted like any other refusal (`invalid` only
  // when a valid Bearer authenticated it, see ./webhookRoute's refuseUnreadWebhook); a preview never is.
  const webhookLimit = bodyLimited({
    tooLarge: (c) => refuseUnreadWebhook(c, runtime, { error: tooLarge(), outcome: "too_large" }),
    broken: (c) => refuseUnreadWebhook(c, runtime, { error: unreadableBody(), outcome: "unreadable" }),
  });
  const previewLimit = bodyLimited({
    tooLarge: (c) => errorResponse(c, tooLarge()),
    broken: (c) => errorResponse(c, unreadableBody()),
  });
  const accept = (c: Context<AppEnv>) => acceptWebhook(c, runtime, sourceOf(c));
  const preview = (c: Context<AppEnv>) => previewWebhook(c, runtime, sourceOf(c));
  const notPost = (c: Context<AppEnv>) => errorResponse(c, new ApiError("method_not_allowed", "Use POST"));
  // In this order: `/webhooks/cartful/preview` is matched before `/webhooks/cartful/:source`.
  app.post("/webhooks/cartful", webhookLimit, accept);
  app.all("/webhooks/cartful", notPost);
  app.post("/webhooks/cartful/preview", previewLimit, preview);
  app.all("/webhooks/cartful/preview", notPost);
  app.post("/webhooks/cartful/:source", webhookLimit, accept);
  app.all("/webhooks/cartful/:source", notPost);
  app.post("/webhooks/cartful/:source/preview", previewLimit, preview);
  app.all("/webhooks/cartful/:source/preview", notPost);

  // Browser events: off (404) until BROWSER_ORIGINS is set; counted through the same buffer.
  app.route(
    COLLECT_PATH,
    collectRoutes({
      ...world,
      metrics: (env, record, waitUntil) => recordLater(env, browserBatch(record, world.now()), waitUntil),
    }),
  );

  app.route("/admin", consoleRoutes(runtime));
  app.route("/admin", adminRoutes(runtime));

  app.notFound((c) => errorResponse(c, new ApiError("not_found", "No such route")));
  // Every refusal is an ApiError (./errors), thrown by a route and answered here in the contract's
  // shape; anything else is the relay's own fault: logged by name, answered 500.
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    logLine(runtime.log, { msg: "error", level: "error", outcome: "internal_error", reason: error.name });
    return errorResponse(c, new ApiError("internal_error", "Unexpected error"));
  });
  return app;
}

/**
 * The webhook routes' body limit (as Hono's `bodyLimit`), and what to answer when the body is over
 * it or breaks off while the limit reads it: a client that goes away mid-body is its own problem,
 * answered 400, never a 500. The body is read once, here (./requestBody), and the bytes read are
 * what the route reads (Hono's body cache), not a copy in a new Request read a second time.
 */
function bodyLimited(answers: {
  tooLarge: (c: Context<AppEnv>) => Response | Promise<Response>;
  broken: (c: Context<AppEnv>) => Response | Promise<Response>;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let read: Uint8Array | undefined;
    try {
      read = await readBody(c.req.raw, MAX_BODY_BYTES);
    } catch {
      return answers.broken(c);
    }
    if (read === undefined) return answers.tooLarge(c);
    // Hono keeps a body read once in this cache (its validator does the same with form data).
    (c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer = Promise.resolve(
      read.buffer as ArrayBuffer,
    );
    return next();
  };
}

/** The headers argument of Hono's `c.json` and `c.body`. */
type Headings = Record<string, string | string[]>;

/**
 * Every JSON answer (errors included) without an invisible or direction-changing character as it
 * is: ids come from senders, and an answer read in a terminal must show each as what it is
 * (../core/shownText). The escapes are JSON's own, so a parsed answer holds the same ids: a
 * dead-letter key copied from one still finds its letter.
 *
 * An answer made with `c.json` is escaped as it is written (Hono's own `json`, with the text
 * escaped first), so it need not be read back: in workerd, cloning and reading every answer again
 * took about 7 % of a webhook's own CPU. Any other JSON answer (an error, a `Response` built by
 * hand, or one whose headers were changed after it was made) is read back and escaped here.
 */
const answersWithoutInvisible: MiddlewareHandler = async (c, next) => {
  let escaped: Response | undefined;
  // Hono's `json` is `body` with this content type put first (its `setDefaultContentType`).
  const body = c.body as (data: string, arg?: number | ResponseInit, headers?: Headings) => Response;
  c.json = ((object: unknown, arg?: number | ResponseInit, headers?: Headings) => {
    escaped = body(jsonWithoutInvisible(JSON.stringify(object)), arg, {
      "Content-Type": "application/json",
      ...headers,
    });
    return escaped;
  }) as typeof c.json;
  await next();
  if (escaped !== undefined && c.res === escaped) return;
  if (!/^application\/json\b/i.test(c.res.headers.get("content-type") ?? "")) return;
  const text = await c.res.clone().text();
  const safe = jsonWithoutInvisible(text);
  if (safe === text) return;
  c.res = new Response(safe, { status: c.res.status, headers: c.res.headers });
  c.res.headers.delete("content-length");
};

/** The `{source}` segment a webhook came in on, if any; a name no destination could match is no route (404). */
function sourceOf(c: Context<AppEnv>): string | undefined {
  const source = c.req.param("source");
  if (source !== undefined && !SOURCE.test(source)) throw new ApiError("not_found", "No such route");
  return source;
}

/**
 * Each destination's mode, never a secret: `live`, `dry_run` (the relay's dry-run mode: no
 * destination has a token, or `DRY_RUN=true`), or `misconfigured` (its circuit is open: Meta
 * refuses its configuration, or its token or settings are missing, and its events wait; or its
 * token secret is unset while others are live, `reason: "no_token"`, before any event waits).
 */
async function destinationModes(env: QueueBindings, config: RelayConfig, now: number) {
  return Promise.all(
    config.destinations.map(async (destination) => {
      const base = { name: destination.name, pixel_id: destination.pixelId };
      let held: { held: number; reason?: string } | undefined;
      if (env.DELIVERY_CIRCUIT) {
        const status = await env.DELIVERY_CIRCUIT.get(env.DELIVERY_CIRCUIT.idFromName(circuitName(destination.name)))
          .status(now)
          .catch(() => undefined);
        if (status?.open) held = { held: status.held, ...(status.cause ? { reason: status.cause } : {}) };
      }
      // Meta down for minutes is nobody's misconfiguration: live, with what waits for it.
      if (held?.reason === "meta_unavailable") return { ...base, mode: "live" as const, ...held };
      if (held) return { ...base, mode: "misconfigured" as const, ...held };
      if (destination.target) return { ...base, mode: "live" as const };
      if (config.dryRun) return { ...base, mode: "dry_run" as const };
      // Its token secret is unset on a live relay: its events are held until it is set.
      return { ...base, mode: "misconfigured" as const, held: 0, reason: "no_token" };
    }),
  );
}
