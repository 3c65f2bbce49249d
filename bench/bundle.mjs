/**
 * Bundle size: what `wrangler deploy --dry-run --outdir` would upload, gzipped, and what each
 * dependency contributes to it:
 *   - raw bytes in the bundle per package / src file, from wrangler's own esbuild metafile;
 *   - gzip bytes saved if the package were gone: the same entry rebuilt with esbuild (same
 *     conditions as wrangler) with that package marked external, gzipped, and subtracted;
 *   - what-if: the Worker built with bench/candidates/webhook-mini.ts (zod/mini) in place of
 *     src/webhook.ts, plain and minified.
 *
 * @example
 * const b = await runBundle();  // { wrangler: { rawBytes, gzipBytes, ... }, packages: [...] }
 */
import { execFile } from "node:child_process";
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { parse as parseJsonc } from "jsonc-parser";
import { ROOT } from "./lib/build.mjs";
import { childEnv } from "./lib/wrangler.mjs";

const run = promisify(execFile);

const gz = (buf) => gzipSync(buf, { level: 9 }).length;

async function wranglerDryRun(outdir, minify) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const args = ["deploy", "--dry-run", "--outdir", outdir, "--metafile", path.join(outdir, "meta.json")];
  if (minify) args.push("--minify");
  const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/wrangler"), args, { cwd: ROOT, env: childEnv(), maxBuffer: 1 << 24 });
  const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout + stderr);
  const main = fs.readdirSync(outdir).filter((f) => /\.(m?js)$/.test(f));
  const bytes = main.map((f) => fs.readFileSync(path.join(outdir, f)));
  return {
    files: main,
    rawBytes: bytes.reduce((n, b) => n + b.length, 0),
    gzipBytes: bytes.reduce((n, b) => n + gz(b), 0),
    wranglerReported: reported ? { totalKiB: Number(reported[1]), gzipKiB: Number(reported[2]) } : null,
    meta: JSON.parse(fs.readFileSync(path.join(outdir, "meta.json"), "utf8")),
  };
}

function packageOf(input) {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return nm ? nm[1] : input.replace(/^.*?(src\/)/, "$1");
}

const SRC = path.join(ROOT, "src") + path.sep;
const swapWebhookPlugin = {
  name: "webhook-mini",
  setup(b) {
    b.onResolve({ filter: /^\.\/webhook$/ }, (args) =>
      args.importer.startsWith(SRC) ? { path: path.join(ROOT, "bench/candidates/webhook-mini.ts") } : undefined,
    );
  },
};

async function esbuildSize(external, { swapWebhook = false, minify = wranglerMinifies() } = {}) {
  const result = await build({
    plugins: swapWebhook ? [swapWebhookPlugin] : [],
    minify,
    keepNames: true, // as wrangler does (adds __name() calls)
    entryPoints: [path.join(ROOT, "src/index.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["node:*", "cloudflare:*", ...external],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { raw: code.length, gzip: gz(code) };
}

/** Whether wrangler.jsonc asks wrangler to minify (then the esbuild builds here minify too). */
function wranglerMinifies() {
  return parseJsonc(fs.readFileSync(path.join(ROOT, "wrangler.jsonc"), "utf8")).minify === true;
}

export async function runBundle() {
  const minifyLikeWrangler = wranglerMinifies();
  const plain = await wranglerDryRun(path.join(ROOT, "bench/out/bundle"), false);
  const minified = await wranglerDryRun(path.join(ROOT, "bench/out/bundle-min"), true);
  const output = Object.entries(plain.meta.outputs).find(([k]) => /\.m?js$/.test(k))[1];
  const byPackage = {};
  for (const [input, info] of Object.entries(output.inputs)) {
    const key = packageOf(input);
    byPackage[key] = (byPackage[key] ?? 0) + info.bytesInOutput;
  }
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies ?? {});
  const base = await esbuildSize([]);
  const packages = [];
  for (const dep of [...new Set([...deps, ...Object.keys(byPackage).filter((k) => !k.startsWith("src/"))])]) {
    const without = await esbuildSize([dep, `${dep}/*`]);
    packages.push({ name: dep, rawInBundle: byPackage[dep] ?? 0, gzipSaved: base.gzip - without.gzip, rawSaved: base.raw - without.raw });
  }
  packages.sort((a, b) => b.rawInBundle - a.rawInBundle);
  // What-if: the same Worker with bench/candidates/webhook-mini.ts (zod/mini) as src/webhook.ts.
  const zodMini = await esbuildSize([], { swapWebhook: true }).catch(() => null);
  const zodMiniMinified = await esbuildSize([], { swapWebhook: true, minify: true }).catch(() => null);
  const ours = Object.entries(byPackage).filter(([k]) => k.startsWith("src/"));
  return {
    wrangler: { files: plain.files, rawBytes: plain.rawBytes, gzipBytes: plain.gzipBytes, reported: plain.wranglerReported },
    wranglerMinified: { rawBytes: minified.rawBytes, gzipBytes: minified.gzipBytes, reported: minified.wranglerReported },
    esbuildCheck: { ...base, minified: minifyLikeWrangler },
    withZodMini: zodMini,
    withZodMiniMinified: zodMiniMinified,
    packages,
    ourCode: { rawInBundle: ours.reduce((n, [, v]) => n + v, 0), files: Object.fromEntries(ours.sort((a, b) => b[1] - a[1])) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runBundle();
  console.log(JSON.stringify(r, null, 1));
}
