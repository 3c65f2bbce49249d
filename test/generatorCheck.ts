/// <reference types="node" />
/**
 * Runs one of the project's generators with `--check` (scripts/lib/writeOrCheck.mjs): what it
 * prints when the committed file is what it makes now; it throws (exit 1, naming the command to
 * run) when the file is stale. The tests of generated files (the console's page.js, the phone
 * metadata, the country table) each call it.
 *
 * @example
 * ```ts
 * expect(() => checkGenerated("scripts/build-console.mjs")).not.toThrow();
 * ```
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** @param script the generator's path from the project's root */
export function checkGenerated(script: string): string {
  return execFileSync(process.execPath, [path.join(ROOT, script), "--check"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: "pipe",
  });
}
