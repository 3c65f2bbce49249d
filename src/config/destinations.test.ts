import { describe, expect, it } from "vitest";
import { type DestinationDefaults, parseDestinations, singleDestination, SOURCE, typesNamedBy } from "./destinations";
import { ConfigError } from "./values";

const defaults: DestinationDefaults = {
  eventName: "Lead",
  testEventCode: undefined,
  contentId: "product_id",
  contentType: undefined,
  eventValue: { kind: "none" },
  requireConsent: false,
  limitedDataUse: undefined,
  graphUrl: "https://graph.test",
  apiVersion: "v27.0",
  proofOf: undefined,
  qualityTokenSecret: "META_DATASET_QUALITY_TOKEN",
};
const secrets: Record<string, string> = {
  META_ACCESS_TOKEN_EU: "EAAB-eu-token",
  META_ACCESS_TOKEN_TEST: "EAAB-test-token",
  META_QUALITY_EU: "EAAB-quality",
};
const secret = (name: string) => secrets[name];
const parse = (value: unknown, base: DestinationDefaults = defaults) => parseDestinations(value, base, secret);

describe("parseDestinations", () => {
  it("reads the contract's keys, each destination with its own pixel and token", () => {
    const [eu, test] = parse(
      JSON.stringify([
        {
          name: "eu",
          pixel_id: "111",
          access_token_secret: "META_ACCESS_TOKEN_EU",
          match: { store_domain: ["shop.example.de", "shop.example.fr"] },
          event_name: "Lead",
        },
        {
          name: "test",
          pixel_id: "222",
          access_token_secret: "META_ACCESS_TOKEN_TEST",
          match: { source: "staging" },
          test_event_code: "TEST123",
        },
      ]),
    );
    expect(eu).toMatchObject({
      name: "eu",
      pixelId: "111",
      accessTokenSecret: "META_ACCESS_TOKEN_EU",
      target: { graphUrl: "https://graph.test", apiVersion: "v27.0", pixelId: "111", accessToken: "EAAB-eu-token" },
      match: { storeDomains: ["shop.example.de", "shop.example.fr"] },
      eventNames: { fallback: "Lead", byType: {} },
    });
    expect(test).toMatchObject({
      match: { sources: ["staging"] },
      testEventCode: "TEST123",
      target: { testEventCode: "TEST123" },
    });
  });

  it("takes the array itself, as wrangler.jsonc can bind it", () => {
    expect(parse([{ name: "a", pixel_id: "1" }]).map((d) => d.name)).toEqual(["a"]);
  });

  it("runs a destination dry when it names no token secret, or the secret is unset", () => {
    const [a, b] = parse([
      { name: "a", pixel_id: "1" },
      { name: "b", pixel_id: "2", access_token_secret: "META_ACCESS_TOKEN_UNSET" },
    ]);
    expect(a?.target).toBeUndefined();
    expect(b?.target).toBeUndefined();
    expect(b?.accessTokenSecret).toBe("META_ACCESS_TOKEN_UNSET");
  });

  it("maps Studio types to event names, the rest keeping the default", () => {
    const [d] = parse([
      { name: "a", pixel_id: "1", event_name: { "quiz:complete": "QuizComplete", "email:submit": "Lead" } },
    ]);
    expect(d?.eventNames).toEqual({
      fallback: "Lead",
      byType: { "quiz:complete": "QuizComplete", "email:submit": "Lead" },
    });
  });

  it("follows the global settings unless a destination overrides them", () => {
    const base = {
      ...defaults,
      testEventCode: "GLOBAL",
      requireConsent: true,
      eventValue: { kind: "fixed" as const, amount: 5 },
      limitedDataUse: { country: 0, state: 0 },
    };
    const [inherit, override] = parse(
      [
        { name: "a", pixel_id: "1" },
        {
          name: "b",
          pixel_id: "2",
          test_event_code: "OWN",
          require_consent: false,
          event_value: "recommendations",
          limited_data_use: false,
          content_id: "sku",
        },
      ],
      base,
    );
    expect(inherit).toMatchObject({
      testEventCode: "GLOBAL",
      requireConsent: true,
      eventValue: { kind: "fixed", amount: 5 },
      limitedDataUse: { country: 0, state: 0 },
      contentType: "product_group",
    });
    expect(override).toMatchObject({
      testEventCode: "OWN",
      requireConsent: false,
      eventValue: { kind: "recommendations" },
      limitedDataUse: undefined,
      contentId: "sku",
      contentType: "product",
    });
  });

  it("reads the Dataset Quality token from the destination's own secret, else the global one, else its sending token", () => {
    const [own, sending, none] = parse([
      {
        name: "a",
        pixel_id: "1",
        access_token_secret: "META_ACCESS_TOKEN_EU",
        dataset_quality_token_secret: "META_QUALITY_EU",
      },
      { name: "b", pixel_id: "2", access_token_secret: "META_ACCESS_TOKEN_EU" },
      { name: "c", pixel_id: "3" },
    ]);
    expect([own?.qualityToken, sending?.qualityToken, none?.qualityToken]).toEqual([
      "EAAB-quality",
      "EAAB-eu-token",
      undefined,
    ]);
  });

  it("signs each destination's token with META_APP_SECRET's proof", () => {
    const [d] = parse([{ name: "a", pixel_id: "1", access_token_secret: "META_ACCESS_TOKEN_EU" }], {
      ...defaults,
      proofOf: (token) => `proof-of-${token.length}`,
    });
    expect(d?.target?.appSecretProof).toBe("proof-of-13");
  });

  const refusals: Array<[string, unknown, string]> = [
    ["text that is not JSON", "[{", "DESTINATIONS must be a JSON array"],
    ["an empty array", "[]", "at least one destination"],
    ["an object instead of an array", '{"name":"a"}', "DESTINATIONS must be a JSON array"],
    ["an entry that is not an object", '["a"]', "DESTINATIONS[0] must be an object"],
    ["a missing name", '[{"pixel_id":"1"}]', "DESTINATIONS[0]: name"],
    ["a name with capitals", '[{"name":"EU","pixel_id":"1"}]', "DESTINATIONS[0]: name"],
    [
      "a name used twice",
      '[{"name":"a","pixel_id":"1"},{"name":"a","pixel_id":"2"}]',
      'DESTINATIONS "a": name is used twice',
    ],
    ["a missing pixel id", '[{"name":"a"}]', 'DESTINATIONS "a": pixel_id is required'],
    ["a pixel id that is not digits", '[{"name":"a","pixel_id":"px-1"}]', 'DESTINATIONS "a": pixel_id'],
    [
      "a token itself instead of a secret's name",
      '[{"name":"a","pixel_id":"1","access_token_secret":"EAAB xyz"}]',
      'DESTINATIONS "a": access_token_secret',
    ],
    ["an unknown key", '[{"name":"a","pixel_id":"1","pixelid":"2"}]', 'DESTINATIONS "a": unknown key "pixelid"'],
    [
      "an unknown match key",
      '[{"name":"a","pixel_id":"1","match":{"domain":"x"}}]',
      'DESTINATIONS "a": match: unknown key "domain"',
    ],
    [
      "a match that is not an object",
      '[{"name":"a","pixel_id":"1","match":["x"]}]',
      'DESTINATIONS "a": match must be an object',
    ],
    ["an empty store_domain list", '[{"name":"a","pixel_id":"1","match":{"store_domain":[]}}]', "match.store_domain"],
    ["a source that is not a route segment", '[{"name":"a","pixel_id":"1","match":{"source":"a/b"}}]', "match.source"],
    ["the word preview as a source", '[{"name":"a","pixel_id":"1","match":{"source":"preview"}}]', "match.source"],
    [
      "an event name Meta refuses",
      '[{"name":"a","pixel_id":"1","event_name":"Lead!"}]',
      'DESTINATIONS "a": event_name',
    ],
    [
      "an event_name map with a bad name",
      '[{"name":"a","pixel_id":"1","event_name":{"quiz:complete":""}}]',
      "event_name.quiz:complete",
    ],
    ["an unknown content_id", '[{"name":"a","pixel_id":"1","content_id":"title"}]', 'DESTINATIONS "a": content_id'],
    [
      "an unreadable require_consent",
      '[{"name":"a","pixel_id":"1","require_consent":"maybe"}]',
      'DESTINATIONS "a": require_consent',
    ],
    [
      "an unreadable event_value",
      '[{"name":"a","pixel_id":"1","event_value":"lots"}]',
      'DESTINATIONS "a": event_value',
    ],
    [
      "an unreadable limited_data_use",
      '[{"name":"a","pixel_id":"1","limited_data_use":"CA"}]',
      'DESTINATIONS "a": limited_data_use',
    ],
  ];
  for (const [what, value, message] of refusals) {
    it(`refuses ${what}, naming the destination and the key`, () => {
      expect(() => parse(value)).toThrow(ConfigError);
      expect(() => parse(value)).toThrow(message);
    });
  }

  it("never puts a value in an error: not a pixel id, a secret name's value, a domain, nor a token", () => {
    const values = ["px-secret-pixel", "EAAB-in-the-wrong-key", "shop.secret.example"];
    for (const raw of [
      `[{"name":"a","pixel_id":"${values[0]}"}]`,
      `[{"name":"a","pixel_id":"1","access_token_secret":"${values[1]} "}]`,
      `[{"name":"a","pixel_id":"1","match":{"store_domain":"${values[2]}","x":1}}]`,
    ]) {
      try {
        parse(raw);
        expect.unreachable();
      } catch (error) {
        for (const value of values) expect(String(error)).not.toContain(value);
      }
    }
  });
});

describe("singleDestination", () => {
  it("is the contract's single pixel, named default, with every global setting", () => {
    const d = singleDestination("123", "EAAB-main", undefined, defaults);
    expect(d).toMatchObject({
      name: "default",
      pixelId: "123",
      accessTokenSecret: "META_ACCESS_TOKEN",
      match: {},
      qualityToken: "EAAB-main",
    });
    expect(d.target?.accessToken).toBe("EAAB-main");
  });

  it("needs a pixel with a token", () => {
    expect(() => singleDestination(undefined, "EAAB", undefined, defaults)).toThrow("META_PIXEL_ID is required");
  });
});

describe("typesNamedBy", () => {
  it("collects the Studio types the destinations name in match.type and event_name maps, once each", () => {
    const destinations = parse([
      { name: "a", pixel_id: "1", match: { type: ["quiz:complete", "email:submit"] } },
      { name: "b", pixel_id: "2", event_name: { "quiz:complete": "QuizComplete" } },
    ]);
    expect(typesNamedBy(destinations)).toEqual(["quiz:complete", "email:submit"]);
  });
});

describe("SOURCE", () => {
  it.each([
    ["tiktok", true],
    ["test-pixel_2", true],
    ["preview", false],
    ["Preview", false],
    ["", false],
    ["a".repeat(33), false],
    ["a.b", false],
  ])("%j is a source name: %s", (source, valid) => {
    expect(SOURCE.test(source)).toBe(valid);
  });
});
