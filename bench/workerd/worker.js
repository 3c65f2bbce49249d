/**
 * Bench-only Worker: runs timed loops inside workerd and answers `{ passes, ms, ... }`.
 * The clock is `performance.now()`; bench/run.mjs first checks that it advances during pure
 * computation in local workerd (on Cloudflare's edge it would not: there only I/O moves it).
 *
 * It imports the relay as bundles bench/workerd.mjs builds first (bench/out/workerd/): the
 * current source, and the relay before this round (bench/lib/base.mjs; a stub that
 * answers `missing` when the base could not be prepared).
 *
 * POST / with JSON:
 *   { kind: "calibrate", spin }                                  busy loop, report elapsed
 *   { kind: "countries", variant }                               first country name looked up (builds the map), then warm
 *   { kind: "hash", impl, strings, minMs }                       SHA-256 hex of each string, repeated
 *   { kind: "transform", variant: "current"|"base", fixtures: [{payload, env}], now, minMs }
 *                                                                transformWebhook, events counted
 *
 * @example
 * curl -s 127.0.0.1:8790 -d '{"kind":"hash","impl":"noble","strings":["a"],"minMs":300}'
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { createHash } from "node:crypto";
import { jsSha256Hex } from "./js-sha256-pure.js";
import { eventsOf } from "../lib/transforms.mjs";
import * as relayCurrent from "../out/workerd/relay.mjs";
import * as relayBase from "../out/workerd/relay-base.mjs";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function hex(buffer) {
  const bytes = new Uint8Array(buffer);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

const encoder = new TextEncoder();
const IMPLS = {
  /** src/transform/hash.ts, what the relay uses (its own one-shot SHA-256, src/transform/sha256.ts). */
  relay: (s) => relayCurrent.sha256Hex(s),
  noble: (s) => bytesToHex(sha256(utf8ToBytes(s))),
  nodeCrypto: (s) => createHash("sha256").update(s).digest("hex"),
  webCrypto: async (s) => hex(await crypto.subtle.digest("SHA-256", encoder.encode(s))),
  jsSha256: (s) => jsSha256Hex(s),
};
const RELAYS = { current: relayCurrent, base: relayBase };

async function timeLoop(minMs, pass) {
  const start = performance.now();
  let passes = 0;
  let now = start;
  while (now - start < minMs) {
    await pass();
    passes++;
    now = performance.now();
  }
  return { passes, ms: now - start };
}

export default {
  async fetch(request) {
    if (request.method !== "POST") return Response.json({ ok: true });
    const job = await request.json();
    if (job.kind === "calibrate") {
      const t0 = performance.now();
      let x = 0;
      for (let i = 0; i < job.spin; i++) x = (x + i * 7) % 1000003;
      return Response.json({ ms: performance.now() - t0, x });
    }
    if (job.kind === "countries") {
      // The first country name looked up in this isolate builds the name map (src/transform/countries.ts).
      const relay = RELAYS[job.variant ?? "current"];
      if (!relay?.findCountry) return Response.json({ error: `no findCountry in ${job.variant}` }, { status: 400 });
      const t0 = performance.now();
      const first = relay.findCountry("Deutschland");
      const t1 = performance.now();
      const second = relay.findCountry("Россия");
      const t2 = performance.now();
      for (let i = 0; i < 1000; i++) relay.findCountry("Deutschland");
      const t3 = performance.now();
      return Response.json({ firstMs: t1 - t0, secondMs: t2 - t1, warmUs: t3 - t2, answers: [first, second] });
    }
    if (job.kind === "hash") {
      const impl = IMPLS[job.impl];
      if (!impl) return Response.json({ error: `unknown impl ${job.impl}` }, { status: 400 });
      const strings = job.strings;
      let check = "";
      const isAsync = impl("") instanceof Promise;
      const pass = isAsync
        ? async () => {
            for (const s of strings) check = await impl(s);
          }
        : () => {
            for (const s of strings) check = impl(s);
          };
      await timeLoop(Math.min(50, job.minMs), pass); // warm-up
      const { passes, ms } = await timeLoop(job.minMs, pass);
      return Response.json({ passes, ms, hashes: passes * strings.length, check, first: await impl(strings[0] ?? "") });
    }
    if (job.kind === "transform") {
      const variant = job.variant ?? "current";
      const relay = RELAYS[variant];
      if (!relay || relay.missing)
        return Response.json({ error: `relay ${variant} is not available` }, { status: 400 });
      const run = eventsOf(relay, job.api ?? variant);
      const items = job.fixtures.map((f) => ({ payload: f.payload, config: relay.parseConfig(f.env) }));
      const perWebhook = job.eventsPerWebhook ?? 1;
      let events = 0;
      const pass = () => {
        for (const f of items) events += run(f.payload, f.config, job.now);
      };
      await timeLoop(Math.min(50, job.minMs), pass);
      events = 0;
      const { passes, ms } = await timeLoop(job.minMs, pass);
      return Response.json({
        passes,
        ms,
        events,
        webhooks: passes * items.length,
        expected: passes * items.length * perWebhook,
      });
    }
    return Response.json({ error: "unknown kind" }, { status: 400 });
  },
};
