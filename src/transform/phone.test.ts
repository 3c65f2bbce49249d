import { describe, expect, it } from "vitest";
import { normalizePhone, type PhoneResult } from "./phone";

/** The E.164 digits of a result, or undefined when the number was dropped. */
const digits = (result: PhoneResult) => (result.ok ? result.value : undefined);
const ph = (raw: string, country?: string) => digits(normalizePhone(raw, country));

describe("normalizePhone: readings", () => {
  it("keeps an international number's calling code (canonical webhook)", () => {
    expect(ph("+1 (415) 555-0123")).toBe("14155550123");
  });
  it("adds the calling code of the given country (Meta's example)", () => {
    expect(ph("(650)555-1212", "US")).toBe("16505551212");
  });
  it("accepts the country in any case", () => {
    expect(ph("(650)555-1212", "us")).toBe("16505551212");
    expect(ph("(650)555-1212", " Us ")).toBe("16505551212");
  });
  it("drops the UK trunk zero of a national number", () => {
    expect(ph("020 7946 0958", "GB")).toBe("442079460958");
    expect(ph("07911 123456", "GB")).toBe("447911123456");
  });
  it("reads a 00 international prefix as +, with or without a country", () => {
    expect(ph("0044 20 7946 0958")).toBe("442079460958");
    expect(ph("00 44 20 7946 0958", "US")).toBe("442079460958");
  });
  it("reads the country's own international prefix (011 from the US)", () => {
    expect(ph("011 44 20 7946 0958", "US")).toBe("442079460958");
  });
  it("ignores the country when the number starts with +, also behind a bracket or tel:", () => {
    expect(ph("+44 20 7946 0958", "US")).toBe("442079460958");
    expect(ph("(+44) 20 7946 0958", "US")).toBe("442079460958");
    expect(ph("tel:+14155550123", "GB")).toBe("14155550123");
  });
  it("drops a bracketed trunk zero after the calling code", () => {
    expect(ph("+33 (0)6 12 34 56 78")).toBe("33612345678");
  });
  it("keeps Italy's leading zero, part of the number in E.164", () => {
    expect(ph("+39 06 1234 5678")).toBe("390612345678");
  });
  it("accepts a number that already carries the country's calling code", () => {
    expect(ph("16505551212", "US")).toBe("16505551212");
    expect(ph("442079460958", "GB")).toBe("442079460958");
  });
  it("reads 11-15 digits valid as an international number when the country does not fit", () => {
    expect(ph("16505551212", "GB")).toBe("16505551212");
    expect(ph("16505551212")).toBe("16505551212");
  });
  it("drops an extension", () => {
    expect(ph("+1 415 555 0123 ext. 45")).toBe("14155550123");
    expect(ph("+1-415-555-0123 x12")).toBe("14155550123");
  });
  it("handles other countries' national formats", () => {
    expect(ph("06 12 34 56 78", "FR")).toBe("33612345678");
    expect(ph("030 123456", "DE")).toBe("4930123456");
    expect(ph("138 1234 5678", "CN")).toBe("8613812345678");
    expect(ph("011 15 1234-5678", "AR")).toBe("5491112345678");
    expect(ph("090-1234-5678", "JP")).toBe("819012345678");
    expect(ph("0412 345 678", "AU")).toBe("61412345678");
  });
  it("reads the country as normalizeCountry does (alpha-3, English name)", () => {
    expect(ph("(650)555-1212", "USA")).toBe("16505551212");
    expect(ph("020 7946 0958", "United Kingdom")).toBe("442079460958");
  });
  it("removes invisible characters and odd spaces first", () => {
    expect(ph("\u200B+1\u00A0415\u2060 555 0123\uFEFF")).toBe("14155550123");
    expect(ph("020\u202F7946\u202F0958", "GB")).toBe("442079460958");
  });
});

describe("normalizePhone: full metadata decides the reading order", () => {
  // Each of these has a length the shopper's country allows (libphonenumber's min metadata
  // accepted them as national numbers), but no number range of that country holds it.
  it.each([
    ["DE", "14155550123", "14155550123"],
    ["BR", "14155550123", "14155550123"],
    ["IN", "12025550123", "12025550123"],
    ["ID", "16505551212", "16505551212"],
    ["CN", "33612345678", "33612345678"],
    ["BR", "61412345678", "61412345678"],
    ["GB", "14155550123", "14155550123"],
  ])("a shopper in %s writing %s without + is read as the international number", (country, raw, expected) => {
    expect(ph(raw, country)).toBe(expected);
  });
  it("refuses numbers of a valid length outside every range (full metadata)", () => {
    expect(ph("+49 1234 5678")).toBeUndefined();
    expect(ph("+86 100 1234 5678")).toBeUndefined();
    expect(ph("+55 11 1234 5678")).toBeUndefined();
  });
  it("keeps the shopper's country when both readings are valid", () => {
    // A German mobile written without its trunk zero is also a valid US number (+1 512…).
    expect(ph("15123456789", "DE")).toBe("4915123456789");
  });
});

describe("normalizePhone: Mexico's pre-2019 forms", () => {
  it.each([
    ["044 55 1234 5678", "MX"],
    ["045 55 1234 5678", "MX"],
    ["01 55 1234 5678", "MX"],
    ["1 55 1234 5678", "MX"],
    ["55 1234 5678", "MX"],
    ["+52 1 55 1234 5678", undefined],
    ["+52 55 1234 5678", undefined],
    ["52 1 55 1234 5678", undefined],
    ["0052 1 55 1234 5678", "US"],
  ])("%j (country %j) is today's +52 55 1234 5678", (raw, country) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: true, value: "525512345678", region: "mx" });
  });
  it("does not strip a prefix from another country's number", () => {
    expect(ph("+54 1 55 1234 5678")).toBeUndefined();
  });
  it("still refuses a Mexican number too short after the prefix", () => {
    expect(ph("044 55 1234 567", "MX")).toBeUndefined();
  });
});

describe("normalizePhone: region", () => {
  it.each([
    ["+1 650 555 1212", undefined, "us"],
    ["+1 416 555 0199", undefined, "ca"],
    ["+1 787 555 1234", undefined, "pr"],
    ["+44 20 7946 0958", undefined, "gb"],
    ["+7 999 123 4567", undefined, "ru"],
    ["+7 701 123 4567", undefined, "kz"],
    ["020 7946 0958", "GB", "gb"],
    ["4165550199", "US", "ca"],
    ["011 49 30 123456", "US", "de"],
  ])("%s (country %j) is in %s", (raw, country, region) => {
    const result = normalizePhone(raw, country);
    expect(result.ok && result.region).toBe(region);
  });
  it("has none for a non-geographic number", () => {
    expect(normalizePhone("+800 1234 5678")).toEqual({ ok: true, value: "80012345678", region: undefined });
  });
});

describe("normalizePhone: reasons", () => {
  it.each([
    ["too short", "555-0123", "US", "not a valid number for US"],
    ["five digits", "12345", "US", "not a valid number for US"],
    ["invalid US area code", "(123) 555-1212", "US", "not a valid number for US"],
    ["a country named in full", "12345", "United Kingdom", "not a valid number for GB"],
    ["letters", "+1 800 FLOWERS", undefined, "not a valid international number"],
    ["an invalid + number", "+44 12", "US", "not a valid international number"],
    ["no digits", "call me", "US", "not a phone number"],
    ["blank", "  ", "US", "not a phone number"],
    ["a bare plus", "+", undefined, "not a phone number"],
    ["a national number and no country", "(650)555-1212", undefined, "no calling code and no country"],
    ["a national number and an unknown country", "(650)555-1212", "Atlantis", "no calling code and no country"],
    ["a country without phone numbering (Antarctica)", "(650)555-1212", "AQ", "not a valid number for AQ"],
  ])("drops %s", (_why, raw, country, reason) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: false, reason });
  });
  it("never puts the number in a reason", () => {
    const result = normalizePhone("555-0123", "US");
    expect(JSON.stringify(result)).not.toContain("555");
  });
});
