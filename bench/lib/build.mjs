/**
 * esbuild bundles of the relay's pure code for Node and workerd, so the benchmarks run exactly
 * src/ (TypeScript, Bundler resolution) without a TS loader.
 *
 * `record: true` gives src/ a `sha256Hex` that remembers every text it hashes (src/transform/hash.ts
 * wrapped): that gives the floor benchmark "the same fields" the transform hashes. Timing runs use
 * the plain bundle.
 * `phoneMin: true` is a what-if: libphonenumber-js `min` metadata instead of the `max` less
 * formats that src/transform/phone.ts imports (./phoneMetadata.json), to size what the full
 * number ranges cost (bytes and CPU).
 * `entry` may be the base's (bench/lib/base.mjs): the relay before this round, same bench names.
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

const PHONE = path.join(SRC, "transform/phone.ts");
/** src/transform/phone.ts's metadata -> libphonenumber-js's `metadata.min.json` (what-if builds only). */
export const phoneMinPlugin = {
  name: "phone-min-metadata",
  setup(b) {
    b.onResolve({ filter: /^\.\/phoneMetadata\.json$/ }, async (args) => {
      if (args.importer !== PHONE) return undefined;
      const resolved = await b.resolve("libphonenumber-js/metadata.min.json", {
        kind: args.kind,
        resolveDir: args.resolveDir,
      });
      return { path: resolved.path };
    });
  },
};

/** Bundle bench/lib/relay-entry.ts (transformWebhook, parseConfig, sha256Hex) as one ESM file. */
export async function buildRelayForNode({
  outfile,
  record = false,
  phoneMin = false,
  platform = "node",
  entry = "bench/lib/relay-entry.ts",
}) {
  await build({
    entryPoints: [path.resolve(ROOT, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform,
    mainFields: ["module", "main"],
    external: ["node:*"],
    target: "es2022",
    conditions: ["workerd", "worker", "import"],
    plugins: [...(record ? [recordPlugin] : []), ...(phoneMin ? [phoneMinPlugin] : [])],
    logLevel: "error",
    sourcemap: "linked",
  });
  return outfile;
}
