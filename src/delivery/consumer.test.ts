import { describe, expect, it, vi } from "vitest";
import { EM, IP, USER_AGENT, queuedEvent } from "../../test/queueFixtures";
import { fakeGraph } from "../../test/helpers";
import { fakeBatch, fakeCircuits, fakeQueue } from "../../test/queueFakes";
import { circuitName } from "./holds";
import { IDS_PER_LINE } from "../core/log";
import { type BatchReport, CLOSED_TRUST_MS, handleQueueBatch } from "./consumer";
import { DEAD_LETTER_QUEUE_NAME, type DeadLetter, QUEUE_NAME } from "./messages";
import { deadLetterOf, HOLD_FALLBACK_DELAY_SECONDS, QUEUE_MAX_RETRIES } from "./policy";

/** Meta's answer as the tests write it: status, JSON body, headers. */
const reply = (answer: { status: number; body: unknown; headers?: Record<string, string> }) =>
  Response.json(answer.body, { status: answer.status, ...(answer.headers ? { headers: answer.headers } : {}) });
const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);
const DAY = 86_400;
const TOKEN = "EAAB-queue-test-token";
const TOKEN_EU = "EAAB-eu-token";

const graphEnv = { META_PIXEL_ID: "111", META_ACCESS_TOKEN: TOKEN, META_GRAPH_URL: "http://graph.test" };
/** Two destinations: "us" on pixel 111 with the main token, "eu" on pixel 222 with its own. */
const twoDestinations = {
  META_GRAPH_URL: "http://graph.test",
  META_ACCESS_TOKEN_US: TOKEN,
  META_ACCESS_TOKEN_EU: TOKEN_EU,
  DESTINATIONS: JSON.stringify([
    { name: "us", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_US" },
    { name: "eu", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_EU" },
  ]),
};

/** The same two, "us" without its token while "eu" has one: the relay is live, so "us" is held (not a dry run). */
const usWithoutToken = { ...twoDestinations, META_ACCESS_TOKEN_US: undefined };

function deps(extra: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const reports: BatchReport[] = [];
  return {
    lines,
    reports,
    deps: {
      now: () => NOW,
      random: () => 0.5,
      log: (line: string) => lines.push(line),
      record: (r: BatchReport) => void reports.push(r),
      ...extra,
    },
  };
}

describe("handleQueueBatch", () => {
  it("sends one request per destination, each with its own pixel and token, and acks after Meta accepted", async () => {
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length, fbtrace_id: "T" } }));
    const bodies = [
      queuedEvent({ id: "a", eventTime: NOW_S - 60, destination: "us" }),
      queuedEvent({ id: "b", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
      queuedEvent({ id: "c", eventTime: NOW_S - 60, destination: "us" }),
    ];
    const { batch, state } = fakeBatch(QUEUE_NAME, bodies);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, twoDestinations, {} as ExecutionContext, d);
    expect(graph.requests.map((r) => [r.url, r.ids, r.body.access_token])).toEqual([
      ["http://graph.test/v27.0/111/events", ["a", "c"], TOKEN],
      ["http://graph.test/v27.0/222/events", ["b"], TOKEN_EU],
    ]);
    expect([0, 1, 2].map((i) => state(i).acked)).toEqual([true, true, true]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        level: "info",
        msg: "capi_request",
        outcome: "sent",
        destination: "us",
        pixel_id: "111",
        batch_size: 2,
        event_ids: ["a", "c"],
        attempts: 1,
        fbtrace_id: "T",
      },
      {
        level: "info",
        msg: "capi_request",
        outcome: "sent",
        destination: "eu",
        pixel_id: "222",
        batch_size: 1,
        event_ids: ["b"],
        attempts: 1,
        fbtrace_id: "T",
      },
    ]);
  });

  it("logs what Meta accepted a line per request and per IDS_PER_LINE events, each id once", async () => {
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length, fbtrace_id: "T" } }));
    const ids = Array.from({ length: IDS_PER_LINE + 5 }, (_, i) => `e${i}`);
    const { batch } = fakeBatch(
      QUEUE_NAME,
      ids.map((id) => queuedEvent({ id, eventTime: NOW_S - 60 })),
    );
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, graphEnv, {} as ExecutionContext, d);
    expect(graph.requests).toHaveLength(1);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((l) => [l.msg, l.event_ids.length, l.batch_size, l.fbtrace_id])).toEqual([
      ["capi_request", IDS_PER_LINE, IDS_PER_LINE + 5, "T"],
      ["capi_request", 5, IDS_PER_LINE + 5, "T"],
    ]);
    expect(parsed.flatMap((l) => l.event_ids)).toEqual(ids);
  });

  it("sends to the destination's pixel as configured now, whatever pixel the message was accepted for", async () => {
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length } }));
    const { batch } = fakeBatch(QUEUE_NAME, [queuedEvent({ id: "a", eventTime: NOW_S - 60, pixelId: "999" })]);
    await handleQueueBatch(batch, graphEnv, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(graph.requests.map((r) => r.url)).toEqual(["http://graph.test/v27.0/111/events"]);
  });

  it("delivers a message written before destinations (v1) to the default destination", async () => {
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length } }));
    const { v: _v, destination: _d, ...rest } = queuedEvent({ id: "old-format", eventTime: NOW_S - 60 });
    const { batch, state } = fakeBatch(QUEUE_NAME, [{ ...rest, v: 1 }]);
    await handleQueueBatch(batch, graphEnv, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(graph.requests.map((r) => r.ids)).toEqual([["old-format"]]);
    expect(state(0).acked).toBe(true);
  });

  it("retries every message of a request Meta refused transiently, with the delay", async () => {
    const graph = fakeGraph(() =>
      reply({ status: 503, body: { error: { message: "down", code: 2, is_transient: true } } }),
    );
    const { batch, state } = fakeBatch(
      QUEUE_NAME,
      [queuedEvent({ id: "a", eventTime: NOW_S - 60 }), queuedEvent({ id: "b", eventTime: NOW_S - 60 })],
      3,
    );
    const { lines, deps: d } = deps({ fetch: graph.fetch, random: () => 0 });
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, d);
    expect(state(0)).toEqual({ acked: false, retried: { delaySeconds: 40 } });
    expect(state(1)).toEqual({ acked: false, retried: { delaySeconds: 40 } });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      outcome: "retry",
      attempts: 3,
      delay_seconds: 40,
      status: 503,
      meta_code: 2,
    });
  });

  it("tells the circuit of a batch whose requests all failed transiently, and lets it keep them once the outage is sustained", async () => {
    const down = () => reply({ status: 503, body: { error: { message: "down", code: 2, is_transient: true } } });
    const circuits = fakeCircuits();
    const bindings = { ...graphEnv, DELIVERY_CIRCUIT: circuits.namespace };
    const first = fakeBatch(QUEUE_NAME, [queuedEvent({ id: "a", eventTime: NOW_S - 60 })]);
    await handleQueueBatch(first.batch, bindings, {} as ExecutionContext, deps({ fetch: fakeGraph(down).fetch }).deps);
    expect(first.state(0).retried).toBeDefined();
    expect(circuits.circuit(circuitName("default")).transientReports).toBe(1);
    // The circuit finds the run sustained: it keeps the messages, the consumer acks them as held.
    circuits.circuit(circuitName("default")).opensOnReport = true;
    const second = fakeBatch(QUEUE_NAME, [queuedEvent({ id: "b", eventTime: NOW_S - 60 })]);
    const { lines, deps: d } = deps({ fetch: fakeGraph(down).fetch, now: () => NOW + 10_000 });
    await handleQueueBatch(second.batch, bindings, {} as ExecutionContext, d);
    expect(second.state(0)).toEqual({ acked: true });
    expect(circuits.circuit(circuitName("default")).held.map((m) => m.eventId)).toEqual(["b"]);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ outcome: "held", reason: "meta_unavailable", status: 503 });
  });

  it("asks a destination's circuit at most once per batch: an open one keeps the batch it is offered, a closed one is not asked again soon", async () => {
    const circuits = fakeCircuits();
    const calls: string[] = [];
    const counted = {
      idFromName: (name: string) => circuits.namespace.idFromName(name),
      get: (id: DurableObjectId) =>
        new Proxy(circuits.namespace.get(id) as object, {
          get: (target, method: string) => (calls.push(method), (target as Record<string, unknown>)[method]),
        }),
    } as unknown as DurableObjectNamespace<never>;
    const bindings = { ...twoDestinations, DELIVERY_CIRCUIT: counted };
    const ok = () => reply({ status: 200, body: { events_received: 1 } });
    const batchFor = (id: string, destination: "us" | "eu") =>
      fakeBatch(QUEUE_NAME, [
        queuedEvent({ id, eventTime: NOW_S - 60, destination, pixelId: destination === "us" ? "111" : "222" }),
      ]).batch;
    // "eu" open (Meta refused it): each batch is offered, and kept, in one call.
    circuits.open(circuitName("eu"));
    for (const id of ["a", "b"]) {
      calls.length = 0;
      await handleQueueBatch(batchFor(id, "eu"), bindings, {} as ExecutionContext, deps({ fetch: vi.fn() }).deps);
      expect(calls, id).toEqual(["offer"]);
    }
    expect(circuits.circuit(circuitName("eu")).held.map((m) => m.eventId)).toEqual(["a", "b"]);
    // "us" closed: asked once, then trusted for CLOSED_TRUST_MS, then asked again.
    calls.length = 0;
    for (const [id, now] of [
      ["c", NOW],
      ["d", NOW + CLOSED_TRUST_MS - 1],
      ["e", NOW + CLOSED_TRUST_MS],
    ] as const)
      await handleQueueBatch(
        batchFor(id, "us"),
        bindings,
        {} as ExecutionContext,
        deps({ fetch: fakeGraph(ok).fetch, now: () => now }).deps,
      );
    expect(calls).toEqual(["offer", "offer"]);
  });

  it("tells the circuit nothing of a batch that got through, unless it counts failures", async () => {
    const circuits = fakeCircuits();
    const bindings = { ...twoDestinations, DELIVERY_CIRCUIT: circuits.namespace };
    const ok = () => reply({ status: 200, body: { events_received: 1 } });
    const { batch } = fakeBatch(QUEUE_NAME, [queuedEvent({ id: "a", eventTime: NOW_S - 60, destination: "us" })]);
    await handleQueueBatch(batch, bindings, {} as ExecutionContext, deps({ fetch: fakeGraph(ok).fetch }).deps);
    expect(circuits.circuit(circuitName("us")).transientReports).toBeUndefined();
  });

  it("keeps a destination that is down from holding back another's events", async () => {
    const graph = fakeGraph((ids, url) =>
      reply(
        url.includes("/222/")
          ? { status: 503, body: { error: { message: "down", code: 2, is_transient: true } } }
          : { status: 200, body: { events_received: ids.length } },
      ),
    );
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "u", eventTime: NOW_S - 60, destination: "us" }),
      queuedEvent({ id: "e", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
    ]);
    await handleQueueBatch(batch, twoDestinations, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(state(0).acked).toBe(true);
    expect(state(1)).toMatchObject({ acked: false, retried: { delaySeconds: expect.any(Number) } });
  });

  it("dead-letters a stale event without sending it, and sends its batchmates", async () => {
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length } }));
    const dlq = fakeQueue<DeadLetter>();
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "old", eventTime: NOW_S - 8 * DAY }),
      queuedEvent({ id: "fresh", eventTime: NOW_S - 60 }),
    ]);
    await handleQueueBatch(
      batch,
      { ...graphEnv, CAPI_DLQ: dlq.queue },
      {} as ExecutionContext,
      deps({ fetch: graph.fetch }).deps,
    );
    expect(graph.requests.map((r) => r.ids)).toEqual([["fresh"]]);
    expect(dlq.sent).toMatchObject([{ key: "old", reason: "stale" }]);
    expect(state(0).acked && state(1).acked).toBe(true);
  });

  it("isolates the poisoned event of a batch and dead-letters it with Meta's trace id, keyed by destination", async () => {
    const graph = fakeGraph((ids) =>
      reply(
        ids.includes("bad")
          ? {
              status: 400,
              body: { error: { message: "Invalid parameter", code: 100, error_subcode: 2804003, fbtrace_id: "TR" } },
            }
          : { status: 200, body: { events_received: ids.length } },
      ),
    );
    const dlq = fakeQueue<DeadLetter>();
    const bodies = ["a", "b", "bad", "c", "d"].map((id) =>
      queuedEvent({ id, eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
    );
    const { batch, state } = fakeBatch(QUEUE_NAME, bodies);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, { ...twoDestinations, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, d);
    expect(bodies.map((_, i) => state(i).acked)).toEqual([true, true, true, true, true]);
    expect(dlq.sent).toMatchObject([
      { key: "bad@eu", reason: "rejected", code: 100, subcode: 2804003, fbtraceId: "TR" },
    ]);
    const accepted = graph.requests.filter((r) => !r.ids.includes("bad")).flatMap((r) => r.ids);
    expect(accepted.sort()).toEqual(["a", "b", "c", "d"]);
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.outcome === "dead_lettered")).toMatchObject({
      event_id: "bad",
      destination: "eu",
      reason: "rejected",
      meta_code: 100,
      fbtrace_id: "TR",
    });
  });

  it.each([
    [
      "a revoked token (190)",
      { status: 400, body: { error: { message: "Error validating access token", code: 190, error_subcode: 463 } } },
      190,
    ],
    [
      "a wrong pixel (100/33)",
      {
        status: 400,
        body: { error: { message: "Object with ID '111' does not exist", code: 100, error_subcode: 33 } },
      },
      100,
    ],
    ["a missing permission (200)", { status: 403, body: { error: { message: "Permissions error", code: 200 } } }, 200],
    ["a session key error (102)", { status: 400, body: { error: { message: "Session key invalid", code: 102 } } }, 102],
    ["a permanent 4xx without a code", { status: 404, body: { nothing: true } }, undefined],
  ])(
    "holds the whole request on %s: one request, no bisection, every event kept in the circuit and acked",
    async (_what, answer, code) => {
      const graph = fakeGraph(() => reply(answer));
      const circuits = fakeCircuits();
      const dlq = fakeQueue<DeadLetter>();
      const bodies = ["a", "b", "c", "d"].map((id) => queuedEvent({ id, eventTime: NOW_S - 60 }));
      const { batch, state } = fakeBatch(QUEUE_NAME, bodies);
      const { lines, reports, deps: d } = deps({ fetch: graph.fetch });
      await handleQueueBatch(
        batch,
        { ...graphEnv, CAPI_DLQ: dlq.queue, DELIVERY_CIRCUIT: circuits.namespace },
        {} as ExecutionContext,
        d,
      );
      expect(graph.requests).toHaveLength(1);
      expect(dlq.sent).toEqual([]);
      expect(bodies.map((_, i) => state(i).acked)).toEqual([true, true, true, true]);
      const circuit = circuits.circuit(circuitName("default"));
      expect(circuit.held.map((m) => m.eventId)).toEqual(["a", "b", "c", "d"]);
      expect(circuit.causes).toEqual(["meta_refused"]);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        level: "warn",
        outcome: "held",
        reason: "meta_refused",
        ...(code ? { meta_code: code } : {}),
      });
      expect(reports[0]?.get("default")).toMatchObject({ held: 4, sent: 0 });
    },
  );

  it("sends nothing to a destination whose circuit is open: its events go to the circuit", async () => {
    const fetch = vi.fn();
    const circuits = fakeCircuits();
    circuits.open(circuitName("eu"));
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length } }));
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "e", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
      queuedEvent({ id: "u", eventTime: NOW_S - 60, destination: "us" }),
    ]);
    await handleQueueBatch(
      batch,
      { ...twoDestinations, DELIVERY_CIRCUIT: circuits.namespace },
      {} as ExecutionContext,
      deps({ fetch: graph.fetch }).deps,
    );
    expect(graph.requests.map((r) => r.ids)).toEqual([["u"]]);
    expect(circuits.circuit(circuitName("eu")).held.map((m) => m.eventId)).toEqual(["e"]);
    expect(circuits.circuit(circuitName("eu")).causes).toEqual([undefined]);
    expect(state(0).acked && state(1).acked).toBe(true);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("asks a circuit held for a missing token to probe now when this consumer has the token again; not one Meta refused", async () => {
    const circuits = fakeCircuits();
    circuits.open(circuitName("eu"), "no_token");
    circuits.open(circuitName("us"), "meta_refused");
    const graph = fakeGraph((ids) => reply({ status: 200, body: { events_received: ids.length } }));
    const { batch } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "e", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
      queuedEvent({ id: "u", eventTime: NOW_S - 60, destination: "us" }),
    ]);
    await handleQueueBatch(
      batch,
      { ...twoDestinations, DELIVERY_CIRCUIT: circuits.namespace },
      {} as ExecutionContext,
      deps({ fetch: graph.fetch }).deps,
    );
    expect(circuits.circuit(circuitName("eu")).settingsUsable).toEqual([NOW]);
    expect(circuits.circuit(circuitName("us")).settingsUsable).toEqual([]);
    expect(graph.requests).toEqual([]); // both still held until the probe says otherwise
  });

  it("holds a destination's events when its token is gone, instead of acking them unsent", async () => {
    const fetch = vi.fn();
    const circuits = fakeCircuits();
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "a", eventTime: NOW_S - 60, destination: "us" }),
    ]);
    const { lines, deps: d } = deps({ fetch });
    const withoutToken = { ...usWithoutToken, DELIVERY_CIRCUIT: circuits.namespace };
    await handleQueueBatch(batch, withoutToken, {} as ExecutionContext, d);
    expect(fetch).not.toHaveBeenCalled();
    expect(state(0).acked).toBe(true);
    expect(circuits.circuit(circuitName("us")).causes).toEqual(["no_token"]);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "error",
      outcome: "held",
      reason: "no_token",
      secret: "META_ACCESS_TOKEN_US",
      event_id: "a",
    });
  });

  it("logs and acks as dry runs in dry-run mode (no destination has a token), holding nothing", async () => {
    const fetch = vi.fn();
    const circuits = fakeCircuits();
    const { batch, state } = fakeBatch(QUEUE_NAME, [queuedEvent({ id: "a", eventTime: NOW_S - 60 })]);
    const { lines, reports, deps: d } = deps({ fetch });
    const noTokenAnywhere = { META_PIXEL_ID: "111", DELIVERY_CIRCUIT: circuits.namespace };
    await handleQueueBatch(batch, noTokenAnywhere, {} as ExecutionContext, d);
    expect(fetch).not.toHaveBeenCalled();
    expect(state(0).acked).toBe(true);
    expect(circuits.circuit(circuitName("default")).causes).toEqual([]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "dry_run", event_id: "a" });
    expect(reports[0]?.get("default")?.dryRun).toBe(1);
  });

  it("holds the events of a destination the settings no longer name", async () => {
    const circuits = fakeCircuits();
    const { batch } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "a", eventTime: NOW_S - 60, pixelId: "333", destination: "gone" }),
    ]);
    await handleQueueBatch(
      batch,
      { ...twoDestinations, DELIVERY_CIRCUIT: circuits.namespace },
      {} as ExecutionContext,
      deps().deps,
    );
    expect(circuits.circuit(circuitName("gone")).causes).toEqual(["unknown_destination"]);
  });

  it("holds every event while a setting is unusable, saying so", async () => {
    const fetch = vi.fn();
    const circuits = fakeCircuits();
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "a", eventTime: NOW_S - 60 }),
      queuedEvent({ id: "b", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
    ]);
    const { lines, deps: d } = deps({ fetch });
    const unusable = { ...graphEnv, META_API_VERSION: "26", DELIVERY_CIRCUIT: circuits.namespace };
    await handleQueueBatch(batch, unusable, {} as ExecutionContext, d);
    expect(fetch).not.toHaveBeenCalled();
    expect(state(0).acked && state(1).acked).toBe(true);
    expect(circuits.circuit(circuitName("default")).causes).toEqual(["settings_unusable"]);
    expect(circuits.circuit(circuitName("eu")).causes).toEqual(["settings_unusable"]);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "error",
      outcome: "misconfigured",
      reason: "META_API_VERSION must look like v27.0",
    });
  });

  it.each([
    ["unbound", undefined],
    ["unreachable", fakeCircuits(true).namespace],
  ])("retries after a long wait, acking nothing, when the circuit is %s", async (_what, namespace) => {
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "a", eventTime: NOW_S - 60, destination: "us" }),
    ]);
    const { lines, deps: d } = deps({ fetch: vi.fn() });
    const withoutToken = { ...usWithoutToken, ...(namespace ? { DELIVERY_CIRCUIT: namespace } : {}) };
    await handleQueueBatch(batch, withoutToken, {} as ExecutionContext, d);
    expect(state(0)).toEqual({ acked: false, retried: { delaySeconds: HOLD_FALLBACK_DELAY_SECONDS } });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", outcome: "hold_failed", reason: "no_token" });
  });

  it("stops sending to a destination once Meta throttles it; others go on", async () => {
    const graph = fakeGraph((ids) =>
      reply(
        ids.includes("a0")
          ? { status: 429, body: { error: { message: "limit", code: 17 } }, headers: { "retry-after": "120" } }
          : { status: 200, body: { events_received: ids.length } },
      ),
    );
    const throttled = Array.from({ length: 1500 }, (_, i) =>
      queuedEvent({ id: `a${i}`, eventTime: NOW_S - 60, destination: "us" }),
    );
    const { batch, state } = fakeBatch(QUEUE_NAME, [
      ...throttled,
      queuedEvent({ id: "b", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
    ]);
    await handleQueueBatch(batch, twoDestinations, {} as ExecutionContext, deps({ fetch: graph.fetch }).deps);
    expect(graph.requests.map((r) => [r.url.split("/")[4], r.ids.length])).toEqual([
      ["111", 1000],
      ["222", 1],
    ]);
    expect(state(0).retried).toEqual({ delaySeconds: 120 });
    expect(state(1400).retried).toEqual({ delaySeconds: 120 }); // second request never made
    expect(state(1500).acked).toBe(true);
  });

  it("dead-letters a transient failure on the last delivery", async () => {
    const graph = fakeGraph(() => reply({ status: 500, body: {} }));
    const dlq = fakeQueue<DeadLetter>();
    const { batch, state } = fakeBatch(
      QUEUE_NAME,
      [queuedEvent({ id: "a", eventTime: NOW_S - 60 })],
      QUEUE_MAX_RETRIES + 1,
    );
    await handleQueueBatch(
      batch,
      { ...graphEnv, CAPI_DLQ: dlq.queue },
      {} as ExecutionContext,
      deps({ fetch: graph.fetch }).deps,
    );
    expect(dlq.sent).toMatchObject([
      { key: "a", reason: "retries_exhausted", status: 500, attempts: QUEUE_MAX_RETRIES + 1 },
    ]);
    expect(state(0).acked).toBe(true);
  });

  it("retries instead of acking when the DLQ refuses the letter", async () => {
    const dlq = fakeQueue<DeadLetter>(true);
    const { batch, state } = fakeBatch(QUEUE_NAME, [queuedEvent({ id: "old", eventTime: NOW_S - 9 * DAY })]);
    const { lines, deps: d } = deps();
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, d);
    expect(state(0).acked).toBe(false);
    expect(state(0).retried?.delaySeconds).toBeGreaterThan(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: "dead_letter_failed", reason: "stale" });
  });

  it("says loudly when there is no DLQ to keep a letter", async () => {
    const { batch, state } = fakeBatch(QUEUE_NAME, [{ hello: "world" }]);
    const { lines, deps: d } = deps();
    await handleQueueBatch(batch, { ...graphEnv }, {} as ExecutionContext, d);
    expect(state(0).acked).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", outcome: "dead_letter_lost", reason: "malformed" });
  });

  it("reports what the batch did per destination: counts, latency to acceptance, keys of sent events", async () => {
    const graph = fakeGraph((ids, url) =>
      reply(
        url.includes("/222/")
          ? { status: 503, body: { error: { message: "down", code: 2, is_transient: true } } }
          : { status: 200, body: { events_received: ids.length, fbtrace_id: "OK1" } },
      ),
    );
    const { batch } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "u", eventTime: NOW_S - 60, destination: "us" }),
      queuedEvent({ id: "e", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" }),
    ]);
    const { reports, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, twoDestinations, {} as ExecutionContext, d);
    const report = reports[0]!;
    expect(report.get("us")).toMatchObject({
      sent: 1,
      retried: 0,
      latenciesMs: [NOW - NOW_S * 1000],
      lastAccepted: { at: NOW, fbtraceId: "OK1" },
    });
    expect(report.get("us")?.sentKeys).toEqual([["em", "client_ip_address", "client_user_agent"]]);
    expect(report.get("eu")).toMatchObject({ sent: 0, retried: 1, lastFailure: { code: 2, status: 503 } });
    expect(JSON.stringify([...report])).not.toContain(EM);
  });

  it("never logs the IP, the token, a hash or Meta's free text", async () => {
    const graph = fakeGraph((ids) =>
      reply(
        ids.includes("bad")
          ? { status: 400, body: { error: { message: `bad ${IP} ${TOKEN}`, error_user_msg: `em ${EM}`, code: 100 } } }
          : { status: 200, body: { events_received: ids.length } },
      ),
    );
    const dlq = fakeQueue<DeadLetter>();
    const { batch } = fakeBatch(QUEUE_NAME, [
      queuedEvent({ id: "a", eventTime: NOW_S - 60 }),
      queuedEvent({ id: "bad", eventTime: NOW_S - 60 }),
    ]);
    const { lines, deps: d } = deps({ fetch: graph.fetch });
    await handleQueueBatch(batch, { ...graphEnv, CAPI_DLQ: dlq.queue }, {} as ExecutionContext, d);
    const text = lines.join("\n");
    expect(lines.length).toBe(2);
    for (const secret of [IP, TOKEN, EM, USER_AGENT]) expect(text).not.toContain(secret);
  });

  it("hands a DLQ batch to the dead-letter store", async () => {
    const put = vi.fn(async () => undefined);
    const DEAD_LETTERS = {
      idFromName: (n: string) => n,
      get: () => ({ put }),
    } as unknown as DurableObjectNamespace<never>;
    const letter = deadLetterOf(
      { id: "m1", attempts: 1 },
      queuedEvent({ id: "a", eventTime: NOW_S - 60 }),
      { kind: "dead_letter", reason: "stale" },
      NOW,
    );
    const { batch, state } = fakeBatch(
      DEAD_LETTER_QUEUE_NAME,
      [letter, queuedEvent({ id: "b", eventTime: NOW_S - 60 })],
      21,
    );
    const { lines, deps: d } = deps();
    await handleQueueBatch(batch, { DEAD_LETTERS }, {} as ExecutionContext, d);
    expect(put).toHaveBeenCalledWith([
      letter,
      expect.objectContaining({ key: "b", reason: "handler_failure", attempts: 21 }),
    ]);
    expect(state(0).acked && state(1).acked).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { outcome: "dead_lettered", reason: "handler_failure", event_id: "b" },
    ]);
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
    for (const option of [
      "max_batch_size",
      "max_batch_timeout",
      "max_retries",
      "dead_letter_queue",
      "retry_delay",
      "max_concurrency",
    ]) {
      expect(delivery).toHaveProperty(option);
    }
    expect(delivery?.max_retries).toBe(QUEUE_MAX_RETRIES);
    expect(delivery?.dead_letter_queue).toBe(DEAD_LETTER_QUEUE_NAME);
    expect(consumers.some((consumer) => consumer.queue === DEAD_LETTER_QUEUE_NAME)).toBe(true);
  });
});
