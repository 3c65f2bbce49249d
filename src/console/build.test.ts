/// <reference types="node" />
/**
 * public/console/page.js, the console page's renderer as Workers Static Assets serve it, is what
 * `npm run build:console` makes from src/console now: a change to the page's code (or to what it
 * imports) without a rebuild fails here, not in an operator's browser.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("public/console/page.js", () => {
  it("is what scripts/build-console.mjs makes from src/console", () => {
    const check = () =>
      execFileSync(process.execPath, [path.join(ROOT, "scripts/build-console.mjs"), "--check"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: "pipe",
      });
    expect(check()).toContain("up to date");
  });
});
