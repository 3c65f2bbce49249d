/**
 * Cold start of the Worker as deployed, now and before this round (bench/lib/base.mjs), in
 * workerd:
 *
 * - startup: `wrangler check startup` (wrangler builds the Worker as `wrangler deploy` would and
 *   profiles its startup phase, the module's evaluation, in local workerd); the CPU profile's
 *   busy time (samples that are not idle) and its span;
 * - first webhook: a fresh `wrangler dev` of the deployed configuration (queue, intake ledger,
 *   consumer, METRICS), then the latency of its first webhook (what the isolate builds lazily:
 *   zod's schema, phone metadata, country names for the fixture's "United States", a fresh
 *   Durable Object) and of its second.
 *
 * Versions alternate, `runs` samples each, medians reported by bench/report.mjs.
 *
 * @example
 * node bench/cold-workerd.mjs '{"runs":3}'
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./lib/build.mjs";
import { prepareBase } from "./lib/base.mjs";
import { contractExample } from "./lib/corpus.mjs";
import { childEnv, startNodeServer, startWranglerDev } from "./lib/wrangler.mjs";
import { freshen, writeBaseConfig, writeConfig } from "./e2e.mjs";

const run = promisify(execFile);
const SECRET = "bench-secret";

/** Busy and total ms of a `.cpuprofile`. */
function profileTimes(file) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8"));
  const idle = new Set(
    profile.nodes.filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName)).map((n) => n.id),
  );
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) busy += profile.timeDeltas[i] ?? 0;
  });
  return { busyMs: busy / 1000, spanMs: (profile.endTime - profile.startTime) / 1000, samples: profile.samples.length };
}

async function startup(config, label) {
  const outfile = path.join(ROOT, "bench/out", `startup-${label}.cpuprofile`);
  fs.rmSync(outfile, { force: true });
  await run(
    path.join(ROOT, "node_modules/.bin/wrangler"),
    ["check", "startup", "--config", config, "--outfile", outfile],
    {
      cwd: ROOT,
      env: childEnv({ WRANGLER_REGISTRY_PATH: path.join(ROOT, "bench/out/registry", `startup-${label}`) }),
      maxBuffer: 1 << 24,
    },
  );
  return profileTimes(outfile);
}

async function firstWebhook(config, label, graph) {
  const state = path.join(ROOT, "bench/out/state", `cold-${label}`);
  fs.rmSync(state, { recursive: true, force: true });
  const dev = await startWranglerDev({
    config,
    label: `cold-${label}`,
    persistTo: state,
    vars: {
      META_GRAPH_URL: graph.url,
      META_ACCESS_TOKEN: "bench-dummy-token",
      META_PIXEL_ID: "1234567890",
      WEBHOOK_SECRET: SECRET,
    },
    timeoutMs: 120_000,
  });
  try {
    const payload = freshen(contractExample().payload);
    const post = async (n) => {
      const t0 = performance.now();
      const res = await fetch(`${dev.url}/webhooks/cartful`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
        body: JSON.stringify({ ...payload, id: `${payload.id}-cold-${label}-${Date.now()}-${n}` }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`cold ${label}: webhook answered ${res.status}; see ${dev.logFile}`);
      return performance.now() - t0;
    };
    return { firstMs: await post(1), secondMs: await post(2) };
  } finally {
    await dev.stop();
  }
}

export async function runColdWorkerd({ runs = 3, base }) {
  const versions = {
    now: writeConfig({ dir: "cold-now" }),
    ...(base && !base.error ? { before: writeBaseConfig(base) } : {}),
  };
  const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
  const samples = Object.fromEntries(Object.keys(versions).map((k) => [k, []]));
  try {
    for (let r = 0; r < runs; r++) {
      const order = r % 2 ? Object.keys(versions).reverse() : Object.keys(versions);
      for (const name of order) {
        const s = await startup(versions[name], name);
        const w = await firstWebhook(versions[name], name, graph);
        samples[name].push({ startupBusyMs: s.busyMs, startupSpanMs: s.spanMs, ...w });
      }
    }
  } finally {
    graph.stop();
  }
  return { runs, commit: base?.commit, samples };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? "{}");
  console.log(JSON.stringify(await runColdWorkerd({ ...options, base: prepareBase() })));
}
