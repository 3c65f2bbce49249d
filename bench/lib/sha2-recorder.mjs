// Bench-only stand-in for "@noble/hashes/sha2.js" in src/ (see build.mjs, record: true):
// the real sha256, plus a log of every message it hashes, as UTF-8 text.
import { sha256 as realSha256 } from "@noble/hashes/sha2.js";
export * from "@noble/hashes/sha2.js";

const decoder = new TextDecoder();
globalThis.__sha256Inputs = [];

export const sha256 = Object.assign((message, ...rest) => {
  globalThis.__sha256Inputs.push(typeof message === "string" ? message : decoder.decode(message));
  return realSha256(message, ...rest);
}, realSha256);
