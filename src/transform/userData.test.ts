/// <reference types="node" />
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildUserData, type Client, type Shopper } from "./userData";

/** Independent oracle: Node's SHA-256 of the value we expect after normalization. */
const h = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

interface Fixture {
  shopper: Record<string, unknown>;
  context: { ip: string; user_agent: string; fbp: string; fbc?: string };
}
/** The lead's fixtures (fixtures/canonical.json is ../shared/contract/webhook-example.json). */
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8")) as Fixture;
/** Studio sends strings, but a merchant's mapping may give a number (messy.json's customer_id). */
const asShopper = (raw: Record<string, unknown>): Shopper =>
  Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value)]));
const asClient = (context: Fixture["context"]): Client => ({
  ip: context.ip, user_agent: context.user_agent, fbp: context.fbp, fbc: context.fbc,
});
const webhook = fixture("canonical");

describe("buildUserData on the canonical webhook", () => {
  const { context } = webhook;
  const userData = buildUserData(asShopper(webhook.shopper), asClient(context), { defaultCountry: "US" });

  it("hashes every shopper field from its normalized form", () => {
    expect(userData).toEqual({
      em: h("jane.doe@example.com"),
      ph: h("14155550123"),
      fn: h("jane"),
      ln: h("doe"),
      ge: h("f"),
      db: h("19900214"),
      ct: h("sanfrancisco"),
      st: h("ca"),
      zp: h("94103"),
      country: h("us"),
      external_id: h("shopify:7712345"),
      client_ip_address: "203.0.113.7",
      client_user_agent: context.user_agent,
      fbc: "fb.1.1732560123000.IwAR2xYz",
      fbp: "fb.1.1732560000000.1098765432",
    });
  });

  it("ignores shopper fields Meta has no key for (marketing_consent)", () => {
    expect(Object.keys(userData)).not.toContain("marketing_consent");
  });

  it("puts no plaintext personal data in the result", () => {
    const text = JSON.stringify(userData);
    for (const secret of ["jane", "Jane", "doe", "4155550123", "94103", "1990", "shopify", "San Francisco"]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("buildUserData on the other fixtures", () => {
  it("international.json: German formats, native country name, national mobile number", () => {
    const { shopper, context } = fixture("international");
    expect(buildUserData(asShopper(shopper), asClient(context), { defaultCountry: "US" })).toEqual({
      em: h("jürgen.müller@example.de"),
      ph: h("4915123456789"),
      fn: h("jürgen"),
      ln: h("müllerlüdenscheidt"),
      ge: h("m"),
      db: h("19900214"),
      ct: h("münchen"),
      st: h("bayern"),
      zp: h("80331"),
      country: h("de"),
      external_id: h("shopify:99887766"),
      client_ip_address: "2001:db8:85a3::8a2e:370:7334",
      client_user_agent: context.user_agent,
      fbp: "fb.2.1732560000000.554433221",
    });
  });

  it("messy.json: stray spaces and case, punctuation, state name, ZIP+4, numeric customer id", () => {
    const { shopper, context } = fixture("messy");
    expect(buildUserData(asShopper(shopper), asClient(context), { defaultCountry: "US" })).toEqual({
      em: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
      ph: "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
      fn: h("maryann"),
      ln: h("oconnorjr"),
      ge: h("f"),
      db: h("19970216"),
      ct: h("stlouis"),
      st: h("mo"),
      zp: h("63101"),
      country: "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
      external_id: h("7712345"),
      client_ip_address: "198.51.100.23",
      client_user_agent: context.user_agent,
      fbc: "fb.1.1732560123000.IwAR_Mixed-Case.Ab",
      fbp: "fb.1.1732560000000.1098765432",
    });
  });
});

describe("buildUserData: Meta's reference hashes", () => {
  it("produces the documented em, ph and country hashes", () => {
    const userData = buildUserData({ email: " John_Smith@gmail.com ", phone: "(650)555-1212", country: "United States" }, {}, {});
    expect(userData).toEqual({
      em: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
      ph: "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
      country: "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
    });
  });
});

describe("buildUserData: country used for phone, state and zip", () => {
  it("uses the shopper's country (by name) for the phone calling code", () => {
    const userData = buildUserData({ phone: "020 7946 0958", country: "United Kingdom" }, {}, { defaultCountry: "US" });
    expect(userData.ph).toBe(h("442079460958"));
  });
  it("falls back to the default country when the shopper gave none", () => {
    expect(buildUserData({ phone: "(650)555-1212" }, {}, { defaultCountry: "us" }).ph).toBe(h("16505551212"));
  });
  it("falls back to the default country when the shopper's country is unknown text", () => {
    expect(buildUserData({ phone: "(650)555-1212", country: "Atlantis" }, {}, { defaultCountry: "US" }).ph).toBe(
      h("16505551212"),
    );
  });
  it("drops a national phone when there is no country at all", () => {
    expect(buildUserData({ phone: "(650)555-1212" }, {}, {})).toEqual({});
  });
  it("does not send the default country as the shopper's country", () => {
    expect(buildUserData({ email: "a@example.com" }, {}, { defaultCountry: "US" }).country).toBeUndefined();
  });
  it("applies the US ZIP rule for a US shopper and keeps a UK postcode whole", () => {
    expect(buildUserData({ zip: "94103-1234", country: "USA" }, {}, {}).zp).toBe(h("94103"));
    expect(buildUserData({ zip: "NR9 5AL", country: "GB" }, {}, { defaultCountry: "US" }).zp).toBe(h("nr95al"));
  });
  it("maps a state name with the country, and keeps other countries' regions", () => {
    expect(buildUserData({ state: "California" }, {}, { defaultCountry: "US" }).st).toBe(h("ca"));
    expect(buildUserData({ state: "Île-de-France", country: "FR" }, {}, {}).st).toBe(h("îledefrance"));
  });
});

describe("buildUserData: pre-hashed values", () => {
  const emailHash = h("john_smith@gmail.com");

  it("passes a lowercase SHA-256 through without hashing it again", () => {
    expect(buildUserData({ email: emailHash }, {}, {}).em).toBe(emailHash);
  });
  it("lowercases an uppercase SHA-256 instead of hashing it", () => {
    expect(buildUserData({ email: emailHash.toUpperCase() }, {}, {}).em).toBe(emailHash);
  });
  it("passes pre-hashes through for every hashed key", () => {
    const shopper: Shopper = {
      email: h("e"), phone: h("p"), first_name: h("fn"), last_name: h("ln"), gender: h("g"),
      date_of_birth: h("d"), city: h("c"), state: h("s"), zip: h("z"), country: h("co"), customer_id: h("x"),
    };
    expect(buildUserData(shopper, {}, { defaultCountry: "US" })).toEqual({
      em: h("e"), ph: h("p"), fn: h("fn"), ln: h("ln"), ge: h("g"), db: h("d"),
      ct: h("c"), st: h("s"), zp: h("z"), country: h("co"), external_id: h("x"),
    });
  });
});

describe("buildUserData: invalid and empty fields", () => {
  it("drops each field that cannot be normalized", () => {
    const shopper: Shopper = {
      email: "not-an-email", phone: "555", first_name: "--", last_name: " ", gender: "other",
      date_of_birth: "02/30/1997", city: "123", state: "Narnia", zip: "1", country: "Atlantis", customer_id: " ",
    };
    expect(buildUserData(shopper, {}, { defaultCountry: "US" })).toEqual({});
  });
  it("has no key at all (not even undefined) for missing fields", () => {
    const userData = buildUserData({ email: "a@example.com" }, {}, {});
    expect(Object.keys(userData)).toEqual(["em"]);
  });
  it("drops a birth date after now when now is given", () => {
    const now = Date.UTC(2026, 10, 25);
    expect(buildUserData({ date_of_birth: "2027-01-01" }, {}, { now })).toEqual({});
    expect(buildUserData({ date_of_birth: "2027-01-01" }, {}, {}).db).toBe(h("20270101"));
  });
  it("reads a numeric value (a mapped numeric customer id) as its decimal text", () => {
    const shopper = { customer_id: 7712345 } as unknown as Shopper;
    expect(buildUserData(shopper, {}, {})).toEqual({ external_id: h("7712345") });
  });
  it("ignores values that are neither strings nor finite numbers instead of throwing", () => {
    const shopper = { email: { a: 1 }, phone: null, first_name: true, customer_id: Number.NaN, country: ["US"] } as unknown as Shopper;
    const client = { ip: 42, user_agent: null, fbp: {}, fbc: undefined } as unknown as Client;
    expect(buildUserData(shopper, client, { defaultCountry: "US" })).toEqual({});
  });
  it("works with options omitted", () => {
    expect(buildUserData({ email: "A@Example.com" }, {})).toEqual({ em: h("a@example.com") });
  });
});

describe("buildUserData: browser values", () => {
  it("copies ip, user agent, fbc and fbp byte for byte: no trim, no case change, no hash", () => {
    const client: Client = {
      ip: " 2001:DB8::1 ",
      user_agent: "Mozilla/5.0 (X11; Linux x86_64)  ",
      fbc: "fb.1.1732560123000.IwAR2xYz.Ab",
      fbp: "fb.1.1732560000000.1098765432",
    };
    expect(buildUserData({}, client, {})).toEqual({
      client_ip_address: " 2001:DB8::1 ",
      client_user_agent: "Mozilla/5.0 (X11; Linux x86_64)  ",
      fbc: "fb.1.1732560123000.IwAR2xYz.Ab",
      fbp: "fb.1.1732560000000.1098765432",
    });
  });
  it("never hashes a browser value, even one shaped like a SHA-256", () => {
    const upper = h("x").toUpperCase();
    expect(buildUserData({}, { fbp: upper }, {}).fbp).toBe(upper);
  });
  it("omits empty strings", () => {
    expect(buildUserData({}, { ip: "", user_agent: "", fbc: "", fbp: "" }, {})).toEqual({});
  });
});
