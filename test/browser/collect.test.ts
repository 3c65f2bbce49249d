/**
 * The snippet's `collect` option end to end in a real headless Chromium: a shop page on one origin
 * runs the snippet (with a recording `fbq`, and without one, as under an ad blocker) against the
 * real relay under `wrangler dev` on another origin (./relayDev: its own state, registry and port),
 * whose queue consumer delivers the server copies to a fake Graph on loopback. Checks that the
 * Pixel call and the server event Meta receives carry the same `event_id` and event name, that the
 * page's first-party cookie reaches Meta as `fbp`, nothing in clear reaches it, the batching (no
 * preflight, at most 20 events a request), that what waits is flushed on pagehide, and that a
 * product view after the email submit reaches Meta with the shopper's hashed email (`em`) while
 * the page's request holds no clear email.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium } from "./chromium";
import { watchPage, type PageProblems } from "./console";
import { browserPayload, sha256, SNIPPET_SOURCE, type SnippetRun } from "./pixelExpectations";
import { startRelayDev, type RelayDev } from "./relayDev";
import { serve, staticRoutes, type Served } from "./server";

const PIXEL = "1234567890";
const TOKEN = "EAAB-browser-collect-token";
const ADMIN = "browser-collect-admin";
const FBP = "fb.1.1732560000000.1098765432";

/**
 * The shop page. `?fbq=0` leaves the Pixel out (blocked). `holdTimers` keeps the snippet's batching
 * timer from ever running, so only pagehide can send what waits.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shop</title>
<script>
  document.cookie = "_fbp=${FBP}; path=/";
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

/** One server event the fake Graph received. */
interface GraphEvent {
  event_id: string;
  event_name: string;
  event_source_url?: string;
  user_data: Record<string, unknown>;
  custom_data?: Record<string, unknown>;
}

/** A request the page made to the relay's endpoint. */
interface Sent {
  method: string;
  contentType: string | undefined;
  body: { events: { event_id: string; type: string; user_data?: Record<string, unknown> }[] } | undefined;
  /** The request body as sent. */
  text: string;
}

const chromium = await launchChromium();
let sessions = 0;
/** A payload of a session of its own, happening now (the relay stamps and bounds event times on its own clock). */
const payload = (overrides: Record<string, unknown> = {}) =>
  browserPayload({
    session: { id: `ses_chromium_${Date.now().toString(36)}_${sessions++}`, attempt: 1 },
    occurred_at: new Date().toISOString(),
    ...overrides,
  });

describe.skipIf(!chromium.browser)("the snippet's collect option against the relay under wrangler dev", () => {
  let shop: Served;
  let graph: Served;
  let relay: RelayDev;
  let page: Page;
  let problems: PageProblems;
  let collect: string;
  const received: { url: string; token: unknown; events: GraphEvent[] }[] = [];
  const sent: Sent[] = [];

  beforeAll(async () => {
    graph = await serve(async (request) => {
      const body = (await request.json()) as { data: GraphEvent[]; access_token: unknown };
      received.push({ url: new URL(request.url).pathname, token: body.access_token, events: body.data });
      return Response.json({ events_received: body.data.length, messages: [], fbtrace_id: "FAKE" });
    });
    shop = await serve(
      staticRoutes({
        "/": { type: "text/html", body: PAGE },
        "/studio-pixel.js": { type: "text/javascript", body: SNIPPET_SOURCE },
        "/empty": { type: "text/html", body: '<!doctype html><link rel="icon" href="data:,">' },
      }),
    );
    relay = await startRelayDev({
      META_GRAPH_URL: graph.url.replace(/\/$/, ""),
      META_ACCESS_TOKEN: TOKEN,
      META_PIXEL_ID: PIXEL,
      WEBHOOK_SECRET: "browser-collect-secret",
      ADMIN_SECRET: ADMIN,
      BROWSER_ORIGINS: new URL(shop.url).origin,
    });
    collect = `${relay.url}/collect/cartful`;
    page = await chromium.browser!.newPage();
    problems = watchPage(page);
    page.on("request", (request) => {
      if (request.url() !== collect) return;
      const data = request.postData();
      sent.push({
        method: request.method(),
        contentType: request.headers()["content-type"],
        body: data ? (JSON.parse(data) as Sent["body"]) : undefined,
        text: data ?? "",
      });
    });
  }, 120_000);

  afterEach(() => {
    // A keepalive request outlives its document: when the page goes away first (the pagehide
    // flush, or the next test's navigation) Chromium reports it aborted to the page while it still
    // reaches the relay (the tests check what Meta received). Anything else is a problem.
    const aborted = `request failed: ${collect} (net::ERR_ABORTED)`;
    const left = problems.list().filter((line) => line !== aborted);
    problems.clear();
    sent.length = 0;
    if (left.length > 0) throw new Error(`the page reported problems:\n${left.join("\n")}`);
  });

  afterAll(async () => {
    await page?.close();
    await chromium.browser?.close();
    await relay?.stop();
    await shop?.close();
    await graph?.close();
  }, 30_000);

  const runAll = (payloads: unknown[], opts: unknown) =>
    page.evaluate(([p, o]) => (globalThis as unknown as ShopPage).runAll(p, o), [payloads, opts] as const);

  /** The server events Meta received for these ids, once all have come (the queue's batch waits up to 5 s). */
  async function serverCopies(ids: readonly string[]): Promise<GraphEvent[]> {
    const find = () => received.flatMap((r) => r.events).filter((event) => ids.includes(event.event_id));
    await expect.poll(() => find().length, { timeout: 25_000, interval: 250 }).toBeGreaterThanOrEqual(ids.length);
    return ids.map((id) => find().find((event) => event.event_id === id)!);
  }

  it("sends the Pixel's events to the relay on another origin; Meta gets the same event_id and event name", async () => {
    await page.goto(shop.url);
    const payloads = [
      payload(),
      payload({ type: "product:view", product: { product_id: "2", price: 5 } }),
      payload({ type: "quiz:complete", product: undefined }),
    ];
    const { results, calls } = await runAll(payloads, { collect, pixels: [{ id: PIXEL }] });
    const tracks = calls.filter((call) => String(call[0]).startsWith("track"));
    expect(tracks).toHaveLength(3);
    const ids = results.map((result) => result.eventID!);
    const copies = await serverCopies(ids);
    for (const [i, copy] of copies.entries()) {
      const [method, pixel, name, , options] = tracks[i] as [string, string, string, unknown, { eventID: string }];
      expect(method).toBe(i === 2 ? "trackSingleCustom" : "trackSingle");
      expect(pixel).toBe(PIXEL);
      expect(copy.event_name).toBe(name);
      expect(copy.event_id).toBe(options.eventID);
      expect(results[i]).toMatchObject({ fired: true, collected: true });
    }
    expect(copies.map((copy) => copy.event_name)).toEqual(["AddToCart", "ViewContent", "QuizComplete"]);
    // One request, text/plain: no preflight.
    expect(sent.map((request) => request.method)).toEqual(["POST"]);
    expect(sent[0]!.contentType).toContain("text/plain");
    // The page's first-party cookie went with the request (credentials) and reached Meta as fbp.
    expect(copies[0]!.user_data.fbp).toBe(FBP);
    expect(copies[0]!.user_data.client_user_agent).toContain("HeadlessChrome");
    expect(copies[0]!.event_source_url).toBe(shop.url);
    expect(copies[0]!.user_data.external_id).toMatch(/^[0-9a-f]{64}$/);
    // Delivered to the destination's pixel with its token; nothing in clear.
    const requests = received.filter((r) => r.events.some((event) => ids.includes(event.event_id)));
    for (const r of requests) {
      expect(r.url).toBe(`/v27.0/${PIXEL}/events`);
      expect(r.token).toBe(TOKEN);
    }
    const wire = JSON.stringify(requests);
    for (const value of ["Jane.Doe@Example.COM", "jane.doe@example.com", "555 0123", "Jane"]) {
      expect(wire).not.toContain(value);
    }
  });

  it("sends the server copy when fbq is missing (an ad blocker)", async () => {
    await page.goto(`${shop.url}?fbq=0`);
    const { results, calls } = await runAll([payload()], { collect });
    expect(calls).toEqual([]);
    expect(results[0]).toMatchObject({ fired: true, collected: true, events: [] });
    const [copy] = await serverCopies([results[0]!.eventID!]);
    expect(copy).toMatchObject({ event_name: "AddToCart", event_id: results[0]!.eventID });
  });

  it("sends at most 20 events a request, and every one reaches Meta", async () => {
    await page.goto(shop.url);
    const payloads = Array.from({ length: 23 }, (_, i) =>
      payload({ type: "product:view", product: { product_id: String(1000 + i) } }),
    );
    const { results } = await runAll(payloads, { collect, pixels: [{ id: PIXEL }] });
    await expect.poll(() => sent.length).toBe(2);
    expect(sent.map((request) => request.body!.events.length)).toEqual([20, 3]);
    const ids = results.map((result) => result.eventID!);
    expect(sent.flatMap((request) => request.body!.events.map((event) => event.event_id))).toEqual(ids);
    expect((await serverCopies(ids)).map((copy) => copy.event_name)).toEqual(ids.map(() => "ViewContent"));
  });

  it("flushes what waits on pagehide when the shopper leaves the page", async () => {
    await page.goto(shop.url);
    await page.evaluate(() => {
      (globalThis as unknown as ShopPage).holdTimers = true;
    });
    const { results } = await runAll([payload(), payload({ type: "quiz:complete", product: undefined })], {
      collect,
      pixels: [{ id: PIXEL }],
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toEqual([]);
    await page.click("#away");
    await page.waitForURL(/\/empty$/);
    const copies = await serverCopies(results.map((result) => result.eventID!));
    expect(copies.map((copy) => copy.event_name)).toEqual(["AddToCart", "QuizComplete"]);
  });

  it("gives a product view after the email submit the shopper's hashed email; the page sends it in clear nowhere", async () => {
    await page.goto(shop.url);
    const session = { id: `ses_chromium_email_${Date.now().toString(36)}`, attempt: 1 };
    const shopper = { customer_id: "7712345" };
    // Studio's email modal: the webhook's lead (the Pixel's copy here; nothing collected), with the email.
    const lead = await runAll(
      [
        payload({
          type: "email:submit",
          session,
          product: undefined,
          shopper: { ...shopper, email: " Jane.Doe@Example.COM " },
        }),
      ],
      { collect, pixels: [{ id: PIXEL }] },
    );
    expect(lead.results[0]).toMatchObject({ fired: true });
    expect(lead.results[0]!.collected).toBeUndefined();
    // Later in the same session: a product view whose payload has no email.
    const { results } = await runAll(
      [payload({ type: "product:view", session, product: { product_id: "31", price: 12 }, shopper })],
      { collect, pixels: [{ id: PIXEL }] },
    );
    expect(results[0]).toMatchObject({ fired: true, collected: true, em: true });
    const [copy] = await serverCopies([results[0]!.eventID!]);
    expect(copy).toMatchObject({ event_name: "ViewContent" });
    expect(copy!.user_data.em).toBe(sha256("jane.doe@example.com"));
    expect(copy!.user_data.external_id).toBe(sha256("7712345"));
    // The page sent one request, for the product view only, with the hash and no clear email.
    expect(sent.map((request) => request.body!.events.map((event) => event.type))).toEqual([["product:view"]]);
    expect(sent[0]!.body!.events[0]!.user_data).toEqual({
      em: sha256("jane.doe@example.com"),
      external_id: sha256("7712345"),
    });
    for (const request of sent) expect(request.text).not.toMatch(/jane|@|%40/i);
    // Nothing was stored for it: no cookie carries it, no storage holds anything.
    const stored = await page.evaluate(() => {
      const { document, localStorage, sessionStorage } = globalThis as unknown as {
        document: { cookie: string };
        localStorage: { length: number };
        sessionStorage: { length: number };
      };
      return { cookie: document.cookie, storage: localStorage.length + sessionStorage.length };
    });
    expect(stored.cookie).toContain(`_fbp=${FBP}`);
    expect(stored.cookie).not.toMatch(/jane|@|%40|${sha256("jane.doe@example.com")}/i);
    expect(stored.storage).toBe(0);
  });

  it("counts the requests in /admin/metrics", async () => {
    const read = async () => {
      const res = await fetch(`${relay.url}/admin/metrics?window=1h`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      return (await res.json()) as { browser: { requests: number; events: number; bots: number } };
    };
    // Each isolate writes its counts about a second after its first request (src/observe/recorder):
    // on a loaded machine the last requests' write may not have landed yet.
    await expect.poll(async () => (await read()).browser.requests, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    const metrics = await read();
    expect(metrics.browser.events).toBeGreaterThanOrEqual(30);
    expect(metrics.browser.bots).toBe(0);
  });
});
