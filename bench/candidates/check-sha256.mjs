/**
 * Differential check of the candidate one-shot SHA-256 against node:crypto (bench-only).
 *
 * @example
 * node bench/candidates/check-sha256.mjs   # "ok 20000 strings"
 */
import { build } from "esbuild";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, "../out/sha256-candidate.mjs");
await build({ entryPoints: [path.join(here, "sha256.ts")], outfile, bundle: true, format: "esm", platform: "neutral", logLevel: "error" });
const { sha256HexOneShot } = await import(pathToFileURL(outfile).href);

const alphabet = ["a", "Z", "0", "@", ".", " ", "é", "ü", "ß", "中", "😀", "\ud800", "\udc00", "\u0000", "\uffff"];
let n = 0;
for (let i = 0; i < 20000; i++) {
  const len = i < 300 ? i : Math.floor(Math.random() * (i % 7 === 0 ? 400 : 80));
  let s = "";
  for (let j = 0; j < len; j++) s += i < 300 ? "x" : alphabet[Math.floor(Math.random() * alphabet.length)];
  const want = createHash("sha256").update(Buffer.from(new TextEncoder().encode(s))).digest("hex");
  const got = sha256HexOneShot(s);
  if (got !== want) {
    console.error("MISMATCH", JSON.stringify(s), got, want);
    process.exit(1);
  }
  n++;
}
console.log(`ok ${n} strings`);
