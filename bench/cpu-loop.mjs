/**
 * The relay's own CPU per event inside workerd, now and before this round: bench/relay-loop/
 * under `wrangler dev` (the deployed configuration, its bindings replayed so only the relay's
 * computation is timed), in rounds alternating the two versions:
 *
 *   webhook        the webhook route (auth, parse, transform, intake, queue send, answer), per webhook
 *   webhook, logs  the same with its log lines shipped as `wrangler dev` ships them
 *   browser        /collect/cartful, bodies of 5 events, per event (skipped where the route answers 404)
 *   consumer       the queue consumer delivering batches of 100 of the webhook route's messages, per event
 *   consumer, browser packs   the same with the browser route's messages (a body's events in one)
 *
 * @example
 * node bench/cpu-loop.mjs '{"rounds":3}'
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/build.mjs";
import { prepareBase } from "./lib/base.mjs";
import { loadCorpus } from "./lib/corpus.mjs";
import { summary } from "./lib/stats.mjs";
import { startNodeServer, startWranglerDev } from "./lib/wrangler.mjs";
import { BROWSER_HEADERS, SHOP_ORIGIN, browserBodies, freshen, writeConfig } from "./e2e.mjs";

const SECRET = "bench-secret";

export async function runCpuLoop({ rounds = 3, webhooks = 300, bodies = 100, batches = 20, base } = {}) {
  const versions = {
    now: path.join(ROOT, "src/index.ts"),
    ...(base && !base.error && base.api === "current" ? { before: path.join(base.dir, "src/index.ts") } : {}),
  };
  const graph = await startNodeServer(path.join(ROOT, "bench/fake-graph.mjs"));
  const devs = {};
  const templates = loadCorpus()
    .filter((e) => !e.env.FIELD_MAP)
    .map((e) => JSON.stringify(freshen(e.payload)));
  const nextBrowser = browserBodies("loop");
  const browser = Array.from({ length: 5 }, () => nextBrowser());
  const jobs = {
    webhook: {
      kind: "webhook",
      n: webhooks,
      path: "/webhooks/cartful",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      bodies: templates,
      quiet: true,
    },
    "webhook, logs": {
      kind: "webhook",
      n: webhooks,
      path: "/webhooks/cartful",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      bodies: templates,
      quiet: false,
    },
    browser: {
      kind: "browser",
      n: bodies,
      path: "/collect/cartful",
      headers: BROWSER_HEADERS,
      bodies: browser,
      quiet: true,
    },
    "consumer, browser packs": {
      kind: "consumer",
      source: "browser",
      n: batches,
      path: "/collect/cartful",
      headers: BROWSER_HEADERS,
      bodies: browser,
      quiet: true,
      batchSize: 100,
    },
    consumer: {
      kind: "consumer",
      n: batches,
      path: "/webhooks/cartful",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      bodies: templates,
      quiet: true,
      batchSize: 100,
    },
  };
  const samples = Object.fromEntries(Object.keys(versions).map((v) => [v, {}]));
  const skipped = {};
  try {
    const started = await Promise.all(
      Object.entries(versions).map(async ([name, entry]) => {
        const label = `relay-loop-${name}`;
        const state = path.join(ROOT, "bench/out/state", label);
        fs.rmSync(state, { recursive: true, force: true });
        const from = name === "before" ? base.wranglerConfig : path.join(ROOT, "wrangler.jsonc");
        const dev = await startWranglerDev({
          config: writeConfig({
            from,
            dir: label,
            main: "../../relay-loop/worker.ts",
            overrides: { alias: { "relay-under-test": entry } },
          }),
          label,
          persistTo: state,
          vars: {
            META_GRAPH_URL: graph.url,
            META_ACCESS_TOKEN: "bench-dummy-token",
            META_PIXEL_ID: "1234567890",
            WEBHOOK_SECRET: SECRET,
            BROWSER_ORIGINS: SHOP_ORIGIN,
          },
          timeoutMs: 120_000,
        });
        return [name, dev];
      }),
    );
    for (const [name, dev] of started) devs[name] = dev;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? Object.keys(devs).reverse() : Object.keys(devs);
      for (const name of order) {
        for (const [jobName, job] of Object.entries(jobs)) {
          const res = await fetch(`${devs[name].url}/__bench/loop`, { method: "POST", body: JSON.stringify(job) });
          const answer = await res.json();
          if (answer.skipped) {
            skipped[`${name} ${jobName}`] = answer.skipped;
            continue;
          }
          if (answer.error || !res.ok)
            throw new Error(`cpu loop ${name} ${jobName}: ${JSON.stringify(answer)}; see ${devs[name].logFile}`);
          (samples[name][jobName] ??= []).push(answer.usPerEvent);
        }
      }
    }
  } finally {
    for (const dev of Object.values(devs)) await dev.stop();
    graph.stop();
  }
  const usPerEvent = Object.fromEntries(
    Object.entries(samples).map(([v, byJob]) => [
      v,
      Object.fromEntries(Object.entries(byJob).map(([k, list]) => [k, summary(list)])),
    ]),
  );
  return { rounds, sizes: { webhooks, bodies, batches, batchSize: 100 }, usPerEvent, skipped };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? "{}");
  console.log(JSON.stringify(await runCpuLoop({ ...options, base: prepareBase() })));
}
