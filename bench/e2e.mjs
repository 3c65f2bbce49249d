/**
 * End-to-end: the relay under `wrangler dev` (local workerd) against a bare forwarding Worker,
 * both posting to the same fake Graph on loopback, same load generator, same run.
 *
 * - throughput: autocannon, `connections` concurrent keep-alive connections, `durationS` each
 * - latency: one connection, requests back to back, every latency kept with µs precision
 *   (autocannon's own histogram rounds to whole ms, too coarse for "added latency")
 * - CPU: utime+stime of the workerd processes under each wrangler, from /proc, before/after
 *   the throughput run, divided by the requests served
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
import { loadCorpus } from "./lib/corpus.mjs";
import { readCpuSeconds, startNodeServer, startWranglerDev } from "./lib/wrangler.mjs";
import { quantile, summary } from "./lib/stats.mjs";

const SECRET = "bench-secret";

/** The fixture with `occurred_at` moved to now, in the same form, so Meta's 7-day window holds. */
export function freshen(payload, nowMs = Date.now()) {
  const copy = structuredClone(payload);
  const t = copy.occurred_at;
  if (typeof t === "number") copy.occurred_at = t < 1e12 ? Math.floor(nowMs / 1000) : nowMs;
  else if (typeof t === "string" && /^\d+$/.test(t.trim())) copy.occurred_at = String(t.length <= 10 ? Math.floor(nowMs / 1000) : nowMs);
  else if (typeof t === "string") copy.occurred_at = new Date(nowMs).toISOString();
  return copy;
}

/**
 * wrangler.jsonc without its queue and Durable Object sections: the relay's direct path
 * (transform, then POST to Graph in the request), the one comparable with the bare Worker.
 * With CAPI_QUEUE bound the relay answers 202 after a Durable Object and a queue send instead.
 */
export function writeDirectConfig({ main = "../../../src/index.ts", dir = "relay-direct" } = {}) {
  const config = parseJsonc(fs.readFileSync(path.join(ROOT, "wrangler.jsonc"), "utf8"));
  for (const key of ["queues", "durable_objects", "migrations", "triggers", "$schema"]) delete config[key];
  config.main = main;
  const out = path.join(ROOT, "bench/out", dir);
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, "wrangler.json");
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** Bodies with a fresh Studio `id` each call, for the queued path (its intake ledger dedupes ids). */
function uniqueBodies(templates) {
  let n = 0;
  const run = Date.now().toString(36);
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
    const instance = autocannon({ url, connections, duration: durationS, requests }, (err, res) => (err ? reject(err) : resolve(res)));
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
  return { n: latencies.length, bad, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), mean: latencies.reduce((a, b) => a + b, 0) / latencies.length };
}

export async function runE2E({ rounds = 3, durationS = 5, latencyS = 3, connections = 8, warmupS = 2, queued = true, deliveryWaitS = 20 } = {}) {
  const corpus = loadCorpus().filter((e) => !e.env.FIELD_MAP); // one relay config: canonical shapes
  const bodies = corpus.map((e) => JSON.stringify(freshen(e.payload)));
  const headers = { "content-type": "application/json", authorization: `Bearer ${SECRET}` };
  const requests = bodies.map((body) => ({ method: "POST", path: "/webhooks/cartful", headers, body }));
  const nextUnique = uniqueBodies(corpus.map((e) => freshen(e.payload)));
  const bodyFor = (name) => (name === "relayQueued" ? nextUnique : undefined);
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

  const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
  const targets = {};
  try {
    targets.relay = await startWranglerDev({
      config: writeDirectConfig(),
      label: "relay",
      persistTo: path.join(ROOT, "bench/out/wrangler-state"),
      vars: { META_GRAPH_URL: graph.url, META_ACCESS_TOKEN: "bench-dummy-token", META_PIXEL_ID: "1234567890", WEBHOOK_SECRET: SECRET },
    });
    targets.relayNoLog = await startWranglerDev({
      config: writeDirectConfig({ main: "../../relay-nolog/worker.ts", dir: "relay-nolog" }),
      label: "relay-nolog",
      persistTo: path.join(ROOT, "bench/out/wrangler-state-nolog"),
      vars: { META_GRAPH_URL: graph.url, META_ACCESS_TOKEN: "bench-dummy-token", META_PIXEL_ID: "1234567890", WEBHOOK_SECRET: SECRET },
    });
    if (queued) {
      const state = path.join(ROOT, "bench/out/wrangler-state-queued");
      fs.rmSync(state, { recursive: true, force: true }); // a fresh intake ledger each run
      targets.relayQueued = await startWranglerDev({
        config: path.join(ROOT, "wrangler.jsonc"),
        label: "relay-queued",
        persistTo: state,
        vars: { META_GRAPH_URL: graph.url, META_ACCESS_TOKEN: "bench-dummy-token", META_PIXEL_ID: "1234567890", WEBHOOK_SECRET: SECRET },
      });
    }
    targets.bare = await startWranglerDev({
      // Same compatibility settings as the relay's wrangler.jsonc, only the script differs.
      config: writeDirectConfig({ main: "../../bare/worker.js", dir: "bare" }),
      label: "bare",
      persistTo: path.join(ROOT, "bench/out/wrangler-state-bare"),
      vars: { META_GRAPH_URL: graph.url },
    });

    // Does the relay really post? One request each, checked at the fake Graph.
    const checks = {};
    for (const [name, t] of Object.entries(targets)) {
      const before = await graphStats(graph);
      const res = await fetch(`${t.url}/webhooks/cartful`, { method: "POST", headers, body: bodyFor(name)?.() ?? bodies[0] });
      const answer = await res.json().catch(() => null);
      const wait = name === "relayQueued" ? await delivered(before, 1) : null;
      const after = await graphStats(graph);
      checks[name] = { status: res.status, answer: answer?.status, posted: after.posts - before.posts, events: after.events - before.events, withToken: after.withToken - before.withToken, ...(wait ? { deliveredAfterMs: wait.waitedMs } : {}) };
    }
    if (checks.relayQueued && (checks.relayQueued.status !== 202 || checks.relayQueued.events !== 1)) {
      throw new Error(`queued relay did not deliver to the fake Graph: ${JSON.stringify(checks.relayQueued)}; see ${targets.relayQueued.logFile}`);
    }
    for (const name of ["relay", "relayNoLog"]) {
      if (checks[name].status !== 200 || checks[name].events !== 1) {
        throw new Error(`${name} did not send to the fake Graph: ${JSON.stringify(checks[name])}; see ${targets[name].logFile}`);
      }
    }

    for (const [name, t] of Object.entries(targets)) {
      const g = await graphStats(graph);
      const res = await throughputRun(t.url, requests, connections, warmupS, bodyFor(name));
      await latencyRun(t.url, bodies, headers, Math.min(1, warmupS), bodyFor(name));
      if (name === "relayQueued") await delivered(g, res.requests.total);
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
        const res = await throughputRun(t.url, requests, connections, durationS, bodyFor(name));
        // The queued path delivers after answering: count its CPU until the fake Graph has every event.
        const wait = name === "relayQueued" ? await delivered(g0, res.requests.total) : null;
        const c1 = cpuTotal(procs);
        const g1 = await graphStats(graph);
        const served = res.requests.total;
        round[name] = {
          rps: served / durationS,
          requests: served,
          non2xx: res.non2xx,
          errors: res.errors + res.timeouts,
          graphPosts: g1.posts - g0.posts,
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
        round[name].latency = await latencyRun(targets[name].url, bodies, headers, latencyS, bodyFor(name));
        if (name === "relayQueued") await delivered(g, round[name].latency.n); // let the consumer drain before the next run
      }
      perRound.push(round);
    }

    const pick = (fn) => summary(perRound.map(fn));
    const side = (k) => ({
      rps: pick((r) => r[k].rps),
      p50: pick((r) => r[k].latency.p50),
      p99: pick((r) => r[k].latency.p99),
      cpuMs: pick((r) => r[k].cpuMsPerRequest),
      cpuMsWorkerProcess: pick((r) => r[k].cpuMsPerRequestWorkerProcess),
    });
    const vsBare = (k) => ({
      rps: pick((r) => r[k].rps / r.bare.rps),
      addedP50: pick((r) => r[k].latency.p50 - r.bare.latency.p50),
      addedP99: pick((r) => r[k].latency.p99 - r.bare.latency.p99),
      addedCpuMs: pick((r) => r[k].cpuMsPerRequest - r.bare.cpuMsPerRequest),
      addedCpuMsWorkerProcess: pick((r) => r[k].cpuMsPerRequestWorkerProcess - r.bare.cpuMsPerRequestWorkerProcess),
    });
    return {
      ...(targets.relayQueued ? { relayQueued: side("relayQueued"), queuedRatios: vsBare("relayQueued"), queuedDelivered: perRound.map((r) => ({ requests: r.relayQueued.requests, delivered: r.relayQueued.delivered, waitMs: r.relayQueued.deliveryWaitMs })) } : {}),
      relayNoLog: side("relayNoLog"),
      noLogRatios: {
        rps: pick((r) => r.relayNoLog.rps / r.bare.rps),
        addedP50: pick((r) => r.relayNoLog.latency.p50 - r.bare.latency.p50),
        addedP99: pick((r) => r.relayNoLog.latency.p99 - r.bare.latency.p99),
        addedCpuMs: pick((r) => r.relayNoLog.cpuMsPerRequest - r.bare.cpuMsPerRequest),
        addedCpuMsWorkerProcess: pick((r) => r.relayNoLog.cpuMsPerRequestWorkerProcess - r.bare.cpuMsPerRequestWorkerProcess),
      },
      settings: { rounds, durationS, latencyS, connections, bodies: corpus.map((e) => e.name) },
      checks,
      perRound,
      relay: {
        rps: pick((r) => r.relay.rps),
        p50: pick((r) => r.relay.latency.p50),
        p99: pick((r) => r.relay.latency.p99),
        cpuMs: pick((r) => r.relay.cpuMsPerRequest),
        cpuMsWorkerProcess: pick((r) => r.relay.cpuMsPerRequestWorkerProcess),
      },
      bare: {
        rps: pick((r) => r.bare.rps),
        p50: pick((r) => r.bare.latency.p50),
        p99: pick((r) => r.bare.latency.p99),
        cpuMs: pick((r) => r.bare.cpuMsPerRequest),
        cpuMsWorkerProcess: pick((r) => r.bare.cpuMsPerRequestWorkerProcess),
      },
      ratios: {
        rps: pick((r) => r.relay.rps / r.bare.rps),
        addedP50: pick((r) => r.relay.latency.p50 - r.bare.latency.p50),
        addedP99: pick((r) => r.relay.latency.p99 - r.bare.latency.p99),
        addedCpuMs: pick((r) => r.relay.cpuMsPerRequest - r.bare.cpuMsPerRequest),
        addedCpuMsWorkerProcess: pick((r) => r.relay.cpuMsPerRequestWorkerProcess - r.bare.cpuMsPerRequestWorkerProcess),
      },
      bad: perRound.reduce((n, r) => n + Object.values(r).reduce((m, x) => m + x.non2xx + x.errors + x.latency.bad, 0), 0),
    };
  } finally {
    for (const t of Object.values(targets)) await t.stop();
    graph.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runE2E(JSON.parse(process.argv[2] ?? "{}"));
  console.log(JSON.stringify(result, null, 1));
}
