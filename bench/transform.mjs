/**
 * Transform throughput in Node, one thread (bench/run.mjs pins it to one core with taskset
 * when available). Prints one JSON line with per-round µs/event for each candidate:
 *
 *   relay     transformWebhook(payload, config, now) from src/ (validate, normalize, hash, map)
 *             on the fixtures the SDK can take too (canonical shape); "relay (all fixtures)" on all
 *   sdk       facebook-nodejs-business-sdk UserData/CustomData/ServerEvent + normalize()
 *   floor     src/hash.ts sha256Hex over exactly the strings the transform hashed, nothing else
 *   hash:*    the same strings with @noble/hashes, node:crypto, js-sha256 (the SDK's), for context
 *   relay + one-shot hash   the relay with bench/candidates/sha256.ts as sha256Hex (what-if)
 *   parse     JSON.parse of the webhook text (not part of transformWebhook, shown for scale)
 *
 * Candidates are interleaved round by round, so ratios compare like with like.
 *
 * @example
 * node bench/transform.mjs '{"rounds":11,"minMs":200}'
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import jsSha256 from "js-sha256";
import { build } from "esbuild";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { BENCH_ENV, benchNow, contractExample, loadCorpus } from "./lib/corpus.mjs";
import { sdkTransform } from "./lib/sdk.mjs";
import { summary } from "./lib/stats.mjs";

const opts = { rounds: 11, minMs: 200, warmMs: 600, ...JSON.parse(process.argv[2] ?? "{}") };
const out = path.join(ROOT, "bench/out");

const recordFile = await buildRelayForNode({ outfile: path.join(out, "relay-record.mjs"), record: true });
const relayFile = await buildRelayForNode({ outfile: path.join(out, "relay.mjs") });
const oneShotFile = await buildRelayForNode({ outfile: path.join(out, "relay-oneshot.mjs"), oneShotHash: true });
const candidateFile = path.join(out, "sha256-candidate.mjs");
await build({ entryPoints: [path.join(ROOT, "bench/candidates/sha256.ts")], outfile: candidateFile, bundle: true, format: "esm", logLevel: "error" });
const recording = await import(pathToFileURL(recordFile).href);
const relayOneShot = await import(pathToFileURL(oneShotFile).href);
const { sha256HexOneShot } = await import(pathToFileURL(candidateFile).href);
const relay = await import(pathToFileURL(relayFile).href);

const corpus = loadCorpus();
const now = benchNow(corpus);

// Which fixtures each side accepts, and what the relay hashes for each (recorded once).
const fixtures = [];
for (const entry of corpus) {
  const config = relay.parseConfig(entry.env);
  const recConfig = recording.parseConfig(entry.env);
  globalThis.__sha256Inputs = [];
  const before = JSON.stringify(entry.payload);
  const probe = structuredClone(entry.payload);
  recording.transformWebhook(probe, recConfig, now);
  const mutatesInput = JSON.stringify(probe) !== before; // a pure transform leaves its input alone
  globalThis.__sha256Inputs = [];
  const result = recording.transformWebhook(entry.payload, recConfig, now);
  const hashed = [...globalThis.__sha256Inputs];
  let sdk = null;
  let sdkError = null;
  try {
    sdk = sdkTransform(entry.payload, Math.floor(now / 1000));
    if (!sdk?.user_data?.em) throw new Error("no email in canonical place");
  } catch (error) {
    sdkError = String(error?.message ?? error).slice(0, 80);
    sdk = null;
  }
  fixtures.push({
    name: entry.name,
    payload: entry.payload,
    text: entry.text,
    config,
    relayOk: result.outcome === "event",
    mutatesInput,
    relayStatus: result.outcome === "event" ? "event" : result.outcome === "skipped" ? `skipped: ${result.reason}` : `invalid ${JSON.stringify(result.issues ?? []).slice(0, 100)}`,
    relayUserDataKeys: result.outcome === "event" ? Object.keys(result.event.user_data ?? {}) : [],
    hashed,
    sdkOk: sdk !== null,
    sdkError,
    sdkHashedKeys: sdk ? Object.keys(sdk.user_data).filter((k) => Array.isArray(sdk.user_data[k])) : [],
  });
}

const both = fixtures.filter((f) => f.relayOk && f.sdkOk); // the like-for-like corpus
// The contract's canonical webhook (../shared/contract/webhook-example.json) on its own.
const { file: exampleFile, payload: example } = contractExample();
const exampleConfig = relay.parseConfig(BENCH_ENV);
const exampleOk = relay.transformWebhook(example, exampleConfig, now).outcome === "event";
const relayAll = fixtures.filter((f) => f.relayOk);
const floorInputs = both.map((f) => f.hashed);
const hashesPerEvent = floorInputs.reduce((n, h) => n + h.length, 0) / Math.max(1, both.length);
const nodeHash = (s) => createHash("sha256").update(s).digest("hex");
const nobleHash = (s) => bytesToHex(sha256(utf8ToBytes(s)));
const jsHash = jsSha256.sha256 ?? jsSha256;

let sink = 0;
const hashLoop = (fn) => () => {
  for (const list of floorInputs) for (const s of list) sink += fn(s).length;
};
const candidates = {
  relay: { events: both.length, pass: () => { for (const f of both) if (relay.transformWebhook(f.payload, f.config, now).outcome === "event") sink++; } },
  "relay (all fixtures)": { events: relayAll.length, pass: () => { for (const f of relayAll) if (relay.transformWebhook(f.payload, f.config, now).outcome === "event") sink++; } },
  "relay + one-shot hash": { events: both.length, pass: () => { for (const f of both) if (relayOneShot.transformWebhook(f.payload, f.config, now).outcome === "event") sink++; } },
  sdk: { events: both.length, pass: () => { for (const f of both) sink += sdkTransform(f.payload, 1).event_time; } },
  "relay (contract example)": { events: exampleOk ? 1 : 0, pass: () => { if (relay.transformWebhook(example, exampleConfig, now).outcome === "event") sink++; } },
  "sdk (contract example)": { events: 1, pass: () => { sink += sdkTransform(example, 1).event_time; } },
  floor: { events: both.length, pass: hashLoop(relay.sha256Hex) },
  "hash: @noble/hashes": { events: both.length, pass: hashLoop(nobleHash) },
  "hash: node:crypto": { events: both.length, pass: hashLoop(nodeHash) },
  "hash: js-sha256 (SDK's)": { events: both.length, pass: hashLoop(jsHash) },
  "hash: one-shot candidate": { events: both.length, pass: hashLoop(sha256HexOneShot) },
  "JSON.parse": { events: both.length, pass: () => { for (const f of both) sink += JSON.parse(f.text) ? 1 : 0; } },
};

function measure(pass, events, minMs) {
  const start = performance.now();
  let passes = 0;
  let t = start;
  while (t - start < minMs) {
    pass();
    passes++;
    t = performance.now();
  }
  return ((t - start) * 1000) / (passes * events); // µs per event
}

const names = Object.keys(candidates).filter((n) => candidates[n].events > 0);
for (const n of names) measure(candidates[n].pass, candidates[n].events, opts.warmMs); // warm-up: let the JIT settle
const perRound = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < opts.rounds; r++) {
  const order = r % 2 ? [...names].reverse() : names;
  for (const n of order) perRound[n].push(measure(candidates[n].pass, candidates[n].events, opts.minMs));
}
const ratio = (a, b) => (perRound[a] && perRound[b] ? perRound[a].map((x, i) => x / perRound[b][i]) : undefined);
const result = {
  node: process.version,
  now,
  fixtures: fixtures.map(({ payload, text, config, hashed, ...f }) => ({ ...f, hashes: hashed.length })),
  likeForLike: both.map((f) => f.name),
  exampleFile,
  hashesPerEvent,
  floorInputs,
  usPerEvent: Object.fromEntries(names.map((n) => [n, { rounds: perRound[n], ...summary(perRound[n]) }])),
  ratios: {
    "sdk / relay": summary(ratio("sdk", "relay") ?? [NaN]),
    "sdk / relay (contract example)": summary(ratio("sdk (contract example)", "relay (contract example)") ?? [NaN]),
    "relay / floor": summary(ratio("relay", "floor") ?? [NaN]),
    "sdk / floor": summary(ratio("sdk", "floor") ?? [NaN]),
    "sdk / relay + one-shot hash": summary(ratio("sdk", "relay + one-shot hash") ?? [NaN]),
    "relay + one-shot hash / one-shot floor": summary(ratio("relay + one-shot hash", "hash: one-shot candidate") ?? [NaN]),
    "relay / relay + one-shot hash": summary(ratio("relay", "relay + one-shot hash") ?? [NaN]),
  },
  sink,
};
console.log(JSON.stringify(result));
