/**
 * `npm run bench`: every benchmark (issues 4 and 19) in one run, written to BENCHMARKS.md.
 * `npm run bench:smoke` (`--smoke`): the same steps, tiny, written to bench/out/BENCHMARKS.smoke.md.
 * Nothing here asserts a timing; it fails only when a step cannot run (e.g. the relay did not
 * post to the fake Graph, or two hash implementations disagree).
 *
 * Steps: the relay before this round (bench/lib/base.mjs, once), transform throughput in Node
 * (relay now and before, SDK, floor; one core), stage breakdown and CPU profile of the
 * transform, hashes and transform inside workerd, end-to-end relay vs bare Worker under
 * `wrangler dev` (direct path with one and three destinations, queued path with and without the
 * METRICS binding, metrics writes per burst; throughput, latency, CPU from /proc), bundle size
 * now and before. This round (issue 19): the queued webhook path and the browser path against the
 * bare Worker, billable operations per event (bench/relay-counted/), the relay's own CPU by entry
 * point (bench/profile-workerd.mjs), cold start (bench/cold-workerd.mjs), the bill and the limits
 * (bench/report-cost.mjs).
 *
 * @example
 * npm run bench          # a few minutes
 * npm run bench:smoke    # under two minutes; numbers meaningless, the pipeline exercised
 * node bench/run.mjs --render   # BENCHMARKS.md again from bench/out/results.json (report changes only)
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./lib/build.mjs";
import { BASE_COMMIT, prepareBase } from "./lib/base.mjs";
import { loadCorpus } from "./lib/corpus.mjs";
import { childEnv } from "./lib/wrangler.mjs";
import { runBundle } from "./bundle.mjs";
import { runE2E } from "./e2e.mjs";
import { runInsideWorkerd } from "./workerd.mjs";
import { runColdWorkerd } from "./cold-workerd.mjs";
import { runCpuLoop } from "./cpu-loop.mjs";
import { renderReport } from "./report.mjs";

const smoke = process.argv.includes("--smoke");
// --render: write the report again from the last results (bench/out/results.json), measuring nothing.
if (process.argv.includes("--render")) {
  const file = path.join(ROOT, smoke ? "bench/out/results.smoke.json" : "bench/out/results.json");
  const out = smoke ? path.join(ROOT, "bench/out/BENCHMARKS.smoke.md") : path.join(ROOT, "BENCHMARKS.md");
  fs.writeFileSync(out, renderReport(JSON.parse(fs.readFileSync(file, "utf8"))));
  console.error(`[bench] rendered ${path.relative(ROOT, out)} from ${path.relative(ROOT, file)}`);
  process.exit(0);
}
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const SETTINGS = smoke
  ? {
      transform: { rounds: 2, minMs: 20, warmMs: 20, coldRuns: 1 },
      breakdown: { minMs: 10, warmMs: 20 },
      profile: { ms: 200 },
      workerd: { rounds: 1, minMs: 30, warmMs: 30, spin: 3e6 },
      e2e: { rounds: 1, durationS: 1, latencyS: 0.5, connections: 4, warmupS: 0.5, shardClaims: 100 },
      profiles: { seconds: 1, warmS: 1 },
      cold: { runs: 1 },
      cpuLoop: { rounds: 1, webhooks: 60, bodies: 12, batches: 3 },
    }
  : {
      transform: { rounds: 11, minMs: 200, warmMs: 1500, coldRuns: 5 },
      breakdown: { minMs: 150, warmMs: 400 },
      profile: { ms: 2000 },
      workerd: { rounds: 7, minMs: 300, warmMs: 500, spin: 3e7 },
      e2e: { rounds: 5, durationS: 3, latencyS: 2, connections: 8, warmupS: 2, shardClaims: 2000 },
      profiles: { seconds: 4, warmS: 3 },
      cold: { runs: 2 },
      cpuLoop: { rounds: 3, webhooks: 400, bodies: 100, batches: 20 },
    };
const outFile = smoke
  ? path.join(ROOT, "bench/out/BENCHMARKS.smoke.md")
  : only
    ? path.join(ROOT, "bench/out/BENCHMARKS.partial.md") // a subset never overwrites BENCHMARKS.md
    : path.join(ROOT, "BENCHMARKS.md");
const want = (step) => !only || only.includes(step);
fs.mkdirSync(path.join(ROOT, "bench/out"), { recursive: true });

const hasTaskset = (() => {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return os.cpus().length > 1;
  } catch {
    return false;
  }
})();

/**
 * Run a bench script in its own Node process, parse its JSON line. Pinned to one core when
 * possible, unless `unpinned` (a script that starts `wrangler dev`, whose workerd would inherit it).
 */
function child(script, options, { unpinned = false } = {}) {
  const node = path.join(ROOT, "node_modules/.bin/node");
  const [cmd, args] = hasTaskset && !unpinned ? ["taskset", ["-c", String(os.cpus().length - 1), node]] : [node, []];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, [...args, path.join(ROOT, "bench", script), JSON.stringify(options)], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()));
      } catch (e) {
        reject(new Error(`${script}: no JSON result (${e.message})`));
      }
    });
  });
}

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, {
      cwd: ROOT,
      env: childEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split("\n")
      .pop();
  } catch {
    return "unknown";
  }
}

function workerdVersion() {
  const candidates = [
    "node_modules/wrangler/node_modules/@cloudflare/workerd-linux-64/bin/workerd",
    "node_modules/@cloudflare/workerd-linux-64/bin/workerd",
  ];
  for (const c of candidates)
    if (fs.existsSync(path.join(ROOT, c)))
      return `${version(path.join(ROOT, c), ["--version"])} (${c.includes("wrangler/node_modules") ? "wrangler's" : "top-level"})`;
  return "unknown";
}

/** What the figures measure: HEAD plus any uncommitted change to the relay's sources. */
function sourceState() {
  const diff = version("git", ["diff", "HEAD", "--", "src", "fixtures", "wrangler.jsonc", "package.json"]);
  let full = "";
  try {
    full = execFileSync("git", ["diff", "HEAD", "--", "src", "fixtures", "wrangler.jsonc", "package.json"], {
      cwd: ROOT,
      encoding: "utf8",
    });
  } catch {
    full = diff;
  }
  // The committed trees of what is measured (a README-only commit during the run changes nothing).
  const trees = ["src", "fixtures", "wrangler.jsonc", "package.json"]
    .map((p) => version("git", ["rev-parse", `HEAD:${p}`]))
    .join(" ");
  return { head: version("git", ["rev-parse", "--short", "HEAD"]), trees, dirty: full !== "", diff: full };
}

const started = Date.now();
const sourceAtStart = sourceState();
const step = (name) => console.error(`[bench] ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const results = {
  smoke,
  settings: SETTINGS,
  env: {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    wrangler: version(path.join(ROOT, "node_modules/.bin/wrangler"), ["--version"]),
    workerd: workerdVersion(),
    pinned: hasTaskset ? `taskset -c ${os.cpus().length - 1}` : "not pinned",
    loadBefore: os.loadavg(),
    commit: sourceAtStart.head,
    dirty: sourceAtStart.dirty,
  },
};

step(`the relay before this round (${BASE_COMMIT})`);
const base = prepareBase();
results.base = { commit: base.commit, full: base.full, error: base.error };
if (base.error) console.error(`[bench] no base to compare with: ${base.error}`);

if (want("transform")) {
  step("transform throughput in Node");
  results.transform = await child("transform.mjs", {
    ...SETTINGS.transform,
    ...(base.entry ? { baseEntry: base.entry, baseApi: base.api } : {}),
  });
  step("stage breakdown");
  results.breakdown = await child("breakdown.mjs", {
    ...SETTINGS.breakdown,
    ...(base.stagesEntry ? { stagesEntry: base.stagesEntry, baseApi: base.api } : {}),
  });
  step("CPU profile");
  results.profile = await child("profile.mjs", SETTINGS.profile);
}
if (want("workerd")) {
  step("inside workerd");
  const corpus = loadCorpus();
  const likeNames = results.transform?.likeForLike ?? corpus.map((e) => e.name);
  const strings = results.transform?.fixtures
    ? results.transform.floorInputs.reduce((a, b) => (b.length > a.length ? b : a), [])
    : ["jane.doe@example.com"];
  const fixtures = corpus.map((e) => ({ name: e.name, payload: e.payload, env: e.env }));
  results.workerd = await runInsideWorkerd({
    ...SETTINGS.workerd,
    strings,
    likeForLike: fixtures.filter((f) => likeNames.includes(f.name)),
    allFixtures: fixtures,
    baseEntry: base.entry,
    baseApi: base.api,
    baseFixtures: results.transform?.base?.fixtures ?? (base.entry ? fixtures.map((f) => f.name) : []),
    now: results.transform?.now ?? Date.now(),
  });
  if (!results.workerd.hashesAgree) throw new Error("hash implementations disagree inside workerd");
}
if (want("e2e")) {
  step("end to end under wrangler dev");
  results.e2e = await runE2E({ ...SETTINGS.e2e, base });
}
if (want("cpu")) {
  step("the relay's own CPU per event inside workerd, now and before (loops)");
  results.cpuLoop = await runCpuLoop({ ...SETTINGS.cpuLoop, base });
}
if (want("profiles")) {
  step("CPU by entry point inside workerd (profiles)");
  results.profiles = {};
  for (const load of ["webhook", "browser"])
    results.profiles[load] = await child(
      "profile-workerd.mjs",
      { path: "queued", load, ...SETTINGS.profiles },
      { unpinned: true },
    );
}
if (want("cold")) {
  step("cold start in workerd, now and before");
  results.cold = await runColdWorkerd({ ...SETTINGS.cold, base });
}
if (want("bundle")) {
  step("bundle size");
  results.bundle = await runBundle({ base });
}
results.env.loadAfter = os.loadavg();
const sourceAtEnd = sourceState();
results.env.changedDuringRun = sourceAtEnd.trees !== sourceAtStart.trees || sourceAtEnd.diff !== sourceAtStart.diff;
if (results.env.changedDuringRun)
  console.error(
    "[bench] WARNING: src/, fixtures/, wrangler.jsonc or package.json changed during the run; the figures mix versions. Run again.",
  );
results.env.seconds = Math.round((Date.now() - started) / 1000);

fs.writeFileSync(
  path.join(ROOT, smoke ? "bench/out/results.smoke.json" : "bench/out/results.json"),
  JSON.stringify(results, null, 1),
);
fs.writeFileSync(outFile, renderReport(results));
step(`wrote ${path.relative(ROOT, outFile)}`);
