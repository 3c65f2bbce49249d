import { describe, expect, it } from "vitest";
import {
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizePhone,
  normalizeState,
  normalizeZip,
} from "./normalize";

describe("normalizeEmail", () => {
  it("trims and lowercases (Meta's example)", () => {
    expect(normalizeEmail(" John_Smith@gmail.com ")).toBe("john_smith@gmail.com");
  });
  it("normalizes the canonical webhook's email", () => {
    expect(normalizeEmail("  Jane.Doe@Example.COM ")).toBe("jane.doe@example.com");
  });
  it("keeps plus tags, dots, hyphens and subdomains", () => {
    expect(normalizeEmail("a.b+promo@mail.shop-example.co.uk")).toBe("a.b+promo@mail.shop-example.co.uk");
  });
  it("accepts internationalized domains and punycode TLDs", () => {
    expect(normalizeEmail("JOSÉ@Bücher.de")).toBe("josé@bücher.de");
    expect(normalizeEmail("a@example.xn--p1ai")).toBe("a@example.xn--p1ai");
  });
  it("puts text in NFC so composed and decomposed accents agree", () => {
    expect(normalizeEmail("jose\u0301@example.com")).toBe("jos\u00e9@example.com");
  });
  it.each([
    ["no @", "jane.example.com"],
    ["two @", "jane@doe@example.com"],
    ["empty local part", "@example.com"],
    ["no domain dot", "jane@localhost"],
    ["numeric TLD", "jane@example.123"],
    ["one-letter TLD", "jane@example.c"],
    ["space inside", "jane doe@example.com"],
    ["leading dot in local", ".jane@example.com"],
    ["trailing dot in local", "jane.@example.com"],
    ["double dot in local", "ja..ne@example.com"],
    ["empty domain label", "jane@example..com"],
    ["hyphen at label edge", "jane@-example.com"],
    ["quote", 'ja"ne@example.com'],
    ["empty", "   "],
  ])("rejects %s", (_why, raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });
  it("rejects over-long addresses (254 max, 64 local)", () => {
    expect(normalizeEmail(`${"a".repeat(65)}@example.com`)).toBeUndefined();
    const longDomain = `${Array.from({ length: 5 }, () => "b".repeat(60)).join(".")}.com`;
    expect(normalizeEmail(`a@${longDomain}`)).toBeUndefined();
    expect(normalizeEmail(`a@${"b".repeat(60)}.com`)).toBe(`a@${"b".repeat(60)}.com`);
  });
});

describe("normalizePhone", () => {
  it("keeps an international number's calling code (canonical webhook)", () => {
    expect(normalizePhone("+1 (415) 555-0123")).toBe("14155550123");
  });
  it("adds the calling code of the given country (Meta's example)", () => {
    expect(normalizePhone("(650)555-1212", "US")).toBe("16505551212");
  });
  it("accepts the country in any case", () => {
    expect(normalizePhone("(650)555-1212", "us")).toBe("16505551212");
    expect(normalizePhone("(650)555-1212", " Us ")).toBe("16505551212");
  });
  it("drops the UK trunk zero of a national number", () => {
    expect(normalizePhone("020 7946 0958", "GB")).toBe("442079460958");
    expect(normalizePhone("07911 123456", "GB")).toBe("447911123456");
  });
  it("reads a 00 international prefix as +, with or without a country", () => {
    expect(normalizePhone("0044 20 7946 0958")).toBe("442079460958");
    expect(normalizePhone("00 44 20 7946 0958", "US")).toBe("442079460958");
  });
  it("reads the country's own international prefix (011 from the US)", () => {
    expect(normalizePhone("011 44 20 7946 0958", "US")).toBe("442079460958");
  });
  it("ignores the country when the number starts with +", () => {
    expect(normalizePhone("+44 20 7946 0958", "US")).toBe("442079460958");
  });
  it("drops a bracketed trunk zero after the calling code", () => {
    expect(normalizePhone("+33 (0)6 12 34 56 78")).toBe("33612345678");
  });
  it("keeps Italy's leading zero, part of the number in E.164", () => {
    expect(normalizePhone("+39 06 1234 5678")).toBe("390612345678");
  });
  it("accepts a number that already carries the country's calling code", () => {
    expect(normalizePhone("16505551212", "US")).toBe("16505551212");
    expect(normalizePhone("442079460958", "GB")).toBe("442079460958");
  });
  it("reads 11-15 digits valid as an international number when the country does not fit", () => {
    expect(normalizePhone("16505551212", "GB")).toBe("16505551212");
    expect(normalizePhone("16505551212")).toBe("16505551212");
  });
  it("drops an extension", () => {
    expect(normalizePhone("+1 415 555 0123 ext. 45")).toBe("14155550123");
  });
  it("handles other countries' national formats", () => {
    expect(normalizePhone("06 12 34 56 78", "FR")).toBe("33612345678");
    expect(normalizePhone("030 123456", "DE")).toBe("4930123456");
    expect(normalizePhone("138 1234 5678", "CN")).toBe("8613812345678");
  });
  it("returns undefined for a national number without any country", () => {
    expect(normalizePhone("(650)555-1212")).toBeUndefined();
  });
  it("reads the country as normalizeCountry does (alpha-3, English name)", () => {
    expect(normalizePhone("(650)555-1212", "USA")).toBe("16505551212");
    expect(normalizePhone("020 7946 0958", "United Kingdom")).toBe("442079460958");
  });
  it("returns undefined for an unknown country instead of throwing", () => {
    expect(normalizePhone("(650)555-1212", "ZZ")).toBeUndefined();
    expect(normalizePhone("(650)555-1212", "Atlantis")).toBeUndefined();
  });
  it("returns undefined for a country without phone metadata (Antarctica)", () => {
    expect(normalizePhone("(650)555-1212", "AQ")).toBeUndefined();
  });
  it.each([
    ["too short", "555-0123", "US"],
    ["five digits", "12345", "US"],
    ["invalid US area code", "(123) 555-1212", "US"],
    ["letters", "+1 800 FLOWERS", undefined],
    ["no digits", "call me", "US"],
    ["empty", "  ", "US"],
    ["bare plus", "+", undefined],
  ])("rejects %s", (_why, raw, country) => {
    expect(normalizePhone(raw, country)).toBeUndefined();
  });
});

describe("normalizeName", () => {
  it("keeps accented letters, lowercased (Meta's example)", () => {
    expect(normalizeName("Valéry")).toBe("valéry");
  });
  it("removes apostrophes (Meta's example)", () => {
    expect(normalizeName("O'Connor")).toBe("oconnor");
    expect(normalizeName("O’Connor")).toBe("oconnor");
  });
  it("removes spaces and hyphens", () => {
    expect(normalizeName("Mary Ann")).toBe("maryann");
    expect(normalizeName("Jean-Luc")).toBe("jeanluc");
    expect(normalizeName("  Jane  ")).toBe("jane");
  });
  it("removes digits and symbols", () => {
    expect(normalizeName("John 3rd!")).toBe("johnrd");
  });
  it("composes to NFC", () => {
    expect(normalizeName("Vale\u0301ry")).toBe("val\u00e9ry");
  });
  it("keeps letters of other scripts and their combining marks", () => {
    expect(normalizeName("Мария")).toBe("мария");
    expect(normalizeName("李 小龍")).toBe("李小龍");
    expect(normalizeName("अनुराग")).toBe("अनुराग");
  });
  it("returns undefined when no letter is left", () => {
    expect(normalizeName(" - ")).toBeUndefined();
    expect(normalizeName("")).toBeUndefined();
    expect(normalizeName("123")).toBeUndefined();
  });
});

describe("normalizeGender", () => {
  it.each([
    ["Female", "f"], ["female", "f"], ["F", "f"], ["f", "f"], ["Woman", "f"], [" FEMALE ", "f"],
    ["Male", "m"], ["male", "m"], ["M", "m"], ["m", "m"], ["man", "m"], ["M.", "m"],
  ])("%j -> %s", (raw, expected) => {
    expect(normalizeGender(raw)).toBe(expected);
  });
  it.each(["other", "non-binary", "x", "", "fem", "unknown", "constructor", "__proto__"])(
    "%j -> undefined",
    (raw) => {
      expect(normalizeGender(raw)).toBeUndefined();
    },
  );
});

describe("normalizeDateOfBirth", () => {
  it("reads US MM/DD/YYYY (Meta's example)", () => {
    expect(normalizeDateOfBirth("02/16/1997")).toBe("19970216");
  });
  it("reads ISO dates, with or without a time", () => {
    expect(normalizeDateOfBirth("1990-02-14")).toBe("19900214");
    expect(normalizeDateOfBirth("1990-02-14T00:00:00Z")).toBe("19900214");
    expect(normalizeDateOfBirth("1990-02-14T23:30:00-05:00")).toBe("19900214");
    expect(normalizeDateOfBirth("1990-02-14 08:00")).toBe("19900214");
  });
  it("reads DD/MM/YYYY when the first part is over 12", () => {
    expect(normalizeDateOfBirth("16/02/1997")).toBe("19970216");
  });
  it("reads M/D/YYYY with one-digit parts and dashes", () => {
    expect(normalizeDateOfBirth("2/5/1997")).toBe("19970205");
    expect(normalizeDateOfBirth("02-16-1997")).toBe("19970216");
  });
  it("reads European DD.MM.YYYY", () => {
    expect(normalizeDateOfBirth("16.02.1997")).toBe("19970216");
    expect(normalizeDateOfBirth("05.02.1997")).toBe("19970205");
  });
  it("reads YYYY/MM/DD, YYYY.MM.DD and YYYYMMDD", () => {
    expect(normalizeDateOfBirth("1997/02/16")).toBe("19970216");
    expect(normalizeDateOfBirth("1997.2.16")).toBe("19970216");
    expect(normalizeDateOfBirth("19970216")).toBe("19970216");
  });
  it("trims", () => {
    expect(normalizeDateOfBirth(" 1990-02-14 ")).toBe("19900214");
  });
  it("reads English month names and abbreviations, month or day first", () => {
    expect(normalizeDateOfBirth("February 16, 1997")).toBe("19970216");
    expect(normalizeDateOfBirth("Feb 16 1997")).toBe("19970216");
    expect(normalizeDateOfBirth("feb. 16, 1997")).toBe("19970216");
    expect(normalizeDateOfBirth("Sept 3, 1997")).toBe("19970903");
    expect(normalizeDateOfBirth("16 February 1997")).toBe("19970216");
    expect(normalizeDateOfBirth("16th  Feb 1997")).toBe("19970216");
    expect(normalizeDateOfBirth("1 May 1997")).toBe("19970501");
  });
  it("rejects unknown month words and impossible named dates", () => {
    expect(normalizeDateOfBirth("Febtober 16, 1997")).toBeUndefined();
    expect(normalizeDateOfBirth("February 30, 1997")).toBeUndefined();
    expect(normalizeDateOfBirth("16 Février 1997")).toBeUndefined();
  });
  it("accepts 29 February in leap years only", () => {
    expect(normalizeDateOfBirth("2000-02-29")).toBe("20000229");
    expect(normalizeDateOfBirth("1900-02-29")).toBeUndefined();
    expect(normalizeDateOfBirth("02/29/2001")).toBeUndefined();
  });
  it.each([
    ["day 30 of February", "02/30/1997"],
    ["month 13 (both parts over 12)", "13/13/1997"],
    ["day 31 of April", "1997-04-31"],
    ["day 0", "1997-02-00"],
    ["month 0", "1997-00-10"],
    ["year before 1900", "1899-12-31"],
    ["year after 2100 without now", "2101-01-01"],
    ["two-digit year", "02/16/97"],
    ["words without a date", "my birthday"],
    ["empty", ""],
    ["garbage after the date", "1990-02-14x"],
  ])("rejects %s", (_why, raw) => {
    expect(normalizeDateOfBirth(raw)).toBeUndefined();
  });
  it("with now, rejects a date after that day (UTC) and accepts that day", () => {
    const now = Date.UTC(2026, 10, 25, 18, 0);
    expect(normalizeDateOfBirth("2026-11-26", now)).toBeUndefined();
    expect(normalizeDateOfBirth("2026-11-25", now)).toBe("20261125");
    expect(normalizeDateOfBirth("1990-02-14", now)).toBe("19900214");
  });
});

describe("normalizeCity", () => {
  it("removes spaces and punctuation (Meta's example)", () => {
    expect(normalizeCity("St. Louis")).toBe("stlouis");
  });
  it("lowercases and joins words", () => {
    expect(normalizeCity("San Francisco")).toBe("sanfrancisco");
    expect(normalizeCity("Winston-Salem")).toBe("winstonsalem");
  });
  it("keeps accented and non-Latin letters in NFC", () => {
    expect(normalizeCity("São Paulo")).toBe("são\u0070aulo");
    expect(normalizeCity("Sa\u0303o Paulo")).toBe("s\u00e3opaulo");
    expect(normalizeCity("Москва")).toBe("москва");
  });
  it("removes digits", () => {
    expect(normalizeCity("Paris 75")).toBe("paris");
  });
  it("returns undefined when no letter is left", () => {
    expect(normalizeCity("123")).toBeUndefined();
    expect(normalizeCity(" ")).toBeUndefined();
  });
});

describe("normalizeState", () => {
  it("maps a US state name to its code (Meta's example)", () => {
    expect(normalizeState("California")).toBe("ca");
  });
  it("lowercases a US code", () => {
    expect(normalizeState("CA")).toBe("ca");
    expect(normalizeState("ca", "US")).toBe("ca");
  });
  it("maps multi-word and punctuated names", () => {
    expect(normalizeState("new york")).toBe("ny");
    expect(normalizeState("  North  Carolina ", "us")).toBe("nc");
    expect(normalizeState("Washington, D.C.", "USA")).toBe("dc");
    expect(normalizeState("Puerto Rico", "United States")).toBe("pr");
  });
  it("maps Canadian provinces by English or French name", () => {
    expect(normalizeState("British Columbia")).toBe("bc");
    expect(normalizeState("Québec", "CA")).toBe("qc");
    expect(normalizeState("Quebec", "Canada")).toBe("qc");
    expect(normalizeState("Île-du-Prince-Édouard", "ca")).toBe("pe");
    expect(normalizeState("ON", "CA")).toBe("on");
  });
  it("returns undefined for text that is no state of the shopper's US or Canada", () => {
    expect(normalizeState("Narnia", "US")).toBeUndefined();
    expect(normalizeState("Ontario", "US")).toBeUndefined();
    expect(normalizeState("Texas", "CA")).toBeUndefined();
    expect(normalizeState("ZZ", "US")).toBeUndefined();
  });
  it("elsewhere lowercases and strips punctuation and spaces, keeping letters and digits", () => {
    expect(normalizeState("Île-de-France", "FR")).toBe("îledefrance");
    expect(normalizeState("NSW", "AU")).toBe("nsw");
    expect(normalizeState("Bayern", "DE")).toBe("bayern");
    expect(normalizeState("Z.H.", "CH")).toBe("zh");
  });
  it("does not map US names for another country (Georgia the country's regions)", () => {
    expect(normalizeState("Georgia", "GE")).toBe("georgia");
    expect(normalizeState("Georgia")).toBe("ga");
  });
  it("without a country, keeps unknown text in the non-US form", () => {
    expect(normalizeState("Bavaria")).toBe("bavaria");
  });
  it("returns undefined when nothing is left", () => {
    expect(normalizeState(" . ", "FR")).toBeUndefined();
    expect(normalizeState("")).toBeUndefined();
  });
});

describe("normalizeZip", () => {
  it("keeps the first 5 digits of a US ZIP+4 (Meta's example)", () => {
    expect(normalizeZip("94103-1234")).toBe("94103");
    expect(normalizeZip("94103-1234", "US")).toBe("94103");
    expect(normalizeZip("941031234", "us")).toBe("94103");
    expect(normalizeZip("94103 1234", "USA")).toBe("94103");
  });
  it("keeps a US ZIP's leading zero", () => {
    expect(normalizeZip("02134", "US")).toBe("02134");
  });
  it("lowercases and removes spaces in a UK postcode (Meta's example)", () => {
    expect(normalizeZip("NR9 5AL")).toBe("nr95al");
    expect(normalizeZip("NR9 5AL", "GB")).toBe("nr95al");
  });
  it("keeps all digits of other countries' codes, removing dashes", () => {
    expect(normalizeZip("100-0001", "JP")).toBe("1000001");
    expect(normalizeZip("01310-100", "BR")).toBe("01310100");
    expect(normalizeZip("K1A 0B1", "CA")).toBe("k1a0b1");
    expect(normalizeZip("75008", "FR")).toBe("75008");
  });
  it("does not cut a 9-digit code of a known non-US country", () => {
    expect(normalizeZip("123456789", "IR")).toBe("123456789");
  });
  it("rejects a US code of another shape", () => {
    expect(normalizeZip("9410", "US")).toBeUndefined();
    expect(normalizeZip("NR9 5AL", "US")).toBeUndefined();
    expect(normalizeZip("941031", "US")).toBeUndefined();
  });
  it("rejects codes shorter than 2 or longer than 10 characters", () => {
    expect(normalizeZip("1", "FR")).toBeUndefined();
    expect(normalizeZip("12345678901", "FR")).toBeUndefined();
    expect(normalizeZip(" - ")).toBeUndefined();
  });
});

describe("normalizeCountry", () => {
  it("maps English names (Meta's example)", () => {
    expect(normalizeCountry("United States")).toBe("us");
    expect(normalizeCountry("united kingdom")).toBe("gb");
    expect(normalizeCountry("Germany")).toBe("de");
  });
  it("lowercases alpha-2 codes", () => {
    expect(normalizeCountry("US")).toBe("us");
    expect(normalizeCountry(" gb ")).toBe("gb");
  });
  it("maps alpha-3 codes", () => {
    expect(normalizeCountry("USA")).toBe("us");
    expect(normalizeCountry("GBR")).toBe("gb");
    expect(normalizeCountry("deu")).toBe("de");
  });
  it("maps common aliases and abbreviations", () => {
    expect(normalizeCountry("UK")).toBe("gb");
    expect(normalizeCountry("U.S.A.")).toBe("us");
    expect(normalizeCountry("Great Britain")).toBe("gb");
    expect(normalizeCountry("South Korea")).toBe("kr");
    expect(normalizeCountry("Turkey")).toBe("tr");
    expect(normalizeCountry("Türkiye")).toBe("tr");
  });
  it("ignores accents and punctuation in names", () => {
    expect(normalizeCountry("Côte d'Ivoire")).toBe("ci");
    expect(normalizeCountry("Cote dIvoire")).toBe("ci");
  });
  it("maps a few native names", () => {
    expect(normalizeCountry("Deutschland")).toBe("de");
    expect(normalizeCountry("España")).toBe("es");
  });
  it("resolves plain 'Congo' to the Republic of the Congo", () => {
    expect(normalizeCountry("Congo")).toBe("cg");
    expect(normalizeCountry("Democratic Republic of the Congo")).toBe("cd");
  });
  it.each(["ZZ", "XYZ", "Atlantis", "", "U"])("rejects %j", (raw) => {
    expect(normalizeCountry(raw)).toBeUndefined();
  });
});

describe("normalizeExternalId", () => {
  it("trims", () => {
    expect(normalizeExternalId(" shopify:7712345 ")).toBe("shopify:7712345");
  });
  it("lowercases, as Meta's capi-param-builder does", () => {
    expect(normalizeExternalId("ABC-12345")).toBe("abc-12345");
  });
  it("removes inner whitespace and keeps punctuation", () => {
    expect(normalizeExternalId("cust 42 / a.b")).toBe("cust42/a.b");
  });
  it("returns undefined for blank input", () => {
    expect(normalizeExternalId("  ")).toBeUndefined();
  });
});
