/**
 * Bench-only Worker: runs timed loops inside workerd and answers `{ passes, ms, ... }`.
 * The clock is `performance.now()`; bench/run.mjs first checks that it advances during pure
 * computation in local workerd (on Cloudflare's edge it would not: there only I/O moves it).
 *
 * It imports the relay as bundles bench/run.mjs builds first (bench/out/workerd/): the real
 * one, and a what-if one with the one-shot SHA-256 candidate as sha256Hex.
 *
 * POST / with JSON:
 *   { kind: "calibrate", spin }                                  busy loop, report elapsed
 *   { kind: "hash", impl, strings, minMs }                       SHA-256 hex of each string, repeated
 *   { kind: "transform", variant, fixtures: [{payload, env}], now, minMs }  transformWebhook
 *
 * @example
 * curl -s 127.0.0.1:8790 -d '{"kind":"hash","impl":"noble","strings":["a"],"minMs":300}'
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { createHash } from "node:crypto";
import { jsSha256Hex } from "./js-sha256-pure.js";
import { sha256HexOneShot } from "../candidates/sha256.ts";
import * as relayReal from "../out/workerd/relay.mjs";
import * as relayOneShot from "../out/workerd/relay-oneshot.mjs";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function hex(buffer) {
  const bytes = new Uint8Array(buffer);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

const encoder = new TextEncoder();
const IMPLS = {
  /** src/hash.ts, what the relay uses. */
  relay: (s) => relayReal.sha256Hex(s),
  noble: (s) => bytesToHex(sha256(utf8ToBytes(s))),
  nodeCrypto: (s) => createHash("sha256").update(s).digest("hex"),
  webCrypto: async (s) => hex(await crypto.subtle.digest("SHA-256", encoder.encode(s))),
  jsSha256: (s) => jsSha256Hex(s),
  oneShot: (s) => sha256HexOneShot(s),
};
const RELAYS = { real: relayReal, oneShot: relayOneShot };

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
    if (job.kind === "hash") {
      const impl = IMPLS[job.impl];
      if (!impl) return Response.json({ error: `unknown impl ${job.impl}` }, { status: 400 });
      const strings = job.strings;
      let check = "";
      const isAsync = impl("") instanceof Promise;
      const pass = isAsync
        ? async () => { for (const s of strings) check = await impl(s); }
        : () => { for (const s of strings) check = impl(s); };
      await timeLoop(Math.min(50, job.minMs), pass); // warm-up
      const { passes, ms } = await timeLoop(job.minMs, pass);
      return Response.json({ passes, ms, hashes: passes * strings.length, check, first: await impl(strings[0] ?? "") });
    }
    if (job.kind === "transform") {
      const relay = RELAYS[job.variant ?? "real"];
      const items = job.fixtures.map((f) => ({ payload: f.payload, config: relay.parseConfig(f.env) }));
      let events = 0;
      const pass = () => {
        for (const f of items) if (relay.transformWebhook(f.payload, f.config, job.now).outcome === "event") events++;
      };
      await timeLoop(Math.min(50, job.minMs), pass);
      events = 0;
      const { passes, ms } = await timeLoop(job.minMs, pass);
      return Response.json({ passes, ms, events, expected: passes * items.length });
    }
    return Response.json({ error: "unknown kind" }, { status: 400 });
  },
};
