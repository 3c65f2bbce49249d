/**
 * CPU profile of the relay inside workerd under load: starts the fake Graph and the relay
 * (direct path) under `wrangler dev`, attaches to its V8 inspector, records a profile while
 * autocannon sends webhooks, and prints self time by function and by source file.
 *
 * @example
 * node bench/profile-workerd.mjs '{"seconds":5}'   # also writes bench/out/workerd.cpuprofile
 */
import autocannon from "autocannon";
import fs from "node:fs";
import path from "node:path";
import { WebSocket } from "undici";
import { ROOT } from "./lib/build.mjs";
import { loadCorpus } from "./lib/corpus.mjs";
import { freePort, startNodeServer, startWranglerDev } from "./lib/wrangler.mjs";
import { freshen, writeDirectConfig } from "./e2e.mjs";

const opts = { seconds: 5, connections: 4, top: 30, ...JSON.parse(process.argv[2] ?? "{}") };
const SECRET = "bench-secret";
const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
const inspectorPort = await freePort();
const dev = await startWranglerDev({
  // Not minified, so the profile maps back to src/ files and function names (esbuild's markers).
  config: writeDirectConfig({ dir: "relay-profile", overrides: { minify: false } }),
  label: "relay-profile",
  inspectorPort,
  vars: {
    META_GRAPH_URL: graph.url,
    META_ACCESS_TOKEN: "bench-dummy-token",
    META_PIXEL_ID: "1234567890",
    WEBHOOK_SECRET: SECRET,
  },
});
try {
  const bodies = loadCorpus()
    .filter((e) => !e.env.FIELD_MAP)
    .map((e) => JSON.stringify(freshen(e.payload)));
  const headers = { "content-type": "application/json", authorization: `Bearer ${SECRET}` };
  const requests = bodies.map((body) => ({ method: "POST", path: "/webhooks/cartful", headers, body }));
  const load = (s) =>
    new Promise((res, rej) =>
      autocannon({ url: dev.url, connections: opts.connections, duration: s, requests }, (e, r) =>
        e ? rej(e) : res(r),
      ),
    );
  await load(2); // warm-up

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
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 100 });
  await send("Profiler.start");
  const result = await load(opts.seconds);
  const {
    result: { profile },
  } = await send("Profiler.stop");
  ws.close();
  fs.writeFileSync(path.join(ROOT, "bench/out/workerd.cpuprofile"), JSON.stringify(profile));

  const dt = new Map();
  profile.samples.forEach((sid, i) => dt.set(sid, (dt.get(sid) ?? 0) + (profile.timeDeltas[i] ?? 0)));
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
  const top = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, opts.top)
      .map(([k, v]) => ({
        name: k,
        selfPct: +((100 * v) / busy).toFixed(1),
        usPerRequest: +(v / result.requests.total).toFixed(1),
      }));
  console.log(
    JSON.stringify({
      requests: result.requests.total,
      busyMsPerRequest: busy / 1000 / result.requests.total,
      byFile: top(byFile),
      byFunction: top(byFn),
    }),
  );
} finally {
  await dev.stop();
  graph.stop();
}
