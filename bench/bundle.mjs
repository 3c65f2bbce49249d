/**
 * Bundle size: what `wrangler deploy --dry-run --outdir` would upload, gzipped, and what each
 * part contributes to it, now and before this round (the base, bench/lib/base.mjs):
 *   - raw bytes in the bundle per package / src file, from wrangler's own esbuild metafile;
 *   - gzip bytes saved if a package were gone: the same entry rebuilt with esbuild (same
 *     conditions and minification as wrangler) with that package marked external, gzipped, and
 *     subtracted;
 *   - what parts of the relay cost, by rebuilding without them: the operator console's Worker side
 *     (src/http/console/routes.ts as an empty router: login, sessions, the shell, test event and
 *     the console's data fall away with it; its page is a static asset) and zod's English
 *     messages;
 *   - the Workers Static Assets beside the bundle (public/): the console's page and the
 *     transform's data tables (public/data/), which the Worker reads at first use.
 *
 * @example
 * const b = await runBundle({ base });  // { wrangler: { rawBytes, gzipBytes, ... }, packages: [...], base: {...}, whatIf: {...} }
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

async function wranglerDryRun(outdir, config) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const args = [
    "deploy",
    "--dry-run",
    "--outdir",
    outdir,
    "--metafile",
    path.join(outdir, "meta.json"),
    ...(config ? ["--config", config] : []),
  ];
  const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/wrangler"), args, {
    cwd: ROOT,
    env: childEnv(),
    maxBuffer: 1 << 24,
  });
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

/** The package a bundle input belongs to, or its src/ path (the base's src/ too). */
function packageOf(input) {
  const rel = input.replace(/^.*?relay-bench\/base-[^/]+\//, "");
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  return nm ? nm[1] : rel.replace(/^.*?(src\/)/, "$1");
}

function byPackage(meta) {
  const output = Object.entries(meta.outputs).find(([k]) => /\.m?js$/.test(k))[1];
  const out = {};
  for (const [input, info] of Object.entries(output.inputs)) {
    const key = packageOf(input);
    out[key] = (out[key] ?? 0) + info.bytesInOutput;
  }
  return out;
}

/** What-if: zod's English messages (`zod/v4/locales`, src/transform/webhook.ts `z.config(en())`) left out. */
const noZodLocalesPlugin = {
  name: "no-zod-locales",
  setup(b) {
    b.onResolve({ filter: /^zod\/v4\/locales$/ }, () => ({ path: "zod-locales", namespace: "what-if-zod" }));
    b.onLoad({ filter: /.*/, namespace: "what-if-zod" }, () => ({
      contents: "export const en = () => ({ localeError: () => undefined });",
      loader: "js",
    }));
  },
};

const CONSOLE_ROUTES = path.join(ROOT, "src/http/console/routes.ts");
/** src/http/console/routes.ts as an empty router: the Worker without the operator console. */
const noConsolePlugin = {
  name: "no-console",
  setup(b) {
    b.onLoad({ filter: /routes\.ts$/ }, (args) =>
      args.path === CONSOLE_ROUTES
        ? {
            contents:
              'import { Hono } from "hono";\nexport function consoleRoutes(_deps: unknown) { return new Hono(); }\n',
            loader: "ts",
            resolveDir: path.dirname(args.path),
          }
        : undefined,
    );
  },
};

/** The Worker as esbuild builds it with wrangler's settings (minified when the config asks). */
async function esbuildSize({ entry = path.join(ROOT, "src/index.ts"), external = [], plugins = [], minify }) {
  const result = await build({
    plugins,
    minify,
    keepNames: true, // as wrangler does (adds __name() calls)
    entryPoints: [entry],
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

/** Whether a wrangler config asks wrangler to minify (then the esbuild builds here minify too). */
function minifies(config) {
  const text = fs.readFileSync(config, "utf8");
  return config.endsWith(".toml") ? /^\s*minify\s*=\s*true\b/m.test(text) : parseJsonc(text).minify === true;
}

/** Per package: raw bytes in the bundle, and the gzip bytes the Worker would lose without it. */
async function packages({ entry, dir, meta, minify }) {
  const raw = byPackage(meta);
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies ?? {});
  const base = await esbuildSize({ entry, minify });
  const list = [];
  for (const dep of new Set([...deps, ...Object.keys(raw).filter((k) => !k.startsWith("src/"))])) {
    const without = await esbuildSize({ entry, minify, external: [dep, `${dep}/*`] });
    list.push({
      name: dep,
      rawInBundle: raw[dep] ?? 0,
      gzipSaved: base.gzip - without.gzip,
      rawSaved: base.raw - without.raw,
    });
  }
  list.sort((a, b) => b.rawInBundle - a.rawInBundle);
  const ours = Object.entries(raw)
    .filter(([k]) => k.startsWith("src/"))
    .sort((a, b) => b[1] - a[1]);
  return {
    esbuild: { ...base, minified: minify },
    packages: list,
    ourCode: { rawInBundle: ours.reduce((n, [, v]) => n + v, 0), files: Object.fromEntries(ours) },
  };
}

/** Files under a Workers Static Assets directory: count, raw and gzip bytes (served apart from the Worker). */
function staticAssets(dir) {
  if (!fs.existsSync(dir)) return { directory: path.relative(ROOT, dir), files: 0, rawBytes: 0, gzipBytes: 0 };
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = fs.readFileSync(path.join(dir, f));
    raw += bytes.length;
    gzip += gz(bytes);
  }
  return { directory: path.relative(ROOT, dir), files: files.length, rawBytes: raw, gzipBytes: gzip };
}

export async function runBundle({ base } = {}) {
  const config = path.join(ROOT, "wrangler.jsonc");
  const minify = minifies(config);
  const now = await wranglerDryRun(path.join(ROOT, "bench/out/bundle"), undefined);
  const current = await packages({ entry: path.join(ROOT, "src/index.ts"), dir: ROOT, meta: now.meta, minify });
  // What this round's additions cost: the same Worker without each.
  const noConsole = fs.existsSync(CONSOLE_ROUTES) ? await esbuildSize({ minify, plugins: [noConsolePlugin] }) : null;
  const noZodLocales = await esbuildSize({ minify, plugins: [noZodLocalesPlugin] });
  // Workers Static Assets (wrangler.jsonc "assets"): served beside the Worker, not in its bundle.
  const settings = parseJsonc(fs.readFileSync(config, "utf8"));
  const assetsDir = settings.assets?.directory ? path.resolve(ROOT, settings.assets.directory) : null;
  const assets = assetsDir ? staticAssets(assetsDir) : null;
  // The transform's data tables (src/transform/dataTables.ts), read by the Worker at first use.
  const dataTables =
    assetsDir && fs.existsSync(path.join(assetsDir, "data")) ? staticAssets(path.join(assetsDir, "data")) : null;
  let before = null;
  if (base && !base.error) {
    const baseMinify = minifies(base.wranglerConfig);
    const dry = await wranglerDryRun(path.join(ROOT, "bench/out/bundle-base"), base.wranglerConfig);
    before = {
      commit: base.commit,
      wrangler: { files: dry.files, rawBytes: dry.rawBytes, gzipBytes: dry.gzipBytes, reported: dry.wranglerReported },
      ...(await packages({
        entry: path.join(base.dir, "src/index.ts"),
        dir: base.dir,
        meta: dry.meta,
        minify: baseMinify,
      })),
    };
  }
  return {
    wrangler: { files: now.files, rawBytes: now.rawBytes, gzipBytes: now.gzipBytes, reported: now.wranglerReported },
    esbuildCheck: current.esbuild,
    packages: current.packages,
    ourCode: current.ourCode,
    whatIf: {
      noConsole: noConsole ? { ...noConsole, gzipSaved: current.esbuild.gzip - noConsole.gzip } : null,
      noZodLocales: { ...noZodLocales, gzipSaved: current.esbuild.gzip - noZodLocales.gzip },
    },
    staticAssets: assets,
    dataTables,
    base: before,
    baseError: base?.error,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { prepareBase } = await import("./lib/base.mjs");
  const r = await runBundle({ base: prepareBase() });
  console.log(JSON.stringify(r, null, 1));
}
