/**
 * Builds public/console/page.js, the operator console page's renderer, from src/console/main.ts
 * with esbuild (the version wrangler itself installs, pinned in package.json): one minified
 * script that Workers Static Assets serve, so the page's templates and words are not in the
 * Worker's bundle. The shell the Worker serves for `GET /admin` loads it under its CSP nonce.
 *
 * Run it after changing src/console (or what it imports): `npm run build:console`. `--check`
 * writes nothing and exits 1 when the committed file differs from what the sources give now
 * (src/console/build.test.ts runs it).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { writeOrCheck } from "./lib/writeOrCheck.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TARGET = path.join(ROOT, "public/console/page.js");

async function main() {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/console/main.ts"],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    banner: { js: "// Built from src/console by `npm run build:console` (scripts/build-console.mjs): do not edit." },
    write: false,
    logLevel: "silent",
  });
  const next = result.outputFiles[0].text;
  writeOrCheck({ target: TARGET, next, fix: "npm run build:console" });
}

await main();
