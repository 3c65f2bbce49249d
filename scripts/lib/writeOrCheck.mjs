/**
 * The one ending of the project's generators (build:console, generate:phone, generate:countries):
 * write the file they make, or with `--check` write nothing and exit 1 when the committed file is
 * not what they make now (a test runs each with `--check`, so a stale file fails `npm test`).
 *
 * @example
 * writeOrCheck({ target: TARGET, next, fix: "npm run generate:phone" });
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * @param {{ target: string, next: string, fix: string }} options `fix`: the command that brings
 *   the file up to date, named in the message when it is stale
 */
export function writeOrCheck({ target, next, fix }) {
  const name = path.relative(process.cwd(), target);
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // missing: reported as stale below
    }
    if (current !== next) {
      console.error(`${name} is not what its sources make now: run \`${fix}\``);
      process.exit(1);
    }
    console.log(`${name} is up to date`);
    return;
  }
  writeFileSync(target, next);
  console.log(`wrote ${name} (${next.length} characters)`);
}
