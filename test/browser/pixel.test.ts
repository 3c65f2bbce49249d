/**
 * The Studio Pixel snippet (src/pixel/studio-pixel.js) in a real headless Chromium: loaded by a
 * page from a local server as a merchant's store would load it, with a stub `fbq` that records
 * every call, and compared with the relay's own transform on every fixture. The page must end
 * each test without a console error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium } from "./chromium";
import { watchPage, type PageProblems } from "./console";
import {
  copy,
  EXTERNAL_ID_CASES,
  expectSameEvent,
  pixelFixtures,
  relayOutcome,
  SETTINGS,
  SNIPPET_SOURCE,
  type SnippetOptions,
  type SnippetRun,
} from "./pixelExpectations";
import { scrubUrl } from "../../src/transform/serverEvent";
import { serve, staticRoutes, type Served } from "./server";

/**
 * The store page: the Pixel base code's place taken by a stub `fbq` that records its calls
 * (copied, as the real Pixel reads them at call time), then the snippet as a separate script,
 * then two ways for a test to call it: directly, and from a button's click handler, where the
 * browser's `window.event` is the click.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>store</title>
<script>
  window.fbqCalls = [];
  window.fbq = function () { window.fbqCalls.push(JSON.parse(JSON.stringify(Array.prototype.slice.call(arguments)))); };
</script>
<script src="/studio-pixel.js"></script>
<script>
  window.runPixel = function (payload, options) {
    window.fbqCalls = [];
    return cartfulMetaPixel(payload, options).then(function (result) {
      return { result: result, calls: window.fbqCalls };
    });
  };
  window.armSubmitButton = function (payload, options) {
    window.submitted = new Promise(function (resolve) {
      document.getElementById("submit").onclick = function () {
        var during = window.event ? window.event.type : null;
        window.fbqCalls = [];
        resolve(cartfulMetaPixel(payload, options).then(function (result) {
          return { result: result, calls: window.fbqCalls, windowEvent: during };
        }));
      };
    });
  };
</script>
</head><body><button id="submit">Get my results</button></body></html>`;

/** The page's functions, as the tests call them through `page.evaluate`. */
interface StorePage {
  runPixel(payload: unknown, options?: SnippetOptions): Promise<SnippetRun>;
  armSubmitButton(payload: unknown, options?: SnippetOptions): void;
  submitted: Promise<SnippetRun & { windowEvent: string | null }>;
  cartfulMetaPixel: unknown;
  history: { replaceState(state: null, unused: string, url: string): void };
}

/** A `/collect/cartful` body, as far as these tests read it. */
interface CollectBody {
  events: { event_id: string }[];
  page_url?: string;
  referrer?: string;
}

const PIXELS = [{ id: "1234567890" }];
const fixtures = pixelFixtures();
const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("the Studio Pixel snippet in headless Chromium", () => {
  let server: Served;
  let page: Page;
  let problems: PageProblems;
  /** The bodies `/collect` (the relay's stand-in, on the page's own origin) received. */
  const collected: CollectBody[] = [];

  beforeAll(async () => {
    const files = staticRoutes({
      "/": { type: "text/html", body: PAGE },
      "/studio-pixel.js": { type: "text/javascript", body: SNIPPET_SOURCE },
      "/empty": { type: "text/html", body: '<!doctype html><link rel="icon" href="data:,">' },
      "/snippet-only": {
        type: "text/html",
        body: '<!doctype html><link rel="icon" href="data:,"><script src="/studio-pixel.js"></script>',
      },
    });
    server = await serve(async (request) => {
      if (new URL(request.url).pathname !== "/collect") return files(request);
      const body = await request.text();
      collected.push(JSON.parse(body) as CollectBody);
      // Slow enough that the requests of one flush are all in flight together.
      await new Promise((resolve) => setTimeout(resolve, 300));
      // With a body: Chromium reports a keepalive request answered without one as aborted.
      return new Response('{"status":"queued"}', { status: 202, headers: { "content-type": "application/json" } });
    });
    page = await chromium.browser!.newPage();
    problems = watchPage(page);
    await page.goto(server.url);
  });

  afterEach(() => problems.throwIfAny());

  afterAll(async () => {
    await page?.close();
    await chromium.browser?.close();
    await server?.close();
  });

  const run = (payload: unknown, options?: SnippetOptions): Promise<SnippetRun> =>
    page.evaluate(([p, o]) => (globalThis as unknown as StorePage).runPixel(p, o), [payload, options] as const);

  it("loads without errors and adds one global, cartfulMetaPixel", async () => {
    const globals = async (path: string) => {
      await page.goto(new URL(path, server.url).href);
      return page.evaluate(() => Object.keys(globalThis));
    };
    const without = new Set(await globals("/empty"));
    const added = (await globals("/snippet-only")).filter((key) => !without.has(key));
    await page.goto(server.url);
    expect(added).toEqual(["cartfulMetaPixel"]);
  });

  for (const { name, payload } of fixtures) {
    for (const settings of SETTINGS) {
      it(`fires the relay's event for fixtures/${name}.json with ${settings.name}`, async () => {
        const relay = relayOutcome(payload, settings.relay);
        expectSameEvent(await run(payload, { ...settings.snippet, pixels: PIXELS }), relay, ["1234567890"]);
        expectSameEvent(await run(payload, settings.snippet), relay, []);
      });
    }

    it(`fires fixtures/${name}.json without a session under Studio's event id, as the relay does`, async () => {
      const sessionless = copy(payload);
      delete sessionless.session;
      const relay = relayOutcome(sessionless, SETTINGS[0]!.relay);
      expect(relay).toMatchObject({ eventId: `cartful.${String(payload.id).trim()}` });
      expectSameEvent(await run(sessionless, { pixels: PIXELS }), relay, ["1234567890"]);
    });

    it(`does not fire fixtures/${name}.json with neither a session nor an id`, async () => {
      const anonymous = copy(payload);
      delete anonymous.session;
      delete anonymous.id;
      expect(await run(anonymous, { pixels: PIXELS })).toEqual({
        result: { fired: false, reason: "no_event_id" },
        calls: [],
      });
    });

    it(`reads Studio's payload, not window.event, when called from a click handler (fixtures/${name}.json)`, async () => {
      await page.evaluate(([p, o]) => (globalThis as unknown as StorePage).armSubmitButton(p, o), [
        payload,
        { pixels: PIXELS },
      ] as const);
      await page.click("#submit");
      const clicked = await page.evaluate(() => (globalThis as unknown as StorePage).submitted);
      expect(clicked.windowEvent).toBe("click");
      expectSameEvent(clicked, relayOutcome(payload, SETTINGS[0]!.relay), ["1234567890"]);
    });

    it(`sends nothing for fixtures/${name}.json when the shopper denied consent, as the relay`, async () => {
      const denials: [string, (p: Record<string, any>) => void][] = [
        ["marketing_consent false", (p) => (p.shopper.marketing_consent = false)],
        ['marketing_consent "no"', (p) => (p.shopper.marketing_consent = "no")],
        ["ad_user_data DENIED", (p) => (p.context = { ...p.context, consent: { ad_user_data: "DENIED" } })],
        ['ad_storage " denied "', (p) => (p.context = { ...p.context, consent: { ad_storage: " denied " } })],
      ];
      for (const [denial, deny] of denials) {
        const denied = copy(payload);
        deny(denied);
        expect(relayOutcome(denied), denial).toEqual({ sent: false, reason: "consent_denied" });
        expect(await run(denied, { pixels: PIXELS }), denial).toEqual({
          result: { fired: false, reason: "consent_denied" },
          calls: [],
        });
      }
    });

    it(`with requireConsent fires fixtures/${name}.json exactly when the relay's REQUIRE_CONSENT does`, async () => {
      const variants: Record<string, any>[] = [payload];
      const silent = copy(payload);
      delete silent.shopper.marketing_consent;
      if (silent.context) delete silent.context.consent;
      variants.push(silent, { ...copy(silent), context: { ...silent.context, consent: { ad_user_data: "granted" } } });
      for (const variant of variants) {
        const relay = relayOutcome(variant, { ...SETTINGS[0]!.relay, REQUIRE_CONSENT: "true" });
        const fired = await run(variant, { requireConsent: true, pixels: PIXELS });
        if (relay.sent) expectSameEvent(fired, relay, ["1234567890"]);
        else expect(fired).toEqual({ result: { fired: false, reason: relay.reason }, calls: [] });
      }
    });
  }

  it("fires each pixel with its own event name per Studio type, all under the relay's event_id", async () => {
    const options: SnippetOptions = {
      eventName: { "email:submit": "Lead", "quiz:complete": "QuizCompleted" },
      pixels: [
        { id: "111" },
        { id: "222", eventName: { "quiz:complete": "CompleteRegistration" } },
        { id: "333", eventName: "Subscribe" },
      ],
    };
    const expected: Record<string, [string, string, string][]> = {
      "email:submit": [
        ["trackSingle", "111", "Lead"],
        ["trackSingle", "222", "Lead"],
        ["trackSingle", "333", "Subscribe"],
      ],
      "quiz:complete": [
        ["trackSingleCustom", "111", "QuizCompleted"],
        ["trackSingle", "222", "CompleteRegistration"],
        ["trackSingle", "333", "Subscribe"],
      ],
      "product:addToCart": [
        ["trackSingle", "111", "Lead"],
        ["trackSingle", "222", "Lead"],
        ["trackSingle", "333", "Subscribe"],
      ],
    };
    const canonical = fixtures.find((f) => f.name === "canonical")!.payload;
    for (const [type, calls] of Object.entries(expected)) {
      const payload = { ...copy(canonical), type };
      const relay = relayOutcome(payload, { ...SETTINGS[0]!.relay, STUDIO_EVENT_TYPES: type });
      if (!relay.sent) throw new Error(`relay skipped ${type}`);
      const fired = await run(payload, options);
      const tracks = fired.calls.filter((call) => call[0] !== "init");
      expect(tracks).toEqual(
        calls.map(([command, id, name]) => [command, id, name, relay.customData, { eventID: relay.eventId }]),
      );
      expect(fired.calls.filter((call) => call[0] === "init")).toEqual(
        ["111", "222", "333"].map((id) => ["init", id, { external_id: relay.externalId }]),
      );
    }
  });

  it("scrubs the page's address as the relay's scrubUrl does, with Chromium's URL", async () => {
    collected.length = 0;
    const address = new URL(
      "/quiz?email=jane.doe%40example.com&phone=%2B14155550123&ref=jane%40example.com&utm_source=fb#step-2",
      server.url,
    ).href;
    await page.evaluate((url) => (globalThis as unknown as StorePage).history.replaceState(null, "", url), address);
    const payload = {
      type: "product:view",
      id: "evt_scrub",
      session: { id: "ses_scrub", attempt: 1 },
      product: { product_id: "jane@example.com", variant_id: "44556677" },
      quiz: { id: "q", name: "Quiz for +1 415 555 0123" },
    };
    await run(payload, { collect: new URL("/collect", server.url).href });
    await expect.poll(() => collected.length).toBe(1);
    await page.evaluate(() => (globalThis as unknown as StorePage).history.replaceState(null, "", "/"));
    expect(collected[0]!.page_url).toBe(scrubUrl(address));
    expect(collected[0]!.page_url).toBe(new URL("/quiz?utm_source=fb", server.url).href);
    const text = JSON.stringify(collected[0]);
    for (const personal of ["jane", "4155550123", "415 555"]) expect(text).not.toContain(personal);
  });

  it("delivers every event when a flush's bodies add up past Chromium's 64 KiB keepalive quota", async () => {
    collected.length = 0;
    const collect = new URL("/collect", server.url).href;
    const payloads = Array.from({ length: 8 }, (_, i) => ({
      type: "recommendations:loaded",
      id: `evt_quota_${i}`,
      session: { id: `ses_quota_${i}`, attempt: 1 },
      recommendations: Array.from({ length: 100 }, (_, j) => ({
        product_id: `${i}-${j}-${"7".repeat(150)}`,
        price: 1,
      })),
      store: { currency: "USD", domain: "shop.example.com" },
    }));
    const results = await page.evaluate(
      ([all, url]) => {
        const pixel = (globalThis as unknown as { cartfulMetaPixel: (p: unknown, o: unknown) => Promise<unknown> })
          .cartfulMetaPixel;
        return Promise.all(all.map((p) => pixel(p, { collect: url })));
      },
      [payloads, collect] as const,
    );
    expect(results).toMatchObject(payloads.map(() => ({ fired: true, collected: true })));
    await expect.poll(() => collected.flatMap((body) => body.events).length, { timeout: 10_000 }).toBe(payloads.length);
    const sent = collected.map((body) => Buffer.byteLength(JSON.stringify(body)));
    expect(sent.reduce((a, b) => a + b)).toBeGreaterThan(64 * 1024);
    expect(Math.max(...sent)).toBeLessThanOrEqual(16 * 1024);
    expect(new Set(collected.flatMap((body) => body.events.map((e) => e.event_id))).size).toBe(payloads.length);
  });

  for (const { name, customerId, externalId } of EXTERNAL_ID_CASES) {
    it(`hashes customer_id like the relay in the browser: ${name}`, async () => {
      const payload = copy(fixtures.find((f) => f.name === "canonical")!.payload);
      payload.shopper.customer_id = customerId;
      const fired = await run(payload, { pixels: PIXELS });
      expect(fired.calls[0]).toEqual(["init", "1234567890", { external_id: externalId }]);
    });
  }
});
