/// <reference types="node" />
/**
 * Differential test: our user_data against Meta's own facebook-nodejs-business-sdk
 * (`UserData#normalize`, which calls `ServerSideUtils.normalizeAndHash`), and our country
 * table against i18n-iso-countries.
 *
 * Where the SDK does what Meta's "Customer Information Parameters" page says, both must give
 * the same hash. Where it does not (it predates some of the documented rules), the case is in
 * DISAGREEMENTS with the reason: ours must give the documented value AND the SDK must still
 * give its own recorded value, so an SDK change shows up here as a failing test to review.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { countryCode } from "./normalize";
import { buildUserData, type Shopper } from "./userData";

const require = createRequire(import.meta.url);
/** The country table check below reads a country as its alpha-2 code or undefined: `countryCode`. */
const normalizeCountry = countryCode;

type Field = "em" | "ph" | "fn" | "ln" | "ge" | "db" | "ct" | "st" | "zp" | "country" | "external_id";

interface SdkUserData {
  normalize(): Record<string, (string | null)[] | undefined>;
  [setter: string]: unknown;
}
const { UserData } = require("facebook-nodejs-business-sdk") as { UserData: new () => SdkUserData };

const SHOPPER_KEY: Record<Field, keyof Shopper> = {
  em: "email", ph: "phone", fn: "first_name", ln: "last_name", ge: "gender", db: "date_of_birth",
  ct: "city", st: "state", zp: "zip", country: "country", external_id: "customer_id",
};
const SDK_SETTER: Record<Field, string> = {
  em: "setEmail", ph: "setPhone", fn: "setFirstName", ln: "setLastName", ge: "setGender",
  db: "setDateOfBirth", ct: "setCity", st: "setState", zp: "setZip", country: "setCountry",
  external_id: "setExternalId",
};

const h = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

interface Case {
  field: Field;
  raw: string;
  /** The shopper's country (drives phone calling code, state and ZIP rules on our side). */
  country?: string;
  /** Meta's documented normalized plaintext; `undefined`: the value must be dropped. */
  expected: string | undefined;
  /** The raw value is a pre-hash: sent lowercased, not hashed (`expected` is unused). */
  passThrough?: true;
}

/** What the SDK sends for a case. */
type SdkOutcome =
  | { hashOf: string } //   SHA-256 of this plaintext
  | { sentAsIs: string } // sent unhashed
  | "dropped" //           null / no value
  | "throws"; //           the setter or normalize() throws

/** Our value for one field, through the whole buildUserData path. */
function ours(c: Case): string | undefined {
  const shopper: Shopper = { [SHOPPER_KEY[c.field]]: c.raw };
  if (c.country !== undefined && c.field !== "country") shopper.country = c.country;
  return buildUserData(shopper, {}, {}).userData[c.field];
}

/** What the SDK sends for one field, through `new UserData().setX(raw).normalize()`. */
function sdk(c: Case): string | "dropped" | "throws" {
  try {
    const userData = new UserData();
    (userData[SDK_SETTER[c.field]] as (value: string) => unknown).call(userData, c.raw);
    const value = userData.normalize()[c.field]?.[0];
    return value === null || value === undefined ? "dropped" : value;
  } catch {
    return "throws";
  }
}

/** Cases where the SDK follows Meta's documentation: same hash, or both refuse the value. */
const AGREEMENTS: Case[] = [
  { field: "em", raw: " John_Smith@gmail.com ", expected: "john_smith@gmail.com" },
  { field: "em", raw: "  Jane.Doe@Example.COM ", expected: "jane.doe@example.com" },
  { field: "em", raw: "a.b+promo@mail.shop-example.co.uk", expected: "a.b+promo@mail.shop-example.co.uk" },
  { field: "em", raw: "\tJOHN_SMITH@GMAIL.COM  ", expected: "john_smith@gmail.com" },
  { field: "em", raw: "jane@localhost", expected: undefined },
  { field: "em", raw: "jane.example.com", expected: undefined },
  { field: "em", raw: "ja..ne@example.com", expected: undefined },
  { field: "ph", raw: "+1 (415) 555-0123", expected: "14155550123" },
  { field: "ph", raw: "+1 650 555 1212", expected: "16505551212" },
  { field: "ph", raw: "16505551212", country: "US", expected: "16505551212" },
  { field: "ph", raw: "+44 20 7946 0958", expected: "442079460958" },
  { field: "ph", raw: "0044 20 7946 0958", expected: "442079460958" },
  { field: "ph", raw: "+39 06 1234 5678", expected: "390612345678" },
  { field: "ph", raw: "+49 151 23456789", expected: "4915123456789" },
  { field: "fn", raw: "Valéry", expected: "valéry" },
  { field: "fn", raw: "  Jane ", expected: "jane" },
  { field: "fn", raw: "JÜRGEN", expected: "jürgen" },
  { field: "ln", raw: "Doe", expected: "doe" },
  { field: "ge", raw: "Female", expected: "f" },
  { field: "ge", raw: "M", expected: "m" },
  { field: "ge", raw: "f", expected: "f" },
  { field: "ge", raw: "male", expected: "m" },
  { field: "ge", raw: "other", expected: undefined },
  { field: "db", raw: "19970216", expected: "19970216" },
  { field: "ct", raw: "St. Louis", expected: "stlouis" },
  { field: "ct", raw: "San Francisco", expected: "sanfrancisco" },
  { field: "ct", raw: "São Paulo", expected: "sãopaulo" },
  { field: "ct", raw: "München", expected: "münchen" },
  { field: "ct", raw: "Winston-Salem", expected: "winstonsalem" },
  { field: "st", raw: "CA", country: "US", expected: "ca" },
  { field: "st", raw: "ny", expected: "ny" },
  { field: "st", raw: "Île-de-France", country: "FR", expected: "îledefrance" },
  { field: "st", raw: "Bayern", country: "DE", expected: "bayern" },
  { field: "zp", raw: "94103-1234", country: "US", expected: "94103" },
  { field: "zp", raw: "94103", expected: "94103" },
  { field: "zp", raw: "NR9 5AL", country: "GB", expected: "nr95al" },
  { field: "zp", raw: "K1A 0B1", country: "CA", expected: "k1a0b1" },
  { field: "zp", raw: "80331", country: "DE", expected: "80331" },
  { field: "country", raw: "US", expected: "us" },
  { field: "country", raw: "gb", expected: "gb" },
  { field: "country", raw: "zz", expected: undefined },
  // A pre-hashed value in upper case: both lowercase it and pass it through.
  { field: "em", raw: h("john_smith@gmail.com").toUpperCase(), expected: undefined, passThrough: true },
  { field: "ph", raw: ` ${h("16505551212")} `, expected: undefined, passThrough: true },
];

interface Disagreement extends Case {
  sdk: SdkOutcome;
  reason: string;
}

/** Cases where the SDK departs from Meta's documented normalization (checked on SDK 24.0.1). */
const DISAGREEMENTS: Disagreement[] = [
  {
    field: "ph", raw: "(650)555-1212", country: "US", expected: "16505551212", sdk: { hashOf: "6505551212" },
    reason: "Meta's own example: the SDK never adds the country calling code to a national number",
  },
  {
    field: "ph", raw: "020 7946 0958", country: "GB", expected: "442079460958", sdk: { hashOf: "2079460958" },
    reason: "SDK drops the trunk zero but adds no calling code",
  },
  {
    field: "ph", raw: "0151 23456789", country: "DE", expected: "4915123456789", sdk: { hashOf: "15123456789" },
    reason: "SDK drops the trunk zero but adds no calling code",
  },
  {
    field: "ph", raw: "+33 (0)6 12 34 56 78", expected: "33612345678", sdk: { hashOf: "330612345678" },
    reason: "SDK keeps the bracketed trunk zero after the calling code (not a real E.164 number)",
  },
  {
    field: "ph", raw: "+1 415 555 0123 ext. 45", expected: "14155550123", sdk: { hashOf: "14155550123.45" },
    reason: "SDK keeps the dot and the extension digits: not digits only",
  },
  {
    field: "ph", raw: "555-0123", country: "US", expected: undefined, sdk: { hashOf: "5550123" },
    reason: "SDK accepts any 7-16 digits; a 7-digit US number lacks its area code and cannot match",
  },
  {
    field: "fn", raw: "O'Connor", expected: "oconnor", sdk: { hashOf: "o'connor" },
    reason: "Meta's own example: the SDK only trims and lowercases names, punctuation stays",
  },
  {
    field: "fn", raw: "Mary Ann", expected: "maryann", sdk: { hashOf: "mary ann" },
    reason: "SDK keeps inner spaces in names",
  },
  {
    field: "ln", raw: "Müller-Lüdenscheidt", expected: "müllerlüdenscheidt", sdk: { hashOf: "müller-lüdenscheidt" },
    reason: "SDK keeps hyphens in names",
  },
  {
    field: "fn", raw: "Vale\u0301ry", expected: "val\u00e9ry", sdk: { hashOf: "vale\u0301ry" },
    reason: "SDK does not compose to NFC: a decomposed accent hashes differently from Meta's 'valéry'",
  },
  {
    field: "ge", raw: "woman", expected: "f", sdk: "dropped",
    reason: "SDK knows only f/m/female/male",
  },
  {
    field: "db", raw: "1990-02-14", expected: "19900214", sdk: { hashOf: "1990-02-14" },
    reason: "SDK hashes dates as typed (trim + lowercase); Meta asks YYYYMMDD",
  },
  {
    field: "db", raw: "02/16/1997", expected: "19970216", sdk: { hashOf: "02/16/1997" },
    reason: "Meta's own example: the SDK does not reformat dates",
  },
  {
    field: "db", raw: "16.02.1997", expected: "19970216", sdk: { hashOf: "16.02.1997" },
    reason: "SDK does not reformat dates",
  },
  {
    field: "db", raw: "02/30/1997", expected: undefined, sdk: { hashOf: "02/30/1997" },
    reason: "SDK does not validate dates",
  },
  {
    field: "st", raw: "California", expected: "ca", sdk: { hashOf: "california" },
    reason: "Meta's own example: the SDK does not map state names to codes",
  },
  {
    field: "st", raw: "New York", country: "US", expected: "ny", sdk: { hashOf: "newyork" },
    reason: "SDK does not map state names to codes",
  },
  {
    field: "st", raw: "Québec", country: "CA", expected: "qc", sdk: { hashOf: "québec" },
    reason: "SDK does not map Canadian province names to codes",
  },
  {
    field: "zp", raw: "941031234", country: "US", expected: "94103", sdk: { hashOf: "941031234" },
    reason: "SDK cuts a US ZIP+4 only at a dash; Meta asks the first 5 digits",
  },
  {
    field: "zp", raw: "100-0001", country: "JP", expected: "1000001", sdk: { hashOf: "100" },
    reason: "SDK cuts every postal code at its first dash, so Japan's 100-0001 becomes 100",
  },
  {
    field: "country", raw: "United States", expected: "us", sdk: "throws",
    reason: "Meta's own example: the SDK accepts only alpha-2 codes",
  },
  {
    field: "country", raw: "GBR", expected: "gb", sdk: "throws",
    reason: "SDK rejects alpha-3 codes",
  },
  {
    field: "country", raw: "UK", expected: "gb", sdk: "throws",
    reason: "SDK rejects the common 'UK' for GB",
  },
  {
    field: "em", raw: "JOSÉ@Bücher.de", expected: "josé@bücher.de", sdk: "throws",
    reason: "SDK's email-validator rejects internationalized addresses; Meta hashes UTF-8",
  },
  {
    field: "em", raw: h("x").slice(0, 32), expected: undefined, sdk: { sentAsIs: h("x").slice(0, 32) },
    reason: "SDK passes any 32-hex value through as an MD5 pre-hash; Meta documents SHA-256 only, so ours drops it as a malformed email",
  },
  {
    field: "external_id", raw: " shopify:7712345 ", expected: "shopify:7712345", sdk: { sentAsIs: " shopify:7712345 " },
    reason: "SDK sends external_id unhashed and untrimmed; Meta recommends hashing, and its capi-param-builder trims and lowercases",
  },
  {
    field: "external_id", raw: "ABC-12345", expected: "abc-12345", sdk: { sentAsIs: "ABC-12345" },
    reason: "as above; lowercase as capi-param-builder, so browser and server ids hash alike",
  },
];

/** The value the SDK is recorded to send. */
function expectedSdk(outcome: SdkOutcome): string | "dropped" | "throws" {
  if (typeof outcome === "string") return outcome;
  return "hashOf" in outcome ? h(outcome.hashOf) : outcome.sentAsIs;
}

describe("differential: cases where facebook-nodejs-business-sdk follows Meta's docs", () => {
  it("has a corpus of at least 40 agreeing cases over every hashed key", () => {
    expect(AGREEMENTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(AGREEMENTS.map((c) => c.field))).toEqual(
      new Set(["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country"]),
    );
  });

  it.each(AGREEMENTS.map((c) => [c.field, c.raw, c.country ?? "", c] as const))(
    "%s %j (country %j): same result",
    (_field, _raw, _country, c) => {
      const mine = ours(c);
      const theirs = sdk(c);
      if (c.passThrough) {
        expect(mine).toBe(c.raw.trim().toLowerCase());
        expect(theirs).toBe(mine);
      } else if (c.expected === undefined) {
        expect(mine).toBeUndefined();
        expect(["dropped", "throws"]).toContain(theirs);
      } else {
        expect(mine).toBe(h(c.expected));
        expect(theirs).toBe(mine);
      }
    },
  );
});

describe("differential: cases where the SDK departs from Meta's docs", () => {
  it.each(DISAGREEMENTS.map((c) => [c.field, c.raw, c.reason, c] as const))(
    "%s %j: %s",
    (_field, _raw, _reason, c) => {
      const mine = ours(c);
      expect(mine).toBe(c.expected === undefined ? undefined : h(c.expected));
      const theirs = sdk(c);
      expect(theirs).toBe(expectedSdk(c.sdk));
      expect(theirs).not.toBe(mine);
    },
  );
});

describe("differential: our country table against i18n-iso-countries", () => {
  const countries = require("i18n-iso-countries") as {
    getAlpha2Codes(): Record<string, string>;
    alpha2ToAlpha3(code: string): string | undefined;
    getNames(lang: string, options: { select: "all" }): Record<string, string[]>;
    getAlpha2Code(name: string, lang: string): string | undefined;
  };
  const alpha2Codes = Object.keys(countries.getAlpha2Codes());

  it("knows every alpha-2 and alpha-3 code the library knows", () => {
    expect(alpha2Codes.length).toBeGreaterThanOrEqual(249);
    for (const alpha2 of alpha2Codes) {
      expect(normalizeCountry(alpha2), alpha2).toBe(alpha2.toLowerCase());
      expect(normalizeCountry(countries.alpha2ToAlpha3(alpha2)!), alpha2).toBe(alpha2.toLowerCase());
    }
  });

  it("accepts no two-letter code the library does not know, except UK for GB", () => {
    const known = new Set(alpha2Codes.map((code) => code.toLowerCase()));
    const letters = "abcdefghijklmnopqrstuvwxyz";
    for (const a of letters) {
      for (const b of letters) {
        const code = a + b;
        const expected = code === "uk" ? "gb" : known.has(code) ? code : undefined;
        expect(normalizeCountry(code), code).toBe(expected);
      }
    }
  });

  it("resolves every English name and alias as the library does", () => {
    const names = countries.getNames("en", { select: "all" });
    for (const list of Object.values(names)) {
      for (const name of list) {
        expect(normalizeCountry(name), name).toBe(countries.getAlpha2Code(name, "en")?.toLowerCase());
      }
    }
  });
});
