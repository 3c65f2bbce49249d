/**
 * End-to-end: the relay under `wrangler dev` (local workerd) against a bare forwarding Worker,
 * all posting to the same fake Graph on loopback, same load generator, same run. Targets:
 *
 *   bare          bench/bare/: forwards the body to the fake Graph, no auth, no parsing (the baseline)
 *   relay         wrangler.jsonc as deployed (queue, intake ledger, consumer, METRICS), webhooks
 *   relayBrowser  the same Worker, browser events: `/collect/cartful`, 5 events a body, `text/plain`,
 *                 from an origin listed in BROWSER_ORIGINS (skipped, with a line saying so, when
 *                 the route answers 404: a source without it)
 *   relayBrowserUnlimited  relayBrowser without its rate limiting binding: what miniflare's stand-in
 *                 for it costs under `wrangler dev` (for reading; the route as deployed asks it)
 *   relayQuiet, relayQuietBrowser  the same two with console.log silenced (bench/relay-nolog/): what
 *                 the relay's log lines cost under `wrangler dev`, where each crosses to wrangler's Node
 *   relayBefore   the relay before this round (bench/lib/base.mjs) as it deployed, webhooks
 *   relayDirect   this source without the queue and Durable Objects (delivered in the request)
 *
 * - throughput: autocannon, `connections` concurrent keep-alive connections, `durationS` each
 *   run; each target's run is paired with a bare run right beside it, and its ratio taken against that one
 * - latency: one connection, requests back to back, every latency kept with µs precision
 *   (autocannon's own histogram rounds to whole ms, too coarse for "added latency")
 * - CPU: utime+stime of the workerd processes under each wrangler, from /proc, before/after
 *   the throughput run (for the queued targets: after the fake Graph got every event), divided
 *   by the requests served (the whole-process proxy; bench/profile-workerd.mjs attributes
 *   samples to the relay's own code)
 * - billable operations: after the rounds, a burst of webhooks and one of browser events against
 *   bench/relay-counted/ (Durable Object requests, rows written, queue messages, metrics writes)
 *
 * Every wrangler dev gets its own state (`--persist-to`) and dev registry (bench/lib/wrangler.mjs),
 * so two queued relays do not share `cartful-capi-events`. The rate limiting binding of the
 * browser route is raised in the bench's configs (one loopback client sends everything).
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
 * `dropRateLimits`: rate limiting bindings left out (by name).
 * `overrides`: top-level keys replaced (e.g. `{ minify: false }` for a profile mapped to src/).
 */
export function writeConfig({
  main = "../../../src/index.ts",
  dir,
  from = path.join(ROOT, "wrangler.jsonc"),
  direct = false,
  dropDurableObjects = [],
  dropRateLimits = [],
  vars = {},
  overrides = {},
}) {
  const config = parseJsonc(fs.readFileSync(from, "utf8"));
  delete config.$schema;
  // One loopback client sends every request: lift the browser route's per-IP rate limit.
  for (const limit of config.ratelimits ?? config.unsafe?.bindings?.filter((b) => b.type === "ratelimit") ?? [])
    if (limit.simple) limit.simple.limit = 1_000_000_000;
  if (config.ratelimits) config.ratelimits = config.ratelimits.filter((b) => !dropRateLimits.includes(b.name));
  if (direct) for (const key of ["queues", "durable_objects", "migrations", "triggers"]) delete config[key];
  if (config.durable_objects)
    config.durable_objects.bindings = config.durable_objects.bindings.filter(
      (b) => !dropDurableObjects.includes(b.name),
    );
  // Paths in the config are relative to it: the generated copy lives elsewhere.
  if (config.assets?.directory) config.assets.directory = path.resolve(path.dirname(from), config.assets.directory);
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

/** The shop's origin the bench's browser events come from (BROWSER_ORIGINS lists it). */
export const SHOP_ORIGIN = "https://shop.bench.example";
export const BROWSER_HEADERS = {
  "content-type": "text/plain;charset=UTF-8",
  origin: SHOP_ORIGIN,
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
};
/** Studio types whose default browser mapping sends them (docs/api.md "Inbound: browser events"). */
const BROWSER_TYPES = ["product:view", "product:addToCart", "recommendations:loaded", "product:view", "quiz:complete"];
export const BROWSER_EVENTS_PER_BODY = BROWSER_TYPES.length;

/**
 * A `/collect/cartful` body as the snippet sends it: 5 events of one quiz session, hashed user
 * data only, each with its own `event_id`; a fresh session each call.
 */
export function browserBodies(tag = "bench") {
  let n = 0;
  const run = `${tag}${Date.now().toString(36)}`;
  const hex = (seed) => seed.repeat(64).slice(0, 64);
  return () => {
    n++;
    const session = `ses_${run}${n}`;
    const occurred = new Date().toISOString();
    const events = BROWSER_TYPES.map((type, i) => {
      const product = `81234567${i}${n % 10}`;
      return {
        type,
        id: `evt_${run}_${n}_${i}`,
        occurred_at: occurred,
        event_id: `cartful.${session}.1.${type}.${type.startsWith("product") ? product : i}`,
        quiz: { id: "quiz_bench" },
        session: { id: session, attempt: 1 },
        ...(type.startsWith("product")
          ? { product: { product_id: product, variant_id: `4${product}`, sku: `SKU-${i}`, price: 24, quantity: 1 } }
          : {}),
        recommendations: [],
        store: { currency: "USD", domain: "shop.bench.example" },
        user_data: { external_id: hex("a1b2c3d4"), em: hex("0f1e2d3c") },
      };
    });
    return JSON.stringify({
      events,
      page_url: `${SHOP_ORIGIN}/pages/skin-quiz?fbclid=IwAR0bench${n}`,
      referrer: "https://www.facebook.com/",
      fbp: `fb.1.${Date.now()}.1234567890`,
      consent: { ad_user_data: "granted", ad_storage: "granted" },
    });
  };
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
async function latencyRun(url, bodies, headers, seconds, nextBody, route = "/webhooks/cartful") {
  const dispatcher = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies = [];
  let bad = 0;
  const end = performance.now() + seconds * 1000;
  try {
    for (let i = 0; performance.now() < end; i++) {
      const body = nextBody ? nextBody() : bodies[i % bodies.length];
      const t0b = performance.now();
      const res = await request(`${url}${route}`, { method: "POST", headers, body, dispatcher });
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
function targetSpecs(graphUrl, { base, direct = true, browser = true }) {
  const relayVars = {
    META_GRAPH_URL: graphUrl,
    META_ACCESS_TOKEN: "bench-dummy-token",
    META_PIXEL_ID: "1234567890",
    WEBHOOK_SECRET: SECRET,
    ADMIN_SECRET: ADMIN,
    BROWSER_ORIGINS: SHOP_ORIGIN,
  };
  const deployed = (dir) => () => writeConfig({ dir });
  // The same Worker with console.log silenced (bench/relay-nolog/): what its log lines cost under wrangler dev.
  const quiet = (dir) => () => writeConfig({ dir, main: "../../relay-nolog/worker.ts" });
  const specs = {
    relay: { config: deployed("relay-queued"), vars: relayVars, eventsPerRequest: 1, queued: true },
    relayQuiet: { config: quiet("relay-quiet"), vars: relayVars, eventsPerRequest: 1, queued: true },
    ...(browser
      ? {
          relayBrowser: {
            config: deployed("relay-browser"),
            vars: relayVars,
            eventsPerRequest: BROWSER_EVENTS_PER_BODY,
            queued: true,
            browser: true,
          },
          relayQuietBrowser: {
            config: quiet("relay-quiet-browser"),
            vars: relayVars,
            eventsPerRequest: BROWSER_EVENTS_PER_BODY,
            queued: true,
            browser: true,
          },
          // Without its rate limiting binding: what miniflare's stand-in for it costs (per call a
          // Durable Object fetch and a SQLite write of the client's count,
          // node_modules/miniflare/dist/src/workers/ratelimit/); on Cloudflare the binding counts
          // per location in its rate limiting infrastructure, not in an object.
          relayBrowserUnlimited: {
            config: () => writeConfig({ dir: "relay-browser-unlimited", dropRateLimits: ["COLLECT_RATE_LIMIT"] }),
            vars: relayVars,
            eventsPerRequest: BROWSER_EVENTS_PER_BODY,
            queued: true,
            browser: true,
          },
        }
      : {}),
    ...(base && !base.error
      ? {
          relayBefore: {
            config: () => writeBaseConfig(base),
            vars: relayVars,
            eventsPerRequest: 1,
            queued: true,
          },
        }
      : {}),
    ...(direct ? { relayDirect: { config: () => writeDirectConfig(), vars: relayVars, eventsPerRequest: 1 } } : {}),
    // Same compatibility settings as the relay's wrangler.jsonc, only the script differs.
    bare: {
      config: () => writeDirectConfig({ main: "../../bare/worker.js", dir: "bare" }),
      vars: { META_GRAPH_URL: graphUrl },
      eventsPerRequest: 0,
    },
  };
  return specs;
}

/** The base's Worker as it deployed (its wrangler.jsonc), as bench/out/relay-before/wrangler.json. */
export function writeBaseConfig(base) {
  if (base.wranglerConfig.endsWith(".toml")) return writeBaseDirectConfig(base);
  const out = path.join(ROOT, "bench/out/relay-before");
  return writeConfig({
    from: base.wranglerConfig,
    dir: "relay-before",
    main: path.relative(out, path.join(base.dir, "src/index.ts")),
  });
}

const LABELS = {
  relay: "relay-queued",
  relayBrowser: "relay-browser",
  relayQuiet: "relay-quiet",
  relayQuietBrowser: "relay-quiet-browser",
  relayBrowserUnlimited: "relay-browser-unlimited",
  relayBefore: "relay-before",
  relayDirect: "relay-direct",
  bare: "bare",
  relayCounted: "relay-counted",
};

/** `base`: bench/lib/base.mjs's answer; with it the relay before this round runs too (as deployed). */
export async function runE2E({
  rounds = 3,
  durationS = 5,
  latencyS = 3,
  connections = 8,
  warmupS = 2,
  direct = true,
  browser = true,
  countOperations = true,
  deliveryWaitS = 20,
  shardClaims = 1000,
  base,
} = {}) {
  const corpus = loadCorpus().filter((e) => !e.env.FIELD_MAP); // one relay config: canonical shapes
  const templates = corpus.map((e) => freshen(e.payload));
  const bodies = templates.map((t) => JSON.stringify(t));
  const headers = { "content-type": "application/json", authorization: `Bearer ${SECRET}` };
  const requests = bodies.map((body) => ({ method: "POST", path: "/webhooks/cartful", headers, body }));
  const browserFirst = browserBodies("probe")();
  const browserRequests = [{ method: "POST", path: "/collect/cartful", headers: BROWSER_HEADERS, body: browserFirst }];

  const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
  const specs = targetSpecs(graph.url, { base, direct, browser });
  const load = (name) =>
    specs[name].browser
      ? { requests: browserRequests, headers: BROWSER_HEADERS, route: "/collect/cartful", bodies: [browserFirst] }
      : { requests, headers, route: "/webhooks/cartful", bodies };
  const bodyFor = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [
      name,
      s.browser ? browserBodies(name) : s.queued ? uniqueBodies(templates, name) : undefined,
    ]),
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
  const skipped = {};
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
      const { headers: h, route } = load(name);
      const post = () =>
        fetch(`${t.url}${route}`, { method: "POST", headers: h, body: bodyFor[name]?.() ?? bodies[0] });
      let res = await post();
      // A browser route that is there can answer 404 while wrangler dev still settles its assets
      // (seen once in a full run): asked again before the source is said to have none.
      for (let tries = 0; specs[name].browser && res.status === 404 && tries < 3; tries++) {
        await res.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        res = await post();
      }
      const answer = await res.json().catch(() => null);
      if (specs[name].browser && res.status === 404) {
        skipped[name] = "/collect/cartful answered 404: this source has no browser route yet";
        console.error(`[bench] browser path skipped: ${skipped[name]}`);
        await t.stop();
        delete targets[name];
        continue;
      }
      const want = specs[name].eventsPerRequest;
      const wait = specs[name].queued ? await delivered(before, want) : null;
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
      const okStatus = specs[name].queued ? res.status === 202 : res.status === 200;
      if (name !== "bare" && (!okStatus || checks[name].events !== want || checks[name].withToken < 1)) {
        throw new Error(
          `${name} did not deliver ${want} event(s) to the fake Graph: ${JSON.stringify(checks[name])} ${JSON.stringify(answer)}; see ${t.logFile}`,
        );
      }
    }

    for (const [name, t] of Object.entries(targets)) {
      const g = await graphStats(graph);
      const l = load(name);
      const res = await throughputRun(t.url, l.requests, connections, warmupS, bodyFor[name]);
      await latencyRun(t.url, l.bodies, l.headers, Math.min(1, warmupS), bodyFor[name], l.route);
      if (specs[name].queued) await delivered(g, res.requests.total * specs[name].eventsPerRequest);
    }

    const perRound = [];
    /** Per round, the bare Worker's run beside each target (its pair): the ratio of a target is taken against it. */
    const pairedBare = [];
    /** One throughput run of `name`, its CPU read after the queued paths delivered every event. */
    const measure = async (name) => {
      const t = targets[name];
      const l = load(name);
      const procs = t.workerdProcesses();
      const g0 = await graphStats(graph);
      const c0 = cpuTotal(procs);
      const res = await throughputRun(t.url, l.requests, connections, durationS, bodyFor[name]);
      const served = res.requests.total;
      const events = served * specs[name].eventsPerRequest;
      // The queued path delivers after answering: count its CPU until the fake Graph has every event.
      const wait = specs[name].queued ? await delivered(g0, events) : null;
      if (wait) await new Promise((r) => setTimeout(r, SETTLE_MS)); // the consumer's metrics write follows its posts
      const c1 = cpuTotal(procs);
      const g1 = await graphStats(graph);
      return {
        rps: served / durationS,
        requests: served,
        events,
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
    };
    for (let r = 0; r < rounds; r++) {
      const names = Object.keys(targets).filter((name) => name !== "bare");
      const order = r % 2 ? [...names].reverse() : names;
      const round = {};
      const pairs = {};
      // Each target beside its own bare run (target then bare, the next round bare then target):
      // the VM's load drifts over seconds, so a ratio of two runs far apart in a round is mostly drift.
      for (const name of order) {
        const pair = r % 2 ? ["bare", name] : [name, "bare"];
        for (const n of pair) {
          if (n === "bare") pairs[name] = await measure("bare");
          else round[name] = await measure(name);
        }
      }
      round.bare = pairs[order.at(-1)] ?? (await measure("bare"));
      pairedBare.push(pairs);
      for (const name of [...order, "bare"]) {
        const g = await graphStats(graph);
        const l = load(name);
        round[name].latency = await latencyRun(
          targets[name].url,
          l.bodies,
          l.headers,
          latencyS,
          bodyFor[name],
          l.route,
        );
        if (specs[name].queued) await delivered(g, round[name].latency.n * specs[name].eventsPerRequest); // drain before the next run
      }
      perRound.push(round);
    }

    // Billable operations during a burst: the queued relay with its bindings counted.
    let operations = null;
    if (countOperations) {
      for (const t of Object.values(targets)) await t.stop(); // nothing else runs meanwhile
      operations = await countOperationsBurst({
        graph,
        templates,
        requests,
        connections,
        durationS,
        delivered,
        browser,
        shardClaims,
      });
    }

    const pick = (fn) => summary(perRound.map(fn));
    /** The bare Worker's throughput runs: every pair's, each round's. */
    const bareRuns = pairedBare.flatMap((pairs) => Object.values(pairs));
    const pickRuns = (k, fn) => (k === "bare" ? summary(bareRuns.map(fn)) : pick((r) => fn(r[k])));
    const side = (k) => ({
      rps: pickRuns(k, (x) => x.rps),
      p50: pick((r) => r[k].latency.p50),
      p99: pick((r) => r[k].latency.p99),
      cpuMs: pickRuns(k, (x) => x.cpuMsPerRequest),
      cpuMsWorkerProcess: pickRuns(k, (x) => x.cpuMsPerRequestWorkerProcess),
    });
    /**
     * `k` against `base`, round by round: throughput ratio and CPU against the run beside it (the
     * bare Worker's pair of `k`), added latency against the round's latency run.
     */
    const versus = (k, base) => {
      const beside = (r, i) => (base === "bare" ? pairedBare[i][k] : r[base]);
      const pickPair = (fn) => summary(perRound.map((r, i) => fn(r[k], beside(r, i))));
      return {
        rps: pickPair((x, b) => x.rps / b.rps),
        addedP50: pick((r) => r[k].latency.p50 - r[base].latency.p50),
        addedP99: pick((r) => r[k].latency.p99 - r[base].latency.p99),
        addedCpuMs: pickPair((x, b) => x.cpuMsPerRequest - b.cpuMsPerRequest),
        addedCpuMsWorkerProcess: pickPair((x, b) => x.cpuMsPerRequestWorkerProcess - b.cpuMsPerRequestWorkerProcess),
      };
    };
    const names = Object.keys(targets);
    return {
      settings: {
        rounds,
        durationS,
        latencyS,
        connections,
        bodies: corpus.map((e) => e.name),
        browserEventsPerBody: BROWSER_EVENTS_PER_BODY,
      },
      skipped,
      checks,
      perRound,
      pairedBare,
      sides: Object.fromEntries(names.map((k) => [k, side(k)])),
      vsBare: Object.fromEntries(names.filter((k) => k !== "bare").map((k) => [k, versus(k, "bare")])),
      pairs: {
        ...(targets.relayBefore ? { "relay vs relayBefore": versus("relay", "relayBefore") } : {}),
        ...(targets.relayDirect ? { "relay vs relayDirect": versus("relay", "relayDirect") } : {}),
      },
      queuedDelivered: Object.fromEntries(
        names
          .filter((k) => specs[k].queued)
          .map((k) => [
            k,
            perRound.map((r) => ({
              requests: r[k].requests,
              events: r[k].events,
              delivered: r[k].delivered,
              waitMs: r[k].deliveryWaitMs,
            })),
          ]),
      ),
      graphPostsPerWebhook: Object.fromEntries(
        names.filter((k) => !specs[k].queued).map((k) => [k, pick((r) => r[k].graphPosts / r[k].requests)]),
      ),
      operations,
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
 * The operations burst alone (no other target): its own fake Graph, then `countOperationsBurst`.
 *
 * @example
 * node bench/e2e.mjs '{"operationsOnly":true,"durationS":3,"connections":8}'
 */
export async function runOperationsBurst({
  durationS = 3,
  connections = 8,
  deliveryWaitS = 20,
  browser = true,
  shardClaims = 1000,
} = {}) {
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
    return await countOperationsBurst({
      graph,
      templates,
      requests,
      connections,
      durationS,
      delivered,
      browser,
      shardClaims,
    });
  } finally {
    graph.stop();
  }
}

/** `after - before` of two bench count snapshots (bench/relay-counted/ `BenchCounts`), key by key. */
function diffCounts(after, before) {
  const out = {};
  for (const [k, v] of Object.entries(after)) {
    if (typeof v === "number") out[k] = v - (before?.[k] ?? 0);
    else if (v && typeof v === "object") out[k] = diffCounts(v, before?.[k] ?? {});
  }
  return out;
}

/**
 * Bursts against the queued relay whose bindings are counted (bench/relay-counted/): webhooks
 * first, then browser bodies (when the route exists); for each, once every event reached the
 * fake Graph and the buffered metrics were written, the operations it cost, and `/admin/metrics`
 * read before and after.
 */
async function countOperationsBurst({
  graph,
  templates,
  requests,
  connections,
  durationS,
  delivered,
  browser,
  shardClaims = 1000,
}) {
  const label = LABELS.relayCounted;
  const state = path.join(ROOT, "bench/out/state", label);
  fs.rmSync(state, { recursive: true, force: true });
  const dev = await startWranglerDev({
    // nodejs_als: the counting wrapper tells its callers apart with AsyncLocalStorage.
    config: writeConfig({
      main: "../../relay-counted/worker.ts",
      dir: label,
      overrides: { compatibility_flags: ["nodejs_als"] },
    }),
    label,
    persistTo: state,
    vars: {
      META_GRAPH_URL: graph.url,
      META_ACCESS_TOKEN: "bench-dummy-token",
      META_PIXEL_ID: "1234567890",
      WEBHOOK_SECRET: SECRET,
      ADMIN_SECRET: ADMIN,
      BROWSER_ORIGINS: SHOP_ORIGIN,
    },
    timeoutMs: 120_000,
  });
  try {
    const admin = async () =>
      (await fetch(`${dev.url}/admin/metrics?window=1h`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    const counts = async () => (await fetch(`${dev.url}/__bench/counts`)).json();
    /** One burst: its requests, events and the counts it added. */
    const burst = async ({ reqs, next, eventsPerRequest }) => {
      const adminBefore = await admin();
      const before = await counts();
      const g0 = await graphStats(graph);
      const started = Date.now();
      const res = await throughputRun(dev.url, reqs, connections, durationS, next);
      const burstMs = Date.now() - started;
      const wait = await delivered(g0, res.requests.total * eventsPerRequest);
      await new Promise((r) => setTimeout(r, 1500)); // the route's buffer is written about a second after its first request
      const after = await counts();
      const adminAfter = await admin();
      return {
        requests: res.requests.total,
        answered2xx: res.requests.total - res.non2xx,
        events: res.requests.total * eventsPerRequest,
        burstMs,
        delivered: wait.got,
        counts: diffCounts(after.worker, before.worker),
        sameIsolate: JSON.stringify(after.objects.METRICS?.metrics) === JSON.stringify(after.worker.metrics),
        adminReceived: (adminAfter.webhooks?.received ?? NaN) - (adminBefore.webhooks?.received ?? 0),
        adminSent: (adminAfter.destinations?.default?.sent ?? NaN) - (adminBefore.destinations?.default?.sent ?? 0),
        adminAnswer: adminAfter,
      };
    };
    const webhooks = await burst({
      reqs: requests,
      next: uniqueBodies(templates, "counted"),
      eventsPerRequest: 1,
    });
    let browserBurst = null;
    let browserSkipped = null;
    if (browser) {
      const probe = await fetch(`${dev.url}/collect/cartful`, {
        method: "POST",
        headers: BROWSER_HEADERS,
        body: browserBodies("counted-probe")(),
      });
      await probe.arrayBuffer();
      if (probe.status === 404) browserSkipped = "/collect/cartful answered 404: this source has no browser route yet";
      else {
        await delivered(await graphStats(graph), 0);
        await new Promise((r) => setTimeout(r, 6000)); // the probe's events leave the queue before the burst is counted
        browserBurst = await burst({
          reqs: [{ method: "POST", path: "/collect/cartful", headers: BROWSER_HEADERS, body: browserBodies("x")() }],
          next: browserBodies("counted"),
          eventsPerRequest: BROWSER_EVENTS_PER_BODY,
        });
      }
    }
    // One intake ledger object alone: the direct path's single-key claims (with their confirms), one
    // caller at a time and 16 at once; and the consumer's batch claims (100 entries a call) from as
    // many callers as the queue's max_concurrency (5).
    const shard = {};
    for (const concurrency of [1, 16]) {
      const res = await fetch(`${dev.url}/__bench/shard?n=${shardClaims}&c=${concurrency}`);
      shard[concurrency] = await res.json();
    }
    const ledgerRes = await fetch(
      `${dev.url}/__bench/ledger?calls=${Math.max(5, Math.round(shardClaims / 20))}&batch=100&c=5`,
    );
    const ledgerBatches = ledgerRes.ok ? await ledgerRes.json() : { skipped: `answered ${ledgerRes.status}` };
    return { webhooks, browser: browserBurst, browserSkipped, shard, ledgerBatches };
  } finally {
    await dev.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? "{}");
  const result = options.operationsOnly ? await runOperationsBurst(options) : await runE2E(options);
  console.log(JSON.stringify(result, null, 1));
}
