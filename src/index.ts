/**
 * The Worker: Hono routes for the Studio webhook and the operator (src/http/app.ts), the queue
 * consumer for durable delivery and dead letters (src/delivery/consumer.ts), the hourly Cron
 * Trigger (Meta's Dataset Quality, the circuits' watchdog: src/observe/scheduled.ts), and the
 * Durable Objects behind them.
 */
import { DeliveryCircuit as Circuit } from "./delivery/circuit";
import { handleQueueBatch } from "./delivery/consumer";
import { defaultRuntime } from "./core/runtime";
import { createApp } from "./http/app";
import { consumerBatch } from "./observe/metrics";
import { recordBatch, recordNow } from "./observe/recorder";
import { hourlyRound } from "./observe/scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  // A batch's counts join a write the routes scheduled in this isolate, else are written before it
  // ends: a batch kept alive by a pending write of its own holds up the next one (the local queue
  // waits for it).
  queue: (batch, env, ctx) =>
    handleQueueBatch(batch, env, ctx, { record: (report) => recordBatch(env, consumerBatch(report, Date.now())) }),
  scheduled: (controller, env, ctx) =>
    ctx.waitUntil(hourlyRound(env, defaultRuntime({ now: () => controller.scheduledTime }))),
} satisfies ExportedHandler<Env>;

export { IntakeLedger } from "./delivery/intakeLedger";
export { DeadLetterStore } from "./delivery/deadLetterStore";
/**
 * The delivery circuit as deployed: what its probes deliver and its expiry dead-letters is
 * counted in the metrics store (the delivery layer cannot import the observe layer's recorder).
 */
export class DeliveryCircuit extends Circuit {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.deps = { ...this.deps, record: (report) => recordNow(env, consumerBatch(report, Date.now())) };
  }
}
export { MetricsStore } from "./observe/metricsStore";
