/**
 * The operator console's numbers add up (the contract's "Operator console"): known traffic through
 * the real webhook route, the real consumer (its intake claim on the real IntakeLedger) and the real
 * DeliveryCircuit, inside workerd, against a fake Graph; every count each part records is summed as
 * the metrics store would, and `/admin/metrics`' answer is checked against what the fake Graph
 * accepted. The traffic: leads, a redelivery, a consent denial, a filtered type, a token episode the circuit holds
 * and releases (one lead delivered by its probe, the rest by the release, a redelivery meanwhile),
 * and a lead Meta refuses for good, re-driven and refused again.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import type { DeliveryCircuit } from "../src/delivery/circuit";
import { type BatchReport, handleQueueBatch } from "../src/delivery/consumer";
import { planReplay } from "../src/delivery/deadLetters";
import { circuitOf } from "../src/delivery/holds";
import { type DeadLetter, QUEUE_NAME, type QueuedEvent } from "../src/delivery/messages";
import { PROBE_FIRST_DELAY_MS } from "../src/delivery/policy";
import { createApp } from "../src/http/app";
import {
  consumerBatch,
  type MetricsBatch,
  metricsAnswer,
  webhookBatch,
  type WebhookRecord,
  type WindowCounts,
} from "../src/observe/metrics";
import { fixtures, jsonRequest, SECRET } from "./helpers";
import { fakeQueue } from "./queueFakes";

const NOW = Date.now();
const TOKEN = "EAAB-counts-token";
const DESTINATION = "counts";
const settings = {
  WEBHOOK_SECRET: SECRET,
  META_GRAPH_URL: "https://graph.test",
  META_ACCESS_TOKEN_COUNTS: TOKEN,
  DESTINATIONS: JSON.stringify([
    { name: DESTINATION, pixel_id: "999", access_token_secret: "META_ACCESS_TOKEN_COUNTS" },
  ]),
};

afterEach(() => vi.restoreAllMocks());

it("routed = sent + skipped + duplicate + dead_lettered + dry runs once nothing is held or on its way, and sent is what Meta accepted", async () => {
  // ---- the fake Graph: accepts, unless the token is revoked or the event is the poisoned one
  let tokenRevoked = false;
  const accepted = new Set<string>();
  const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { data: { event_id: string }[] };
    const ids = body.data.map((e) => e.event_id);
    if (tokenRevoked)
      return Response.json(
        { error: { message: "Error validating access token", code: 190, error_subcode: 463 } },
        { status: 400 },
      );
    if (ids.includes("cartful.ses_counts_poison.1"))
      return Response.json(
        { error: { message: "Invalid parameter", code: 100, error_subcode: 2804003 } },
        { status: 400 },
      );
    for (const id of ids) accepted.add(id);
    return Response.json({ events_received: ids.length, fbtrace_id: "TR-OK" });
  }) as typeof globalThis.fetch;

  // ---- what each part records, summed as the metrics store sums it
  const batches: MetricsBatch[] = [];
  const record = (report: BatchReport) => void batches.push(consumerBatch(report, NOW));
  const queued: QueuedEvent[] = [];
  vi.spyOn(env.CAPI_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const m of messages as { body: QueuedEvent }[]) queued.push(structuredClone(m.body));
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as never;
  });
  const letters: DeadLetter[] = [];
  vi.spyOn(env.CAPI_DLQ, "send").mockImplementation(async (letter) => {
    letters.push(structuredClone(letter as DeadLetter));
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as never;
  });
  const app = createApp({
    log: () => {},
    metrics: (_env, webhook: WebhookRecord) => void batches.push(webhookBatch(webhook, NOW)),
  });
  const bindings = { ...env, ...settings };
  const post = async (tag: string, change: (w: any) => void = () => {}) => {
    const w = structuredClone(fixtures.canonical) as any;
    w.id = `evt_counts_${tag}`;
    w.session = { id: `ses_counts_${tag}`, attempt: 1 };
    w.occurred_at = new Date(NOW - 60_000).toISOString();
    change(w);
    const res = await app.request("/webhooks/cartful", jsonRequest(w), bindings);
    return (await res.json()) as { status: string; reason?: string };
  };
  let sequence = 0;
  /** The consumer's and the circuit's clock. */
  const clock = { now: NOW };
  /** Runs the consumer on what the route (or a circuit) queued since the last call. */
  const consume = async (bodies: QueuedEvent[] = queued.splice(0)) => {
    const batch = createMessageBatch(
      QUEUE_NAME,
      bodies.map((body) => ({ id: `counts-${++sequence}`, timestamp: new Date(NOW), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await handleQueueBatch(batch, bindings, ctx, { fetch, log: () => {}, record, now: () => clock.now });
    return getQueueResult(batch, ctx);
  };

  // ---- leads, a redelivery, a consent denial
  for (const tag of ["a", "b", "c"]) expect((await post(tag)).status).toBe("queued");
  expect((await post("a")).status).toBe("queued"); // Studio's redelivery
  expect((await post("denied", (w) => (w.shopper.marketing_consent = false))).status).toBe("skipped");
  // A Studio type the relay does not relay: skipped by the destination it went to, as a denial is.
  expect((await post("started", (w) => (w.type = "quiz:start"))).reason).toBe("event_type_filtered");
  expect((await consume()).explicitAcks).toHaveLength(4);

  // ---- a token episode: the circuit holds, its probe delivers one, the release the rest
  const circuit = circuitOf(env, DESTINATION)!;
  const requeue = fakeQueue<QueuedEvent>();
  await runInDurableObject(circuit, (instance: DeliveryCircuit) => {
    instance.deps = {
      fetch,
      now: () => clock.now,
      log: () => {},
      env: { ...settings, CAPI_QUEUE: requeue.queue, CAPI_DLQ: env.CAPI_DLQ },
      record,
    };
  });
  tokenRevoked = true;
  for (const tag of ["d", "e", "f"]) await post(tag);
  await consume();
  expect(await circuit.status(NOW)).toMatchObject({ open: true, cause: "meta_refused", held: 3 });
  await post("e"); // redelivered while held
  await consume();
  tokenRevoked = false;
  clock.now = NOW + PROBE_FIRST_DELAY_MS;
  await runDurableObjectAlarm(circuit);
  expect(await circuit.status(clock.now)).toMatchObject({ open: false, held: 0 });
  await consume(requeue.sent.splice(0));

  // ---- a lead Meta refuses for good: dead-lettered, re-driven, refused again
  await post("poison");
  await consume();
  expect(letters).toHaveLength(1);
  // The re-drive as the admin route makes it (./src/delivery/deadLetters planReplay).
  const [redrive] = planReplay([{ ...letters[0]!, times: 1, firstDeadLetteredAt: NOW }], [], NOW).toReplay;
  await consume([redrive!.message]);
  expect(letters).toHaveLength(2);

  // ---- the answer, from the summed counts
  const counts: WindowCounts = new Map();
  for (const batch of batches)
    for (const { destination, name, n } of batch.counts) {
      const row = counts.get(destination) ?? {};
      row[name] = (row[name] ?? 0) + n;
      counts.set(destination, row);
    }
  const answer = metricsAnswer(counts, "24h", [DESTINATION], { heldNow: new Map([[DESTINATION, 0]]) }).destinations[
    DESTINATION
  ]!;
  const leads = ["a", "b", "c", "d", "e", "f"].map((tag) => `cartful.ses_counts_${tag}.1`);
  expect([...accepted].sort()).toEqual(leads.sort());
  expect(answer).toMatchObject({
    routed: 11, // a b c a' denied started d e f e' poison
    sent: 6,
    skipped: 2,
    filtered: 1,
    duplicate: 2,
    dead_lettered: 1,
    dry_run: 0,
    held: 3,
    held_now: 0,
  });
  expect(answer.sent).toBe(accepted.size);
  expect(answer.routed).toBe(answer.sent + answer.skipped + answer.duplicate + answer.dead_lettered + answer.dry_run);
  expect(answer.latency_ms?.count).toBe(6);
  expect(answer.match_keys.em).toBe(1);
});
