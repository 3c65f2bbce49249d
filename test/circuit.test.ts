/**
 * The delivery circuit (src/delivery/circuit.ts) inside workerd: the real Durable Object on
 * SQLite, its alarm run by hand, a fake Graph and fake queues handed in through its `deps`.
 * Its rules alone (open, wait, close) are tested in Node: src/delivery/circuitState.test.ts.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { CircuitDeps, DeliveryCircuit } from "../src/delivery/circuit";
import type { BatchReport } from "../src/delivery/consumer";
import { circuitOf, type HoldCause } from "../src/delivery/holds";
import type { DeadLetter, QueuedEvent } from "../src/delivery/messages";
import { OUTAGE_MIN_FAILED_REQUESTS, OUTAGE_MIN_MS, PROBE_FIRST_DELAY_MS } from "../src/delivery/policy";
import type { ServerEvent } from "../src/transform/capi";
import { consumerBatch } from "../src/observe/metrics";
import { fakeQueue } from "./queueFakes";
import { queuedEvent } from "./queueFixtures";

const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);
const TOKEN = "EAAB-circuit-token";
let sequence = 0;

const refused: HoldCause = {
  kind: "meta_refused",
  failure: {
    ok: false,
    transient: false,
    status: 400,
    code: 190,
    subcode: 463,
    message: "Error validating access token",
    fbtraceId: "TR-190",
  },
};

/** A fresh circuit of a destination with its fake world: Graph answers from `answer`, queues record. */
async function circuit(answer: (ids: string[]) => Response, settings: Record<string, unknown> = {}) {
  const destination = `d${++sequence}`;
  const stub = circuitOf(env, destination)!;
  const requests: { url: string; ids: string[]; token: string }[] = [];
  const requeue = fakeQueue<QueuedEvent>();
  const deadLetterQueue = fakeQueue<DeadLetter>();
  const lines: Record<string, unknown>[] = [];
  const reports: BatchReport[] = [];
  const clock = { now: NOW };
  const workerEnv = {
    META_GRAPH_URL: "https://graph.test",
    [`TOKEN_${sequence}`]: TOKEN,
    DESTINATIONS: JSON.stringify([{ name: destination, pixel_id: "555", access_token_secret: `TOKEN_${sequence}` }]),
    CAPI_QUEUE: requeue.queue,
    CAPI_DLQ: deadLetterQueue.queue,
    ...settings,
  };
  const deps: CircuitDeps = {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { data: ServerEvent[]; access_token: string };
      const ids = body.data.map((e) => e.event_id);
      requests.push({ url: String(input), ids, token: body.access_token });
      return answer(ids);
    }) as typeof fetch,
    now: () => clock.now,
    log: (line) => lines.push(JSON.parse(line)),
    env: workerEnv,
    record: (report) => void reports.push(report),
  };
  await runInDurableObject(stub, (instance: DeliveryCircuit) => {
    instance.deps = deps;
  });
  const held = (ids: string[], eventTime = NOW_S - 60) =>
    ids.map((id) => queuedEvent({ id, eventTime, pixelId: "555", destination }));
  const alarmAt = () => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
  return {
    destination,
    stub,
    requests,
    requeued: requeue.sent,
    letters: deadLetterQueue.sent,
    lines,
    reports,
    clock,
    held,
    alarmAt,
  };
}

const ok = (ids: string[]) => Response.json({ events_received: ids.length, fbtrace_id: "TRACE-OK" });
const tokenRefused = () =>
  Response.json(
    { error: { message: "Error validating access token", code: 190, error_subcode: 463, fbtrace_id: "TR" } },
    { status: 400 },
  );

describe("DeliveryCircuit", () => {
  it("opens on the first refusal, keeps the events, says so, and probes 30 s later", async () => {
    const c = await circuit(ok);
    const status = await c.stub.hold(c.destination, c.held(["a", "b"]), refused, NOW);
    expect(status).toMatchObject({
      open: true,
      cause: "meta_refused",
      since: NOW,
      held: 2,
      probes: 0,
      lastFailure: { code: 190, subcode: 463, fbtraceId: "TR-190" },
    });
    expect(await c.alarmAt()).toBe(NOW + PROBE_FIRST_DELAY_MS);
    expect(c.lines).toMatchObject([
      {
        level: "error",
        msg: "circuit",
        outcome: "circuit_opened",
        destination: c.destination,
        reason: "meta_refused",
        meta_code: 190,
      },
    ]);
  });

  it("keeps an event once, however often it is held", async () => {
    const c = await circuit(ok);
    await c.stub.hold(c.destination, c.held(["a"]), refused, NOW);
    expect((await c.stub.hold(c.destination, c.held(["a", "b"]), undefined, NOW)).held).toBe(2);
  });

  it("stays open while Meta still refuses: an error line per probe, the wait doubling, nothing sent but the probe", async () => {
    const c = await circuit(tokenRefused);
    await c.stub.hold(c.destination, c.held(["a", "b", "c"]), refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(c.requests.map((r) => [r.ids, r.token])).toEqual([[["a"], TOKEN]]);
    const status = await c.stub.status(c.clock.now);
    expect(status).toMatchObject({
      open: true,
      held: 3,
      probes: 1,
      nextProbeAt: c.clock.now + 2 * PROBE_FIRST_DELAY_MS,
    });
    expect(c.lines.at(-1)).toMatchObject({
      level: "error",
      outcome: "circuit_open",
      probes: 1,
      held: 3,
      meta_code: 190,
    });
    expect(c.requeued).toEqual([]);
  });

  it("records a probe Meta refused, or could not answer, as the destination's last failure and signal, as the consumer records its own", async () => {
    const c = await circuit(tokenRefused);
    await c.stub.hold(c.destination, c.held(["a", "b"]), refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    const reports = c.reports.map((r) => r.get(c.destination));
    expect(reports).toEqual([
      expect.objectContaining({
        sent: 0,
        held: 0,
        events: [],
        lastFailure: expect.objectContaining({ at: c.clock.now, code: 190, subcode: 463 }),
      }),
    ]);
    // What the metrics store is given of it: a failure and the token's signal, no count.
    const batch = consumerBatch(c.reports[0]!, c.clock.now);
    expect(batch.counts).toEqual([]);
    expect(batch.failures).toEqual([expect.objectContaining({ destination: c.destination, code: 190 })]);
    expect(batch.signals).toEqual([{ destination: c.destination, kind: "token", detail: "190/463", at: c.clock.now }]);

    const down = await circuit(() =>
      Response.json({ error: { message: "down", code: 2, is_transient: true } }, { status: 503 }),
    );
    await down.stub.hold(down.destination, down.held(["a"]), refused, NOW);
    down.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(down.stub);
    expect(down.reports.map((r) => r.get(down.destination)?.lastFailure)).toEqual([
      expect.objectContaining({ at: down.clock.now, status: 503, code: 2 }),
    ]);
  });

  it("closes when Meta accepts the probe and puts every other held event back on the delivery queue", async () => {
    const c = await circuit(ok);
    await c.stub.hold(c.destination, c.held(["a", "b", "c"]), refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(c.requests.map((r) => r.ids)).toEqual([["a"]]);
    expect(c.requeued.map((m) => m.eventId)).toEqual(["b", "c"]);
    expect(await c.stub.status(c.clock.now)).toMatchObject({ open: false, held: 0 });
    expect(c.lines.map((l) => l.outcome)).toContain("circuit_closed");
    expect(await c.alarmAt()).toBeNull();
    // The probe's event is counted sent, with its keys and latency, like the consumer's.
    expect(c.reports.map((r) => [...r.entries()])).toEqual([
      [
        [
          c.destination,
          expect.objectContaining({
            sent: 1,
            latenciesMs: [expect.any(Number)],
            sentKeys: [expect.arrayContaining(["em"])],
            events: [expect.objectContaining({ eventId: "a", outcome: "sent" })],
          }),
        ],
      ],
    ]);
  });

  it("closes too when Meta judges the probe's event rather than the configuration", async () => {
    const c = await circuit(() =>
      Response.json({ error: { message: "Invalid parameter", code: 100, error_subcode: 2804003 } }, { status: 400 }),
    );
    await c.stub.hold(c.destination, c.held(["a", "b"]), refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(c.requeued.map((m) => m.eventId)).toEqual(["a", "b"]);
    expect((await c.stub.status(c.clock.now)).open).toBe(false);
  });

  it("probes again soon when Meta is down: no verdict on the configuration", async () => {
    const c = await circuit(() =>
      Response.json({ error: { message: "down", code: 2, is_transient: true } }, { status: 503 }),
    );
    await c.stub.hold(c.destination, c.held(["a"]), refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(await c.stub.status(c.clock.now)).toMatchObject({ open: true, cause: "meta_refused", held: 1 });
    expect(c.lines.at(-1)).toMatchObject({ outcome: "circuit_open", reason: "probe_transient" });
    // Twice down: the wait stays the first one, it does not double as for a refusal.
    c.clock.now += PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(await c.stub.status(c.clock.now)).toMatchObject({
      probes: 0,
      nextProbeAt: c.clock.now + PROBE_FIRST_DELAY_MS,
    });
    expect(c.requests).toHaveLength(2);
  });

  it("probes at once when the consumer has the missing token again, not at its next wait; once", async () => {
    const c = await circuit(ok, { [`TOKEN_${sequence + 1}`]: undefined });
    await c.stub.hold(c.destination, c.held(["a", "b"]), { kind: "no_token" }, NOW);
    for (let probe = 0; probe < 4; probe++) {
      c.clock.now = (await c.stub.status(c.clock.now)).nextProbeAt!;
      await runDurableObjectAlarm(c.stub);
    }
    const waiting = await c.stub.status(c.clock.now);
    expect(waiting).toMatchObject({
      open: true,
      cause: "no_token",
      probes: 4,
      nextProbeAt: c.clock.now + 16 * PROBE_FIRST_DELAY_MS,
    });
    await runInDurableObject(c.stub, (instance: DeliveryCircuit) => {
      instance.deps.env = { ...instance.deps.env, [`TOKEN_${sequence}`]: TOKEN };
    });
    c.clock.now += 1000;
    await c.stub.settingsUsable(c.clock.now);
    await c.stub.settingsUsable(c.clock.now + 10);
    expect(await c.alarmAt()).toBe(c.clock.now);
    expect((await c.stub.status(c.clock.now)).nextProbeAt).toBe(c.clock.now);
    await runDurableObjectAlarm(c.stub);
    expect(c.requests.map((r) => r.ids)).toEqual([["a"]]);
    expect(c.requeued.map((m) => m.eventId)).toEqual(["b"]);
    expect((await c.stub.status(c.clock.now)).open).toBe(false);
  });

  it("keeps its wait when the consumer finds the settings usable but Meta refused them: only Meta can say", async () => {
    const c = await circuit(tokenRefused);
    await c.stub.hold(c.destination, c.held(["a"]), refused, NOW);
    await c.stub.settingsUsable(NOW + 1000);
    expect(await c.alarmAt()).toBe(NOW + PROBE_FIRST_DELAY_MS);
  });

  it("holds while the token is missing, without asking Meta, and releases once it is back", async () => {
    const c = await circuit(ok, { [`TOKEN_${sequence + 1}`]: undefined });
    await c.stub.hold(c.destination, c.held(["a", "b"]), { kind: "no_token" }, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(c.requests).toEqual([]);
    expect(await c.stub.status(c.clock.now)).toMatchObject({ open: true, cause: "no_token", held: 2, probes: 1 });
    // The secret is put back (a new deployment): the next probe finds it.
    await runInDurableObject(c.stub, (instance: DeliveryCircuit) => {
      instance.deps.env = { ...instance.deps.env, [`TOKEN_${sequence}`]: TOKEN };
    });
    c.clock.now += 10 * 60_000;
    await runDurableObjectAlarm(c.stub);
    expect(c.requests.map((r) => r.ids)).toEqual([["a"]]);
    expect(c.requeued.map((m) => m.eventId)).toEqual(["b"]);
  });

  it("names the missing secret in its error lines while another destination is live, and releases once it is set", async () => {
    const secret = `TOKEN_${sequence + 1}`;
    const c = await circuit(ok, {
      [secret]: undefined,
      TOKEN_LIVE: TOKEN,
      DESTINATIONS: JSON.stringify([
        { name: `d${sequence + 1}`, pixel_id: "555", access_token_secret: secret },
        { name: "live", pixel_id: "666", access_token_secret: "TOKEN_LIVE" },
      ]),
    });
    await c.stub.hold(c.destination, c.held(["a", "b"]), { kind: "no_token", secret }, NOW);
    expect(c.lines.at(-1)).toMatchObject({ level: "error", outcome: "circuit_opened", reason: "no_token", secret });
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(c.requests).toEqual([]);
    expect(c.lines.at(-1)).toMatchObject({ level: "error", outcome: "circuit_open", reason: "no_token", secret });
    expect(JSON.stringify(c.lines)).not.toContain(TOKEN);
    await runInDurableObject(c.stub, (instance: DeliveryCircuit) => {
      instance.deps.env = { ...instance.deps.env, [secret]: TOKEN };
    });
    c.clock.now += 10 * 60_000;
    await runDurableObjectAlarm(c.stub);
    expect(c.requests.map((r) => [r.url, r.ids])).toEqual([["https://graph.test/v27.0/555/events", ["a"]]]);
    expect(c.requeued.map((m) => m.eventId)).toEqual(["b"]);
    expect((await c.stub.status(c.clock.now)).open).toBe(false);
  });

  it("opens for a sustained transient outage (meta_unavailable), keeps what would be retried, probes every 30 s, releases when Meta is back", async () => {
    let metaDown = true;
    const down = () => Response.json({ error: { message: "down", code: 2, is_transient: true } }, { status: 503 });
    const c = await circuit((ids) => (metaDown ? down() : ok(ids)));
    const failure = { ok: false as const, transient: true, status: 503, code: 2, message: "down" };
    const every = Math.ceil(OUTAGE_MIN_MS / (OUTAGE_MIN_FAILED_REQUESTS - 1));
    let status;
    for (let i = 0; i < OUTAGE_MIN_FAILED_REQUESTS; i++) {
      c.clock.now = NOW + i * every;
      status = await c.stub.transientFailed(c.destination, c.held([`o${i}`]), { requests: 1, failure }, c.clock.now);
      if (i < OUTAGE_MIN_FAILED_REQUESTS - 1) expect(status).toMatchObject({ open: false, held: 0, failingSince: NOW });
    }
    expect(status).toMatchObject({ open: true, cause: "meta_unavailable", held: 1 });
    expect(c.lines.at(-1)).toMatchObject({ level: "error", outcome: "circuit_opened", reason: "meta_unavailable" });
    // Meta still down: the probe fails, the wait stays at 30 s.
    for (let probe = 0; probe < 3; probe++) {
      c.clock.now = (await c.stub.status(c.clock.now)).nextProbeAt!;
      await runDurableObjectAlarm(c.stub);
    }
    const waiting = await c.stub.status(c.clock.now);
    expect(waiting).toMatchObject({
      open: true,
      cause: "meta_unavailable",
      nextProbeAt: c.clock.now + PROBE_FIRST_DELAY_MS,
    });
    // More of the same batch's kind while open: kept.
    await c.stub.transientFailed(c.destination, c.held(["late"]), { requests: 1, failure }, c.clock.now);
    metaDown = false;
    c.clock.now += PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect((await c.stub.status(c.clock.now)).open).toBe(false);
    expect(c.requests.at(-1)?.ids).toEqual([`o${OUTAGE_MIN_FAILED_REQUESTS - 1}`]);
    expect(c.requeued.map((m) => m.eventId)).toEqual(["late"]);
  });

  it("holds while the settings cannot be read, and while no destination of its name exists", async () => {
    const broken = await circuit(ok, { META_API_VERSION: "27" });
    await broken.stub.hold(broken.destination, broken.held(["a"]), { kind: "settings_unusable" }, NOW);
    broken.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(broken.stub);
    expect(await broken.stub.status(broken.clock.now)).toMatchObject({ open: true, cause: "settings_unusable" });
    const renamed = await circuit(ok, { DESTINATIONS: '[{"name":"other","pixel_id":"1"}]' });
    await renamed.stub.hold(renamed.destination, renamed.held(["a"]), { kind: "unknown_destination" }, NOW);
    renamed.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(renamed.stub);
    expect(await renamed.stub.status(renamed.clock.now)).toMatchObject({ open: true, cause: "unknown_destination" });
    expect([...broken.requests, ...renamed.requests]).toEqual([]);
  });

  it("dead-letters only what would outlive Meta's 7-day window, with Meta's last refusal", async () => {
    const c = await circuit(tokenRefused);
    await c.stub.hold(c.destination, [...c.held(["old"], NOW_S - 7 * 86_400 + 120), ...c.held(["new"])], refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    expect(c.letters).toMatchObject([
      { key: `old@${c.destination}`, reason: "configuration", code: 190, fbtraceId: "TR-190" },
    ]);
    expect((await c.stub.status(c.clock.now)).held).toBe(1);
    expect(c.requests.map((r) => r.ids)).toEqual([["new"]]);
    // The expiry's report, then the refused probe's (a failure, nothing counted).
    expect(c.reports.map((r) => r.get(c.destination)?.deadLettered)).toEqual([1, 0]);
  });

  it("probes at once on request, and when a hold arrives after it closed", async () => {
    const c = await circuit(ok);
    await c.stub.hold(c.destination, c.held(["a"]), refused, NOW);
    const soon = Date.now() + 5_000; // alarms in the past are moved to now
    await c.stub.probeSoon(soon);
    expect(await c.alarmAt()).toBe(soon);
    const closed = await circuit(ok);
    const at = Date.now() + 5_000;
    await closed.stub.hold(closed.destination, closed.held(["x"]), undefined, at);
    expect(await closed.alarmAt()).toBe(at);
  });

  it("never logs a hash, the IP, the token or Meta's words", async () => {
    const c = await circuit(tokenRefused);
    await c.stub.hold(c.destination, c.held(["a"]), refused, NOW);
    c.clock.now = NOW + PROBE_FIRST_DELAY_MS;
    await runDurableObjectAlarm(c.stub);
    const text = JSON.stringify(c.lines);
    for (const secret of [TOKEN, "Error validating", "203.0.113.7", "62a14e44"]) expect(text).not.toContain(secret);
    expect(vi.isMockFunction(c.stub.status)).toBe(false);
  });
});
