/**
 * The snippet's `collect` option in a real headless Chromium: a shop page on one origin runs the
 * snippet (with a recording `fbq`, and without one, as under an ad blocker) and a stand-in for the
 * relay on another origin (another port, test/browser/collectCapture.ts) receives the collected
 * events. Checks that the Pixel call and the collected event carry the same `event_id` and event
 * name (as the relay's own parser and planner read the body), the batching, that the cookies go
 * with the request, and that what waits is flushed on pagehide when the shopper leaves.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium } from "./chromium";
import { captureCollect, type CollectCapture } from "./collectCapture";
import { watchPage, type PageProblems } from "./console";
import { browserPayload, relayBrowserOutcomes, SNIPPET_SOURCE, type SnippetRun } from "./pixelExpectations";
import { serve, staticRoutes, type Served } from "./server";

const PIXEL = "1234567890";

/**
 * The shop page. `?fbq=0` leaves the Pixel out (blocked). `holdTimers` keeps the snippet's batching
 * timer from ever running, so only pagehide can send what waits.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shop</title>
<script>
  document.cookie = "_fbp=fb.1.1732560000000.1098765432; path=/";
  window.fbqCalls = [];
  if (location.search.indexOf("fbq=0") < 0) {
    window.fbq = function () { window.fbqCalls.push(JSON.parse(JSON.stringify(Array.prototype.slice.call(arguments)))); };
  }
  var realSetTimeout = window.setTimeout;
  window.holdTimers = false;
  window.setTimeout = function (callback, ms) {
    return window.holdTimers ? 0 : realSetTimeout(callback, ms);
  };
</script>
<script src="/studio-pixel.js"></script>
<script>
  window.runAll = function (payloads, options) {
    window.fbqCalls = [];
    return Promise.all(payloads.map(function (payload) { return cartfulMetaPixel(payload, options); }))
      .then(function (results) { return { results: results, calls: window.fbqCalls }; });
  };
</script>
</head><body><a id="away" href="/empty">away</a></body></html>`;

interface ShopPage {
  runAll(payloads: unknown[], options: unknown): Promise<{ results: SnippetRun["result"][]; calls: unknown[][] }>;
  holdTimers: boolean;
}

const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("the snippet's collect option in headless Chromium", () => {
  let shop: Served;
  let capture: CollectCapture;
  let page: Page;
  let problems: PageProblems;
  let options: { collect: string; pixels: { id: string }[] };

  beforeAll(async () => {
    shop = await serve(
      staticRoutes({
        "/": { type: "text/html", body: PAGE },
        "/studio-pixel.js": { type: "text/javascript", body: SNIPPET_SOURCE },
        "/empty": { type: "text/html", body: '<!doctype html><link rel="icon" href="data:,">' },
      }),
    );
    capture = await captureCollect(new URL(shop.url).origin);
    options = { collect: capture.url, pixels: [{ id: PIXEL }] };
    page = await chromium.browser!.newPage();
    problems = watchPage(page);
  });

  beforeEach(() => {
    capture.requests.length = 0;
  });

  afterEach(() => {
    // A keepalive request outlives its document: when the page goes away first (the pagehide
    // flush, or the next test's navigation) Chromium reports it aborted to the page while it still
    // reaches the server (the tests check what the server received). Anything else is a problem.
    const aborted = `request failed: ${capture.url} (net::ERR_ABORTED)`;
    const left = problems.list().filter((line) => line !== aborted);
    problems.clear();
    if (left.length > 0) throw new Error(`the page reported problems:\n${left.join("\n")}`);
  });

  afterAll(async () => {
    await page?.close();
    await chromium.browser?.close();
    await capture?.close();
    await shop?.close();
  });

  const runAll = (payloads: unknown[], opts: unknown = options) =>
    page.evaluate(([p, o]) => (globalThis as unknown as ShopPage).runAll(p, o), [payloads, opts] as const);

  const posts = () => capture.requests.filter((request) => request.method === "POST");

  it("sends the Pixel's events to another origin, batched, with the same event_id and event name", async () => {
    await page.goto(shop.url);
    const payloads = [
      browserPayload(),
      browserPayload({ type: "product:view", product: { product_id: "2", price: 5 } }),
      browserPayload({ type: "quiz:complete", product: undefined }),
    ];
    const { results, calls } = await runAll(payloads);
    await expect.poll(() => posts().length).toBe(1);
    const [request] = posts();
    expect(request).toMatchObject({ origin: new URL(shop.url).origin, contentType: "text/plain" });
    // credentials: "include": the page's first-party cookie goes with the request.
    expect(request!.cookie).toContain("_fbp=fb.1.1732560000000.1098765432");
    // text/plain needs no preflight.
    expect(capture.requests.filter((r) => r.method === "OPTIONS")).toEqual([]);
    expect(request!.body.page_url).toBe(shop.url);
    expect(request!.body.fbp).toBe("fb.1.1732560000000.1098765432");

    const relay = relayBrowserOutcomes(request!.body);
    const tracks = calls.filter((call) => String(call[0]).startsWith("track"));
    expect(relay).toHaveLength(3);
    for (const [i, outcome] of relay.entries()) {
      if (!outcome.sent) throw new Error(`the relay would skip event ${i}: ${outcome.reason}`);
      expect(tracks[i]).toEqual([
        i === 2 ? "trackSingleCustom" : "trackSingle",
        PIXEL,
        outcome.eventName,
        outcome.customData,
        { eventID: outcome.eventId },
      ]);
      expect(results[i]).toMatchObject({ fired: true, collected: true, eventID: outcome.eventId });
    }
    expect(relay.map((outcome) => outcome.sent && [outcome.eventName, outcome.eventId])).toEqual([
      ["AddToCart", "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789"],
      ["ViewContent", "cartful.ses_5f1c9a7e2b.2.product:view.2"],
      ["QuizComplete", "cartful.ses_5f1c9a7e2b.2.quiz:complete"],
    ]);
  });

  it("sends the server copy when fbq is missing (an ad blocker)", async () => {
    await page.goto(`${shop.url}?fbq=0`);
    const { results, calls } = await runAll([browserPayload()], { collect: capture.url });
    expect(calls).toEqual([]);
    expect(results[0]).toMatchObject({ fired: true, collected: true, events: [] });
    await expect.poll(() => posts().length).toBe(1);
    const [outcome] = relayBrowserOutcomes(posts()[0]!.body);
    expect(outcome).toMatchObject({ sent: true, eventName: "AddToCart", eventId: results[0]!.eventID });
  });

  it("sends at most 20 events a request", async () => {
    await page.goto(shop.url);
    const payloads = Array.from({ length: 23 }, (_, i) =>
      browserPayload({ type: "product:view", product: { product_id: String(1000 + i) } }),
    );
    const { results } = await runAll(payloads);
    await expect.poll(() => posts().length).toBe(2);
    expect(posts().map((request) => request.body.events.length)).toEqual([20, 3]);
    const sent = posts().flatMap((request) => request.body.events.map((event: { event_id: string }) => event.event_id));
    expect(sent).toEqual(results.map((result) => result.eventID));
  });

  it("flushes what waits on pagehide when the shopper leaves the page", async () => {
    await page.goto(shop.url);
    await page.evaluate(() => {
      (globalThis as unknown as ShopPage).holdTimers = true;
    });
    await runAll([browserPayload(), browserPayload({ type: "quiz:complete", product: undefined })]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(posts()).toEqual([]);
    await page.click("#away");
    await page.waitForURL(/\/empty$/);
    await expect.poll(() => posts().length).toBe(1);
    expect(posts()[0]!.body.events.map((event: { type: string }) => event.type)).toEqual([
      "product:addToCart",
      "quiz:complete",
    ]);
  });
});
