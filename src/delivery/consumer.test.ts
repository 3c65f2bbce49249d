import { describe, expect, it, vi } from "vitest";
import { EM, IP, USER_AGENT, queuedEvent } from "../../test/queueFixtures";
import { fakeBatch, fakeQueue, scriptedGraph as fakeGraph } from "../../test/queueFakes";
import { handleQueueBatch } from "./consumer";
import { DEAD_LETTER_QUEUE_NAME, type DeadLetter, QUEUE_NAME, type QueuedEvent } from "./messages";
import { deadLetterOf, MISCONFIGURED_DELAY_SECONDS, QUEUE_MAX_RETRIES } from "./policy";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);
const DAY = 86_400;
const TOKEN = "EAAB-queue-test-token";

const queued = (id: string, pixelId = "111", eventTime = NOW_S - 60) => queuedEvent(id, eventTime, pixelId);

const graphEnv = { META_PIXEL_ID: "111", META_ACCESS_TOKEN: TOKEN, META_GRAPH_URL: "http://graph.test" };

function deps(extra: Record<string, unknown> = {}) {
  const lines: string[] = [];
  return { lines, deps: { now: () => NOW, random: () => 0.5, sink: (line: string) => lines.push(line), ...extra } };
}

describe("handleQueueBatch", () => {
  it("sends one request per pixel and acks each message after Meta accepted", async () => {
    const graph = fakeGraph((ids) => ({ status: 200, body: { events_received: ids.length, fbtrace_id: "T" } }));
    const { batch, state } = fakeBatch("cartful-capi-events", [queued("a", "111"), queued("b", "222"), queued("c", "111")]);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, d);
    expect(graph.requests.map((r) => [r.url, r.ids])).toEqual([
      ["http://graph.test/v27.0/111/events", ["a", "c"]],
      ["http://graph.test/v27.0/222/events", ["b"]],
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

describe("wrangler.jsonc", () => {
  it("sets every consumer option, with max_retries equal to QUEUE_MAX_RETRIES", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parse } = await import("jsonc-parser");
    const config = parse(await readFile(new URL("../../wrangler.jsonc", import.meta.url), "utf8")) as {
      queues: { consumers: Record<string, unknown>[] };
    };
    const consumers = config.queues.consumers;
    const delivery = consumers.find((consumer) => consumer.queue === QUEUE_NAME);
    expect(delivery).toBeDefined();
    for (const option of ["max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "retry_delay", "max_concurrency"]) {
      expect(delivery).toHaveProperty(option);
    }
    expect(delivery?.max_retries).toBe(QUEUE_MAX_RETRIES);
    expect(delivery?.dead_letter_queue).toBe(DEAD_LETTER_QUEUE_NAME);
    expect(consumers.some((consumer) => consumer.queue === DEAD_LETTER_QUEUE_NAME)).toBe(true);
  });
});
