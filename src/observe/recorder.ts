/**
 * Getting metrics to the store (./metricsStore) without a round trip per webhook: the webhook
 * route adds each webhook's counts to a buffer of its isolate, flushed in one call a second
 * later (after the answer went out, through `waitUntil`), so a burst of webhooks costs one write;
 * the consumer records a whole batch in one call, or none when the isolate has a route's write
 * scheduled already: the batch's counts join it ({@link recordBatch}). A batch never schedules
 * a write of its own: under `wrangler dev` at least, a queue batch whose `waitUntil` is still
 * pending holds up the next batch. Reading `/admin/metrics` flushes this isolate's buffer first,
 * so what it answers includes every webhook this isolate answered.
 *
 * Without a `METRICS` binding nothing is recorded (the relay works the same). A failed write
 * loses those counts, never an event: metrics are not on the delivery path.
 *
 * @example
 * ```ts
 * recordLater(c.env, webhookBatch(record, Date.now()), (p) => c.executionCtx.waitUntil(p));
 * await flushMetrics(c.env); // before reading
 * ```
 */
import { defaultRuntime, type Runtime } from "../core/runtime";
import { BatchSum, type MetricsBatch } from "./metrics";
import { metricsStoreOf } from "./instances";

/** How long a webhook's counts wait for company before they are written. */
export const FLUSH_AFTER_MS = 1000;

/** The bindings of metrics: a slice of the generated `Env`. */
export type MetricsBindings = Partial<Pick<Env, "METRICS">>;

/** Per Worker env (one per isolate): counts not yet written, and the write that will take them. */
const pending = new WeakMap<object, { sum: BatchSum; flush: Promise<void> }>();

/**
 * Adds a batch to this isolate's buffer; the first of a burst schedules the write.
 *
 * @param waitUntil keeps the Worker alive for the write after the answer (`ctx.waitUntil`); without
 *   it (tests) the write still happens, unawaited
 * @param runtime `sleep` waits before the write (a test gives its own)
 * @example
 * ```ts
 * recordLater(c.env, webhookBatch(record, Date.now()), (p) => c.executionCtx.waitUntil(p));
 * recordLater(env, batch, undefined, { sleep: () => new Promise(() => {}) }); // a test: written only by flushMetrics
 * ```
 */
export function recordLater(
  env: MetricsBindings,
  batch: MetricsBatch,
  waitUntil?: (promise: Promise<unknown>) => void,
  runtime: Pick<Runtime, "sleep"> = defaultRuntime(),
): void {
  if (!env.METRICS) return;
  const entry = pending.get(env);
  if (entry) {
    entry.sum.add(batch);
    return;
  }
  const flush = runtime.sleep(FLUSH_AFTER_MS).then(() => flushMetrics(env));
  const sum = new BatchSum(batch.at);
  sum.add(batch);
  pending.set(env, { sum, flush });
  if (waitUntil) waitUntil(flush);
  else void flush;
}

/**
 * Adds a batch to the write this isolate has already scheduled, if it has one (a route's, kept
 * alive by that route's `waitUntil`), and answers whether it did; else nothing happens. So a queue
 * batch that runs beside the routes' traffic adds its counts to their write instead of making one
 * of its own, and neither waits for that write nor keeps itself alive for it.
 *
 * @example
 * ```ts
 * if (!joinScheduledWrite(env, batch)) await recordNow(env, batch);
 * ```
 */
export function joinScheduledWrite(env: MetricsBindings, batch: MetricsBatch): boolean {
  const entry = env.METRICS ? pending.get(env) : undefined;
  if (!entry) return false;
  entry.sum.add(batch);
  return true;
}

/**
 * Writes a queue batch's counts: with the write this isolate has scheduled when there is one
 * ({@link joinScheduledWrite}), else at once ({@link recordNow}), before the batch ends. Never
 * throws.
 *
 * @example
 * ```ts
 * await recordBatch(env, consumerBatch(report, Date.now()));
 * ```
 */
export async function recordBatch(env: MetricsBindings, batch: MetricsBatch): Promise<void> {
  if (!joinScheduledWrite(env, batch)) await recordNow(env, batch);
}

/**
 * Writes this isolate's buffered counts now (and makes the scheduled write a no-op).
 *
 * @example
 * ```ts
 * await flushMetrics(env);
 * ```
 */
export async function flushMetrics(env: MetricsBindings): Promise<void> {
  const entry = pending.get(env);
  if (!entry) return;
  pending.delete(env);
  await recordNow(env, entry.sum.batch());
}

/**
 * Writes a batch at once (a queue batch's, when no write is scheduled; a circuit's). Never throws.
 *
 * @example
 * ```ts
 * await recordNow(env, consumerBatch(report, Date.now()));
 * ```
 */
export async function recordNow(env: MetricsBindings, batch: MetricsBatch): Promise<void> {
  await metricsStoreOf(env)
    ?.record(batch)
    .catch(() => undefined);
}
