/**
 * The console's data (src/http/console/data.ts) inside workerd, from the real Durable Objects:
 * the metrics store after recorded traffic, an open delivery circuit, a waiting dead letter.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { circuitName } from "../src/delivery/holds";
import { buildConsoleModel } from "../src/http/console/data";
import { intakeRefusal } from "../src/observe/incidents";
import { browserBatch, consumerBatch, emptyBatch, webhookBatch } from "../src/observe/metrics";
import type { MetricsStore } from "../src/observe/metricsStore";
import { queuedEvent } from "./queueFixtures";

let sequence = 0;

function world() {
  const tag = `console-${++sequence}`;
  const metrics = env.METRICS.get(env.METRICS.idFromName(`metrics-${tag}`));
  const letters = env.DEAD_LETTERS.get(env.DEAD_LETTERS.idFromName(`letters-${tag}`));
  const circuits = (name: string) =>
    env.DELIVERY_CIRCUIT.get(env.DELIVERY_CIRCUIT.idFromName(`${tag}:${circuitName(name)}`));
  const bindings = {
    ...env,
    META_ACCESS_TOKEN_EU: "EAAB-eu",
    META_ACCESS_TOKEN_US: "EAAB-us",
    DESTINATIONS: JSON.stringify([
      { name: "eu", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_EU", test_event_code: "TEST1" },
      { name: "us", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_US" },
      { name: "test", pixel_id: "333" },
    ]),
    METRICS: { idFromName: () => "", get: () => metrics } as unknown as DurableObjectNamespace<MetricsStore>,
    DEAD_LETTERS: { idFromName: () => "", get: () => letters } as unknown as typeof env.DEAD_LETTERS,
    DELIVERY_CIRCUIT: {
      idFromName: (name: string) => name,
      get: (name: string) => circuits(name.replace(/^circuit:/, "")),
    } as unknown as typeof env.DELIVERY_CIRCUIT,
  };
  return { metrics, letters, circuits, bindings };
}

describe("buildConsoleModel", () => {
  it("shows each destination's mode, counts, coverage and hint, an open circuit, the dead letters and recent events", async () => {
    const w = world();
    const now = Date.now();
    const nowS = Math.floor(now / 1000);
    await w.metrics.record(
      webhookBatch(
        {
          outcome: "accepted",
          eventId: "cartful.a.1",
          keys: ["em"],
          destinations: [
            { name: "eu", status: "queued" },
            { name: "us", status: "queued" },
          ],
        },
        now,
      ),
    );
    await w.metrics.record(
      consumerBatch(
        new Map([
          [
            "eu",
            {
              sent: 2,
              retried: 1,
              deadLettered: 0,
              held: 0,
              latenciesMs: [900, 1200],
              sentKeys: [
                ["em", "ph", "fbp"],
                ["em", "fbp"],
              ],
              lastAccepted: { at: now, fbtraceId: "T-EU" },
              events: [{ eventId: "cartful.a.1", outcome: "sent", keys: ["em", "ph", "fbp"], fbtraceId: "T-EU" }],
            },
          ],
        ]),
        now,
      ),
    );
    await w.metrics.record(
      webhookBatch({ outcome: "unauthorized", destinations: [], refusal: intakeRefusal("unauthorized", 401) }, now),
    );
    await w.metrics.record(
      webhookBatch(
        {
          outcome: "invalid",
          destinations: [],
          refusal: intakeRefusal("invalid_webhook", 422, [{ path: "shopper.email", message: "Required" }]),
        },
        now + 1,
      ),
    );
    // A browser event for `eu`: counted apart from its leads.
    await w.metrics.record(
      browserBatch(
        {
          outcome: "accepted",
          events: 1,
          deliveries: [{ destination: "eu", eventName: "AddToCart", status: "queued" }],
        },
        now,
      ),
    );
    // Meta down for `eu` a minute ago, then accepting again: one incident, closed.
    await w.metrics.record({
      ...emptyBatch(now - 60_000),
      failures: [{ destination: "eu", at: now - 60_000, status: 503, code: 2, message: "Service unavailable" }],
    });
    await w.metrics.record({ ...emptyBatch(now), accepted: [{ destination: "eu", at: now - 30_000 }] });
    await w.circuits("us").hold(
      "us",
      [queuedEvent({ id: "cartful.h.1", eventTime: nowS - 60, pixelId: "222", destination: "us" })],
      {
        kind: "meta_refused",
        failure: {
          ok: false,
          transient: false,
          status: 400,
          code: 190,
          subcode: 463,
          message: "Error validating access token",
          fbtraceId: "T-190",
        },
      },
      now,
    );
    const letter = {
      v: 1 as const,
      kind: "dead_letter" as const,
      key: "cartful.bad.1@eu",
      message: queuedEvent({ id: "cartful.bad.1", eventTime: nowS - 60, destination: "eu" }),
      reason: "rejected" as const,
      detail: "Invalid parameter",
      code: 100,
      fbtraceId: "T-100",
      attempts: 1,
      deadLetteredAt: now,
    };
    await w.letters.put([letter]);

    const model = await buildConsoleModel(w.bindings, now);
    expect(model.relay).toMatchObject({ mode: "misconfigured", apiVersion: "v27.0", queued: true });
    expect(model.webhooks["24h"]).toEqual({ received: 3, unauthorized: 1, invalid: 1, anonymous: 0 });
    expect(model.refusals).toEqual([
      { at: now + 1, code: "invalid_webhook", status: 422, issues: ["shopper.email: Required"] },
      { at: now, code: "unauthorized", status: 401, issues: [] },
    ]);
    const [eu, us, test] = model.destinations;
    expect(eu).toMatchObject({
      name: "eu",
      mode: "live",
      testEventCode: "TEST1",
      lastAccepted: { at: now, fbtraceId: "T-EU" },
      counts: { "24h": { routed: 1, sent: 2, retried: 1 } },
      latencyMs: { p50: 1000, p95: 2000, count: 2 },
      matchKeys: { em: 1, ph: 0.5, fbp: 1, fbc: 0 },
      deadLettersWaiting: 1,
      heldNow: 0,
      tokenSecret: "META_ACCESS_TOKEN_EU",
      quality: { state: "none", reason: "not read yet (hourly)" },
      incidents: [{ startedAt: now - 60_000, scope: "transient", failures: 1, endedAt: now - 30_000 }],
      browserEvents: [{ eventName: "AddToCart", routed: 1, sent: 0, skipped: 0, dry_run: 0, dead_lettered: 0 }],
    });
    expect(model.browser["24h"]).toMatchObject({ requests: 1, events: 1 });
    expect(eu?.hint).toMatch(/^(client_ip_address|client_user_agent|fbc) on 0 %/);
    expect(us).toMatchObject({
      mode: "paused",
      heldNow: 1,
      circuit: { cause: "meta_refused", held: 1, lastFailure: { code: 190, subcode: 463, fbtraceId: "T-190" } },
    });
    // No token of its own while the others have one: held (its events wait), not a dry run.
    expect(test).toMatchObject({
      mode: "held",
      tokenSecret: "META_ACCESS_TOKEN",
      quality: { state: "none", reason: "no token to read it with" },
    });
    expect(model.deadLetters).toEqual([
      {
        key: "cartful.bad.1@eu",
        destination: "eu",
        eventId: "cartful.bad.1",
        reason: "rejected",
        detail: "Invalid parameter",
        code: 100,
        fbtraceId: "T-100",
        deadLetteredAt: now,
        times: 1,
        firstDeadLetteredAt: now,
        replayable: true,
      },
    ]);
    expect(model.recent[0]).toMatchObject({ eventId: "cartful.a.1", destination: "eu", outcome: "sent" });
    expect(model.hours).toHaveLength(168);
    expect(model.hours.at(-1)).toMatchObject({ sent: 2, retried: 1 });
    expect(JSON.stringify(model)).not.toMatch(/EAAB|203\.0\.113|62a14e44/);
  });

  it("reads every destination as a dry run when the whole relay runs dry", async () => {
    const w = world();
    const model = await buildConsoleModel({ ...w.bindings, DRY_RUN: "true" }, Date.now());
    expect(model.destinations.map((d) => d.mode)).toEqual(["dry_run", "dry_run", "dry_run"]);
    expect(model.relay.mode).toBe("dry_run");
  });

  it("still answers with what it has when the settings are broken and nothing is bound", async () => {
    const model = await buildConsoleModel({ META_API_VERSION: "27" }, Date.now());
    expect(model.relay).toEqual({
      mode: "misconfigured",
      problem: "META_API_VERSION must look like v27.0",
      queued: false,
    });
    expect(model.destinations).toEqual([]);
    expect(model.hours).toEqual([]);
  });
});
