/**
 * Metrics inside workerd: the MetricsStore Durable Object on SQLite, the route's buffered
 * recording and `GET /admin/metrics` against traffic sent through the real routes, the
 * consumer's per-batch recording through the Worker's own queue() handler, and the hourly round
 * (Dataset Quality read, circuits' watchdog).
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { QUEUE_NAME } from "../src/delivery/messages";
import worker from "../src/index";
import { emptyBatch, HOUR_MS, webhookBatch } from "../src/observe/metrics";
import type { MetricsStore } from "../src/observe/metricsStore";
import { flushMetrics, recordLater } from "../src/observe/recorder";
import { hourlyRound } from "../src/observe/scheduled";
import { createApp } from "../src/http/app";
import { copy, fakeGraph, fixtures, graphError, graphOk, jsonRequest, liveEnv, NOW, SECRET } from "./helpers";
import { queuedEvent } from "./queueFixtures";

const ADMIN = "admin-secret-for-metrics";

// A spied console or fetch is put back after each test, also when the test fails.
afterEach(() => vi.restoreAllMocks());
let sequence = 0;

/** A fresh metrics store of its own (tests do not share counts), and how often the Worker wrote to it. */
function freshStore() {
  const namespace = env.METRICS;
  const name = `metrics-test-${++sequence}`;
  const stub = namespace.get(namespace.idFromName(name));
  const writes = { count: 0 };
  // The Worker reads the store named METRICS_STORE_NAME: hand it a namespace that answers this one.
  const counted = new Proxy(stub, {
    get: (target, key) =>
      key === "record" ? (batch: never) => (writes.count++, target.record(batch)) : Reflect.get(target, key),
  });
  const METRICS = {
    idFromName: () => namespace.idFromName(name),
    get: () => counted,
  } as unknown as DurableObjectNamespace<MetricsStore>;
  return { stub, METRICS, writes };
}

/** The app on the real clock (the metrics route reads with it), its webhooks stamped now. */
function liveClockApp(graph = fakeGraph(graphOk("T-OK"))) {
  return createApp({ fetch: graph.fetch, log: () => {}, sleep: async () => {}, random: () => 0.5 });
}
const stampedNow = (body: any) => ({ ...body, occurred_at: new Date().toISOString() });

async function metricsOf(app: ReturnType<typeof createApp>, bindings: Record<string, unknown>, window = "24h") {
  const res = await app.request(
    `/admin/metrics?window=${window}`,
    { headers: { authorization: `Bearer ${ADMIN}` } },
    bindings,
  );
  return { res, json: (await res.json()) as any };
}

describe("MetricsStore", () => {
  it("remembers a session ended by a logout until its expiry, then forgets it", async () => {
    const { stub } = freshStore();
    const now = Date.now();
    expect(await stub.sessionEnded("s1")).toBe(false);
    await stub.endSession("s1", now + HOUR_MS, now);
    await stub.endSession("s1", now + HOUR_MS, now); // a second logout of the same session
    expect(await stub.sessionEnded("s1")).toBe(true);
    expect(await stub.sessionEnded("s2")).toBe(false);
    // The next logout, past s1's expiry, drops its row.
    await stub.endSession("s2", now + 3 * HOUR_MS, now + 2 * HOUR_MS);
    expect(await stub.sessionEnded("s1")).toBe(false);
    expect(await stub.sessionEnded("s2")).toBe(true);
  });

  it("sums counts per hour and destination, and answers a window's sums", async () => {
    const { stub } = freshStore();
    const now = Date.now();
    await stub.record({ ...emptyBatch(now - 2 * HOUR_MS), counts: [{ destination: "eu", name: "sent", n: 2 }] });
    await stub.record({
      ...emptyBatch(now),
      counts: [
        { destination: "eu", name: "sent", n: 3 },
        { destination: "", name: "received", n: 5 },
      ],
    });
    await stub.record({ ...emptyBatch(now - 30 * HOUR_MS), counts: [{ destination: "eu", name: "sent", n: 7 }] });
    expect(await stub.windowCounts("1h", now)).toEqual({ eu: { sent: 3 }, "": { received: 5 } });
    expect(await stub.windowCounts("24h", now)).toEqual({ eu: { sent: 5 }, "": { received: 5 } });
    expect((await stub.windowCounts("7d", now)).eu).toEqual({ sent: 12 });
    const hours = await stub.hourly(24, now);
    expect(hours).toHaveLength(24);
    expect(hours.at(-1)).toMatchObject({ hour: Math.floor(now / HOUR_MS) * HOUR_MS, sent: 3 });
    expect(hours.at(-3)).toMatchObject({ sent: 2 });
  });

  it("keeps the latest events, newest first, and each destination's last acceptance and failure", async () => {
    const { stub } = freshStore();
    const now = Date.now();
    await stub.record({
      ...emptyBatch(now),
      recent: [
        { at: now, destination: "eu", eventId: "a", outcome: "sent", keys: ["em", "ph"], fbtraceId: "T1" },
        { at: now, destination: "eu", eventId: "b", outcome: "retry", keys: [] },
      ],
      accepted: [{ destination: "eu", at: now, fbtraceId: "T1" }],
      failures: [{ destination: "eu", at: now, code: 2, status: 503, message: "down" }],
    });
    expect(await stub.recent(10)).toEqual([
      { at: now, destination: "eu", eventId: "b", outcome: "retry", keys: [] },
      { at: now, destination: "eu", eventId: "a", outcome: "sent", keys: ["em", "ph"], fbtraceId: "T1" },
    ]);
    expect(await stub.latest()).toEqual({
      eu: {
        lastAccepted: { at: now, fbtraceId: "T1" },
        lastFailure: { at: now, code: 2, status: 503, message: "down" },
      },
    });
  });

  it("folds a batch's acceptances, failures and signals per destination: the newest acceptance, the last failure, every sighting counted", async () => {
    const { stub } = freshStore();
    const lines: string[] = [];
    await runInDurableObject(stub, (instance: MetricsStore) => {
      instance.deps = { log: (line) => lines.push(line) };
    });
    const now = Date.now();
    const throttle = (at: number) => ({ destination: "eu", kind: "throttle" as const, detail: "17/2446079", at });
    await stub.record({
      ...emptyBatch(now),
      accepted: [
        { destination: "eu", at: now - 2000, fbtraceId: "T1" },
        { destination: "eu", at: now, fbtraceId: "T3" },
        { destination: "eu", at: now - 1000, fbtraceId: "T2" },
      ],
      failures: [
        { destination: "eu", at: now - 500, status: 429, code: 17, message: "first" },
        { destination: "eu", at: now - 400, status: 429, code: 17, message: "last" },
      ],
      signals: [throttle(now - 500), throttle(now - 400), throttle(now - 300)],
    });
    expect((await stub.latest()).eu).toEqual({
      lastAccepted: { at: now, fbtraceId: "T3" },
      lastFailure: { at: now - 400, status: 429, code: 17, message: "last" },
    });
    expect((await stub.signals(now)).eu).toEqual([
      { kind: "throttle", detail: "17/2446079", firstAt: now - 500, lastAt: now - 300, count: 3 },
    ]);
    expect(lines).toHaveLength(1);
  });

  it("forgets hours and refusals past the retention of 8 days, daily", async () => {
    const { stub } = freshStore();
    const now = Date.now();
    const old = now - 9 * 24 * HOUR_MS;
    const refusal = (at: number) => ({ at, code: "unauthorized", status: 401, issues: [] });
    await stub.record({
      ...emptyBatch(old),
      counts: [{ destination: "eu", name: "sent", n: 2 }],
      refusals: [refusal(old)],
    });
    await stub.record({
      ...emptyBatch(now),
      counts: [{ destination: "eu", name: "sent", n: 3 }],
      refusals: [refusal(now)],
    });
    const sentOver9Days = async () => (await stub.hourly(9 * 24 + 1, now)).reduce((sum, hour) => sum + hour.sent, 0);
    expect(await sentOver9Days()).toBe(5);
    await runDurableObjectAlarm(stub);
    expect(await sentOver9Days()).toBe(3);
    expect(await stub.refusals(10)).toEqual([refusal(now)]);
  });

  it("shows each signal once with its count, and logs it at most once an hour, without Meta's words", async () => {
    const { stub } = freshStore();
    const lines: string[] = [];
    await runInDurableObject(stub, (instance: MetricsStore) => {
      instance.deps = { log: (line) => lines.push(line) };
    });
    const now = Date.now();
    const warning = (at: number) => ({
      ...emptyBatch(at),
      signals: [
        { destination: "eu", kind: "version_warning" as const, detail: "The call has been auto-upgraded to v27.0", at },
      ],
    });
    await stub.record(warning(now));
    await stub.record(warning(now + 60_000));
    await stub.record(warning(now + HOUR_MS + 1));
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { msg: "signal", outcome: "version_warning", destination: "eu", level: "warn" },
      { msg: "signal", outcome: "version_warning", destination: "eu" },
    ]);
    expect(lines.join("")).not.toContain("auto-upgraded");
    expect((await stub.signals(now + HOUR_MS))?.eu).toEqual([
      {
        kind: "version_warning",
        detail: "The call has been auto-upgraded to v27.0",
        firstAt: now,
        lastAt: now + HOUR_MS + 1,
        count: 3,
      },
    ]);
  });
});

describe("recording from the webhook route", () => {
  it("writes a burst of webhooks in one call, and a read flushes what is waiting", async () => {
    const { stub, METRICS, writes } = freshStore();
    const bindings = { METRICS };
    const never = () => new Promise<void>(() => {});
    for (let i = 0; i < 20; i++)
      recordLater(bindings, webhookBatch({ outcome: "accepted", destinations: [] }, Date.now()), undefined, {
        sleep: never,
      });
    expect(writes.count).toBe(0);
    await flushMetrics(bindings);
    expect(writes.count).toBe(1);
    expect((await stub.windowCounts("1h", Date.now()))[""]).toEqual({ received: 20 });
  });

  it("answers /admin/metrics with what its own traffic produced, as the contract shapes it", async () => {
    const { METRICS } = freshStore();
    const app = liveClockApp();
    const bindings = { ...liveEnv, ADMIN_SECRET: ADMIN, METRICS, DEAD_LETTERS: env.DEAD_LETTERS };
    const send = (body: unknown, headers: Record<string, string> = {}) =>
      app.request("/webhooks/cartful", jsonRequest(body, headers), bindings);
    const lead = (tag: string) =>
      stampedNow({ ...copy(fixtures.canonical), id: `evt_m_${tag}`, session: { id: `ses_m_${tag}`, attempt: 1 } });
    await send(lead("1"));
    await send(lead("2"));
    const noPhone = lead("3") as any;
    delete noPhone.shopper.phone;
    await send(noPhone);
    const denied = lead("4") as any;
    denied.shopper.marketing_consent = false;
    await send(denied);
    await send(lead("5"), { authorization: "Bearer wrong" });
    await send({ id: "evt_m_6" });
    await app.request("/webhooks/cartful/preview", jsonRequest(lead("7")), bindings);
    const { res, json } = await metricsOf(app, bindings);
    expect(res.status).toBe(200);
    expect(json).toMatchObject({
      window: "24h",
      webhooks: { received: 6, unauthorized: 1, invalid: 1 },
      destinations: { default: { routed: 4, sent: 3, skipped: 1, retried: 0, dead_lettered: 0 } },
    });
    expect(json.destinations.default.match_keys).toMatchObject({
      em: 1,
      ph: 2 / 3,
      fbc: 1,
      fbp: 1,
      client_ip_address: 1,
    });
    expect(JSON.stringify(json)).not.toMatch(/jane|203\.0\.113|EAAB/i);
  });

  it("counts retries of the direct path, and a body over 64 KiB as invalid when a valid Bearer came with it", async () => {
    const { METRICS } = freshStore();
    const app = liveClockApp(fakeGraph(graphError(503, { code: 2, is_transient: true }), graphOk()));
    const bindings = { ...liveEnv, ADMIN_SECRET: ADMIN, METRICS, DEAD_LETTERS: env.DEAD_LETTERS };
    await app.request(
      "/webhooks/cartful",
      jsonRequest(stampedNow({ ...copy(fixtures.canonical), id: "evt_r1" })),
      bindings,
    );
    await app.request("/webhooks/cartful", jsonRequest("x".repeat(70 * 1024)), bindings);
    const { json } = await metricsOf(app, bindings);
    expect(json.webhooks).toEqual({ received: 2, unauthorized: 0, invalid: 1, anonymous: 0 });
    expect(json.destinations.default).toMatchObject({ sent: 1, retried: 1 });
  });

  it("refuses an unknown window, and needs ADMIN_SECRET like every admin route", async () => {
    const { METRICS } = freshStore();
    const app = liveClockApp();
    const bindings = { ADMIN_SECRET: ADMIN, METRICS, DEAD_LETTERS: env.DEAD_LETTERS };
    expect((await metricsOf(app, bindings, "1y")).res.status).toBe(400);
    expect((await app.request("/admin/metrics", {}, bindings)).status).toBe(401);
  });
});

describe("recording from the consumer", () => {
  it("records each batch's outcomes through the Worker's own queue() handler", async () => {
    const { stub, METRICS, writes } = freshStore();
    const nowS = Math.floor(Date.now() / 1000);
    const batch = createMessageBatch(QUEUE_NAME, [
      {
        id: "m-1",
        timestamp: new Date(),
        attempts: 1,
        body: queuedEvent({ id: "cartful.metrics.1", eventTime: nowS - 60 }),
      },
    ]);
    const ctx = createExecutionContext();
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(globalThis, "fetch").mockResolvedValue(graphOk("T-Q"));
    await worker.queue!(batch, { ...env, META_ACCESS_TOKEN: "EAAB-q", META_PIXEL_ID: "111", METRICS } as never, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m-1"]);
    // No write was scheduled in this isolate: the batch made its own, before it ended.
    expect(writes.count).toBe(1);
    const counts = await stub.windowCounts("1h", Date.now());
    expect(counts.default).toMatchObject({ sent: 1, "key:em": 1, "key:client_ip_address": 1 });
    expect((await stub.recent(1))[0]).toMatchObject({
      eventId: "cartful.metrics.1",
      outcome: "sent",
      fbtraceId: "T-Q",
    });
  });
});

describe("recording from the consumer beside the routes", () => {
  it("adds a batch's counts to the write the routes scheduled in this isolate, making none of its own", async () => {
    const { stub, METRICS, writes } = freshStore();
    const nowS = Math.floor(Date.now() / 1000);
    const workerEnv = { ...env, META_ACCESS_TOKEN: "EAAB-q", META_PIXEL_ID: "111", METRICS };
    const never = () => new Promise<void>(() => {});
    recordLater(workerEnv, webhookBatch({ outcome: "accepted", destinations: [] }, Date.now()), undefined, {
      sleep: never,
    });
    const batch = createMessageBatch(QUEUE_NAME, [
      {
        id: "m-2",
        timestamp: new Date(),
        attempts: 1,
        body: queuedEvent({ id: "cartful.join.1", eventTime: nowS - 60 }),
      },
    ]);
    const ctx = createExecutionContext();
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(globalThis, "fetch").mockResolvedValue(graphOk("T-J"));
    await worker.queue!(batch, workerEnv as never, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m-2"]);
    expect(writes.count).toBe(0);
    await flushMetrics(workerEnv);
    expect(writes.count).toBe(1);
    const counts = await stub.windowCounts("1h", Date.now());
    expect(counts[""]).toEqual({ received: 1 });
    expect(counts.default).toMatchObject({ sent: 1 });
  });
});

describe("the hourly round", () => {
  it("reads Meta's Dataset Quality for each destination with a token and keeps it; a missing permission is kept as such", async () => {
    const { stub, METRICS } = freshStore();
    const answers: Record<string, Response> = {
      "111": Response.json({
        web: [{ event_name: "Lead", event_match_quality: { composite_score: 6.4, match_key_feedback: [] } }],
      }),
      "222": Response.json(
        { error: { message: "(#10) Application does not have permission for this action", code: 10 } },
        { status: 403 },
      ),
    };
    const fetch = (async (input: RequestInfo | URL) =>
      answers[new URL(String(input)).searchParams.get("dataset_id")!]!) as typeof globalThis.fetch;
    const bindings = {
      ...env,
      METRICS,
      META_GRAPH_URL: "https://graph.test",
      TOKEN_A: "EAAB-a",
      TOKEN_B: "EAAB-b",
      DESTINATIONS: JSON.stringify([
        { name: "a", pixel_id: "111", access_token_secret: "TOKEN_A" },
        { name: "b", pixel_id: "222", access_token_secret: "TOKEN_B" },
        { name: "c", pixel_id: "333" },
      ]),
    };
    const lines: string[] = [];
    const report = await hourlyRound(bindings, { fetch, now: () => NOW, log: (l) => lines.push(l) });
    expect(report).toEqual([
      { destination: "a", quality: "ok", circuit: "closed" },
      { destination: "b", quality: "permission", circuit: "closed" },
      { destination: "c", quality: "none", circuit: "closed" },
    ]);
    // Read on the object itself: the stub's RPC typing of `unknown` state hides that it is a promise.
    const quality = await runInDurableObject(stub, (instance: MetricsStore) => instance.quality());
    expect((quality as Record<string, { state: unknown }>).a?.state).toMatchObject({
      state: "ok",
      quality: { events: [{ eventName: "Lead", compositeScore: 6.4 }] },
    });
    expect((quality as Record<string, { state: unknown }>).b?.state).toMatchObject({ state: "permission", code: 10 });
    expect(lines.join("")).not.toContain("EAAB");
  });

  it("is the Worker's scheduled() handler", async () => {
    const ctx = createExecutionContext();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    worker.scheduled!(
      { scheduledTime: NOW, cron: "17 * * * *", noRetry: () => {} } as ScheduledController,
      { ...env, WEBHOOK_SECRET: SECRET } as never,
      ctx,
    );
    // The round runs in ctx.waitUntil: wait for it, or a throw inside it would go unseen.
    await waitOnExecutionContext(ctx);
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    // One line per destination: the default one has no Dataset Quality token, and its circuit was asked.
    expect(lines.filter((line) => line.msg === "round")).toEqual([
      { level: "info", msg: "round", outcome: "none", destination: "default", reason: "circuit closed" },
    ]);
  });
});
