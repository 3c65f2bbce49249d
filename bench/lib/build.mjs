/**
 * esbuild bundles of the relay's pure code for Node and workerd, so the benchmarks run exactly
 * src/ (TypeScript, Bundler resolution) without a TS loader.
 *
 * `record: true` gives src/ a `sha256Hex` that remembers every text it hashes (src/transform/hash.ts
 * wrapped): that gives the floor benchmark "the same fields" the transform hashes. Timing runs use
 * the plain bundle.
 * `phoneMin: true` is a what-if: libphonenumber-js `min` metadata instead of the `max` less
 * formats that src/transform/phone.ts imports (./phoneMetadata.ts), to size what the full
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
/**
 * An esbuild plugin giving src/transform/phone.ts libphonenumber-js's `metadata.<set>.json`
 * (`min`, `max`, …) in place of its ./phoneMetadata.ts (what-if builds only).
 */
export function phoneMetadataPlugin(set) {
  return {
    name: `phone-metadata-${set}`,
    setup(b) {
      b.onResolve({ filter: /^\.\/phoneMetadata$/ }, (args) =>
        args.importer === PHONE ? { path: set, namespace: "phone-metadata" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "phone-metadata" }, (args) => ({
        contents: `export { default as PHONE_METADATA } from "libphonenumber-js/metadata.${args.path}.json";`,
        loader: "js",
        resolveDir: ROOT,
      }));
    },
  };
}

/** The relay with libphonenumber-js's `min` metadata. */
export const phoneMinPlugin = phoneMetadataPlugin("min");

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
