/**
 * Headless Chromium for the real-browser tests (the vitest project "browser", test/browser/):
 * Debian's `chromium` package, or the browser at CHROME_PATH, driven by playwright-core. Nothing
 * here downloads a browser (playwright-core never does, and its own builds cannot be fetched
 * where this project is built): `.ci/run` installs Debian's package.
 *
 * Without a browser the tests skip, with one line saying how to get one; under `CI=true` a
 * missing browser fails instead, so CI can never pass by skipping them.
 *
 * @example
 * ```ts
 * const chromium = await launchChromium();
 * describe.skipIf(!chromium.browser)("the page in Chromium", () => {
 *   afterAll(() => chromium.browser?.close());
 *   it("loads", async () => { const page = await chromium.browser!.newPage(); … });
 * });
 * ```
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * Flags that let Chromium run here: as root without a sandbox, with no GPU, and without the
 * background traffic (QUIC, component and sync updates, first-run pages) a test has no use for.
 * playwright-core adds `--headless` and a fresh temporary profile (`--user-data-dir`) itself.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** How to get a browser, for the skip line and the CI failure. */
export const GET_A_BROWSER = "apt-get install chromium (Debian), or set CHROME_PATH to a Chromium or Chrome binary";

/** A launched browser, or why there is none. */
export type LaunchedChromium =
  { browser: Browser; skipReason?: undefined } | { browser?: undefined; skipReason: string };

/**
 * The browser binary to use: CHROME_PATH when set, else Debian's; undefined when neither exists.
 *
 * @example
 * ```ts
 * chromiumPath({ CHROME_PATH: "/opt/chrome/chrome" }); // "/opt/chrome/chrome" (if it exists)
 * ```
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidate = env.CHROME_PATH?.trim() || DEBIAN_CHROMIUM;
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Launches headless Chromium with a fresh profile. With no browser on the machine it returns a
 * skip reason and says it on one line (`say`, console.warn by default); under `CI=true` it
 * throws instead. A browser
 * that exists but fails to start always throws: that is a broken install, not a missing one.
 *
 * @example
 * ```ts
 * const { browser, skipReason } = await launchChromium();
 * ```
 */
export async function launchChromium(
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = console.warn,
): Promise<LaunchedChromium> {
  const executablePath = chromiumPath(env);
  if (executablePath === undefined) {
    const where = env.CHROME_PATH?.trim() ? `CHROME_PATH (${env.CHROME_PATH})` : DEBIAN_CHROMIUM;
    const reason = `no Chromium at ${where}: ${GET_A_BROWSER}`;
    if (env.CI === "true") throw new Error(`browser tests cannot run under CI: ${reason}`);
    say(`browser tests skipped: ${reason}`);
    return { skipReason: reason };
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  return { browser };
}
