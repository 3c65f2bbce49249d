/**
 * Transform throughput in Node, one thread (bench/run.mjs pins it to one core with taskset
 * when available). Prints one JSON line with per-round µs per webhook for each candidate:
 *
 *   relay     transformWebhook(payload, config, config.destinations, now) from
 *             src/transform/transformWebhook.ts (validate, normalize, hash, route, map), one
 *             destination, on the fixtures the SDK can take too (canonical shape); "relay (all
 *             fixtures)" on all
 *   before    the same fixtures through the relay before this round (bench/lib/base.mjs:
 *             transformWebhook(payload, config, now), bench/lib/base.mjs), when it is available
 *   relay, 3 destinations   DESTINATIONS with three pixels: user data built once, three events
 *   relay, phone min metadata   what-if: libphonenumber-js/min in place of /max (CPU of the metadata)
 *   sdk       facebook-nodejs-business-sdk UserData/CustomData/ServerEvent + normalize()
 *   floor     src/transform/hash.ts sha256Hex over exactly the strings the transform hashed
 *   hash:*    the same strings with @noble/hashes, node:crypto, js-sha256 (the SDK's), for context
 *   parse     JSON.parse of the webhook text (not part of transformWebhook, shown for scale)
 *   cold      import + first call of each version in fresh processes (bench/cold.mjs), not timed
 *             with the others
 *
 * Candidates are interleaved round by round, so ratios compare like with like.
 *
 * @example
 * node bench/transform.mjs '{"rounds":11,"minMs":200,"baseEntry":"bench/out/base-7e08cf8/bench-entry.ts"}'
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import jsSha256 from "js-sha256";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { BENCH_ENV, benchNow, contractExample, loadCorpus, withThreeDestinations } from "./lib/corpus.mjs";
import { sdkTransform } from "./lib/sdk.mjs";
import { summary } from "./lib/stats.mjs";
import { eventsOf, statusOf } from "./lib/transforms.mjs";

const opts = { rounds: 11, minMs: 200, warmMs: 600, ...JSON.parse(process.argv[2] ?? "{}") };
const out = path.join(ROOT, "bench/out");

const files = {
  base: opts.baseEntry
    ? await buildRelayForNode({ outfile: path.join(out, "relay-base.mjs"), entry: opts.baseEntry })
    : null,
  relay: await buildRelayForNode({ outfile: path.join(out, "relay.mjs") }),
  recording: await buildRelayForNode({ outfile: path.join(out, "relay-record.mjs"), record: true }),
  phoneMin: await buildRelayForNode({ outfile: path.join(out, "relay-phonemin.mjs"), phoneMin: true }),
};
const importFile = (file) => import(pathToFileURL(file).href);
const base = files.base ? await importFile(files.base) : null;
const relay = await importFile(files.relay);
const recording = await importFile(files.recording);
const relayPhoneMin = await importFile(files.phoneMin);
const corpus = loadCorpus();
const now = benchNow(corpus);

// Cold starts: import + first call of each version in fresh processes (bench/cold.mjs), alternating.
const coldRuns = { before: [], now: [] };
for (let i = 0; i < (opts.coldRuns ?? 5); i++) {
  for (const [name, file, api] of [
    ["now", files.relay, "current"],
    ...(files.base ? [["before", files.base, opts.baseApi ?? "base"]] : []),
  ]) {
    const line = execFileSync(
      process.execPath,
      [path.join(ROOT, "bench/cold.mjs"), JSON.stringify({ file, api, fixture: "canonical" })],
      { encoding: "utf8" },
    );
    coldRuns[name].push(JSON.parse(line.trim().split("\n").pop()));
  }
}
const cold = Object.fromEntries(
  Object.entries(coldRuns)
    .filter(([, runs]) => runs.length > 0)
    .map(([name, runs]) => [
      name,
      {
        fixture: runs[0].fixture,
        runs: runs.length,
        events: runs[0].events,
        importMs: summary(runs.map((r) => r.importMs)),
        firstCallMs: summary(runs.map((r) => r.firstCallMs)),
        secondCallMs: summary(runs.map((r) => r.secondCallMs)),
      },
    ]),
);

const run = eventsOf(relay);
const runPhoneMin = eventsOf(relayPhoneMin);
const runBase = base ? eventsOf(base, opts.baseApi ?? "base") : null;

/** The strings the recording bundle hashed while `fn` ran. */
function hashedDuring(fn) {
  globalThis.__sha256Inputs = [];
  const result = fn();
  return { result, hashed: [...globalThis.__sha256Inputs] };
}

// Which fixtures each side accepts, and what the relay hashes for each (recorded once).
const fixtures = [];
for (const entry of corpus) {
  const config = relay.parseConfig(entry.env);
  const config3 = relay.parseConfig(withThreeDestinations(entry.env));
  const recConfig = recording.parseConfig(entry.env);
  const recConfig3 = recording.parseConfig(withThreeDestinations(entry.env));
  const before = JSON.stringify(entry.payload);
  const probe = structuredClone(entry.payload);
  recording.transformWebhook(probe, recConfig, recConfig.destinations, now);
  const mutatesInput = JSON.stringify(probe) !== before; // a pure transform leaves its input alone
  const { result, hashed } = hashedDuring(() =>
    recording.transformWebhook(entry.payload, recConfig, recConfig.destinations, now),
  );
  const three = hashedDuring(() => recording.transformWebhook(entry.payload, recConfig3, recConfig3.destinations, now));
  const baseConfig = base ? base.parseConfig(entry.env) : null;
  const baseResult = !base
    ? null
    : opts.baseApi === "current"
      ? base.transformWebhook(entry.payload, baseConfig, baseConfig.destinations, now)
      : base.transformWebhook(entry.payload, baseConfig, now);
  let sdk = null;
  let sdkError = null;
  try {
    sdk = sdkTransform(entry.payload, Math.floor(now / 1000));
    if (!sdk?.user_data?.em) throw new Error("no email in canonical place");
  } catch (error) {
    sdkError = String(error?.message ?? error).slice(0, 80);
    sdk = null;
  }
  const events = run(entry.payload, config, now);
  fixtures.push({
    name: entry.name,
    payload: entry.payload,
    text: entry.text,
    config,
    config3,
    baseConfig,
    relayOk: events === 1,
    events3: run(entry.payload, config3, now),
    posts3:
      three.result.outcome === "routed" ? new Set(three.result.results.map((r) => r.destination.pixelId)).size : 0,
    baseOk: baseResult !== null && statusOf(baseResult) === "event",
    baseStatus: baseResult ? statusOf(baseResult) : "n/a",
    phoneMinOk: runPhoneMin(entry.payload, config, now) === 1,
    mutatesInput,
    relayStatus: statusOf(result),
    relayUserDataKeys: result.outcome === "routed" ? result.match.sent : [],
    dropped: result.outcome === "routed" ? result.match.dropped : {},
    hashed,
    hashes3: three.hashed.length,
    sdkOk: sdk !== null,
    sdkError,
    sdkHashedKeys: sdk ? Object.keys(sdk.user_data).filter((k) => Array.isArray(sdk.user_data[k])) : [],
  });
}

const both = fixtures.filter((f) => f.relayOk && f.sdkOk); // the like-for-like corpus
// The canonical Studio webhook (fixtures/canonical.json) on its own.
const { file: exampleFile, payload: example } = contractExample();
const exampleConfig = relay.parseConfig(BENCH_ENV);
const exampleOk = run(example, exampleConfig, now) === 1;
const relayAll = fixtures.filter((f) => f.relayOk);
// Before vs after on the same fixtures: those both versions turn into an event.
const beforeAfter = relayAll.filter((f) => f.baseOk);
const three = relayAll.filter((f) => f.events3 === 3);
const floorInputs = both.map((f) => f.hashed);
const hashesPerEvent = floorInputs.reduce((n, h) => n + h.length, 0) / Math.max(1, both.length);
const nodeHash = (s) => createHash("sha256").update(s).digest("hex");
const nobleHash = (s) => bytesToHex(sha256(utf8ToBytes(s)));
const jsHash = jsSha256.sha256 ?? jsSha256;

let sink = 0;
const hashLoop = (fn) => () => {
  for (const list of floorInputs) for (const s of list) sink += fn(s).length;
};
const loop =
  (list, fn, configOf = (f) => f.config) =>
  () => {
    for (const f of list) sink += fn(f.payload, configOf(f), now);
  };
const sameSet = (a, b) => a.length === b.length && a.every((f, i) => f === b[i]);
// Webhooks per pass; µs are per webhook (with three destinations a webhook is three events).
const candidates = {
  relay: { events: both.length, pass: loop(both, run) },
  "relay (all fixtures)": { events: relayAll.length, pass: loop(relayAll, run) },
  ...(runBase && beforeAfter.length
    ? {
        ...(sameSet(beforeAfter, relayAll)
          ? {}
          : { "relay (fixtures both versions take)": { events: beforeAfter.length, pass: loop(beforeAfter, run) } }),
        "before (all fixtures)": {
          events: beforeAfter.length,
          pass: loop(beforeAfter, runBase, (f) => f.baseConfig),
        },
        before: {
          events: both.filter((f) => f.baseOk).length,
          pass: loop(
            both.filter((f) => f.baseOk),
            runBase,
            (f) => f.baseConfig,
          ),
        },
      }
    : {}),
  ...(sameSet(three, relayAll)
    ? {}
    : { "relay (fixtures with 3 events)": { events: three.length, pass: loop(three, run) } }),
  "relay, 3 destinations (all fixtures)": { events: three.length, pass: loop(three, run, (f) => f.config3) },
  "relay, phone min metadata (what-if, all fixtures)": { events: relayAll.length, pass: loop(relayAll, runPhoneMin) },
  sdk: {
    events: both.length,
    pass: () => {
      for (const f of both) sink += sdkTransform(f.payload, 1).event_time;
    },
  },
  "relay (contract example)": {
    events: exampleOk ? 1 : 0,
    pass: () => {
      sink += run(example, exampleConfig, now);
    },
  },
  "sdk (contract example)": {
    events: 1,
    pass: () => {
      sink += sdkTransform(example, 1).event_time;
    },
  },
  floor: { events: both.length, pass: hashLoop(relay.sha256Hex) },
  "hash: @noble/hashes": { events: both.length, pass: hashLoop(nobleHash) },
  "hash: node:crypto": { events: both.length, pass: hashLoop(nodeHash) },
  "hash: js-sha256 (SDK's)": { events: both.length, pass: hashLoop(jsHash) },
  "JSON.parse": {
    events: both.length,
    pass: () => {
      for (const f of both) sink += JSON.parse(f.text) ? 1 : 0;
    },
  },
};
const allKey = sameSet(beforeAfter, relayAll) ? "relay (all fixtures)" : "relay (fixtures both versions take)";
const threeBaseKey = sameSet(three, relayAll) ? "relay (all fixtures)" : "relay (fixtures with 3 events)";

function measure(pass, events, minMs) {
  const start = performance.now();
  let passes = 0;
  let t = start;
  while (t - start < minMs) {
    pass();
    passes++;
    t = performance.now();
  }
  return ((t - start) * 1000) / (passes * events); // µs per webhook
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
  fixtures: fixtures.map(({ payload, text, config, config3, baseConfig, hashed, ...f }) => ({
    ...f,
    hashes: hashed.length,
  })),
  likeForLike: both.map((f) => f.name),
  base: base
    ? {
        entry: path.relative(ROOT, opts.baseEntry),
        fixtures: beforeAfter.map((f) => f.name),
        likeForLike: both.filter((f) => f.baseOk).map((f) => f.name),
      }
    : null,
  threeDestinations: three.map((f) => f.name),
  cold,
  exampleFile,
  hashesPerEvent,
  floorInputs,
  usPerEvent: Object.fromEntries(names.map((n) => [n, { rounds: perRound[n], ...summary(perRound[n]) }])),
  ratios: {
    "sdk / relay": summary(ratio("sdk", "relay") ?? [NaN]),
    "sdk / relay (contract example)": summary(ratio("sdk (contract example)", "relay (contract example)") ?? [NaN]),
    "relay / floor": summary(ratio("relay", "floor") ?? [NaN]),
    "sdk / floor": summary(ratio("sdk", "floor") ?? [NaN]),
    "after / before (all fixtures)": summary(ratio(allKey, "before (all fixtures)") ?? [NaN]),
    "after / before (like-for-like)": summary(ratio("relay", "before") ?? [NaN]),
    "3 destinations / 1": summary(ratio("relay, 3 destinations (all fixtures)", threeBaseKey) ?? [NaN]),
    "phone max / phone min metadata": summary(
      ratio("relay (all fixtures)", "relay, phone min metadata (what-if, all fixtures)") ?? [NaN],
    ),
  },
  sink,
};
console.log(JSON.stringify(result));
