/**
 * End-to-end: the relay under `wrangler dev` (local workerd) against a bare forwarding Worker,
 * all posting to the same fake Graph on loopback, same load generator, same run. Targets:
 *
 *   bare                  bench/bare/: forwards the body, no auth, no parsing (the baseline)
 *   relay                 src/index.ts, direct path (no queue bound), one destination
 *   relay3                the same with DESTINATIONS = three pixels: one request per destination
 *   relayNoLog            the direct path with its log lines dropped (bench/relay-nolog/)
 *   relayQueued           wrangler.jsonc as committed: intake ledger, queue, consumer, METRICS bound
 *   relayQueuedNoMetrics  the same without the METRICS binding (config generated here)
 *   relayBefore           the relay before this round (be0ef34, bench/lib/base.mjs), direct path
 *
 * - throughput: autocannon, `connections` concurrent keep-alive connections, `durationS` each
 * - latency: one connection, requests back to back, every latency kept with µs precision
 *   (autocannon's own histogram rounds to whole ms, too coarse for "added latency")
 * - CPU: utime+stime of the workerd processes under each wrangler, from /proc, before/after
 *   the throughput run (for the queued targets: after the fake Graph got every event), divided
 *   by the requests served
 * - metrics writes: after the rounds, a burst against bench/relay-counted/ (the queued relay
 *   whose metrics store counts its `record` calls), read back with `/admin/metrics` as well
 *
 * Every wrangler dev gets its own state (`--persist-to`) and dev registry (bench/lib/wrangler.mjs),
 * so the two queued relays do not share `cartful-capi-events`.
 *
 * @example
 * const e2e = await runE2E({ rounds: 3, durationS: 5, latencyS: 3, connections: 8 });
 */
import autocannon from "autocannon";
import fs from "node:fs";
import path from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { Agent, request } from "undici";
import { ROOT } from "./lib/build.mjs";
import { loadCorpus, THREE_DESTINATIONS } from "./lib/corpus.mjs";
import { readCpuSeconds, startNodeServer, startWranglerDev } from "./lib/wrangler.mjs";
import { quantile, summary } from "./lib/stats.mjs";

const SECRET = "bench-secret";
const ADMIN = "bench-admin-secret";
/** How long the queued relay's consumer may take after the run (batches wait up to 5 s). */
const SETTLE_MS = 500;

/** The fixture with `occurred_at` moved to now, in the same form, so Meta's 7-day window holds. */
export function freshen(payload, nowMs = Date.now()) {
  const copy = structuredClone(payload);
  const t = copy.occurred_at;
  if (typeof t === "number") copy.occurred_at = t < 1e12 ? Math.floor(nowMs / 1000) : nowMs;
  else if (typeof t === "string" && /^\d+$/.test(t.trim()))
    copy.occurred_at = String(t.length <= 10 ? Math.floor(nowMs / 1000) : nowMs);
  else if (typeof t === "string") copy.occurred_at = new Date(nowMs).toISOString();
  return copy;
}

/**
 * A wrangler config generated from wrangler.jsonc into bench/out/<dir>/wrangler.json.
 * `direct`: without the queue, Durable Object and cron sections (the relay's direct path:
 * transform, then POST to Graph in the request, the one comparable with the bare Worker).
 * `dropDurableObjects`: binding names left out, their classes and migrations kept.
 * `overrides`: top-level keys replaced (e.g. `{ minify: false }` for a profile mapped to src/).
 */
export function writeConfig({
  main = "../../../src/index.ts",
  dir,
  direct = false,
  dropDurableObjects = [],
  vars = {},
  overrides = {},
}) {
  const config = parseJsonc(fs.readFileSync(path.join(ROOT, "wrangler.jsonc"), "utf8"));
  delete config.$schema;
  if (direct) for (const key of ["queues", "durable_objects", "migrations", "triggers"]) delete config[key];
  if (config.durable_objects)
    config.durable_objects.bindings = config.durable_objects.bindings.filter(
      (b) => !dropDurableObjects.includes(b.name),
    );
  Object.assign(config, overrides);
  config.main = main;
  config.vars = { ...config.vars, ...vars };
  const out = path.join(ROOT, "bench/out", dir);
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, "wrangler.json");
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * The base's (bench/lib/base.mjs) direct path: its wrangler.toml's top-level settings and vars,
 * without its queue and Durable Object tables, as bench/out/relay-before/wrangler.json.
 */
export function writeBaseDirectConfig(base) {
  const toml = fs.readFileSync(base.wranglerConfig, "utf8");
  const top = toml.split(/^\[/m)[0];
  const value = (key) => new RegExp(`^${key}\\s*=\\s*(.+)$`, "m").exec(top)?.[1]?.trim();
  const vars = {};
  const varsTable = /^\[vars\]\s*\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? "";
  for (const m of varsTable.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)) vars[m[1]] = m[2];
  const out = path.join(ROOT, "bench/out/relay-before");
  fs.mkdirSync(out, { recursive: true });
  const config = {
    name: JSON.parse(value("name") ?? '"relay-before"'),
    main: path.relative(out, path.join(base.dir, JSON.parse(value("main") ?? '"src/index.ts"'))),
    compatibility_date: JSON.parse(value("compatibility_date")),
    minify: value("minify") === "true",
    vars,
  };
  const file = path.join(out, "wrangler.json");
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** The direct-path config (bench/profile-workerd.mjs uses it too). */
export function writeDirectConfig({
  main = "../../../src/index.ts",
  dir = "relay-direct",
  vars = {},
  overrides = {},
} = {}) {
  return writeConfig({ main, dir, direct: true, vars, overrides });
}

/** Bodies with a fresh Studio `id` each call, for the queued path (its intake ledger dedupes ids). */
function uniqueBodies(templates, tag) {
  let n = 0;
  const run = `${tag}-${Date.now().toString(36)}`;
  return () => {
    const t = templates[n % templates.length];
    n++;
    return JSON.stringify({ ...t, id: `${String(t.id).trim()}-${run}-${n}` });
  };
}

function cpuTotal(procs) {
  const cpu = readCpuSeconds(procs.map((p) => p.pid));
  let all = 0;
  let worker = 0;
  for (const p of procs) {
    all += cpu[p.pid];
    if (p.runsWorker) worker += cpu[p.pid];
  }
  return { all, worker };
}

async function graphStats(graph) {
  return (await fetch(`${graph.url}/__stats`)).json();
}

function throughputRun(url, requests, connections, durationS, nextBody) {
  if (nextBody) {
    const [first] = requests;
    requests = [{ ...first, body: undefined, setupRequest: (req) => ({ ...req, body: nextBody() }) }];
  }
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: durationS, requests }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    instance.on("error", reject);
  });
}

/** Back-to-back requests on one keep-alive connection for `seconds`; latencies in ms. */
async function latencyRun(url, bodies, headers, seconds, nextBody) {
  const dispatcher = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies = [];
  let bad = 0;
  const end = performance.now() + seconds * 1000;
  try {
    for (let i = 0; performance.now() < end; i++) {
      const body = nextBody ? nextBody() : bodies[i % bodies.length];
      const t0b = performance.now();
      const res = await request(`${url}/webhooks/cartful`, { method: "POST", headers, body, dispatcher });
      await res.body.arrayBuffer();
      latencies.push(performance.now() - t0b);
      if (res.statusCode < 200 || res.statusCode > 299) bad++;
    }
  } finally {
    await dispatcher.close();
  }
  return {
    n: latencies.length,
    bad,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
  };
}

/** The targets, in the order they are started and run. */
function targetSpecs(graphUrl, { queued, several, base }) {
  const relayVars = {
    META_GRAPH_URL: graphUrl,
    META_ACCESS_TOKEN: "bench-dummy-token",
    META_PIXEL_ID: "1234567890",
    WEBHOOK_SECRET: SECRET,
    ADMIN_SECRET: ADMIN,
  };
  const specs = {
    relay: { config: () => writeDirectConfig(), vars: relayVars, eventsPerWebhook: 1 },
    ...(several
      ? {
          relay3: {
            config: () =>
              writeDirectConfig({ dir: "relay-3-destinations", vars: { DESTINATIONS: THREE_DESTINATIONS } }),
            vars: relayVars,
            eventsPerWebhook: 3,
          },
        }
      : {}),
    relayNoLog: {
      config: () => writeDirectConfig({ main: "../../relay-nolog/worker.ts", dir: "relay-nolog" }),
      vars: relayVars,
      eventsPerWebhook: 1,
    },
    ...(base && !base.error
      ? { relayBefore: { config: () => writeBaseDirectConfig(base), vars: relayVars, eventsPerWebhook: 1 } }
      : {}),
    ...(queued
      ? {
          relayQueued: {
            config: () => path.join(ROOT, "wrangler.jsonc"),
            vars: relayVars,
            eventsPerWebhook: 1,
            queued: true,
          },
          relayQueuedNoMetrics: {
            config: () => writeConfig({ dir: "relay-queued-nometrics", dropDurableObjects: ["METRICS"] }),
            vars: relayVars,
            eventsPerWebhook: 1,
            queued: true,
          },
        }
      : {}),
    // Same compatibility settings as the relay's wrangler.jsonc, only the script differs.
    bare: {
      config: () => writeDirectConfig({ main: "../../bare/worker.js", dir: "bare" }),
      vars: { META_GRAPH_URL: graphUrl },
      eventsPerWebhook: 0,
    },
  };
  return specs;
}

const LABELS = {
  relay: "relay",
  relay3: "relay-3-destinations",
  relayNoLog: "relay-nolog",
  relayBefore: "relay-before",
  relayQueued: "relay-queued",
  relayQueuedNoMetrics: "relay-queued-nometrics",
  bare: "bare",
  relayCounted: "relay-counted",
};

/** `base`: bench/lib/base.mjs's answer; with it the relay before this round runs too (direct path). */
export async function runE2E({
  rounds = 3,
  durationS = 5,
  latencyS = 3,
  connections = 8,
  warmupS = 2,
  queued = true,
  several = true,
  countMetrics = true,
  deliveryWaitS = 20,
  base,
} = {}) {
  const corpus = loadCorpus().filter((e) => !e.env.FIELD_MAP); // one relay config: canonical shapes
  const templates = corpus.map((e) => freshen(e.payload));
  const bodies = templates.map((t) => JSON.stringify(t));
  const headers = { "content-type": "application/json", authorization: `Bearer ${SECRET}` };
  const requests = bodies.map((body) => ({ method: "POST", path: "/webhooks/cartful", headers, body }));

  const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
  const specs = targetSpecs(graph.url, { queued, several, base });
  const bodyFor = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, s.queued ? uniqueBodies(templates, name) : undefined]),
  );
  /** Wait until the fake Graph has `want` more events than at `since` (the queue consumer delivers in batches). */
  async function delivered(since, want) {
    const start = Date.now();
    for (;;) {
      const g = await graphStats(graph);
      const got = g.events - since.events;
      if (got >= want || Date.now() - start > deliveryWaitS * 1000) return { got, waitedMs: Date.now() - start };
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const start = async (name, spec) => {
    const label = LABELS[name];
    const state = path.join(ROOT, "bench/out/state", label);
    fs.rmSync(state, { recursive: true, force: true }); // a fresh intake ledger and metrics store each run
    return startWranglerDev({ config: spec.config(), label, persistTo: state, vars: spec.vars, timeoutMs: 120_000 });
  };

  const targets = {};
  try {
    // Started together (each takes seconds to bundle and boot), measured one at a time.
    const started = await Promise.allSettled(
      Object.entries(specs).map(async ([name, spec]) => [name, await start(name, spec)]),
    );
    for (const s of started) if (s.status === "fulfilled") targets[s.value[0]] = s.value[1];
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;

    // Does each really post? One request each, checked at the fake Graph.
    const checks = {};
    for (const [name, t] of Object.entries(targets)) {
      const before = await graphStats(graph);
      const res = await fetch(`${t.url}/webhooks/cartful`, {
        method: "POST",
        headers,
        body: bodyFor[name]?.() ?? bodies[0],
      });
      const answer = await res.json().catch(() => null);
      const wait = specs[name].queued ? await delivered(before, 1) : null;
      const after = await graphStats(graph);
      const paths = Object.keys(after.byPath).filter((p) => after.byPath[p] !== (before.byPath[p] ?? 0));
      checks[name] = {
        status: res.status,
        answer: answer?.status,
        posted: after.posts - before.posts,
        events: after.events - before.events,
        withToken: after.withToken - before.withToken,
        paths,
        ...(wait ? { deliveredAfterMs: wait.waitedMs } : {}),
      };
      const want = specs[name].eventsPerWebhook;
      const okStatus = specs[name].queued ? res.status === 202 : res.status === 200;
      if (
        name !== "bare" &&
        (!okStatus || checks[name].events !== want || checks[name].posted !== want || checks[name].withToken !== want)
      ) {
        throw new Error(
          `${name} did not deliver ${want} event(s) to the fake Graph: ${JSON.stringify(checks[name])}; see ${t.logFile}`,
        );
      }
    }

    for (const [name, t] of Object.entries(targets)) {
      const g = await graphStats(graph);
      const res = await throughputRun(t.url, requests, connections, warmupS, bodyFor[name]);
      await latencyRun(t.url, bodies, headers, Math.min(1, warmupS), bodyFor[name]);
      if (specs[name].queued) await delivered(g, res.requests.total);
    }

    const perRound = [];
    for (let r = 0; r < rounds; r++) {
      const names = Object.keys(targets);
      const order = r % 2 ? [...names].reverse() : names;
      const round = {};
      for (const name of order) {
        const t = targets[name];
        const procs = t.workerdProcesses();
        const g0 = await graphStats(graph);
        const c0 = cpuTotal(procs);
        const res = await throughputRun(t.url, requests, connections, durationS, bodyFor[name]);
        // The queued path delivers after answering: count its CPU until the fake Graph has every event.
        const wait = specs[name].queued ? await delivered(g0, res.requests.total) : null;
        if (wait) await new Promise((r) => setTimeout(r, SETTLE_MS)); // the consumer's metrics write follows its posts
        const c1 = cpuTotal(procs);
        const g1 = await graphStats(graph);
        const served = res.requests.total;
        round[name] = {
          rps: served / durationS,
          requests: served,
          non2xx: res.non2xx,
          errors: res.errors + res.timeouts,
          graphPosts: g1.posts - g0.posts,
          graphEvents: g1.events - g0.events,
          cpuMsPerRequest: ((c1.all - c0.all) * 1000) / served,
          cpuMsPerRequestWorkerProcess: ((c1.worker - c0.worker) * 1000) / served,
          loadedP50: res.latency.p50,
          loadedP99: res.latency.p99,
          workerdProcesses: procs.length,
          ...(wait ? { delivered: wait.got, deliveryWaitMs: wait.waitedMs } : {}),
        };
      }
      for (const name of order) {
        const g = await graphStats(graph);
        round[name].latency = await latencyRun(targets[name].url, bodies, headers, latencyS, bodyFor[name]);
        if (specs[name].queued) await delivered(g, round[name].latency.n); // let the consumer drain before the next run
      }
      perRound.push(round);
    }

    // Metrics writes during a burst: the queued relay with a store that counts `record` calls.
    let metricsCalls = null;
    if (queued && countMetrics) {
      for (const t of Object.values(targets)) await t.stop(); // nothing else runs meanwhile
      metricsCalls = await countMetricsWrites({
        graph,
        headers,
        templates,
        requests,
        connections,
        durationS,
        delivered,
      });
    }

    const pick = (fn) => summary(perRound.map(fn));
    const side = (k) => ({
      rps: pick((r) => r[k].rps),
      p50: pick((r) => r[k].latency.p50),
      p99: pick((r) => r[k].latency.p99),
      cpuMs: pick((r) => r[k].cpuMsPerRequest),
      cpuMsWorkerProcess: pick((r) => r[k].cpuMsPerRequestWorkerProcess),
    });
    /** `k` against `base`, round by round: throughput ratio, added latency and CPU. */
    const versus = (k, base) => ({
      rps: pick((r) => r[k].rps / r[base].rps),
      addedP50: pick((r) => r[k].latency.p50 - r[base].latency.p50),
      addedP99: pick((r) => r[k].latency.p99 - r[base].latency.p99),
      addedCpuMs: pick((r) => r[k].cpuMsPerRequest - r[base].cpuMsPerRequest),
      addedCpuMsWorkerProcess: pick((r) => r[k].cpuMsPerRequestWorkerProcess - r[base].cpuMsPerRequestWorkerProcess),
    });
    const names = Object.keys(targets);
    return {
      settings: { rounds, durationS, latencyS, connections, bodies: corpus.map((e) => e.name) },
      checks,
      perRound,
      sides: Object.fromEntries(names.map((k) => [k, side(k)])),
      vsBare: Object.fromEntries(names.filter((k) => k !== "bare").map((k) => [k, versus(k, "bare")])),
      pairs: {
        ...(targets.relay3 ? { "relay3 vs relay": versus("relay3", "relay") } : {}),
        ...(targets.relayQueuedNoMetrics
          ? { "relayQueued vs relayQueuedNoMetrics": versus("relayQueued", "relayQueuedNoMetrics") }
          : {}),
        "relayNoLog vs relay": versus("relayNoLog", "relay"),
        ...(targets.relayBefore ? { "relay vs relayBefore": versus("relay", "relayBefore") } : {}),
      },
      queuedDelivered: Object.fromEntries(
        names
          .filter((k) => specs[k].queued)
          .map((k) => [
            k,
            perRound.map((r) => ({ requests: r[k].requests, delivered: r[k].delivered, waitMs: r[k].deliveryWaitMs })),
          ]),
      ),
      graphPostsPerWebhook: Object.fromEntries(
        names.filter((k) => !specs[k].queued).map((k) => [k, pick((r) => r[k].graphPosts / r[k].requests)]),
      ),
      metricsCalls,
      bad: perRound.reduce(
        (n, r) => n + Object.values(r).reduce((m, x) => m + x.non2xx + x.errors + x.latency.bad, 0),
        0,
      ),
    };
  } finally {
    for (const t of Object.values(targets)) await t.stop();
    graph.stop();
  }
}

/**
 * The metrics burst alone (no other target): its own fake Graph, then `countMetricsWrites`.
 *
 * @example
 * node bench/e2e.mjs '{"metricsOnly":true,"durationS":3,"connections":8}'
 */
export async function runMetricsBurst({ durationS = 3, connections = 8, deliveryWaitS = 20 } = {}) {
  const templates = loadCorpus()
    .filter((e) => !e.env.FIELD_MAP)
    .map((e) => freshen(e.payload));
  const headers = { "content-type": "application/json", authorization: `Bearer ${SECRET}` };
  const requests = templates.map((t) => ({
    method: "POST",
    path: "/webhooks/cartful",
    headers,
    body: JSON.stringify(t),
  }));
  const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
  const delivered = async (since, want) => {
    const start = Date.now();
    for (;;) {
      const got = (await graphStats(graph)).events - since.events;
      if (got >= want || Date.now() - start > deliveryWaitS * 1000) return { got, waitedMs: Date.now() - start };
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    return await countMetricsWrites({ graph, headers, templates, requests, connections, durationS, delivered });
  } finally {
    graph.stop();
  }
}

/**
 * A burst of webhooks against the queued relay whose metrics store counts `record` calls
 * (bench/relay-counted/), then, once every event reached the fake Graph and the last buffered
 * counts were written, the calls it got, and `/admin/metrics` read before and after.
 */
async function countMetricsWrites({ graph, templates, requests, connections, durationS, delivered }) {
  const label = LABELS.relayCounted;
  const state = path.join(ROOT, "bench/out/state", label);
  fs.rmSync(state, { recursive: true, force: true });
  const dev = await startWranglerDev({
    config: writeConfig({ main: "../../relay-counted/worker.ts", dir: label }),
    label,
    persistTo: state,
    vars: {
      META_GRAPH_URL: graph.url,
      META_ACCESS_TOKEN: "bench-dummy-token",
      META_PIXEL_ID: "1234567890",
      WEBHOOK_SECRET: SECRET,
      ADMIN_SECRET: ADMIN,
    },
    timeoutMs: 120_000,
  });
  try {
    const admin = async () =>
      (await fetch(`${dev.url}/admin/metrics?window=1h`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    const calls = async () => (await fetch(`${dev.url}/__bench/metrics-calls`)).json();
    const adminBefore = await admin();
    const callsBefore = await calls();
    const g0 = await graphStats(graph);
    const started = Date.now();
    const res = await throughputRun(dev.url, requests, connections, durationS, uniqueBodies(templates, "counted"));
    const burstMs = Date.now() - started;
    const wait = await delivered(g0, res.requests.total);
    await new Promise((r) => setTimeout(r, 1500)); // the route's buffer is written about a second after its first webhook
    const callsAfter = await calls();
    const adminAfter = await admin();
    const diff = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - (b[k] ?? 0)]));
    return {
      webhooks: res.requests.total,
      answered2xx: res.requests.total - res.non2xx,
      burstMs,
      delivered: wait.got,
      calls: diff(callsAfter, callsBefore),
      adminReceived: (adminAfter.webhooks?.received ?? NaN) - (adminBefore.webhooks?.received ?? 0),
      adminSent: (adminAfter.destinations?.default?.sent ?? NaN) - (adminBefore.destinations?.default?.sent ?? 0),
      adminAnswer: adminAfter,
    };
  } finally {
    await dev.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? "{}");
  const result = options.metricsOnly ? await runMetricsBurst(options) : await runE2E(options);
  console.log(JSON.stringify(result, null, 1));
}
