import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/settings";
import { eventNameFor } from "./routing";
import {
  buildCustomData,
  buildServerEvent,
  eventSource,
  matchWarnings,
  scrubUrl,
  storeUrl,
  webhookUserData,
} from "./serverEvent";
import { parseWebhook, type StudioWebhook } from "./webhook";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));

function webhook(payload: unknown = fixture("canonical")): StudioWebhook {
  const result = parseWebhook(payload, {});
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.webhook;
}

/** The single destination's options under these settings. */
const options = (env: Record<string, unknown> = {}) => parseConfig(env).destinations[0]!;
/** The event the single destination gets under these settings. */
function build(w: StudioWebhook, env: Record<string, unknown> = {}, now = NOW) {
  const config = parseConfig(env);
  const destination = config.destinations[0]!;
  return buildServerEvent(
    w,
    webhookUserData(w, config, now).userData,
    eventNameFor(destination, w.type),
    destination,
    now,
  );
}

describe("buildServerEvent", () => {
  it("maps the canonical webhook to a website Lead", () => {
    const event = build(webhook(), {});
    expect(event).toMatchObject({
      event_name: "Lead",
      event_time: 1795632127,
      event_id: "cartful.ses_5f1c9a7e2b.2",
      action_source: "website",
      event_source_url: "https://shop.example.com/pages/skin-quiz?utm_source=fb&fbclid=IwAR2xYz",
      referrer_url: "https://www.facebook.com/",
    });
    expect(event.user_data.em).toBe(sha256("jane.doe@example.com"));
    expect(event.user_data.client_user_agent).toBe(fixture("canonical").context.user_agent);
    expect(event).not.toHaveProperty("data_processing_options");
  });

  it("takes the event name from configuration", () => {
    expect(build(webhook(), { META_EVENT_NAME: "QuizLead" }).event_name).toBe("QuizLead");
  });

  it("stamps a future occurred_at as now, never later", () => {
    const w = webhook();
    w.occurred_at = NOW + 60_000;
    expect(build(w, {}).event_time).toBe(NOW / 1000);
  });

  it("uses the store's address when no page URL came", () => {
    const payload = fixture("canonical");
    delete payload.context.page_url;
    expect(build(webhook(payload), {}).event_source_url).toBe("https://shop.example.com/");
  });

  it("keeps the fbc cookie whose click id is the page's, and builds one from fbclid when no fbc came", () => {
    const payload = fixture("canonical");
    expect(build(webhook(payload), {}).user_data.fbc).toBe(payload.context.fbc);
    delete payload.context.fbc;
    expect(build(webhook(payload), {}).user_data.fbc).toBe(`fb.1.${Date.parse(payload.occurred_at)}.IwAR2xYz`);
  });

  it("replaces an fbc cookie from an older ad click with the page's click id", () => {
    const payload = fixture("canonical");
    payload.context.fbc = "fb.1.1732000000000.OlderClick";
    expect(build(webhook(payload)).user_data.fbc).toBe(`fb.1.${Date.parse(payload.occurred_at)}.IwAR2xYz`);
  });

  it("stamps a built fbc with now when occurred_at is a little ahead", () => {
    const payload = fixture("canonical");
    delete payload.context.fbc;
    payload.occurred_at = NOW + 60_000;
    expect(build(webhook(payload)).user_data.fbc).toBe(`fb.1.${NOW}.IwAR2xYz`);
  });

  it("sends the user data it is given, built once for every destination", () => {
    const w = webhook();
    const event = buildServerEvent(w, { em: "given" }, "Lead", options(), NOW);
    expect(event.user_data).toEqual({ em: "given" });
  });

  it("uses DEFAULT_COUNTRY for a phone without a country code when the shopper gives no country", () => {
    const payload = { ...fixture("minimal"), shopper: { email: "a@b.co", phone: "020 7946 0958" } };
    const event = build(webhook(payload), { DEFAULT_COUNTRY: "GB" });
    expect(event.user_data.ph).toBe(sha256("442079460958"));
  });

  it("adds Limited Data Use when configured", () => {
    const event = build(webhook(), { META_LIMITED_DATA_USE: "true" });
    expect(event).toMatchObject({
      data_processing_options: ["LDU"],
      data_processing_options_country: 0,
      data_processing_options_state: 0,
    });
  });

  it("keeps personal data out of everything but user_data", () => {
    const event = build(webhook(fixture("messy")), {});
    const { user_data: _hashed, ...rest } = event;
    const plain = JSON.stringify(rest).toLowerCase();
    for (const value of ["john_smith", "gmail", "650", "mary", "connor", "louis", "63101", "1997", "acne"]) {
      expect(plain).not.toContain(value);
    }
  });

  it("is deterministic", () => {
    expect(build(webhook())).toEqual(build(webhook()));
  });
});

describe("buildCustomData", () => {
  const withTotal = (env: Record<string, unknown> = {}) => options({ META_EVENT_VALUE: "recommendations", ...env });

  it("lists the recommendations as product groups (their parent product ids), without a value, and the quiz's name", () => {
    expect(buildCustomData(webhook(), options())).toEqual({
      content_ids: ["8012345", "8012399"],
      contents: [
        { id: "8012345", quantity: 1, item_price: 34 },
        { id: "8012399", quantity: 1, item_price: 28.5 },
      ],
      content_type: "product_group",
      currency: "USD",
      content_name: "Skin Care Finder",
    });
  });

  it("sends the recommendations' total as the value only when asked (META_EVENT_VALUE=recommendations)", () => {
    expect(buildCustomData(webhook(), withTotal())?.value).toBe(62.5);
  });

  it("calls variant ids products", () => {
    expect(buildCustomData(webhook(), options({ META_CONTENT_ID: "variant_id" }))).toMatchObject({
      content_ids: ["44012345", "44012399"],
      content_type: "product",
    });
  });

  it("adds value in cents, so float sums stay exact", () => {
    const payload = fixture("canonical");
    payload.recommendations = [
      { product_id: "a", price: 0.1, quantity: 1 },
      { product_id: "b", price: 0.2, quantity: 1 },
    ];
    expect(buildCustomData(webhook(payload), withTotal())?.value).toBe(0.3);
  });

  it("multiplies by quantity and counts a missing quantity as 1", () => {
    const data = buildCustomData(webhook(fixture("international")), withTotal());
    expect(data).toMatchObject({ currency: "EUR", value: 148.9 });
  });

  it("rounds quantities to whole items, at least one, and ignores absurd amounts", () => {
    const payload = fixture("canonical");
    payload.recommendations = [
      { product_id: "a", price: 10, quantity: 0.5 },
      { product_id: "b", price: 1e308, quantity: 1 },
      { product_id: "c", price: 5, quantity: 1e300 },
    ];
    expect(buildCustomData(webhook(payload), withTotal())).toMatchObject({
      contents: [
        { id: "a", quantity: 1, item_price: 10 },
        { id: "b", quantity: 1 },
        { id: "c", quantity: 1, item_price: 5 },
      ],
      value: 15,
    });
  });

  it("reads ids from the configured field and skips items without one", () => {
    const data = buildCustomData(webhook(), options({ META_CONTENT_ID: "sku" }));
    expect(data?.content_ids).toEqual(["SER-VC-30", "MST-HY-50"]);
    const messy = buildCustomData(webhook(fixture("messy")), options());
    expect(messy?.content_ids).toEqual(["8012345", "8012399"]);
  });

  it("leaves out a product whose id carries an email address or a phone number, its price too", () => {
    const payload = fixture("canonical");
    payload.recommendations = [
      { product_id: "jane.doe@example.com", price: 10 },
      { product_id: "+1 650 555 0199", price: 20 },
      { product_id: "8012345", price: 34 },
    ];
    const data = buildCustomData(webhook(payload), withTotal());
    expect(data).toMatchObject({
      content_ids: ["8012345"],
      contents: [{ id: "8012345", quantity: 1, item_price: 34 }],
    });
    expect(data?.value).toBe(34);
    expect(JSON.stringify(data)).not.toMatch(/example\.com|650/);
  });

  it("keeps a product id of plain digits, however long (Shopify's ids are not phone numbers)", () => {
    const payload = fixture("canonical");
    payload.recommendations = [{ product_id: "16505550199123" }];
    expect(buildCustomData(webhook(payload), options())?.content_ids).toEqual(["16505550199123"]);
  });

  it("leaves out a quiz name with an email address or a phone number in it", () => {
    for (const name of ["Quiz for Clear.Person@Mail-test.io", "Call +1 650 555 0199"]) {
      const payload = fixture("canonical");
      payload.quiz = { id: "quiz_1", name };
      const data = buildCustomData(webhook(payload), options());
      expect(data).not.toHaveProperty("content_name");
      expect(data?.content_ids).toEqual(["8012345", "8012399"]);
    }
  });

  it("follows META_EVENT_VALUE", () => {
    expect(buildCustomData(webhook(), options({ META_EVENT_VALUE: "none" }))).not.toHaveProperty("value");
    expect(buildCustomData(webhook(), options({ META_EVENT_VALUE: "12" }))?.value).toBe(12);
  });

  it("sends no value without a valid currency", () => {
    const payload = fixture("canonical");
    payload.store.currency = "dollars";
    const data = buildCustomData(webhook(payload), options());
    expect(data).not.toHaveProperty("value");
    expect(data).not.toHaveProperty("currency");
  });

  it("is absent when there is nothing to say", () => {
    expect(buildCustomData(webhook(fixture("minimal")), options())).toBeUndefined();
  });

  it("never carries product titles or quiz answers", () => {
    const text = JSON.stringify(buildCustomData(webhook(), options()));
    expect(text).not.toContain("Vitamin C Serum");
    expect(text).not.toContain("dark spots");
  });
});

describe("webhookUserData", () => {
  it("reads the shopper, the browser values and the page's click id, and reports", () => {
    const { userData, match } = webhookUserData(webhook(), parseConfig({}), NOW);
    expect(userData.client_ip_address).toBe("203.0.113.7");
    expect(match).toEqual({
      sent: [
        "em",
        "ph",
        "fn",
        "ln",
        "db",
        "ge",
        "ct",
        "st",
        "zp",
        "country",
        "external_id",
        "client_ip_address",
        "client_user_agent",
        "fbc",
        "fbp",
      ],
      dropped: {},
    });
  });

  it("prefers context.ipv6 and takes the referrer's click id", () => {
    const payload = fixture("minimal");
    payload.context = {
      ip: "203.0.113.7",
      ipv6: "2001:db8::7",
      page_url: "https://shop.example.com/quiz",
      referrer_url: "https://l.facebook.com/l.php?fbclid=FromReferrer",
    };
    const { userData } = webhookUserData(webhook(payload), parseConfig({}), NOW);
    expect(userData.client_ip_address).toBe("2001:db8::7");
    expect(userData.fbc).toBe(`fb.1.${payload.occurred_at * 1000}.FromReferrer`);
  });

  it("reads phones, states and ZIPs in DEFAULT_COUNTRY when the shopper gave none", () => {
    const payload = { ...fixture("minimal"), shopper: { email: "a@b.co", phone: "020 7946 0958", zip: "NR9 5AL" } };
    const { userData, match } = webhookUserData(webhook(payload), parseConfig({ DEFAULT_COUNTRY: "GB" }), NOW);
    expect(userData.ph).toBe(sha256("442079460958"));
    expect(userData.zp).toBe(sha256("nr95al"));
    expect(match.dropped).toEqual({});
  });
});

describe("scrubUrl", () => {
  it("returns a clean URL exactly as it came", () => {
    const url = "https://shop.example.com/pages/skin-quiz?utm_source=fb&fbclid=IwAR2xYz";
    expect(scrubUrl(url)).toBe(url);
  });

  it("drops query parameters named for personal data", () => {
    expect(scrubUrl("https://s.example/q?email=a%40b.co&first_name=Jane&phone=1&utm_source=fb")).toBe(
      "https://s.example/q?utm_source=fb",
    );
  });

  it("drops a parameter whose value holds an email address", () => {
    expect(scrubUrl("https://s.example/q?ref=jane%40example.com&x=1")).toBe("https://s.example/q?x=1");
  });

  it("drops Meta's own short keys and address words", () => {
    expect(
      scrubUrl("https://s.example/q?fn=Jane&ln=Doe&ph=14155550123&ct=sf&db=19900214&city=SF&country=US&gender=f&v=2"),
    ).toBe("https://s.example/q?v=2");
  });

  it("drops the fragment", () => {
    expect(scrubUrl("https://s.example/quiz#email=jane.doe@example.com&phone=4155550123")).toBe(
      "https://s.example/quiz",
    );
  });

  it("drops a path holding an address", () => {
    expect(scrubUrl("https://s.example/u/jane.doe@example.com/quiz?utm_source=fb")).toBe(
      "https://s.example/?utm_source=fb",
    );
    expect(scrubUrl("https://s.example/u/jane.doe%40example.com/quiz")).toBe("https://s.example/");
  });

  it("drops credentials in the URL", () => {
    expect(scrubUrl("https://user:pass@s.example/q")).toBe("https://s.example/q");
  });

  it("refuses what is not an http(s) URL", () => {
    for (const bad of ["javascript:alert(1)", "not a url", "ftp://s.example/", ""]) {
      expect(scrubUrl(bad)).toBeUndefined();
    }
  });
});

describe("storeUrl", () => {
  it.each([
    ["shop.example.com", "https://shop.example.com/"],
    ["https://Shop.Example.com/pages/quiz?x=1", "https://shop.example.com/"],
    [" http://www.shop.example.de ", "https://www.shop.example.de/"],
    ["shop.example.com:8443", "https://shop.example.com:8443/"],
    ["bücher.example", "https://xn--bcher-kva.example/"],
    ["shop.example.com.", "https://shop.example.com/"],
  ])("reads %j as %j", (domain, url) => {
    expect(storeUrl(domain)).toBe(url);
  });

  it.each([
    "",
    "localhost",
    "203.0.113.7",
    "shop..example.com",
    "-shop.example.com",
    "not a domain",
    "a@b.co",
    "ftp://x",
  ])("refuses %j", (domain) => {
    expect(storeUrl(domain)).toBeUndefined();
  });
});

describe("eventSource", () => {
  const at = (context: object, store: object) => eventSource({ context, store } as StudioWebhook);

  it("takes the scrubbed page URL, else the store's address, else names the field to map", () => {
    expect(at({ page_url: "https://s.example/q?email=a%40b.co" }, { domain: "shop.example.com" })).toEqual({
      ok: true,
      url: "https://s.example/q",
      from: "context.page_url",
    });
    expect(at({ page_url: "nope" }, { domain: "shop.example.com" })).toEqual({
      ok: true,
      url: "https://shop.example.com/",
      from: "store.domain",
    });
    expect(at({}, {})).toMatchObject({ ok: false, issues: [{ path: "context.page_url" }] });
  });

  it("warns about a derived event_source_url and a missing client_user_agent, by name only", () => {
    const derived = at({}, { domain: "shop.example.com" });
    expect(matchWarnings(derived, { sent: ["em"], dropped: {} }).map((w) => w.field)).toEqual([
      "event_source_url",
      "client_user_agent",
    ]);
    const page = at({ page_url: "https://shop.example.com/quiz" }, {});
    expect(matchWarnings(page, { sent: ["em", "client_user_agent"], dropped: {} })).toEqual([]);
  });
});
