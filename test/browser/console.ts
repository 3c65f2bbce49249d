/**
 * What a page reports while a real-browser test runs: console errors, uncaught exceptions and
 * unhandled rejections, and failed requests. A test page should end with none.
 *
 * @example
 * ```ts
 * const problems = watchPage(page);
 * await page.goto(server.url);
 * expect(problems.list()).toEqual([]);
 * ```
 */
import type { Page } from "playwright-core";

export interface PageProblems {
  /** Everything reported since the watch began (or since the last `clear()`), one line each. */
  list(): string[];
  clear(): void;
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
  };
}
