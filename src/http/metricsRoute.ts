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
import { Hono } from "hono/tiny";
import type { Runtime } from "../core/runtime";
import { ConfigError, configFor } from "../config/settings";
import { metricsAnswer, type MetricsWindow, WINDOWS } from "../observe/metrics";
import { metricsStoreOf } from "../observe/instances";
import { flushMetrics } from "../observe/recorder";
import { type CircuitBinding, circuitOf } from "../delivery/holds";
import { ApiError } from "./errors";

/**
 * The metrics route, on the runtime's clock; the admin routes mount it at `/admin/metrics`.
 *
 * @example
 * ```ts
 * routes.route("/metrics", metricsRoutes(runtime));
 * ```
 */
export function metricsRoutes(runtime: Pick<Runtime, "now">): Hono<{ Bindings: MetricsRouteBindings }> {
  const routes = new Hono<{ Bindings: MetricsRouteBindings }>();
  routes.get("/", async (c) => {
    const window = c.req.query("window") ?? "24h";
    if (!Object.hasOwn(WINDOWS, window)) {
      throw new ApiError("invalid_window", `window must be one of ${Object.keys(WINDOWS).join(", ")}`);
    }
    const store = metricsStoreOf(c.env);
    if (!store) throw new ApiError("not_configured", "METRICS is not bound");
    await flushMetrics(c.env);
    let names: string[] = [];
    try {
      names = configFor(c.env).destinations.map((destination) => destination.name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
    const now = runtime.now();
    const [counts, eventNames, heldNow] = await Promise.all([
      store.windowCounts(window as MetricsWindow, now),
      store.windowEventNames(window as MetricsWindow, now),
      heldNowOf(c.env, names, now),
    ]);
    c.header("Cache-Control", "no-store");
    return c.json(
      metricsAnswer(new Map(Object.entries(counts)), window as MetricsWindow, names, { eventNames, heldNow }),
    );
  });
  return routes;
}

/** What the route reads: the metrics store, and the circuits (what each holds now). */
type MetricsRouteBindings = Partial<Pick<Env, "METRICS">> & CircuitBinding;

/** What each destination's circuit holds now (`held_now`); a circuit that cannot be asked is left out. */
async function heldNowOf(env: CircuitBinding, names: string[], now: number): Promise<Map<string, number>> {
  const held = await Promise.all(
    names.map(async (name) => {
      const status = await circuitOf(env, name)
        ?.status(now)
        .catch(() => undefined);
      return [name, status?.held] as const;
    }),
  );
  return new Map(held.filter((entry): entry is readonly [string, number] => entry[1] !== undefined));
}
