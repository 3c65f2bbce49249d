/**
 * The Cron Trigger's hourly round (wrangler.jsonc `triggers.crons`): reads Meta's Dataset
 * Quality for each destination that has a token to read with, and keeps the answer for the
 * console; and asks each destination's delivery circuit for its status, which re-arms a probe
 * alarm that was lost, so held events are never forgotten.
 *
 * @example
 * ```ts
 * export default {
 *   scheduled: (controller, env, ctx) => ctx.waitUntil(hourlyRound(env, defaultRuntime({ now: () => controller.scheduledTime }))),
 * };
 * ```
 */
import { logLine } from "../core/log";
import type { Runtime } from "../core/runtime";
import { ConfigError, configFor, type WorkerVars } from "../config/settings";
import { type CircuitBinding, circuitOf } from "../delivery/holds";
import { readDatasetQuality } from "./datasetQuality";
import { metricsStoreOf } from "./instances";
import type { MetricsBindings } from "./recorder";

/** What the round reads: the settings' vars and secrets (by name), the circuits and the metrics store. */
export type RoundEnv = WorkerVars & CircuitBinding & MetricsBindings;

/** What the round needs from the world (`now`: the round's time, read once). */
export type RoundDeps = Pick<Runtime, "fetch" | "now" | "log">;

/** What the round did, per destination (for its log line and tests). */
export type RoundReport = { destination: string; quality: string; circuit: "open" | "closed" | "unbound" }[];

/**
 * One round. Never throws: a destination's failure is logged and the others go on.
 *
 * @example
 * ```ts
 * await hourlyRound(env, defaultRuntime({ now: () => controller.scheduledTime }));
 * // [{ destination: "default", quality: "ok", circuit: "closed" }]
 * ```
 */
export async function hourlyRound(env: RoundEnv, runtime: RoundDeps): Promise<RoundReport> {
  const { log } = runtime;
  const now = runtime.now();
  let config;
  try {
    config = configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logLine(log, { msg: "round", level: "error", outcome: "misconfigured", reason: error.message });
    return [];
  }
  const store = metricsStoreOf(env);
  const report = await Promise.all(
    config.destinations.map(async (destination) => {
      let quality = "none";
      if (destination.qualityToken) {
        const state = await readDatasetQuality(
          {
            graphUrl: config.graphUrl,
            apiVersion: config.apiVersion,
            pixelId: destination.pixelId,
            token: destination.qualityToken,
          },
          { fetch: runtime.fetch, now: () => now },
        );
        quality = state.state;
        await store?.putQuality(destination.name, now, state).catch(() => undefined);
      }
      const stub = circuitOf(env, destination.name);
      const status = await stub?.status(now).catch(() => undefined);
      const circuit: RoundReport[number]["circuit"] = stub === undefined ? "unbound" : status?.open ? "open" : "closed";
      return { destination: destination.name, quality, circuit };
    }),
  );
  for (const entry of report)
    logLine(log, {
      msg: "round",
      outcome: entry.quality,
      destination: entry.destination,
      reason: `circuit ${entry.circuit}`,
    });
  return report;
}
