/**
 * Fault injection with several destinations (docs/configuration.md "Several destinations"): three pixels, each
 * with its own token secret, chosen by store domain (`eu`), quiz (`skin`) and `{source}` route
 * (`test`, fed from `/webhooks/cartful/staging`). The fake Graph checks that every request
 * carries the token of the pixel it is sent to. On top of the original test's random faults,
 * `skin`'s pixel fails every request transiently (5xx, throttles, hangs, dropped connections)
 * for three simulated minutes.
 *
 * What must hold: lost 0 on each destination; each Studio event queued once per destination;
 * every duplicate acceptance on a destination explained by that destination's own lost answers
 * or lost acks (so the failing one never makes a healthy one send twice); the healthy ones are
 * not held up meanwhile; no personal data in a queue message or a log line. The harness is
 * relay.ts (see fault.test.ts for the simulation's terms).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEAD_LETTER_STORE_NAME } from "../../src/delivery/deadLetters";
import { readPack } from "../../src/delivery/messages";
import type { DeliveryPolicy } from "../../src/delivery/policy";
import { account, expectNoPersonalData, figuresLine, claimFigures } from "./accounting";
import { acceptanceKey, type FakeGraph, type FaultRates, seeded, startFakeGraph } from "./fakeGraph";
import { BASE, simClock, SimRelay } from "./relay";
import { browserRequest, SHOP_ORIGIN, Shoppers } from "./shopper";
import { type Origin, Studio, webhook } from "./studio";
import {
  DESTINATIONS,
  destination,
  GRAPH_PIXELS,
  NAMES,
  originOf,
  PIXEL_OF,
  routing,
  settingsFor,
  TOKENS,
} from "./threeDestinations";

const SEED = 20261126;
const N = 900;
/** Browser requests beside the webhooks, from both stores and both quizzes (eu and skin take them; test, fed by a route, does not). */
const BROWSER_REQUESTS = 180;
/** The Meta event names of the browser events the shoppers send (the default browser_events). */
const BROWSER_NAMES = ["AddToCart", "ViewContent", "QuizComplete"];
/** Real milliseconds per simulated second. */
const MS_PER_SECOND = 20;
const TIMEOUT_MS = 400;
/** 2 s doubling to 32 s, 20 retries: at least 4.5 simulated minutes of failures before a dead letter. */
const POLICY: DeliveryPolicy = {
  maxRetries: 20,
  retry: { maxAttempts: 21, baseDelayMs: 2000, maxDelayMs: 32_000, deadlineMs: 7 * 86_400_000 },
  splitRetries: { attempts: 2, delayMs: 1_000 },
};
/** When `skin` fails, in simulated seconds from the clock's start (BASE). */
const OUTAGE = { from: 60, to: 240 };

const SKIN = destination("skin").pixel;

const BACKGROUND: FaultRates = {
  http_500: 0.05,
  http_503: 0.04,
  throttle_17: 0.03,
  throttle_613: 0.02,
  hang: 0.03,
  drop: 0.03,
  accept_then_hang: 0.02,
  accept_then_drop: 0.01,
};
/** Every request fails, and none is accepted. */
const OUTAGE_RATES: FaultRates = {
  http_500: 0.35,
  http_503: 0.3,
  throttle_17: 0.2,
  throttle_613: 0.05,
  hang: 0.05,
  drop: 0.05,
  accept_then_hang: 0,
  accept_then_drop: 0,
};

const clock = simClock(MS_PER_SECOND);
const random = seeded(SEED);
const inOutage = () => clock.elapsedSeconds() >= OUTAGE.from && clock.elapsedSeconds() < OUTAGE.to;

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({
    pixels: GRAPH_PIXELS,
    apiVersion: "v27.0",
    random: seeded(SEED + 1),
    hangMs: TIMEOUT_MS * 2,
    poisoned: new Set(),
    now: clock.now,
    rates: (pixel) => (pixel === SKIN && inOutage() ? OUTAGE_RATES : BACKGROUND),
  });
});
afterAll(async () => {
  await graph?.close();
});

it("three destinations, one failing for three minutes: nothing lost on any, no duplicate on the healthy ones caused by it", async () => {
  const secret = Studio.secretFrom("destinations-test-signing-key-0123");
  const relay = new SimRelay({
    clock,
    settings: settingsFor(DESTINATIONS, {
      META_GRAPH_URL: graph.url,
      META_API_VERSION: "v27.0",
      WEBHOOK_SECRET: secret,
      BROWSER_ORIGINS: SHOP_ORIGIN,
    }),
    queue: {
      maxBatchSize: 10,
      maxBatchTimeout: 5,
      maxRetries: POLICY.maxRetries,
      retryDelay: 30,
      maxConcurrency: 5,
      lostAckRate: 0.002,
    },
    policy: POLICY,
    timeoutMs: TIMEOUT_MS,
    random,
    queueRandom: seeded(SEED + 2),
    producerFaults: { sendFailureRate: 0.03, releaseFailureRate: 0.5 },
  });
  const studio = new Studio(relay, clock, secret);

  // Three webhooks a simulated second for five minutes, from two stores, two quizzes, and a
  // staging source; some match no destination at all.
  const start = clock.now();
  const origins: Origin[] = Array.from({ length: N }, (_, i) => originOf(i, 7));
  const webhooks = origins.map((origin, i) => webhook(i, start - Math.floor(random() * 600_000), origin, "dest"));
  // Shoppers' browsers beside them: a pack per request with events for eu and skin together, so
  // skin's outage leaves packs half delivered (eu's events acked, skin's queued again as a pack).
  const shoppers = new Shoppers(relay, clock);
  const browserExpected = new Map<string, Set<string>>(NAMES.map((name) => [name, new Set<string>()]));
  let routedRequests = 0;
  const deliveries: Promise<unknown>[] = [];
  for (const [i, w] of webhooks.entries()) {
    deliveries.push(...studio.deliverWithRedeliveries(w, random));
    if (i % 5 === 0 && i / 5 < BROWSER_REQUESTS) {
      const origin = originOf(i / 5, 7);
      const body = browserRequest(
        i / 5,
        1 + Math.floor(random() * 5),
        clock.now() - Math.floor(random() * 600_000),
        origin,
        "dest",
      );
      const names = routing({ store: origin.store, quiz: origin.quiz });
      if (names.length > 0) routedRequests++;
      for (const name of names) for (const e of body.events) browserExpected.get(name)!.add(e.event_id);
      deliveries.push(shoppers.send(body, i / 5));
    }
    if (i % 15 === 14) await clock.sleepSeconds(5);
  }
  await Promise.all(deliveries);
  await relay.settled(NAMES);
  const store = relay.env.DEAD_LETTERS!.get(relay.env.DEAD_LETTERS!.idFromName(DEAD_LETTER_STORE_NAME));
  const deadLetters = (await store.list({ limit: 100 })).letters;
  relay.close();

  // ---- accounting
  const leads = studio.expectedPerDestination(webhooks);
  const expected = new Map(
    NAMES.map((name) => [name, new Set([...(leads.get(name) ?? []), ...browserExpected.get(name)!])]),
  );
  const figures = account({
    graph,
    logged: relay.logged,
    pixels: PIXEL_OF,
    expected,
    lostAcks: relay.queue.redeliveredAfterAck,
    abandoned: [],
  });
  const fates = relay.logged.map((l) => l.fields).filter((f) => f.msg === "capi_event");
  const perDestination = (outcome: string) =>
    Object.fromEntries(
      DESTINATIONS.map((d) => [d.name, fates.filter((f) => f.outcome === outcome && f.destination === d.name).length]),
    );
  const retried = perDestination("retry");
  const requestsTo = Object.fromEntries(
    DESTINATIONS.map((d) => [d.name, graph.log.filter((r) => r.pixelId === d.pixel).length]),
  );
  const outageStart = BASE + OUTAGE.from * 1000;
  const outageEnd = BASE + OUTAGE.to * 1000;
  const skinDuringOutage = graph.log.filter((r) => r.pixelId === SKIN && r.at >= outageStart && r.at < outageEnd);
  // Intake to Meta's first acceptance, per destination, of the events queued during the outage.
  const latencies = new Map<string, number[]>();
  for (const message of relay.enqueued) {
    if (message.acceptedAt < outageStart || message.acceptedAt >= outageEnd) continue;
    const at = graph.firstAcceptedAt.get(acceptanceKey(PIXEL_OF[message.destination]!, message.eventId));
    if (at === undefined) continue;
    const list = latencies.get(message.destination) ?? [];
    list.push((at - message.acceptedAt) / 1000);
    latencies.set(message.destination, list);
  }
  const quantile = (list: number[] = [], q: number) =>
    [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))] ?? 0;

  // ---- assertions
  expect(graph.protocolErrors).toEqual([]); // every request carried its own pixel's token
  for (const [i, w] of webhooks.entries())
    expect(studio.routedTo.get(w.payload.id) ?? [], `webhook ${i}`).toEqual(routing(origins[i]!));
  for (const d of DESTINATIONS) {
    const f = figures.get(d.name)!;
    expect(f.expected).toBe(
      webhooks.filter((_, i) => routing(origins[i]!).includes(d.name)).length + browserExpected.get(d.name)!.size,
    );
    expect(f.lost, `lost on ${d.name}`).toEqual([]);
    expect(f.unexplained, `unexplained duplicates on ${d.name}`).toBe(0);
    // The lead's name, and the browser events' names where shoppers' events go (not to test: no route).
    expect([...graph.eventNames.get(d.pixel)!].sort()).toEqual(
      [d.eventName, ...(d.name === "test" ? [] : BROWSER_NAMES)].sort(),
    );
    expect([...(graph.testEventCodes.get(d.pixel) ?? [])]).toEqual(d.testEventCode ? [d.testEventCode] : []);
  }
  // Every delivery is queued; the consumer's claim acks each message beyond a Studio event's
  // first for a destination unsent (none reached Meta: `unexplained` above is 0).
  const claims = claimFigures(relay.queueSends, relay.logged);
  expect(relay.queueSends.size).toBe([...leads.values()].reduce((n, ids) => n + ids.size, 0));
  expect(claims.duplicateLines).toBeGreaterThanOrEqual(claims.extraMessages);
  // Every browser request accepted, and queued as one pack when a destination takes its events;
  // skin's outage re-queued the unfinished part of some.
  expect(shoppers.intake.queued).toBe(BROWSER_REQUESTS);
  expect(relay.packsSent).toHaveLength(routedRequests);
  const repacked = relay.requeued.filter((body) => readPack(body) !== undefined).length;
  expect(repacked).toBeGreaterThan(0);
  // The outage was real: skin's requests all failed then, and its messages waited.
  expect(skinDuringOutage.length).toBeGreaterThan(20);
  expect(skinDuringOutage.every((r) => r.answer !== "ok")).toBe(true);
  expect(retried.skin).toBeGreaterThan(retried.eu! + retried.test!);
  // The healthy destinations were not held up by it.
  for (const name of ["eu", "test"])
    expect(quantile(latencies.get(name), 1), `${name} latency`).toBeLessThan(OUTAGE.to - OUTAGE.from);
  expect(quantile(latencies.get("skin"), 0.5)).toBeGreaterThan(30);
  // Nothing dead-lettered: every transient failure was ridden out.
  expect(deadLetters).toEqual([]);
  expect(relay.queue.stats.movedToDeadLetter).toBe(0);
  expectNoPersonalData({
    messages: [...relay.enqueued, ...relay.queue.redeliveredAfterAck],
    logged: relay.logged,
    webhooks: [webhooks[0]!, webhooks[7]!, webhooks[N - 1]!],
    tokens: TOKENS,
  });

  // ---- figures (the test's last lines)
  const latency = (name: string) =>
    `intake to Meta for events queued during skin's outage: median ${quantile(latencies.get(name), 0.5).toFixed(0)} s, max ${quantile(latencies.get(name), 1).toFixed(0)} s`;
  const intake = studio.intake;
  console.log(
    [
      `several destinations, seed ${SEED}: eu (store_domain), skin (quiz_id), test (/webhooks/cartful/staging), each its own token; skin's pixel fails every request transiently from ${OUTAGE.from} s to ${OUTAGE.to} s (simulated), random faults on all; ${clock.realSeconds().toFixed(1)} s real`,
      `webhooks: ${N} distinct, ${intake.deliveries} deliveries: ${intake.queued} 202 queued, ${intake.duplicate} 202 duplicate, ${intake.inFlight} 503 delivery_in_progress, ${intake.failed} 503 queue_unavailable, ${intake.skipped} 200 skipped (${webhooks.filter((_, i) => routing(origins[i]!).length === 0).length} webhooks match no destination)`,
      `browser: ${BROWSER_REQUESTS} requests to /collect/cartful (eu ${browserExpected.get("eu")!.size} events, skin ${browserExpected.get("skin")!.size}), one pack each; ${repacked} packs re-queued with their unfinished events`,
      `graph: ${graph.requests} requests (eu ${requestsTo.eu}, skin ${requestsTo.skin} of which ${skinDuringOutage.length} during its outage, test ${requestsTo.test}); faults ${JSON.stringify(graph.faults)}`,
      ...DESTINATIONS.map(
        (d) => `${figuresLine(figures.get(d.name)!)}; retried ${retried[d.name]}; ${latency(d.name)}`,
      ),
      `dead-lettered: ${deadLetters.length}`,
      `lost: ${DESTINATIONS.map((d) => `${d.name} ${figures.get(d.name)!.lost.length}`).join(", ")}`,
    ].join("\n"),
  );
}, 180_000);
