/**
 * Fault injection under operator faults (issue 8): the three destinations of
 * threeDestinations.ts, a steady flow of webhooks, light random faults, and, one after the other,
 * for 150 simulated seconds each, then fixed:
 *
 * - (a) `eu`'s token revoked at Meta (every request answered 190/463), then restored;
 * - (b) `skin`'s pixel id wrong in a deployment (a pixel that does not exist: 100/33), then fixed;
 * - (c) `test`'s token secret removed (`wrangler secret delete`: a deployment without it), then
 *   put back; the other two stay live, so `test`'s webhooks meanwhile are queued and held in its
 *   circuit (`no_token`), never answered `dry_run`, and delivered once the secret is back;
 * - (d) Worker redeployments mid-flight: at four moments (one in each stretch, one in quiet
 *   time) a deployment lands while a consumer invocation waits for Meta's answer; (b) and (c)
 *   start the same way. The invocation is abandoned without its acks (Cloudflare redelivers),
 *   the env object is new, the Durable Objects are rebuilt.
 *
 * What must hold: every event the relay took reaches the fake Graph, none through a replay, no
 * dead letter; while a destination is refused or has no token, its circuit holds its events and
 * few requests reach Meta for it (the ones already under way when the first refusal came, then
 * only the circuit's probes), a refused request is never split (no bisection), and no other
 * destination is held; `/healthz` says `misconfigured` meanwhile; after the fix the probe
 * notices and every held event is delivered; each duplicate acceptance is explained (a lost
 * answer, a lost ack, a batch a deployment abandoned); no personal data in a queue message or
 * a log line. The harness is relay.ts (see fault.test.ts for the simulation's terms).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEAD_LETTER_STORE_NAME } from "../../src/delivery/deadLetters";
import { type DeliveryPolicy, PROBE_MAX_DELAY_MS } from "../../src/delivery/policy";
import { account, expectNoPersonalData, figuresLine, claimFigures } from "./accounting";
import { acceptanceKey, type FakeGraph, type GraphRequest, seeded, startFakeGraph } from "./fakeGraph";
import { simClock, SimRelay, type Logged, type Settings } from "./relay";
import { Studio, webhook } from "./studio";
import {
  DESTINATIONS,
  destination,
  GRAPH_PIXELS,
  NAMES,
  originOf,
  PIXEL_OF,
  settingsFor,
  TOKENS,
} from "./threeDestinations";

const SEED = 20261127;
const N = 1000;
/** Real milliseconds per simulated second. */
const MS_PER_SECOND = 15;
const TIMEOUT_MS = 400;
const MAX_CONCURRENCY = 5;
/** 2 s doubling to 32 s, 20 retries. */
const POLICY: DeliveryPolicy = {
  maxRetries: 20,
  retry: { maxAttempts: 21, baseDelayMs: 2000, maxDelayMs: 32_000, deadlineMs: 7 * 86_400_000 },
  splitRetries: { attempts: 2, delayMs: 1_000 },
};
/** Webhooks arrive until then (simulated seconds from the start). */
const WEBHOOKS_UNTIL = 760;
/** Answers that say nothing of the configuration (Meta or the network down). */
const TRANSIENT = new Set<GraphRequest["answer"]>([
  "http_500",
  "http_503",
  "throttle_17",
  "throttle_613",
  "hang",
  "drop",
  "accept_then_drop",
]);
/** A pixel id Meta does not know. */
const WRONG_PIXEL = "4444444444";

interface Stretch {
  label: "a" | "b" | "c";
  destination: string;
  what: string;
  /** Simulated seconds from the start: when the operator breaks it, and fixes it. */
  breakAt: number;
  fixAt: number;
  /** Meta's answer to its requests meanwhile (none for a removed token: nothing can be sent). */
  refusal?: GraphRequest["answer"];
  /** Why the consumer holds its events. */
  holdReasons: string[];
  /** Filled in by the run (simulated ms). */
  from?: number;
  to?: number;
  health?: { mode: string; held?: number; reason?: string };
}

const STRETCHES: Stretch[] = [
  {
    label: "a",
    destination: "eu",
    what: "eu token revoked at Meta (190/463)",
    breakAt: 60,
    fixAt: 210,
    refusal: "token_revoked",
    holdReasons: ["meta_refused", "circuit_open"],
  },
  {
    label: "b",
    destination: "skin",
    what: "skin pixel id wrong (100/33)",
    breakAt: 270,
    fixAt: 420,
    refusal: "unknown_pixel",
    holdReasons: ["meta_refused", "circuit_open"],
  },
  {
    label: "c",
    destination: "test",
    what: "test token secret removed",
    breakAt: 480,
    fixAt: 630,
    holdReasons: ["no_token", "circuit_open"],
  },
];
/** Redeployments of unchanged settings, mid-flight (simulated seconds from the start). */
const REDEPLOYS = [130, 345, 555, 700];

const clock = simClock(MS_PER_SECOND);
const random = seeded(SEED);
const revoked = new Set<string>();
/** Deployments waiting for the next consumer request that matches. */
const triggers: { match: (token: string) => boolean; fire: () => void }[] = [];
let midFlight = 0;

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({
    pixels: GRAPH_PIXELS,
    apiVersion: "v27.0",
    random: seeded(SEED + 1),
    hangMs: TIMEOUT_MS * 2,
    poisoned: new Set(),
    revoked,
    now: clock.now,
    rates: {
      http_500: 0.02,
      http_503: 0.01,
      throttle_17: 0.005,
      throttle_613: 0.005,
      hang: 0.01,
      drop: 0.01,
      accept_then_hang: 0.005,
      accept_then_drop: 0.01,
    },
    onRequest: ({ origin, token }) => {
      if (origin !== "consumer") return;
      const trigger = triggers.find((t) => t.match(token));
      if (!trigger) return;
      triggers.splice(triggers.indexOf(trigger), 1);
      midFlight++;
      trigger.fire();
    },
  });
});
afterAll(async () => {
  await graph?.close();
});

it("operator faults: a revoked token, a wrong pixel, a removed token, redeployments mid-flight; every event delivered without a replay", async () => {
  const secret = Studio.secretFrom("operator-test-signing-key-01234567");
  const base: Settings = { META_GRAPH_URL: graph.url, META_API_VERSION: "v27.0", WEBHOOK_SECRET: secret };
  const good = settingsFor(DESTINATIONS, base);
  const relay = new SimRelay({
    clock,
    settings: good,
    queue: {
      maxBatchSize: 20,
      maxBatchTimeout: 5,
      maxRetries: POLICY.maxRetries,
      retryDelay: 30,
      maxConcurrency: MAX_CONCURRENCY,
      lostAckRate: 0.002,
    },
    policy: POLICY,
    timeoutMs: TIMEOUT_MS,
    random,
    queueRandom: seeded(SEED + 2),
    producerFaults: { sendFailureRate: 0.02, releaseFailureRate: 0.5 },
  });
  const studio = new Studio(relay, clock, secret);
  const until = async (seconds: number) => {
    while (clock.elapsedSeconds() < seconds) await clock.sleepSeconds(Math.min(1, seconds - clock.elapsedSeconds()));
  };
  /** A deployment of `settings` landing while the consumer waits for Meta (for `token`'s destination, if given). */
  const deployMidFlight = (settings: Settings, token?: string) =>
    new Promise<number>((resolve) => {
      const trigger = {
        match: (t: string) => token === undefined || t === token,
        fire: () => {
          relay.deploy(settings);
          resolve(clock.now());
        },
      };
      triggers.push(trigger);
      // Should no request come within 20 simulated seconds, it lands anyway.
      void clock
        .sleepSeconds(20)
        .then(() => triggers.includes(trigger) && (triggers.splice(triggers.indexOf(trigger), 1), trigger.fire()));
    });
  const [a, b, c] = STRETCHES as [Stretch, Stretch, Stretch];
  const sampleHealth = async (stretch: Stretch) => {
    await until(stretch.breakAt + 100);
    const health = await relay.healthz();
    stretch.health = health.destinations.find((d) => d.name === stretch.destination);
  };

  async function operator() {
    await until(a.breakAt);
    revoked.add(destination("eu").token);
    a.from = clock.now();
    const health = sampleHealth(a);
    await until(REDEPLOYS[0]!);
    await deployMidFlight(relay.settings);
    await health;
    await until(a.fixAt);
    revoked.delete(destination("eu").token);
    a.to = clock.now();

    await until(b.breakAt);
    b.from = await deployMidFlight(
      settingsFor([destination("eu"), { ...destination("skin"), pixel: WRONG_PIXEL }, destination("test")], base),
      destination("skin").token,
    );
    await until(REDEPLOYS[1]!);
    await deployMidFlight(relay.settings);
    await sampleHealth(b);
    await until(b.fixAt);
    relay.deploy(good);
    b.to = clock.now();

    await until(c.breakAt);
    c.from = await deployMidFlight(
      settingsFor([destination("eu"), destination("skin"), { ...destination("test"), token: "" }], base),
      destination("test").token,
    );
    await until(REDEPLOYS[2]!);
    await deployMidFlight(relay.settings);
    await sampleHealth(c);
    await until(c.fixAt);
    relay.deploy(good);
    c.to = clock.now();

    await until(REDEPLOYS[3]!);
    await deployMidFlight(relay.settings);
  }

  // Studio: a steady flow of webhooks (about 1.3 a simulated second), some delivered twice.
  const webhooks = Array.from({ length: N }, (_, i) =>
    webhook(i, clock.now() - Math.floor(random() * 600_000) + (i * WEBHOOKS_UNTIL * 1000) / N, originOf(i, 4), "op"),
  );
  async function sender() {
    const deliveries: Promise<unknown>[] = [];
    for (const [i, w] of webhooks.entries()) {
      await until((i * WEBHOOKS_UNTIL) / N);
      deliveries.push(...studio.deliverWithRedeliveries(w, random));
    }
    await Promise.all(deliveries);
  }
  await Promise.all([operator(), sender()]);
  await relay.settled(NAMES);
  const store = relay.env.DEAD_LETTERS!.get(relay.env.DEAD_LETTERS!.idFromName(DEAD_LETTER_STORE_NAME));
  const deadLetters = (await store.list({ limit: 100 })).letters;
  relay.close();

  // ---- accounting
  const expected = studio.expectedPerDestination(webhooks);
  const figures = account({
    graph,
    logged: relay.logged,
    pixels: PIXEL_OF,
    expected,
    lostAcks: relay.queue.redeliveredAfterAck,
    abandoned: relay.queue.redeliveredAfterAbandon,
    deadInvocations: relay.deadInvocations,
  });
  const logs = (msg: string, outcome: string, name?: string) =>
    relay.logged.filter(
      (l) =>
        l.fields.msg === msg && l.fields.outcome === outcome && (name === undefined || l.fields.destination === name),
    );
  const refusedAnswers = new Set<GraphRequest["answer"]>(["token_revoked", "unknown_pixel"]);
  const refused = graph.log.filter((r) => refusedAnswers.has(r.answer));
  const views = STRETCHES.map((s) => stretchView(s, graph, logs, refused));

  // A refused request is never split: no other request of the same consumer invocation for the
  // same destination (its token) carries any of its events.
  const split = refused.filter(
    (r) =>
      r.origin === "consumer" &&
      graph.log.some(
        (o) =>
          o !== r && o.invocation === r.invocation && o.token === r.token && o.ids.some((id) => r.ids.includes(id)),
      ),
  );

  // ---- assertions
  expect(graph.protocolErrors).toEqual([]);
  for (const name of NAMES) {
    const f = figures.get(name)!;
    expect(f.expected, name).toBeGreaterThan(100);
    expect(f.lost, `lost on ${name}`).toEqual([]);
    expect(f.unexplained, `unexplained duplicates on ${name}`).toBe(0);
  }
  const claims = claimFigures(relay.queueSends, relay.logged);
  expect(claims.duplicateLines).toBeGreaterThanOrEqual(claims.extraMessages);
  // Nothing went through a dead letter or a replay.
  expect(deadLetters).toEqual([]);
  expect(relay.queue.stats.movedToDeadLetter).toBe(0);
  expect(logs("capi_event", "dead_lettered").length + logs("circuit", "dead_lettered").length).toBe(0);
  expect(relay.enqueued.some((m) => m.replays !== undefined)).toBe(false);
  // Every held event was stored by a circuit (never retried for want of one), and events were
  // held only for the destination the operator broke, while it was broken.
  expect(logs("capi_event", "hold_failed")).toEqual([]);
  const strayHolds = logs("capi_event", "held").filter((l) => {
    const i = STRETCHES.findIndex((s) => s.destination === l.fields.destination);
    return i < 0 || l.at < STRETCHES[i]!.from! || l.at > views[i]!.closedAt;
  });
  expect(strayHolds.map((l) => l.line)).toEqual([]);
  expect(split).toEqual([]);
  // Every refusal belongs to a stretch, and is the answer that stretch's fault gives.
  expect(views.reduce((n, v) => n + v.refused.length, 0)).toBe(refused.length);
  for (const [i, stretch] of STRETCHES.entries()) {
    const v = views[i]!;
    const label = `(${stretch.label}) ${stretch.what}`;
    expect(v.opened, label).toHaveLength(1);
    expect(v.closedAt, label).toBeGreaterThan(stretch.to!);
    expect(v.held.size, label).toBeGreaterThan(0);
    expect(v.heldAccepted, label).toBe(v.held.size);
    expect(v.wrongHolds, label).toEqual([]);
    expect(
      v.refused.every((r) => r.answer === stretch.refusal),
      label,
    ).toBe(true);
    // While refused, few requests reach Meta: those already under way when it first refused,
    // then only the probes, one event each.
    expect(v.consumerRefused.length, label).toBeLessThanOrEqual(2 * MAX_CONCURRENCY);
    expect(v.probesRefused.length, label).toBeLessThanOrEqual(4);
    expect(
      v.probesRefused.every((r) => r.ids.length === 1),
      label,
    ).toBe(true);
    if (stretch.refusal) expect(v.consumerRefused.length, label).toBeGreaterThan(0);
    else expect(v.requestsWhileBroken, label).toEqual([]);
    expect(stretch.health, label).toMatchObject({ mode: "misconfigured" });
    expect(stretch.health?.held, label).toBeGreaterThan(0);
    // The first probe after the fix that Meta answered closed the circuit (the ones before it
    // met a random transient fault), and what was held was delivered soon after.
    expect(
      v.probesAfterFix
        .map((r) => r.answer)
        .slice(0, -1)
        .every((answer) => TRANSIENT.has(answer)),
      label,
    ).toBe(true);
    expect(["ok", "accept_then_hang"], label).toContain(v.probesAfterFix.at(-1)?.answer);
    expect(v.closedAt - stretch.to!, label).toBeLessThanOrEqual((v.probesAfterFix.length + 1) * PROBE_MAX_DELAY_MS);
    expect(v.deliveredWithinSeconds - (v.closedAt - stretch.to!) / 1000, label).toBeLessThan(120);
  }
  // (d) Deployments: four mid-flight redeployments, and (b) and (c) began with one.
  expect(midFlight).toBeGreaterThanOrEqual(4);
  expect(relay.queue.stats.abandonedInvocations).toBeGreaterThanOrEqual(4);
  expect(relay.circuits.stats.alarmsFired).toBeGreaterThan(0);
  // (c) A removed secret while other destinations are live is never a dry run: every webhook for
  // `test` meanwhile was queued, held and delivered after the fix (counted in `expected` above).
  expect(studio.intake.dryRun).toBe(0);
  expect(webhooks.filter((w) => studio.dryRunFor.get(w.payload.id)?.has("test"))).toEqual([]);
  expectNoPersonalData({
    messages: [...relay.enqueued, ...relay.queue.redeliveredAfterAck, ...relay.queue.redeliveredAfterAbandon],
    logged: relay.logged,
    webhooks: [webhooks[0]!, webhooks[4]!, webhooks[N - 1]!],
    tokens: TOKENS,
  });

  // ---- figures (the test's last lines)
  const intake = studio.intake;
  console.log(
    [
      `operator faults, seed ${SEED}: eu, skin, test (threeDestinations.ts), light random faults, 150 simulated seconds per fault; ${clock.realSeconds().toFixed(1)} s real`,
      `webhooks: ${N} distinct over ${WEBHOOKS_UNTIL} s, ${intake.deliveries} deliveries: ${intake.queued} 202 queued, ${intake.duplicate} 202 duplicate, ${intake.inFlight + intake.failed} 503 (redelivered), ${intake.dryRun} 200 dry_run, ${intake.skipped} 200 skipped; taken for ${NAMES.map((n) => `${n} ${figures.get(n)!.expected}`).join(", ")}; none answered dry_run while test's secret was unset (queued and held instead)`,
      ...STRETCHES.map((s, i) => stretchLine(s, views[i]!)),
      `(d) redeployments: ${relay.stats.deploys} (${midFlight} landing while the consumer waited for Meta), ${relay.queue.stats.abandonedInvocations} consumer invocations abandoned, ${relay.stats.abandonedMessages} messages delivered again; Durable Objects rebuilt ${relay.circuits.stats.restarts} times; circuit alarms fired ${relay.circuits.stats.alarmsFired}`,
      `graph: ${graph.requests} requests; answers ${JSON.stringify(graph.faults)}; refused requests split: ${split.length}`,
      ...NAMES.map((n) => figuresLine(figures.get(n)!)),
      `dead-lettered: ${deadLetters.length}; replayed: 0`,
      `lost: ${NAMES.map((n) => `${n} ${figures.get(n)!.lost.length}`).join(", ")}`,
    ].join("\n"),
  );
}, 180_000);

/** What one stretch did: the circuit's life, the holds, and what reached the fake Graph meanwhile. */
function stretchView(
  stretch: Stretch,
  graph: FakeGraph,
  logs: (msg: string, outcome: string, name?: string) => Logged[],
  refused: readonly GraphRequest[],
) {
  const name = stretch.destination;
  const token = destination(name).token;
  const from = stretch.from!;
  const opened = logs("circuit", "circuit_opened", name).filter((l) => l.at >= from);
  const closedAt =
    logs("circuit", "circuit_closed", name).find((l) => l.at >= stretch.to!)?.at ?? Number.POSITIVE_INFINITY;
  const holds = logs("capi_event", "held", name);
  const inside = holds.filter((l) => l.at >= from && l.at <= closedAt);
  const held = new Set(inside.map((l) => String(l.fields.event_id)));
  const wrongHolds = holds.filter((l) => !stretch.holdReasons.includes(String(l.fields.reason))).map((l) => l.line);
  const mine = refused.filter((r) => r.token === token && r.at >= from && r.at <= closedAt);
  const firstAccepted = [...held].map((id) => graph.firstAcceptedAt.get(acceptanceKey(PIXEL_OF[name]!, id)));
  const accepted = firstAccepted.filter((at): at is number => at !== undefined);
  return {
    opened,
    closedAt,
    held,
    heldAccepted: accepted.length,
    wrongHolds,
    refused: mine,
    consumerRefused: mine.filter((r) => r.origin === "consumer"),
    probesRefused: mine.filter((r) => r.origin === "probe"),
    /** Probes after the fix, up to the one that closed the circuit. */
    probesAfterFix: graph.log.filter(
      (r) => r.token === token && r.origin === "probe" && r.at >= stretch.to! && r.at <= closedAt,
    ),
    /** Requests for the destination while its token was unset (none can be made: there is no token). */
    requestsWhileBroken: graph.log.filter((r) => r.token === token && r.at > from + 2000 && r.at < stretch.to!),
    /** Probes that found no token (no request: the probe checks the settings first). */
    probesWithoutToken: logs("circuit", "circuit_open", name).filter(
      (l) => l.at >= from && l.at <= closedAt && l.fields.reason === "no_token",
    ),
    deliveredWithinSeconds: accepted.length ? (Math.max(...accepted) - stretch.to!) / 1000 : Number.NaN,
  };
}

function stretchLine(stretch: Stretch, v: ReturnType<typeof stretchView>): string {
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  const largest = Math.max(0, ...v.consumerRefused.map((r) => r.ids.length));
  const during = stretch.refusal
    ? `Graph requests refused meanwhile: ${v.consumerRefused.length} from the consumer (the largest with ${largest} events, none split) and ${v.probesRefused.length} from probes (one event each)`
    : `Graph requests meanwhile: ${v.requestsWhileBroken.length}; ${v.probesWithoutToken.length} probes found no token`;
  return (
    `(${stretch.label}) ${stretch.what} for ${seconds(stretch.to! - stretch.from!)}: circuit opened ${seconds(v.opened[0]!.at - stretch.from!)} in, ` +
    `${v.held.size} events held, /healthz ${stretch.health?.mode} (${stretch.health?.held} held); ${during}; ` +
    `closed ${seconds(v.closedAt - stretch.to!)} after the fix by the first probe Meta answered (${v.probesAfterFix.length - 1} met a transient fault before it); all ${v.heldAccepted} held events accepted within ${v.deliveredWithinSeconds.toFixed(0)} s of the fix, none replayed, none dead-lettered`
  );
}
