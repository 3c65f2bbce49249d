/**
 * The deployed shape: the Worker's own default export with wrangler.jsonc's bindings (the
 * delivery queue and the intake ledger included), as `wrangler dev` runs it.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { handleQueueBatch } from "../src/delivery/consumer";
import { QUEUE_NAME } from "../src/delivery/messages";
import { flushSummaries } from "../src/core/logSummary";
import { createApp } from "../src/http/app";
import { fakeGraph, fixtures, graphOk, jsonRequest, liveEnv } from "./helpers";

const worker = exports.default;

function fresh<T extends { id: string; occurred_at: string; session: { id: string } }>(webhook: T, tag: string): T {
  const copy = structuredClone(webhook);
  copy.id = `evt_${tag}`;
  copy.session.id = `ses_${tag}`;
  copy.occurred_at = new Date().toISOString();
  return copy;
}

describe("the Worker", () => {
  it("answers /healthz without auth and without secrets", async () => {
    const res = await worker.fetch("http://relay/healthz");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: "ok",
      mode: "dry_run",
      destinations: [{ name: "default", pixel_id: "DRY_RUN_PIXEL_ID", mode: "dry_run" }],
    });
    expect(text).not.toContain("test-secret");
  });

  it("refuses an unauthenticated webhook", async () => {
    const res = await worker.fetch("http://relay/webhooks/cartful", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fixtures.canonical),
    });
    expect(res.status).toBe(401);
  });

  it("runs dry with wrangler.jsonc's configuration: answers 200 and sends nothing", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const res = await worker.fetch("http://relay/webhooks/cartful", jsonRequest(fresh(fixtures.canonical, "dry")));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "dry_run", event_id: "cartful.ses_dry.2" });
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });
});

describe("the webhook route with the queue bound", () => {
  const queued = { ...liveEnv, CAPI_QUEUE: env.CAPI_QUEUE, INTAKE_LEDGER: env.INTAKE_LEDGER };

  it("answers 202 with the event_id once the event is queued, and sends nothing itself", async () => {
    const graph = vi.fn();
    const lines: string[] = [];
    const log = (line: string) => void lines.push(line);
    const app = createApp({ fetch: graph, log });
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const webhook = fresh(fixtures.canonical, "q1");
    const res = await app.request("/webhooks/cartful", jsonRequest(webhook), queued);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      status: "queued",
      event_id: "cartful.ses_q1.2",
      destinations: [{ name: "default", status: "queued" }],
    });
    expect(graph).not.toHaveBeenCalled();
    expect(send).toHaveBeenCalledTimes(1);
    // Accepted as expected: its line is summed with the others of its second (src/core/logSummary).
    expect(lines).toEqual([]);
    flushSummaries(log);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        msg: "webhook",
        outcome: "queued",
        status: 202,
        requests: 1,
        event_ids: ["cartful.ses_q1.2"],
      }),
    ]);
    const message = JSON.stringify(send.mock.calls[0]![0]);
    for (const personal of ["Jane", "Doe", "Example.COM", "555-0123", "San Francisco", "1990-02-14"]) {
      expect(message).not.toContain(personal);
    }
    send.mockRestore();
  });

  it("acknowledges a redelivery again (queued), and the consumer sends it once", async () => {
    const app = createApp({ log: () => {} });
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const webhook = fresh(fixtures.canonical, "q2");
    const first = await app.request("/webhooks/cartful", jsonRequest(webhook), queued);
    const again = await app.request("/webhooks/cartful", jsonRequest(webhook), queued);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({
      status: "queued",
      event_id: "cartful.ses_q2.2",
      destinations: [{ name: "default", status: "queued" }],
    });
    const bodies = send.mock.calls.flatMap((call) => (call[0] as { body: unknown }[]).map((m) => m.body));
    send.mockRestore();
    expect(bodies).toHaveLength(2);
    const batch = createMessageBatch(
      QUEUE_NAME,
      bodies.map((body, i) => ({ id: `q2-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    const graph = fakeGraph(graphOk());
    const lines: string[] = [];
    await handleQueueBatch(batch, queued, ctx, { fetch: graph.fetch, log: (l) => lines.push(l) });
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(2);
    expect(graph.calls).toHaveLength(1);
    expect(lines.map((l) => JSON.parse(l).outcome).sort()).toEqual(["duplicate", "sent"]);
  });

  it("answers 503 so the sender redelivers when the queue refuses the event", async () => {
    const app = createApp({ log: () => {} });
    const failing = { ...queued, CAPI_QUEUE: { sendBatch: async () => Promise.reject(new Error("queue down")) } };
    const res = await app.request("/webhooks/cartful", jsonRequest(fresh(fixtures.canonical, "q3")), failing);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(await res.json()).toEqual({
      error: {
        code: "queue_unavailable",
        message: "The event could not be queued; redeliver later",
        event_id: "cartful.ses_q3.2",
      },
      destinations: [{ name: "default", status: "failed", error: "queue_unavailable" }],
    });
    // The claim was released: a redelivery once the queue is back goes through.
    const retry = await app.request("/webhooks/cartful", jsonRequest(fresh(fixtures.canonical, "q3")), queued);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ status: "queued" });
  });
});
