/**
 * `GET /admin/metrics?window=24h`: the contract's JSON counts per destination (`default` for the
 * single destination), read from the metrics store after this isolate's buffered counts are
 * written, so a caller sees every webhook this isolate answered. Windows: `1h`, `24h` (default),
 * `7d`. Mounted under the admin routes, so it needs `ADMIN_SECRET` like them.
 *
 * @example
 * ```sh
 * curl -H "Authorization: Bearer $ADMIN_SECRET" "$RELAY/admin/metrics?window=7d"
 * ```
 */
import { Hono } from "hono";
import type { Runtime } from "../core/runtime";
import { ConfigError, configFor } from "../config/settings";
import { metricsAnswer, type MetricsWindow, WINDOWS } from "../observe/metrics";
import { flushMetrics, metricsStore } from "../observe/recorder";
import { ApiError } from "./errors";

/**
 * The metrics route, on the runtime's clock; the admin routes mount it at `/admin/metrics`.
 *
 * @example
 * ```ts
 * routes.route("/metrics", metricsRoutes(runtime));
 * ```
 */
export function metricsRoutes(runtime: Pick<Runtime, "now">): Hono<{ Bindings: Partial<Pick<Env, "METRICS">> }> {
  const routes = new Hono<{ Bindings: Partial<Pick<Env, "METRICS">> }>();
  routes.get("/", async (c) => {
    const window = c.req.query("window") ?? "24h";
    if (!Object.hasOwn(WINDOWS, window)) {
      throw new ApiError("invalid_window", `window must be one of ${Object.keys(WINDOWS).join(", ")}`);
    }
    const store = metricsStore(c.env);
    if (!store) throw new ApiError("not_configured", "METRICS is not bound");
    await flushMetrics(c.env);
    let names: string[] = [];
    try {
      names = configFor(c.env).destinations.map((destination) => destination.name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
    const now = runtime.now();
    const [counts, eventNames] = await Promise.all([
      store.windowCounts(window as MetricsWindow, now),
      store.windowEventNames(window as MetricsWindow, now),
    ]);
    c.header("Cache-Control", "no-store");
    return c.json(metricsAnswer(new Map(Object.entries(counts)), window as MetricsWindow, names, eventNames));
  });
  return routes;
}
