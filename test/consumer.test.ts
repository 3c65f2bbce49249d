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
import { rowsWrittenBy } from "./rowsWritten";
import { IP, queuedEvent } from "./queueFixtures";
import { INTAKE_LEASE_MS, INTAKE_MEMORY_MS } from "../src/delivery/intakeLedger";
import { intakeKeys } from "../src/delivery/producer";
import { CLAIM_RETRY_DELAY_SECONDS } from "../src/delivery/intakeClaims";
import { circuitOf } from "../src/delivery/holds";
import { type BatchReport, handleQueueBatch } from "../src/delivery/consumer";
import { QUEUE_MAX_RETRIES } from "../src/delivery/policy";
import { type DeadLetter, QUEUE_NAME, type QueuedEvent } from "../src/delivery/messages";

const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);
const TOKEN = "EAAB-workerd-queue-token";
const live = { ...env, META_ACCESS_TOKEN: TOKEN, META_PIXEL_ID: "111", META_GRAPH_URL: "https://graph.test" };
let sequence = 0;

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
    // One line per request Meta accepted, naming its events.
    expect(lines.map((l) => [l.msg, l.outcome, l.destination, l.event_ids, l.fbtrace_id]).sort()).toEqual([
      ["capi_request", "sent", "eu", ["b2"], "TRACE-OK"],
      ["capi_request", "sent", "us", ["b1", "b3"], "TRACE-OK"],
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
    expect(first.delays).toEqual([10, 10]);
    expect(later.delays).toEqual([80]);
    expect(later.lines[0]).toMatchObject({
      outcome: "retry",
      attempts: 4,
      delay_seconds: 80,
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

  it("sends each re-driven dead letter in a request of its own, never with healthy leads: a refused one costs one request", async () => {
    const dlq = vi.spyOn(env.CAPI_DLQ as Queue<DeadLetter>, "send");
    const graph = fakeGraph((ids) => (ids.includes("rd-bad") ? invalid() : ok(ids)));
    const redriven = (id: string) => ({ ...queuedEvent({ id, eventTime: NOW_S - 60 }), replays: 1 });
    const batch = batchOf([
      queuedEvent({ id: "rd-h1", eventTime: NOW_S - 60 }),
      redriven("rd-bad"),
      queuedEvent({ id: "rd-h2", eventTime: NOW_S - 60 }),
      redriven("rd-good"),
    ]);
    const { result } = await consume(batch, graph);
    expect(graph.requests.map((r) => r.ids)).toEqual([["rd-h1", "rd-h2"], ["rd-bad"], ["rd-good"]]);
    expect(result.explicitAcks).toHaveLength(4);
    expect(dlq).toHaveBeenCalledTimes(1);
    expect(dlq.mock.calls[0]![0]).toMatchObject({ key: "rd-bad", reason: "rejected" });
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
    // Another destination has its token: the relay is live, so a missing secret holds (not a dry run).
    const bindings = {
      ...env,
      META_ACCESS_TOKEN_LIVE: TOKEN,
      DESTINATIONS: JSON.stringify([
        { name: "notoken", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_GONE" },
        { name: "live", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_LIVE" },
      ]),
    };
    const { result, lines } = await consume(batch, graph, bindings);
    expect(graph.requests).toEqual([]);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(lines[0]).toMatchObject({
      level: "error",
      outcome: "held",
      reason: "no_token",
      secret: "META_ACCESS_TOKEN_GONE",
      event_id: "d1",
    });
    expect(await circuitOf(env, "notoken")!.status(NOW)).toMatchObject({ open: true, cause: "no_token", held: 1 });
  });

  it("is the Worker's queue() handler (a destination without its token while another is live: held)", async () => {
    const batch = batchOf([queuedEvent({ id: "w1", eventTime: NOW_S - 60, destination: "gone" })]);
    const ctx = createExecutionContext();
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(String(line)));
    const bindings = {
      ...env,
      META_ACCESS_TOKEN_LIVE: TOKEN,
      DESTINATIONS: JSON.stringify([
        { name: "gone", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_GONE" },
        { name: "live", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_LIVE" },
      ]),
    };
    await worker.queue!(batch, bindings as unknown as Env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.outcome).toBe("ok");
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ outcome: "held", reason: "no_token", event_id: "w1" }),
    );
    expect(await circuitOf(env, "gone")!.status(NOW)).toMatchObject({ open: true, cause: "no_token", held: 1 });
  });

  it("logs and acks a queued message as a dry run once the relay is in dry-run mode (DRY_RUN=true)", async () => {
    const graph = fakeGraph(ok);
    const batch = batchOf([queuedEvent({ id: "dr1", eventTime: NOW_S - 60 })]);
    const { result, lines } = await consume(batch, graph, { ...live, DRY_RUN: "true" });
    expect(graph.requests).toEqual([]);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(lines[0]).toMatchObject({ outcome: "dry_run", event_id: "dr1" });
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

describe("idempotent intake: the consumer's claim (IntakeLedger Durable Object)", () => {
  /** A webhook's message as the route queues it: marked for the consumer's claim. */
  const webhookMessage = (tag: string, destination = "default", webhookId = `msg_${tag}`): QueuedEvent => ({
    ...queuedEvent({ id: `cartful.ses_${tag}.1`, eventTime: NOW_S - 60, destination }),
    studioEventId: `evt_${tag}`,
    webhookId,
    unclaimed: true,
  });
  /** A batch of messages with chosen queue message ids (a redelivery of a message keeps its id). */
  const batchWithIds = (messages: [string, QueuedEvent][], attempts = 1) =>
    createMessageBatch(
      QUEUE_NAME,
      messages.map(([id, body]) => ({ id, timestamp: new Date(NOW), attempts, body })),
    );

  it("sends a redelivered webhook once: the second message is acked unsent and counted duplicate", async () => {
    const graph = fakeGraph(ok);
    const reports: BatchReport[] = [];
    const batch = batchWithIds([
      ["q1-a", webhookMessage("q1")],
      ["q1-b", webhookMessage("q1")],
    ]);
    const ctx = createExecutionContext();
    const lines: string[] = [];
    await handleQueueBatch(batch, live, ctx, {
      fetch: graph.fetch,
      log: (l) => lines.push(l),
      record: (r) => void reports.push(r),
    });
    const result = await getQueueResult(batch, ctx);
    expect(graph.requests.map((r) => r.ids)).toEqual([["cartful.ses_q1.1"]]);
    expect([...result.explicitAcks].sort()).toEqual(["q1-a", "q1-b"]);
    expect(lines.map((l) => JSON.parse(l).outcome).sort()).toEqual(["duplicate", "sent"]);
    expect(reports[0]?.get("default")).toMatchObject({ sent: 1, duplicate: 1 });
    // A later batch: the same webhook again (Studio's redelivery, a new queue message).
    const again = batchWithIds([["q1-c", webhookMessage("q1")]]);
    const second = await consume(again, graph);
    expect(graph.requests).toHaveLength(1);
    expect(second.lines[0]).toMatchObject({ outcome: "duplicate", event_id: "cartful.ses_q1.1" });
  });

  it("lets a message's own retry through its claim", async () => {
    let down = true;
    const graph = fakeGraph((ids) =>
      down ? Response.json({ error: { code: 2, is_transient: true } }, { status: 503 }) : ok(ids),
    );
    const first = await consume(batchWithIds([["q2-a", webhookMessage("q2")]]), graph);
    expect(first.result.retryMessages.map((m) => m.msgId)).toEqual(["q2-a"]);
    down = false;
    const retry = await consume(batchWithIds([["q2-a", webhookMessage("q2")]], 2), graph);
    expect(retry.result.explicitAcks).toEqual(["q2-a"]);
    expect(retry.lines[0]).toMatchObject({ outcome: "sent" });
  });

  it("owns a claim by the message's own claim id, not its queue id: a retry under a new queue id passes, a redelivery does not", async () => {
    let down = true;
    const graph = fakeGraph((ids) =>
      down ? Response.json({ error: { code: 2, is_transient: true } }, { status: 503 }) : ok(ids),
    );
    const message = { ...webhookMessage("q7"), claim: "a7".repeat(16) };
    const first = await consume(batchWithIds([["q7-a", message]]), graph);
    expect(first.result.retryMessages.map((m) => m.msgId)).toEqual(["q7-a"]);
    down = false;
    // Should Cloudflare hand the retry over under another id, the body's claim still owns the keys.
    const retry = await consume(batchWithIds([["q7-b", message]], 2), graph);
    expect(retry.result.explicitAcks).toEqual(["q7-b"]);
    expect(retry.lines[0]).toMatchObject({ outcome: "sent" });
    // Studio's redelivery: a new message, so a new claim id, even under the retried message's queue id.
    const redelivered = await consume(
      batchWithIds([["q7-b", { ...webhookMessage("q7"), claim: "b7".repeat(16) }]]),
      graph,
    );
    expect(redelivered.lines[0]).toMatchObject({ outcome: "duplicate" });
    expect(graph.requests.filter((r) => r.ids.includes("cartful.ses_q7.1"))).toHaveLength(2);
  });

  it("remembers each destination on its own: a redelivery sends only the destination that was missing", async () => {
    const graph = fakeGraph(ok);
    await consume(batchWithIds([["q3-us", webhookMessage("q3", "us")]]), graph, twoDestinations);
    const { lines } = await consume(
      batchWithIds([
        ["q3-us-2", webhookMessage("q3", "us")],
        ["q3-eu-2", { ...webhookMessage("q3", "eu"), pixelId: "222" }],
      ]),
      graph,
      twoDestinations,
    );
    expect(graph.requests.map((r) => r.url.split("/").at(-2))).toEqual(["111", "222"]);
    expect(lines.map((l) => [l.destination, l.outcome]).sort()).toEqual([
      ["eu", "sent"],
      ["us", "duplicate"],
    ]);
  });

  it("never claims what the relay itself puts back on the queue (a circuit's release, a re-drive)", async () => {
    const graph = fakeGraph(ok);
    await consume(batchWithIds([["q4-a", webhookMessage("q4")]]), graph);
    const { unclaimed: _u, ...released } = webhookMessage("q4");
    const { result } = await consume(batchWithIds([["q4-released", released]]), graph);
    expect(result.explicitAcks).toEqual(["q4-released"]);
    expect(graph.requests).toHaveLength(2);
  });

  it("retries shortly, sending nothing, when the ledger cannot be reached", async () => {
    const graph = fakeGraph(ok);
    const unreachable = {
      idFromName: (name: string) => env.INTAKE_LEDGER.idFromName(name),
      get: () => ({ claimMessages: () => Promise.reject(new Error("object unreachable")) }),
    };
    const { result, delays, lines } = await consume(batchWithIds([["q5-a", webhookMessage("q5")]]), graph, {
      ...live,
      INTAKE_LEDGER: unreachable,
    });
    expect(graph.requests).toEqual([]);
    expect(result.explicitAcks).toEqual([]);
    expect(delays).toEqual([CLAIM_RETRY_DELAY_SECONDS]);
    expect(lines[0]).toMatchObject({ level: "warn", outcome: "claim_deferred", reason: "ledger_unreachable" });
  });

  it("forgets after 48 hours", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-forget"));
    const entry = { keys: ["id:evt_forget"], eventId: "cartful.f.1" };
    expect(await stub.claimMessages([{ ...entry, owner: "a" }], NOW)).toEqual([{ outcome: "claimed" }]);
    expect(await stub.claimMessages([{ ...entry, owner: "b" }], NOW + INTAKE_MEMORY_MS - 1)).toEqual([
      { outcome: "duplicate", eventId: "cartful.f.1" },
    ]);
    expect(await stub.claimMessages([{ ...entry, owner: "b" }], NOW + INTAKE_MEMORY_MS + 1)).toEqual([
      { outcome: "claimed" },
    ]);
  });

  it("claims atomically: of many concurrent messages with one webhook's keys exactly one is claimed", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-atomic"));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stub.claimMessages([{ keys: ["id:evt_atomic", "wh:msg_atomic"], eventId: "cartful.a.1", owner: `m${i}` }], NOW),
      ),
    );
    expect(answers.flat().filter((a) => a.outcome === "claimed")).toHaveLength(1);
  });

  it("takes the direct path's claims into account, and the direct path the consumer's", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-mixed"));
    const [direct] = await stub.claim([{ keys: ["id:evt_direct"], eventId: "cartful.d.1" }], NOW);
    expect(
      await stub.claimMessages([{ keys: ["id:evt_direct"], eventId: "cartful.d.1", owner: "m1" }], NOW + 1000),
    ).toEqual([{ outcome: "in_flight", retryAfterSeconds: 29 }]);
    if (direct?.outcome === "claimed") await stub.confirm([{ keys: ["id:evt_direct"], token: direct.token }]);
    expect(
      await stub.claimMessages([{ keys: ["id:evt_direct"], eventId: "cartful.d.1", owner: "m1" }], NOW + 2000),
    ).toEqual([{ outcome: "duplicate", eventId: "cartful.d.1" }]);
    await stub.claimMessages([{ keys: ["id:evt_queued"], eventId: "cartful.q.1", owner: "m2" }], NOW);
    expect(await stub.claim([{ keys: ["id:evt_queued"], eventId: "cartful.q.1" }], NOW + 1000)).toEqual([
      { outcome: "duplicate", eventId: "cartful.q.1" },
    ]);
  });

  it("recognises the same webhook-id under another Studio id for the same destination (direct path)", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-wh"));
    const [first] = await stub.claim([{ keys: ["id:evt_a", "wh:msg_same"], eventId: "cartful.a.1" }], NOW);
    expect(first?.outcome).toBe("claimed");
    if (first?.outcome === "claimed") await stub.confirm([{ keys: ["id:evt_a", "wh:msg_same"], token: first.token }]);
    expect(await stub.claim([{ keys: ["id:evt_b", "wh:msg_same"], eventId: "cartful.b.1" }], NOW)).toEqual([
      { outcome: "duplicate", eventId: "cartful.a.1" },
    ]);
  });

  it("lets a crashed direct claim be taken over after the lease", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-lease"));
    const keys = intakeKeys("evt_lease", "msg_lease");
    expect((await stub.claim([{ keys, eventId: "cartful.l.1" }], NOW))[0]?.outcome).toBe("claimed");
    expect((await stub.claim([{ keys, eventId: "cartful.l.1" }], NOW + 10_000))[0]).toEqual({
      outcome: "in_flight",
      retryAfterSeconds: 20,
    });
    expect((await stub.claim([{ keys, eventId: "cartful.l.1" }], NOW + INTAKE_LEASE_MS + 1))[0]?.outcome).toBe(
      "claimed",
    );
  });

  it("writes one row per key a message claims (a table clustered on its key, no index on expires_at)", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-rows"));
    const requests = Array.from({ length: 10 }, (_, i) => ({
      keys: intakeKeys(`evt_rows_${i}`, `msg_rows_${i}`),
      eventId: `cartful.rows.${i}`,
      owner: `m${i}`,
    }));
    const written = await runInDurableObject(stub, (instance, state) =>
      rowsWrittenBy(state.storage.sql, () => instance.claimMessages(requests, NOW)),
    );
    expect(written).toBe(10 * 2);
  });

  it("sweeps expired claims with its alarm", async () => {
    const stub = env.INTAKE_LEDGER.get(env.INTAKE_LEDGER.idFromName("intake-test-sweep"));
    await stub.claim([{ keys: ["id:old"], eventId: "cartful.old.1" }], Date.now() - INTAKE_MEMORY_MS - 1);
    await stub.claimMessages([{ keys: ["id:new"], eventId: "cartful.new.1", owner: "m1" }], Date.now());
    const left = await runInDurableObject(stub, async (instance, state) => {
      await instance.alarm();
      return state.storage.sql
        .exec<{ key: string; owner: string | null }>("SELECT key, owner FROM claim_keys ORDER BY key")
        .toArray()
        .map((r) => [r.key, r.owner]);
    });
    expect(left).toEqual([["id:new", "m1"]]);
  });
});
