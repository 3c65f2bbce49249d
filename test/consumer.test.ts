/**
 * The queue consumer, the intake ledger and the delivery circuit inside workerd, with
 * wrangler.jsonc's bindings (the real Durable Objects, the local queues) and a fake Graph passed
 * in as `fetch`.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { fakeGraph } from "./helpers";
import { IP, serverEvent as fixtureEvent, queuedEvent } from "./queueFixtures";
import { INTAKE_LEASE_MS, INTAKE_MEMORY_MS } from "../src/delivery/intakeLedger";
import { type EnqueueResult, enqueueEvents, intakeKeys, intakeShard } from "../src/delivery/producer";
import { circuitOf } from "../src/delivery/holds";
import { handleQueueBatch } from "../src/delivery/consumer";
import { QUEUE_MAX_RETRIES } from "../src/delivery/policy";
import { type DeadLetter, QUEUE_NAME, type QueuedEvent } from "../src/delivery/messages";

const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);
const TOKEN = "EAAB-workerd-queue-token";
const live = { ...env, META_ACCESS_TOKEN: TOKEN, META_PIXEL_ID: "111", META_GRAPH_URL: "https://graph.test" };
let sequence = 0;

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);
const twoDestinations = {
  ...env,
  META_GRAPH_URL: "https://graph.test",
  META_ACCESS_TOKEN_US: TOKEN,
  META_ACCESS_TOKEN_EU: "EAAB-workerd-eu-token",
  DESTINATIONS: JSON.stringify([
    { name: "us", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_US" },
    { name: "eu", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_EU" },
  ]),
};

function batchOf(bodies: QueuedEvent[], attempts = 1, queue = QUEUE_NAME) {
  return createMessageBatch(
    queue,
    bodies.map((body) => ({ id: `msg-${++sequence}`, timestamp: new Date(NOW), attempts, body })),
  );
}

const ok = (ids: string[]) => Response.json({ events_received: ids.length, fbtrace_id: "TRACE-OK" });
const invalid = () =>
  Response.json(
    { error: { message: "Invalid parameter", code: 100, error_subcode: 2804003, fbtrace_id: "TRACE-BAD" } },
    { status: 400 },
  );

/**
 * Runs the consumer on `batch`. getQueueResult does not report a retry's delay, so each
 * message's retry() is watched for it.
 */
async function consume(
  batch: MessageBatch<unknown>,
  graph: ReturnType<typeof fakeGraph>,
  bindings: Record<string, unknown> = live,
) {
  const ctx = createExecutionContext();
  const lines: string[] = [];
  const delays = batch.messages.map((message) => vi.spyOn(message, "retry"));
  await handleQueueBatch(batch, bindings, ctx, {
    fetch: graph.fetch,
    log: (line) => lines.push(line),
    random: () => 0,
  });
  return {
    result: await getQueueResult(batch, ctx),
    delays: delays.flatMap((spy) => spy.mock.calls.map((call) => call[0]?.delaySeconds)),
    lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

afterEach(() => vi.restoreAllMocks());

describe("consumer: batching and acks", () => {
  it("groups per destination into one request each, with its token, and acks every message after Meta accepted", async () => {
    const graph = fakeGraph(ok);
    const batch = batchOf([
      queuedEvent({ id: "b1", eventTime: NOW_S - 60, destination: "us" }),
      queuedEvent({ id: "b2", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
      queuedEvent({ id: "b3", eventTime: NOW_S - 60, destination: "us" }),
    ]);
    const { result, lines } = await consume(batch, graph, twoDestinations);
    // Destinations are delivered concurrently: their requests and lines come in either order.
    expect(graph.requests.map((r) => [r.url, r.ids, r.body.access_token]).sort()).toEqual([
      ["https://graph.test/v27.0/111/events", ["b1", "b3"], TOKEN],
      ["https://graph.test/v27.0/222/events", ["b2"], "EAAB-workerd-eu-token"],
    ]);
    expect(result.outcome).toBe("ok");
    expect(result.retryBatch.retry).toBe(false);
    expect([...result.explicitAcks].sort()).toEqual(batch.messages.map((m) => m.id).sort());
    expect(result.retryMessages).toEqual([]);
    expect(lines.map((l) => [l.outcome, l.event_id, l.fbtrace_id]).sort()).toEqual([
      ["sent", "b1", "TRACE-OK"],
      ["sent", "b2", "TRACE-OK"],
      ["sent", "b3", "TRACE-OK"],
    ]);
  });

  it("retries each message with a growing delay on a transient failure, acking none", async () => {
    const graph = fakeGraph(() =>
      Response.json(
        { error: { message: "Service temporarily unavailable", code: 2, is_transient: true } },
        { status: 503 },
      ),
    );
    const first = await consume(
      batchOf([queuedEvent({ id: "t1", eventTime: NOW_S - 60 }), queuedEvent({ id: "t2", eventTime: NOW_S - 60 })], 1),
      graph,
    );
    const later = await consume(batchOf([queuedEvent({ id: "t3", eventTime: NOW_S - 60 })], 4), graph);
    expect(first.result.explicitAcks).toEqual([]);
    expect(first.result.retryMessages).toHaveLength(2);
    expect(first.delays).toEqual([15, 15]);
    expect(later.delays).toEqual([120]);
    expect(later.lines[0]).toMatchObject({
      outcome: "retry",
      attempts: 4,
      delay_seconds: 120,
      status: 503,
      meta_code: 2,
    });
  });

  it("honours Retry-After on a throttle (code 613)", async () => {
    const graph = fakeGraph(() =>
      Response.json(
        { error: { message: "Calls to this api have exceeded the rate limit.", code: 613 } },
        { status: 400, headers: { "retry-after": "300" } },
      ),
    );
    const { result, delays } = await consume(batchOf([queuedEvent({ id: "r1", eventTime: NOW_S - 60 })]), graph);
    expect(result.retryMessages).toHaveLength(1);
    expect(delays).toEqual([300]);
  });

  it("dead-letters a transient failure on the last delivery, with the reason", async () => {
    const dlq = vi.spyOn(env.CAPI_DLQ as Queue<DeadLetter>, "send");
    const graph = fakeGraph(() => new Response("<html>bad gateway</html>", { status: 502 }));
    const batch = batchOf([queuedEvent({ id: "x1", eventTime: NOW_S - 60 })], QUEUE_MAX_RETRIES + 1);
    const { result, lines } = await consume(batch, graph);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(dlq.mock.calls[0]![0]).toMatchObject({
      key: "x1",
      reason: "retries_exhausted",
      status: 502,
      attempts: QUEUE_MAX_RETRIES + 1,
    });
    expect(lines[0]).toMatchObject({ outcome: "dead_lettered", reason: "retries_exhausted" });
  });
});

describe("consumer: isolation and dead letters", () => {
  it("isolates a permanently rejected event: its batchmates are delivered, it alone is dead-lettered", async () => {
    const dlq = vi.spyOn(env.CAPI_DLQ as Queue<DeadLetter>, "send");
    const graph = fakeGraph((ids) => (ids.includes("p-bad") ? invalid() : ok(ids)));
    const ids = ["p1", "p2", "p3", "p-bad", "p5", "p6", "p7"];
    const batch = batchOf(ids.map((id) => queuedEvent({ id, eventTime: NOW_S - 60 })));
    const { result } = await consume(batch, graph);
    expect(result.explicitAcks).toHaveLength(7);
    expect(result.retryMessages).toEqual([]);
    const delivered = graph.requests.filter((r) => !r.ids.includes("p-bad")).flatMap((r) => r.ids);
    expect(delivered.sort()).toEqual(["p1", "p2", "p3", "p5", "p6", "p7"]);
    expect(dlq).toHaveBeenCalledTimes(1);
    expect(dlq.mock.calls[0]![0]).toMatchObject({
      key: "p-bad",
      reason: "rejected",
      code: 100,
      subcode: 2804003,
      fbtraceId: "TRACE-BAD",
    });
    expect(dlq.mock.calls[0]![0].message?.event.event_id).toBe("p-bad");
  });

  it("dead-letters an event past Meta's 7 days without sending it", async () => {
    const dlq = vi.spyOn(env.CAPI_DLQ as Queue<DeadLetter>, "send");
    const graph = fakeGraph(ok);
    const batch = batchOf([
      queuedEvent({ id: "s-old", eventTime: NOW_S - 7 * 86_400 - 10 }),
      queuedEvent({ id: "s-new", eventTime: NOW_S - 60 }),
    ]);
    const { result } = await consume(batch, graph);
    expect(graph.requests.map((r) => r.ids)).toEqual([["s-new"]]);
    expect(dlq.mock.calls.map((c) => [c[0].key, c[0].reason])).toEqual([["s-old", "stale"]]);
    expect(result.explicitAcks).toHaveLength(2);
  });

  it("does not bisect a token error: one request, every event held in the destination's circuit, none dead-lettered", async () => {
    const dlq = vi.spyOn(env.CAPI_DLQ as Queue<DeadLetter>, "send");
    const graph = fakeGraph(() =>
      Response.json({ error: { message: "Error validating access token", code: 190 } }, { status: 400 }),
    );
    const bindings = { ...twoDestinations };
    const { result } = await consume(
      batchOf(
        ["c1", "c2", "c3"].map((id) => queuedEvent({ id, eventTime: NOW_S - 60, pixelId: "222", destination: "eu" })),
      ),
      graph,
      bindings,
    );
    expect(graph.requests).toHaveLength(1);
    expect(dlq).not.toHaveBeenCalled();
    expect(result.explicitAcks).toHaveLength(3);
    const status = await circuitOf(env, "eu")!.status(NOW);
    expect(status).toMatchObject({ open: true, cause: "meta_refused", held: 3, lastFailure: { code: 190 } });
  });

  it("holds events whose destination lost its token, instead of acking them unsent", async () => {
    const graph = fakeGraph(ok);
    const batch = batchOf([queuedEvent({ id: "d1", eventTime: NOW_S - 60, destination: "notoken" })]);
    const bindings = {
      ...env,
      DESTINATIONS: '[{"name":"notoken","pixel_id":"111","access_token_secret":"META_ACCESS_TOKEN_GONE"}]',
    };
    const { result, lines } = await consume(batch, graph, bindings);
    expect(graph.requests).toEqual([]);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(lines[0]).toMatchObject({ outcome: "held", reason: "no_token", event_id: "d1" });
    expect(await circuitOf(env, "notoken")!.status(NOW)).toMatchObject({ open: true, cause: "no_token", held: 1 });
  });

  it("is the Worker's queue() handler (wrangler.jsonc's env has no token: held)", async () => {
    const batch = batchOf([queuedEvent({ id: "w1", eventTime: NOW_S - 60 })]);
    const ctx = createExecutionContext();
    vi.spyOn(console, "log").mockImplementation(() => {});
    await worker.queue!(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.outcome).toBe("ok");
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
  });

  it("never logs the IP address or the token", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(String(line)));
    const graph = fakeGraph((ids) => (ids.includes("l-bad") ? invalid() : ok(ids)));
    const batch = batchOf([
      queuedEvent({ id: "l1", eventTime: NOW_S - 60 }),
      queuedEvent({ id: "l-bad", eventTime: NOW_S - 60 }),
    ]);
    const ctx = createExecutionContext();
    await handleQueueBatch(batch, live, ctx, { fetch: graph.fetch });
    await getQueueResult(batch, ctx);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.join("\n")).not.toContain(IP);
    expect(lines.join("\n")).not.toContain(TOKEN);
  });
});

describe("idempotent intake (IntakeLedger Durable Object)", () => {
  const request = (tag: string, webhookId?: string, destinations = ["default"]) => ({
    studioEventId: `evt_${tag}`,
    ...(webhookId ? { webhookId } : {}),
    events: destinations.map((destination) => ({
      destination,
      pixelId: "111",
      event: serverEvent(`cartful.ses_${tag}.1`),
    })),
  });
  /** The one destination's result, without its name. */
  const enqueueOne = async (tag: string, webhookId: string | undefined, now: number) => {
    const [result] = await enqueueEvents(env, request(tag, webhookId), now, () => {});
    const { destination: _d, ...rest } = result as EnqueueResult;
    return rest;
  };

  it("queues a Studio event once; a redelivery within 48 h is a duplicate", async () => {
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    expect(await enqueueOne("i1", "msg_i1", NOW)).toEqual({ status: "queued", eventId: "cartful.ses_i1.1" });
    expect(await enqueueOne("i1", "msg_i1", NOW + 60_000)).toEqual({
      status: "duplicate",
      eventId: "cartful.ses_i1.1",
    });
    expect(await enqueueOne("i1", undefined, NOW + INTAKE_MEMORY_MS - 1)).toMatchObject({ status: "duplicate" });
    expect(send).toHaveBeenCalledTimes(1);
    const message = JSON.stringify(send.mock.calls[0]![0]);
    expect(message).not.toMatch(/shopper|@|Jane/);
  });

  it("remembers each destination on its own: a redelivery queues only the destination that was missing", async () => {
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    await enqueueEvents(env, request("i6", "msg_i6", ["us"]), NOW, () => {});
    const again = await enqueueEvents(env, request("i6", "msg_i6", ["us", "eu"]), NOW + 1000, () => {});
    expect(again.map((r) => [r.destination, r.status])).toEqual([
      ["us", "duplicate"],
      ["eu", "queued"],
    ]);
    expect(send.mock.calls.map((call) => (call[0] as { body: QueuedEvent }[]).map((m) => m.body.destination))).toEqual([
      ["us"],
      ["eu"],
    ]);
  });

  it("recognises the same webhook-id under another Studio id in the same shard", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-wh"));
    const [first] = await stub.claim([{ keys: ["id:evt_a", "wh:msg_same"], eventId: "cartful.a.1" }], NOW);
    expect(first?.outcome).toBe("claimed");
    if (first?.outcome === "claimed") await stub.confirm([{ keys: ["id:evt_a", "wh:msg_same"], token: first.token }]);
    expect(await stub.claim([{ keys: ["id:evt_b", "wh:msg_same"], eventId: "cartful.b.1" }], NOW)).toEqual([
      { outcome: "duplicate", eventId: "cartful.a.1" },
    ]);
  });

  it("forgets after 48 hours", async () => {
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    await enqueueOne("i2", undefined, NOW);
    expect((await enqueueOne("i2", undefined, NOW + INTAKE_MEMORY_MS + 1)).status).toBe("queued");
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("releases the claim when the send fails, so Studio's redelivery goes through", async () => {
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch").mockRejectedValueOnce(new Error("queue down"));
    await expect(enqueueEvents(env, request("i3", "msg_i3"), NOW, () => {})).rejects.toThrow("queue down");
    expect(await enqueueOne("i3", "msg_i3", NOW + 1000)).toMatchObject({ status: "queued" });
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("asks a concurrent delivery to come back, and lets a crashed claim be taken over after the lease", async () => {
    const keys = intakeKeys("evt_i4", "msg_i4");
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName(intakeShard("evt_i4")));
    // A delivery claimed and then died before sending (no confirm, no release).
    expect((await stub.claim([{ keys, eventId: "cartful.ses_i4.1" }], NOW))[0]?.outcome).toBe("claimed");
    expect(await enqueueOne("i4", "msg_i4", NOW + 10_000)).toEqual({
      status: "in_flight",
      eventId: "cartful.ses_i4.1",
      retryAfterSeconds: 20,
    });
    expect((await enqueueOne("i4", "msg_i4", NOW + INTAKE_LEASE_MS + 1)).status).toBe("queued");
  });

  it("claims atomically: of many concurrent deliveries exactly one is queued", async () => {
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const answers = await Promise.all(Array.from({ length: 10 }, () => enqueueOne("i5", "msg_i5", NOW)));
    expect(answers.filter((a) => a.status === "queued")).toHaveLength(1);
    expect(answers.filter((a) => a.status === "in_flight")).toHaveLength(9);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("sweeps expired claims with its alarm", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-sweep"));
    await stub.claim([{ keys: ["id:old"], eventId: "cartful.old.1" }], Date.now() - INTAKE_MEMORY_MS - 1);
    await stub.claim([{ keys: ["id:new"], eventId: "cartful.new.1" }], Date.now());
    const left = await runInDurableObject(stub, async (instance, state) => {
      await instance.alarm();
      return state.storage.sql
        .exec<{ key: string }>("SELECT key FROM claims ORDER BY key")
        .toArray()
        .map((r) => r.key);
    });
    expect(left).toEqual(["id:new"]);
  });
});
