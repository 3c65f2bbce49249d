// Bench-only stand-in for "./hash" in src/ (see build.mjs, record: true): src/hash.ts as is,
// with sha256Hex logging each text it hashes to globalThis.__sha256Inputs.
import { sha256Hex as realSha256Hex } from "../../src/transform/hash";

export * from "../../src/transform/hash";

const log = globalThis as { __sha256Inputs?: string[] };

export function sha256Hex(text: string): string {
  (log.__sha256Inputs ??= []).push(text);
  return realSha256Hex(text);
}
