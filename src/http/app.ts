/**
 * The HTTP shell: the Hono app that wires the routes to the webhook handler (./webhookRoute), the
 * health check and the operator routes (./admin). Routes, status codes and the error shape are the
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
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { logLine } from "../core/log";
import { SOURCE } from "../config/destinations";
import { ConfigError, configFor, type RelayConfig } from "../config/settings";
import type { QueueBindings } from "../delivery/bindings";
import { circuitName } from "../delivery/holds";
import { webhookBatch } from "../observe/metrics";
import { recordLater } from "../observe/recorder";
import { adminRoutes } from "./admin";
import { consoleRoutes } from "./console/routes";
import { errorAnswer, handleWebhook, type RouteDeps } from "./webhookRoute";

/** The contract's limit on a webhook body. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The outside world, injectable for tests. */
export type AppDeps = RouteDeps;

type AppEnv = { Bindings: QueueBindings };

/**
 * Builds the relay's Hono app. Every dependency on the outside world can be replaced.
 */
export function createApp(overrides: Partial<AppDeps> = {}): Hono<AppEnv> {
  const deps: AppDeps = {
    // Late-bound, so a test that stubs globalThis.fetch is honoured.
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log: (line) => console.log(line),
    metrics: (env, record, waitUntil) => recordLater(env, webhookBatch(record, deps.now()), waitUntil),
    ...overrides,
  };
  const app = new Hono<AppEnv>();

  app.get("/healthz", async (c) => {
    let config: RelayConfig;
    try {
      config = configFor(c.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return c.json({ status: "ok", mode: "misconfigured", reason: error.message });
    }
    const destinations = await destinationModes(c.env, config, deps.now());
    const modes = destinations.map((d) => d.mode);
    const mode = modes.includes("misconfigured") ? "misconfigured" : modes.includes("live") ? "live" : "dry_run";
    return c.json({ status: "ok", mode, destinations });
  });

  const limit = (preview: boolean) =>
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => {
        if (!preview) deps.metrics(c.env, { outcome: "invalid", destinations: [] });
        return errorAnswer(c, 413, "payload_too_large", `Body is over ${MAX_BODY_BYTES / 1024} KiB`);
      },
    });
  const post = (preview: boolean) => (c: Context<AppEnv>) => {
    const source = c.req.param("source");
    if (source !== undefined && !SOURCE.test(source)) return errorAnswer(c, 404, "not_found", "No such route");
    return handleWebhook(c, deps, preview, source);
  };
  const notPost = (c: Context<AppEnv>) => errorAnswer(c, 405, "method_not_allowed", "Use POST");
  for (const path of [
    "/webhooks/cartful",
    "/webhooks/cartful/preview",
    "/webhooks/cartful/:source",
    "/webhooks/cartful/:source/preview",
  ]) {
    const preview = path.endsWith("/preview");
    app.post(path, limit(preview), post(preview));
    app.all(path, notPost);
  }

  app.route("/admin", consoleRoutes(deps));
  app.route("/admin", adminRoutes);

  app.notFound((c) => errorAnswer(c, 404, "not_found", "No such route"));
  app.onError((error, c) => {
    logLine(deps.log, { msg: "error", level: "error", outcome: "internal_error", reason: error.name });
    return errorAnswer(c, 500, "internal_error", "Unexpected error");
  });
  return app;
}

/**
 * Each destination's mode, never a secret: `live`, `dry_run` (no token), or `misconfigured`
 * (its circuit is open: Meta refuses its configuration, or its token or settings are missing,
 * and its events wait).
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
      if (held) return { ...base, mode: "misconfigured" as const, ...held };
      return { ...base, mode: destination.target ? ("live" as const) : ("dry_run" as const) };
    }),
  );
}
