import { describe, expect, it } from "vitest";
import type { BatchReport, DestinationReport } from "../delivery/consumer";
import type { GraphFailure } from "../delivery/graph";
import {
  BatchSum,
  consumerBatch,
  coverageHint,
  emptyBatch,
  HOUR_MS,
  hourOf,
  LATENCY_BUCKETS_MS,
  latencyCounter,
  latencyPercentile,
  MAX_RECENT,
  type MetricsBatch,
  metricsAnswer,
  signalOf,
  browserBatch,
  webhookBatch,
} from "./metrics";

const NOW = Date.parse("2026-11-25T19:42:00Z");
const count = (batch: ReturnType<typeof emptyBatch>, destination: string, name: string) =>
  batch.counts.filter((c) => c.destination === destination && c.name === name).reduce((sum, c) => sum + c.n, 0);
const failure = (overrides: Partial<GraphFailure>): GraphFailure => ({
  ok: false,
  transient: false,
  status: 400,
  message: "x",
  ...overrides,
});

describe("webhookBatch", () => {
  it("counts every webhook received, and the unauthorized and invalid ones (the contract's webhook counters)", () => {
    expect(count(webhookBatch({ outcome: "accepted", destinations: [] }, NOW), "", "received")).toBe(1);
    const unauthorized = webhookBatch({ outcome: "unauthorized", destinations: [] }, NOW);
    expect([
      count(unauthorized, "", "received"),
      count(unauthorized, "", "unauthorized"),
      count(unauthorized, "", "invalid"),
    ]).toEqual([1, 1, 0]);
    expect(count(webhookBatch({ outcome: "invalid", destinations: [] }, NOW), "", "invalid")).toBe(1);
    expect(count(webhookBatch({ outcome: "other", destinations: [] }, NOW), "", "invalid")).toBe(0);
  });

  it("counts a webhook without any credential as unauthorized and anonymous, never invalid", () => {
    const anonymous = webhookBatch({ outcome: "anonymous", destinations: [] }, NOW);
    expect(["received", "unauthorized", "anonymous", "invalid"].map((name) => count(anonymous, "", name))).toEqual([
      1, 1, 1, 0,
    ]);
    expect(count(webhookBatch({ outcome: "unauthorized", destinations: [] }, NOW), "", "anonymous")).toBe(0);
  });

  it("counts per destination: routed, then skipped, dry run, or on the direct path sent with latency, keys and retries", () => {
    const batch = webhookBatch(
      {
        outcome: "accepted",
        eventId: "cartful.s.1",
        keys: ["em", "ph"],
        destinations: [
          { name: "a", status: "sent", attempts: 3, latencyMs: 700, fbtraceId: "T1" },
          { name: "b", status: "skipped" },
          { name: "c", status: "dry_run" },
          { name: "d", status: "queued" },
          { name: "e", status: "duplicate" },
        ],
      },
      NOW,
    );
    for (const name of ["a", "b", "c", "d", "e"]) expect(count(batch, name, "routed")).toBe(1);
    expect([
      count(batch, "a", "sent"),
      count(batch, "a", "retried"),
      count(batch, "a", "key:em"),
      count(batch, "a", "key:ph"),
      count(batch, "a", "lat:2"),
    ]).toEqual([1, 2, 1, 1, 1]);
    expect([
      count(batch, "b", "skipped"),
      count(batch, "c", "dry_run"),
      count(batch, "d", "sent"),
      count(batch, "e", "sent"),
    ]).toEqual([1, 1, 0, 0]);
    expect(batch.accepted).toEqual([{ destination: "a", at: NOW, fbtraceId: "T1" }]);
    expect(batch.recent.map((e) => [e.destination, e.outcome])).toEqual([
      ["a", "sent"],
      ["b", "skipped"],
      ["c", "dry_run"],
      ["d", "queued"],
    ]);
  });

  it("counts a webhook of a type the relay does not relay skipped, and filtered apart from consent's skips", () => {
    const batch = webhookBatch(
      {
        outcome: "accepted",
        eventId: "cartful.s.1.quiz:start",
        destinations: [
          { name: "a", status: "filtered" },
          { name: "b", status: "skipped" },
        ],
      },
      NOW,
    );
    expect(["a", "b"].map((name) => [count(batch, name, "routed"), count(batch, name, "skipped")])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect([count(batch, "a", "filtered"), count(batch, "b", "filtered")]).toEqual([1, 0]);
    expect(batch.recent.map((e) => [e.destination, e.outcome])).toEqual([
      ["a", "filtered"],
      ["b", "skipped"],
    ]);
  });

  it("keeps Meta's refusal and its signal for a failed destination, retries only for a transient one", () => {
    const refused = webhookBatch(
      {
        outcome: "accepted",
        eventId: "e",
        destinations: [
          {
            name: "a",
            status: "failed",
            attempts: 1,
            failure: failure({ code: 190, subcode: 463, message: "expired", fbtraceId: "F" }),
          },
        ],
      },
      NOW,
    );
    expect(refused.failures).toEqual([
      { destination: "a", at: NOW, status: 400, code: 190, subcode: 463, fbtraceId: "F", message: "expired" },
    ]);
    expect(refused.signals).toEqual([{ destination: "a", kind: "token", detail: "190/463", at: NOW }]);
    expect(count(refused, "a", "failed")).toBe(1);
    const down = webhookBatch(
      {
        outcome: "accepted",
        destinations: [
          { name: "a", status: "failed", attempts: 4, failure: failure({ transient: true, status: 503 }) },
        ],
      },
      NOW,
    );
    expect(count(down, "a", "retried")).toBe(3);
  });
});

describe("consumerBatch", () => {
  const report = (r: Partial<DestinationReport>): BatchReport =>
    new Map([
      ["eu", { sent: 0, retried: 0, deadLettered: 0, held: 0, latenciesMs: [], sentKeys: [], events: [], ...r }],
    ]);

  it("adds a batch's sent, retried, dead-lettered and held events, latencies and key coverage", () => {
    const batch = consumerBatch(
      report({
        sent: 2,
        retried: 1,
        deadLettered: 1,
        held: 3,
        latenciesMs: [100, 40_000],
        sentKeys: [["em", "fbp"], ["em"]],
        lastAccepted: { at: NOW, fbtraceId: "OK" },
      }),
      NOW,
    );
    expect(
      ["sent", "retried", "dead_lettered", "held", "key:em", "key:fbp", "lat:0", "lat:7"].map((n) =>
        count(batch, "eu", n),
      ),
    ).toEqual([2, 1, 1, 3, 2, 1, 1, 1]);
    expect(batch.accepted).toEqual([{ destination: "eu", at: NOW, fbtraceId: "OK" }]);
  });

  it("sums a batch's counters: one row per counter, not one per event and key", () => {
    const keys = ["em", "ph", "fbp", "client_ip_address", "client_user_agent"];
    const batch = consumerBatch(
      report({ sent: 100, latenciesMs: Array(100).fill(300), sentKeys: Array.from({ length: 100 }, () => keys) }),
      NOW,
    );
    expect(batch.counts).toHaveLength(1 + 1 + keys.length);
    expect(count(batch, "eu", "key:em")).toBe(100);
    expect(count(batch, "eu", "lat:1")).toBe(100);
  });

  it("turns Meta's version warning and a retired version into signals", () => {
    const warned = consumerBatch(report({ sent: 1, versionWarning: "auto-upgraded to v27.0" }), NOW);
    expect(warned.signals).toEqual([
      { destination: "eu", kind: "version_warning", detail: "auto-upgraded to v27.0", at: NOW },
    ]);
    const retired = consumerBatch(
      report({ lastFailure: { at: NOW, status: 400, code: 2635, message: "deprecated version" } }),
      NOW,
    );
    expect(retired.signals).toMatchObject([{ kind: "version_retired", detail: "2635" }]);
  });
});

describe("signalOf", () => {
  it.each([
    [{ code: 2635 }, "version_retired"],
    [{ code: 190, subcode: 460 }, "token"],
    [{ code: 102 }, "token"],
    [{ code: 10 }, "permission"],
    [{ code: 200 }, "permission"],
    [{ code: 17, transient: true }, "throttle"],
    [{ code: 80004, transient: true }, "throttle"],
    [{ status: 429, transient: true }, "throttle"],
  ])("reads %j as %s", (overrides, kind) => {
    expect(signalOf(failure(overrides as Partial<GraphFailure>))?.kind).toBe(kind);
  });

  it("sees nothing to act on in a refused event or an outage", () => {
    expect(signalOf(failure({ code: 100, subcode: 2804003 }))).toBeUndefined();
    expect(signalOf(failure({ transient: true, status: 503, code: 2 }))).toBeUndefined();
  });
});

/** `batches` summed one after the other, as the isolate's buffer sums them. */
function summed(...batches: MetricsBatch[]): MetricsBatch {
  const sum = new BatchSum(batches[0]!.at);
  for (const batch of batches) sum.add(batch);
  return sum.batch();
}

describe("summing batches", () => {
  it("sums counts and keeps the rest of both", () => {
    const a = webhookBatch({ outcome: "accepted", destinations: [{ name: "x", status: "skipped" }] }, NOW);
    const b = webhookBatch({ outcome: "unauthorized", destinations: [] }, NOW + 1000);
    const merged = summed(a, b);
    expect([count(merged, "", "received"), count(merged, "", "unauthorized"), count(merged, "x", "routed")]).toEqual([
      2, 1, 1,
    ]);
    expect(merged.at).toBe(NOW + 1000);
    expect(count(a, "", "received")).toBe(1);
  });
});

describe("BatchSum", () => {
  /** What summing batch by batch made before BatchSum: each merge a copy of all so far. */
  const copied = (into: MetricsBatch, b: MetricsBatch): MetricsBatch => ({
    at: Math.max(into.at, b.at),
    counts: [...into.counts, ...b.counts].reduce<MetricsBatch["counts"]>((list, c) => {
      const known = list.find((k) => k.destination === c.destination && k.name === c.name);
      if (known) known.n += c.n;
      else list.push({ ...c });
      return list;
    }, []),
    eventNames: [...(into.eventNames ?? []), ...(b.eventNames ?? [])].reduce<NonNullable<MetricsBatch["eventNames"]>>(
      (list, c) => {
        const known = list.find(
          (k) => k.destination === c.destination && k.eventName === c.eventName && k.name === c.name,
        );
        if (known) known.n += c.n;
        else list.push({ ...c });
        return list;
      },
      [],
    ),
    recent: [...into.recent, ...b.recent].slice(-MAX_RECENT),
    accepted: [...into.accepted, ...b.accepted],
    failures: [...into.failures, ...b.failures],
    signals: [...into.signals, ...b.signals],
    refusals: [...(into.refusals ?? []), ...(b.refusals ?? [])].slice(-MAX_RECENT),
  });

  /** Batches of every kind: webhooks (refused on arrival too), browser requests, consumer batches. */
  function batches(): MetricsBatch[] {
    const out: MetricsBatch[] = [];
    for (let i = 0; i < 150; i++) {
      const at = NOW + i * 10;
      out.push(webhookBatch({ outcome: "accepted", destinations: [{ name: `d${i % 3}`, status: "queued" }] }, at));
      out.push(
        webhookBatch(
          {
            outcome: "invalid",
            destinations: [],
            refusal: { status: 422, code: "invalid_webhook", issues: ["id: Required"] },
          },
          at,
        ),
      );
      out.push(
        browserBatch(
          {
            outcome: "accepted",
            events: 2,
            deliveries: [
              { destination: "d0", eventName: "ViewContent", status: "queued" },
              { destination: `d${i % 2}`, eventName: "AddToCart", status: "skipped" },
            ],
          },
          at,
        ),
      );
      const recent = Array.from({ length: 3 }, (_, k) => ({
        at,
        eventId: `cartful.s${i}.${k}`,
        destination: "d1",
        outcome: "sent" as const,
        keys: ["em"],
      }));
      out.push({ ...emptyBatch(at), counts: [{ destination: "d1", name: "sent", n: 3 }], recent });
    }
    return out;
  }

  it("answers what merging one batch after the other made, past the bound of recent events too", () => {
    const all = batches();
    const sum = new BatchSum(NOW);
    for (const b of all) sum.add(b);
    const expected = all.reduce(copied, emptyBatch(NOW));
    expect(sum.batch()).toEqual(expected);
    expect(sum.batch().recent).toHaveLength(Math.min(MAX_RECENT, expected.recent.length));
  });

  it("changes none of the batches it was given, and no batch it answered once more come", () => {
    const a = webhookBatch({ outcome: "accepted", destinations: [{ name: "x", status: "queued" }] }, NOW);
    const before = structuredClone(a);
    const sum = new BatchSum(NOW);
    sum.add(a);
    const first = sum.batch();
    const kept = structuredClone(first);
    sum.add(a);
    expect(a).toEqual(before);
    expect(first).toEqual(kept);
    expect(count(sum.batch(), "", "received")).toBe(2);
  });
});

describe("latency histogram", () => {
  it("puts a latency in the first bucket whose bound it does not pass", () => {
    expect(latencyCounter(0)).toBe("lat:0");
    expect(latencyCounter(250)).toBe("lat:0");
    expect(latencyCounter(251)).toBe("lat:1");
    expect(latencyCounter(1e12)).toBe(`lat:${LATENCY_BUCKETS_MS.length - 1}`);
  });

  it("reads percentiles as bucket bounds", () => {
    expect(latencyPercentile({ "lat:3": 9, "lat:6": 1 }, 0.5)).toBe(2000);
    expect(latencyPercentile({ "lat:3": 9, "lat:6": 1 }, 0.95)).toBe(30_000);
    expect(latencyPercentile({}, 0.5)).toBeUndefined();
    expect(latencyPercentile({ [`lat:${LATENCY_BUCKETS_MS.length - 1}`]: 1 }, 0.5)).toBe(LATENCY_BUCKETS_MS.at(-2));
  });
});

describe("metricsAnswer", () => {
  it("answers the contract's shape: webhooks, then each destination's counts and match-key shares", () => {
    const counts = new Map<string, Record<string, number>>([
      ["", { received: 14, unauthorized: 1, invalid: 1, anonymous: 1 }],
      [
        "default",
        {
          routed: 12,
          sent: 10,
          skipped: 1,
          retried: 3,
          dead_lettered: 1,
          "key:em": 10,
          "key:ph": 8,
          "key:fbc": 4,
          "lat:3": 10,
        },
      ],
    ]);
    const answer = metricsAnswer(counts, "24h", ["default", "eu"]);
    expect(answer).toMatchObject({
      window: "24h",
      webhooks: { received: 14, unauthorized: 1, invalid: 1, anonymous: 1 },
      destinations: {
        default: {
          routed: 12,
          sent: 10,
          skipped: 1,
          retried: 3,
          dead_lettered: 1,
          match_keys: { em: 1, ph: 0.8, fbc: 0.4, fbp: 0 },
          latency_ms: { p50: 2000, p95: 2000, count: 10 },
        },
        eu: { routed: 0, sent: 0, match_keys: {} },
      },
    });
  });

  it("lists a destination that has counts but left the settings", () => {
    expect(Object.keys(metricsAnswer(new Map([["gone", { routed: 1 }]]), "7d", ["default"]).destinations)).toEqual([
      "default",
      "gone",
    ]);
  });
});

describe("coverageHint", () => {
  it("names the weakest key Meta weighs most, with what to map", () => {
    expect(
      coverageHint({
        em: 1,
        ph: 0.95,
        client_ip_address: 1,
        client_user_agent: 1,
        fbp: 0.9,
        fbc: 0.12,
        external_id: 1,
        fn: 1,
        ln: 1,
      }),
    ).toBe("fbc on 12 %: pass the _fbc cookie, or the page URL with its fbclid, in context");
    expect(
      coverageHint({
        em: 1,
        ph: 0.4,
        client_ip_address: 1,
        client_user_agent: 1,
        fbp: 1,
        fbc: 1,
        external_id: 1,
        fn: 1,
        ln: 1,
      }),
    ).toMatch(/^ph on 40 %/);
  });

  it("has nothing to say when every such key is on 90 % or more, or nothing was sent", () => {
    expect(
      coverageHint({
        em: 1,
        ph: 0.9,
        client_ip_address: 1,
        client_user_agent: 1,
        fbp: 0.95,
        fbc: 0.91,
        external_id: 1,
        fn: 1,
        ln: 1,
      }),
    ).toBeUndefined();
    expect(coverageHint({})).toBeUndefined();
  });
});

describe("hourOf", () => {
  it("starts the hour", () => {
    expect(hourOf(NOW)).toBe(Date.parse("2026-11-25T19:00:00Z"));
    expect(hourOf(NOW) % HOUR_MS).toBe(0);
  });
});

describe("metricsAnswer, with destinations named like Object's own properties", () => {
  it("answers for a destination named constructor or __proto__, and has nothing for an unknown name", () => {
    const answer = metricsAnswer(new Map([["constructor", { sent: 2 }]]), "24h", ["constructor", "__proto__"]);
    expect(answer.destinations.constructor).toMatchObject({ sent: 2, routed: 0 });
    expect(Object.keys(answer.destinations)).toEqual(["constructor", "__proto__"]);
    expect(answer.destinations["toString"]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(answer)).destinations.__proto__).toMatchObject({ sent: 0 });
  });
});

describe("unusable keys", () => {
  it("counts, per destination routed, the keys a shopper gave that the relay could not use, as a share of routed", () => {
    const batch = webhookBatch(
      {
        outcome: "accepted",
        eventId: "cartful.a.1",
        keys: ["em"],
        dropped: ["ph"],
        destinations: [{ name: "eu", status: "queued" }],
      },
      0,
    );
    expect(batch.counts).toContainEqual({ destination: "eu", name: "unusable:ph", n: 1 });
    const answer = metricsAnswer(new Map([["eu", { routed: 4, "unusable:ph": 1 }]]), "24h", ["eu"]);
    expect(answer.destinations.eu?.unusable_keys).toEqual({ ph: 0.25 });
    expect(metricsAnswer(new Map([["eu", { routed: 4 }]]), "24h", ["eu"]).destinations.eu).not.toHaveProperty(
      "unusable_keys",
    );
  });
});

describe("browserBatch", () => {
  it("counts an accepted request, its events, and each delivery per destination and event name", () => {
    const batch = browserBatch(
      {
        outcome: "accepted",
        events: 3,
        deliveries: [
          { destination: "default", eventName: "AddToCart", status: "queued" },
          { destination: "default", eventName: "ViewContent", status: "skipped" },
          { destination: "eu", eventName: "AddToCart", status: "dry_run" },
        ],
      },
      NOW,
    );
    expect(count(batch, "", "browser_requests")).toBe(1);
    expect(count(batch, "", "browser_events")).toBe(3);
    expect(count(batch, "default", "routed")).toBe(2);
    expect(count(batch, "default", "skipped")).toBe(1);
    expect(count(batch, "eu", "dry_run")).toBe(1);
    expect(batch.eventNames).toEqual(
      expect.arrayContaining([
        { destination: "default", origin: "browser", eventName: "AddToCart", name: "routed", n: 1 },
        { destination: "default", origin: "browser", eventName: "ViewContent", name: "skipped", n: 1 },
        { destination: "eu", origin: "browser", eventName: "AddToCart", name: "dry_run", n: 1 },
      ]),
    );
  });

  it.each([
    ["refused", "browser_refused"],
    ["rate_limited", "browser_rate_limited"],
    ["invalid", "browser_invalid"],
    ["bot", "browser_bots"],
  ] as const)("counts a %s request as %s, and no events", (outcome, counter) => {
    const batch = browserBatch({ outcome, events: 0, deliveries: [] }, NOW);
    expect(count(batch, "", counter)).toBe(1);
    expect(count(batch, "", "browser_requests")).toBe(1);
    expect(count(batch, "", "browser_events")).toBe(0);
  });

  it("merges event-name counts as it merges counters", () => {
    const one = browserBatch(
      { outcome: "accepted", events: 1, deliveries: [{ destination: "d", eventName: "Lead", status: "queued" }] },
      NOW,
    );
    expect(summed(one, one).eventNames).toEqual([
      { destination: "d", origin: "browser", eventName: "Lead", name: "routed", n: 2 },
    ]);
  });
});

describe("consumerBatch, browser events", () => {
  it("counts a browser event sent or dead-lettered per event name; a webhook's is not", () => {
    const report: BatchReport = new Map([
      [
        "default",
        {
          sent: 2,
          retried: 0,
          deadLettered: 1,
          held: 0,
          latenciesMs: [],
          sentKeys: [],
          events: [
            { eventId: "a", outcome: "sent", keys: [], eventName: "AddToCart", origin: "browser" },
            { eventId: "b", outcome: "dead_lettered", keys: [], eventName: "AddToCart", origin: "browser" },
            { eventId: "c", outcome: "sent", keys: [] },
          ],
        } satisfies DestinationReport,
      ],
    ]);
    expect(consumerBatch(report, NOW).eventNames).toEqual([
      { destination: "default", origin: "browser", eventName: "AddToCart", name: "sent", n: 1 },
      { destination: "default", origin: "browser", eventName: "AddToCart", name: "dead_lettered", n: 1 },
    ]);
  });
});

describe("metricsAnswer, browser", () => {
  it("answers the contract's browser block and each destination's browser events per event name", () => {
    const answer = metricsAnswer(
      new Map<string, Record<string, number>>([
        ["", { browser_requests: 40, browser_events: 95, browser_refused: 2, browser_invalid: 1, browser_bots: 3 }],
        ["default", { routed: 5 }],
      ]),
      "24h",
      ["default"],
      {
        eventNames: [
          { destination: "default", eventName: "AddToCart", name: "routed", n: 5 },
          { destination: "default", eventName: "AddToCart", name: "sent", n: 4 },
          { destination: "gone", eventName: "AddToCart", name: "sent", n: 9 },
        ],
      },
    );
    expect(answer.browser).toEqual({ requests: 40, events: 95, refused: 2, rate_limited: 0, invalid: 1, bots: 3 });
    expect({ ...answer.destinations.default!.browser_events }).toEqual({
      AddToCart: { routed: 5, sent: 4, skipped: 0, dry_run: 0, dead_lettered: 0 },
    });
  });

  it("keeps an event name like Object's own properties as data", () => {
    const answer = metricsAnswer(new Map(), "1h", ["default"], {
      eventNames: [
        { destination: "default", eventName: "__proto__", name: "routed", n: 1 },
        { destination: "__proto__", eventName: "constructor", name: "routed", n: 1 },
      ],
    });
    expect(answer.destinations.default!.browser_events.__proto__).toMatchObject({ routed: 1 });
    expect(Object.getPrototypeOf(answer.destinations.default!.browser_events)).toBeNull();
  });
});
