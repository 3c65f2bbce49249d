/**
 * What the metrics store costs on Cloudflare's bill: SQLite rows written (each cursor's
 * `rowsWritten`, index entries included, as the bench counts them) per lead and per browser event,
 * in a steady state (the recent list full, the alarm set), for traffic shaped as the routes and
 * the consumer record it: webhooks buffered by the route (a flush every ten), then one consumer
 * batch of 100 sent events; browser requests of five events, then their consumer batch.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BatchReport, DestinationReport } from "../src/delivery/consumer";
import { browserBatch, consumerBatch, BatchSum, type MetricsBatch, webhookBatch } from "../src/observe/metrics";
import type { MetricsStore } from "../src/observe/metricsStore";
import { rowsWrittenBy } from "./rowsWritten";

const KEYS = ["em", "ph", "fn", "ln", "client_ip_address", "client_user_agent", "fbp"];
const BROWSER_EVENT_NAMES = ["ViewContent", "AddToCart", "InitiateCheckout", "Lead", "CompleteRegistration"];
let sequence = 0;

/** Rows written by `batches` recorded one after the other on a fresh store that `warmUp` filled first. */
async function rowsWritten(warmUp: MetricsBatch[], batches: MetricsBatch[]): Promise<number> {
  const stub = env.METRICS.get(env.METRICS.idFromName(`metrics-rows-${++sequence}`));
  return runInDurableObject(stub, async (instance: MetricsStore, state) => {
    for (const batch of warmUp) await instance.record(batch);
    return rowsWrittenBy(state.storage.sql, async () => {
      for (const batch of batches) await instance.record(batch);
    });
  });
}

/** `records` summed in one batch, as the isolate's buffer sums them. */
function sumOf(records: MetricsBatch[]): MetricsBatch {
  const sum = new BatchSum(records[0]!.at);
  for (const record of records) sum.add(record);
  return sum.batch();
}

/** The route's buffer: `records` merged `perFlush` at a time, as recordLater would write them. */
function flushes(records: MetricsBatch[], perFlush: number): MetricsBatch[] {
  const out: MetricsBatch[] = [];
  for (let i = 0; i < records.length; i += perFlush) out.push(sumOf(records.slice(i, i + perFlush)));
  return out;
}

function leads(run: string, n: number, now: number): MetricsBatch[] {
  const route = Array.from({ length: n }, (_, i) =>
    webhookBatch(
      {
        outcome: "accepted",
        eventId: `cartful.${run}.${i}`,
        keys: KEYS,
        destinations: [{ name: "default", status: "queued" }],
      },
      now,
    ),
  );
  const report: DestinationReport = {
    sent: n,
    retried: 0,
    deadLettered: 0,
    held: 0,
    latenciesMs: Array.from({ length: n }, (_, i) => 400 + (i % 3) * 700),
    sentKeys: Array.from({ length: n }, () => KEYS),
    lastAccepted: { at: now, fbtraceId: "T-1" },
    events: Array.from({ length: n }, (_, i) => ({
      eventId: `cartful.${run}.${i}`,
      outcome: "sent" as const,
      fbtraceId: "T-1",
      keys: KEYS,
    })),
  };
  return [...flushes(route, 10), consumerBatch(new Map([["default", report]]) satisfies BatchReport, now)];
}

function browserEvents(run: string, requests: number, now: number): MetricsBatch[] {
  const route = Array.from({ length: requests }, () =>
    browserBatch(
      {
        outcome: "accepted",
        events: BROWSER_EVENT_NAMES.length,
        deliveries: BROWSER_EVENT_NAMES.map((eventName) => ({
          destination: "default",
          eventName,
          status: "queued" as const,
        })),
      },
      now,
    ),
  );
  const n = requests * BROWSER_EVENT_NAMES.length;
  const report: DestinationReport = {
    sent: n,
    retried: 0,
    deadLettered: 0,
    held: 0,
    latenciesMs: Array.from({ length: n }, () => 800),
    sentKeys: Array.from({ length: n }, () => ["em", "client_ip_address", "client_user_agent", "fbp"]),
    lastAccepted: { at: now, fbtraceId: "T-2" },
    events: Array.from({ length: n }, (_, i) => ({
      eventId: `browser.${run}.${i}`,
      outcome: "sent" as const,
      fbtraceId: "T-2",
      keys: ["em", "client_ip_address", "client_user_agent", "fbp"],
      eventName: BROWSER_EVENT_NAMES[i % BROWSER_EVENT_NAMES.length]!,
      origin: "browser" as const,
    })),
  };
  return [...flushes(route, 10), consumerBatch(new Map([["default", report]]) satisfies BatchReport, now)];
}

describe("rows written by the metrics store", () => {
  // Before schema step 5 a row per event and list (three with its sequence and its trim): 6.31 a
  // lead, 3.28 a browser event here. Now a row per recording for the counters and one for the
  // recent events, and one for the destination's last acceptance: 0.23 and 0.05.
  const now = Date.now();
  const warmUp = [...leads("w1", 100, now), ...leads("w2", 100, now), ...leads("w3", 100, now)];

  it("a lead: a row per recording for its counters and one for its recent events, never one per event", async () => {
    const recordings = leads("m", 100, now);
    const rows = await rowsWritten(warmUp, recordings);
    expect(rows, `${rows / 100} rows a lead`).toBeLessThanOrEqual(2 * recordings.length + 1);
  });

  it("a browser event: the same", async () => {
    const recordings = browserEvents("m", 20, now);
    const rows = await rowsWritten([...warmUp, ...browserEvents("w4", 20, now)], recordings);
    expect(rows, `${rows / 100} rows a browser event`).toBeLessThanOrEqual(2 * recordings.length + 1);
  });
});
