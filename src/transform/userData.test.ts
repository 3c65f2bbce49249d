/// <reference types="node" />
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildUserData, type Client, type Shopper, USER_DATA_KEYS } from "./userData";

/** Independent oracle: Node's SHA-256 of the value we expect after normalization. */
const h = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

interface Fixture {
  shopper: Record<string, unknown>;
  context: { ip: string; user_agent: string; fbp: string; fbc?: string };
}
/** The lead's fixtures (fixtures/canonical.json is the canonical Studio webhook: docs/api.md "The webhook"). */
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8")) as Fixture;
/** Studio sends strings, but a merchant's mapping may give a number (messy.json's customer_id). */
const asShopper = (raw: Record<string, unknown>): Shopper =>
  Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value)]));
const asClient = (context: Fixture["context"]): Client => ({
  ip: context.ip,
  user_agent: context.user_agent,
  fbp: context.fbp,
  fbc: context.fbc,
});
const webhook = fixture("canonical");
/** Just the user data of buildUserData. */
const userDataOf = (...args: Parameters<typeof buildUserData>) => buildUserData(...args).userData;

describe("buildUserData on the canonical webhook", () => {
  const { context } = webhook;
  const userData = userDataOf(asShopper(webhook.shopper), asClient(context), { defaultCountry: "US" });

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
    expect(userDataOf(asShopper(shopper), asClient(context), { defaultCountry: "US" })).toEqual({
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
    expect(userDataOf(asShopper(shopper), asClient(context), { defaultCountry: "US" })).toEqual({
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
      fbc: "fb.1.1732560123000.IwAR_Mixed-Case.AQQCAQMC",
      fbp: "fb.1.1732560000000.1098765432",
    });
  });
});

describe("buildUserData: Meta's reference hashes", () => {
  it("produces the documented em, ph and country hashes", () => {
    const userData = userDataOf(
      { email: " John_Smith@gmail.com ", phone: "(650)555-1212", country: "United States" },
      {},
      {},
    );
    expect(userData).toEqual({
      em: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
      ph: "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
      country: "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
    });
  });
});

describe("buildUserData: country used for phone, state and zip", () => {
  it("uses the shopper's country (by name) for the phone calling code", () => {
    const userData = userDataOf({ phone: "020 7946 0958", country: "United Kingdom" }, {}, { defaultCountry: "US" });
    expect(userData.ph).toBe(h("442079460958"));
  });
  it("falls back to the default country when the shopper gave none", () => {
    expect(userDataOf({ phone: "(650)555-1212" }, {}, { defaultCountry: "us" }).ph).toBe(h("16505551212"));
  });
  it("falls back to the default country when the shopper's country is unknown text", () => {
    expect(userDataOf({ phone: "(650)555-1212", country: "Atlantis" }, {}, { defaultCountry: "US" }).ph).toBe(
      h("16505551212"),
    );
  });
  it("drops a national phone when there is no country at all", () => {
    expect(userDataOf({ phone: "(650)555-1212" }, {}, {})).toEqual({});
  });
  it("does not send the default country as the shopper's country", () => {
    expect(userDataOf({ email: "a@example.com" }, {}, { defaultCountry: "US" }).country).toBeUndefined();
  });
  it("applies the US ZIP rule for a US shopper and keeps a UK postcode whole", () => {
    expect(userDataOf({ zip: "94103-1234", country: "USA" }, {}, {}).zp).toBe(h("94103"));
    expect(userDataOf({ zip: "NR9 5AL", country: "GB" }, {}, { defaultCountry: "US" }).zp).toBe(h("nr95al"));
  });
  it("maps a state name with the country, and keeps other countries' regions", () => {
    expect(userDataOf({ state: "California" }, {}, { defaultCountry: "US" }).st).toBe(h("ca"));
    expect(userDataOf({ state: "Île-de-France", country: "FR" }, {}, {}).st).toBe(h("îledefrance"));
  });
});

describe("buildUserData: a state or postcode that does not fit a guessed country", () => {
  it("sends the shopper's own postcode as Meta says for any country when DEFAULT_COUNTRY does not fit it", () => {
    // The default country is a guess; the postcode is the shopper's own (Customer Information
    // Parameters: lowercase, no spaces or dashes; only US ZIP codes are cut to 5 digits).
    const result = buildUserData({ zip: "NR9 5AL" }, {}, { defaultCountry: "US" });
    expect(result.userData.zp).toBe(h("nr95al"));
    expect(result.match.dropped).toEqual({});
  });
  it("keeps reading what fits the guessed country as before", () => {
    expect(userDataOf({ zip: "94103-1234" }, {}, { defaultCountry: "US" }).zp).toBe(h("94103"));
    expect(userDataOf({ zip: "1000 AA" }, {}, { defaultCountry: "NL" }).zp).toBe(h("1000aa"));
    expect(userDataOf({ state: "CA" }, {}, { defaultCountry: "US" }).st).toBe(h("ca"));
  });
  it("reads a province under a US default as the province, and a subdivision code in its own country", () => {
    expect(userDataOf({ state: "Ontario" }, {}, { defaultCountry: "US" }).st).toBe(h("on"));
    expect(userDataOf({ state: "CA-ON" }, {}, { defaultCountry: "US" }).st).toBe(h("on"));
  });
  it("reads the ZIP of a US territory or military state as a US ZIP when the shopper gave no country", () => {
    expect(userDataOf({ zip: "09021-1234", state: "AE" }, {}, { defaultCountry: "GB" }).zp).toBe(h("09021"));
    expect(userDataOf({ zip: "009011234", state: "Puerto Rico" }, {}, { defaultCountry: "DE" }).zp).toBe(h("00901"));
    // Andhra Pradesh is AP too: a PIN code is no US ZIP, and is read as with no country known.
    expect(userDataOf({ zip: "500 001", state: "AP" }, {}, { defaultCountry: "IN" }).zp).toBe(h("500001"));
  });
  it("stays strict with the shopper's own country", () => {
    const result = buildUserData({ zip: "NR9 5AL", state: "CA-ON", country: "US" }, {}, { defaultCountry: "GB" });
    expect(result.match.dropped).toEqual({ st: "subdivision of another country", zp: "not a US ZIP code" });
  });
  it("drops what fits no country at all, with the guessed country's reason", () => {
    expect(buildUserData({ zip: "1", state: "--" }, {}, { defaultCountry: "US" }).match.dropped).toEqual({
      st: "not a state of US",
      zp: "not a US ZIP code",
    });
  });
});

describe("buildUserData: digits of other scripts", () => {
  it("reads full-width and Arabic-Indic digits as ASCII for phone, postcode, birth date and state", () => {
    const shopper: Shopper = {
      phone: "０９０-１２３４-５６７８",
      zip: "１００-０００１",
      date_of_birth: "１９９７年２月１６日",
      country: "JP",
    };
    expect(userDataOf(shopper, {}, {})).toMatchObject({ ph: h("819012345678"), zp: h("1000001"), db: h("19970216") });
    expect(userDataOf({ phone: "٠٥٠ ١٢٣ ٤٥٦٧", date_of_birth: "١٦/٠٢/١٩٩٧", country: "AE" }, {}, {})).toMatchObject({
      ph: h("971501234567"),
      db: h("19970216"),
    });
  });
  it("leaves the email and the customer id as they came (their characters are the value)", () => {
    expect(userDataOf({ email: "a１@example.com", customer_id: "ID１" }, {}, {})).toEqual({
      em: h("a１@example.com"),
      external_id: h("id１"),
    });
  });
});

describe("buildUserData: pre-hashed values", () => {
  const emailHash = h("john_smith@gmail.com");

  it("passes a lowercase SHA-256 through without hashing it again", () => {
    expect(userDataOf({ email: emailHash }, {}, {}).em).toBe(emailHash);
  });
  it("lowercases an uppercase SHA-256 instead of hashing it", () => {
    expect(userDataOf({ email: emailHash.toUpperCase() }, {}, {}).em).toBe(emailHash);
  });
  it("passes pre-hashes through for every hashed key", () => {
    const shopper: Shopper = {
      email: h("e"),
      phone: h("p"),
      first_name: h("fn"),
      last_name: h("ln"),
      gender: h("g"),
      date_of_birth: h("d"),
      city: h("c"),
      state: h("s"),
      zip: h("z"),
      country: h("co"),
      customer_id: h("x"),
    };
    expect(userDataOf(shopper, {}, { defaultCountry: "US" })).toEqual({
      em: h("e"),
      ph: h("p"),
      fn: h("fn"),
      ln: h("ln"),
      ge: h("g"),
      db: h("d"),
      ct: h("c"),
      st: h("s"),
      zp: h("z"),
      country: h("co"),
      external_id: h("x"),
    });
  });
});

describe("buildUserData: invalid and empty fields", () => {
  it("drops each field that cannot be normalized", () => {
    const shopper: Shopper = {
      email: "not-an-email",
      phone: "555",
      first_name: "--",
      last_name: " ",
      gender: "other",
      date_of_birth: "02/30/1997",
      city: "123",
      state: "--",
      zip: "1",
      country: "Atlantis",
      customer_id: " ",
    };
    expect(userDataOf(shopper, {}, { defaultCountry: "US" })).toEqual({});
  });
  it("has no key at all (not even undefined) for missing fields", () => {
    const userData = userDataOf({ email: "a@example.com" }, {}, {});
    expect(Object.keys(userData)).toEqual(["em"]);
  });
  it("drops a birth date after now when now is given", () => {
    const now = Date.UTC(2026, 10, 25);
    expect(userDataOf({ date_of_birth: "2027-01-01" }, {}, { now })).toEqual({});
    expect(userDataOf({ date_of_birth: "2027-01-01" }, {}, {}).db).toBe(h("20270101"));
  });
  it("reads a numeric value (a mapped numeric customer id) as its decimal text", () => {
    const shopper = { customer_id: 7712345 } as unknown as Shopper;
    expect(userDataOf(shopper, {}, {})).toEqual({ external_id: h("7712345") });
  });
  it("ignores values that are neither strings nor finite numbers instead of throwing", () => {
    const shopper = {
      email: { a: 1 },
      phone: null,
      first_name: true,
      customer_id: Number.NaN,
      country: ["US"],
    } as unknown as Shopper;
    const client = { ip: 42, user_agent: null, fbp: {}, fbc: undefined } as unknown as Client;
    expect(userDataOf(shopper, client, { defaultCountry: "US" })).toEqual({});
  });
  it("works with options omitted", () => {
    expect(userDataOf({ email: "A@Example.com" }, {})).toEqual({ em: h("a@example.com") });
  });
});

describe("buildUserData: browser values", () => {
  it("sends one public address, a user agent byte for byte, fbc and fbp as they came", () => {
    const client: Client = {
      ip: " [2001:DB8::1]:443, 10.0.0.1 ",
      user_agent: "Mozilla/5.0 (X11; Linux x86_64)  ",
      fbc: "fb.1.1732560123000.IwAR2xYz.AQQCAQMC",
      fbp: "fb.1.1732560000000.1098765432",
    };
    expect(userDataOf({}, client, {})).toEqual({
      client_ip_address: "2001:db8::1",
      client_user_agent: "Mozilla/5.0 (X11; Linux x86_64)  ",
      fbc: "fb.1.1732560123000.IwAR2xYz.AQQCAQMC",
      fbp: "fb.1.1732560000000.1098765432",
    });
  });
  it("never hashes a browser value, even one shaped like a SHA-256", () => {
    const upper = h("x").toUpperCase();
    expect(userDataOf({}, { user_agent: upper }, {}).client_user_agent).toBe(upper);
    expect(buildUserData({}, { fbp: upper }, {}).match.dropped).toEqual({ fbp: "malformed" });
  });
  it("omits empty strings", () => {
    expect(buildUserData({}, { ip: "", ipv6: "", user_agent: "", fbc: "", fbp: "" }, {})).toEqual({
      userData: {},
      match: { sent: [], dropped: {} },
    });
  });
  it("prefers a public IPv6 from ipv6", () => {
    expect(userDataOf({}, { ip: "203.0.113.7", ipv6: "2001:db8::7" }, {}).client_ip_address).toBe("2001:db8::7");
  });
  it("builds fbc from the page's click id at occurred_at, else from the referrer's", () => {
    const page_url = "https://shop.example.com/quiz?fbclid=FromPage";
    const referrer_url = "https://l.facebook.com/?fbclid=FromReferrer";
    expect(userDataOf({}, { page_url, referrer_url, occurred_at: 1795632127123 }, {}).fbc).toBe(
      "fb.1.1795632127123.FromPage",
    );
    expect(userDataOf({}, { referrer_url, occurred_at: 1795632127123 }, {}).fbc).toBe(
      "fb.1.1795632127123.FromReferrer",
    );
  });
  it("stamps a built fbc with now when no occurred_at came, and builds none without either", () => {
    const page_url = "https://shop.example.com/quiz?fbclid=FromPage";
    expect(userDataOf({}, { page_url }, { now: 1795632127000 }).fbc).toBe("fb.1.1795632127000.FromPage");
    expect(userDataOf({}, { page_url }, {}).fbc).toBeUndefined();
  });
  it("refreshes an fbc cookie from an older ad click", () => {
    const client: Client = { fbc: "fb.1.1732560123000.Old", page_url: "https://s.example/?fbclid=New", occurred_at: 5 };
    expect(userDataOf({}, client, {}).fbc).toBe("fb.1.5.New");
  });
});

describe("buildUserData: invisible characters", () => {
  it("hashes a value with invisible characters as the same value without them, for every shopper key", () => {
    const zw = "\u200B";
    const shopper: Shopper = {
      email: `${zw}jane@example.com\uFEFF`,
      phone: `+44${zw} 20 7946 0958`,
      first_name: `Ja${zw}ne`,
      last_name: `Do\u00ADe`,
      gender: `f${zw}`,
      date_of_birth: `1990-02-14${zw}`,
      city: `Lon${zw}don`,
      state: `Eng${zw}land`,
      zip: `SW1A\u00A01AA`,
      country: `G${zw}B`,
      customer_id: `${zw}ABC 1`,
    };
    const clean: Shopper = {
      email: "jane@example.com",
      phone: "+44 20 7946 0958",
      first_name: "Jane",
      last_name: "Doe",
      gender: "f",
      date_of_birth: "1990-02-14",
      city: "London",
      state: "England",
      zip: "SW1A 1AA",
      country: "GB",
      customer_id: "ABC 1",
    };
    expect(userDataOf(shopper, {}, {})).toEqual(userDataOf(clean, {}, {}));
    expect(Object.keys(userDataOf(shopper, {}, {}))).toHaveLength(11);
  });
  it("treats a value of invisible characters only as no value", () => {
    expect(buildUserData({ first_name: "\u200B\uFEFF", phone: " \u00A0" }, {}, {})).toEqual({
      userData: {},
      match: { sent: [], dropped: {} },
    });
  });
});

describe("buildUserData: values hashed by Meta's Parameter Builder", () => {
  const builderValue = (text: string) => `${h(text)}.AQQCAQMC`;

  it("sends a builder value exactly as it came for every hashed key, em included", () => {
    const shopper: Shopper = {
      email: builderValue("e"),
      phone: builderValue("p"),
      first_name: builderValue("fn"),
      last_name: `${h("ln")}.BA`,
      gender: builderValue("g"),
      date_of_birth: builderValue("d"),
      city: builderValue("c"),
      state: builderValue("s"),
      zip: builderValue("z"),
      country: builderValue("co"),
      customer_id: builderValue("x"),
    };
    expect(userDataOf(shopper, {}, { defaultCountry: "US" })).toEqual({
      em: builderValue("e"),
      ph: builderValue("p"),
      fn: builderValue("fn"),
      ln: `${h("ln")}.BA`,
      ge: builderValue("g"),
      db: builderValue("d"),
      ct: builderValue("c"),
      st: builderValue("s"),
      zp: builderValue("z"),
      country: builderValue("co"),
      external_id: builderValue("x"),
    });
  });
  it("only trims spaces and invisible characters around it", () => {
    expect(userDataOf({ email: ` \u200B${builderValue("e")}\n` }, {}, {}).em).toBe(builderValue("e"));
  });
  it("keeps the case of its hex digits, as the builder does", () => {
    const upper = `${h("e").toUpperCase()}.AQQCAQMC`;
    expect(userDataOf({ email: upper }, {}, {}).em).toBe(upper);
  });
  it("normalizes a value whose suffix is no builder appendix like any text", () => {
    const result = buildUserData({ email: `${h("e")}.Ab`, first_name: `${h("fn")}.Ab` }, {}, {});
    expect(result.userData).toEqual({ fn: h(`${h("fn")}ab`.replace(/[^a-z]/g, "")) });
    expect(result.match.dropped).toEqual({ em: "not a valid email address" });
  });
  it("does not read a builder country as the shopper's country, nor replace it with the phone's", () => {
    const result = userDataOf({ country: builderValue("gb"), phone: "+1 650 555 1212", zip: "94103-1234" }, {}, {});
    expect(result.country).toBe(builderValue("gb"));
    expect(result.zp).toBe(h("94103"));
  });
});

describe("buildUserData: country from the phone number", () => {
  it("sends the phone's region when the shopper gave no country", () => {
    expect(userDataOf({ phone: "+44 20 7946 0958" }, {}, {}).country).toBe(h("gb"));
    expect(userDataOf({ phone: "+1 416 555 0199" }, {}, {}).country).toBe(h("ca"));
    expect(userDataOf({ phone: "+7 701 123 4567" }, {}, {}).country).toBe(h("kz"));
  });
  it("sends the phone's region when the shopper's country is unknown text, and reports nothing dropped", () => {
    const result = buildUserData({ phone: "+49 151 23456789", country: "Atlantis" }, {}, {});
    expect(result.userData.country).toBe(h("de"));
    expect(result.match.dropped).toEqual({});
  });
  it("never replaces the shopper's own country", () => {
    expect(userDataOf({ phone: "+44 20 7946 0958", country: "US" }, {}, {}).country).toBe(h("us"));
  });
  it("reads a national number's region as libphonenumber places it, also under the default country", () => {
    expect(userDataOf({ phone: "(650) 555-1212" }, {}, { defaultCountry: "US" }).country).toBe(h("us"));
    expect(userDataOf({ phone: "(416) 555-0199" }, {}, { defaultCountry: "US" }).country).toBe(h("ca"));
  });
  it("sends no country for a number without a region, or a phone that was dropped", () => {
    expect(userDataOf({ phone: "+800 1234 5678" }, {}, {}).country).toBeUndefined();
    expect(userDataOf({ phone: "12345" }, {}, { defaultCountry: "US" }).country).toBeUndefined();
    expect(userDataOf({ phone: h("p") }, {}, {}).country).toBeUndefined();
  });
  it("reads dates, states and ZIPs with the phone's region when there is no other country", () => {
    const shopper: Shopper = {
      phone: "+44 20 7946 0958",
      date_of_birth: "05/02/1997",
      zip: "NR9 5AL",
      state: "Norfolk",
    };
    expect(userDataOf(shopper, {}, {})).toMatchObject({ db: h("19970205"), zp: h("nr95al"), st: h("norfolk") });
    const american: Shopper = {
      phone: "+1 650 555 1212",
      date_of_birth: "05/02/1997",
      zip: "941031234",
      state: "Ontario",
    };
    const result = buildUserData(american, {}, {});
    // The phone's region is a guess: a province that is no US state is read as itself.
    expect(result.userData).toMatchObject({ db: h("19970502"), zp: h("94103"), st: h("on") });
    expect(result.match.dropped).toEqual({});
  });
});

describe("buildUserData: dates follow the country", () => {
  it("reads day first for the shopper's day-first country", () => {
    expect(userDataOf({ date_of_birth: "05/02/1997", country: "Germany" }, {}, { defaultCountry: "US" }).db).toBe(
      h("19970205"),
    );
  });
  it("reads month first for the shopper's month-first country", () => {
    expect(userDataOf({ date_of_birth: "05/02/1997", country: "PH" }, {}, { defaultCountry: "GB" }).db).toBe(
      h("19970502"),
    );
  });
  it("falls back to DEFAULT_COUNTRY before the phone's region", () => {
    expect(userDataOf({ date_of_birth: "05/02/1997", phone: "+1 650 555 1212" }, {}, { defaultCountry: "GB" }).db).toBe(
      h("19970205"),
    );
  });
  it("reads month first with no country at all (Meta's example)", () => {
    expect(userDataOf({ date_of_birth: "05/02/1997" }, {}, {}).db).toBe(h("19970502"));
  });
});

describe("buildUserData: the match report", () => {
  it("lists the sent keys in Meta's order", () => {
    const { match } = buildUserData(asShopper(webhook.shopper), asClient(webhook.context), { defaultCountry: "US" });
    expect(match.sent).toEqual([...USER_DATA_KEYS]);
    expect(USER_DATA_KEYS).toEqual([
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
    ]);
  });
  it("gives each given but dropped key its reason, and no value", () => {
    const shopper: Shopper = {
      email: "jane.doe@",
      phone: "07911 12345",
      first_name: "--",
      last_name: "4",
      gender: "other",
      date_of_birth: "1997-02-30",
      city: "75",
      state: "--",
      zip: "1",
      country: "Atlantis",
      customer_id: "c-1",
    };
    const client: Client = { ip: "192.168.1.20", user_agent: "UA", fbc: "fb.1.1.x.Ab", fbp: "nope" };
    const { userData, match } = buildUserData(shopper, client, { defaultCountry: "US", now: Date.UTC(2026, 10, 25) });
    expect(match).toEqual({
      sent: ["external_id", "client_user_agent"],
      dropped: {
        em: "not a valid email address",
        ph: "not a valid number for US",
        fn: "no letters",
        ln: "no letters",
        db: "not a calendar date",
        ge: "not f or m",
        ct: "no letters",
        st: "not a state of US",
        zp: "not a US ZIP code",
        country: "unknown country",
        client_ip_address: "not a public IP address",
        fbc: "malformed",
        fbp: "malformed",
      },
    });
    expect(Object.keys(userData)).toEqual(match.sent);
    const text = JSON.stringify(match);
    for (const value of ["jane", "07911", "1997", "Atlantis", "192.168", "nope"]) expect(text).not.toContain(value);
  });
  it("names the shopper's country in a phone reason, and the lack of one", () => {
    expect(buildUserData({ phone: "12345", country: "fr" }, {}, {}).match.dropped).toEqual({
      ph: "not a valid number for FR",
    });
    expect(buildUserData({ phone: "(650) 555-1212" }, {}, {}).match.dropped).toEqual({
      ph: "no calling code and no country",
    });
  });
  it("reports a future birth date", () => {
    const now = Date.UTC(2026, 10, 25);
    expect(buildUserData({ date_of_birth: "2027-01-01" }, {}, { now }).match.dropped).toEqual({ db: "future date" });
  });
  it("reports nothing for keys the webhook did not have", () => {
    expect(buildUserData({ email: "a@example.com" }, {}, {}).match).toEqual({ sent: ["em"], dropped: {} });
  });
});
