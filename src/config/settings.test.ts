import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appSecretProof, ConfigError, configFor, DEFAULT_API_VERSION, DRY_RUN_PIXEL_ID, parseConfig } from "./settings";

const live = { META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB-secret-token" };

describe("parseConfig", () => {
  it("runs dry with zero configuration", () => {
    const config = parseConfig({});
    expect(config.graph).toBeUndefined();
    expect(config).toMatchObject({
      pixelId: DRY_RUN_PIXEL_ID,
      apiVersion: DEFAULT_API_VERSION,
      graphUrl: "https://graph.facebook.com",
      eventName: "Lead",
      requireConsent: false,
      limitedDataUse: undefined,
      fieldMap: {},
      eventTypes: ["email:submit"],
      contentId: "product_id",
      contentType: "product",
      eventValue: { kind: "recommendations" },
      timeoutMs: 1500,
    });
  });

  it("pins a current Graph API version", () => {
    expect(DEFAULT_API_VERSION).toMatch(/^v\d+\.0$/);
  });

  it("builds the Graph target when a token is set", () => {
    const config = parseConfig({
      ...live,
      META_API_VERSION: "v25.0",
      META_GRAPH_URL: "http://127.0.0.1:9999/",
      META_TEST_EVENT_CODE: "TEST1",
    });
    expect(config.graph).toEqual({
      graphUrl: "http://127.0.0.1:9999",
      apiVersion: "v25.0",
      pixelId: "1234567890",
      accessToken: "EAAB-secret-token",
      testEventCode: "TEST1",
    });
  });

  it("sends appsecret_proof when META_APP_SECRET is set, keyed as Meta says", () => {
    const config = parseConfig({ ...live, META_APP_SECRET: "app-secret" });
    const expected = createHmac("sha256", "app-secret").update("EAAB-secret-token").digest("hex");
    expect(config.graph?.appSecretProof).toBe(expected);
    expect(parseConfig(live).graph).not.toHaveProperty("appSecretProof");
  });

  it("treats empty and blank settings as unset", () => {
    const config = parseConfig({ META_ACCESS_TOKEN: "  ", META_EVENT_NAME: "", META_TEST_EVENT_CODE: " " });
    expect(config.graph).toBeUndefined();
    expect(config.eventName).toBe("Lead");
    expect(config.testEventCode).toBeUndefined();
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
      eventName: "QuizLead",
      defaultCountry: "gb",
      requireConsent: true,
      limitedDataUse: { country: 0, state: 0 },
      eventTypes: ["email:submit", "quiz:complete"],
      contentId: "variant_id",
      contentType: "product_group",
      eventValue: { kind: "fixed", amount: 5.5 },
      timeoutMs: 2000,
      fieldMap: { "shopper.email": "lead.mail" },
      webhookSecret: "s",
    });
  });

  it("reads Limited Data Use as off, geolocated, or an explicit country and state", () => {
    expect(parseConfig({ META_LIMITED_DATA_USE: "false" }).limitedDataUse).toBeUndefined();
    expect(parseConfig({ META_LIMITED_DATA_USE: "1, 1000" }).limitedDataUse).toEqual({ country: 1, state: 1000 });
  });

  it("reads META_EVENT_VALUE none", () => {
    expect(parseConfig({ META_EVENT_VALUE: "none" }).eventValue).toEqual({ kind: "none" });
  });

  it("takes a FIELD_MAP given as an object binding", () => {
    expect(parseConfig({ FIELD_MAP: { id: "uuid" } }).fieldMap).toEqual({ id: "uuid" });
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
    ["a zero timeout", { META_TIMEOUT_MS: "0" }, "META_TIMEOUT_MS"],
    ["a FIELD_MAP that is not JSON", { FIELD_MAP: "{oops" }, "FIELD_MAP"],
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
    expect(configFor(env).graph?.pixelId).toBe("1234567890");
  });
});

describe("appSecretProof", () => {
  it("is the hex HMAC-SHA256 of the token keyed by the app secret", () => {
    const token = "EAAB-secret-token-123";
    expect(appSecretProof(token, "s3cr3t")).toBe(createHmac("sha256", "s3cr3t").update(token).digest("hex"));
  });
});
