/**
 * The console page in a real headless Chromium, rendered by its script (public/console/page.js)
 * from models of every shape: what the relay's first minutes give (no traffic, a dry run, no
 * destination at all), a model with every optional field set, and a model that cannot be read.
 * The Worker's console routes serve the shell and `GET /admin/console.json` from a model the test
 * chooses (the `model` of their runtime); a Bearer reads them, as a script would.
 *
 * For each model the page the browser shows reads, word for word, as the same code renders it
 * in Node from the model before it became JSON: whatever the model holds survives the trip, and
 * the committed page.js is that code. test/browser/console.test.ts drives the page with real traffic.
 */
import { Hono } from "hono";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { renderConsole } from "../../src/console/page";
import { modeLabel } from "../../src/console/words";
import { defaultRuntime } from "../../src/core/runtime";
import { buildConsoleModel } from "../../src/http/console/data";
import type { ConsoleModel } from "../../src/http/console/model";
import { sampleConsoleModel } from "../../src/http/console/model.sample";
import { consoleRoutes } from "../../src/http/console/routes";
import { launchChromium } from "./chromium";
import { consoleAssets, type PageProblems, rendered, watchPage } from "./console";
import { serve, type Served } from "./server";

const ADMIN_SECRET = "console-models-browser-test-admin-secret";
const MIN = 60_000;

/** Every optional field of the model set, on every destination. */
function everyOptionalField(now: number): ConsoleModel {
  const model = sampleConsoleModel(now);
  model.relay.problem = "DESTINATIONS: destination 2 has no pixel_id <b>(escaped)</b>";
  model.relay.apiVersion = "v27.0";
  for (const d of model.destinations) {
    d.testEventCode ??= "TEST4521";
    d.circuit ??= {
      cause: "meta_refused",
      since: now - 30 * MIN,
      held: 3,
      nextProbeAt: now + 5 * MIN,
      lastFailure: { status: 400, code: 190, subcode: 463, message: "Session has expired.", fbtraceId: "TrAcE190" },
    };
    d.failingSince ??= now - 40 * MIN;
    d.lastAccepted = { at: now - 50 * MIN, fbtraceId: "TrAcEok" };
    d.lastFailure ??= { at: now - 20 * MIN, status: 500, code: 2, message: "Please retry.", fbtraceId: "TrAcE2" };
    d.latencyMs ??= { p50: 1_800, p95: 7_400, count: 57 };
    d.hint ??= "fbc on 12 %: pass the _fbc cookie";
  }
  for (const letter of model.deadLetters) {
    letter.code ??= 100;
    letter.subcode ??= 2804019;
    letter.fbtraceId ??= "TrAcE100";
  }
  return model;
}

const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("the console page from models of every shape, in headless Chromium", () => {
  let server: Served;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  /** What the console's model builder answers next. */
  let nextModel: () => Promise<ConsoleModel> = async () => sampleConsoleModel(Date.now());

  beforeAll(async () => {
    const routes = new Hono().route(
      "/admin",
      consoleRoutes({ ...defaultRuntime(), log: () => {}, model: () => nextModel() }),
    );
    const assets = consoleAssets();
    server = await serve((request) =>
      new URL(request.url).pathname.startsWith("/console/") ? assets(request) : routes.fetch(request, { ADMIN_SECRET }),
    );
    context = await chromium.browser!.newContext({
      viewport: { width: 1280, height: 900 },
      extraHTTPHeaders: { authorization: `Bearer ${ADMIN_SECRET}` },
    });
    page = await context.newPage();
    problems = watchPage(page);
  });

  afterEach(() => problems.throwIfAny());

  afterAll(async () => {
    await context?.close();
    await chromium.browser?.close();
    await server?.close();
  });

  /** Opens the console on `model`, and answers what its body reads as, once rendered. */
  async function open(model: ConsoleModel): Promise<string> {
    nextModel = async () => model;
    await page.goto(new URL("/admin", server.url).href);
    await rendered(page);
    expect(await page.locator("body").getAttribute("data-console")).toBe("ready");
    return page.evaluate<string>("document.body.textContent");
  }

  /** What `model` reads as when the same code renders it in Node, before it became JSON. */
  async function inNode(model: ConsoleModel): Promise<string> {
    const body = renderConsole(model, { csrfToken: "" });
    return page.evaluate<string>(
      `new DOMParser().parseFromString(${JSON.stringify(body)}, "text/html").body.textContent`,
    );
  }

  async function widthAt(width: number): Promise<number> {
    await page.setViewportSize({ width, height: 844 });
    const scrolled = await page.evaluate<number>("document.documentElement.scrollWidth");
    await page.setViewportSize({ width: 1280, height: 900 });
    return scrolled;
  }

  it("renders a relay's first minutes: one destination running dry, no traffic, no dead letters", async () => {
    const env = { ADMIN_SECRET, META_PIXEL_ID: "123456789012345" };
    const model = await buildConsoleModel(env as never, Date.now());
    expect(model.relay.mode).toBe("dry_run");
    const shown = await open(model);
    expect(shown).toBe(await inNode(model));
    const name = model.destinations[0]!.name;
    expect(await page.locator("[data-relay-mode]").innerText()).toBe(modeLabel("dry_run"));
    expect(await page.locator(`article[data-destination="${name}"] [data-mode]`).innerText()).toBe(
      modeLabel("dry_run"),
    );
    expect(await page.locator(`article[data-destination="${name}"] [data-alert="dry_run"]`).count()).toBe(1);
    expect(await page.locator('[data-fact="last-accepted"]').innerText()).toBe("none yet");
    expect(await page.locator("li[data-dead-letter]").count()).toBe(0);
    expect(await page.locator("#recent tr[data-event]").count()).toBe(0);
    // No test-event button (it would send nothing): the card says why; logging out stays.
    expect(await page.locator('button[data-action="test-event"]').count()).toBe(0);
    expect(await page.locator(`article[data-destination="${name}"] .test-event`).innerText()).toContain(
      "Test events need a token",
    );
    expect(await page.locator('form[action="/admin/logout"] button').count()).toBe(1);
    expect(await widthAt(390)).toBeLessThanOrEqual(390);
  });

  it("renders a relay with no destination at all", async () => {
    const model = { ...(await buildConsoleModel({ ADMIN_SECRET } as never, Date.now())), destinations: [] };
    const shown = await open(model);
    expect(shown).toBe(await inNode(model));
    expect(await page.locator("article[data-destination]").count()).toBe(0);
    expect(await page.locator("#summary").innerText()).toContain("No destination is configured.");
  });

  it("renders every optional field of the model, escaped, with the local time on hover", async () => {
    const now = Date.now();
    const model = everyOptionalField(now);
    const shown = await open(model);
    expect(shown).toBe(await inNode(model));
    expect(await page.locator(".alert.bad").first().innerText()).toContain(
      "DESTINATIONS: destination 2 has no pixel_id <b>(escaped)</b>",
    );
    expect(await page.locator("main b").count()).toBe(0);
    for (const d of model.destinations) {
      const card = page.locator(`article[data-destination="${d.name}"]`);
      expect(await card.locator('[data-fact="latency"]').innerText()).toContain(`${d.latencyMs!.count} leads`);
      expect(await card.locator('[data-fact="last-accepted"]').innerText()).toContain("TrAcEok");
    }
    // The page says UTC; the hover text adds the reader's own clock (set by page.js, not the model).
    const titles = await page
      .locator("time[datetime]")
      .evaluateAll((times) => times.map((t) => t.getAttribute("title")));
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title).toMatch(/ your time$/);
    expect(titles.some((title) => / UTC · .+ your time$/.test(title ?? ""))).toBe(true);
    expect(await widthAt(390)).toBeLessThanOrEqual(390);
  });

  it("says the data could not be read when the model fails, and offers to reload", async () => {
    nextModel = async () => {
      throw new Error("the metrics store is away");
    };
    await page.goto(new URL("/admin", server.url).href);
    await rendered(page);
    expect(await page.locator("body").getAttribute("data-console")).toBe("failed");
    expect(await page.locator("h1").innerText()).toBe("The console's data could not be read");
    expect(await page.locator("main").innerText()).toContain("HTTP 503");
    expect(await page.locator('a[href="/admin"]').innerText()).toBe("Reload");
    // The 503 is the answer we meant; Chromium reports it as a console error too.
    expect(problems.list()).toEqual([
      `HTTP 503: ${new URL("/admin/console.json", server.url).href}`,
      "console.error: Failed to load resource: the server responded with a status of 503 (Service Unavailable)",
    ]);
    problems.clear();
  });

  it("says a session that ended meanwhile, with a link to log in again, and does not reload on its own", async () => {
    nextModel = async () => sampleConsoleModel(Date.now());
    await page.route("**/admin/console.json", (route) =>
      route.fulfill({ status: 401, contentType: "application/json", body: '{"error":{"code":"unauthorized"}}' }),
    );
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(new URL("/admin", server.url).href);
    await rendered(page);
    expect(await page.locator("body").getAttribute("data-console")).toBe("ended");
    expect(await page.locator("h1").innerText()).toBe("Your session has ended");
    expect(await page.locator('a[href="/admin"]').innerText()).toBe("Log in");
    await page.waitForTimeout(300);
    expect(loads).toBe(1);
    await page.unroute("**/admin/console.json");
    // Besides the 401s we meant: on a loaded machine a read of console.json still in flight from
    // the page before is aborted by this test's navigation, which Chromium reports too.
    const aborted = `request failed: ${new URL("/admin/console.json", server.url).href} (net::ERR_ABORTED)`;
    expect(problems.list().filter((line) => line !== aborted && !line.includes("401"))).toEqual([]);
    problems.clear();
  });
});
