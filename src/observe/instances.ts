/**
 * Which Durable Object instance to call for metrics: the one metrics store
 * ({@link metricsStoreOf}). A name and a stub only, without storage: the class (./metricsStore)
 * imports `cloudflare:workers`, which modules tested in Node cannot load.
 */

/** The metrics store's one Durable Object instance. */
export const METRICS_STORE_NAME = "metrics";

/**
 * The metrics store, or undefined when `METRICS` is not bound (nothing is recorded then).
 *
 * @example
 * ```ts
 * await metricsStoreOf(env)?.windowCounts("24h", Date.now());
 * ```
 */
export function metricsStoreOf(env: Partial<Pick<Env, "METRICS">>): ReturnType<Env["METRICS"]["get"]> | undefined {
  const namespace = env.METRICS;
  return namespace?.get(namespace.idFromName(METRICS_STORE_NAME));
}
