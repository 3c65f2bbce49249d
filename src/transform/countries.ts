/**
 * ISO 3166-1 countries by code and by name, for `normalizeCountry`: every name browsers
 * (`Intl.DisplayNames`, i.e. CLDR), Shopify and ISO 3166 produce, in English and the main
 * languages of Meta's markets, plus common short names ("Russia", "Vatican", "Burma").
 *
 * The names are generated at development time by scripts/generate-countries.mjs
 * (`npm run generate:countries`), which also says where each name comes from and which keys it
 * drops as ambiguous; countries.test.ts fails when the table and the generator's sources
 * disagree. Most of them are CLDR's, which the runtime already carries: `findNameKey` reads them
 * from `Intl.DisplayNames` (the DISPLAY_ constants at the bottom) one locale at a time, as far as a
 * name needs, so the table keeps only the names workerd's ICU and Node's do not give (the
 * generator checks that both build exactly its full table; test/countries.test.ts that the
 * workerd the tests run in gives the names the generator read). This keeps about 25 KiB gzipped
 * out of the table, for the CPU of reading a locale's region names the first time one is needed
 * in an isolate (about 250 `Intl.DisplayNames` lookups and ICU loading that locale; an English
 * name reads one locale, a name that is none reads them all; BENCHMARKS.md gives the figures in
 * workerd), and only when a country comes as a name (codes never read any). Each locale left out
 * of the DISPLAY_ locales would take about 1 KiB back into the table.
 *
 * The table itself (every country's codes, the names the region names do not give, and the keys
 * that are no name; about 13 KiB gzipped) is not part of the Worker's code either: it is
 * public/data/country-names.json, a static asset read once per isolate outside this layer and
 * handed in with {@link installCountryNames} (./dataTables). Codes are read from it too, so any
 * country lookup needs it installed.
 *
 * Names are stored as keys (`countryKey`), so "Trinidad & Tobago", "trinidad and tobago" and
 * "TRINIDAD-AND-TOBAGO" are one entry.
 *
 * @example
 * ```ts
 * findCountry("Hong Kong SAR China"); // "hk"
 * ```
 */

/** Letters NFKD does not split into a base letter and an accent, folded to what shoppers type instead. */
const FOLDED: Record<string, string> = {
  ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", ı: "i", ħ: "h", þ: "th", ς: "σ",
};

/**
 * Accents of Latin, Greek and Cyrillic letters, Hebrew points and Arabic vowel marks, hamza
 * and tatweel: all optional in how people write a name.
 */
const OPTIONAL_MARKS = /[\u0300-\u036f\u0591-\u05c7\u0640\u064b-\u065f\u0670]/g;

/**
 * The lookup key of a country name: compatibility-decomposed (NFKD: full-width and other
 * compatibility forms read as plain ones), lowercase, optional marks removed (see
 * OPTIONAL_MARKS), "&" read as "and", the words "St"/"Ste" read as "Saint"/"Sainte", the
 * word "the" dropped, and everything but letters (and the marks that are part of letters in
 * scripts such as Devanagari and Thai) removed; recomposed (NFC).
 *
 * @example
 * ```ts
 * countryKey("St. Kitts & Nevis");  // "saintkittsandnevis"
 * countryKey("Côte d’Ivoire");      // "cotedivoire"
 * countryKey("Gambia (The)");       // "gambia"
 * countryKey("Congo - Kinshasa");   // "congokinshasa"
 * countryKey("ＵＫ");                // "uk"
 * ```
 */
export function countryKey(text: string): string {
  const words = text
    .normalize("NFKD")
    .toLowerCase()
    .replace(OPTIONAL_MARKS, "")
    .replace(/[ßæœøłđðıħþς]/g, (letter) => FOLDED[letter]!)
    .replace(/&/g, " and ")
    .split(/[^\p{L}\p{M}]+/u);
  let key = "";
  for (const word of words) {
    if (word === "the") continue;
    key += word === "st" ? "saint" : word === "ste" ? "sainte" : word;
  }
  return key.normalize("NFC");
}

/**
 * How the table writes keys in ASCII (chosen when the table was part of the Worker's code, where
 * bundlers write any other character of a string as a 6-byte `\uXXXX` escape, about a fifth more
 * gzipped; kept in the JSON file: lookups compare encoded keys, so the table is never decoded).
 * A key of Latin letters is written as
 * it is. Another is written with 90 digits (DIGITS; "a" to "z" are 1 to 26) as "!", a base code
 * point in three digits, then one digit per character for its distance from the base, when all
 * its characters lie within 90 of a base (Cyrillic, Greek, Arabic, Hebrew, Thai, Devanagari, kana);
 * otherwise as "#" and three digits per character (Han, Hangul).
 */
const DIGITS = "0abcdefghijklmnopqrstuvwxyz123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-./:;<=>?@[]^_{|}~'";

/**
 * A key as the table writes it: the generator encodes the table's keys, `findCountry` the key it
 * looks up, so the table is never decoded.
 *
 * @example
 * ```ts
 * encodeKey("japan");  // "japan"
 * encodeKey("россия"); // "!0k]pnqqh5" (base U+0430, then one digit per letter)
 * ```
 */
export function encodeKey(key: string): string {
  if (/^[a-z]*$/.test(key)) return key;
  const points = [...key].map((char) => char.codePointAt(0)!);
  if (points.some((point) => point > 0xffff)) throw new Error(`countries: key outside the BMP: ${key}`);
  const digits3 = (n: number) => DIGITS[Math.floor(n / 8100)]! + DIGITS[Math.floor(n / 90) % 90]! + DIGITS[n % 90]!;
  const base = Math.min(...points) & ~15;
  if (Math.max(...points) - base < 90) return `!${digits3(base)}${points.map((point) => DIGITS[point - base]).join("")}`;
  return `#${points.map(digits3).join("")}`;
}

/**
 * The generated table (public/data/country-names.json, less its `about`): what the Worker cannot
 * derive from `Intl.DisplayNames`. Written by scripts/generate-countries.mjs; installed once per
 * isolate with {@link installCountryNames}.
 */
export interface CountryNames {
  /** Keys of the region names read that name no country here (ambiguous, code-like, or a form no source gives), space-separated. */
  notNames: string;
  /** One line per country: alpha-2 alpha-3 key… (countryKey's keys as encodeKey writes them; only those the region names do not give). */
  table: string[];
}

/** The isolate's table, once installed. */
let installed: CountryNames | undefined;

/**
 * Hands this module the country table, once per isolate before the first country is read:
 * ./dataTables `installDataTables` does it. Whatever was built from an earlier table is dropped.
 */
export function installCountryNames(names: CountryNames): void {
  installed = names;
  codes = undefined;
  tableNames = undefined;
  localeNames.clear();
}

/** The installed table; throws when none is: a caller that reads countries must load the data tables first. */
function countryNames(): CountryNames {
  if (installed === undefined) throw new Error("country names not installed: load the data tables first");
  return installed;
}

/** Alpha-2, alpha-3 (and "uk") -> alpha-2, built from the table on first use. */
let codes: Map<string, string> | undefined;

function codeMap(): Map<string, string> {
  if (codes === undefined) {
    codes = new Map([["uk", "gb"]]); // ISO 3166 reserves "UK" for the United Kingdom
    for (const line of countryNames().table) {
      codes.set(line.slice(0, 2), line.slice(0, 2));
      codes.set(line.slice(3, 6), line.slice(0, 2));
    }
  }
  return codes;
}

/** Where `buildNameMap` reads a region's name: `Intl.DisplayNames` in the Worker, a snapshot in the generator. */
export type RegionName = (locale: string, style: "long" | "short", code: string) => string | undefined;

/** Keys written in Latin letters; every other key is encoded (`encodeKey`), so the two never meet. */
const LATIN_KEY = /^[a-z]+$/;

/** Which keys a name map holds: Latin ones ("deutschland") or the others ("日本", "россия"). */
export type KeyScript = "latin" | "nonLatin";

/**
 * Encoded name key -> alpha-2, for the keys of one script: the region names `regionName` gives,
 * less `notNames` and less any key two countries share, then the table's own keys on top. It
 * reads each of `locales`' long names for every code of `table`, and of `differing` (as
 * `locale/style/CODE,CODE …`: the short names that differ from the long ones, and a regional
 * locale's names that differ from its language's) only the entries of those locales, so about
 * 5,000 names for the Latin keys and 3,000 for the others (`findNameKey` builds it one locale at
 * a time, without the table). scripts/generate-countries.mjs writes the table with only the keys this cannot
 * derive, and checks that the two maps together are its full table, with workerd's names and
 * with Node's.
 *
 * @example
 * ```ts
 * const names = buildNameMap({ script: "latin", table: "jp jpn", notNames: "", locales: "en", differing: "", regionName: intlRegionName() });
 * names.get("japan"); // "jp"
 * ```
 */
export function buildNameMap(input: {
  script: KeyScript;
  table: string;
  notNames: string;
  locales: string;
  differing: string;
  regionName: RegionName;
}): Map<string, string> {
  const lines = input.table.split("\n").filter((line) => line !== "");
  const skip = new Set(input.notNames.split(" "));
  const locales = input.locales.split(" ");
  const wanted = (key: string) => LATIN_KEY.test(key) === (input.script === "latin");
  const map = new Map<string, string>();
  const shared = new Set<string>();
  /** Many names recur across locales ("Japan" in nine of them): each is keyed once. */
  const keys = new Map<string, string>();
  const add = (name: string | undefined, code: string) => {
    if (name === undefined) return;
    let key = keys.get(name);
    if (key === undefined) keys.set(name, (key = encodeKey(countryKey(name))));
    if (key === "" || skip.has(key) || !wanted(key)) return;
    const known = map.get(key);
    if (known !== undefined && known !== code) shared.add(key);
    else map.set(key, code);
  };
  for (const locale of locales) {
    for (const line of lines) add(input.regionName(locale, "long", line.slice(0, 2).toUpperCase()), line.slice(0, 2));
  }
  for (const entry of input.differing.split(" ")) {
    const [locale, style, codes] = entry.split("/");
    if (codes === undefined || (style !== "long" && style !== "short")) continue;
    if (!locales.some((language) => locale === language || locale!.startsWith(`${language}-`))) continue;
    for (const code of codes.split(",")) add(input.regionName(locale!, style, code), code.toLowerCase());
  }
  for (const key of shared) map.delete(key);
  for (const line of lines) {
    const fields = line.split(" ");
    for (let i = 2; i < fields.length; i++) if (wanted(fields[i]!)) map.set(fields[i]!, line.slice(0, 2));
  }
  return map;
}

/** `Intl.DisplayNames` as `buildNameMap` reads it: no fallback, one formatter per locale and style. */
function intlRegionName(): RegionName {
  const formatters = new Map<string, Intl.DisplayNames>();
  return (locale, style, code) => {
    let display = formatters.get(`${locale} ${style}`);
    if (display === undefined) {
      display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
      formatters.set(`${locale} ${style}`, display);
    }
    return display.of(code);
  };
}

/** What findNameKey reads of the table on the first name looked up: its own name keys, its notNames, and its codes without keys. */
interface TableNames {
  /** Keys `Intl.DisplayNames` does not give alike -> alpha-2 (they win over the region names). */
  keys: Map<string, string>;
  notNames: Set<string>;
  /** The table's lines cut to their codes (`jp jpn`): a table for `buildNameMap` to read one locale's names by. */
  codes: string;
}
let tableNames: TableNames | undefined;
/** Per locale, its region names' keys -> alpha-2, read when a lookup first reaches that locale. */
const localeNames = new Map<string, Map<string, string>>();
/** One `Intl.DisplayNames` reader for the isolate (its formatters are kept per locale and style). */
let regionName: RegionName | undefined;

/**
 * The code `buildNameMap` would give an encoded name key (`encodeKey(countryKey(name))`), or
 * `undefined`, found reading as few locales as it takes: the table's own keys first (they win there
 * too), its notNames never, then the locales of the key's script one at a time, in their order, until
 * one has it. The first locale that has it is right: a key two countries share in the names the
 * generator read is either one of the table's own keys or in its notNames (scripts/generate-countries.mjs
 * `compactTable`), and countries.test.ts holds this to {@link wholeNameMap} for every key. Why not
 * build the whole map at once: each locale read costs its lookups, and a name is usually found in
 * the first few (an English name in one). In a fresh workerd isolate the first `Intl.DisplayNames`
 * costs about 15 ms by itself (ICU's start), each further locale about half a millisecond: the
 * first country name of an isolate still costs more than the Workers Free plan's 10 ms a request.
 *
 * @example
 * ```ts
 * findNameKey(encodeKey(countryKey("Deutschland"))); // "de" (read from "en", then "es", … "de")
 * ```
 */
export function findNameKey(key: string): string | undefined {
  tableNames ??= readTableNames();
  const own = tableNames.keys.get(key);
  if (own !== undefined) return own;
  if (tableNames.notNames.has(key)) return undefined;
  const script: KeyScript = LATIN_KEY.test(key) ? "latin" : "nonLatin";
  for (const locale of (script === "latin" ? DISPLAY_LATIN_LOCALES : DISPLAY_NON_LATIN_LOCALES).split(" ")) {
    let map = localeNames.get(locale);
    if (map === undefined) {
      regionName ??= intlRegionName();
      // Every code, none of the table's own keys: this locale's names alone.
      map = buildNameMap({
        script,
        table: tableNames.codes,
        notNames: "",
        locales: locale,
        differing: DISPLAY_DIFFERING,
        regionName,
      });
      localeNames.set(locale, map);
    }
    const code = map.get(key);
    if (code !== undefined) return code;
  }
  return undefined;
}

/**
 * The whole name map of a script at once, as `buildNameMap` builds it from this module's table and
 * locales: what {@link findNameKey} answers key by key (countries.test.ts holds the two together).
 */
export function wholeNameMap(script: KeyScript): Map<string, string> {
  const { table, notNames } = countryNames();
  return buildNameMap({
    script,
    table: table.join("\n"),
    notNames,
    locales: script === "latin" ? DISPLAY_LATIN_LOCALES : DISPLAY_NON_LATIN_LOCALES,
    differing: DISPLAY_DIFFERING,
    regionName: intlRegionName(),
  });
}

function readTableNames(): TableNames {
  const { table, notNames } = countryNames();
  const keys = new Map<string, string>();
  const codes: string[] = [];
  for (const line of table) {
    const fields = line.split(" ");
    codes.push(`${fields[0]} ${fields[1]}`);
    for (let i = 2; i < fields.length; i++) keys.set(fields[i]!, line.slice(0, 2));
  }
  return { keys, notNames: new Set(notNames.split(" ")), codes: codes.join("\n") };
}

/**
 * The lowercase ISO 3166-1 alpha-2 code for an alpha-2 or alpha-3 code ("UK" is GB) or a
 * country's name, or `undefined` when it names no country or a name is ambiguous. Two- and
 * three-letter text is read as a code first ("ST" is São Tomé, not "Saint"). Names: any case,
 * accents, punctuation and spaces ignored (see `countryKey`); CLDR's names in English and 30
 * other languages, ISO 3166's and Shopify's, short forms ("Czechia", "Macau"). Ambiguous names
 * give `undefined`, except the deliberate choices scripts/generate-countries.mjs lists
 * ("Congo" is CG, "Korea" is KR). Text that is no name as a whole but parts that each name the
 * same country ("Germany (DE)", "DE - Deutschland", "Japan / 日本") is that country; when a part
 * names none ("Korea (North)") or another one, the text is none.
 *
 * @example
 * ```ts
 * findCountry("US");                            // "us"
 * findCountry("deu");                           // "de"
 * findCountry("United Kingdom of Great Britain and Northern Ireland"); // "gb"
 * findCountry("Korea, Republic of");            // "kr"
 * findCountry("Congo (Kinshasa)");              // "cd"
 * findCountry("St. Kitts & Nevis");             // "kn"
 * findCountry("Deutschland");                   // "de"
 * findCountry("日本");                           // "jp"
 * findCountry("United Kingdom (UK)");           // "gb"
 * findCountry("Atlantis");                      // undefined
 * ```
 */
export function findCountry(text: string): string | undefined {
  const whole = findOne(text);
  if (whole !== undefined) return whole;
  const parts = text.split(/[()[\]/,|–—]|\s-\s/).filter((part) => countryKey(part) !== "");
  if (parts.length < 2) return undefined;
  const found = new Set(parts.map(findOne));
  return found.size === 1 ? [...found][0] : undefined;
}

/** A code or a name, as a whole. */
function findOne(text: string): string | undefined {
  const compact = text.normalize("NFKC").toLowerCase().replace(/[\s.\p{Cf}]/gu, "");
  if (/^[a-z]{2,3}$/.test(compact)) {
    const code = codeMap().get(compact);
    if (code !== undefined) return code;
  }
  const key = countryKey(text);
  if (key === "") return undefined;
  return findNameKey(encodeKey(key));
}

// BEGIN GENERATED by scripts/generate-countries.mjs: do not edit by hand
/** From CLDR 48.0 (Node 22.23.3), i18n-iso-countries 7.14.0, iso-3166 4.4.0, country-list 2.4.1, countries-list 3.4.1, workerd's region names (wrangler 4.164.0, scripts/countries-workerd-names.json). */
/** The locales whose `Intl.DisplayNames` long region names `buildNameMap` reads for every code, for Latin keys. */
const DISPLAY_LATIN_LOCALES = "en es pt fr de it nl pl tr sv da nb fi id ms vi fil ro cs hu";
/** The same for keys in other scripts. */
const DISPLAY_NON_LATIN_LOCALES = "ru uk ar he hi th ja ko zh-Hans zh-Hant el";
/** The other names it reads (locale/style/codes): those that differ from the names of the locales above. */
const DISPLAY_DIFFERING = "en/short/BA,CC,GB,HK,MO,PS,US es/short/GB,PS,US pt/short/MO,US fr/short/GB,US de/short/HK,PS nl/short/GB,US pl/short/GB,MO,PS tr/short/GB,MO,PS,US da/short/PS fi/short/GB,PS ru/short/GB,HK,MO,PS,US ar/short/HK,MO,PS he/short/HK,MO,PS,US hi/short/GB,HK,MO,PS,US id/short/US ms/short/PS,US th/short/HK,MO,PS,US vi/short/HK,US ja/short/HK,MO,PS,US ko/short/HK,KR,MO,PS zh-Hans/short/MO,PS zh-Hant/short/MO fil/short/US ro/short/US cs/short/GB el/short/GB,HK,MO,PS,US hu/short/MO,PS en-GB/long/BL,KN,LC,MF,PM,SH,UM,VC,VI en-AU/long/AG,GS,HM,KN,PM,SJ,ST,TC,TT,VC,WF en-CA/long/HM,KN,PS,VC es-419/long/AX,BA,CG,CI,GS,TL,UM es-419/short/GB pt-PT/long/AM,AX,BD,BH,BJ,BS,CC,CI,CW,CX,CZ,DM,EE,EH,FK,GL,GU,IR,KE,KI,KN,KW,KY,LI,LK,LV,MF,MG,MK,MS,MU,MW,NC,NU,PL,PS,RO,SI,SM,SX,TF,TJ,TK,TM,TT,UM,UZ,VI,VN,YE,YT,ZW fr-CA/long/AX,BV,BY,BZ,CC,CK,CX,FK,FO,HM,IM,KN,MF,MP,NF,PN,RE,SX,UM,VA,VE,VG,VI de-CH/long/CV,SB,TL zh-Hant-HK/long/AE,AG,AW,AZ,BA,BF,BJ,BL,BV,BW,BZ,CC,CR,DO,EC,ER,ET,GD,GE,GH,GM,GS,GT,GW,GY,HR,IM,KE,KM,KN,LA,LC,LR,LS,ML,MR,MT,MU,MV,MW,NE,NG,NR,PF,PG,PN,PS,QA,RW,SA,SB,SC,SI,SJ,SM,SO,SR,ST,SZ,TC,TF,TO,TT,TV,TZ,VC,VG,VI,VU,YE,YT,ZM,ZW";
// END GENERATED
