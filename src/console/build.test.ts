/// <reference types="node" />
/**
 * public/console/page.js, the console page's renderer as Workers Static Assets serve it, is what
 * `npm run build:console` makes from src/console now: a change to the page's code (or to what it
 * imports) without a rebuild fails here, not in an operator's browser.
 */
import { describe, expect, it } from "vitest";
import { checkGenerated } from "../../test/generatorCheck";

describe("public/console/page.js", () => {
  it("is what scripts/build-console.mjs makes from src/console", () => {
    expect(checkGenerated("scripts/build-console.mjs")).toContain("up to date");
  });
});
