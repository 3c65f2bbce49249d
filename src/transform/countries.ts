/**
 * ISO 3166-1 countries by code and by name, for `normalizeCountry`: every name browsers
 * (`Intl.DisplayNames`, i.e. CLDR), Shopify and ISO 3166 produce, in English and the main
 * languages of Meta's markets, plus common short names ("Russia", "Vatican", "Burma").
 *
 * The names are generated at development time by scripts/generate-countries.mjs
 * (`npm run generate:countries`), which also says where each name comes from and which keys it
 * drops as ambiguous; countries.test.ts fails when the table and the generator's sources
 * disagree. The table holds every name key, CLDR's region names included (about 38 KiB gzipped):
 * it is public/data/country-names.json, a static asset, not part of the Worker's code, read once
 * per isolate outside this layer and handed in with {@link installCountryNames} (./dataTables).
 * So a lookup is one Map lookup after `countryKey`, and the Worker reads no `Intl.DisplayNames` at
 * runtime: reading the region names from ICU, as it did while the table was in the bundle and
 * each locale cost about 1 KiB there, took 30–40 ms of CPU in workerd for an isolate's first
 * country name (ICU loading its locales), more than the Workers Free plan's 10 ms a request.
 * Codes are read from the table too, so any country lookup needs it installed.
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
 * A key of Latin letters is written as it is. Another is written with 90 digits (DIGITS; "a" to "z" are 1 to 26) as "!", a base code
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
 * The generated table (public/data/country-names.json, less its `about`). Written by
 * scripts/generate-countries.mjs; installed once per isolate with {@link installCountryNames}.
 */
export interface CountryNames {
  /** One line per country: alpha-2 alpha-3 key… (every name key of the country, countryKey's keys as encodeKey writes them). */
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
  byName = undefined;
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

/** Encoded name key (`encodeKey(countryKey(name))`) -> alpha-2: every name key of the table, built from it on first use. */
let byName: Map<string, string> | undefined;

function nameMap(): Map<string, string> {
  if (byName === undefined) {
    byName = new Map();
    for (const line of countryNames().table) {
      const fields = line.split(" ");
      for (let i = 2; i < fields.length; i++) byName.set(fields[i]!, line.slice(0, 2));
    }
  }
  return byName;
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
  return nameMap().get(encodeKey(key));
}
