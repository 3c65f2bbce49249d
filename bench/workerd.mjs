/**
 * Inside workerd (local `wrangler dev` of bench/workerd/): SHA-256 implementations as the
 * Workers runtime provides them, and the relay's transform, timed in long loops by the Worker
 * itself (performance.now()). The clock is checked first against the wall clock seen from
 * outside, since workerd may freeze it during computation (it does on Cloudflare's edge).
 *
 * @example
 * const r = await runInsideWorkerd({ strings, fixtures, now, rounds: 5, minMs: 300 });
 */
import path from "node:path";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { startWranglerDev } from "./lib/wrangler.mjs";
import { summary } from "./lib/stats.mjs";

export const HASH_IMPLS = ["relay", "noble", "nodeCrypto", "webCrypto", "jsSha256", "oneShot"];

async function post(url, job) {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(job) });
  const body = await res.json();
  if (!res.ok || body.error) throw new Error(`bench worker: ${JSON.stringify(body)}`);
  return body;
}

export async function runInsideWorkerd({ strings, likeForLike, allFixtures, now, rounds = 5, minMs = 300, warmMs = 300, spin = 3e7 }) {
  const outDir = path.join(ROOT, "bench/out/workerd");
  await buildRelayForNode({ outfile: path.join(outDir, "relay.mjs"), platform: "neutral" });
  await buildRelayForNode({ outfile: path.join(outDir, "relay-oneshot.mjs"), platform: "neutral", oneShotHash: true });
  const dev = await startWranglerDev({ config: path.join(ROOT, "bench/workerd/wrangler.toml"), label: "workerd-bench", persistTo: path.join(outDir, "state") });
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

    // 3. The relay's transform, real and with the one-shot hash.
    const variants = {
      "relay (like-for-like corpus)": { variant: "real", fixtures: likeForLike },
      "relay + one-shot hash (like-for-like)": { variant: "oneShot", fixtures: likeForLike },
      "relay (all fixtures)": { variant: "real", fixtures: allFixtures },
      "relay + one-shot hash (all fixtures)": { variant: "oneShot", fixtures: allFixtures },
    };
    const transform = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    const transformOk = {};
    for (const v of Object.values(variants)) await post(dev.url, { kind: "transform", variant: v.variant, fixtures: v.fixtures, now, minMs: warmMs * 2 });
    for (let r = 0; r < rounds; r++) {
      for (const [name, v] of Object.entries(variants)) {
        const res = await post(dev.url, { kind: "transform", variant: v.variant, fixtures: v.fixtures, now, minMs });
        transform[name].push((res.ms * 1000) / res.expected); // µs per event
        transformOk[name] = res.events === res.expected;
      }
    }
    const ratio = (a, b) => summary(hashes[a].map((x, i) => x / hashes[b][i]));
    return {
      clock,
      clockResolutionMs: clock.every((c) => Number.isInteger(c.insideMs)) ? 1 : "sub-ms",
      stringsPerPass: strings.length,
      hashUsPerPass: Object.fromEntries(Object.entries(hashes).map(([k, v]) => [k, summary(v)])),
      hashRatiosVsNoble: Object.fromEntries(HASH_IMPLS.map((k) => [k, ratio(k, "noble")])),
      hashesAgree: agree,
      transformUsPerEvent: Object.fromEntries(Object.entries(transform).map(([k, v]) => [k, summary(v)])),
      transformAllEvents: transformOk,
    };
  } finally {
    await dev.stop();
  }
}
