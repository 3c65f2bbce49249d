import { webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/settings";
import { parseBrowserBatch, planBrowserEvents } from "../transform/browserEvents";
import { browserEventId, eventId, isPersonalId } from "../transform/eventId";
import { preHashed } from "../transform/hash";
import { normalizePhone } from "../transform/phone";
import { scrubUrl } from "../transform/serverEvent";
import { parseTimestamp } from "../transform/webhook";
import { buildUserData } from "../transform/userData";
import {
  browserPayload,
  copy,
  EXTERNAL_ID_CASES,
  expectSameEvent,
  pixelFixtures,
  relayBrowserOutcomes,
  relayOutcome,
  SETTINGS,
  sha256,
  SNIPPET_SOURCE,
  type SnippetOptions,
  type SnippetRun,
} from "../../test/browser/pixelExpectations";

const fixtures = pixelFixtures();
const canonical = () => copy(fixtures.find((f) => f.name === "canonical")!.payload);
const DEFAULTS = SETTINGS[0]!.relay;
const PIXEL = "1234567890";

/**
 * Loads the snippet as a store page would, in a fresh global scope with a recording `fbq` and
 * the page's WebCrypto; `globals` replaces or removes (undefined) any of them.
 */
function load(globals: Record<string, unknown> = {}) {
  const calls: unknown[][] = [];
  const scope: Record<string, unknown> = {
    fbq: (...args: unknown[]) => calls.push(JSON.parse(JSON.stringify(args))),
    crypto: webcrypto,
    TextEncoder,
    URL,
    AbortController,
    ...globals,
  };
  for (const key of Object.keys(scope)) if (scope[key] === undefined) delete scope[key];
  runInNewContext(SNIPPET_SOURCE, scope);
  const pixel = scope.cartfulMetaPixel as (payload: unknown, options?: unknown) => Promise<SnippetRun["result"]>;
  return { pixel, calls, scope };
}

async function run(payload: unknown, options?: unknown, globals?: Record<string, unknown>): Promise<SnippetRun> {
  const { pixel, calls } = load(globals);
  const result = await pixel(payload, options);
  return { result: JSON.parse(JSON.stringify(result)), calls };
}

const broken = () => {
  throw new Error("fbq is broken");
};

const withPixel = (options: SnippetOptions = {}): SnippetOptions => ({ ...options, pixels: [{ id: PIXEL }] });

describe("the Studio Pixel snippet, against the relay on every fixture", () => {
  for (const { name, payload } of fixtures) {
    for (const settings of SETTINGS) {
      it(`fires the relay's event for fixtures/${name}.json with ${settings.name}`, async () => {
        const relay = relayOutcome(payload, settings.relay);
        expectSameEvent(await run(payload, withPixel(settings.snippet)), relay, [PIXEL]);
        expectSameEvent(await run(payload, settings.snippet), relay, []);
      });
    }
  }
});

describe("event_id, as src/transform/eventId.ts", () => {
  const sameAsRelay = async (payload: Record<string, any>, env: Record<string, string> = DEFAULTS) =>
    expectSameEvent(await run(payload, withPixel()), relayOutcome(payload, env), [PIXEL]);

  it("reads session.attempt as the relay does: absent, null, digit strings", async () => {
    for (const attempt of [undefined, null, "3", " 4 ", "2.0", 7]) {
      const payload = canonical();
      payload.session.attempt = attempt;
      await sameAsRelay(payload);
    }
  });

  it("takes attempt 1 where the relay refuses the attempt (it answers 422 and sends nothing)", async () => {
    for (const attempt of [0, -2, 1.5, "abc", true, Number.MAX_SAFE_INTEGER + 2]) {
      const payload = canonical();
      payload.session.attempt = attempt;
      expect(relayOutcome(payload)).toMatchObject({ sent: false, reason: "invalid: session.attempt" });
      expect((await run(payload)).result.eventID).toBe("cartful.ses_5f1c9a7e2b.1");
    }
  });

  it("gives a retake a new id, as the relay does", async () => {
    const payload = canonical();
    const first = (await run(payload)).result.eventID;
    payload.session.attempt += 1;
    await sameAsRelay(payload);
    expect((await run(payload)).result.eventID).not.toBe(first);
  });

  it("trims the session id and reads a numeric one as text", async () => {
    for (const id of ["  ses_padded \t", 123456]) {
      const payload = canonical();
      payload.session.id = id;
      await sameAsRelay(payload);
    }
  });

  it("suffixes Studio types other than email:submit, as the relay does when it relays them", async () => {
    for (const type of ["quiz:complete", "product:addToCart", "email:submit", "", null]) {
      const payload = { ...canonical(), type };
      await sameAsRelay(payload, { ...DEFAULTS, STUDIO_EVENT_TYPES: type || "email:submit" });
    }
  });

  it("falls back to cartful.{id} without a usable session id, as the relay does", async () => {
    const variants: [string, (p: Record<string, any>) => void][] = [
      ["no session", (p) => delete p.session],
      ["session null", (p) => (p.session = null)],
      ["blank session id", (p) => (p.session.id = "   ")],
      ["numeric Studio id", (p) => ((p.session = null), (p.id = 98765))],
    ];
    for (const [variant, change] of variants) {
      const payload = canonical();
      change(payload);
      expect(relayOutcome(payload), variant).toMatchObject({ eventId: `cartful.${String(payload.id).trim()}` });
      await sameAsRelay(payload);
    }
  });

  it("fires nothing without a session id and a Studio id: such an event could not deduplicate", async () => {
    for (const change of [
      (p: Record<string, any>) => (delete p.session, delete p.id),
      (p: Record<string, any>) => ((p.session = { attempt: 2 }), (p.id = "  ")),
      (p: Record<string, any>) => ((p.session = { id: "" }), (p.id = null)),
    ]) {
      const payload = canonical();
      change(payload);
      expect(await run(payload, withPixel())).toEqual({ result: { fired: false, reason: "no_event_id" }, calls: [] });
    }
  });

  it("gives two leads without sessions two ids", async () => {
    const a = { ...canonical(), session: null, id: "evt_a" };
    const b = { ...canonical(), session: null, id: "evt_b" };
    expect((await run(a)).result.eventID).not.toBe((await run(b)).result.eventID);
  });
});

describe("consent, as src/transform/consent.ts", () => {
  const consentCase = (marketing: unknown, consent?: Record<string, unknown>) => {
    const payload = canonical();
    payload.shopper.marketing_consent = marketing;
    payload.context.consent = consent;
    return payload;
  };

  it("sends nothing on an explicit denial in any form the relay reads", async () => {
    const denials = [
      consentCase(false),
      ...["false", "no", "0", "denied", " NO "].map((word) => consentCase(word)),
      consentCase(undefined, { ad_user_data: "denied" }),
      consentCase(true, { ad_user_data: " Denied " }),
      consentCase(true, { ad_storage: "DENIED", ad_user_data: "granted" }),
    ];
    for (const payload of denials) {
      expect(relayOutcome(payload)).toEqual({ sent: false, reason: "consent_denied" });
      expect(await run(payload, withPixel())).toEqual({
        result: { fired: false, reason: "consent_denied" },
        calls: [],
      });
    }
  });

  it("fires on a grant or on silence, as the relay does by default", async () => {
    for (const payload of [
      consentCase(true),
      consentCase("yes"),
      consentCase(undefined),
      consentCase(null, { ad_storage: "granted" }),
      consentCase(" Granted ", { ad_user_data: "unknown" }),
    ]) {
      expectSameEvent(await run(payload, withPixel()), relayOutcome(payload, DEFAULTS), [PIXEL]);
    }
  });

  it("reads a consent word it does not know as silence (the relay refuses such a webhook: no second copy)", async () => {
    const payload = consentCase("maybe");
    expect(relayOutcome(payload)).toEqual({ sent: false, reason: "invalid: shopper.marketing_consent" });
    expect((await run(payload)).result).toMatchObject({ fired: true });
    expect((await run(payload, { requireConsent: true })).result).toEqual({
      fired: false,
      reason: "consent_not_granted",
    });
  });

  it("with requireConsent fires only on an explicit grant, as REQUIRE_CONSENT=true", async () => {
    const cases = [
      consentCase(true),
      consentCase("1"),
      consentCase("granted"),
      consentCase(undefined, { ad_user_data: "GRANTED" }),
      consentCase(undefined),
      consentCase(undefined, { ad_storage: "granted" }),
    ];
    const sent: boolean[] = [];
    for (const payload of cases) {
      const relay = relayOutcome(payload, { ...DEFAULTS, REQUIRE_CONSENT: "true" });
      const fired = await run(payload, withPixel({ requireConsent: true }));
      sent.push(relay.sent);
      if (relay.sent) expectSameEvent(fired, relay, [PIXEL]);
      else expect(fired).toEqual({ result: { fired: false, reason: relay.reason }, calls: [] });
    }
    expect(sent).toEqual([true, true, true, true, false, false]);
  });
});

describe("custom_data, as buildCustomData in src/transform/serverEvent.ts", () => {
  const sameAsRelay = async (payload: Record<string, any>, settings = SETTINGS[1]!) =>
    expectSameEvent(await run(payload, settings.snippet), relayOutcome(payload, settings.relay), []);

  it("reads odd quantities, prices and ids as the relay does", async () => {
    const payload = canonical();
    payload.recommendations = [
      { product_id: "a", variant_id: "a1", price: "10", quantity: 0.5 },
      { product_id: 42, variant_id: 4201, price: 1e308, quantity: "2" },
      { product_id: "c", variant_id: " c1 ", price: 5, quantity: 1e300 },
      { product_id: "d", variant_id: "d1", price: -3, quantity: -1 },
      { product_id: "e", variant_id: "", price: 9 },
      { product_id: "f", variant_id: "f1", price: null, quantity: null },
    ];
    for (const settings of SETTINGS) await sameAsRelay(payload, settings);
  });

  it("leaves out a product id or a quiz name with an email address or a phone number in it, as the relay does", async () => {
    const payload = canonical();
    payload.quiz.name = "Quiz for Clear.Person@Mail-test.io";
    payload.recommendations = [
      { product_id: "jane.doe@example.com", variant_id: "+1 650 555 0199", sku: "a%40b.co", price: 10 },
      { product_id: "8012345", variant_id: "44012345", sku: "SER-VC-30", price: 34 },
    ];
    for (const settings of SETTINGS) {
      const relay = relayOutcome(payload, settings.relay);
      const kept = { product_id: "8012345", variant_id: "44012345", sku: "SER-VC-30" }[settings.relay.META_CONTENT_ID!];
      expect(relay.sent && relay.customData).toMatchObject({ content_ids: [kept] });
      expect(relay.sent && "content_name" in relay.customData).toBe(false);
      await sameAsRelay(payload, settings);
    }
  });

  it("sends currency and value only with a valid currency, as the relay does", async () => {
    for (const currency of ["usd", " eur ", "US", "dollars", "", null, 840]) {
      const payload = canonical();
      payload.store.currency = currency;
      for (const settings of SETTINGS) {
        expectSameEvent(await run(payload, settings.snippet), relayOutcome(payload, settings.relay), []);
      }
    }
  });

  it("leaves value out when no recommendation has a price, or the total is too large", async () => {
    const unpriced = canonical();
    unpriced.recommendations = [{ variant_id: "x" }, { variant_id: "y", price: null }];
    const huge = canonical();
    huge.recommendations = [{ variant_id: "x", price: 1e11, quantity: 1e11 }];
    for (const payload of [unpriced, huge]) {
      const relay = relayOutcome(payload, SETTINGS[1]!.relay);
      expect(relay.sent && "value" in relay.customData).toBe(false);
      await sameAsRelay(payload);
    }
  });

  it("defaults content_type to product_group for product ids and product otherwise, and sends no value", async () => {
    const expected = { product_id: "product_group", variant_id: "product", sku: "product" } as const;
    for (const [contentId, contentType] of Object.entries(expected)) {
      const fired = await run(canonical(), { contentId });
      const relay = relayOutcome(canonical(), {
        META_CONTENT_ID: contentId,
        META_CONTENT_TYPE: contentType,
        META_EVENT_VALUE: "none",
      });
      expectSameEvent(fired, relay, []);
      expect(fired.calls[0]?.[2]).toMatchObject({ content_type: contentType });
      expect(fired.calls[0]?.[2]).not.toHaveProperty("value");
    }
  });

  it("sends no custom_data keys for a payload without recommendations, store or quiz", async () => {
    const payload = { id: "evt_1", session: { id: "s" }, shopper: { email: "a@b.co" } };
    expect((await run(payload)).calls).toEqual([["track", "Lead", {}, { eventID: "cartful.s.1" }]]);
  });

  it("sends no personal data from the browser", async () => {
    const sent = JSON.stringify((await run(canonical(), withPixel())).calls);
    for (const personal of [
      "Jane",
      "Doe",
      "Example.COM",
      "415",
      "94103",
      "1990",
      "203.0.113.7",
      "shopify",
      "7712345",
    ]) {
      expect(sent).not.toContain(personal);
    }
  });
});

describe("external_id, as src/transform/userData.ts", () => {
  for (const { name, customerId, externalId } of EXTERNAL_ID_CASES) {
    it(`updates each pixel's advanced matching before tracking: ${name}`, async () => {
      const payload = canonical();
      payload.shopper.customer_id = customerId;
      const fired = await run(payload, { pixels: [{ id: "111" }, { id: "222" }] });
      expect(fired.calls.map((call) => call[0])).toEqual(["init", "init", "trackSingle", "trackSingle"]);
      expect(fired.calls.slice(0, 2)).toEqual([
        ["init", "111", { external_id: externalId }],
        ["init", "222", { external_id: externalId }],
      ]);
      expect(fired.result.externalId).toBe(true);
    });
  }

  it("sends none when the payload has no customer_id, as the relay", async () => {
    for (const customerId of [undefined, null, ""]) {
      const payload = canonical();
      payload.shopper.customer_id = customerId;
      expect(relayOutcome(payload, DEFAULTS)).toMatchObject({ sent: true, externalId: undefined });
      const fired = await run(payload, withPixel());
      expect(fired.calls.map((call) => call[0])).toEqual(["trackSingle"]);
      expect(fired.result).toMatchObject({ fired: true, externalId: false });
    }
  });

  it("sends none for a customer_id of only white space and invisible characters", async () => {
    for (const customerId of [" \t ", "\u200b\ufeff \u2060"]) {
      const payload = canonical();
      payload.shopper.customer_id = customerId;
      expect((await run(payload, withPixel())).calls.map((call) => call[0])).toEqual(["trackSingle"]);
    }
  });

  it("needs pixel ids: fbq('track') has no place for it, so without pixels none is sent", async () => {
    const fired = await run(canonical());
    expect(fired.calls.map((call) => call[0])).toEqual(["track"]);
    expect(fired.result.externalId).toBe(false);
  });

  it("still fires, without it, where the browser cannot hash (no crypto.subtle outside https)", async () => {
    for (const globals of [
      { crypto: undefined },
      { crypto: {} },
      { crypto: { subtle: {} } },
      { TextEncoder: undefined },
    ]) {
      const fired = await run(canonical(), withPixel(), globals);
      expect(fired.calls.map((call) => call[0])).toEqual(["trackSingle"]);
      expect(fired.result).toMatchObject({ fired: true, externalId: false });
    }
  });

  it("is left alone with externalId: false, for pages that pass their own advanced matching", async () => {
    const fired = await run(canonical(), { ...withPixel(), externalId: false });
    expect(fired.calls.map((call) => call[0])).toEqual(["trackSingle"]);
  });

  it("still fires, without it, when the digest fails", async () => {
    const failing = { subtle: { digest: () => Promise.reject(new Error("NotSupportedError")) } };
    const fired = await run(canonical(), withPixel(), { crypto: failing });
    expect(fired.calls.map((call) => call[0])).toEqual(["trackSingle"]);
  });
});

describe("pixels and event names", () => {
  const names = async (type: string, options: SnippetOptions) =>
    (await run({ ...canonical(), type }, options)).calls
      .filter((call) => call[0] !== "init")
      .map((call) => call.slice(0, 3));

  it("resolves each pixel's event name: its own (name or map by type), else the options', else Lead", async () => {
    const options: SnippetOptions = {
      eventName: { "quiz:complete": "QuizCompleted" },
      pixels: [{ id: "1" }, { id: "2", eventName: { "email:submit": "Contact" } }, { id: "3", eventName: "Subscribe" }],
    };
    expect(await names("email:submit", options)).toEqual([
      ["trackSingle", "1", "Lead"],
      ["trackSingle", "2", "Contact"],
      ["trackSingle", "3", "Subscribe"],
    ]);
    expect(await names("quiz:complete", options)).toEqual([
      ["trackSingleCustom", "1", "QuizCompleted"],
      ["trackSingleCustom", "2", "QuizCompleted"],
      ["trackSingle", "3", "Subscribe"],
    ]);
  });

  it("uses track for Meta's standard events and trackCustom for others when no pixel is named", async () => {
    expect(await names("email:submit", { eventName: "CompleteRegistration" })).toEqual([
      ["track", "CompleteRegistration", expect.anything()],
    ]);
    expect(await names("email:submit", { eventName: " QuizLead " })).toEqual([
      ["trackCustom", "QuizLead", expect.anything()],
    ]);
    expect(await names("email:submit", { eventName: "lead" })).toEqual([["trackCustom", "lead", expect.anything()]]);
  });

  it("does not take a map's inherited keys for Studio types", async () => {
    expect(await names("constructor", { eventName: {} })).toEqual([["track", "Lead", expect.anything()]]);
  });

  it("matches the relay's META_EVENT_NAME for every pixel", async () => {
    const options = { eventName: "QuizLead", pixels: [{ id: "1" }, { id: "2" }] };
    expectSameEvent(
      await run(canonical(), options),
      relayOutcome(canonical(), { ...DEFAULTS, META_EVENT_NAME: "QuizLead" }),
      ["1", "2"],
    );
  });

  it("rejects options the relay would refuse as settings, naming the option", async () => {
    const wrong: [unknown, RegExp][] = [
      ["Lead", /options must be an object/],
      [{ contentId: "handle" }, /contentId/],
      [{ contentType: "products" }, /contentType/],
      [{ value: "total" }, /value/],
      [{ value: -1 }, /value/],
      [{ requireConsent: "yes" }, /requireConsent/],
      [{ externalId: "no" }, /externalId/],
      [{ eventName: "" }, /eventName/],
      [{ eventName: { "quiz:complete": 3 } }, /eventName\.quiz:complete/],
      [{ pixels: { id: "1" } }, /pixels must be a list/],
      [{ pixels: [{ id: "px-1" }] }, /pixels\[0\]\.id/],
      [{ pixels: [{ id: "1" }, { id: "2", eventName: [] }] }, /pixels\[1\]\.eventName/],
    ];
    for (const [options, message] of wrong) {
      const { pixel, calls } = load();
      await expect(pixel(canonical(), options)).rejects.toThrow(message);
      expect(calls).toEqual([]);
    }
  });
});

describe("what the snippet is handed", () => {
  it("never reads a global `event`: the DOM event a browser sets is not Studio's payload", async () => {
    const domEvent = { type: "click", isTrusted: true, target: {} };
    const fired = await run(canonical(), withPixel(), { event: domEvent });
    expectSameEvent(fired, relayOutcome(canonical(), DEFAULTS), [PIXEL]);
    const payloadAsGlobal = await run(undefined, withPixel(), { event: canonical() });
    expect(payloadAsGlobal).toEqual({ result: { fired: false, reason: "no_payload" }, calls: [] });
  });

  it("says no_payload for anything that is not an object", async () => {
    for (const payload of [undefined, null, "evt_1", 42, [canonical()]]) {
      expect((await run(payload)).result).toEqual({ fired: false, reason: "no_payload" });
    }
  });

  it("says no_fbq when the Pixel base code is not on the page", async () => {
    expect((await run(canonical(), withPixel(), { fbq: undefined })).result).toEqual({
      fired: false,
      reason: "no_fbq",
    });
  });

  it("works with the line its header and the README say to paste", async () => {
    const line = /^ \*\s+(cartfulMetaPixel\(payload, .*\);)$/m.exec(SNIPPET_SOURCE)?.[1];
    expect(line).toBeDefined();
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(line);
    const calls: unknown[][] = [];
    runInNewContext(`${SNIPPET_SOURCE}\n${line}`, {
      payload: canonical(),
      fbq: (...args: unknown[]) => calls.push(args),
      crypto: webcrypto,
      TextEncoder,
    });
    await expect.poll(() => calls.length).toBeGreaterThan(0);
    expect(calls.at(-1)?.[0]).toBe("trackSingle");
  });

  it("is plain ES5 but for Promise and crypto.subtle: esbuild neither refuses nor lowers any of it", () => {
    // An ES5 target refuses const, let, classes, destructuring, async and methods, and lowers arrows,
    // template literals, spread, ?., ?? and regex flags: any of those makes the two outputs differ.
    // (Shorthand properties and trailing commas it prints away either way, so this cannot see them.)
    const es5 = transformSync(SNIPPET_SOURCE, { target: "es5", loader: "js" }).code;
    const untouched = transformSync(SNIPPET_SOURCE, {
      target: "esnext",
      loader: "js",
      supported: { "object-extensions": false },
    }).code;
    expect(es5).toBe(untouched);
  });
});

const COLLECT = "https://capi.shop.example.com/collect/cartful";

/**
 * Loads the snippet with `collect` at hand: a recording `fetch`, a page's location, cookies and
 * listeners, and real timers; `globals` replaces or removes (undefined) any of them.
 */
function loadCollecting(globals: Record<string, unknown> = {}) {
  const requests: { url: string; init: RequestInit; body: any }[] = [];
  const listeners: Record<string, (() => void)[]> = {};
  const on = (type: string, listener: () => void) => (listeners[type] ??= []).push(listener);
  const loaded = load({
    fetch: (url: string, init: RequestInit) => {
      requests.push({ url, init, body: JSON.parse(init.body as string) });
      return Promise.resolve({ status: 202 });
    },
    setTimeout,
    clearTimeout,
    location: { href: "https://shop.example.com/pages/skin-quiz?fbclid=IwAR2xYz#step-3" },
    document: {
      cookie: "_ga=GA1.1.1; _fbp=fb.1.1732560000000.1098765432",
      referrer: "https://www.facebook.com/",
      visibilityState: "visible",
      addEventListener: on,
    },
    addEventListener: on,
    ...globals,
  });
  const fire = (type: string) => listeners[type]?.forEach((listener) => listener());
  return { ...loaded, requests, fire };
}

/** The relay's bound on a body (src/http/collectRoute.ts MAX_COLLECT_BYTES): 16 KiB of UTF-8. */
const MAX_BODY = 16 * 1024;
const bytes = (request: { init: RequestInit }) => Buffer.byteLength(request.init.body as string);

const hashedPart = (id: string) => `h${sha256(id).slice(0, 16)}`;

describe("event_id, the relay's and the snippet's formula on the same inputs", () => {
  const sessions = [
    "ses_5f1c9a7e2b",
    "  ses_padded ",
    8123456789,
    "jane.doe@example.com",
    "lead-jane%40example.com",
    "+44 20 7946 0958",
    "s".repeat(64),
    "s".repeat(65),
    "séssion-ünïcode-😀".repeat(5),
  ];
  const subjects: Record<string, unknown>[] = [
    {},
    { product: { product_id: "8123456789" } },
    { product: { product_id: " ", variant_id: 44556677 } },
    { product: { sku: "jane@example.com" } },
    { step: { id: "skin-type" } },
    { step: { id: "x".repeat(100) } },
  ];

  it("gives the lead the relay's id", async () => {
    for (const id of sessions) {
      const payload = { ...canonical(), session: { id, attempt: 3 } };
      const relay = eventId({ id: "evt_1", session: { id: String(id), attempt: 3 } });
      expect((await run(payload, withPixel())).result.eventID, String(id)).toBe(relay);
    }
    const noSession = { ...canonical(), session: null, id: "jane@example.com" };
    expect((await run(noSession, withPixel())).result.eventID).toBe(`cartful.${hashedPart("jane@example.com")}`);
  });

  it("gives browser events the relay's id", async () => {
    for (const id of sessions) {
      for (const subject of subjects) {
        const payload = browserPayload({
          type: "product:view",
          session: { id, attempt: 2 },
          product: undefined,
          ...subject,
        });
        const { pixel } = loadCollecting();
        const result = await pixel(payload, { collect: COLLECT });
        const product = (subject.product ?? {}) as Record<string, unknown>;
        const expected = browserEventId({
          type: "product:view",
          session: { id: String(id), attempt: 2 },
          product: {
            product_id: product.product_id as string | undefined,
            variant_id: product.variant_id === undefined ? undefined : String(product.variant_id),
            sku: product.sku as string | undefined,
          },
          step: subject.step as { id: string } | undefined,
        });
        expect(result.eventID, JSON.stringify([id, subject])).toBe(expected);
        expect(result.eventID).not.toContain("@");
      }
    }
  });

  it("does not fire an event whose id must be hashed where the browser cannot hash", async () => {
    const payload = { ...canonical(), session: { id: "jane@example.com", attempt: 1 } };
    expect((await run(payload, withPixel(), { crypto: undefined })).result).toEqual({
      fired: false,
      reason: "no_event_id",
    });
  });
});

describe("collect: every quiz event server-side", () => {
  it("sends the Pixel's event to the relay with the same event_id and event name, batched", async () => {
    const { pixel, calls, requests } = loadCollecting();
    const results = await Promise.all([
      pixel(browserPayload(), { collect: COLLECT, pixels: [{ id: PIXEL }] }),
      pixel(browserPayload({ type: "product:view", product: { product_id: "2" } }), {
        collect: COLLECT,
        pixels: [{ id: PIXEL }],
      }),
      pixel(browserPayload({ type: "quiz:complete", product: undefined }), {
        collect: COLLECT,
        pixels: [{ id: PIXEL }],
      }),
    ]);
    expect(results.map((r) => r.collected)).toEqual([true, true, true]);
    await expect.poll(() => requests.length).toBe(1);
    const [request] = requests;
    expect(request!.url).toBe(COLLECT);
    expect(request!.init).toMatchObject({
      method: "POST",
      keepalive: true,
      credentials: "include",
      headers: { "content-type": "text/plain" },
    });
    expect(request!.body).toMatchObject({
      page_url: "https://shop.example.com/pages/skin-quiz?fbclid=IwAR2xYz",
      referrer: "https://www.facebook.com/",
      fbp: "fb.1.1732560000000.1098765432",
    });
    const tracks = calls.filter((call) => call[0] === "trackSingle" || call[0] === "trackSingleCustom");
    const relay = relayBrowserOutcomes(request!.body);
    expect(relay.map((r) => r.sent)).toEqual([true, true, true]);
    for (const [i, outcome] of relay.entries()) {
      if (!outcome.sent) continue;
      const [, pixelId, name, params, options] = tracks[i]!;
      expect([pixelId, name, options]).toEqual([PIXEL, outcome.eventName, { eventID: outcome.eventId }]);
      expect(params).toEqual(outcome.customData);
      expect(results[i]!.eventID).toBe(outcome.eventId);
    }
    expect(relay.map((r) => r.sent && r.eventName)).toEqual(["AddToCart", "ViewContent", "QuizComplete"]);
    expect(tracks.map((call) => call[0])).toEqual(["trackSingle", "trackSingle", "trackSingleCustom"]);
    const [first] = relay;
    expect(first).toMatchObject({
      eventId: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789",
      externalId: sha256("7712345"),
    });
  });

  it("works when fbq is missing (an ad blocker): fired, collected, no Pixel call", async () => {
    const { pixel, requests } = loadCollecting({ fbq: undefined });
    const result = await pixel(browserPayload(), { collect: COLLECT });
    expect(result).toMatchObject({
      fired: true,
      collected: true,
      events: [],
      eventID: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789",
    });
    await expect.poll(() => requests.length).toBe(1);
    expect(requests[0]!.body.events[0].event_id).toBe(result.eventID);
  });

  it("sends no personal data in clear: only the hashed em and external_id of the shopper, ids hashed as in the event_id", async () => {
    const { pixel, requests, scope } = loadCollecting();
    await pixel(browserPayload({ session: { id: "jane.doe@example.com", attempt: 1 } }), { collect: COLLECT });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    const text = JSON.stringify(requests[0]!.body);
    for (const personal of ["Jane", "jane", "Doe", "Example.COM", "415", "7712345", "Serum"])
      expect(text).not.toContain(personal);
    expect(requests[0]!.body.events[0]).toMatchObject({
      session: { id: hashedPart("jane.doe@example.com"), attempt: 1 },
      user_data: { em: sha256("jane.doe@example.com"), external_id: sha256("7712345") },
    });
    expect(Object.keys(requests[0]!.body.events[0].user_data)).toEqual(["em", "external_id"]);
  });

  it("leaves out every id, name and domain the relay's isPersonalId finds personal; the event still goes", async () => {
    const values = [
      "8123456789",
      "SKU-1",
      "jane.doe@example.com",
      "lead-jane%40example.com",
      "+1 415 555 0123",
      "tel+14155550123",
      "Quiz for jane@example.com",
      "Skin Care Finder",
      "shop.example.com",
    ];
    for (const value of values) {
      const { pixel, requests, scope } = loadCollecting();
      const product = { product_id: value, variant_id: value, sku: value, price: 5 };
      const payload = browserPayload({
        type: "product:view",
        quiz: { id: value, name: value },
        step: { id: value },
        product,
        recommendations: [product, { product_id: "keep-1", price: 3 }],
        store: { currency: "usd", domain: value },
      });
      expect(await pixel(payload, { collect: COLLECT })).toMatchObject({ fired: true, collected: true });
      await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
      const [event] = requests[0]!.body.events;
      const kept = isPersonalId(value) ? undefined : value;
      expect(event.quiz, value).toEqual(kept && { id: kept, name: kept });
      expect(event.step, value).toEqual(kept && { id: kept });
      expect(event.product, value).toEqual(kept ? { ...product } : { price: 5 });
      expect(event.recommendations, value).toEqual([...(kept ? [product] : []), { product_id: "keep-1", price: 3 }]);
      expect(event.store, value).toEqual({ currency: "usd", ...(kept ? { domain: kept } : {}) });
      if (!kept) expect(requests[0]!.init.body, value).not.toContain(value);
      expect(relayBrowserOutcomes(requests[0]!.body), value).toMatchObject([{ sent: true }]);
    }
  });

  it("keeps a product whose every id is left out, so the relay's custom_data stays the Pixel's", async () => {
    const { pixel, requests, calls, scope } = loadCollecting();
    const payload = browserPayload({
      type: "product:view",
      product: { product_id: "jane@example.com", title: "Serum" },
      recommendations: [{ product_id: "8123", price: 10 }],
    });
    await pixel(payload, { collect: COLLECT, pixels: [{ id: PIXEL }] });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests[0]!.body.events[0].product).toEqual({});
    const [relay] = relayBrowserOutcomes(requests[0]!.body);
    const track = calls.find((call) => call[0] === "trackSingle")!;
    expect(relay).toMatchObject({ sent: true, customData: track[3] });
  });

  it("scrubs page_url and referrer as the relay's scrubUrl does, on the same inputs", async () => {
    const urls = [
      "https://shop.example.com/pages/skin-quiz?fbclid=IwAR2xYz#step-3",
      "https://shop.example.com/quiz?email=jane.doe%40example.com&phone=%2B14155550123&utm_source=fb",
      "https://shop.example.com/quiz?ref=jane%40example.com&first_name=Jane&em=abc&zip=94105&page=2",
      "https://user:secret@shop.example.com/quiz",
      "https://shop.example.com/u/jane%40example.com/quiz?x=1",
      "https://shop.example.com/quiz?utm_source=fb&utm_campaign=winter",
      "  https://shop.example.com/quiz?Email=JANE@EXAMPLE.COM  ",
      "http://shop.example.com/quiz?State=CA&Country=US",
      "https://shop.example.com/quiz?%E0%A4%A=1&e-mail=x",
      "ftp://shop.example.com/quiz",
      "not a url",
      "",
    ];
    for (const url of urls) {
      const { pixel, requests, scope } = loadCollecting({
        location: { href: url },
        document: { cookie: "", referrer: url, visibilityState: "visible", addEventListener: () => {} },
      });
      await pixel(browserPayload(), { collect: COLLECT });
      await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
      const body = requests[0]!.body;
      expect([body.page_url, body.referrer], url).toEqual([scrubUrl(url), scrubUrl(url)]);
      for (const personal of ["jane", "4155550123", "secret", "Jane"])
        expect(requests[0]!.init.body).not.toContain(personal);
    }
  });

  it("sends only an occurred_at the relay's parseTimestamp reads, else the snippet's moment: never a 422 for the others", async () => {
    const values: unknown[] = [
      "2026-11-25T18:58:00Z",
      " 2026-11-25 18:58:00.123+01:00 ",
      "2026-11-25",
      "2026-11-25T18:58",
      1795632127,
      "1795632127123",
      "yesterday",
      "2026-12-45T99:99:99Z",
      "2026-02-30T10:00:00Z",
      "2026-11-25T25:00:00Z",
      "Nov 25 2026",
      0,
      -5,
      1e20,
      "",
      null,
      true,
      { at: 1 },
    ];
    const { pixel, requests, scope } = loadCollecting();
    const before = Date.now();
    for (const [i, occurred_at] of values.entries()) {
      await pixel(browserPayload({ type: "product:view", product: { product_id: String(i) }, occurred_at }), {
        collect: COLLECT,
      });
    }
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    const events = requests.flatMap((r) => r.body.events);
    expect(events).toHaveLength(values.length);
    for (const [i, value] of values.entries()) {
      const sent = events[i].occurred_at;
      if (parseTimestamp(value) !== undefined) expect(sent, String(value)).toBe(value);
      else expect(Date.parse(sent), String(value)).toBeGreaterThanOrEqual(before - 1000);
    }
    for (const request of requests) expect(parseBrowserBatch(request.body)).toMatchObject({ ok: true });
  });

  it("sends at most 20 events a request, and flushes what waits on pagehide", async () => {
    const { pixel, requests, fire } = loadCollecting();
    const payloads = Array.from({ length: 23 }, (_, i) =>
      browserPayload({ type: "product:view", product: { product_id: String(i + 1) } }),
    );
    await Promise.all(payloads.map((payload) => pixel(payload, { collect: COLLECT })));
    expect(requests.map((r) => r.body.events.length)).toEqual([20]);
    fire("pagehide");
    expect(requests.map((r) => r.body.events.length)).toEqual([20, 3]);
    const ids = requests.flatMap((r) => r.body.events.map((e: { event_id: string }) => e.event_id));
    expect(new Set(ids).size).toBe(23);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(requests).toHaveLength(2);
  });

  it("flushes when the page is hidden", async () => {
    const { pixel, requests, fire, scope } = loadCollecting();
    await pixel(browserPayload(), { collect: COLLECT });
    (scope.document as { visibilityState: string }).visibilityState = "hidden";
    fire("visibilitychange");
    expect(requests).toHaveLength(1);
  });

  it("splits a batch whose body would pass 16 KiB", async () => {
    const { pixel, requests, scope } = loadCollecting();
    const recommendations = Array.from({ length: 100 }, (_, i) => ({ product_id: `${"9".repeat(40)}${i}`, price: 10 }));
    const payloads = Array.from({ length: 4 }, (_, i) =>
      browserPayload({
        type: "recommendations:loaded",
        product: undefined,
        session: { id: `ses_${i}`, attempt: 1 },
        recommendations,
      }),
    );
    await Promise.all(payloads.map((payload) => pixel(payload, { collect: COLLECT })));
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(bytes(request)).toBeLessThanOrEqual(MAX_BODY);
    expect(requests.reduce((n, r) => n + r.body.events.length, 0)).toBe(4);
  });

  it("measures a body in UTF-8 bytes, as the relay's 16 KiB: a body of few characters but many bytes is split", async () => {
    const { pixel, requests, scope } = loadCollecting();
    const name = "✨😀".repeat(170);
    const payloads = Array.from({ length: 12 }, (_, i) =>
      browserPayload({ type: "product:view", product: { product_id: String(i) }, quiz: { id: "q", name } }),
    );
    await Promise.all(payloads.map((payload) => pixel(payload, { collect: COLLECT })));
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests.map((r) => (r.init.body as string).length).reduce((a, b) => a + b)).toBeLessThan(16000);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(bytes(request)).toBeLessThanOrEqual(MAX_BODY);
    expect(requests.flatMap((r) => r.body.events)).toHaveLength(12);
  });

  it("cuts a lone event's recommendations to what fits 16 KiB rather than send it to a certain 413", async () => {
    const { pixel, requests, scope } = loadCollecting();
    const long = (i: number, what: string) => `${what}-${i}-${"7".repeat(200)}`;
    const recommendations = Array.from({ length: 100 }, (_, i) => ({
      product_id: long(i, "p"),
      variant_id: long(i, "v"),
      sku: long(i, "s"),
      price: 10,
    }));
    const payload = browserPayload({ type: "recommendations:loaded", product: undefined, recommendations });
    expect(await pixel(payload, { collect: COLLECT })).toMatchObject({ fired: true, collected: true });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests).toHaveLength(1);
    expect(bytes(requests[0]!)).toBeLessThanOrEqual(MAX_BODY);
    const sent = requests[0]!.body.events[0].recommendations;
    expect(sent.length).toBeGreaterThan(10);
    expect(sent).toEqual(recommendations.slice(0, sent.length));
    // The most that fit: one more would not have.
    const oneMore = copy(requests[0]!.body);
    oneMore.events[0].recommendations = recommendations.slice(0, sent.length + 1);
    expect(Buffer.byteLength(JSON.stringify(oneMore))).toBeGreaterThan(MAX_BODY);
    expect(relayBrowserOutcomes(requests[0]!.body)).toMatchObject([{ sent: true }]);
  });

  it("leaves out, and says so, an event that fits no request even without recommendations", async () => {
    const huge = `https://shop.example.com/quiz?utm_content=${"x".repeat(8100)}`;
    const { pixel, requests, scope } = loadCollecting({
      location: { href: huge },
      document: { cookie: "", referrer: huge, visibilityState: "visible", addEventListener: () => {} },
    });
    const result = await pixel(browserPayload(), { collect: COLLECT });
    expect(result).toMatchObject({ fired: true, collected: false, reason: "too_large" });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests).toEqual([]);
  });

  it("leaves email:submit to the webhook: the Pixel's lead as before, nothing collected", async () => {
    const { pixel, calls, requests, scope } = loadCollecting();
    const result = await pixel(canonical(), { collect: COLLECT, pixels: [{ id: PIXEL }] });
    expectSameEvent({ result, calls }, relayOutcome(canonical(), DEFAULTS), [PIXEL]);
    expect(result.collected).toBeUndefined();
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests).toEqual([]);
  });

  it("names browser events by the options' map, else the relay's defaults, and fires no unmapped type", async () => {
    const { pixel } = loadCollecting();
    const mapped = await pixel(browserPayload({ type: "step:enter", step: { id: "q1" }, product: undefined }), {
      collect: COLLECT,
      eventName: { "step:enter": "QuizStep" },
    });
    expect(mapped).toMatchObject({ fired: true, events: [{ command: "trackCustom", eventName: "QuizStep" }] });
    const lead = await pixel(browserPayload({ type: "product:view" }), { collect: COLLECT, eventName: "Lead" });
    expect(lead).toMatchObject({ events: [{ command: "track", eventName: "ViewContent" }] });
    const unmapped = await pixel(browserPayload({ type: "step:enter", step: { id: "q1" } }), { collect: COLLECT });
    expect(unmapped).toEqual({ fired: false, reason: "no_event_name" });
  });

  it("sends nothing to anyone on a consent denial", async () => {
    const { pixel, calls, requests, scope } = loadCollecting();
    const denied = browserPayload({ context: { consent: { ad_storage: "denied" } } });
    expect(await pixel(denied, { collect: COLLECT })).toEqual({ fired: false, reason: "consent_denied" });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect([calls, requests]).toEqual([[], []]);
  });

  it("passes the shopper's marketing consent on, so REQUIRE_CONSENT reads the grant the Pixel fired on", async () => {
    const { pixel, requests, scope } = loadCollecting();
    const payload = browserPayload({ context: {}, shopper: { marketing_consent: "yes" } });
    expect(await pixel(payload, { collect: COLLECT, requireConsent: true })).toMatchObject({ fired: true });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests[0]!.body.events[0].marketing_consent).toBe(true);
    expect(relayBrowserOutcomes(requests[0]!.body, { REQUIRE_CONSENT: "true" })).toMatchObject([{ sent: true }]);
    delete requests[0]!.body.events[0].marketing_consent;
    expect(relayBrowserOutcomes(requests[0]!.body, { REQUIRE_CONSENT: "true" })).toMatchObject([
      { sent: false, reason: "consent_not_granted" },
    ]);
  });

  it("refuses a collect that is not a URL, naming the option", async () => {
    const { pixel } = loadCollecting();
    for (const collect of ["", "/collect/cartful", "javascript:alert(1)", 42, {}]) {
      await expect(pixel(browserPayload(), { collect })).rejects.toThrow(/collect must be/);
    }
  });

  it("sends the server copy when fbq throws, and answers fbq_error instead of rejecting", async () => {
    const { pixel, requests, scope } = loadCollecting({ fbq: broken });
    const result = await pixel(browserPayload(), { collect: COLLECT, pixels: [{ id: PIXEL }] });
    expect(result).toMatchObject({ fired: true, collected: true, events: [], reason: "fbq_error" });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests[0]!.body.events[0].event_id).toBe(result.eventID);
  });

  it("fires the other pixels when one fbq call throws, and never rejects into the page", async () => {
    const calls: unknown[][] = [];
    const fbq = (...args: unknown[]) => {
      if (args[1] === "111") throw new Error("pixel 111 is broken");
      calls.push(args);
    };
    const { pixel } = load({ fbq });
    const result = await pixel(canonical(), { pixels: [{ id: "111" }, { id: "222" }] });
    expect(result).toMatchObject({ fired: true, reason: "fbq_error", events: [{ pixelId: "222" }] });
    expect(calls.filter((call) => call[0] === "trackSingle").map((call) => call[1])).toEqual(["222"]);
    const alone = await load({ fbq: broken }).pixel(canonical(), { pixels: [{ id: "111" }] });
    expect(alone).toEqual({ fired: false, reason: "fbq_error" });
    const unreadable = new Proxy(
      {},
      {
        get: () => {
          throw new Error("a getter that throws");
        },
      },
    );
    expect(await load().pixel(unreadable, { pixels: [{ id: "111" }] })).toEqual({ fired: false, reason: "error" });
  });

  it("aborts a request that is never answered, so flush() settles and its keepalive share is freed", async () => {
    const signals: AbortSignal[] = [];
    const { pixel, scope } = loadCollecting({
      fetch: (_url: string, init: RequestInit) => {
        signals.push(init.signal!);
        return new Promise(() => {});
      },
      // The snippet's 15 s timeout, run in 15 ms.
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms / 1000),
    });
    await pixel(browserPayload(), { collect: COLLECT });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });

  it("after a 429 sends nothing until its Retry-After, then the refused body once more", async () => {
    const sent: { at: number; ids: string[] }[] = [];
    const { pixel, scope } = loadCollecting({
      fetch: (_url: string, init: RequestInit) => {
        sent.push({ at: Date.now(), ids: JSON.parse(init.body as string).events.map((e: any) => e.event_id) });
        const status = sent.length === 1 ? 429 : 202;
        return Promise.resolve(new Response("{}", { status, headers: { "Retry-After": "1" } }));
      },
    });
    const flush = (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush;
    await pixel(browserPayload({ product: { product_id: "1" } }), { collect: COLLECT });
    await flush();
    const refused = Date.now();
    await pixel(browserPayload({ product: { product_id: "2" } }), { collect: COLLECT });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sent).toHaveLength(1);
    await expect.poll(() => sent.length, { timeout: 3000 }).toBe(3);
    expect(sent[1]!.at - refused).toBeGreaterThanOrEqual(900);
    expect(sent.map((request) => request.ids.map((id) => id.split(".").at(-1)))).toEqual([["1"], ["1"], ["2"]]);
  });

  it("uses sendBeacon where fetch is missing", async () => {
    const beacons: [string, string][] = [];
    const { pixel, scope } = loadCollecting({
      fetch: undefined,
      navigator: { sendBeacon: (url: string, body: string) => beacons.push([url, body]) },
    });
    await pixel(browserPayload(), { collect: COLLECT });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(beacons).toHaveLength(1);
    expect(JSON.parse(beacons[0]![1]).events[0].type).toBe("product:addToCart");
  });
});

/** The relay's `em` for a webhook's `shopper.email` (its normalizer and hash), or undefined when it drops it. */
const relayEm = (email: unknown) => buildUserData({ email: email as string }, {}).userData.em;

/** What the snippet sends as `em` on a product view whose payload carries `email`, and the body it sent. */
async function snippetEm(email: unknown): Promise<{ em: string | undefined; body: string }> {
  const { pixel, requests, scope } = loadCollecting();
  const payload = browserPayload({ type: "product:view", shopper: { email, customer_id: "7712345" } });
  expect(await pixel(payload, { collect: COLLECT })).toMatchObject({ fired: true, collected: true });
  await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
  expect(requests).toHaveLength(1);
  return { em: requests[0]!.body.events[0].user_data?.em, body: requests[0]!.init.body as string };
}

/**
 * Emails a shopper may type, ordinary and messy. `sent`: the snippet must send the relay's hash
 * (true) or may send nothing (false: an address it cannot be sure to normalize as the relay does,
 * or one the relay drops too).
 */
const EMAIL_CORPUS: { email: unknown; sent: boolean }[] = [
  { email: "john_smith@gmail.com", sent: true },
  { email: " John_Smith@gmail.com ", sent: true },
  { email: "Jane.Doe@Example.COM", sent: true },
  { email: "\tjane.doe+quiz@example.co.uk\r\n", sent: true },
  { email: "o'brien@example.ie", sent: true },
  { email: "\u000bjane@example.com\u000c", sent: true },
  { email: "x_y.z!#$%&'*+/=?^`{|}~-@example.org", sent: true },
  { email: "first.last@mail.sub-domain.example.com", sent: true },
  { email: "1234567@qq.com", sent: true },
  { email: "jane@xn--exmple-cua.de", sent: true },
  { email: `${"a".repeat(64)}@example.com`, sent: true },
  { email: `a@${`${"b".repeat(63)}.`.repeat(3)}${"c".repeat(57)}`, sent: true },
  { email: ` ${sha256("jane@example.com").toUpperCase()} `, sent: true },
  { email: `${sha256("jane@example.com")}.AQQCAQMC`, sent: true },
  // Not sure to match the relay: not sent.
  { email: '"john doe"@example.com', sent: false },
  { email: '"a@b"@example.com', sent: false },
  { email: "jané@example.com", sent: false },
  { email: "jane@exämple.de", sent: false },
  { email: "jane@example.xn--p1ai", sent: false },
  { email: "\u200bjane@example.com", sent: false },
  { email: "jane@example.com\u00a0", sent: false },
  { email: "\ufeffJane@Example.com", sent: false },
  { email: "ｊane@example.com", sent: false },
  { email: "jane\u0000@example.com", sent: false },
  { email: "\u0085jane@example.com", sent: false },
  { email: "jane@[192.0.2.1]", sent: false },
  { email: "jane@[IPv6:2001:db8::1]", sent: false },
  // Not an address: the relay drops it too.
  { email: "jane@localhost", sent: false },
  { email: "jane..doe@example.com", sent: false },
  { email: ".jane@example.com", sent: false },
  { email: "jane.@example.com", sent: false },
  { email: "jane@-example.com", sent: false },
  { email: "jane@example-.com", sent: false },
  { email: "jane@@example.com", sent: false },
  { email: "jane doe@example.com", sent: false },
  { email: "jane@example.c", sent: false },
  { email: "jane@example.123", sent: false },
  { email: "jane@example.com.", sent: false },
  { email: "jane(comment)@example.com", sent: false },
  { email: "Jane <jane@example.com>", sent: false },
  { email: "mailto:jane@example.com", sent: false },
  { email: `${"a".repeat(65)}@example.com`, sent: false },
  { email: `a@${`${"b".repeat(63)}.`.repeat(3)}${"c".repeat(58)}`, sent: false },
  { email: "not an email", sent: false },
  { email: "   ", sent: false },
  { email: "", sent: false },
  { email: 12345, sent: false },
  { email: null, sent: false },
  { email: { address: "jane@example.com" }, sent: false },
];

describe("em, the relay's normalizer and hash and the snippet's on the same inputs", () => {
  for (const { email, sent } of EMAIL_CORPUS) {
    it(`${sent ? "sends the relay's hash" : "sends the relay's hash or nothing"} for ${JSON.stringify(email)}`, async () => {
      const relay = relayEm(email);
      const snippet = await snippetEm(email);
      if (sent) {
        expect(relay).toBeDefined();
        expect(snippet.em).toBe(relay);
      } else if (snippet.em !== undefined) {
        expect(snippet.em).toBe(relay);
      }
      // Never the clear value, in any case (a value hashed upstream is no clear value).
      if (typeof email === "string" && email.trim().length > 3 && preHashed(email) === undefined) {
        for (const clear of [email, email.trim(), email.trim().toLowerCase()])
          expect(snippet.body).not.toContain(clear);
      }
    });
  }

  it("hashes with the browser's crypto.subtle, and sends no em where it cannot hash", async () => {
    const { pixel, requests, scope } = loadCollecting({ crypto: undefined });
    const payload = browserPayload({ type: "product:view", session: { id: "ses_plain", attempt: 1 } });
    expect(await pixel(payload, { collect: COLLECT })).toMatchObject({ fired: true, collected: true, em: false });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests[0]!.body.events[0].user_data).toBeUndefined();
    expect(requests[0]!.init.body).not.toMatch(/jane\.doe@/i);
  });

  it("is what the relay forwards as em on the server copy", async () => {
    const { pixel, requests, scope } = loadCollecting();
    await pixel(browserPayload({ type: "product:view" }), { collect: COLLECT });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    const parsed = parseBrowserBatch(requests[0]!.body);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed));
    const config = parseConfig({});
    const [plan] = planBrowserEvents(
      parsed.batch,
      { ip: "203.0.113.7", userAgent: "Mozilla/5.0", cookies: {} },
      config.destinations,
      Date.parse(browserPayload().occurred_at),
    );
    expect(plan).toMatchObject({ status: "send", match: { sent: expect.arrayContaining(["em", "external_id"]) } });
    if (plan?.status !== "send") return;
    expect(plan.deliveries[0]!.event.user_data.em).toBe(relayEm("Jane.Doe@Example.COM"));
    expect(plan.match.dropped.em).toBeUndefined();
  });
});

describe("ph: never sent from the browser", () => {
  const PHONES = [
    "+1 415 555 0123",
    "+14155550123",
    "+44 20 7946 0958",
    "+44 (0)20 7946 0958",
    "+52 1 55 1234 5678",
    "(650)555-1212",
  ];

  it("sends no ph, and no phone digits, whatever the payload carries", async () => {
    for (const phone of PHONES) {
      const { pixel, requests, scope } = loadCollecting();
      await pixel(browserPayload({ type: "product:view", shopper: { phone, email: "jane@example.com" } }), {
        collect: COLLECT,
      });
      await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
      expect(Object.keys(requests[0]!.body.events[0].user_data)).toEqual(["em"]);
      const body = requests[0]!.init.body as string;
      expect(body).not.toContain(phone.replace(/\D/g, ""));
      expect(body).not.toContain(sha256(phone.replace(/\D/g, "")));
    }
  });

  it("because the relay's rule is libphonenumber's: digits of a + number are not always its hash", () => {
    const digits = (phone: string) => phone.replace(/\D/g, "");
    // The same for an ordinary number…
    expect(normalizePhone("+1 415 555 0123")).toMatchObject({ ok: true, value: digits("+1 415 555 0123") });
    // …but a trunk zero in parentheses and Mexico's old mobile 1 are taken out, an invalid range dropped.
    expect(normalizePhone("+44 (0)20 7946 0958")).toMatchObject({ ok: true, value: "442079460958" });
    expect(digits("+44 (0)20 7946 0958")).toBe("4402079460958");
    expect(normalizePhone("+52 1 55 1234 5678")).toMatchObject({ ok: true, value: "525512345678" });
    expect(normalizePhone("+1 123 456 7890")).toMatchObject({ ok: false });
  });
});

describe("the shopper's email, remembered for the session in the page's memory only", () => {
  const SESSION = { id: "ses_remember", attempt: 1 };
  const submit = (shopper: Record<string, unknown> = { email: " Jane.Doe@Example.COM " }, context?: unknown) => ({
    ...canonical(),
    session: SESSION,
    shopper,
    ...(context === undefined ? {} : { context }),
  });
  const view = (overrides: Record<string, unknown> = {}) =>
    browserPayload({ type: "product:view", session: SESSION, shopper: { customer_id: "7712345" }, ...overrides });
  const storage = () => {
    const writes: unknown[] = [];
    const store = { setItem: (...args: unknown[]) => writes.push(args), getItem: () => null };
    return { writes, store };
  };

  it("gives the events after the email submit the submitted email's hash, and keeps nothing in clear", async () => {
    const local = storage();
    const session = storage();
    const { pixel, requests, scope } = loadCollecting({ localStorage: local.store, sessionStorage: session.store });
    const cookie = (scope.document as { cookie: string }).cookie;
    expect(await pixel(submit(), { collect: COLLECT, pixels: [{ id: PIXEL }] })).toMatchObject({ fired: true });
    expect(await pixel(view(), { collect: COLLECT })).toMatchObject({ collected: true, em: true });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.events.map((e: { type: string }) => e.type)).toEqual(["product:view"]);
    expect(requests[0]!.body.events[0].user_data).toEqual({
      em: sha256("jane.doe@example.com"),
      external_id: sha256("7712345"),
    });
    // Memory only: no storage, no cookie, and the page's global holds the hash, not the address.
    expect([local.writes, session.writes]).toEqual([[], []]);
    expect((scope.document as { cookie: string }).cookie).toBe(cookie);
    expect(JSON.stringify(scope.__cartfulCollect)).not.toMatch(/jane|example/i);
  });

  it("remembers it even when fbq is missing (the lead's Pixel call blocked)", async () => {
    const { pixel, requests, scope } = loadCollecting({ fbq: undefined });
    expect(await pixel(submit(), { collect: COLLECT })).toEqual({ fired: false, reason: "no_fbq" });
    await pixel(view(), { collect: COLLECT });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    expect(requests[0]!.body.events[0].user_data.em).toBe(sha256("jane.doe@example.com"));
  });

  it("keeps each session's own: another session gets none, a later email replaces it", async () => {
    const { pixel, requests, scope } = loadCollecting();
    await pixel(submit(), { collect: COLLECT });
    await pixel(view({ session: { id: "ses_other", attempt: 1 } }), { collect: COLLECT });
    await pixel(submit({ email: "jane@example.org" }), { collect: COLLECT });
    await pixel(view({ product: { product_id: "9" } }), { collect: COLLECT });
    await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
    const sent = requests.flatMap((r) => r.body.events.map((e: { user_data?: { em?: string } }) => e.user_data?.em));
    expect(sent).toEqual([undefined, sha256("jane@example.org")]);
  });

  it("remembers nothing on a consent denial, nor without collect, nor an address it would not send", async () => {
    for (const [payload, options] of [
      [submit(undefined, { consent: { ad_user_data: "denied" } }), { collect: COLLECT }],
      [submit(), {}],
      [submit({ email: "jané@example.com" }), { collect: COLLECT }],
    ] as const) {
      const { pixel, requests, scope } = loadCollecting();
      await pixel(payload, options);
      await pixel(view(), { collect: COLLECT });
      await (scope.cartfulMetaPixel as { flush(): Promise<void> }).flush();
      expect(requests[0]!.body.events[0].user_data, JSON.stringify(payload.shopper)).toEqual({
        external_id: sha256("7712345"),
      });
    }
  });
});
