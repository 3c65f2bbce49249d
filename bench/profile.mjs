/**
 * Profile the relay's transform in Node: per-fixture µs/event, then a CPU profile of a long
 * loop over the whole corpus, summarised as self time per function and per file/package.
 *
 * @example
 * node bench/profile.mjs                          # whole corpus
 * node bench/profile.mjs '{"only":["canonical"]}' # one fixture
 */
import fs from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";
import { pathToFileURL } from "node:url";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { benchNow, loadCorpus } from "./lib/corpus.mjs";
import { eventsOf } from "./lib/transforms.mjs";

const opts = { ms: 3000, top: 25, ...JSON.parse(process.argv[2] ?? "{}") };
const relayFile = await buildRelayForNode({ outfile: path.join(ROOT, "bench/out/relay.mjs") });
const relay = await import(pathToFileURL(relayFile).href);
const corpus = loadCorpus().filter((e) => !opts.only || opts.only.includes(e.name));
const now = benchNow(corpus);
const entries = corpus.map((e) => ({ ...e, config: relay.parseConfig(e.env) }));
const run = eventsOf(relay);

function usPerEvent(list, minMs) {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < minMs) {
    for (const e of list) run(e.payload, e.config, now);
    n += list.length;
  }
  return ((performance.now() - t0) * 1000) / n;
}
for (const e of entries) usPerEvent([e], 300);
const perFixture = Object.fromEntries(entries.map((e) => [e.name, usPerEvent([e], 300)]));

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
usPerEvent(entries, opts.ms);
const { profile } = await session.post("Profiler.stop");
fs.writeFileSync(path.join(ROOT, "bench/out/transform.cpuprofile"), JSON.stringify(profile));

// Self time by function and by source (package name, or src/ file).
const dt = new Map();
profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
// The profiler's own frames (inspector round trips, this script's loop) are left out.
const own = (cf) =>
  cf.url.startsWith("node:inspector") ||
  cf.url.endsWith("profile.mjs") ||
  cf.functionName === "(program)" ||
  cf.functionName === "(idle)";
const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
const total = [...dt.entries()].reduce((a, [id, v]) => a + (own(nodeById.get(id).callFrame) ? 0 : v), 0);
const byFn = new Map();
const byFile = new Map();
const sourceOf = (url, line) => {
  // The bundle keeps esbuild's "// path" comments; map a line to the nearest preceding one.
  return bundleSource(line) ?? (url ? path.basename(url) : "(native/GC)");
};
const bundleLines = fs.readFileSync(relayFile, "utf8").split("\n");
const markers = [];
bundleLines.forEach((l, i) => {
  const m = /^\/\/ (\S+)$/.exec(l);
  if (m) markers.push([i, m[1]]);
});
function bundleSource(line) {
  let found;
  for (const [i, p] of markers) {
    if (i <= line) found = p;
    else break;
  }
  if (!found) return undefined;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(found);
  return nm ? nm[1] : found.replace(/^.*?(src\/)/, "$1");
}
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0;
  if (!t) continue;
  const cf = node.callFrame;
  if (own(cf)) continue;
  const inBundle = cf.url.endsWith("relay.mjs");
  const file = inBundle
    ? sourceOf(cf.url, cf.lineNumber)
    : cf.url
      ? path.basename(cf.url)
      : `(${cf.functionName || "native"})`;
  const fn = `${cf.functionName || "(anonymous)"} [${file}]`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  byFile.set(file, (byFile.get(file) ?? 0) + t);
}
const top = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, opts.top)
    .map(([k, v]) => ({ name: k, selfPct: +((100 * v) / total).toFixed(1) }));
const result = { perFixtureUs: perFixture, byFile: top(byFile), byFunction: top(byFn) };
console.log(JSON.stringify(result));
