/**
 * Bundle size: what `wrangler deploy --dry-run --outdir` would upload, gzipped, and what each
 * dependency contributes to it:
 *   - raw bytes in the bundle per package / src file, from wrangler's own esbuild metafile;
 *   - gzip bytes saved if the package were gone: the same entry rebuilt with esbuild (same
 *     conditions as wrangler) with that package marked external, gzipped, and subtracted.
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
import { ROOT } from "./lib/build.mjs";
import { childEnv } from "./lib/wrangler.mjs";

const run = promisify(execFile);

/** A schema shaped like src/webhook.ts's, written with zod/mini, to size that alternative. */
const ZOD_MINI_PROBE = `
import * as z from "zod/mini";
const text = z.pipe(z.string(), z.transform((s) => s.trim()));
const num = z.union([z.number(), z.pipe(z.string(), z.transform(Number))]);
export const schema = z.looseObject({
  type: z._default(z.string(), "email:submit"), id: text, occurred_at: z.union([z.string(), z.number()]),
  store: z.optional(z.looseObject({ domain: z.optional(text), currency: z.optional(text) })),
  quiz: z.optional(z.looseObject({ id: z.optional(text), name: z.optional(text) })),
  session: z.optional(z.looseObject({ id: z.optional(text), attempt: z.nullish(num) })),
  shopper: z.looseObject({ email: text, phone: z.nullish(text), marketing_consent: z.nullish(z.union([z.boolean(), z.string()])) }),
  context: z.optional(z.looseObject({ page_url: z.nullish(text), consent: z.optional(z.record(z.string(), z.string())) })),
  recommendations: z.optional(z.array(z.looseObject({ product_id: z.nullish(z.union([z.string(), z.number()])), price: z.nullish(num) }))),
}).check(z.refine((w) => w.id !== "", "id"));
export const parse = (x) => schema.safeParse(x);
`;
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

async function esbuildSize(external) {
  const result = await build({
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

export async function runBundle() {
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
  // What-if: zod's tree-shakable build ("zod/mini") for a schema of the same kind.
  const zodMini = await build({
    stdin: { contents: ZOD_MINI_PROBE, resolveDir: ROOT, loader: "ts" },
    bundle: true, write: false, format: "esm", platform: "neutral",
    conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], logLevel: "silent",
  }).then((r) => gz(r.outputFiles[0].contents)).catch(() => null);
  const ours = Object.entries(byPackage).filter(([k]) => k.startsWith("src/"));
  return {
    wrangler: { files: plain.files, rawBytes: plain.rawBytes, gzipBytes: plain.gzipBytes, reported: plain.wranglerReported },
    wranglerMinified: { rawBytes: minified.rawBytes, gzipBytes: minified.gzipBytes, reported: minified.wranglerReported },
    esbuildCheck: base,
    zodMiniProbeGzip: zodMini,
    packages,
    ourCode: { rawInBundle: ours.reduce((n, [, v]) => n + v, 0), files: Object.fromEntries(ours.sort((a, b) => b[1] - a[1])) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runBundle();
  console.log(JSON.stringify(r, null, 1));
}
