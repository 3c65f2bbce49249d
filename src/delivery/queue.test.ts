import { describe, expect, it, vi } from "vitest";
import { EM, IP, USER_AGENT, serverEvent as fixtureEvent, queuedEvent } from "../../test/queueFixtures";
import { MAX_EVENTS_PER_REQUEST, type ServerEvent } from "../transform/capi";
import type { GraphOutcome } from "./graph";
import {
  type DeadLetter,
  type DeliveryPolicy,
  type GraphFailure,
  INTAKE_SHARDS,
  MAX_DELAY_SECONDS,
  MISCONFIGURED_DELAY_SECONDS,
  QUEUE_DELIVERY_POLICY,
  QUEUE_MAX_RETRIES,
  type QueuedEvent,
  deadLetterOf,
  enqueueEvent,
  failureFate,
  groupRequests,
  handleQueueBatch,
  intakeKeys,
  intakeShard,
  isConfigurationFailure,
  isDeadLetterQueue,
  isQueuedEvent,
  isStale,
  isThrottle,
  retryDelaySeconds,
  settle,
  throttleGuard,
} from "./queue";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);
const DAY = 86_400;
const TOKEN = "EAAB-queue-test-token";

const serverEvent = (id: string, eventTime = NOW_S - 60) => fixtureEvent(id, eventTime);
const queued = (id: string, pixelId = "111", eventTime = NOW_S - 60) => queuedEvent(id, eventTime, pixelId);

const fail = (overrides: Partial<GraphFailure> = {}): GraphFailure => ({
  ok: false,
  transient: true,
  status: 503,
  message: "Service unavailable",
  ...overrides,
});
const poisoned = (overrides: Partial<GraphFailure> = {}) =>
  fail({ transient: false, status: 400, code: 100, subcode: 2804003, message: "Invalid parameter", fbtraceId: "TRACE-BAD", ...overrides });
const accepted = (n: number): GraphOutcome => ({ ok: true, status: 200, eventsReceived: n, fbtraceId: "TRACE-OK" });

interface Settled {
  acked: boolean;
  retried?: { delaySeconds?: number };
}

function fakeBatch(queue: string, bodies: unknown[], attempts = 1) {
  const state = new Map<string, Settled>();
  const messages = bodies.map((body, i) => {
    const id = `m${i}`;
    state.set(id, { acked: false });
    return {
      id,
      timestamp: new Date(NOW),
      body,
      attempts,
      ack: () => state.set(id, { acked: true }),
      retry: (options?: { delaySeconds?: number }) => state.set(id, { acked: false, retried: options ?? {} }),
    };
  });
  const batch = {
    queue,
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: () => messages.forEach((m) => m.ack()),
    retryAll: (options?: { delaySeconds?: number }) => messages.forEach((m) => m.retry(options)),
  } as unknown as MessageBatch<unknown>;
  return { batch, state: (i: number) => state.get(`m${i}`)! };
}

function fakeQueue<T>(fails = false) {
  const sent: T[] = [];
  return {
    sent,
    queue: {
      send: vi.fn(async (body: T) => {
        if (fails) throw new Error("queue unavailable");
        sent.push(structuredClone(body));
        return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
      }),
      sendBatch: vi.fn(),
      metrics: vi.fn(),
    } as unknown as Queue<T>,
  };
}

/** A fake Graph: answers per request from a script; records every request's event ids. */
function fakeGraph(answer: (ids: string[]) => { status: number; body: unknown; headers?: Record<string, string> }) {
  const requests: { url: string; ids: string[]; body: Record<string, unknown> }[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { data: ServerEvent[] } & Record<string, unknown>;
    const ids = body.data.map((e) => e.event_id);
    requests.push({ url: String(input), ids, body });
    const reply = answer(ids);
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers: reply.headers ?? {} });
  }) as unknown as typeof fetch;
  return { fetch: fetchFn, requests };
}

const graphEnv = { META_PIXEL_ID: "111", META_ACCESS_TOKEN: TOKEN, META_GRAPH_URL: "http://graph.test" };

function deps(extra: Record<string, unknown> = {}) {
  const lines: string[] = [];
  return { lines, deps: { now: () => NOW, random: () => 0.5, sink: (line: string) => lines.push(line), ...extra } };
}

describe("intakeKeys / intakeShard", () => {
  it("claims the Studio id, and the webhook-id when signed", () => {
    expect(intakeKeys("evt_1")).toEqual(["id:evt_1"]);
    expect(intakeKeys("evt_1", "msg_9")).toEqual(["id:evt_1", "wh:msg_9"]);
  });

  it("puts one Studio id always on the same shard, within range", () => {
    expect(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X")).toBe(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X"));
    const shards = new Set(Array.from({ length: 500 }, (_, i) => intakeShard(`evt_${i}`)));
    expect(shards.size).toBe(INTAKE_SHARDS);
    for (const shard of shards) expect(shard).toMatch(/^intake-(\d|1[0-5])$/);
  });
});

describe("isStale", () => {
  it("accepts an event well inside Meta's 7 days", () => {
    expect(isStale(serverEvent("a", NOW_S - 6 * DAY), NOW)).toBe(false);
  });

  it("refuses an event that would pass 7 days within the safety margin", () => {
    expect(isStale(serverEvent("a", NOW_S - 7 * DAY + 60), NOW)).toBe(true);
  });

  it("refuses an event older than 7 days", () => {
    expect(isStale(serverEvent("a", NOW_S - 8 * DAY), NOW)).toBe(true);
  });
});

describe("isQueuedEvent", () => {
  it("accepts what enqueueEvent sends", () => {
    expect(isQueuedEvent(queued("a"))).toBe(true);
  });

  it.each([
    ["null", null],
    ["a string", "x"],
    ["another version", { ...queued("a"), v: 2 }],
    ["no pixel", { ...queued("a"), pixelId: "" }],
    ["an event_id that differs", { ...queued("a"), eventId: "b" }],
    ["no user_data", { ...queued("a"), event: { ...serverEvent("a"), user_data: null } }],
    ["event_time as text", { ...queued("a"), event: { ...serverEvent("a"), event_time: "1764100000" } }],
  ])("refuses %s", (_, body) => {
    expect(isQueuedEvent(body)).toBe(false);
  });
});

describe("groupRequests", () => {
  it("groups per pixel, keeping arrival order", () => {
    const items = [queued("a", "1"), queued("b", "2"), queued("c", "1")];
    expect(groupRequests(items, (m) => m.pixelId).map((r) => [r.pixelId, r.items.map((m) => m.eventId)])).toEqual([
      ["1", ["a", "c"]],
      ["2", ["b"]],
    ]);
  });

  it("caps a request at Meta's 1,000 events", () => {
    const items = Array.from({ length: 2500 }, (_, i) => i);
    expect(groupRequests(items, () => "1").map((r) => r.items.length)).toEqual([MAX_EVENTS_PER_REQUEST, 1000, 500]);
  });

  it("honours a smaller limit and an empty input", () => {
    expect(groupRequests([1, 2, 3], () => "p", 2).map((r) => r.items)).toEqual([[1, 2], [3]]);
    expect(groupRequests([], () => "p")).toEqual([]);
  });
});

describe("isConfigurationFailure", () => {
  it.each([190, 10, 200, 299, 2635])("code %i is our configuration", (code) => {
    expect(isConfigurationFailure(fail({ transient: false, status: 400, code }))).toBe(true);
  });

  it.each([401, 403, 404])("HTTP %i without a code is our configuration", (status) => {
    expect(isConfigurationFailure(fail({ transient: false, status }))).toBe(true);
  });

  it("code 100 and a bare 400 are about the events", () => {
    expect(isConfigurationFailure(poisoned())).toBe(false);
    expect(isConfigurationFailure(fail({ transient: false, status: 400 }))).toBe(false);
  });
});

describe("isThrottle", () => {
  it.each([
    ["HTTP 429", fail({ status: 429 })],
    ["code 17", fail({ status: 400, code: 17 })],
    ["code 613", fail({ status: 400, code: 613 })],
    ["code 4", fail({ status: 400, code: 4 })],
    ["code 80004", fail({ status: 400, code: 80004 })],
    ["a Retry-After", fail({ status: 503, retryAfterMs: 5000 })],
  ])("%s is a throttle", (_, failure) => {
    expect(isThrottle(failure)).toBe(true);
  });

  it("a 503, a timeout and a permanent error are not", () => {
    expect(isThrottle(fail())).toBe(false);
    expect(isThrottle(fail({ status: undefined, message: "did not answer" }))).toBe(false);
    expect(isThrottle(poisoned())).toBe(false);
  });
});

describe("retryDelaySeconds", () => {
  it("grows with the attempts, never below half of each window", () => {
    const low = [1, 2, 3, 4, 5, 6].map((a) => retryDelaySeconds(a, QUEUE_DELIVERY_POLICY, () => 0));
    expect(low).toEqual([15, 30, 60, 120, 240, 480]);
    const high = [1, 2, 3].map((a) => retryDelaySeconds(a, QUEUE_DELIVERY_POLICY, () => 0.999999));
    expect(high).toEqual([30, 60, 120]);
  });

  it("stops growing at the 30-minute cap", () => {
    expect(retryDelaySeconds(15, QUEUE_DELIVERY_POLICY, () => 0.999999)).toBe(1800);
  });

  it("waits at least what Retry-After asks", () => {
    expect(retryDelaySeconds(1, QUEUE_DELIVERY_POLICY, () => 0, 120_000)).toBe(120);
  });

  it("never asks Cloudflare for more than 12 hours", () => {
    expect(retryDelaySeconds(1, QUEUE_DELIVERY_POLICY, () => 0, 90_000_000)).toBe(MAX_DELAY_SECONDS);
  });
});

describe("failureFate", () => {
  it("retries a transient failure with a delay", () => {
    expect(failureFate(fail(), 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({ kind: "retry", delaySeconds: 15 });
  });

  it("still retries on the last retry, dead-letters after it", () => {
    expect(failureFate(fail(), QUEUE_MAX_RETRIES, QUEUE_DELIVERY_POLICY, () => 0).kind).toBe("retry");
    expect(failureFate(fail(), QUEUE_MAX_RETRIES + 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({
      kind: "dead_letter",
      reason: "retries_exhausted",
    });
  });

  it("dead-letters a permanent rejection at once, naming what was refused", () => {
    expect(failureFate(poisoned(), 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({ kind: "dead_letter", reason: "rejected" });
    expect(failureFate(fail({ transient: false, status: 400, code: 190 }), 1, QUEUE_DELIVERY_POLICY, () => 0)).toMatchObject({
      kind: "dead_letter",
      reason: "configuration",
    });
  });
});

describe("settle", () => {
  const items = (n: number, attempts = 1) => Array.from({ length: n }, (_, i) => ({ attempts, event: serverEvent(`e${i}`) }));
  const rejecting =
    (bad: Set<string>, posts: string[][] = []) =>
    async (events: ServerEvent[]) => {
      posts.push(events.map((e) => e.event_id));
      return events.some((e) => bad.has(e.event_id)) ? poisoned() : accepted(events.length);
    };

  it("sends all in one request when Meta accepts", async () => {
    const posts: string[][] = [];
    const fates = await settle(items(5), rejecting(new Set(), posts), QUEUE_DELIVERY_POLICY, () => 0);
    expect(posts).toHaveLength(1);
    expect(fates.every((f) => f.kind === "sent" && f.fbtraceId === "TRACE-OK" && f.batchSize === 5)).toBe(true);
  });

  it("isolates one rejected event: batchmates sent, only it dead-lettered, few requests", async () => {
    const posts: string[][] = [];
    const fates = await settle(items(100), rejecting(new Set(["e37"]), posts), QUEUE_DELIVERY_POLICY, () => 0);
    expect(fates.filter((f) => f.kind === "sent")).toHaveLength(99);
    expect(fates[37]).toMatchObject({ kind: "dead_letter", reason: "rejected", failure: { code: 100, fbtraceId: "TRACE-BAD" } });
    expect(posts.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(100)));
    const sentIds = posts.filter((ids) => !ids.includes("e37")).flat();
    expect(new Set(sentIds).size).toBe(sentIds.length); // no good event sent twice
  });

  it("isolates two rejected events", async () => {
    const fates = await settle(items(16), rejecting(new Set(["e0", "e15"])), QUEUE_DELIVERY_POLICY, () => 0);
    expect(fates.map((f) => f.kind === "dead_letter")).toEqual(Array.from({ length: 16 }, (_, i) => i === 0 || i === 15));
  });

  it("does not bisect a configuration error: one request, all dead-lettered", async () => {
    const post = vi.fn(async () => fail({ transient: false, status: 400, code: 190, message: "Invalid OAuth access token" }));
    const fates = await settle(items(8), post, QUEUE_DELIVERY_POLICY, () => 0);
    expect(post).toHaveBeenCalledTimes(1);
    expect(fates.every((f) => f.kind === "dead_letter" && f.reason === "configuration")).toBe(true);
  });

  it("retries a whole request on a transient failure", async () => {
    const post = vi.fn(async () => fail({ status: 429, code: 17, retryAfterMs: 60_000 }));
    const fates = await settle(items(3, 2), post, QUEUE_DELIVERY_POLICY, () => 0);
    expect(fates).toEqual(Array(3).fill(expect.objectContaining({ kind: "retry", delaySeconds: 60 })));
  });

  it("retries the half that met a transient failure while isolating", async () => {
    let call = 0;
    const post = async (events: ServerEvent[]): Promise<GraphOutcome> => {
      call++;
      if (call === 1) return poisoned();
      if (call === 2) return fail(); // first half: Meta hiccups
      return events.some((e) => e.event_id === "e3") ? poisoned() : accepted(events.length);
    };
    const fates = await settle(items(4), post, QUEUE_DELIVERY_POLICY, () => 0);
    expect(fates.map((f) => f.kind)).toEqual(["retry", "retry", "sent", "dead_letter"]);
  });

  it("does nothing for no items", async () => {
    const post = vi.fn();
    expect(await settle([], post, QUEUE_DELIVERY_POLICY, () => 0)).toEqual([]);
    expect(post).not.toHaveBeenCalled();
  });
});

describe("throttleGuard", () => {
  it("stops sending after a throttle and answers with it", async () => {
    const post = vi.fn(async () => fail({ status: 429, code: 613, retryAfterMs: 30_000 }));
    const guarded = throttleGuard(post);
    await guarded([serverEvent("a")]);
    const second = await guarded([serverEvent("b")]);
    expect(post).toHaveBeenCalledTimes(1);
    expect(second).toMatchObject({ ok: false, transient: true, code: 613, retryAfterMs: 30_000 });
  });

  it("keeps sending after other failures", async () => {
    const post = vi.fn(async () => fail());
    const guarded = throttleGuard(post);
    await guarded([serverEvent("a")]);
    await guarded([serverEvent("b")]);
    expect(post).toHaveBeenCalledTimes(2);
  });
});

describe("deadLetterOf", () => {
  it("keeps the message, reason, Meta's code and trace id", () => {
    const letter = deadLetterOf({ id: "m1", attempts: 3 }, queued("a"), { kind: "dead_letter", reason: "rejected", failure: poisoned({ userMessage: "Bad em" }) }, NOW);
    expect(letter).toMatchObject({ key: "a", reason: "rejected", detail: "Bad em", status: 400, code: 100, subcode: 2804003, fbtraceId: "TRACE-BAD", attempts: 3, deadLetteredAt: NOW });
    expect(letter.message?.event.event_id).toBe("a");
  });

  it("keys a malformed message by its queue message id", () => {
    expect(deadLetterOf({ id: "m9", attempts: 1 }, null, { kind: "dead_letter", reason: "malformed" }, NOW)).toMatchObject({ key: "message:m9", message: null });
  });

  it("bounds Meta's text", () => {
    const letter = deadLetterOf({ id: "m1", attempts: 1 }, queued("a"), { kind: "dead_letter", reason: "rejected", failure: poisoned({ message: "x".repeat(2000) }) }, NOW);
    expect(letter.detail).toHaveLength(500);
  });
});

describe("isDeadLetterQueue", () => {
  it("knows the DLQ and per-environment copies", () => {
    expect(isDeadLetterQueue("cartful-capi-events-dlq")).toBe(true);
    expect(isDeadLetterQueue("cartful-capi-events-dlq-staging")).toBe(false);
    expect(isDeadLetterQueue("staging-capi-dlq")).toBe(true);
    expect(isDeadLetterQueue("cartful-capi-events")).toBe(false);
  });
});

describe("enqueueEvent", () => {
  function fakeLedger(claim: unknown) {
    return {
      claim: vi.fn(async () => claim),
      confirm: vi.fn(async () => true),
      release: vi.fn(async () => undefined),
    };
  }
  function env(ledger: ReturnType<typeof fakeLedger> | undefined, queue: Queue<QueuedEvent>) {
    return {
      CAPI_QUEUE: queue,
      ...(ledger ? { INTAKE_LEDGER: { idFromName: (name: string) => name, get: () => ledger } as unknown as DurableObjectNamespace<never> } : {}),
    };
  }
  const request = { event: serverEvent("cartful.ses_1.1"), studioEventId: "evt_1", webhookId: "msg_1", pixelId: "111" };

  it("claims, sends the finished event only, confirms", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    const result = await enqueueEvent(env(ledger, queue), request, NOW, (l) => lines.push(l));
    expect(result).toEqual({ status: "queued", eventId: "cartful.ses_1.1" });
    expect(ledger.claim).toHaveBeenCalledWith(["id:evt_1", "wh:msg_1"], "cartful.ses_1.1", NOW);
    expect(ledger.confirm).toHaveBeenCalledWith(["id:evt_1", "wh:msg_1"], "t1");
    expect(sent).toEqual([{ v: 1, eventId: "cartful.ses_1.1", studioEventId: "evt_1", webhookId: "msg_1", pixelId: "111", event: request.event, acceptedAt: NOW }]);
    // The caller logs the outcome it is handed; nothing else happened worth a line.
    expect(lines).toEqual([]);
  });

  it("answers duplicate without sending, with the first delivery's event_id", async () => {
    const ledger = fakeLedger({ outcome: "duplicate", eventId: "cartful.ses_1.1" });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    expect(await enqueueEvent(env(ledger, queue), request, NOW, () => {})).toEqual({ status: "duplicate", eventId: "cartful.ses_1.1" });
    expect(sent).toEqual([]);
  });

  it("answers in_flight while another delivery holds the claim", async () => {
    const ledger = fakeLedger({ outcome: "in_flight", retryAfterSeconds: 12 });
    const { queue, sent } = fakeQueue<QueuedEvent>();
    expect(await enqueueEvent(env(ledger, queue), request, NOW, () => {})).toMatchObject({ status: "in_flight", retryAfterSeconds: 12 });
    expect(sent).toEqual([]);
  });

  it("releases the claim when the send fails, so a redelivery can go through", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    const { queue } = fakeQueue<QueuedEvent>(true);
    await expect(enqueueEvent(env(ledger, queue), request, NOW, () => {})).rejects.toThrow("queue unavailable");
    expect(ledger.release).toHaveBeenCalledWith(["id:evt_1", "wh:msg_1"], "t1");
    expect(ledger.confirm).not.toHaveBeenCalled();
  });

  it("still answers queued when only the confirmation fails", async () => {
    const ledger = fakeLedger({ outcome: "claimed", token: "t1" });
    ledger.confirm.mockRejectedValueOnce(new Error("object reset"));
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    expect((await enqueueEvent(env(ledger, queue), request, NOW, (l) => lines.push(l))).status).toBe("queued");
    expect(sent).toHaveLength(1);
    expect(lines.some((l) => l.includes('"confirm_failed"'))).toBe(true);
  });

  it("queues without a ledger binding, saying so in the log", async () => {
    const { queue, sent } = fakeQueue<QueuedEvent>();
    const lines: string[] = [];
    expect((await enqueueEvent(env(undefined, queue), request, NOW, (l) => lines.push(l))).status).toBe("queued");
    expect(sent).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "queued", reason: "no_intake_ledger" });
  });

  it("throws without a queue binding", async () => {
    await expect(enqueueEvent({}, request, NOW, () => {})).rejects.toThrow("CAPI_QUEUE");
  });
});

describe("handleQueueBatch", () => {
  it("sends one request per pixel and acks each message after Meta accepted", async () => {
    const graph = fakeGraph((ids) => ({ status: 200, body: { events_received: ids.length, fbtrace_id: "T" } }));
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("a", "111"), queued("b", "222"), queued("c", "111")]);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, d);
    expect(graph.requests.map((r) => [r.url, r.ids])).toEqual([
      ["http://graph.test/v26.0/111/events", ["a", "c"]],
      ["http://graph.test/v26.0/222/events", ["b"]],
    ]);
    expect([0, 1, 2].map((i) => state(i).acked)).toEqual([true, true, true]);
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(["sent", "sent", "sent"]);
  });

  it("retries every message of a request Meta refused transiently, with the delay", async () => {
    const graph = fakeGraph(() => ({ status: 503, body: { error: { message: "down", code: 2, is_transient: true } } }));
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("a"), queued("b")], 3);
    const { lines, deps: d } = deps({ fetch: graph.fetch, random: () => 0 });
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, d);
    expect(state(0)).toEqual({ acked: false, retried: { delaySeconds: 60 } });
    expect(state(1)).toEqual({ acked: false, retried: { delaySeconds: 60 } });
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "retry", attempts: 3, delay_seconds: 60, status: 503, meta_code: 2 });
  });

  it("dead-letters a stale event without sending it, and sends its batchmates", async () => {
    const graph = fakeGraph((ids) => ({ status: 200, body: { events_received: ids.length } }));
    const dlq = fakeQueue<DeadLetter>();
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("old", "111", NOW_S - 8 * DAY), queued("fresh")]);
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(graph.requests.map((r) => r.ids)).toEqual([["fresh"]]);
    expect(dlq.sent).toMatchObject([{ key: "old", reason: "stale" }]);
    expect(state(0).acked && state(1).acked).toBe(true);
  });

  it("isolates the poisoned event of a batch and dead-letters it with Meta's trace id", async () => {
    const graph = fakeGraph((ids) =>
      ids.includes("bad")
        ? { status: 400, body: { error: { message: "Invalid parameter", code: 100, error_subcode: 2804003, fbtrace_id: "TR" } } }
        : { status: 200, body: { events_received: ids.length } },
    );
    const dlq = fakeQueue<DeadLetter>();
    const bodies = ["a", "b", "bad", "c", "d"].map((id) => queued(id));
    const { batch, state } = fakeBatch("cartful-capi-events", bodies);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, d);
    expect(bodies.map((_, i) => state(i).acked)).toEqual([true, true, true, true, true]);
    expect(dlq.sent).toMatchObject([{ key: "bad", reason: "rejected", code: 100, subcode: 2804003, fbtraceId: "TR" }]);
    const accepted = graph.requests.filter((r) => !r.ids.includes("bad")).flatMap((r) => r.ids);
    expect(accepted.sort()).toEqual(["a", "b", "c", "d"]);
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.outcome === "dead_lettered")).toMatchObject({ event_id: "bad", reason: "rejected", meta_code: 100, fbtrace_id: "TR" });
  });

  it("stops sending to a pixel once Meta throttles it; others go on", async () => {
    const graph = fakeGraph((ids) =>
      ids.includes("a0") ? { status: 429, body: { error: { message: "limit", code: 17 } }, headers: { "retry-after": "120" } } : { status: 200, body: { events_received: ids.length } },
    );
    const throttledPixel = Array.from({ length: 1500 }, (_, i) => queued(`a${i}`, "111"));
    const { batch, state } = fakeBatch("cartful-capi-events", [...throttledPixel, queued("b", "222")]);
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(graph.requests.map((r) => [r.url.split("/")[4], r.ids.length])).toEqual([
      ["111", 1000],
      ["222", 1],
    ]);
    expect(state(0).retried).toEqual({ delaySeconds: 120 });
    expect(state(1400).retried).toEqual({ delaySeconds: 120 }); // second request never made
    expect(state(1500).acked).toBe(true);
  });

  it("dead-letters a transient failure on the last delivery", async () => {
    const graph = fakeGraph(() => ({ status: 500, body: {} }));
    const dlq = fakeQueue<DeadLetter>();
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("a")], QUEUE_MAX_RETRIES + 1);
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(dlq.sent).toMatchObject([{ key: "a", reason: "retries_exhausted", status: 500, attempts: QUEUE_MAX_RETRIES + 1 }]);
    expect(state(0).acked).toBe(true);
  });

  it("retries instead of acking when the DLQ refuses the letter", async () => {
    const dlq = fakeQueue<DeadLetter>(true);
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("old", "111", NOW_S - 9 * DAY)]);
    const { lines, deps: d } = deps();
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, d);
    expect(state(0).acked).toBe(false);
    expect(state(0).retried?.delaySeconds).toBeGreaterThan(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "dead_letter_failed", reason: "stale" });
  });

  it("says loudly when there is no DLQ to keep a letter", async () => {
    const { batch, state } = fakeBatch("cartful-capi-events", [{ hello: "world" }]);
    const { lines, deps: d } = deps();
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, d);
    expect(state(0).acked).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", outcome: "dead_letter_lost", reason: "malformed" });
  });

  it("holds the whole batch back for 10 minutes when a setting is unusable", async () => {
    const fetch = vi.fn();
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("a"), queued("b")]);
    const { lines, deps: d } = deps({ fetch });
    await handleQueueBatch(batch, { ...graphEnv, META_API_VERSION: "26" }, {} as ExecutionContext, d);
    expect(fetch).not.toHaveBeenCalled();
    expect([state(0), state(1)]).toEqual([
      { acked: false, retried: { delaySeconds: MISCONFIGURED_DELAY_SECONDS } },
      { acked: false, retried: { delaySeconds: MISCONFIGURED_DELAY_SECONDS } },
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", outcome: "misconfigured", reason: "META_API_VERSION must look like v24.0" });
  });

  it("logs and acks in dry run (no token), sending nothing", async () => {
    const fetch = vi.fn();
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("a")]);
    const { lines, deps: d } = deps({ fetch });
    await handleQueueBatch(batch, { META_PIXEL_ID: "111" }, {} as ExecutionContext, d);
    expect(fetch).not.toHaveBeenCalled();
    expect(state(0).acked).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "dry_run", dry_run: true, event_id: "a" });
  });

  it("never logs the IP, the token, a hash or Meta's free text", async () => {
    const graph = fakeGraph((ids) =>
      ids.includes("bad")
        ? { status: 400, body: { error: { message: `bad ${IP} ${TOKEN}`, error_user_msg: `em ${EM}`, code: 100 } } }
        : { status: 200, body: { events_received: ids.length } },
    );
    const dlq = fakeQueue<DeadLetter>();
    const { batch } = fakeBatch("cartful-capi-events", [queued("a"), queued("bad")]);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, d);
    const text = lines.join("\n");
    expect(lines.length).toBe(2);
    for (const secret of [IP, TOKEN, EM, USER_AGENT]) expect(text).not.toContain(secret);
  });

  it("hands a DLQ batch to the dead-letter store", async () => {
    const put = vi.fn(async () => undefined);
    const DEAD_LETTERS = { idFromName: (n: string) => n, get: () => ({ put }) } as unknown as DurableObjectNamespace<never>;
    const letter = deadLetterOf({ id: "m1", attempts: 1 }, queued("a"), { kind: "dead_letter", reason: "stale" }, NOW);
    const { batch, state } = fakeBatch("cartful-capi-events-dlq", [letter, queued("b")], 21);
    const { lines, deps: d } = deps();
    await handleQueueBatch(batch, { DEAD_LETTERS }, {} as ExecutionContext, d);
    expect(put).toHaveBeenCalledWith([letter, expect.objectContaining({ key: "b", reason: "handler_failure", attempts: 21 })]);
    expect(state(0).acked && state(1).acked).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ outcome: "dead_lettered", reason: "handler_failure", event_id: "b" }]);
  });
});

describe("policy", () => {
  it("the custom DeliveryPolicy is honoured", () => {
    const tiny: DeliveryPolicy = { maxRetries: 2, retry: { maxAttempts: 3, baseDelayMs: 2000, maxDelayMs: 4000, deadlineMs: 60_000 } };
    expect(failureFate(fail(), 3, tiny, () => 0).kind).toBe("dead_letter");
    expect(failureFate(fail(), 2, tiny, () => 0)).toMatchObject({ kind: "retry", delaySeconds: 2 });
  });
});

describe("wrangler.toml", () => {
  it("sets every consumer option, with max_retries equal to QUEUE_MAX_RETRIES", async () => {
    const { readFile } = await import("node:fs/promises");
    const toml = await readFile(new URL("../../wrangler.toml", import.meta.url), "utf8");
    const consumers = toml.split("[[queues.consumers]]").slice(1).map((block) => block.split(/\n\[/)[0]!);
    const delivery = consumers.find((block) => block.includes(`queue = "${"cartful-capi-events"}"\n`));
    expect(delivery).toBeDefined();
    for (const option of ["max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "retry_delay", "max_concurrency"]) {
      expect(delivery).toMatch(new RegExp(`^${option} = `, "m"));
    }
    expect(delivery).toMatch(new RegExp(`^max_retries = ${QUEUE_MAX_RETRIES}$`, "m"));
    expect(delivery).toMatch(/^dead_letter_queue = "cartful-capi-events-dlq"$/m);
    expect(consumers.some((block) => block.includes('queue = "cartful-capi-events-dlq"'))).toBe(true);
  });
});
