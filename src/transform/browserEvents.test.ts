import { describe, expect, it, vi } from "vitest";
import { DEFAULT_BROWSER_EVENTS } from "./browserEventNames";
import {
  type BrowserDestination,
  type BrowserEventPlan,
  type BrowserRequest,
  MAX_BROWSER_EVENTS,
  parseBrowserBatch,
  planBrowserEvents,
} from "./browserEvents";
import { firstPartyCookies } from "./firstPartyCookies";
import { seeded } from "../../dev/fake-meta/errors";
import { sha256Utf8Hex } from "./sha256";

const NOW = Date.parse("2026-12-02T10:00:05Z");
const EM = sha256Utf8Hex("john_smith@gmail.com");
const UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
const REQUEST: BrowserRequest = { ip: "203.0.113.7", userAgent: UA, cookies: {} };

function destination(overrides: Partial<BrowserDestination> & { name: string }): BrowserDestination {
  return {
    pixelId: "111",
    match: {},
    eventNames: { fallback: "Lead", byType: {} },
    requireConsent: false,
    limitedDataUse: undefined,
    contentId: "product_id",
    contentType: "product_group",
    eventValue: { kind: "none" },
    browserEvents: DEFAULT_BROWSER_EVENTS,
    ...overrides,
  };
}

const DEFAULT = destination({ name: "default" });

/** The contract's example event. */
function addToCart(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "product:addToCart",
    id: "evt_1",
    occurred_at: "2026-12-02T10:00:00Z",
    event_id: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789",
    quiz: { id: "quiz_1", name: "Skin Care Finder" },
    session: { id: "ses_5f1c9a7e2b", attempt: 2 },
    product: { product_id: "8123456789", variant_id: "4455", sku: "SKU-1", price: 24.0, quantity: 2 },
    recommendations: [],
    store: { currency: "usd", domain: "shop.example.com" },
    user_data: { external_id: sha256Utf8Hex("7712345"), em: EM },
    ...overrides,
  };
}

function body(events: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    events,
    page_url: "https://shop.example.com/pages/skin-quiz?utm_source=fb",
    referrer: "https://www.facebook.com/",
    fbp: "fb.1.1732560000000.1098765432",
    consent: { ad_user_data: "granted", ad_storage: "granted" },
    ...overrides,
  };
}

function plan(
  events: unknown[],
  options: { overrides?: Record<string, unknown>; request?: BrowserRequest; destinations?: BrowserDestination[] } = {},
): BrowserEventPlan<BrowserDestination>[] {
  const parsed = parseBrowserBatch(body(events, options.overrides));
  if (!parsed.ok) throw new Error(`unexpected ${JSON.stringify(parsed)}`);
  return planBrowserEvents(parsed.batch, options.request ?? REQUEST, options.destinations ?? [DEFAULT], NOW);
}

function sent(result: BrowserEventPlan<BrowserDestination>) {
  if (result.status !== "send") throw new Error(`expected send, got ${JSON.stringify(result)}`);
  return result.deliveries;
}

describe("parseBrowserBatch", () => {
  it("reads the contract's example", () => {
    const parsed = parseBrowserBatch(body([addToCart()]));
    expect(parsed.ok).toBe(true);
  });

  it("answers too_many_events above 20 events (a 413), before anything else", () => {
    const events = Array.from({ length: MAX_BROWSER_EVENTS + 1 }, () => ({}));
    expect(parseBrowserBatch({ events })).toEqual({ ok: false, error: "too_many_events" });
    expect(parseBrowserBatch(body(Array.from({ length: MAX_BROWSER_EVENTS }, () => addToCart()))).ok).toBe(true);
  });

  it("names the paths of what does not match, never a value", () => {
    const parsed = parseBrowserBatch({
      events: [addToCart(), addToCart({ type: undefined, session: { id: "jane@example.com", attempt: 0 } })],
      page_url: "x".repeat(8193),
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok || parsed.error !== "invalid") return;
    expect(parsed.issues.map((issue) => issue.path).sort()).toEqual([
      "events.1.session.attempt",
      "events.1.type",
      "page_url",
    ]);
    expect(JSON.stringify(parsed.issues)).not.toContain("jane");
  });

  it.each([null, [], "events", { events: [] }, { events: {} }, { events: [null] }])("refuses %j", (value) => {
    const parsed = parseBrowserBatch(value);
    expect(parsed).toMatchObject({ ok: false, error: "invalid" });
  });

  it("refuses a type that is not a Studio type's shape, without echoing it", () => {
    expect(parseBrowserBatch(body([addToCart({ type: "jane@example.com" })]))).toEqual({
      ok: false,
      error: "invalid",
      issues: [{ path: "events.0.type", message: "Not a Studio event type" }],
    });
  });

  it.each([5, true, null, "", { name: "product:view" }])("refuses a type that is not text: %j", (type) => {
    const parsed = parseBrowserBatch(body([addToCart({ type })]));
    expect(parsed).toMatchObject({ ok: false, error: "invalid" });
    expect(parsed.ok === false && parsed.error === "invalid" && parsed.issues.map((i) => i.path)).toContain(
      "events.0.type",
    );
  });

  it("bounds strings as for webhooks", () => {
    const parsed = parseBrowserBatch(body([addToCart({ session: { id: "s".repeat(257), attempt: 1 } })]));
    expect(parsed).toMatchObject({ ok: false, issues: [{ path: "events.0.session.id" }] });
  });

  it("ignores unknown fields and keeps prototype keys inert", () => {
    const text = JSON.stringify(body([addToCart({ extra: { deep: 1 } })])).replace(
      '"events":[{',
      '"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"events":[{"__proto__":{"type":"quiz:complete"},',
    );
    const parsed = parseBrowserBatch(JSON.parse(text));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.getPrototypeOf(parsed.batch)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.batch.events[0])).toBe(Object.prototype);
    expect(parsed.batch.events[0]!.type).toBe("product:addToCart");
    expect("extra" in parsed.batch.events[0]!).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const product = JSON.parse('{"__proto__":{"product_id":"evil"},"price":1}') as unknown;
    const withProduct = parseBrowserBatch(body([addToCart({ product })]));
    expect(withProduct.ok).toBe(true);
    if (withProduct.ok) expect(withProduct.batch.events[0]!.product?.product_id).toBeUndefined();
  });
});

describe("planBrowserEvents", () => {
  it("builds the server event of the contract's example", () => {
    const [result] = plan([addToCart()]);
    expect(result).toMatchObject({
      index: 0,
      status: "send",
      eventId: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789",
    });
    const [delivery] = sent(result!);
    expect(delivery!.destination).toBe(DEFAULT);
    expect(delivery!.event).toEqual({
      event_name: "AddToCart",
      event_time: Date.parse("2026-12-02T10:00:00Z") / 1000,
      event_id: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789",
      action_source: "website",
      event_source_url: "https://shop.example.com/pages/skin-quiz?utm_source=fb",
      referrer_url: "https://www.facebook.com/",
      user_data: {
        em: EM,
        external_id: sha256Utf8Hex("7712345"),
        client_ip_address: "203.0.113.7",
        client_user_agent: UA,
        fbp: "fb.1.1732560000000.1098765432",
      },
      custom_data: {
        content_ids: ["8123456789"],
        contents: [{ id: "8123456789", quantity: 2, item_price: 24 }],
        content_type: "product_group",
        currency: "USD",
        value: 48,
        content_name: "Skin Care Finder",
      },
    });
    expect(result!.match.sent).toEqual(["em", "external_id", "client_ip_address", "client_user_agent", "fbp"]);
  });

  it("maps types through each destination's browser_events, and sends unmapped types nowhere", () => {
    const eu = destination({ name: "eu", pixelId: "222", browserEvents: new Map([["quiz:complete", "Lead"]]) });
    const none = destination({ name: "none", pixelId: "333", browserEvents: new Map() });
    const destinations = [DEFAULT, eu, none];
    const complete = { type: "quiz:complete", event_id: "cartful.ses_a.1.quiz:complete", session: { id: "ses_a" } };
    const step = { type: "step:enter", event_id: "cartful.ses_a.1.step:enter.q1", session: { id: "ses_a" } };
    const [first, second] = plan([complete, step], { destinations });
    expect(sent(first!).map((d) => [d.destination.name, d.event.event_name])).toEqual([
      ["default", "QuizComplete"],
      ["eu", "Lead"],
    ]);
    expect(second).toMatchObject({
      status: "skipped",
      reason: "no_destination",
      eventId: "cartful.ses_a.1.step:enter.q1",
    });
  });

  it("holds each destination's match", () => {
    const de = destination({ name: "de", match: { storeDomains: ["shop.example.de"] } });
    const viaSource = destination({ name: "tiktok", match: { sources: ["tiktok"] } });
    const [result] = plan([addToCart({ store: { domain: "shop.example.de", currency: "EUR" } })], {
      destinations: [de, viaSource],
    });
    expect(sent(result!).map((d) => d.destination.name)).toEqual(["de"]);
    const [other] = plan([addToCart()], { destinations: [de, viaSource] });
    expect(other).toMatchObject({ status: "skipped", reason: "no_destination" });
  });

  it("never sends email:submit: the webhook sends that lead", () => {
    const everything = destination({ name: "all", browserEvents: new Map([["email:submit", "Lead"]]) });
    const [result] = plan([{ type: "email:submit", event_id: "cartful.ses_a.1", session: { id: "ses_a" } }], {
      destinations: [everything],
    });
    expect(result).toMatchObject({ status: "skipped", reason: "webhook_only" });
  });

  it.each([
    [undefined, "invalid_event_id", undefined],
    [42, "invalid_event_id", undefined],
    [`cartful.${"x".repeat(5000)}`, "invalid_event_id", `cartful.${"x".repeat(5000)}`],
    ["fbq.ses_a.1", "invalid_event_id", "fbq.ses_a.1"],
    [`cartful.${"x".repeat(249)}`, "invalid_event_id", `cartful.${"x".repeat(249)}`],
    ["fbq.jane@example.com.1", "invalid_event_id", undefined],
    ["cartful.jane@example.com.1.product:view", "personal_event_id", undefined],
  ])(
    "refuses the event with event_id %s, naming it back unless personal, and sends the others",
    (eventId, reason, named) => {
      const [bad, good] = plan([addToCart({ event_id: eventId }), addToCart()]);
      expect(bad).toEqual({
        index: 0,
        type: "product:addToCart",
        eventId: named,
        match: { sent: [], dropped: {} },
        status: "skipped",
        reason,
      });
      expect(good!.status).toBe("send");
    },
  );

  it("drops user data in clear, never hashing it, and still sends the event", () => {
    const [result] = plan([
      addToCart({ user_data: { em: "john_smith@gmail.com", ph: "+1 650 555 1212", external_id: 7712345 } }),
    ]);
    const [delivery] = sent(result!);
    const json = JSON.stringify(delivery!.event);
    expect(delivery!.event.user_data.em).toBeUndefined();
    expect(delivery!.event.user_data.ph).toBeUndefined();
    expect(delivery!.event.user_data.external_id).toBeUndefined();
    expect(json).not.toContain(EM);
    expect(json).not.toContain("john_smith");
    expect(json).not.toContain("555");
    expect(result!.match.dropped).toEqual({ em: "not hashed", ph: "not hashed", external_id: "not hashed" });
  });

  it("keeps hashed values: 64 hex lowercased, a Parameter Builder value exactly", () => {
    const builder = `${EM}.AQQCAQMC`;
    const [result] = plan([addToCart({ user_data: { em: EM.toUpperCase(), ph: builder } })]);
    expect(sent(result!)[0]!.event.user_data).toMatchObject({ em: EM, ph: builder });
  });

  it("takes the address and the agent from the request, never from the body", () => {
    const [result] = plan([addToCart({ user_data: { em: EM, client_ip_address: "198.51.100.9" } })], {
      overrides: { client_ip_address: "198.51.100.9", client_user_agent: "Evil/1.0", ip: "198.51.100.9" },
      request: { ip: "2001:db8::7", userAgent: UA, cookies: {} },
    });
    const userData = sent(result!)[0]!.event.user_data;
    expect(userData.client_ip_address).toBe("2001:db8::7");
    expect(userData.client_user_agent).toBe(UA);
    expect(JSON.stringify(userData)).not.toContain("198.51.100.9");
  });

  it("reads fbp and fbc from the cookies first, then the body, then a page fbclid", () => {
    const cookies = { fbp: "fb.1.1700000000000.111", fbc: "fb.1.1700000000000.CookieClick" };
    const [fromCookies] = plan([addToCart()], {
      overrides: { fbc: "fb.1.1732560123000.BodyClick" },
      request: { ...REQUEST, cookies },
    });
    expect(sent(fromCookies!)[0]!.event.user_data).toMatchObject(cookies);

    const [fromBody] = plan([addToCart()], {
      overrides: { fbc: "fb.1.1732560123000.BodyClick" },
      request: { ...REQUEST, cookies: { fbp: "malformed" } },
    });
    expect(sent(fromBody!)[0]!.event.user_data).toMatchObject({
      fbp: "fb.1.1732560000000.1098765432",
      fbc: "fb.1.1732560123000.BodyClick",
    });

    const [fromUrl] = plan([addToCart()], {
      overrides: { page_url: "https://shop.example.com/quiz?fbclid=IwAR2New" },
    });
    expect(sent(fromUrl!)[0]!.event.user_data.fbc).toBe(`fb.1.${Date.parse("2026-12-02T10:00:00Z")}.IwAR2New`);
  });

  it("sends to Meta the very cookies the route sets", () => {
    const parsed = parseBrowserBatch(
      body([addToCart()], { fbp: undefined, page_url: "https://shop.example.com/q?fbclid=IwAR2New" }),
    );
    if (!parsed.ok) throw new Error("invalid");
    const decided = firstPartyCookies({
      cookieDomain: "example.com",
      cookies: {},
      pageUrl: parsed.batch.page_url,
      fbp: parsed.batch.fbp,
      now: NOW,
      random: () => 0.25,
    });
    expect(decided.setCookie).toHaveLength(2);
    const [result] = planBrowserEvents(parsed.batch, { ...REQUEST, cookies: decided.cookies }, [DEFAULT], NOW);
    const userData = sent(result!)[0]!.event.user_data;
    expect(userData.fbp).toBe(decided.cookies.fbp);
    expect(userData.fbc).toBe(decided.cookies.fbc);
    for (const cookie of decided.setCookie)
      expect(cookie).toContain(cookie.startsWith("_fbp") ? userData.fbp : userData.fbc);
  });

  it("scrubs the page URL as the webhook's, and falls back to the store's address", () => {
    const [scrubbed] = plan([addToCart()], {
      overrides: { page_url: "https://shop.example.com/quiz?email=jane%40example.com&utm_source=fb#step=2" },
    });
    expect(sent(scrubbed!)[0]!.event.event_source_url).toBe("https://shop.example.com/quiz?utm_source=fb");
    const [fallback] = plan([addToCart()], { overrides: { page_url: undefined } });
    expect(sent(fallback!)[0]!.event.event_source_url).toBe("https://shop.example.com/");
  });

  it("reads consent as for webhooks: an explicit denial sends nothing", () => {
    const [denied] = plan([addToCart()], { overrides: { consent: { ad_user_data: "denied" } } });
    expect(denied).toMatchObject({ status: "skipped", reason: "consent_denied" });
    const [ownDenial] = plan([addToCart({ consent: { ad_storage: "denied" } })]);
    expect(ownDenial).toMatchObject({ status: "skipped", reason: "consent_denied" });
    const [refused] = plan([addToCart({ marketing_consent: "no" })]);
    expect(refused).toMatchObject({ status: "skipped", reason: "consent_denied" });
    const strict = destination({ name: "strict", requireConsent: true });
    const [silent] = plan([addToCart()], { overrides: { consent: undefined }, destinations: [DEFAULT, strict] });
    expect(silent).toMatchObject({ status: "send", skipped: [{ destination: strict, reason: "consent_not_granted" }] });
    expect(sent(silent!).map((d) => d.destination.name)).toEqual(["default"]);
    const [granted] = plan([addToCart({ marketing_consent: true })], {
      overrides: { consent: undefined },
      destinations: [strict],
    });
    expect(granted).toMatchObject({ status: "send", skipped: [] });
  });

  it("never plans an event Meta would refuse for want of event_source_url", () => {
    const [fromStore] = plan([addToCart()], { overrides: { page_url: undefined } });
    expect(sent(fromStore!)[0]!.event.event_source_url).toBe("https://shop.example.com/");
    const [neither] = plan([addToCart({ store: { currency: "usd" } })], { overrides: { page_url: undefined } });
    expect(neither).toMatchObject({ status: "skipped", reason: "no_event_source_url" });
  });

  it("bounds event_time: never after now, never older than Meta accepts", () => {
    const [ahead] = plan([addToCart({ occurred_at: NOW + 60_000 })]);
    expect(sent(ahead!)[0]!.event.event_time).toBe(Math.floor(NOW / 1000));
    const [farAhead] = plan([addToCart({ occurred_at: NOW + 2 * 86_400_000 })]);
    expect(farAhead).toMatchObject({ status: "skipped", reason: "future_event" });
    const [old] = plan([addToCart({ occurred_at: NOW - 7 * 86_400_000 })]);
    expect(old).toMatchObject({ status: "skipped", reason: "too_old" });
    const [absent] = plan([addToCart({ occurred_at: undefined })]);
    expect(sent(absent!)[0]!.event.event_time).toBe(Math.floor(NOW / 1000));
  });

  it("builds custom_data from the recommendations when the event has no product", () => {
    const loaded = {
      type: "recommendations:loaded",
      event_id: "cartful.ses_a.1.recommendations:loaded",
      session: { id: "ses_a" },
      recommendations: [
        { product_id: "1", price: "10.00" },
        { product_id: "2", price: 5, quantity: 3 },
      ],
      store: { currency: "EUR" },
    };
    const valued = destination({ name: "valued", eventValue: { kind: "recommendations" } });
    const [result] = plan([loaded], { destinations: [DEFAULT, valued] });
    const [plain, withValue] = sent(result!);
    expect(plain!.event.event_name).toBe("RecommendationsLoaded");
    expect(plain!.event.custom_data).toEqual({
      content_ids: ["1", "2"],
      contents: [
        { id: "1", quantity: 1, item_price: 10 },
        { id: "2", quantity: 3, item_price: 5 },
      ],
      content_type: "product_group",
      currency: "EUR",
    });
    expect(withValue!.event.custom_data?.value).toBe(25);
  });

  it("sends Limited Data Use as the destination says", () => {
    const ldu = destination({ name: "ldu", limitedDataUse: { country: 0, state: 0 } });
    const [result] = plan([addToCart()], { destinations: [ldu] });
    expect(sent(result!)[0]!.event).toMatchObject({
      data_processing_options: ["LDU"],
      data_processing_options_country: 0,
      data_processing_options_state: 0,
    });
  });

  it("leaves the agent out when it is longer than a webhook's may be", () => {
    const [result] = plan([addToCart()], { request: { ...REQUEST, userAgent: "A".repeat(4097) } });
    expect(sent(result!)[0]!.event.user_data.client_user_agent).toBeUndefined();
  });
});

describe("hostile bodies", () => {
  const VALUES: unknown[] = [
    null,
    true,
    0,
    -1,
    1e308,
    "",
    " ",
    "jane@example.com",
    "+1 650 555 1212",
    "x".repeat(9000),
    [],
    ["jane@example.com"],
    {},
    JSON.parse('{"__proto__":{"type":"quiz:complete","event_id":"cartful.x"}}'),
    JSON.parse('{"constructor":{"prototype":{"polluted":"jane@example.com"}}}'),
    "2026-02-30T10:00:00Z",
    "cartful.jane@example.com",
  ];
  const PATHS = [
    ["events"],
    ["page_url"],
    ["referrer"],
    ["fbp"],
    ["fbc"],
    ["consent"],
    ["events", 0],
    ["events", 0, "type"],
    ["events", 0, "event_id"],
    ["events", 0, "occurred_at"],
    ["events", 0, "session"],
    ["events", 0, "session", "id"],
    ["events", 0, "session", "attempt"],
    ["events", 0, "product"],
    ["events", 0, "product", "price"],
    ["events", 0, "recommendations"],
    ["events", 0, "store"],
    ["events", 0, "user_data"],
    ["events", 0, "user_data", "em"],
    ["events", 0, "consent"],
    ["events", 0, "__proto__"],
  ];

  it("never throws, and never lets a value in clear through, whatever a field holds", () => {
    const random = seeded(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    for (let round = 0; round < 400; round++) {
      const value = body([addToCart(), addToCart({ type: "quiz:complete", product: undefined })]);
      for (let change = 0; change < 3; change++) {
        const path = pick(PATHS);
        let target: any = value;
        for (const key of path.slice(0, -1)) target = target?.[key as never];
        if (target !== null && typeof target === "object") target[path.at(-1) as never] = pick(VALUES) as never;
      }
      const parsed = parseBrowserBatch(JSON.parse(JSON.stringify(value)));
      if (!parsed.ok) {
        if (parsed.error === "invalid") expect(JSON.stringify(parsed.issues)).not.toContain("jane");
        continue;
      }
      const plans = planBrowserEvents(parsed.batch, REQUEST, [DEFAULT], NOW);
      const text = JSON.stringify(plans.map((p) => (p.status === "send" ? p.deliveries.map((d) => d.event) : p)));
      expect(text).not.toContain("jane");
      expect(text).not.toContain("555 1212");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("the data tables", () => {
  it("are not needed: the collect route never loads them (src/http/dataAssets.ts)", async () => {
    // A fresh module graph: no phone metadata or country table installed.
    vi.resetModules();
    const fresh = await import("./browserEvents");
    const user_data = { em: EM, ph: sha256Utf8Hex("14155550123"), external_id: "7712345" };
    const parsed = fresh.parseBrowserBatch(body([addToCart({ user_data })]));
    if (!parsed.ok) throw new Error(`unexpected ${JSON.stringify(parsed)}`);
    const [result] = fresh.planBrowserEvents(parsed.batch, REQUEST, [DEFAULT], NOW);
    expect(sent(result!)[0]!.event.user_data).toMatchObject({ em: EM, ph: user_data.ph });
    vi.resetModules();
  });
});
