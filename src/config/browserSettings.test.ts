import { describe, expect, it } from "vitest";
import { DEFAULT_BROWSER_EVENTS } from "../transform/browserEventNames";
import { readBrowserEvents, readBrowserOrigins, readBrowserSettings, readCookieDomain } from "./browserSettings";
import { parseDestinations } from "./destinations";
import { parseConfig } from "./settings";
import { ConfigError } from "./values";

const LABEL = 'DESTINATIONS "eu": browser_events';

describe("readBrowserOrigins", () => {
  it("is off when unset or blank", () => {
    expect(readBrowserOrigins(undefined)).toBeUndefined();
    expect(readBrowserOrigins("  ")).toBeUndefined();
    expect(readBrowserOrigins(" , ")).toBeUndefined();
  });

  it("normalises origins as browsers send Origin: lowercase, default port dropped, trailing slash tolerated", () => {
    const origins = readBrowserOrigins(
      "https://Shop.Example.com, https://shop.example.com:443/,http://localhost:8788, https://bücher.example",
    );
    expect([...origins!]).toEqual([
      "https://shop.example.com",
      "http://localhost:8788",
      "https://xn--bcher-kva.example",
    ]);
  });

  it("takes a list bound in wrangler.jsonc", () => {
    expect([...readBrowserOrigins(["https://a.example", "https://b.example"])!]).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
  });

  it.each([
    "*",
    "shop.example.com",
    "https://shop.example.com/quiz",
    "https://shop.example.com?x=1",
    "https://user@shop.example.com",
    "ftp://shop.example.com",
    "https://",
    "null",
  ])("refuses %s, naming the entry but not its value", (entry) => {
    expect(() => readBrowserOrigins(`https://ok.example, ${entry}`)).toThrow(
      new ConfigError(
        "BROWSER_ORIGINS[1] must be an exact origin, scheme://host[:port] (e.g. https://shop.example.com)",
      ),
    );
  });

  it("refuses an endless list", () => {
    const list = Array.from({ length: 51 }, (_, i) => `https://s${i}.example`).join(",");
    expect(() => readBrowserOrigins(list)).toThrow(/more than 50/);
  });
});

describe("readCookieDomain", () => {
  it("reads a registrable domain, lowercase, without a leading dot", () => {
    expect(readCookieDomain(".Example.COM")).toBe("example.com");
    expect(readCookieDomain("example.co.uk")).toBe("example.co.uk");
    expect(readCookieDomain(undefined)).toBeUndefined();
  });

  it.each([
    "localhost",
    "https://example.com",
    "example.com:443",
    "example.com/",
    "203.0.113.7",
    "-bad.example",
    "a..b",
  ])("refuses %s", (value) => {
    expect(() => readCookieDomain(value)).toThrow(/COOKIE_DOMAIN must be a registrable domain/);
  });
});

describe("readBrowserSettings", () => {
  it("is undefined while BROWSER_ORIGINS is unset, but still checks COOKIE_DOMAIN", () => {
    expect(readBrowserSettings({ origins: undefined, cookieDomain: "example.com" })).toBeUndefined();
    expect(() => readBrowserSettings({ origins: undefined, cookieDomain: "nope" })).toThrow(ConfigError);
  });

  it("reaches RelayConfig.browser", () => {
    expect(parseConfig({}).browser).toBeUndefined();
    const config = parseConfig({ BROWSER_ORIGINS: "https://shop.example.com", COOKIE_DOMAIN: "example.com" });
    expect(config.browser).toEqual({ origins: new Set(["https://shop.example.com"]), cookieDomain: "example.com" });
    expect(parseConfig({ BROWSER_ORIGINS: "https://shop.example.com" }).browser).toEqual({
      origins: new Set(["https://shop.example.com"]),
    });
  });
});

describe("readBrowserEvents", () => {
  it("defaults to Cartful's suggested mappings, and {} means none", () => {
    expect(readBrowserEvents(undefined, LABEL)).toBe(DEFAULT_BROWSER_EVENTS);
    expect(Object.fromEntries(DEFAULT_BROWSER_EVENTS)).toEqual({
      "product:addToCart": "AddToCart",
      "product:view": "ViewContent",
      "quiz:complete": "QuizComplete",
      "recommendations:loaded": "RecommendationsLoaded",
    });
    expect(readBrowserEvents({}, LABEL).size).toBe(0);
  });

  it("reads a map into a Map", () => {
    const names = readBrowserEvents({ "quiz:complete": "Lead", "step:enter": "QuizStep" }, LABEL);
    expect(names).toBeInstanceOf(Map);
    expect([...names]).toEqual([
      ["quiz:complete", "Lead"],
      ["step:enter", "QuizStep"],
    ]);
  });

  it("refuses email:submit: that lead is the webhook's", () => {
    expect(() => readBrowserEvents({ "email:submit": "Lead" }, LABEL)).toThrow(/"email:submit".*webhook/);
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "refuses the prototype key %s, naming the destination and the key, never the value",
    (key) => {
      const value = JSON.parse(`{"${key}": "SecretName"}`) as unknown;
      const attempt = () => readBrowserEvents(value, LABEL);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(`${LABEL}.${JSON.stringify(key)}`);
      expect(attempt).not.toThrow(/SecretName/);
    },
  );

  it("refuses what is not a map of event names, never echoing the value", () => {
    expect(() => readBrowserEvents(["AddToCart"], LABEL)).toThrow(/must be an object/);
    expect(() => readBrowserEvents("AddToCart", LABEL)).toThrow(/must be an object/);
    expect(() => readBrowserEvents({ "product:view": "Not <ok>" }, LABEL)).toThrow(
      /"product:view" must be a Meta event name/,
    );
    expect(() => readBrowserEvents({ "product:view": "" }, LABEL)).toThrow(/"product:view" must be a Meta event name/);
    expect(() => readBrowserEvents({ ["x".repeat(65)]: "A" }, LABEL)).toThrow(/must be a Studio type/);
  });

  it("is read per destination from DESTINATIONS, with the defaults when absent", () => {
    const defaults = {
      eventName: "Lead",
      testEventCode: undefined,
      contentId: "product_id" as const,
      contentType: undefined,
      eventValue: { kind: "none" as const },
      requireConsent: false,
      limitedDataUse: undefined,
      graphUrl: "https://graph.test",
      apiVersion: "v27.0",
      proofOf: undefined,
      qualityTokenSecret: "META_DATASET_QUALITY_TOKEN",
    };
    const [eu, us] = parseDestinations(
      '[{"name":"eu","pixel_id":"1","browser_events":{"quiz:complete":"Lead"}},{"name":"us","pixel_id":"2"}]',
      defaults,
      () => undefined,
    );
    expect([...eu!.browserEvents]).toEqual([["quiz:complete", "Lead"]]);
    expect(us!.browserEvents).toBe(DEFAULT_BROWSER_EVENTS);
    expect(() =>
      parseDestinations(
        '[{"name":"eu","pixel_id":"1","browser_events":{"__proto__":"Lead"}}]',
        defaults,
        () => undefined,
      ),
    ).toThrow('DESTINATIONS "eu": browser_events."__proto__"');
    expect(parseConfig({}).destinations[0]!.browserEvents).toBe(DEFAULT_BROWSER_EVENTS);
  });
});
