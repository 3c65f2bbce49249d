/**
 * Differential check of bench/candidates/webhook-mini.ts (zod/mini) against src/webhook.ts
 * (zod classic): parseWebhook on every fixture, and on each fixture with every leaf (and every
 * object) replaced by each of a handful of awkward values. Prints the number of cases and any
 * case whose result (webhook or issues) differs.
 *
 * @example
 * npx node bench/candidates/check-webhook-mini.mjs   # "same result on 1234 cases"
 */
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadCorpus } from "../lib/corpus.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "../out");
async function bundle(entry, name) {
  const outfile = path.join(out, name);
  await build({ entryPoints: [entry], outfile, bundle: true, format: "esm", platform: "node", logLevel: "error" });
  return import(pathToFileURL(outfile).href);
}
const classic = await bundle(path.join(here, "../../src/webhook.ts"), "webhook-classic.mjs");
const mini = await bundle(path.join(here, "webhook-mini.ts"), "webhook-mini.mjs");

const AWKWARD = [undefined, null, "", "  ", "x", "TRUE", "granted", "0", "-3", "12.50", 0, -1, 1.5, 1795632127, true, false, [], {}, [1], { a: 1 }];

function* leaves(value, prefix = []) {
  if (value && typeof value === "object") {
    yield prefix;
    for (const [k, v] of Object.entries(value)) yield* leaves(v, [...prefix, k]);
  } else {
    yield prefix;
  }
}
function withValue(root, pathKeys, value) {
  if (pathKeys.length === 0) return value;
  const copy = structuredClone(root);
  let cur = copy;
  for (const k of pathKeys.slice(0, -1)) cur = cur[k];
  const last = pathKeys.at(-1);
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

let cases = 0;
const diffs = [];
for (const entry of loadCorpus()) {
  const fieldMap = classic.parseFieldMap(entry.env.FIELD_MAP);
  for (const keys of leaves(entry.payload)) {
    for (const value of keys.length === 0 ? [entry.payload, ...AWKWARD] : AWKWARD) {
      const payload = keys.length === 0 ? value : withValue(entry.payload, keys, value);
      // Each side gets its own copy: src/webhook.ts applyFieldMap writes into the caller's array items.
      const a = JSON.stringify(classic.parseWebhook(structuredClone(payload), fieldMap));
      const b = JSON.stringify(mini.parseWebhook(structuredClone(payload), fieldMap));
      cases++;
      if (a !== b) {
        let i = 0;
        while (a[i] === b[i]) i++;
        diffs.push({ fixture: entry.name, path: keys.join("."), value, classic: a.slice(Math.max(0, i - 80), i + 120), mini: b.slice(Math.max(0, i - 80), i + 120) });
      }
    }
  }
}
if (diffs.length) {
  console.log(`${diffs.length} of ${cases} cases differ; first ones:`);
  for (const d of diffs.slice(0, 8)) console.log(JSON.stringify(d));
  process.exitCode = 1;
} else {
  console.log(`same result on ${cases} cases`);
}
