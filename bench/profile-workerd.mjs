/**
 * CPU profile of the relay inside workerd under load: starts the fake Graph and the relay under
 * `wrangler dev` (not minified, so samples map back to src/ files), attaches to its V8
 * inspector, records a profile while autocannon sends webhooks (or browser bodies) and until the
 * queue consumer has delivered every event, and prints the share of samples by function and by source
 * file, and the relay's own CPU per request by entry point: each sample is charged to the first
 * of these found on its stack (the webhook route, the browser route, the queue consumer, a
 * Durable Object class), else to "other relay code" when any src/ frame is on it, else to
 * "outside the relay's code" (workerd, Hono's routing, I/O). Under `wrangler dev` the Worker,
 * its consumer and its Durable Objects share one isolate, so one profile holds them all. The
 * inspector perturbs what it measures (sampling every 100 µs): read shares and orders of
 * magnitude, and compare paths profiled alike.
 *
 * @example
 * node bench/profile-workerd.mjs '{"seconds":5}'                         # direct path, webhooks
 * node bench/profile-workerd.mjs '{"path":"queued","load":"browser"}'    # as deployed, /collect/cartful
 */
import autocannon from "autocannon";
import fs from "node:fs";
import path from "node:path";
import { WebSocket } from "undici";
import { ROOT } from "./lib/build.mjs";
import { loadCorpus } from "./lib/corpus.mjs";
import { freePort, startNodeServer, startWranglerDev } from "./lib/wrangler.mjs";
import {
  BROWSER_EVENTS_PER_BODY,
  BROWSER_HEADERS,
  SHOP_ORIGIN,
  browserBodies,
  freshen,
  writeConfig,
  writeDirectConfig,
} from "./e2e.mjs";

const opts = {
  seconds: 5,
  connections: 4,
  top: 30,
  path: "direct",
  load: "webhook",
  ...JSON.parse(process.argv[2] ?? "{}"),
};
const SECRET = "bench-secret";
const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
const inspectorPort = await freePort();
const label = `relay-profile-${opts.path}-${opts.load}`;
const state = path.join(ROOT, "bench/out/state", label);
fs.rmSync(state, { recursive: true, force: true });
const dev = await startWranglerDev({
  // Not minified, so the profile maps back to src/ files and function names (esbuild's markers).
  config:
    opts.path === "queued"
      ? writeConfig({ dir: label, overrides: { minify: false } })
      : writeDirectConfig({ dir: label, overrides: { minify: false } }),
  label,
  inspectorPort,
  persistTo: state,
  vars: {
    META_GRAPH_URL: graph.url,
    META_ACCESS_TOKEN: "bench-dummy-token",
    META_PIXEL_ID: "1234567890",
    WEBHOOK_SECRET: SECRET,
    BROWSER_ORIGINS: SHOP_ORIGIN,
  },
});
const stats = async () => (await fetch(`${graph.url}/__stats`)).json();
/** Until the fake Graph has `want` more events than `since` (the consumer delivers in batches), 20 s at most. */
async function delivered(since, want) {
  const start = Date.now();
  while ((await stats()).events - since.events < want && Date.now() - start < 20_000)
    await new Promise((r) => setTimeout(r, 100));
}
try {
  const browser = opts.load === "browser";
  const templates = loadCorpus()
    .filter((e) => !e.env.FIELD_MAP)
    .map((e) => freshen(e.payload));
  const headers = browser ? BROWSER_HEADERS : { "content-type": "application/json", authorization: `Bearer ${SECRET}` };
  const route = browser ? "/collect/cartful" : "/webhooks/cartful";
  let n = 0;
  const run = Date.now().toString(36);
  const nextBrowser = browserBodies("profile");
  /** A fresh Studio id per webhook (the queued path's intake ledger answers a repeated one as a redelivery). */
  const next = browser
    ? nextBrowser
    : () => {
        const t = templates[n++ % templates.length];
        return JSON.stringify({ ...t, id: `${t.id}-profile-${run}-${n}` });
      };
  const eventsPerRequest = browser ? BROWSER_EVENTS_PER_BODY : 1;
  const probe = await fetch(`${dev.url}${route}`, { method: "POST", headers, body: next() });
  await probe.arrayBuffer();
  if (probe.status === 404) {
    console.log(JSON.stringify({ skipped: `${route} answered 404: this source has no such route` }));
    process.exit(0);
  }
  const requests = [{ method: "POST", path: route, headers, setupRequest: (req) => ({ ...req, body: next() }) }];
  const load = (s) =>
    new Promise((res, rej) =>
      autocannon({ url: dev.url, connections: opts.connections, duration: s, requests }, (e, r) =>
        e ? rej(e) : res(r),
      ),
    );

  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const target =
    targets.find((t) => /relay|cartful/i.test(t.title ?? "") || /core:user/.test(t.id ?? "")) ?? targets[0];
  // wrangler's inspector proxy only accepts a DevTools origin.
  const ws = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { origin: "https://devtools.devprod.cloudflare.dev" },
  });
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = rej;
  });
  let id = 0;
  const pending = new Map();
  const scripts = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.method === "Debugger.scriptParsed") scripts.set(msg.params.scriptId, msg.params.url);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  };
  const send = (method, params = {}) =>
    new Promise((res) => {
      const i = ++id;
      pending.set(i, res);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  // The bundle's text, to map profile lines back to src/ files and packages (esbuild's "// path" markers).
  await send("Debugger.enable");
  const markersByScript = new Map();
  for (const [scriptId, url] of scripts) {
    if (!url.endsWith("index.js")) continue;
    const { result } = await send("Debugger.getScriptSource", { scriptId });
    const markers = [];
    (result?.scriptSource ?? "").split("\n").forEach((line, i) => {
      const mk = /^\/\/ (\S+\.(?:ts|js|mjs|cjs|json))$/.exec(line);
      if (mk) markers.push([i, mk[1]]);
    });
    markersByScript.set(scriptId, markers);
  }
  await send("Debugger.disable");
  // Warm-up after the debugger is off again (enabling it drops optimized code).
  const g0 = await stats();
  const warm = await load(opts.warmS ?? 3);
  if (opts.path === "queued") await delivered(g0, warm.requests.total * eventsPerRequest);
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: opts.intervalUs ?? 1000 });
  await send("Profiler.start");
  const g1 = await stats();
  const result = await load(opts.seconds);
  if (opts.path === "queued") await delivered(g1, result.requests.total * eventsPerRequest);
  const eventsDelivered = (await stats()).events - g1.events;
  const {
    result: { profile },
  } = await send("Profiler.stop");
  ws.close();
  fs.writeFileSync(path.join(ROOT, "bench/out/workerd.cpuprofile"), JSON.stringify(profile));

  const dt = new Map();
  // Weighted by sample count, not by time delta: workerd's sampler is irregular (a sample after a
  // long wait carries the whole wait), so counts are the fairer share of where the CPU goes.
  profile.samples.forEach((sid) => dt.set(sid, (dt.get(sid) ?? 0) + 1));
  const idle = new Set(
    profile.nodes.filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName)).map((n) => n.id),
  );
  const busy = [...dt.entries()].reduce((a, [k, v]) => a + (idle.has(k) ? 0 : v), 0);
  const byFn = new Map();
  const byFile = new Map();
  const source = (cf, detail = false) => {
    const markers = markersByScript.get(cf.scriptId);
    let file = cf.url ? cf.url : "(native)";
    if (markers) {
      for (const [line, p] of markers) {
        if (line <= cf.lineNumber) file = p;
        else break;
      }
    }
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?/.exec(file);
    if (nm) return detail ? nm[1] + (nm[2] ?? "") : nm[1];
    const src = /(src\/[^?#]+)/.exec(file);
    return src ? src[1] : file;
  };
  for (const n of profile.nodes) {
    const t = dt.get(n.id) ?? 0;
    if (!t || idle.has(n.id)) continue;
    const file = source(n.callFrame);
    const fn = `${n.callFrame.functionName || `(anonymous@${n.callFrame.lineNumber + 1})`} [${source(n.callFrame, true)}]`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    byFile.set(file, (byFile.get(file) ?? 0) + t);
  }
  // The relay's own CPU by entry point: the first entry found on each sample's stack.
  const ENTRIES = [
    ["queue consumer", /^src\/delivery\/consumer\.ts$/],
    ["intake ledger (Durable Object)", /^src\/delivery\/intakeLedger\.ts$/],
    ["metrics store (Durable Object)", /^src\/observe\/metricsStore\.ts$/],
    ["delivery circuit (Durable Object)", /^src\/delivery\/circuit\.ts$/],
    ["dead-letter store (Durable Object)", /^src\/delivery\/deadLetterStore\.ts$/],
    ["webhook route", /^src\/http\/webhookRoute\.ts$/],
    ["browser route", /^src\/http\/.*(collect|browser)[^/]*\.ts$/i],
  ];
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const entryOf = new Map();
  for (const node of profile.nodes) {
    const files = [];
    for (let id = node.id; id !== undefined; id = parent.get(id)) files.push(source(nodeById.get(id).callFrame));
    const entry = ENTRIES.find(([, re]) => files.some((f) => re.test(f)))?.[0];
    entryOf.set(
      node.id,
      entry ?? (files.some((f) => f.startsWith("src/")) ? "other relay code" : "outside the relay's code"),
    );
  }
  const byEntry = new Map();
  for (const node of profile.nodes) {
    const t = dt.get(node.id) ?? 0;
    if (!t || idle.has(node.id)) continue;
    byEntry.set(entryOf.get(node.id), (byEntry.get(entryOf.get(node.id)) ?? 0) + t);
  }
  const relaySamples = [...byEntry].filter(([k]) => k !== "outside the relay's code").reduce((a, [, v]) => a + v, 0);
  const top = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, opts.top)
      .map(([k, v]) => ({
        name: k,
        selfPct: +((100 * v) / busy).toFixed(1),
        samples: v,
      }));
  console.log(
    JSON.stringify({
      path: opts.path,
      load: opts.load,
      requests: result.requests.total,
      events: result.requests.total * eventsPerRequest,
      eventsDelivered,
      busySamples: busy,
      relayShare: relaySamples / busy,
      byEntry: Object.fromEntries(
        [...byEntry]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [
            k,
            {
              samples: v,
              pct: +((100 * v) / busy).toFixed(1),
            },
          ]),
      ),
      byFile: top(byFile),
      byFunction: top(byFn),
    }),
  );
} finally {
  await dev.stop();
  graph.stop();
}
