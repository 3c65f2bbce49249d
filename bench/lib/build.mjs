/**
 * esbuild bundles of the relay's pure code for Node, so the benchmarks run exactly src/
 * (TypeScript, Bundler resolution) without a TS loader.
 *
 * `record: true` gives src/ a `sha256Hex` that remembers every text it hashes (src/hash.ts
 * wrapped, whatever implementation it uses): that gives the floor benchmark "the same fields"
 * the transform hashes. Timing runs use the plain bundle.
 * `oneShotHash: true` makes src/ use bench/candidates/sha256.ts for `sha256Hex` (what-if run).
 * `platform: "neutral"` builds for workerd (the bench Worker imports these bundles).
 *
 * @example
 * const file = await buildRelayForNode({ outfile: "bench/out/relay.mjs" });
 * const { transformWebhook, parseConfig } = await import(pathToFileURL(file).href);
 */
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = path.join(ROOT, "src") + path.sep;

const recordPlugin = {
  name: "record-sha256-inputs",
  setup(b) {
    b.onResolve({ filter: /^\.\/hash$/ }, (args) =>
      args.importer.startsWith(SRC) ? { path: path.join(ROOT, "bench/lib/hash-recorder.ts") } : undefined,
    );
  },
};

const oneShotPlugin = {
  name: "one-shot-sha256",
  setup(b) {
    b.onResolve({ filter: /^\.\/hash$/ }, (args) =>
      args.importer.startsWith(SRC) ? { path: path.join(ROOT, "bench/candidates/hash-swap.ts") } : undefined,
    );
  },
};

/** Bundle bench/lib/relay-entry.ts (transformWebhook, parseConfig, sha256Hex) as one ESM file. */
export async function buildRelayForNode({ outfile, record = false, oneShotHash = false, platform = "node", entry = "bench/lib/relay-entry.ts" }) {
  await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform,
    mainFields: ["module", "main"],
    external: ["node:*"],
    target: "es2022",
    conditions: ["workerd", "worker", "import"],
    plugins: [...(record ? [recordPlugin] : []), ...(oneShotHash ? [oneShotPlugin] : [])],
    logLevel: "error",
    sourcemap: "linked",
  });
  return outfile;
}
