import { describe, expect, it } from "vitest";
import {
  type Destination,
  type DestinationDefaults,
  parseDestinations,
  singleDestination,
  SOURCE,
  typesNamedBy,
  withDryRun,
} from "./destinations";
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

  it("names the secret a destination misses, by name, when it names none (META_ACCESS_TOKEN) or it is unset", () => {
    const [a, b, live] = parse([
      { name: "a", pixel_id: "1" },
      { name: "b", pixel_id: "2", access_token_secret: "META_ACCESS_TOKEN_UNSET" },
      { name: "c", pixel_id: "3", access_token_secret: "META_ACCESS_TOKEN_EU" },
    ]);
    expect(a).toMatchObject({ target: undefined, accessTokenSecret: "META_ACCESS_TOKEN" });
    expect(a?.missingToken).toEqual({ secret: "META_ACCESS_TOKEN" });
    expect(b).toMatchObject({ target: undefined, accessTokenSecret: "META_ACCESS_TOKEN_UNSET" });
    expect(b?.missingToken).toEqual({ secret: "META_ACCESS_TOKEN_UNSET" });
    expect(live?.missingToken).toBeUndefined();
    expect(live?.target?.accessToken).toBe("EAAB-eu-token");
  });

  it("reads the token from META_ACCESS_TOKEN when a destination names no secret, as the contract says", () => {
    const [d] = parseDestinations([{ name: "a", pixel_id: "1" }], defaults, (name) =>
      name === "META_ACCESS_TOKEN" ? "EAAB-main" : undefined,
    );
    expect(d?.target?.accessToken).toBe("EAAB-main");
    expect(d?.accessTokenSecret).toBe("META_ACCESS_TOKEN");
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

  it.each(["__proto__", "constructor"])("refuses a destination named %s, naming it and the key", (name) => {
    // Both as text (JSON) and as the array wrangler.jsonc binds; either passes the name's pattern.
    for (const value of [`[{"name":"${name}","pixel_id":"1"}]`, [{ name, pixel_id: "1" }]]) {
      expect(() => parse(value)).toThrow(ConfigError);
      expect(() => parse(value)).toThrow(`DESTINATIONS "${name}": name must not be a key of Object.prototype`);
    }
  });

  it.each([
    ["match.type", '{"type":["email:submit","constructor"]}'],
    ["match.source", '{"source":"__proto__"}'],
    ["match.quiz_id", '{"quiz_id":"toString"}'],
    ["match.store_domain", '{"store_domain":["hasOwnProperty"]}'],
  ])("refuses a key of Object.prototype in %s", (key, match) => {
    const value = `[{"name":"a","pixel_id":"1","match":${match}}]`;
    expect(() => parse(value)).toThrow(ConfigError);
    expect(() => parse(value)).toThrow(`DESTINATIONS "a": ${key}`);
  });

  it.each(["__proto__", "constructor", "hasOwnProperty", "toString"])(
    "refuses %s as a Studio type in an event_name map (JSON makes __proto__ an own key)",
    (type) => {
      const value = `[{"name":"a","pixel_id":"1","event_name":{"email:submit":"Lead","${type}":"Lead"}}]`;
      expect(() => parse(value)).toThrow(ConfigError);
      expect(() => parse(value)).toThrow('DESTINATIONS "a": event_name keys');
    },
  );

  it("keeps event_name maps in objects without a prototype", () => {
    const [d] = parse('[{"name":"a","pixel_id":"1","event_name":{"quiz:complete":"QuizComplete"}}]');
    expect(Object.getPrototypeOf(d?.eventNames.byType)).toBeNull();
    expect(d?.eventNames.byType["constructor"]).toBeUndefined();
  });

  it("reads only a destination's own keys, never what its prototype carries", () => {
    const inherits = Object.assign(Object.create({ pixel_id: "9", access_token_secret: "META_ACCESS_TOKEN_EU" }), {
      name: "a",
    }) as Record<string, unknown>;
    expect(() => parse([inherits])).toThrow('DESTINATIONS "a": pixel_id is required');
    const named = Object.assign(Object.create({ name: "a" }), { pixel_id: "1" }) as Record<string, unknown>;
    expect(() => parse([named])).toThrow("DESTINATIONS[0]: name");
  });

  it.each([
    ["access_token_secret", "ADMIN_SECRET"],
    ["access_token_secret", "WEBHOOK_SECRET"],
    ["access_token_secret", "META_APP_SECRET"],
    ["access_token_secret", "admin_secret"],
    ["dataset_quality_token_secret", "ADMIN_SECRET"],
    ["dataset_quality_token_secret", "WEBHOOK_SECRET"],
  ])("refuses %s naming the relay's own %s (it would go to Graph as a token)", (key, name) => {
    const value = [{ name: "a", pixel_id: "1", [key]: name }];
    expect(() => parseDestinations(value, defaults, () => "the-relay-secret")).toThrow(ConfigError);
    expect(() => parseDestinations(value, defaults, () => "the-relay-secret")).toThrow(
      `DESTINATIONS "a": ${key} must name a secret holding a Meta token`,
    );
  });

  it.each(["constructor", "toString", "__proto__"])("refuses %s as a token secret's name", (name) => {
    const value = [{ name: "a", pixel_id: "1", access_token_secret: name }];
    expect(() => parse(value)).toThrow('DESTINATIONS "a": access_token_secret must be the name of a secret');
  });

  it("refuses a pixel_id written as a number past 2^53, in the text and in the array wrangler parsed", () => {
    // 12345678901234567 reads as 12345678901234568: another pixel.
    for (const value of ['[{"name":"a","pixel_id":12345678901234567}]', [{ name: "a", pixel_id: 12345678901234568 }]]) {
      expect(() => parse(value)).toThrow(ConfigError);
      expect(() => parse(value)).toThrow('DESTINATIONS "a": pixel_id must be written as a string of digits');
    }
  });

  it("refuses a pixel_id number written with a fraction or an exponent, even when it reads as an integer", () => {
    for (const literal of ["1234567890.0", "1.23456789e9", "1234567890123456.0000001"]) {
      expect(() => parse(`[{"name":"a","pixel_id":${literal}}]`)).toThrow(
        'DESTINATIONS "a": pixel_id must be written as a string of digits',
      );
    }
    expect(() => parse([{ name: "a", pixel_id: 1.5 }])).toThrow('DESTINATIONS "a": pixel_id');
    expect(() => parse([{ name: "a", pixel_id: -1 }])).toThrow('DESTINATIONS "a": pixel_id');
  });

  it("takes a pixel_id number that is exact, as its digits", () => {
    expect(parse('[{"name":"a","pixel_id":1234567890123}]')[0]?.pixelId).toBe("1234567890123");
    expect(parse([{ name: "a", pixel_id: 9007199254740991 }])[0]?.pixelId).toBe("9007199254740991");
    expect(parse('[{"name":"a","pixel_id":"12345678901234567"}]')[0]?.pixelId).toBe("12345678901234567");
  });

  it.each([
    ['[{"name":"a","pixel_id":"111111","pixel_id":"222222"}]', '"pixel_id"'],
    [
      '[{"name":"b","pixel_id":"1"},{"name":"a","pixel_id":"1","access_token_secret":"X_T","access_token_secret":"Y_T"}]',
      '"access_token_secret"',
    ],
    ['[{"name":"a","pixel_id":"1","match":{"type":"quiz:start","type":"quiz:complete"}}]', '"match.type"'],
    [
      '[{"name":"a","pixel_id":"1","event_name":{"email:submit":"Lead","email:submit":"Contact"}}]',
      '"event_name.email:submit"',
    ],
  ])("refuses a key written twice inside one destination: %s", (value, key) => {
    expect(() => parse(value)).toThrow(ConfigError);
    expect(() => parse(value)).toThrow(`DESTINATIONS "a": ${key} is written twice`);
    try {
      parse(value);
    } catch (error) {
      for (const secretish of ["111111", "222222", "X_T", "Y_T", "Contact"])
        expect(String(error)).not.toContain(secretish);
    }
  });

  it("names the destination by the name kept when the name itself is written twice", () => {
    expect(() => parse('[{"name":"a","name":"b","pixel_id":"1"}]')).toThrow(
      'DESTINATIONS "b": "name" is written twice',
    );
  });

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

describe("withDryRun", () => {
  const three = () =>
    parse([
      { name: "live", pixel_id: "1", access_token_secret: "META_ACCESS_TOKEN_EU" },
      { name: "held", pixel_id: "2", access_token_secret: "META_ACCESS_TOKEN_US" },
    ]);
  const modes = (destinations: Destination[]) =>
    destinations.map((d) => [d.name, d.target?.accessToken, d.missingToken?.secret]);

  it("is live when one destination has a token: the others are held, naming the secret they miss", () => {
    const { dryRun, destinations } = withDryRun(three(), { forced: false });
    expect(dryRun).toBe(false);
    expect(modes(destinations)).toEqual([
      ["live", "EAAB-eu-token", undefined],
      ["held", undefined, "META_ACCESS_TOKEN_US"],
    ]);
  });

  it("is a dry run when no destination has a token (the first run): nothing held, nothing live", () => {
    const none = parse([{ name: "a", pixel_id: "1", access_token_secret: "META_ACCESS_TOKEN_US" }]);
    const { dryRun, destinations } = withDryRun(none, { forced: false });
    expect(dryRun).toBe(true);
    expect(modes(destinations)).toEqual([["a", undefined, undefined]]);
  });

  it("is a dry run for every destination when forced (DRY_RUN=true), tokens or not", () => {
    const { dryRun, destinations } = withDryRun(three(), { forced: true });
    expect(dryRun).toBe(true);
    expect(modes(destinations)).toEqual([
      ["live", undefined, undefined],
      ["held", undefined, undefined],
    ]);
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
