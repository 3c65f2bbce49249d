/**
 * The relay exactly as src/index.ts builds it, with one difference: its metrics store counts the
 * `record` calls it gets, to show how many Durable Object writes a burst of webhooks costs (the
 * webhook route buffers counts per isolate and writes them about a second later; the consumer
 * writes once per batch). `GET /__bench/metrics-calls` answers the counts:
 * `{ webhookRecords, webhooks, consumerRecords, consumerSent }`. A batch carrying a `received`
 * count comes from the webhook route, any other from the consumer.
 *
 * @example
 * // run by bench/e2e.mjs through a config generated from wrangler.jsonc (bench/out/relay-counted/)
 */
import relay, { DeadLetterStore, DeliveryCircuit, IntakeLedger, MetricsStore as RelayMetricsStore } from "../../src/index";
import type { MetricsBatch } from "../../src/observe/metrics";
import { METRICS_STORE_NAME } from "../../src/observe/metricsStore";

/** What the store has been asked to record since it started. */
export interface RecordCalls {
  webhookRecords: number;
  webhooks: number;
  consumerRecords: number;
  consumerSent: number;
}

export class MetricsStore extends RelayMetricsStore {
  private readonly calls: RecordCalls = { webhookRecords: 0, webhooks: 0, consumerRecords: 0, consumerSent: 0 };

  override async record(batch: MetricsBatch): Promise<void> {
    let received = 0;
    let sent = 0;
    for (const count of batch.counts) {
      if (count.destination === "" && count.name === "received") received += count.n;
      if (count.destination !== "" && count.name === "sent") sent += count.n;
    }
    if (received > 0) {
      this.calls.webhookRecords++;
      this.calls.webhooks += received;
    } else {
      this.calls.consumerRecords++;
      this.calls.consumerSent += sent;
    }
    return super.record(batch);
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
