import { describe, expect, it } from "vitest";
import {
  cleanText,
  countryCode,
  dropped,
  foldDigits,
  kept,
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeState,
  normalizeZip,
  US_ZIP_COUNTRIES,
} from "./normalize";

describe("cleanText", () => {
  it.each([
    ["zero-width space", "\u200B"],
    ["zero-width non-joiner", "\u200C"],
    ["zero-width joiner", "\u200D"],
    ["left-to-right mark", "\u200E"],
    ["right-to-left mark", "\u200F"],
    ["word joiner", "\u2060"],
    ["byte order mark", "\uFEFF"],
    ["soft hyphen", "\u00AD"],
    ["left-to-right isolate", "\u2066"],
    ["Arabic letter mark", "\u061C"],
  ])("removes a %s anywhere", (_name, char) => {
    expect(cleanText(`${char}Ja${char}ne${char}`)).toBe("Jane");
  });
  it.each([
    ["no-break space", "\u00A0"],
    ["narrow no-break space", "\u202F"],
    ["em space", "\u2003"],
    ["ideographic space", "\u3000"],
    ["line separator", "\u2028"],
  ])("reads a %s as a space, and trims it", (_name, char) => {
    expect(cleanText(`${char}Mary${char}Ann${char}`)).toBe("Mary Ann");
  });
  it("composes to NFC after removing what sat between a letter and its accent", () => {
    expect(cleanText("Vale\u200B\u0301ry")).toBe("Val\u00e9ry");
  });
  it("leaves printable ASCII as it is, trimmed", () => {
    expect(cleanText("  O'Connor-Smith, Jr.  ")).toBe("O'Connor-Smith, Jr.");
  });
  it("keeps letters of every script", () => {
    expect(cleanText(" Мария 李 ")).toBe("Мария 李");
  });
});

describe("kept and dropped", () => {
  it("build the two shapes of Normalized", () => {
    expect(kept("x")).toEqual({ ok: true, value: "x" });
    expect(dropped("why")).toEqual({ ok: false, reason: "why" });
  });
});

describe("invisible characters, for every key", () => {
  const zw = "\u200B";
  const bom = "\uFEFF";
  it.each([
    ["em", () => normalizeEmail(`${bom}jane.doe${zw}@example.com${zw}`), "jane.doe@example.com"],
    ["fn", () => normalizeName(`J${zw}ane\u00AD`), "jane"],
    ["ge", () => normalizeGender(`${zw}female`), "f"],
    ["ct", () => normalizeCity(`San\u00A0Fran${zw}cisco`), "sanfrancisco"],
    ["st (US name)", () => normalizeState(`New${zw} York`, "US"), "ny"],
    ["st (elsewhere)", () => normalizeState(`Bay${zw}ern`, "DE"), "bayern"],
    ["zp", () => normalizeZip(`9410${zw}3\u2060`, "US"), "94103"],
    ["country", () => normalizeCountry(`${bom}United\u00A0Kingdom`), "gb"],
    ["external_id", () => normalizeExternalId(`${zw}ABC\u00A0123${bom}`), "abc123"],
  ])("%s", (_key, run, expected) => {
    expect(run()).toEqual(kept(expected));
  });
});

describe("normalizeEmail", () => {
  it("trims and lowercases (Meta's example)", () => {
    expect(normalizeEmail(" John_Smith@gmail.com ")).toEqual(kept("john_smith@gmail.com"));
  });
  it("normalizes the canonical webhook's email", () => {
    expect(normalizeEmail("  Jane.Doe@Example.COM ")).toEqual(kept("jane.doe@example.com"));
  });
  it("keeps plus tags, dots, hyphens and subdomains", () => {
    expect(normalizeEmail("a.b+promo@mail.shop-example.co.uk")).toEqual(kept("a.b+promo@mail.shop-example.co.uk"));
  });
  it("accepts internationalized domains and punycode TLDs", () => {
    expect(normalizeEmail("JOSÉ@Bücher.de")).toEqual(kept("josé@bücher.de"));
    expect(normalizeEmail("a@example.xn--p1ai")).toEqual(kept("a@example.xn--p1ai"));
  });
  it("puts text in NFC so composed and decomposed accents agree", () => {
    expect(normalizeEmail("jose\u0301@example.com")).toEqual(kept("jos\u00e9@example.com"));
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
    expect(normalizeEmail(raw)).toEqual(dropped("not a valid email address"));
  });
  it.each([
    ["a quoted local part with a space", '"John Doe"@Example.com', '"john doe"@example.com'],
    ["a quoted local part with an @", '"a@b"@example.com', '"a@b"@example.com'],
    ["escaped quote and backslash", '"a\\"b\\\\c"@example.com', '"a\\"b\\\\c"@example.com'],
    ["an empty quoted local part", '""@example.com', '""@example.com'],
    ["non-ASCII in quotes (RFC 6531)", '"josé m"@example.com', '"josé m"@example.com'],
    ["an IPv4 address literal", "user@[192.0.2.1]", "user@[192.0.2.1]"],
    ["an IPv6 address literal", "User@[IPv6:2001:DB8::1]", "user@[ipv6:2001:db8::1]"],
  ])("accepts %s (RFC 5321), trimmed and lowercased as Meta says", (_why, raw, email) => {
    expect(normalizeEmail(` ${raw} `)).toEqual(kept(email));
  });
  it.each([
    ["an unterminated quote", '"john@example.com'],
    ["text after the closing quote", '"john"doe@example.com'],
    ["quoted and dotted parts mixed (RFC 5322's obsolete form)", '"john".doe@example.com'],
    ["a raw backslash at the end of the quotes", '"john\\"@example.com'],
    ["a control character in quotes", '"jo\u0007hn"@example.com'],
    ["an IPv4 literal out of range", "user@[256.1.1.1]"],
    ["an IPv4 literal with three parts", "user@[192.0.2]"],
    ["an IPv6 literal without its tag", "user@[2001:db8::1]"],
    ["a malformed IPv6 literal", "user@[IPv6:1::2::3]"],
    ["a general address literal", "user@[x-tag:abc]"],
  ])("rejects %s", (_why, raw) => {
    expect(normalizeEmail(raw)).toEqual(dropped("not a valid email address"));
  });
  it("bounds a quoted local part to 64 characters, quotes included, and the address to 254", () => {
    expect(normalizeEmail(`"${"a".repeat(62)}"@example.com`).ok).toBe(true);
    expect(normalizeEmail(`"${"a".repeat(63)}"@example.com`)).toEqual(dropped("not a valid email address"));
    const domain = `${Array.from({ length: 4 }, () => "b".repeat(60)).join(".")}.com`;
    expect(normalizeEmail(`"a"@${domain}`).ok).toBe(true);
    expect(normalizeEmail(`"${"a".repeat(10)}"@${domain}`)).toEqual(dropped("not a valid email address"));
  });
  it("rejects over-long addresses (254 max, 64 local)", () => {
    expect(normalizeEmail(`${"a".repeat(65)}@example.com`)).toEqual(dropped("not a valid email address"));
    const longDomain = `${Array.from({ length: 5 }, () => "b".repeat(60)).join(".")}.com`;
    expect(normalizeEmail(`a@${longDomain}`)).toEqual(dropped("not a valid email address"));
    expect(normalizeEmail(`a@${"b".repeat(60)}.com`)).toEqual(kept(`a@${"b".repeat(60)}.com`));
  });
});

describe("normalizeName", () => {
  it("keeps accented letters, lowercased (Meta's example)", () => {
    expect(normalizeName("Valéry")).toEqual(kept("valéry"));
  });
  it("removes apostrophes (Meta's example)", () => {
    expect(normalizeName("O'Connor")).toEqual(kept("oconnor"));
    expect(normalizeName("O’Connor")).toEqual(kept("oconnor"));
  });
  it("removes spaces and hyphens", () => {
    expect(normalizeName("Mary Ann")).toEqual(kept("maryann"));
    expect(normalizeName("Jean-Luc")).toEqual(kept("jeanluc"));
    expect(normalizeName("  Jane  ")).toEqual(kept("jane"));
  });
  it("removes digits and symbols", () => {
    expect(normalizeName("John 3rd!")).toEqual(kept("johnrd"));
  });
  it("composes to NFC", () => {
    expect(normalizeName("Vale\u0301ry")).toEqual(kept("val\u00e9ry"));
  });
  it("keeps letters of other scripts and their combining marks", () => {
    expect(normalizeName("Мария")).toEqual(kept("мария"));
    expect(normalizeName("李 小龍")).toEqual(kept("李小龍"));
    expect(normalizeName("अनुराग")).toEqual(kept("अनुराग"));
  });
  it("drops a name without letters", () => {
    for (const raw of [" - ", "", "123", "\u200B"]) expect(normalizeName(raw)).toEqual(dropped("no letters"));
  });
});

describe("normalizeGender", () => {
  it.each([
    ["Female", "f"],
    ["female", "f"],
    ["F", "f"],
    ["f", "f"],
    ["Woman", "f"],
    [" FEMALE ", "f"],
    ["Male", "m"],
    ["male", "m"],
    ["M", "m"],
    ["m", "m"],
    ["man", "m"],
    ["M.", "m"],
  ])("%j -> %s", (raw, expected) => {
    expect(normalizeGender(raw)).toEqual(kept(expected));
  });
  it.each(["other", "non-binary", "x", "", "fem", "unknown", "constructor", "__proto__"])("%j is dropped", (raw) => {
    expect(normalizeGender(raw)).toEqual(dropped("not f or m"));
  });
});

describe("normalizeCity", () => {
  it("removes spaces and punctuation (Meta's example)", () => {
    expect(normalizeCity("St. Louis")).toEqual(kept("stlouis"));
  });
  it("lowercases and joins words", () => {
    expect(normalizeCity("San Francisco")).toEqual(kept("sanfrancisco"));
    expect(normalizeCity("Winston-Salem")).toEqual(kept("winstonsalem"));
  });
  it("keeps accented and non-Latin letters in NFC", () => {
    expect(normalizeCity("São Paulo")).toEqual(kept("são\u0070aulo"));
    expect(normalizeCity("Sa\u0303o Paulo")).toEqual(kept("s\u00e3opaulo"));
    expect(normalizeCity("Москва")).toEqual(kept("москва"));
  });
  it("removes digits", () => {
    expect(normalizeCity("Paris 75")).toEqual(kept("paris"));
  });
  it("drops a city without letters", () => {
    expect(normalizeCity("123")).toEqual(dropped("no letters"));
    expect(normalizeCity(" ")).toEqual(dropped("no letters"));
  });
});

describe("normalizeState", () => {
  it("maps a US state name to its code (Meta's example)", () => {
    expect(normalizeState("California")).toEqual(kept("ca"));
  });
  it("lowercases a US code", () => {
    expect(normalizeState("CA")).toEqual(kept("ca"));
    expect(normalizeState("ca", "US")).toEqual(kept("ca"));
  });
  it("maps multi-word and punctuated names", () => {
    expect(normalizeState("new york")).toEqual(kept("ny"));
    expect(normalizeState("  North  Carolina ", "us")).toEqual(kept("nc"));
    expect(normalizeState("Washington, D.C.", "USA")).toEqual(kept("dc"));
    expect(normalizeState("Puerto Rico", "United States")).toEqual(kept("pr"));
  });
  it("maps Canadian provinces by English or French name", () => {
    expect(normalizeState("British Columbia")).toEqual(kept("bc"));
    expect(normalizeState("Québec", "CA")).toEqual(kept("qc"));
    expect(normalizeState("Quebec", "Canada")).toEqual(kept("qc"));
    expect(normalizeState("Île-du-Prince-Édouard", "ca")).toEqual(kept("pe"));
    expect(normalizeState("ON", "CA")).toEqual(kept("on"));
  });
  it("drops text that is no state of the shopper's US or Canada", () => {
    expect(normalizeState("Narnia", "US")).toEqual(dropped("not a state of US"));
    expect(normalizeState("Ontario", "US")).toEqual(dropped("not a state of US"));
    expect(normalizeState("Texas", "CA")).toEqual(dropped("not a province of CA"));
    expect(normalizeState("ZZ", "USA")).toEqual(dropped("not a state of US"));
  });
  it("elsewhere lowercases and strips punctuation and spaces, keeping letters and digits", () => {
    expect(normalizeState("Île-de-France", "FR")).toEqual(kept("îledefrance"));
    expect(normalizeState("NSW", "AU")).toEqual(kept("nsw"));
    expect(normalizeState("Bayern", "DE")).toEqual(kept("bayern"));
    expect(normalizeState("Z.H.", "CH")).toEqual(kept("zh"));
  });
  it("does not map US names for another country (Georgia the country's regions)", () => {
    expect(normalizeState("Georgia", "GE")).toEqual(kept("georgia"));
    expect(normalizeState("Georgia")).toEqual(kept("ga"));
  });
  it("without a country, keeps unknown text in the non-US form", () => {
    expect(normalizeState("Bavaria")).toEqual(kept("bavaria"));
  });
  it("drops a region without letters or digits", () => {
    expect(normalizeState(" . ", "FR")).toEqual(dropped("no letters or digits"));
    expect(normalizeState("")).toEqual(dropped("no letters or digits"));
  });
});

describe("normalizeZip", () => {
  it("keeps the first 5 digits of a US ZIP+4 (Meta's example)", () => {
    expect(normalizeZip("94103-1234")).toEqual(kept("94103"));
    expect(normalizeZip("94103-1234", "US")).toEqual(kept("94103"));
    expect(normalizeZip("941031234", "us")).toEqual(kept("94103"));
    expect(normalizeZip("94103 1234", "USA")).toEqual(kept("94103"));
  });
  it("keeps a US ZIP's leading zero", () => {
    expect(normalizeZip("02134", "US")).toEqual(kept("02134"));
  });
  it("lowercases and removes spaces in a UK postcode (Meta's example)", () => {
    expect(normalizeZip("NR9 5AL")).toEqual(kept("nr95al"));
    expect(normalizeZip("NR9 5AL", "GB")).toEqual(kept("nr95al"));
  });
  it("keeps all digits of other countries' codes, removing dashes", () => {
    expect(normalizeZip("100-0001", "JP")).toEqual(kept("1000001"));
    expect(normalizeZip("01310-100", "BR")).toEqual(kept("01310100"));
    expect(normalizeZip("K1A 0B1", "CA")).toEqual(kept("k1a0b1"));
    expect(normalizeZip("75008", "FR")).toEqual(kept("75008"));
  });
  it("does not cut a 9-digit code of a known non-US country", () => {
    expect(normalizeZip("123456789", "IR")).toEqual(kept("123456789"));
  });
  it("rejects a US code of another shape", () => {
    expect(normalizeZip("9410", "US")).toEqual(dropped("not a US ZIP code"));
    expect(normalizeZip("NR9 5AL", "US")).toEqual(dropped("not a US ZIP code"));
    expect(normalizeZip("941031", "US")).toEqual(dropped("not a US ZIP code"));
  });
  it("rejects codes shorter than 2 or longer than 10 characters", () => {
    expect(normalizeZip("1", "FR")).toEqual(dropped("not a postal code"));
    expect(normalizeZip("12345678901", "FR")).toEqual(dropped("not a postal code"));
    expect(normalizeZip(" - ")).toEqual(dropped("not a postal code"));
  });
  it("reads the country in any form, and applies no US rule for an unknown one", () => {
    expect(normalizeZip("941031234", "United States")).toEqual(kept("94103"));
    expect(normalizeZip("123456", "Atlantis")).toEqual(kept("123456"));
  });
});

describe("normalizeCountry", () => {
  it("maps English names (Meta's example)", () => {
    expect(normalizeCountry("United States")).toEqual(kept("us"));
    expect(normalizeCountry("united kingdom")).toEqual(kept("gb"));
    expect(normalizeCountry("Germany")).toEqual(kept("de"));
  });
  it("lowercases alpha-2 codes", () => {
    expect(normalizeCountry("US")).toEqual(kept("us"));
    expect(normalizeCountry(" gb ")).toEqual(kept("gb"));
  });
  it("maps alpha-3 codes", () => {
    expect(normalizeCountry("USA")).toEqual(kept("us"));
    expect(normalizeCountry("GBR")).toEqual(kept("gb"));
    expect(normalizeCountry("deu")).toEqual(kept("de"));
  });
  it("maps common aliases and abbreviations", () => {
    expect(normalizeCountry("UK")).toEqual(kept("gb"));
    expect(normalizeCountry("U.S.A.")).toEqual(kept("us"));
    expect(normalizeCountry("Great Britain")).toEqual(kept("gb"));
    expect(normalizeCountry("South Korea")).toEqual(kept("kr"));
    expect(normalizeCountry("Turkey")).toEqual(kept("tr"));
    expect(normalizeCountry("Türkiye")).toEqual(kept("tr"));
  });
  it("ignores accents and punctuation in names", () => {
    expect(normalizeCountry("Côte d'Ivoire")).toEqual(kept("ci"));
    expect(normalizeCountry("Cote dIvoire")).toEqual(kept("ci"));
  });
  it("maps a few native names", () => {
    expect(normalizeCountry("Deutschland")).toEqual(kept("de"));
    expect(normalizeCountry("España")).toEqual(kept("es"));
  });
  it("resolves plain 'Congo' to the Republic of the Congo", () => {
    expect(normalizeCountry("Congo")).toEqual(kept("cg"));
    expect(normalizeCountry("Democratic Republic of the Congo")).toEqual(kept("cd"));
  });
  it.each(["ZZ", "XYZ", "Atlantis", "", "U"])("rejects %j", (raw) => {
    expect(normalizeCountry(raw)).toEqual(dropped("unknown country"));
  });
});

describe("countryCode", () => {
  it("reads a country in any form normalizeCountry reads", () => {
    expect(countryCode("GBR")).toBe("gb");
    expect(countryCode(" united states ")).toBe("us");
  });
  it("is undefined for nothing and for unknown text", () => {
    expect(countryCode(undefined)).toBeUndefined();
    expect(countryCode("Atlantis")).toBeUndefined();
  });
});

describe("normalizeExternalId", () => {
  it("trims", () => {
    expect(normalizeExternalId(" shopify:7712345 ")).toEqual(kept("shopify:7712345"));
  });
  it("lowercases, as Meta's capi-param-builder does", () => {
    expect(normalizeExternalId("ABC-12345")).toEqual(kept("abc-12345"));
  });
  it("removes inner whitespace and keeps punctuation", () => {
    expect(normalizeExternalId("cust 42 / a.b")).toEqual(kept("cust42/a.b"));
  });
  it("drops blank input", () => {
    expect(normalizeExternalId("  ")).toEqual(dropped("blank"));
  });
  it("removes no-break spaces like other whitespace", () => {
    expect(normalizeExternalId("cust\u00A042\u3000x")).toEqual(kept("cust42x"));
  });
});

describe("foldDigits", () => {
  it.each([
    ["full-width digits", "０９０-１２３４-５６７８", "090-1234-5678"],
    ["a full-width plus and letters", "＋４４ ＮＲ９", "+44 NR9"],
    ["Arabic-Indic digits", "٠١٢٣٤٥٦٧٨٩", "0123456789"],
    ["Extended Arabic-Indic (Persian) digits", "۰۱۲۳۴۵۶۷۸۹", "0123456789"],
    ["Devanagari digits", "०१२३४५६७८९", "0123456789"],
    ["Bengali digits", "০১২৩৪৫৬৭৮৯", "0123456789"],
    ["Thai digits", "๐๑๒๓๔๕๖๗๘๙", "0123456789"],
    ["mathematical digits", "𝟎𝟗𝟘𝟡", "0909"],
    ["Myanmar Shan digits", "႐႑႒႓႔႕႖႗႘႙", "0123456789"],
    ["ASCII, unchanged", "+1 (650) 555-1212", "+1 (650) 555-1212"],
  ])("reads %s as ASCII", (_what, raw, folded) => {
    expect(foldDigits(raw)).toBe(folded);
  });
  it("reads every Unicode decimal digit as the ASCII digit of its value", () => {
    for (let point = 0x80; point <= 0x1fbff; point++) {
      const char = String.fromCodePoint(point);
      if (!/\p{Nd}/u.test(char)) continue;
      const folded = foldDigits(char);
      expect(folded, `U+${point.toString(16)}`).toMatch(/^[0-9]$/);
    }
    // Each script's digits run 0 to 9: the run's first is 0, the tenth 9.
    expect(foldDigits("\u0660\u0669\u06F0\u06F9\u0966\u096F\u{1E950}\u{1E959}")).toBe("09090909");
  });
});

describe("normalizeState: ISO 3166-2 codes and US territories", () => {
  it.each([
    ["US-CA", undefined, "ca"],
    ["us-ca", "US", "ca"],
    ["CA-ON", "CA", "on"],
    ["CA-QC", undefined, "qc"],
    ["DE-BY", "DE", "by"],
    ["GB-ENG", "GB", "eng"],
    ["US-PR", "PR", "pr"],
    ["Puerto Rico", "PR", "pr"],
    ["San Juan", "PR", "sanjuan"],
    ["ＣＡ", "US", "ca"],
  ])("reads %j in %s as %j", (raw, country, code) => {
    expect(normalizeState(raw, country)).toEqual(kept(code));
  });
  it("drops a subdivision of another country than the shopper's", () => {
    expect(normalizeState("US-CA", "CA")).toEqual(dropped("subdivision of another country"));
    expect(normalizeState("US-ZZ", "US")).toEqual(dropped("not a state of US"));
  });
  it("reads text that only looks like a code as a region name", () => {
    expect(normalizeState("ZZ-9", "FR")).toEqual(kept("zz9"));
  });
});

describe("normalizeZip: US territories and other scripts", () => {
  it.each(["us", "pr", "gu", "vi", "as", "mp", "um", "fm", "mh", "pw"])(
    "applies the first-5-digits rule in %s",
    (country) => {
      expect(US_ZIP_COUNTRIES.has(country)).toBe(true);
      expect(normalizeZip("00901-1234", country)).toEqual(kept("00901"));
      expect(normalizeZip("NR9 5AL", country)).toEqual(dropped("not a US ZIP code"));
    },
  );
  it("reads Puerto Rico by name, and digits of other scripts", () => {
    expect(normalizeZip("009011234", "Puerto Rico")).toEqual(kept("00901"));
    expect(normalizeZip("９４１０３-１２３４", "US")).toEqual(kept("94103"));
    expect(normalizeZip("١١٥١١", "EG")).toEqual(kept("11511"));
  });
});
