/**
 * Inside workerd (local `wrangler dev` of bench/workerd/): SHA-256 implementations as the
 * Workers runtime provides them, and the relay's transform (now, before this round, and with
 * three destinations), timed in long loops by the Worker itself (performance.now()). The clock
 * is checked first against the wall clock seen from outside, since workerd may freeze it during
 * computation (it does on Cloudflare's edge).
 *
 * @example
 * const r = await runInsideWorkerd({ strings, likeForLike, allFixtures, baseEntry, now, rounds: 5, minMs: 300 });
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { withThreeDestinations } from "./lib/corpus.mjs";
import { startWranglerDev } from "./lib/wrangler.mjs";
import { summary } from "./lib/stats.mjs";

export const HASH_IMPLS = ["relay", "noble", "nodeCrypto", "webCrypto", "jsSha256"];

async function post(url, job) {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(job) });
  const body = await res.json();
  if (!res.ok || body.error) throw new Error(`bench worker: ${JSON.stringify(body)}`);
  return body;
}

export async function runInsideWorkerd({
  strings,
  likeForLike,
  allFixtures,
  baseEntry,
  baseFixtures = [],
  baseApi = "base",
  now,
  rounds = 5,
  minMs = 300,
  warmMs = 300,
  spin = 3e7,
}) {
  const outDir = path.join(ROOT, "bench/out/workerd");
  await buildRelayForNode({ outfile: path.join(outDir, "relay.mjs"), platform: "neutral" });
  const basePath = path.join(outDir, "relay-base.mjs");
  if (baseEntry) await buildRelayForNode({ outfile: basePath, platform: "neutral", entry: baseEntry });
  else fs.writeFileSync(basePath, "// bench/lib/base.mjs could not prepare the base\nexport const missing = true;\n");
  const dev = await startWranglerDev({
    config: path.join(ROOT, "bench/workerd/wrangler.toml"),
    label: "workerd-bench",
    persistTo: path.join(outDir, "state"),
  });
  try {
    // 1. Does performance.now() advance while the Worker computes? Compare with the wall clock.
    const clock = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await post(dev.url, { kind: "calibrate", spin });
      clock.push({ insideMs: r.ms, outsideMs: performance.now() - t0 });
    }
    const advances = clock.every((c) => c.insideMs >= 1 && c.insideMs <= c.outsideMs + 1); // a frozen clock reads 0
    if (!advances) throw new Error(`performance.now() does not advance inside workerd: ${JSON.stringify(clock)}`);

    // 1b. The first country name in a fresh isolate (each version's module once), before any transform.
    const countries = {};
    for (const variant of ["current", ...(baseEntry ? ["base"] : [])]) {
      const res = await post(dev.url, { kind: "countries", variant });
      if (res.answers[0] !== "de" || res.answers[1] !== "ru") throw new Error(`findCountry: ${JSON.stringify(res)}`);
      countries[variant] = { firstMs: res.firstMs, secondMs: res.secondMs, warmUsPerCall: res.warmUs / 1000 };
    }

    // 2. Hash implementations, interleaved round by round, after a warm-up call each.
    for (const impl of HASH_IMPLS) await post(dev.url, { kind: "hash", impl, strings, minMs: warmMs });
    const hashes = Object.fromEntries(HASH_IMPLS.map((k) => [k, []]));
    const checks = {};
    for (let r = 0; r < rounds; r++) {
      for (const impl of r % 2 ? [...HASH_IMPLS].reverse() : HASH_IMPLS) {
        const res = await post(dev.url, { kind: "hash", impl, strings, minMs });
        hashes[impl].push((res.ms * 1000) / res.passes); // µs per pass over `strings`
        checks[impl] = res.first;
      }
    }
    const agree = new Set(Object.values(checks)).size === 1;

    // 3. The relay's transform: now, before this round (same fixtures), with three destinations.
    const inBase = (list) => list.filter((f) => baseFixtures.includes(f.name));
    const variants = {
      "relay (like-for-like corpus)": { variant: "current", fixtures: likeForLike },
      "relay (all fixtures)": { variant: "current", fixtures: allFixtures },
      ...(baseEntry && baseFixtures.length
        ? {
            ...(inBase(allFixtures).length === allFixtures.length
              ? {}
              : { "relay (fixtures both versions take)": { variant: "current", fixtures: inBase(allFixtures) } }),
            "before (like-for-like)": { variant: "base", api: baseApi, fixtures: inBase(likeForLike) },
            "before (all fixtures)": { variant: "base", api: baseApi, fixtures: inBase(allFixtures) },
          }
        : {}),
      "relay, 3 destinations (all fixtures)": {
        variant: "current",
        fixtures: allFixtures.map((f) => ({ ...f, env: withThreeDestinations(f.env) })),
        eventsPerWebhook: 3,
      },
    };
    const transform = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    const transformOk = {};
    const job = (v, ms) => ({
      kind: "transform",
      variant: v.variant,
      api: v.api ?? v.variant,
      fixtures: v.fixtures,
      eventsPerWebhook: v.eventsPerWebhook ?? 1,
      now,
      minMs: ms,
    });
    for (const v of Object.values(variants)) await post(dev.url, job(v, warmMs * 2));
    for (let r = 0; r < rounds; r++) {
      const names = Object.keys(variants);
      for (const name of r % 2 ? [...names].reverse() : names) {
        const res = await post(dev.url, job(variants[name], minMs));
        transform[name].push((res.ms * 1000) / res.webhooks); // µs per webhook
        transformOk[name] = res.events === res.expected;
      }
    }
    const tRatio = (a, b) =>
      transform[a] && transform[b] ? summary(transform[a].map((x, i) => x / transform[b][i])) : undefined;
    const allKey = transform["relay (fixtures both versions take)"]
      ? "relay (fixtures both versions take)"
      : "relay (all fixtures)";
    const ratio = (a, b) => summary(hashes[a].map((x, i) => x / hashes[b][i]));
    return {
      clock,
      countries,
      clockResolutionMs: clock.every((c) => Number.isInteger(c.insideMs)) ? 1 : "sub-ms",
      stringsPerPass: strings.length,
      hashUsPerPass: Object.fromEntries(Object.entries(hashes).map(([k, v]) => [k, summary(v)])),
      hashRatiosVsNoble: Object.fromEntries(HASH_IMPLS.map((k) => [k, ratio(k, "noble")])),
      hashesAgree: agree,
      transformUsPerEvent: Object.fromEntries(Object.entries(transform).map(([k, v]) => [k, summary(v)])),
      transformRatios: {
        "after / before (all fixtures)": tRatio(allKey, "before (all fixtures)"),
        "after / before (like-for-like)": tRatio("relay (like-for-like corpus)", "before (like-for-like)"),
        "3 destinations / 1": tRatio("relay, 3 destinations (all fixtures)", "relay (all fixtures)"),
      },
      transformAllEvents: transformOk,
    };
  } finally {
    await dev.stop();
  }
}
