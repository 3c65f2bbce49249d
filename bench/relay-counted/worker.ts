/**
 * The relay exactly as src/index.ts builds it, with one difference: its metrics store counts the
 * `record` calls it gets, to show how many Durable Object writes a burst of webhooks costs (the
 * webhook route buffers counts per isolate and writes them about a second later; the consumer
 * writes once per batch), how many counter rows they carry and how long the store spent in them
 * (`performance.now()`, which advances during computation in local workerd).
 * `GET /__bench/metrics-calls` answers the totals (see `RecordCalls`). A batch carrying a
 * `received` count comes from the webhook route, any other from the consumer.
 *
 * @example
 * // run by bench/e2e.mjs through a config generated from wrangler.jsonc (bench/out/relay-counted/)
 */
import relay, {
  DeadLetterStore,
  DeliveryCircuit,
  IntakeLedger,
  MetricsStore as RelayMetricsStore,
} from "../../src/index";
import type { MetricsBatch } from "../../src/observe/metrics";
import { METRICS_STORE_NAME } from "../../src/observe/instances";

/** What the store has been asked to record since it started. */
export interface RecordCalls {
  webhookRecords: number;
  webhooks: number;
  /** Counter rows (`batch.counts` entries) and recent events the route's writes carried. */
  webhookCountRows: number;
  webhookRecent: number;
  /** ms the store spent recording the route's batches. */
  webhookRecordMs: number;
  consumerRecords: number;
  consumerSent: number;
  consumerCountRows: number;
  consumerRecent: number;
  consumerRecordMs: number;
}

export class MetricsStore extends RelayMetricsStore {
  private readonly calls: RecordCalls = {
    webhookRecords: 0,
    webhooks: 0,
    webhookCountRows: 0,
    webhookRecent: 0,
    webhookRecordMs: 0,
    consumerRecords: 0,
    consumerSent: 0,
    consumerCountRows: 0,
    consumerRecent: 0,
    consumerRecordMs: 0,
  };

  override async record(batch: MetricsBatch): Promise<void> {
    let received = 0;
    let sent = 0;
    for (const count of batch.counts) {
      if (count.destination === "" && count.name === "received") received += count.n;
      if (count.destination !== "" && count.name === "sent") sent += count.n;
    }
    const started = performance.now();
    await super.record(batch);
    const ms = performance.now() - started;
    if (received > 0) {
      this.calls.webhookRecords++;
      this.calls.webhooks += received;
      this.calls.webhookCountRows += batch.counts.length;
      this.calls.webhookRecent += batch.recent.length;
      this.calls.webhookRecordMs += ms;
    } else {
      this.calls.consumerRecords++;
      this.calls.consumerSent += sent;
      this.calls.consumerCountRows += batch.counts.length;
      this.calls.consumerRecent += batch.recent.length;
      this.calls.consumerRecordMs += ms;
    }
  }

  async recordCalls(): Promise<RecordCalls> {
    return { ...this.calls };
  }
}

export { DeadLetterStore, DeliveryCircuit, IntakeLedger };

export default {
  ...relay,
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__bench/metrics-calls") {
      const namespace = env.METRICS as unknown as DurableObjectNamespace<MetricsStore>;
      return Response.json(await namespace.get(namespace.idFromName(METRICS_STORE_NAME)).recordCalls());
    }
    return relay.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
