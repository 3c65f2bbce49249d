/// <reference types="node" />
/**
 * countries.ts against its sources: every ISO code, every name Node's CLDR (`Intl.DisplayNames`,
 * what browsers show) gives in English and the languages of Meta's markets, every name of
 * i18n-iso-countries, iso-3166 and country-list, the names the issue reported, and the
 * deliberate choices for ambiguous names, read with the table public/data/country-names.json (the
 * unit project's setup installs it from disk, test/dataTablesFromDisk.ts). The last test checks
 * that the committed table (that file and countries.ts's generated part) is what
 * scripts/generate-countries.mjs makes from the installed sources now, so it cannot drift.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { checkGenerated } from "../../test/generatorCheck";
import { type CountryNames, countryKey, encodeKey, findCountry, installCountryNames } from "./countries";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const i18n = require("i18n-iso-countries") as {
  getAlpha2Codes(): Record<string, string>;
  alpha2ToAlpha3(code: string): string | undefined;
  registerLocale(data: unknown): void;
  getNames(lang: string, options: { select: "all" }): Record<string, string[]>;
  getAlpha2Code(name: string, lang: string): string | undefined;
};
const alpha2Codes = Object.keys(i18n.getAlpha2Codes());

/** The languages of Meta's main markets, as CLDR names them, with the regional forms that differ. */
const LOCALES = [
  "en",
  "en-GB",
  "en-AU",
  "en-CA",
  "en-IN",
  "es",
  "es-419",
  "es-MX",
  "pt",
  "pt-PT",
  "fr",
  "fr-CA",
  "de",
  "de-CH",
  "it",
  "nl",
  "pl",
  "tr",
  "sv",
  "da",
  "nb",
  "fi",
  "ru",
  "uk",
  "ar",
  "he",
  "hi",
  "id",
  "ms",
  "th",
  "vi",
  "ja",
  "ko",
  "zh-Hans",
  "zh-Hant",
  "zh-Hant-HK",
  "fil",
  "ro",
  "cs",
  "el",
  "hu",
];
const I18N_LANGUAGES = [
  "en",
  "es",
  "pt",
  "fr",
  "de",
  "it",
  "nl",
  "pl",
  "tr",
  "sv",
  "da",
  "nb",
  "no",
  "fi",
  "ru",
  "uk",
  "ar",
  "he",
  "hi",
  "id",
  "ms",
  "th",
  "vi",
  "ja",
  "ko",
  "zh",
  "ro",
  "cs",
  "el",
  "hu",
];

/**
 * Names a source gives for one country that resolve otherwise, and why. Keyed by the name, as a
 * shopper would type it: the answer cannot depend on which source or language it came from.
 */
const EXCEPTIONS: Record<string, { expected: string | undefined; why: string }> = {
  Congo: { expected: "cg", why: "deliberate: i18n-iso-countries lists it for CD too; ISO's short name 'Congo' is CG" },
  Kongo: { expected: undefined, why: "ambiguous: CG in Polish, Czech, Indonesian; CD in Norwegian and German" },
  "São Martinho": { expected: undefined, why: "ambiguous: i18n-iso-countries (pt) gives it for both MF and SX" },
  RU: { expected: "ru", why: "two letters are ISO codes only: Spanish 'RU' (Reino Unido) is Russia's code" },
  "R. U.": { expected: "ru", why: "two letters are ISO codes only (Spanish 'R. U.')" },
  AS: { expected: "as", why: "two letters are ISO codes only: Indonesian 'AS' (Amerika Serikat) is American Samoa's" },
  "A.S": { expected: "as", why: "two letters are ISO codes only (Malay 'A.S')" },
  "R.-U.": { expected: undefined, why: "two-letter name (French short form of Royaume-Uni)" },
  "É.-U.": { expected: undefined, why: "two-letter name (French short form of États-Unis)" },
  VK: { expected: undefined, why: "two-letter name (Dutch 'Verenigd Koninkrijk'), not a code" },
  VS: { expected: undefined, why: "two-letter name (Dutch 'Verenigde Staten'), not a code" },
  BK: { expected: undefined, why: "two-letter name (Turkish 'Birleşik Krallık'), not a code" },
  Áo: { expected: undefined, why: "two-letter name (Vietnamese for Austria; 'AO' is Angola)" },
  Úc: { expected: undefined, why: "two-letter name (Vietnamese for Australia)" },
  Bỉ: { expected: undefined, why: "two-letter name (Vietnamese for Belgium; 'BI' is Burundi)" },
  Mỹ: { expected: undefined, why: "two-letter name (Vietnamese for the US; 'MY' is Malaysia)" },
  Nga: { expected: "ng", why: "three letters are ISO codes first: Vietnamese 'Nga' (Russia) is Nigeria's NGA" },
};

function expectedFor(name: string, code: string): string | undefined {
  return name in EXCEPTIONS ? EXCEPTIONS[name]!.expected : code.toLowerCase();
}

describe("findCountry: ISO 3166-1 codes", () => {
  it("knows every alpha-2 and alpha-3 code i18n-iso-countries knows, in any case", () => {
    expect(alpha2Codes.length).toBeGreaterThanOrEqual(250); // 249 ISO 3166-1 codes and Kosovo's XK
    for (const alpha2 of alpha2Codes) {
      const alpha3 = i18n.alpha2ToAlpha3(alpha2)!;
      expect(findCountry(alpha2), alpha2).toBe(alpha2.toLowerCase());
      expect(findCountry(alpha2.toLowerCase()), alpha2).toBe(alpha2.toLowerCase());
      expect(findCountry(alpha3), alpha3).toBe(alpha2.toLowerCase());
      expect(findCountry(alpha3.toLowerCase()), alpha3).toBe(alpha2.toLowerCase());
    }
  });

  it("accepts no two-letter text but a code, and UK for GB", () => {
    const known = new Set(alpha2Codes.map((code) => code.toLowerCase()));
    const letters = "abcdefghijklmnopqrstuvwxyz";
    for (const a of letters) {
      for (const b of letters) {
        const code = a + b;
        expect(findCountry(code), code).toBe(code === "uk" ? "gb" : known.has(code) ? code : undefined);
      }
    }
  });

  it("reads codes written with dots, spaces, invisible characters or full-width letters", () => {
    expect(findCountry("U.S.A.")).toBe("us");
    expect(findCountry("U.S.")).toBe("us");
    expect(findCountry("U K")).toBe("gb");
    expect(findCountry("ＤＥＵ")).toBe("de");
    expect(findCountry("\u200bU\u200bS\ufeff")).toBe("us");
  });

  it("reads two and three letters as a code before a name ('ST' is São Tomé, not 'Saint')", () => {
    expect(findCountry("ST")).toBe("st");
    expect(findCountry("NGA")).toBe("ng");
  });

  it("accepts as three letters only alpha-3 codes and these names", () => {
    /** Every three-letter name key, with the language that writes it. */
    const NAMES: Record<string, string> = {
      abd: "us", // Turkish ABD
      cad: "td", // Czech Čad, Turkish Çad
      cin: "cn", // Turkish Çin
      drc: "cd", // English DRC
      duc: "de", // Vietnamese Đức
      eua: "us", // Portuguese EUA
      fas: "ma", // Turkish Fas
      ira: "ir", // Portuguese Irã
      ksa: "sa", // Kingdom of Saudi Arabia, as Gulf forms write it
      man: "im", // Norwegian Man (Isle of Man)
      oma: "om", // Portuguese Omã
      sec: "cz", // Vietnamese Séc
      sip: "cy", // Vietnamese Síp
      sua: "us", // Romanian SUA
      uae: "ae", // English UAE
    };
    const byAlpha3 = new Map(alpha2Codes.map((code) => [i18n.alpha2ToAlpha3(code)!.toLowerCase(), code.toLowerCase()]));
    const letters = "abcdefghijklmnopqrstuvwxyz";
    for (const a of letters) {
      for (const b of letters) {
        for (const c of letters) {
          const text = a + b + c;
          expect(findCountry(text), text).toBe(byAlpha3.get(text) ?? NAMES[text]);
        }
      }
    }
  });
});

describe("findCountry: names from the sources", () => {
  it("resolves every English CLDR name (what browsers show) to its country", () => {
    for (const style of ["long", "short"] as const) {
      const display = new Intl.DisplayNames(["en"], { type: "region", style });
      for (const code of alpha2Codes) {
        const name = display.of(code)!;
        expect(findCountry(name), `${style} ${code} ${name}`).toBe(expectedFor(name, code));
      }
    }
  });

  it.each(LOCALES)("resolves every CLDR name in %s to its country", (locale) => {
    expect(Intl.DisplayNames.supportedLocalesOf([locale])).toEqual([locale]);
    for (const style of ["long", "short"] as const) {
      const display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
      for (const code of alpha2Codes) {
        const name = display.of(code);
        if (name === undefined) continue;
        expect(findCountry(name), `${locale} ${style} ${code} ${name}`).toBe(expectedFor(name, code));
      }
    }
  });

  it.each(I18N_LANGUAGES)("resolves every i18n-iso-countries name and alias in %s to its country", (language) => {
    i18n.registerLocale(require(`i18n-iso-countries/langs/${language}.json`));
    for (const [code, names] of Object.entries(i18n.getNames(language, { select: "all" }))) {
      for (const name of names) expect(findCountry(name), `${language} ${code} ${name}`).toBe(expectedFor(name, code));
    }
  });

  it("lists no exception the sources no longer give", () => {
    const given = new Set<string>();
    for (const locale of LOCALES) {
      for (const style of ["long", "short"] as const) {
        const display = new Intl.DisplayNames([locale], { type: "region", style });
        for (const code of alpha2Codes) given.add(display.of(code)!);
      }
    }
    for (const language of I18N_LANGUAGES) {
      i18n.registerLocale(require(`i18n-iso-countries/langs/${language}.json`));
      for (const names of Object.values(i18n.getNames(language, { select: "all" })))
        for (const name of names) given.add(name);
    }
    expect(Object.keys(EXCEPTIONS).filter((name) => !given.has(name))).toEqual([]);
  });

  it("resolves every English name and alias as i18n-iso-countries does, but for the deliberate choices", () => {
    for (const names of Object.values(i18n.getNames("en", { select: "all" }))) {
      for (const name of names) {
        const theirs = i18n.getAlpha2Code(name, "en")?.toLowerCase();
        expect(findCountry(name), name).toBe(name in EXCEPTIONS ? EXCEPTIONS[name]!.expected : theirs);
      }
    }
  });

  it("resolves ISO 3166-1's short names, old and new style (iso-3166, country-list)", async () => {
    const { iso31661 } = (await import("iso-3166")) as { iso31661: { alpha2: string; name: string }[] };
    const countryList = require("country-list") as { getData(): { code: string; name: string }[] };
    for (const { alpha2, name } of iso31661) expect(findCountry(name), name).toBe(alpha2.toLowerCase());
    for (const { code, name } of countryList.getData()) expect(findCountry(name), name).toBe(code.toLowerCase());
  });

  it("resolves every country's English and native name in countries-list", () => {
    const { countries } = require("countries-list") as { countries: Record<string, { name: string; native: string }> };
    for (const [code, { name, native }] of Object.entries(countries)) {
      if (!alpha2Codes.includes(code)) continue; // AC and TA, which ISO files under SH (checked below)
      expect(findCountry(name), name).toBe(code.toLowerCase());
      expect(findCountry(native), native).toBe(code.toLowerCase());
    }
  });
});

describe("findCountry: names the issue reported, Shopify's and ISO's long forms", () => {
  it.each([
    ["United Kingdom of Great Britain and Northern Ireland", "gb"],
    ["United Kingdom of Great Britain and Northern Ireland (the)", "gb"],
    ["Korea, Republic of", "kr"],
    ["Republic of Korea", "kr"],
    ["Korea (the Democratic People's Republic of)", "kp"],
    ["Bolivia (Plurinational State of)", "bo"],
    ["Plurinational State of Bolivia", "bo"],
    ["Iran, Islamic Republic of", "ir"],
    ["Iran (Islamic Republic of)", "ir"],
    ["Venezuela, Bolivarian Republic of", "ve"],
    ["Tanzania, United Republic of", "tz"],
    ["United Republic of Tanzania", "tz"],
    ["Moldova, Republic of", "md"],
    ["Micronesia, Federated States of", "fm"],
    ["Congo, The Democratic Republic Of The", "cd"],
    ["Democratic Republic of the Congo", "cd"],
    ["Palestine, State of", "ps"],
    ["Palestinian Territory, Occupied", "ps"],
    ["Lao People's Democratic Republic", "la"],
    ["Syrian Arab Republic", "sy"],
    ["Russian Federation", "ru"],
    ["Viet Nam", "vn"],
    ["Holy See (Vatican City State)", "va"],
    ["Libyan Arab Jamahiriya", "ly"],
    ["Macedonia, the Former Yugoslav Republic of", "mk"],
    ["Virgin Islands, British", "vg"],
    ["Virgin Islands, U.S.", "vi"],
    ["Sint Maarten (Dutch part)", "sx"],
    ["Saint Martin (French part)", "mf"],
    ["Falkland Islands (Malvinas)", "fk"],
    ["Netherlands (Kingdom of the)", "nl"],
    ["Hong Kong SAR China", "hk"],
    ["Hong Kong SAR", "hk"],
    ["Hong Kong S.A.R.", "hk"],
    ["China, Hong Kong Special Administrative Region", "hk"],
    ["Macao SAR China", "mo"],
    ["Macao SAR", "mo"],
    ["Macau SAR", "mo"],
    ["China, Macao Special Administrative Region", "mo"],
    ["Trinidad & Tobago", "tt"],
    ["St. Kitts & Nevis", "kn"],
    ["St Kitts and Nevis", "kn"],
    ["Saint Kitts And Nevis", "kn"],
    ["St. Vincent & Grenadines", "vc"],
    ["Bosnia & Herzegovina", "ba"],
    ["Bosnia And Herzegovina", "ba"],
    ["São Tomé & Príncipe", "st"],
    ["Sao Tome and Principe", "st"],
    ["Heard & McDonald Islands", "hm"],
    ["Congo (Kinshasa)", "cd"],
    ["Congo - Kinshasa", "cd"],
    ["Congo-Kinshasa", "cd"],
    ["Congo (Brazzaville)", "cg"],
    ["Congo - Brazzaville", "cg"],
    ["Myanmar (Burma)", "mm"],
    ["Russia", "ru"],
    ["Vietnam", "vn"],
    ["Czechia", "cz"],
    ["Czech Republic", "cz"],
    ["Ivory Coast", "ci"],
    ["Côte d’Ivoire", "ci"],
    ["Vatican", "va"],
    ["Vatican City", "va"],
    ["Macau", "mo"],
    ["Burma", "mm"],
    ["Swaziland", "sz"],
    ["Eswatini", "sz"],
    ["Laos", "la"],
    ["Syria", "sy"],
    ["Moldova", "md"],
    ["Tanzania", "tz"],
    ["Micronesia", "fm"],
    ["Cape Verde", "cv"],
    ["Cabo Verde", "cv"],
    ["Türkiye", "tr"],
    ["Turkey", "tr"],
    ["North Macedonia", "mk"],
    ["East Timor", "tl"],
    ["Caribbean Netherlands", "bq"],
    ["U.S. Outlying Islands", "um"],
    ["Palestinian Territories", "ps"],
    ["Ascension Island", "sh"],
    ["Tristan da Cunha", "sh"],
    ["Republic of Cameroon", "cm"],
    ["Republic of Ireland", "ie"],
    ["Slovak Republic", "sk"],
    ["KSA", "sa"],
    ["Saudi", "sa"],
    ["Holland", "nl"],
    ["Great Britain", "gb"],
    ["England", "gb"],
    ["Scotland", "gb"],
    ["United States of America", "us"],
  ])("%s is %s", (name, expected) => {
    expect(findCountry(name)).toBe(expected);
  });

  it.each([
    ["Deutschland", "de"],
    ["España", "es"],
    ["Österreich", "at"],
    ["Schweiz", "ch"],
    ["Suisse", "ch"],
    ["Brasil", "br"],
    ["Polska", "pl"],
    ["Sverige", "se"],
    ["Norge", "no"],
    ["Danmark", "dk"],
    ["Suomi", "fi"],
    ["Éire", "ie"],
    ["Hrvatska", "hr"],
    ["Россия", "ru"],
    ["Україна", "ua"],
    ["Ελλάδα", "gr"],
    ["日本", "jp"],
    ["中国", "cn"],
    ["中國", "cn"],
    ["대한민국", "kr"],
    ["한국", "kr"],
    ["ประเทศไทย", "th"],
    ["भारत", "in"],
    ["مصر", "eg"],
    ["ישראל", "il"],
    ["Việt Nam", "vn"],
  ])("reads the native name %s as %s", (name, expected) => {
    expect(findCountry(name)).toBe(expected);
  });
});

describe("findCountry: a name with a code or another name beside it", () => {
  it.each([
    ["Germany (DE)", "de"],
    ["United Kingdom (UK)", "gb"],
    ["United States of America (USA)", "us"],
    ["DE - Germany", "de"],
    ["Deutschland / Germany", "de"],
    ["Japan / 日本", "jp"],
    ["Republic of Korea [South Korea]", "kr"],
    ["Korea, South", "kr"],
    ["Korea, North", "kp"],
    ["Korea (North)", "kp"],
    ["Africa, South", "za"],
  ])("%s is %s", (text, expected) => {
    expect(findCountry(text)).toBe(expected);
  });

  it.each([
    ["Korea (Atlantis)", "a part names no country: the other alone is not enough"],
    ["Germany (FR)", "the parts name two countries"],
    ["Austria / Australia", "the parts name two countries"],
    ["Guinea-Bissau-ish", "a dash inside a word does not split it"],
  ])("%s is none: %s", (text) => {
    expect(findCountry(text)).toBeUndefined();
  });
});

describe("findCountry: ambiguous names and deliberate choices", () => {
  /** Every name that two countries share in the sources, and what it resolves to, with the reason. */
  it.each([
    [
      "Congo",
      "cg",
      "ISO 3166-1's short name 'Congo' is CG's (CD is 'Congo, Democratic Republic of the'); the relay has always read it so",
    ],
    ["Korea", "kr", "the shopper is in South Korea: North Korea has no Meta ads market; ISO's forms give it to both"],
    ["America", "us", "the shopper's meaning (countries-list alias), though it also names two continents"],
    ["England", "gb", "the nations of the United Kingdom have no ISO 3166-1 code of their own"],
    [
      "Ascension Island",
      "sh",
      "ISO 3166-1 files it under SH (Shopify uses the reserved code AC, which Meta does not know)",
    ],
    ["Virgin Islands", undefined, "British (VG) or U.S. (VI)"],
    ["Jomfruøyene", undefined, "Norwegian: British (VG) or U.S. (VI)"],
    ["Виргинские острова", undefined, "Russian: British (VG) or U.S. (VI)"],
    ["Kongo", undefined, "CG in Polish, Czech and Indonesian, CD in Norwegian and German"],
    ["刚果", undefined, "Chinese: both Congos without their parenthesised capital"],
    ["剛果", undefined, "Chinese (traditional): both Congos"],
    ["São Martinho", undefined, "Portuguese: Saint Martin (MF) or Sint Maarten (SX)"],
    ["Svatý Martin", undefined, "Czech: MF or SX"],
    ["Άγιος Μαρτίνος", undefined, "Greek: MF or SX"],
    ["Kosovo", "xk", "XK is user-assigned, not ISO 3166-1, but the code the EU, Shopify and i18n-iso-countries use"],
    ["Netherlands Antilles", undefined, "dissolved in 2010 into CW, SX and BQ; Shopify still lists AN"],
  ] as [string, string | undefined, string][])("%s resolves to %s: %s", (name, expected) => {
    expect(findCountry(name)).toBe(expected);
  });

  it("keeps the other country's specific name", () => {
    expect(findCountry("Democratic Republic of the Congo")).toBe("cd");
    expect(findCountry("North Korea")).toBe("kp");
    expect(findCountry("British Virgin Islands")).toBe("vg");
    expect(findCountry("U.S. Virgin Islands")).toBe("vi");
    expect(findCountry("Sint Maarten")).toBe("sx");
    expect(findCountry("Saint-Martin")).toBe("mf");
  });
});

describe("the table against the region names (Node's Intl.DisplayNames), which the Worker no longer reads", () => {
  /** Key -> alpha-2, as public/data/country-names.json holds them. */
  const table = new Map<string, string>();
  for (const line of (require("../../public/data/country-names.json") as { table: string[] }).table)
    for (const key of line.split(" ").slice(2)) table.set(key, line.slice(0, 2));
  const alpha3s = new Map(alpha2Codes.map((code) => [i18n.alpha2ToAlpha3(code)!.toLowerCase(), code.toLowerCase()]));
  /** Region name keys of one country the table leaves out on purpose, and why. */
  const LEFT_OUT: Record<string, string> = {
    saomartinho: "Portuguese: i18n-iso-countries gives it for both MF and SX",
  };
  /** Two letters and another country's alpha-3 code are read as codes, never as names. */
  const codeLike = (key: string, code: string) =>
    /^[a-z]{2}$/.test(key) || (alpha3s.has(key) && alpha3s.get(key) !== code);

  it("has every key the region names give one country, as that country, and none they give two", () => {
    const given = new Map<string, Set<string>>();
    for (const locale of LOCALES)
      for (const style of ["long", "short"] as const) {
        const display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
        for (const code of alpha2Codes) {
          const name = display.of(code);
          if (name === undefined) continue;
          const key = encodeKey(countryKey(name));
          if (!given.has(key)) given.set(key, new Set());
          given.get(key)!.add(code.toLowerCase());
        }
      }
    expect(given.size).toBeGreaterThan(4500);
    const wrong: string[] = [];
    for (const [key, codes] of given) {
      const [code] = [...codes];
      const expected = codes.size > 1 || key in LEFT_OUT || codeLike(key, code!) ? undefined : code;
      if (table.get(key) !== expected) wrong.push(`${key}: ${[...codes].join(" ")} -> ${table.get(key)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("lists no left-out key the region names no longer give", () => {
    const given = new Set(
      LOCALES.flatMap((locale) =>
        alpha2Codes.map((code) => encodeKey(countryKey(new Intl.DisplayNames([locale], { type: "region" }).of(code)!))),
      ),
    );
    expect(Object.keys(LEFT_OUT).filter((key) => !given.has(key))).toEqual([]);
  });

  it("is read without Intl.DisplayNames: no ICU region names at runtime", () => {
    const spy = vi.spyOn(Intl, "DisplayNames");
    try {
      installCountryNames(require("../../public/data/country-names.json") as CountryNames);
      expect(findCountry("Deutschland")).toBe("de");
      expect(findCountry("日本")).toBe("jp");
      expect(findCountry("Atlantis")).toBeUndefined();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("countryKey", () => {
  it("ignores case, accents and punctuation", () => {
    expect(countryKey("CÔTE D'IVOIRE")).toBe(countryKey("cote divoire"));
    expect(countryKey("Guinea-Bissau")).toBe(countryKey("guinea bissau"));
    expect(countryKey("Åland Islands")).toBe("alandislands");
  });
  it("folds letters without a decomposition (ø, ł, ß, æ, dotless ı)", () => {
    expect(countryKey("Sør-Afrika")).toBe("sorafrika");
    expect(countryKey("Włochy")).toBe("wlochy");
    expect(countryKey("Großbritannien")).toBe("grossbritannien");
    expect(countryKey("Færøerne")).toBe("faeroerne");
    expect(countryKey("Kıbrıs")).toBe("kibris");
  });
  it('reads "&" as "and"', () => {
    expect(countryKey("Trinidad & Tobago")).toBe(countryKey("Trinidad and Tobago"));
  });
  it('reads the words "St" and "Ste" as "Saint" and "Sainte", not inside words', () => {
    expect(countryKey("St. Lucia")).toBe(countryKey("Saint Lucia"));
    expect(countryKey("St Lucia")).toBe(countryKey("Saint Lucia"));
    expect(countryKey("Ste-Lucie")).toBe(countryKey("Sainte-Lucie"));
    expect(countryKey("Estonia")).toBe("estonia");
  });
  it('drops the word "the", wherever it stands', () => {
    expect(countryKey("The Gambia")).toBe("gambia");
    expect(countryKey("Gambia, The")).toBe("gambia");
    expect(countryKey("Bahamas (the)")).toBe("bahamas");
    expect(countryKey("Netherlands")).toBe("netherlands");
  });
  it("reads parentheses and CLDR's dashes alike", () => {
    expect(countryKey("Congo (Kinshasa)")).toBe(countryKey("Congo - Kinshasa"));
  });
  it("ignores whitespace and invisible characters", () => {
    expect(countryKey("  United\u00a0States\u200b ")).toBe("unitedstates");
  });
  it("reads full-width and half-width forms as plain ones (NFKC)", () => {
    expect(countryKey("Ｊａｐａｎ")).toBe("japan");
    expect(countryKey("ｲｷﾞﾘｽ")).toBe("イギリス");
  });
  it("keeps non-Latin letters, lowercased, without spaces and punctuation", () => {
    expect(countryKey("Соединённые Штаты")).toBe("соединенныештаты");
    expect(countryKey("ΗΝΩΜΈΝΟ ΒΑΣΊΛΕΙΟ")).toBe("ηνωμενοβασιλειο");
    expect(countryKey("Ελλάς")).toBe("ελλασ");
    expect(countryKey("セントクリストファー・ネーヴィス")).toBe("セントクリストファーネーヴィス");
    expect(countryKey("المملكة المتحدة")).toBe("المملكةالمتحدة");
    expect(countryKey("संयुक्त राज्य")).toBe("संयुक्तराज्य");
    expect(countryKey("대한 민국")).toBe("대한민국");
  });
  it("drops optional Arabic and Hebrew marks (hamza, vowels, tatweel)", () => {
    expect(countryKey("الأردن")).toBe(countryKey("الاردن"));
    expect(countryKey("مـصـر")).toBe(countryKey("مصر"));
  });
});

describe("encodeKey", () => {
  it("writes Latin keys as they are", () => {
    expect(encodeKey("unitedkingdom")).toBe("unitedkingdom");
  });

  it("writes every other key of every CLDR name in plain ASCII a template literal keeps, one key to one code", () => {
    const seen = new Map<string, string>();
    for (const locale of LOCALES) {
      const display = new Intl.DisplayNames([locale], { type: "region" });
      for (const code of alpha2Codes) {
        const key = countryKey(display.of(code)!);
        const encoded = encodeKey(key);
        expect(encoded, key).toMatch(/^[!-~]+$/);
        expect(encoded, key).not.toMatch(/[`\\$]/);
        if (!/^[a-z]*$/.test(key)) expect(encoded, key).toMatch(/^[!#]/);
        expect(seen.get(encoded) ?? key, encoded).toBe(key);
        seen.set(encoded, key);
      }
    }
  });

  it("uses one digit a character when the key's letters lie close together, three otherwise", () => {
    expect(encodeKey("россия")).toHaveLength(4 + 6);
    expect(encodeKey("日本")).toHaveLength(1 + 2 * 3);
  });
});

describe("findCountry: text that names no country", () => {
  it.each(["", "  ", "Atlantis", "Neverland", "123", "-", "The", "Saint", "Republic of", "ZZ", "XYZ"])("%j", (text) => {
    expect(findCountry(text)).toBeUndefined();
  });
});

describe("the generated table", () => {
  const inputs = ["i18n-iso-countries", "iso-3166", "country-list", "countries-list"];
  const missing = inputs.filter((name) => {
    try {
      require.resolve(path.join(ROOT, "node_modules", name, "package.json"));
      return false;
    } catch {
      return true;
    }
  });
  it.skipIf(missing.length > 0)(
    `is what scripts/generate-countries.mjs makes from its sources now${missing.length > 0 ? ` (SKIPPED: ${missing.join(", ")} not installed; run npm ci)` : ""}`,
    () => {
      expect(() => checkGenerated("scripts/generate-countries.mjs")).not.toThrow();
    },
    30_000,
  );
});
