/**
 * A cold start of the transform, in a fresh Node process: import one relay bundle (parse and
 * evaluate), then its first and second transformWebhook call on one fixture. The first call
 * pays for what is built lazily (country tables, phone metadata, zod's compiled schema) and for
 * code not yet compiled: a proxy for a cold isolate's first webhook. bench/transform.mjs runs it
 * a few times per version, alternating, and keeps the median.
 *
 * @example
 * node bench/cold.mjs '{"file":"bench/out/relay.mjs","api":"current","fixture":"canonical"}'
 * // {"importMs":15.2,"firstCallMs":6.7,"secondCallMs":1.1,"events":1}
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./lib/build.mjs";
import { benchNow, loadCorpus } from "./lib/corpus.mjs";
import { eventsOf } from "./lib/transforms.mjs";

const { file, api = "current", fixture = "canonical" } = JSON.parse(process.argv[2] ?? "{}");
await import("data:text/javascript,export default 1"); // the ESM loader's own first use, not the bundle's
const corpus = loadCorpus();
const entry = corpus.find((e) => e.name === fixture) ?? corpus[0];
const now = benchNow(corpus);
const t0 = performance.now();
const relay = await import(pathToFileURL(path.resolve(ROOT, file)).href);
const importMs = performance.now() - t0;
const run = eventsOf(relay, api);
const config = relay.parseConfig(entry.env);
const t1 = performance.now();
const events = run(entry.payload, config, now);
const firstCallMs = performance.now() - t1;
const t2 = performance.now();
run(entry.payload, config, now);
const secondCallMs = performance.now() - t2;
console.log(JSON.stringify({ fixture: entry.name, importMs, firstCallMs, secondCallMs, events }));
