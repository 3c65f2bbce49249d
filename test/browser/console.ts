/**
 * The console's real-browser tests' helpers. What a page reports while a real-browser test runs:
 * console errors, uncaught exceptions and unhandled rejections, and failed requests (a test page
 * should end with none); the console's static assets; waiting for the page to render.
 *
 * @example
 * ```ts
 * const problems = watchPage(page);
 * await page.goto(server.url);
 * expect(problems.list()).toEqual([]);
 * ```
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { type FetchHandler, staticRoutes } from "./server";

export interface PageProblems {
  /** Everything reported since the watch began (or since the last `clear()`), one line each. */
  list(): string[];
  clear(): void;
  /**
   * Clears what was reported and throws it, if anything was: an `afterEach` hook's way to fail
   * the test that just ran with what the page reported (a hook is no test of its own).
   */
  throwIfAny(): void;
}

export function watchPage(page: Page): PageProblems {
  let problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return {
    list: () => [...problems],
    clear: () => {
      problems = [];
    },
    throwIfAny: () => {
      const seen = problems;
      problems = [];
      if (seen.length > 0) throw new Error(`The page reported problems: ${JSON.stringify(seen)}`);
    },
  };
}

/**
 * The console's static assets (public/console/: the stylesheet, the page's renderer page.js and
 * the buttons' console.js) as Workers Static Assets serve them, before the Worker runs.
 *
 * @example
 * ```ts
 * const assets = consoleAssets();
 * serve((request) => (new URL(request.url).pathname.startsWith("/console/") ? assets(request) : app.fetch(request, env)));
 * ```
 */
export function consoleAssets(): FetchHandler {
  const file = (name: string, type: string) => ({
    type,
    body: readFileSync(fileURLToPath(new URL(`../../public/console/${name}`, import.meta.url)), "utf8"),
  });
  return staticRoutes({
    "/console/console.css": file("console.css", "text/css"),
    "/console/page.js": file("page.js", "text/javascript"),
    "/console/console.js": file("console.js", "text/javascript"),
  });
}

/**
 * Waits until the console page's script has put the page in (or said why not): the shell the
 * Worker serves holds no data.
 *
 * @example
 * ```ts
 * await page.reload();
 * await rendered(page);
 * ```
 */
export async function rendered(page: Page): Promise<void> {
  await page.locator("body[data-console]").waitFor();
}
