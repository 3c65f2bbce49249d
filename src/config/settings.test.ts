import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  appSecretProof,
  ConfigError,
  configFor,
  DEFAULT_API_VERSION,
  destinationNamed,
  DRY_RUN_PIXEL_ID,
  parseConfig,
} from "./settings";

const live = { META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB-secret-token" };
const only = (env: Record<string, unknown>) => parseConfig(env).destinations[0]!;

describe("parseConfig", () => {
  it("runs dry with zero configuration: one destination, default, without a token", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      apiVersion: DEFAULT_API_VERSION,
      graphUrl: "https://graph.facebook.com",
      fieldMap: {},
      eventTypes: ["email:submit"],
      timeoutMs: 1500,
      several: false,
    });
    expect(config.destinations).toHaveLength(1);
    expect(config.destinations[0]).toMatchObject({
      name: "default",
      pixelId: DRY_RUN_PIXEL_ID,
      target: undefined,
      accessTokenSecret: "META_ACCESS_TOKEN",
      match: {},
      eventNames: { fallback: "Lead", byType: {} },
      requireConsent: false,
      limitedDataUse: undefined,
      contentId: "product_id",
      contentType: "product_group",
      eventValue: { kind: "none" },
    });
  });

  it("pins a current Graph API version", () => {
    expect(DEFAULT_API_VERSION).toMatch(/^v\d+\.0$/);
  });

  it("builds the default destination's Graph target when a token is set", () => {
    const destination = only({
      ...live,
      META_API_VERSION: "v25.0",
      META_GRAPH_URL: "http://127.0.0.1:9999/",
      META_TEST_EVENT_CODE: "TEST1",
    });
    expect(destination.target).toEqual({
      graphUrl: "http://127.0.0.1:9999",
      apiVersion: "v25.0",
      pixelId: "1234567890",
      accessToken: "EAAB-secret-token",
      testEventCode: "TEST1",
    });
  });

  it("sends appsecret_proof when META_APP_SECRET is set, keyed as Meta says", () => {
    const destination = only({ ...live, META_APP_SECRET: "app-secret" });
    const expected = createHmac("sha256", "app-secret").update("EAAB-secret-token").digest("hex");
    expect(destination.target?.appSecretProof).toBe(expected);
    expect(only(live).target).not.toHaveProperty("appSecretProof");
  });

  it("treats empty and blank settings as unset", () => {
    const destination = only({ META_ACCESS_TOKEN: "  ", META_EVENT_NAME: "", META_TEST_EVENT_CODE: " " });
    expect(destination.target).toBeUndefined();
    expect(destination.eventNames.fallback).toBe("Lead");
    expect(destination.testEventCode).toBeUndefined();
  });

  it("reads the relay's own settings", () => {
    const config = parseConfig({
      META_EVENT_NAME: "QuizLead",
      DEFAULT_COUNTRY: "GB",
      REQUIRE_CONSENT: "true",
      META_LIMITED_DATA_USE: "true",
      STUDIO_EVENT_TYPES: "email:submit, quiz:complete",
      META_CONTENT_ID: "variant_id",
      META_CONTENT_TYPE: "product_group",
      META_EVENT_VALUE: "5.5",
      META_TIMEOUT_MS: "2000",
      FIELD_MAP: '{"shopper.email":"lead.mail"}',
      WEBHOOK_SECRET: "s",
    });
    expect(config).toMatchObject({
      defaultCountry: "gb",
      eventTypes: ["email:submit", "quiz:complete"],
      timeoutMs: 2000,
      fieldMap: { "shopper.email": "lead.mail" },
      webhookSecret: "s",
    });
    expect(config.destinations[0]).toMatchObject({
      eventNames: { fallback: "QuizLead", byType: {} },
      requireConsent: true,
      limitedDataUse: { country: 0, state: 0 },
      contentId: "variant_id",
      contentType: "product_group",
      eventValue: { kind: "fixed", amount: 5.5 },
    });
  });

  it("fits content_type to the content id field unless it is set: product_group for parent products, product for variants and SKUs", () => {
    expect(only({}).contentType).toBe("product_group");
    expect(only({ META_CONTENT_ID: "variant_id" }).contentType).toBe("product");
    expect(only({ META_CONTENT_ID: "sku" }).contentType).toBe("product");
    expect(only({ META_CONTENT_ID: "sku", META_CONTENT_TYPE: "product_group" }).contentType).toBe("product_group");
  });

  it("sends no value by default, the recommendations' total or a fixed amount when asked", () => {
    expect(only({}).eventValue).toEqual({ kind: "none" });
    expect(only({ META_EVENT_VALUE: "recommendations" }).eventValue).toEqual({ kind: "recommendations" });
    expect(only({ META_EVENT_VALUE: "none" }).eventValue).toEqual({ kind: "none" });
  });

  it("reads Limited Data Use as off, geolocated, or an explicit country and state", () => {
    expect(only({ META_LIMITED_DATA_USE: "false" }).limitedDataUse).toBeUndefined();
    expect(only({ META_LIMITED_DATA_USE: "1, 1000" }).limitedDataUse).toEqual({ country: 1, state: 1000 });
  });

  it("takes a FIELD_MAP given as an object binding", () => {
    expect(parseConfig({ FIELD_MAP: { id: "uuid" } }).fieldMap).toEqual({ id: "uuid" });
  });

  it("uses DESTINATIONS instead of META_PIXEL_ID and META_ACCESS_TOKEN when it is set", () => {
    const config = parseConfig({
      ...live,
      META_ACCESS_TOKEN_EU: "EAAB-eu",
      DESTINATIONS: '[{"name":"eu","pixel_id":"222","access_token_secret":"META_ACCESS_TOKEN_EU"}]',
    });
    expect(config.several).toBe(true);
    expect(config.destinations.map((d) => [d.name, d.pixelId, d.target?.accessToken])).toEqual([
      ["eu", "222", "EAAB-eu"],
    ]);
  });

  it("relays, besides email:submit, the Studio types destinations name, unless STUDIO_EVENT_TYPES says which", () => {
    const DESTINATIONS = JSON.stringify([
      { name: "a", pixel_id: "1", match: { type: ["quiz:complete"] } },
      { name: "b", pixel_id: "2", event_name: { "product:addToCart": "AddToCart" } },
    ]);
    expect(parseConfig({ DESTINATIONS }).eventTypes).toEqual(["email:submit", "quiz:complete", "product:addToCart"]);
    expect(parseConfig({ DESTINATIONS, STUDIO_EVENT_TYPES: "email:submit" }).eventTypes).toEqual(["email:submit"]);
  });

  it("finds a destination by name", () => {
    const config = parseConfig({ DESTINATIONS: '[{"name":"eu","pixel_id":"222"}]' });
    expect(destinationNamed(config, "eu")?.pixelId).toBe("222");
    expect(destinationNamed(config, "us")).toBeUndefined();
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ["a token without a pixel", { META_ACCESS_TOKEN: "EAAB" }, "META_PIXEL_ID"],
    ["a pixel id that is not numeric", { META_PIXEL_ID: "my-pixel" }, "META_PIXEL_ID"],
    ["a malformed version", { META_API_VERSION: "24" }, "META_API_VERSION"],
    ["a Graph URL that is not http", { META_GRAPH_URL: "graph.facebook.com" }, "META_GRAPH_URL"],
    ["a country that is not alpha-2", { DEFAULT_COUNTRY: "USA" }, "DEFAULT_COUNTRY"],
    ["an unreadable boolean", { REQUIRE_CONSENT: "sometimes" }, "REQUIRE_CONSENT"],
    ["an unreadable LDU", { META_LIMITED_DATA_USE: "CA" }, "META_LIMITED_DATA_USE"],
    ["an unknown content id field", { META_CONTENT_ID: "title" }, "META_CONTENT_ID"],
    ["an unknown content type", { META_CONTENT_TYPE: "bundle" }, "META_CONTENT_TYPE"],
    ["an unreadable value", { META_EVENT_VALUE: "lots" }, "META_EVENT_VALUE"],
    ["an event name Meta would refuse", { META_EVENT_NAME: "Lead!<script>" }, "META_EVENT_NAME"],
    ["a zero timeout", { META_TIMEOUT_MS: "0" }, "META_TIMEOUT_MS"],
    ["a FIELD_MAP that is not JSON", { FIELD_MAP: "{oops" }, "FIELD_MAP"],
    ["DESTINATIONS that is not JSON", { DESTINATIONS: "[{oops" }, "DESTINATIONS"],
  ];
  for (const [what, env, name] of refusals) {
    it(`refuses ${what}, naming ${name}`, () => {
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(name);
    });
  }

  it("never puts a setting's value in its error", () => {
    try {
      parseConfig({ META_ACCESS_TOKEN: "EAAB-secret-token", META_PIXEL_ID: "not-a-pixel" });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("EAAB-secret-token");
      expect(String(error)).not.toContain("not-a-pixel");
    }
  });
});

describe("dry run and missing tokens", () => {
  it("is a dry run with no credentials at all (npm run dev): nothing live, nothing held", () => {
    const config = parseConfig({});
    expect(config.dryRun).toBe(true);
    expect(config.destinations[0]).toMatchObject({ target: undefined, missingToken: undefined });
  });

  it("is live with a token, and DRY_RUN=false or unset changes nothing", () => {
    for (const env of [live, { ...live, DRY_RUN: "false" }, { ...live, DRY_RUN: "" }]) {
      const config = parseConfig(env);
      expect(config.dryRun).toBe(false);
      expect(config.destinations[0]?.target?.accessToken).toBe("EAAB-secret-token");
      expect(config.destinations[0]?.missingToken).toBeUndefined();
    }
  });

  it("forces dry run with DRY_RUN=true (text, or a JSON true in wrangler.jsonc), whatever the tokens", () => {
    for (const flag of ["true", "TRUE", true]) {
      const config = parseConfig({ ...live, DRY_RUN: flag });
      expect(config.dryRun).toBe(true);
      expect(config.destinations[0]).toMatchObject({ target: undefined, missingToken: undefined });
    }
  });

  it.each(["yes", "1", "on", "dry"])("refuses DRY_RUN=%s, naming it", (flag) => {
    expect(() => parseConfig({ ...live, DRY_RUN: flag })).toThrow(ConfigError);
    expect(() => parseConfig({ ...live, DRY_RUN: flag })).toThrow("DRY_RUN must be true or false");
  });

  it("holds a destination whose token secret is unset while another is live: its secret named, never a value", () => {
    const config = parseConfig({
      META_ACCESS_TOKEN_EU: "EAAB-eu-token",
      DESTINATIONS: JSON.stringify([
        { name: "eu", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_EU" },
        { name: "us", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_US" },
        { name: "main", pixel_id: "333" },
      ]),
    });
    expect(config.dryRun).toBe(false);
    expect(config.destinations.map((d) => [d.name, d.target !== undefined, d.missingToken?.secret])).toEqual([
      ["eu", true, undefined],
      ["us", false, "META_ACCESS_TOKEN_US"],
      ["main", false, "META_ACCESS_TOKEN"],
    ]);
  });

  it("is a dry run when DESTINATIONS are set and none has its token", () => {
    const config = parseConfig({
      DESTINATIONS: '[{"name":"eu","pixel_id":"111","access_token_secret":"META_ACCESS_TOKEN_EU"}]',
    });
    expect(config.dryRun).toBe(true);
    expect(config.destinations[0]).toMatchObject({ target: undefined, missingToken: undefined });
  });
});

describe("keys from configuration", () => {
  it.each([
    [
      "a path written twice",
      '{"shopper.email":"lead.mail","shopper.email":"lead.email"}',
      '"shopper.email" is written twice',
    ],
    ["__proto__ as a key (JSON makes it an own key)", '{"__proto__":"lead.mail"}', 'FIELD_MAP "__proto__"'],
    ["a __proto__ segment in a canonical path", '{"shopper.__proto__.x":"lead.mail"}', "FIELD_MAP"],
    [
      "a constructor segment in a payload path",
      '{"shopper.email":"lead.constructor.name"}',
      'FIELD_MAP "shopper.email"',
    ],
    ["a toString segment", '{"shopper.toString":"lead.mail"}', "Object.prototype"],
  ])("refuses a FIELD_MAP with %s", (_what, text, message) => {
    expect(() => parseConfig({ FIELD_MAP: text })).toThrow(ConfigError);
    expect(() => parseConfig({ FIELD_MAP: text })).toThrow(message);
  });

  it("refuses a FIELD_MAP object (a JSON var) with a key of Object.prototype", () => {
    const map = JSON.parse('{"__proto__":"lead.mail"}') as object;
    expect(() => parseConfig({ FIELD_MAP: map })).toThrow("Object.prototype");
  });

  it("still reads an ordinary FIELD_MAP, as text or as an object", () => {
    const text = '{"shopper.email":"lead.mail","quiz.id":"form.quiz"}';
    expect({ ...parseConfig({ FIELD_MAP: text }).fieldMap }).toEqual(JSON.parse(text));
    expect(parseConfig({ FIELD_MAP: JSON.parse(text) as object }).fieldMap).toEqual(JSON.parse(text));
  });

  it("refuses a META_PIXEL_ID bound as a number that is not exact (a JSON var past 2^53)", () => {
    expect(() => parseConfig({ META_PIXEL_ID: 12345678901234568 })).toThrow(
      "META_PIXEL_ID must be written as a string of digits",
    );
    expect(parseConfig({ ...live, META_PIXEL_ID: 1234567890 }).destinations[0]?.pixelId).toBe("1234567890");
  });

  it("answers 'misconfigured' for a destination named __proto__ or constructor, through configFor too", () => {
    for (const name of ["__proto__", "constructor"]) {
      const env = { ...live, DESTINATIONS: `[{"name":"${name}","pixel_id":"1"}]` };
      expect(() => configFor(env)).toThrow(`DESTINATIONS "${name}": name`);
    }
  });
});

describe("configFor", () => {
  it("parses an environment once and answers the same config after", () => {
    const env = { ...live };
    const first = configFor(env);
    expect(configFor(env)).toBe(first);
    expect(first).toEqual(parseConfig(env));
  });

  it("parses another environment object afresh", () => {
    expect(configFor({ ...live })).not.toBe(configFor({ ...live }));
  });

  it("does not remember a broken configuration", () => {
    const env: Record<string, unknown> = { META_ACCESS_TOKEN: "EAAB" };
    expect(() => configFor(env)).toThrow(ConfigError);
    env.META_PIXEL_ID = "1234567890";
    expect(configFor(env).destinations[0]?.target?.pixelId).toBe("1234567890");
  });
});

describe("appSecretProof", () => {
  it("is the hex HMAC-SHA256 of the token keyed by the app secret", () => {
    const token = "EAAB-secret-token-123";
    expect(appSecretProof(token, "s3cr3t")).toBe(createHmac("sha256", "s3cr3t").update(token).digest("hex"));
  });
});
