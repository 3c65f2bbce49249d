/**
 * ISO 3166-1 countries by code and by name, for `normalizeCountry`: every name browsers
 * (`Intl.DisplayNames`, i.e. CLDR), Shopify and ISO 3166 produce, in English and the main
 * languages of Meta's markets, plus common short names ("Russia", "Vatican", "Burma").
 *
 * The names are generated at development time by scripts/generate-countries.mjs
 * (`npm run generate:countries`), which also says where each name comes from and which keys it
 * drops as ambiguous; countries.test.ts fails when the table and the generator's sources
 * disagree. Most of them are CLDR's, which the runtime already carries: `findNameKey` reads them
 * from `Intl.DisplayNames` (the DISPLAY_ constants) one locale at a time, as far as a name needs, so
 * the table at the bottom keeps only the names workerd's ICU and Node's do not give (the
 * generator checks that both build exactly its full table; test/countries.test.ts that the
 * workerd the tests run in gives the names the generator read). This keeps about 25 KiB gzipped
 * out of the Worker, for the CPU of reading a locale's region names the first time one is needed
 * in an isolate (about 250 `Intl.DisplayNames` lookups and ICU loading that locale; an English
 * name reads one locale, a name that is none reads them all; BENCHMARKS.md gives the figures in
 * workerd), and only when a country comes as a name (codes never read any). Each locale left out
 * of the DISPLAY_ locales would take about 1 KiB back into the table.
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
 * How TABLE writes keys in ASCII (bundlers write any other character of a string as a 6-byte
 * `\uXXXX` escape, which costs about a fifth more gzipped). A key of Latin letters is written as
 * it is. Another is written with 90 digits (DIGITS; "a" to "z" are 1 to 26) as "!", a base code
 * point in three digits, then one digit per character for its distance from the base, when all
 * its characters lie within 90 of a base (Cyrillic, Greek, Arabic, Hebrew, Thai, Devanagari, kana);
 * otherwise as "#" and three digits per character (Han, Hangul).
 */
const DIGITS = "0abcdefghijklmnopqrstuvwxyz123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-./:;<=>?@[]^_{|}~'";

/**
 * A key as TABLE writes it: the generator encodes the table's keys, `findCountry` the key it
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

/** Alpha-2, alpha-3 (and "uk") -> alpha-2, built from TABLE on first use. */
let codes: Map<string, string> | undefined;

function codeMap(): Map<string, string> {
  if (codes === undefined) {
    codes = new Map([["uk", "gb"]]); // ISO 3166 reserves "UK" for the United Kingdom
    for (const line of TABLE.split("\n")) {
      if (line === "") continue;
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
 * a time, without the table). scripts/generate-countries.mjs writes TABLE with only the keys this cannot
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

/** What findNameKey reads of TABLE on the first name looked up: its own name keys, NOT_NAMES, and its codes without keys. */
interface TableNames {
  /** Keys `Intl.DisplayNames` does not give alike -> alpha-2 (they win over the region names). */
  keys: Map<string, string>;
  notNames: Set<string>;
  /** TABLE's lines cut to their codes (`jp jpn`): a table for `buildNameMap` to read one locale's names by. */
  codes: string;
}
let tableNames: TableNames | undefined;
/** Per locale, its region names' keys -> alpha-2, read when a lookup first reaches that locale. */
const localeNames = new Map<string, Map<string, string>>();
/** One `Intl.DisplayNames` reader for the isolate (its formatters are kept per locale and style). */
let regionName: RegionName | undefined;

/**
 * The code `buildNameMap` would give an encoded name key (`encodeKey(countryKey(name))`), or
 * `undefined`, found reading as few locales as it takes: TABLE's own keys first (they win there
 * too), NOT_NAMES never, then the locales of the key's script one at a time, in their order, until
 * one has it. The first locale that has it is right: a key two countries share in the names the
 * generator read is either one of TABLE's own keys or in NOT_NAMES (scripts/generate-countries.mjs
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
      // Every code, none of TABLE's own keys: this locale's names alone.
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
  return buildNameMap({
    script,
    table: TABLE,
    notNames: NOT_NAMES,
    locales: script === "latin" ? DISPLAY_LATIN_LOCALES : DISPLAY_NON_LATIN_LOCALES,
    differing: DISPLAY_DIFFERING,
    regionName: intlRegionName(),
  });
}

function readTableNames(): TableNames {
  const keys = new Map<string, string>();
  const codes: string[] = [];
  for (const line of TABLE.split("\n")) {
    if (line === "") continue;
    const fields = line.split(" ");
    codes.push(`${fields[0]} ${fields[1]}`);
    for (let i = 2; i < fields.length; i++) keys.set(fields[i]!, line.slice(0, 2));
  }
  return { keys, notNames: new Set(NOT_NAMES.split(" ")), codes: codes.join("\n") };
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
/** Keys of those names that name no country here (ambiguous, code-like, or a form no source gives). */
const NOT_NAMES = "!0D:H7V.%aOM5JB<a&Byt<JQGBOG7OBDQyOG !0jImgsoivojkamtmgsoilakbimas !0k]tnkjkemdq2jCl0k2bCmq2jCnqrpnbh !0k]tnkjkemdqjhel0k2bhmqjhenb0 !0pM0iitewlpc0iinleeipq !0qClrq7E9AgColrqBgA7GCgs !0ySHY/uO.b7C=R%GUK(Vg2Y=O!UK!O=R#E!U #aM[aMBaN4aMHaNkaNuaM+d9zb_CaN0aNmaM?aN4aM,aMRd9zb_C #c;+bPubPWdcfb^Bd?vb[]dajd09csudcfb^B #c;+bPuduXdcfb_Cd=jcS|c}Hc{#csudcfb_C #f!.fQ_e.xe%Ef3reZ4e>MfareQ2fmWeH4eZ4 ao as bi bk eu falklandadalarimalvinasadalari falklandeilandenislasmalvinas falklandinsaaretmalvinassaaret falklandinselnmalwinen falklandislandsislasmalvinas falklandskeostrovymalviny falklandsoerneislasmalvinas falklandsoyeneislasmalvinas falklandszigetekmalvinszigetek falklandymalwiny gb ilesfalklandmalouines ilesmalouinesilesfalkland ilhasfalklandmalvinas ilhasmalvinasilhasfalkland insulelefalklandinsulelemalvine islasmalvinasislasfalkland isolefalklandisolemalvine kepulauanfalklandislasmalvinas kongo my nga quandaofalklandislasmalvinas ru saomartinho uc uk us vk vs";
/** Line: alpha-2 alpha-3 key… (countryKey's keys as encodeKey writes them; only those the region names do not give). */
const TABLE = `
ad and vorstendomandorra !0jIamdoqqa !0ySeb7;M!
ae are emirates forenedearabiskeemirater uae !0k]naAdm0mC0p0aq2jCelCp0rh !0pM0igecd0nixeiez !0qCoEAigAgBgqgjgAyqhGigABjmoi #d)7debdRy #fuje.ifvYe_Ye>lfX8fwbf)c
af afg #0ag0al0am0g+0au0at0ao0ay0az0au0at islamitischemiraatafghanistan owganystan !0ySeHw!E#U=A!E
ag atg !0qCgCjGzEgEhgqhEog !0ySob5%w&ftMI!MI(7! #funfY0eHzfuje_~e'beW<
ai aia !0pM0pbild !0ySebw=R#O! #fu5eJOe-]
al alb republiekalbanie shqiperi shqiperia
am arm republiekarmenie !0ozpaua35av !0ySeM=K-E#L!
ao ago republiekangola !0jIamcjoka
aq ata antarktyka !0qCgA8gqigA8whGigAlCEhGi !0ySeb5!M=5#u! #funfR,fY0fLv
ar arg argentijnserepubliek !0ySeM=2-b5#E!
as asm !0ySeK-M#u!EU!K;f #aM4aNcaNlaMDd.UaMNaNdaM4
at aut republiekoostenrijk !0ySfU=5=M#L!
au aus gemenebestvanaustralie !0ySfU=5=M-O#L! #f+4f5!
aw abw !0ySeM&I! !02EeM(I!
ax ala alandsoerne !0jImgsoiykamt !0k]0k0mdqjhenqrpnb0 !0qClrqgEAgCo !0y,a8UsZqvZBMzE4OF #b:ybPW
az aze #0ag0a60fZ0ax0ah0ag0a50ai0ag0at republiekazerbeidzjan !0ySe2MI-2!E
ba bih bosnaihercegovina bosnieherzegovina !0jIbosmiajaieqfecobimg !0k]anqm0huepvecnbhm0 !0y,2XEZxL5KF6ZlTgXBLxK #cD%ea)
bb brb !0jIlpaqlpamtos !0qChgqhgoEs !0y|l4pJl4aHx
bd bgd volksrepubliekbangladesh !01bI!bO!C-S
be bel koninkrijkbelgie
bf bfa burkibaafaaso !0y,2N6ZeLxK1KEX
bg bgr republiekbulgarije !0k]azkc0ph5 !0y,28ZgK6L5K
bh bhr koninkrijkbahrein
bi bdi republiekburundi uburundi
bj ben republiekbenin !0y|l4h5h
bl blm sfantulbartolomeu !0qCsgChgqjGABG
bm bmu !0k]aeplsd1 !0y|lpJn8a4
bn brn negarabruneidarussalam !0jIsouktamatotoulpqoumei !0k]apsmehd0psqq0k0l !0ySI=M&E-h #aM]aNmaM/aM6aMYaNmaMNaNkaN4aNb
bo bol boliviaplurinationalstateof plurinationalestaatbolivia plurinationalstateofbolivia !0y|lHr5u5o4 #aM~aNlaM?aM4b/EcB9csRb)D
bq bes bonaire bonairesainteustacheetsaba bonairesainteustatiusochsaba bonairesaneustaquioysaba bonairesinteustatiusandsaba bonairesinteustatiusensaba bonairesinteustatiusisaba bonairesinteustatiusjasaba bonairesinteustatiusvasaba bonairesvatyeustachasaba isolebes karayiphollanda karibihollandia nederlandskeantiller !0jIlpomaiqacioseustahiosjaisalpa !0qCgAlrqgA9gqGhGigADEACoGi !0D:(z&y9<kQyw<%JQGwOwQJUGkOzO #aM~aM/aN4aNmaMPaNuaM*aNhaN4aMRaMXaM(aM5aM8aMRaL6aMdaL/aMNaM< #dm{bPWbTbbTQcA%bU( #e}GeR>e=Kfn2fX8fzAfmWfR,fY0fynfmWfhde_~
br bra federalerepubliekbrazilie !0y,2Z6KlM8
bs bhs gemenebestvandebahamas !0qChgDgBgs
bt btn koninkrijkbhutan #0g,0ah0ax0a10am0a50a10ar #0H(0HU0IW0H|0HA
bv bvt kepulauanbouvet !0jIlpoube !0k]nqrpnbasbe !0pM0iiaead !0ySI!iR-5 !0D:%aOMzV%Du
bw bwa republiekbotswana !0pMaevee0pd !0y|lHdJxu4h4
by blr belarusia beyazrusya feheroroszorszag hviderusland hviterussland republiekwitrusland witrusland !0qCqEsGggAhGvga !0y|lDr4p7x
bz blz !0y,2T8LlT
ca can
cc cck cocosadalari ilhascocos ilhasdoscocos insulelecocos islascocoskeeling isolecocos isolecocosekeeling keelingislandscocos kepulauancocos kokuszszigetek kookossaaret quandaococos !0jImgsiajojos !0jImgsoijojos !0k]jnjnqnb1enqrpnb0 !0k]jnjnqnbCnqrpnbh !0pM0iiweweq !0qClrq9E9Es !0ySu;u;Uu%O#bwC=R%G !0y,eXeXEvZBMz !0y,eXeXEvZBMzE4OF !0D:H7V.%aOM(d(dG #aMLaMLaMRd9zb_C #c<JbPucsudcfb_C #c<Jc<Jcsudcfb^B #c<Jc<Jcsudcfb_C
cd cod conghoadanchuconggo congodemocraticrepublicof congorepublicademocraticadel democraticrepublicofcongo democratischerepubliekcongo demokratickarepublikakongo demokratiskarepublikenkongo demokratiskerepublikcongo ditungawakongu drc drcongo kongoidemokratikuskoztarsasag repubblicademocraticadelcongo republicapopulardocongo republikdemokratikkongo republikiyakongodemokratiki republiquedemocratiqueducongo !0jIkaijgdglojqatiatoujomcjo !0k]delnjp0rhweqj05peqosakhj0jnmcn !0k]delnjp0rhwm0peqosakCj0jnmcn !0qClBDEqGigA9ECzEgAoGB8qgwGi !0ySu!bw;O;uA!E=A=M#uw9M!2=L #aMLaNuaMMcB9bGLbPXbYIb)D #fN}eF(e_%f5!eF}f+WeH1
cf caf afrikatengah kodorosesetibeafrika !0k]v0p !0pMdxtealiwdylnxkf0txiwd !0ySU-b5=MOeH=M%u!w9AbA=M #bG7d,O #f5^fu5fujf&]e>lfLv
cg cog conggo kongoikoztarsasag repubblicadelcongo republicademocraticadocongo republicofcongo republiekcongo republikkongo republiqueducongo !0jIdglojqatiatoujomcjo !0jIjomcjo !0k]jnmcn !0k]peqosakhj0jnmcn !0qClBDEqGigA9ECzE !0ySu!bw; #aMLaNuaMMbPXbYIb)D #fN}eF(
ch che zwitsersebondsstaat !0ySU=R#5=2MO.b7
ci civ elfenbeinkuste fildisisahili ivorycoast pantaigading republiekivoorkust wybrzezekoscisloniowej !0k]jnrdCbs0p !0ySfgRM%u;U=5 !0D:*JDJ9R.(dGu<
ck cok !0k]nqrpnb0jsj0 !0y,eNevZBMz
cl chl republiekchili
cm cmr republicofcameroon republiekkameroen
cn chn peoplesrepublicofchina volksrepubliekchina !0k]jmp !0k]jmpjhr0hqj05m0pndm05peqosakhj0 #bG7doybH_cB9bPXbYIb)D
co col republiekcolombia
cr cri republiekcostarica
cu cub republiekcuba
cv cpv republiekkaapverdie !0jIdglojqatiatoupqasimouajqytgqiou !0y,eTzB6ZvT
cw cuw !0y,eN6KeKc !02UeN6KeKc #fQMe-]fjM
cx cxr ilhadenatal isoladelnatale juloen kersteiland !0k]nqrpnbpnfdeqrb0 !0pMd0ikxiqhnq !0qClrGqiyGogABGAgo
cy cyp guneykibrisrumkesimi republiekcyprus !0ozokz6x3 #fhdf14f&]e/nfmW
cz cze cekcumhuriyeti ceskarepublika conghoasec czechrepublic repubblicaceca republicacheca republikceko republiquetcheque tschechischerepublik tsjechischerepubliek !0jItsewijgdglojqatia !0qClBDEqGigAjtG9 !0y,jTe !0D:GOxO9s9Np%j-a #fGxfN(eF}f+WeH1
de deu bondsrepubliekduitsland
dj dji republiekdjibouti !0y,lL2VtM
dk dnk koninkrijkdenemarken !0qCgAoCBgq9 !0y,qUx4K6Ze
dm dma dominikaikozosseg gemenebestdominica !0jIjoimopokiteiatgsdolimijas !0y,qX4LxLe #eZ4e_YeWMfLvfwbe{s
do dom dominikanskerepublik !0yS7;K#E#uw9AbA=M #b/Ec^'b]6bTb
dz dza democratischevolksrepubliekalgerije
ec ecu republiekecuador !0jIejouadoq
ee est eesti republiekestland !0ySoU=A;E#L!
eg egy arabischerepubliekegypte
eh esh batisahara !0k]q0dp #d)7cj'bJucpfbZncj'cB9bGLbPXbYIb)D
er eri staateritrea !0jIjqatostgsequhqaias !0ySoM#5=M-L! #0Rb0P#0QJ0PZ #fvYe>lfX8e/Gfuj
es esp espainia espanya koninkrijkspanje
et eth federaledemocratischerepubliekethiopie #0R00QJ0R<0SV0R/ #f14e&ffwSf(Mfuj
fi fin republiekfinland !0ySH#EO.b7
fj fji fidzsiszigetek republiekfiji !0jIdglojqatiatymvitfi #0q-0qO0s4 !0y,1LlM
fk flk falklandadalari falklandeilanden falklandinsaaret falklandinseln falklandislands falklandislandsmalvinas falklandskeostrovy falklandsoerne falklandsoyene falklandszigetek falklandy falklandymalviny ilesmalouines ilhasfalkland ilhasmalvinas insulelefalkland islasmalvinas isolefalkland kepulauanfalkland kepulauanfalklandmalvinas quandaofalkland quandaofalklandmalvinas !0jImgsoivojkamt !0jImgsoivyjkamt !0jImgsoivyjkamtlakbimas !0k]tnkjkemdqjhenb0 !0k]tnkjkemdqjhenqrpnb0 !0k]tnkjkemdq2jCnqrpnbh !0pM0iitewlpc !0qClrq7E9AgCo !0ySHY/uO.b7C=R%GUK(V !0ySH!uO.b7C=R%GUK(V !0ySH!uO.b7C=R%GUK(VK!OR#E!U !0D:H7V.%aOM5JB<a&Byt< #aM[aMBaN4aMHaNkaNuaM+aN0aNmaM?aM,aMRd9zb_C #aM[aMBaN4aMHaNkaNuaM+d9zb_C #c;+bPubPWdcfb^B #c;+bPuduXdcfb_C #f!.fQ_e.xe%EfiG #f!.fQ_e.xe%Ef3reZ4
fm fsm federalestatenvanmicronesie federasimikronesia federatedstatesofmicronesia lienbangmicronesia micronesiafederatedstatesof mikronesianliittovaltio mikronesiskafederationen mikroneziaiszovetsegiallamok statifederatidimicronesia !0jIolospomdespokiteiestgslijqomgsias !0k]lhjpnmegh5 !0qCEAgGgjBG9qECGsGggABjmoi #b[dbPudbsb]6d5ibHQdebdPE
fo fro feroer foroyar !0k]t0pep1 !0y,16KcvZBMzE4OF #fZ>e:AeH4eZ4
fr fra franserepubliek !0ySH=M!bU
ga gab republiekgabon !0y,gU2Xx
gb gbr britain britaniaraya england greatbritain grossbritannien northernireland scotland unitedkingdomofgreatbritainandnorthernireland verenigdkoninkrijkvangrootbrittannieennoordierland wales yhdistynytkuningaskunta !0k]bekhjnaphr0mC5 !0pMdnnlkddn0egcz !0y,gZ6To2Z6LoTx
gd grd !0y,gZ6TxTqK
ge geo !0L:q0u0pgedjm #eI<e;|f7>fuj
gf guf franskguiana guyanaperancis guyanethuocphap !0k]cbh0m0 !0k]cbC0m0 !0ySH=M-bzw&fE! #aM[aNkaNuaMRd.UaMGaM4aM,
gg ggy !0jIcjoueqmsei !0pMbxpqi !0y,gZBT6ZxET #czFd5i
gh gha republiekghana
gi gib #f7>f0Qe.0fR,
gl grl kalaallitnunaat !0qClqGCAgCo #eI<e>pe.xe%E
gm gmb republicofgambia republiekgambia
gn gin republiekguinee
gp glp !0y,gZBKqT8Xz
gq gnq republiekequatoriaalguinea !0ySou=R-5;M#LOw#E%
gr grc helleenserepubliek
gs sgs etelageorgiajaetelaisetsandwichsaaret georgiaandsouthsandwichislandssouth georgiadelsudeisolesandwichmeridionali georgiadelsurylasislassandwichdelsur georgiadosuleilhassandwichdosul georgiaogdesydligesandwichoersouth georgiaogsouthsandwichislandssouth georgiaselatandankepulauansandwichselatan georgiasouth namgeorgiavaquandaonamsandwich sorgeorgiaogdesoresandwichoyene southgeorgia southgeorgiaogsouthsandwichislands zuidgeorgiaendezuidelijkesandwicheilanden !0jImotiosceyqciajaimotioisamtouitsmgsoi !0k]4fm05cenpch5h4fm1eq0mdbhweb1nqrpnb0 #eQIf4lf7>fujeH4eZ4
gt gtm guatamala republiekguatemala
gu gum !0y,gZBK4
gw gnb republiekguineebissau !0jIcouimealpissaou #eJGeR>farfqf
gy guy cooperatieverepubliekguyana !0ySw&fE!
hk hkg chinahongkong chinahongkongspecialadministrativeregion cinhongkongoib cinhongkongoyb dackhuhanhchinhhongkongtrungquoc hongkongchina hongkongdaktiongkok hongkongkiinanerityishallintoalue hongkongkina hongkongkkt hongkongraedachina hongkongsar hongkongsarchina hongkongsarkina hongkongsarvan hongkongsarvanchina hongkongspecialadministrativeregion hongkongvan hongkongvanchina hongkongzaociny raedehongkong raedehongkongchina raschinoisedehongkong rasdihongkong rashongkongachinei rashongkongchina sarhongkong sonderverwaltungsregionhongkong srahongkong srahongkongchiny !0jIwomcjjomcjedpjimas !0k]cnmjnmcn0pjhr04 !0k]cnmjnmcq0p !0pMdepbwepb0fexnpdliniegcylqio !0pMdepbwepbngefnpdliniegcylqio !0qCDECz9ECzgAuGCGi !0qCDECz9ECzgAuGCGiBCw8igogqGingui !0ySV!awu!awz%ER#S-TG=MS!UE#uu=T-A=M !0ySV!bwu!bw !0D:K.Jgag%bu1ad9Jg4Q%EF19M%wEhRy !0D:%bu1ad9Jg4Q%EFK.Jgag&H.gGOxO9s9Np19MjOjyhRy #bG7b)Dd<[cHBcTTbR&d1!cq'bU( #bG7b)Rd<[cHBcTTbRXd1!cq'bU. #bG7doybH_cB9bPXbYIb)Dd<[cHBcTTbRXd1!cq'bU( #f+PfN}f5^eH1fX9e|_f)9f3keHz
hm hmd daoheardvaquandaomcdonald heardeislasmcdonald heardochmcdonaldsoarna heardoenogmcdonaldoerne ilhaheardeilhasmcdonald !0k]nqrpCbcepdCnqrpnbhl0jdnm0kd !0k]uepdhl0jdnm0k2d !0ySVM=7ob7K.u7;E!O=7C=R%GUK(V #aM;aN4aM+b_CaL!aN0aMHaM+aM,aNmaM+d9zb_C #f*he%Ee>+eZ4eQAe%EeH4eZ4
hn hnd republiekhonduras !0ySV;b7&M!U
hr hrv hrvatska republiekkroatie
ht hti republiekhaiti
hu hun hongaarserepubliek !0qCgABlq
id idn republiekindonesie
ie irl eire ierserepubliek republicofireland
il isr staatisrael !0ySg2M!gO
im imn ellanvannin inselman maneiland !0k]nqrpnbl3m !0ySfgUOqHK.E
in ind bharat republiekindia
io iot britiskterritoriumiindiahavet britsindischeoceaan oceanindienbritannique teritorisamudrahindiabritania territoribritannicidelloceanoindiano !0jIbqetamijoedavosimdijouyjeamou !0qCg8AGBgABmGwgADCoGgAhqGwgCG !0ySI=M#A!E%V#bCKV!U!wM%Lu=T-A=M #aM6aMGaNlaMRd.UaM6aNuaM+cEob*0b+{ #fwsf18eZ4f3reZ4
iq irq republiekirak
ir irn conghoahoigiaoiran iranislamicrepublicof islamicrepublicofiran islamitischerepubliekiran republicaislamicadeiran !0jIiskalijgdglojqatiatouiqam #0qJ0s40qT0qJ0q< #aM6aNkaNuaM6aMRaNkaNbbPXbYIb)D
is isl ijslandserepubliek
it ita italiaanserepubliek y
je jey !0jIbaikatotoutfeqsei !0pMbxqi !0qClGqrG #cEad5i
jm jam
jo jor hasjemitischkoninkrijkjordanie
jp jpn
ke ken republiekkenia
kg kgz kirgizischerepubliek kyrgyzrepublic !0jIjiqcifia !0k]j1pc1gqr0m !0y,eL6ZlLEZtKx #fRGe=KfRGf7vfmWfR:
kh khm koninkrijkcambodja !0(<0x]vXgS
ki kir republiekkiribati !0y,eL6L2LtM #fRGe=Ke_~fnx
km com komori uniedercomoren !0jIemysgtymjoloqym
kn kna federatiesaintkittsennevis saintkittsochnevis saintkittsynevis !0jIolospomdiaaciouwqistovoqoujaimebis !0ySU-b5u#5=Uob7E-R#U #aMTaNuaM*aMHaNlaMRaM*aM[aM3aN4aM/aM6aM?aMR
kp prk democraticpeoplesrepublicofkorea democratischevolksrepubliekkorea dprk koreademocraticpeoplesrepublicof koreandemokraattinenkansantasavalta koreanorth republicapopulardemocraticadecorea !0jIkaojqatijgdglojqatiatgsjoqeas !0k]jmdpjnpehqj05m0pndmndelnjp0rhweqj05peqosakhj0 !0k]jnpehq2j0m0pndmndelnjp0rhwm0peqosakCj0 #cw1d]:cB9bGLbGLdckbH_cB9bPXbYIb)D
kr kor korea koreantasavalta korearepublicof koreasouth republicadecorea republicofkorea republiekkorea !0jIdglojqatiatgsjoqeas !0k]peqosakCj0jnpe5 #b/Rd-=cB9b)D
kw kwt cooet staatkoeweit
ky cym !0jIjeilammgsoi !0k]nqrpnb0j0hl0m !0ySu-K.EfgUO.b7=U #fM.f14e>.fiG
kz kaz republiekkazachstan #0mi0k]0k'0k]0mi0li0lj0k]0le !0y,elIKfLEZtKx
la lao conghoadanchunhandanlao laodemocratischevolksrepubliek laopdr laopeoplesdemocraticrepublic republicademocraticapopulardelao !0jIkaijgdglojqatiatoukaos !0FSerg !0FCzkku8w #aNkaMCaMRbH_cB9cB9bGLbPXbYIb)D
lb lbn libaneserepubliek !0jIkibamo
lc lca !0ySU-b5O&U#L!
li lie vorstendomliechtenstein !0jIpqicjipatotoukiwtemstaim !0y,8LeZoTxLEZoMx
lk lka democratischesocialistischerepublieksrilanka srilamkava !06%gOy=u. !0CA&:X^Zbz?%
lr lbr republiekliberia
ls lso koninkrijklesotho !0jIbasikeiotoukesoto
lt ltu lietuva republieklitouwen
lu lux groothertogdomluxemburg letzebuerg !0y,8eZl426Zg
lv lva latvija republiekletland !0y|r4dJu5o4
ly lby libyanarabjamahiriya staatlibie !0jIjqatostgskibugs
ma mar koninkrijkmarokko moroko
mc mco vorstendommonaco !0jIpqicjipatotoulomajo
md mda conghoamoldova moldawien moldovarepublicof republicofmoldova republiekmoldavie !0jIdglojqatiatgslokdabias !0k]lnkd0bh5 !0y|nHrfHu4 #aNdaNmaM+aM<bPXbYIb)D
me mne crnagora malizi !0k]vpm0cnp0
mf maf collectiviteitvansintmaarten saintmartinfrancesa saintmartinfranskadelen saintmartinfranskside saintmartinfrenchpart saintmartinpartiefrancaise saintmartinphanphap sintmaartenfransdeel sintmaartenfranseantillen svatymartinfrancouzskacast szentmartonszigetfranciaresz !0jIacioslaqtimoscakkia !0qCsgCjBgqjCgAlragA7qCsG !0ySU-b5K!M=5#Eu%U!K(V#uA! !0D:%kyu<7OuQy #aMNaNuaN0aNmaMXaNuaM[aNkaNuaMRd.U #fiSf18fX8e>EfYd #fiSf18fX8e>EfYdf&]e.mfmWfv6e'be'f
mg mdg madagasikara republiekmadagaskar !0y,4UqKgKEZe6
mh mhl majel republiekdermarshalleilanden !0k]l0px0kknb1nqrpnb0 #e>Efh*eH4eZ4
mk mkd formeryugoslavrepublicofmacedonia fyrom macedonia macedoniaformeryugoslavrepublicof macedonianorth macedoniarepublicof republicofmacedonia republicofnorthmacedonia republieknoordmacedonie !0jIdglojqatiatgsboqeiaslajedomias !0k]qebepm0l0jednmhE0 !0y,4evOxL5K !0D:7OkQ(t%yR8 #e>EfM.eZ4eWMfuj
ml mli republiekmali
mm mmr birmaniamyanmar burma mjanma republiekvandeunievanmyanmar !0jIliamlaq #0ld0g,0lw0le0ld0k] !0k]l25ml0 !0k]l5ml0 !0pMni0pnx !0qChEqBg !0qCBGgCBgq !0ySK=L!bK!M !0ySK=L!K!bM !0ySK=L!K!bMIM=K! !0E0MqBriq8 !0E0MqBriqU8sY !0E0MqBriqU8sYnqU8 !0J!iIdGi2 !aM<os9nI
mn mng !0k]lnmcnk !0k]lnmcnkskq
mo mac chinamacao chinamacaospecialadministrativeregion cinmakaooib cinmakaooyb dackhuhanhchinhmacaotrungquoc macaochina macaokiinanerityishallintoalue macaokina macaosar macaosarchina macaosarkina macaospecialadministrativeregion macaozaociny macauchina macauraedachina macausar macausarchina macausarvan macausarvanchina macauvan macauvanchina makaokkt makaudaktiongkok raedemacao raedemacaochina raschinoisedemacao rasdimacao rasmacaoachinei rasmacaochina sarmacao sonderverwaltungsregionmacau sramakau sramakauchiny !0jIlajaoedpjimas !0jIlajaou !0k]l0j0nn0pjhr04 !0k]l0j0nq0p !0pMnw0e0fexnpdliniegcylqio !0pMnw0engefnpdliniegcylqio !0qCBg9gE !0qCBCw8iBg9gEgAgogqGigAngui !0ySKu!jR#S-TG=MS!UE#uu=T-A=Mz%E !0y,4eKc !0D:7O%a:O%bu1ad9Jg4Q%EF19M%wEhRy !0D:%bu1ad9Jg4Q%EF7O%a:O&H.gGOxO9s9Np19MjOjyhRy #bG7b)DcL&d(AcTTbR&d1!cq'bU( #bG7b)RcL&d&vcTTbRXd1!cq'bU. #bG7doybH_cB9bPXbYIb)DaN0aMDaMCcTTbRXd1!cq'bU( #e>EfLvfwSf5^eH1fX9e|_f)9f3keHz
mp mnp !0jIboqeieslaqiamesmgsoi !0k]qebepm1el0ph0mqjhenqrpnb0 !0ySiA=AMK.M#E!C=R%GUK(V #e'ce>Ee>lfujeQ2eH4eZ4
mq mtq !0qCBgqjGCG9 !0y,4K6ZoLxLe
mr mrt islamitischerepubliekmauritanie !0y|nFp5d4h5o4
ms msr !0jIlomtseqqat !0ySK;b5U-M!5
mt mlt republiekmalta
mu mus republiekmauritius !0y|n4p6vx
mv mdv republiekdermaldiven !0jIlakbides
mw mwi republiekmalawi !0qCBgAgEG !0y|n4r4u6
mx mex verenigdemexicaansestaten !0y,4TeZELeX
my mys bandaomalai !0y|nroDv5o4
mz moz republiekmozambique !0ySK;2!bI#u
na nam republieknamibie
nc ncl
ne ner republiekniger
nf nfk !0jImgsimoqvokj !0k]nqrpnbmnptnkj !0pM0iipextew !0y,xX61VevZBMz
ng nga federalerepublieknigeria
ni nic republieknicaragua
nl nld holland kingdomofnetherlands koninkrijkdernederlanden netherlandskingdomof !0jIokkamdia !0ySE%CMO.b7=U
no nor koninkrijknoorwegen noreg
np npl federaledemocratischerepublieknepal
nr nru republieknauru !0ySE!iM(
nu niu !0q,fjjhj !0y|h5o8
nz nzl aotearoa !0ySE=L(2%O.b7
om omn sultanaatoman
pa pan republiekpanama
pe per republiekperu
pf pyf polynesiethuocphap !0qChEAGCrGggA7qCsGi !0ySH=M.bzw&fE! #aM[aNkaNuaMRd.UaM'aNlaM/aMPaM4
pg png onafhankelijkestaatpapoeanieuwguinea papuaniugini
ph phl republiekderfilipijnen !0ySH#O%G%bU
pk pak islamitischerepubliekpakistan #0rG0qJ0r{0qV0qM0qJ0q<
pl pol republiekpolen #f!@e.xe%E
pm spm saintpierreochmiquelon !0jIsaimpieqjailijekom !0k]qemoApClCjeknm !0qCsgChGGqEBG9AEC !0ySU-b5G#oM-ob7K#u=R-O/E #b)=c)Qb+Vb[]bYIb[dbPud*n #fiSf18fX8e>lfvYe=KeZ4e_YeG6e:EeZ4
pn pcn !0jImgsoipitjaiqm !0k]nqrpnb0ohrj3pm !0k]oCrjepm !0D:4Qu&d9<y !aM2QEqb^ #f()fM.fvAeH4eZ4
pr pri !0ySG&oM=A;M#u;
ps pse deokkupertepalestinskeomradene depalaestinensiskeomrader detpalestinskeomradet filistinbolgeleri lanhthopalestine lanhthopalestinebichiemdong occupiedpalestinianterritory palastinensischeautonomiegebiete palestiinalaisalue palestijnsegebieden palestinestateof palestinianterritories palestinianterritoryoccupied palestinskaautonomie palestinskaterritorierna palestinskaterritorietockuperade palestinskauzemi palesztinautonomia staatpalastina staatpalestina stateofpalestine statodipalestina teritoriilepalestiniene territoirespalestiniens territoriospalestinianos territoriospalestinos territoripalestinesi terytoriapalestynskie wilayahpalestin wilayahpalestina !0jIjqatostgspakaistimgs !0jIpakaistimiajaedavg !0k]cnqsd0pqrbno0keqrhm0 !0k]o0keqrhmqjherepphrnphh !0k]o0keqrhmq2jCrephrnpCC !0pMdyhgimdtlqhipiim !0qCgAgqgvGgA7AswGCGi !0y,1IL8LEZtMxMeZDTtZ6 !0y,1L8LEZtMx6KlZ5 !0E0dAiNdik8MuzQeiY #aM=aNnaMRaMZaM,diMcDybU( #b}vbTQcsub*SdiMcDybU. #b}vbTQcsub*Sd.Ub)/ #b}vbTQcsub*Sd/<b)/ #fYAe/GfmWfR,f18f7>eHz
pt prt portugeserepubliek #f!.e=KfV:fL4
pw plw republiekpalau !0ySGO!i
py pry republiekparaguay
qa qat staatqatar !0y,eItK6
re reu !0jIqeumiom !0qCAgqGECGEC !0y|p6o8h5oh #e>lfzAeWMfwW
ro rou roemeenserepubliek roumania rumani
rs srb republiekservie !0k]qpahE0
ru rus lienbangnga russianfederation russischefederatie russischefoderation !0jIqysijgolospomdia !0k]pnqqhhqj05tedep0vh5 #aNoaMPaM4dN'dPE #e/nfnxfujfwbe{s
rw rwa republiekrwanda urwanda
sa sau kingdomofsaudiarabia koninkrijksaudiarabie ksa saudi saudiarabie szaudiarabia !0qCgAsyEoGi
sb slb !0jImgsoisokolymta !0k]qnknlnmnb1nqrpnb0 #fjUe:Ae@~fujf1Ce.xe%E
sc syc republiekderseychellen !0k]qehxek2qjhenqrpnb0
sd sdn republieksoedan
se swe koninkrijkzweden
sg sgp republieksingapore !06@jLiZezZzO6Z
sh shn ascensionisland sainthelenaascensionandtristandacunha sanktahelena sankthelena santahelenaascensionytristandeacuna santelenaisoladiascensioneetristandacunha svatahelenaascensionatristandacunha tristandacunha wyspaswietejhelenywyspawniebowstapieniaitristandacunha !0jImgsosaciasekemgs !0k]nqrpnb0qb5rnhekem1bngmeqemh5hrphqr0md0jsm25 !0qCsgCjDGAGCgEgsGCtGCEjqGsjgCog9ECg #aMTaNuaM*aM_aNnaM,aM4aMTaNuaMPaNiaNuaL6aMdaL/aM*aNlaMRaMXaNuaMYaMHaN4aM-aNe #b)=dGwbTQckRd)7c2Gcx8bYIcTTdS%csub*SdM>b'ab]6bHQ
si svn republiekslovenie slovenija !0y|xJrHu4h5o4
sj sjm norgesvalbardogjanmayen spitzbergakesjanmayen svalbardetilejanmayen svalbardjajanmayen svalbardundjanmayen svalbardvejanmayenadalari !0k]nqrpnbhxoCvaepcemr05ml0Am !0pMqeela0xcei0on0iio !0qCs7gAhgqoEGgCBgGC !0y|xJo4rl4pJa !0ySU=L!OI!M=7U=L!OI!M=7ob72EK!R-K #aMRaNvaM3aN4aNmaM<aNmd9zb_CaL6aMdaL/aNfaNuaN0aM6aMAaNub_C #fmWe{fe_~e%Ef1:e>Efv%eZ4
sk svk slovakrepublic slowaakserepubliek
sl sle republieksierraleone !0pMqiixdl0epd !0y,EL5K6K8Lcx
sm smr republieksanmarino !0y|xEhn4p5hH !0D:kOy7O9R(y
sn sen republieksenegal
so som federalerepublieksomalie soomaaliya
sr sur republieksuriname !0pMqexipm
ss ssd republiekzuidsoedan sudandelsud sudansouth
st stp democratischerepublieksaotomeenprincipe !0qCsgEjEBGEhqGCsGh !0ySU!s5/Kob7G=M#bU#G% #fhyfUxe@0f&]e>pfnxfZ>
sv slv republiekelsalvador !0y|xrJu4aHp
sx sxm landsintmaarten saintmartinhollandskside sintmaartendutchpart sintmaartennederlandsdeel sintmaartennederlandskadelen sintmaartennederlandskdel sintmaartenneerlandesa sintmaartenphanhalan #0ay0ao0at0az0as0ag0ag0ax0az0ak0at0Ez0EU0Ew0Ei0Ed0E70Ee0D_0EY svatymartinnizozemskacast szentmartonszigethollandresz !0jIacioslaqtimosokkamdia !0qCsgCjBgqjCgAlragADEACoG !0y,ELsZo4K6ZoTx #aMPaNuaM*aN0aN4aNmaM(aNuaMCaNkaNuaMYd.U #fn2fX8e>Ee=KfT8
sy syr conghoaarabsyrian republicaarabesiria syrianarabrepublic syrienarabischerepublik syrischearabischerepubliek !0jIaqabijgdglojqatiatgssuqias #aMPaNlaM4aM4aNkaM]bPXbYIb)D
sz swz koninkrijkeswatini royaumedeswatini svazijsko svaziland swazimaa !0jIsouafikamdg !0pMqeefilpc !0qCsEgrGAgCo !0ySU=R!2%O.b7 !0D:GDOkQ&Byt< !aMIi#hV)y #fmWfw]f7|e-|e%E
tc tca turksdancaicosislands !0jIteqjsjaijeijos !0pM0iihexwqew0iweq !0ySA&M=uob7u.u;UC=R%GUK(V #fTbfQ<fmW
td tcd republiektsjaad
tf atf antartikaperancis francouzskajizniaantarktickauzemi fransezuidelijkegebieden franskasodraterritorierna franskesydterritorier ranskanetelaisetalueet sorefransketerritorier terrasaustraiseantarticasfrancesas territoiredesterresaustralesetantarctiquesfr territorifrancesidelsud tierrasaustralesfrancesas vungdatphianamvachaunamcucthuocphap !0jIcakkijamotiajaiamtaqjtijaedavg !0k]tp0mvsgqjhe4fm1eh0mr0pjrhweqjherepphrnphh !0k]tp0mvsg2jCoCbdemmCC0mr0pjrhwmCrephrnpCC !0qCgqgv7qCsGilCEhGiEgCjgqjG9Gi !0ySH=M!bU%U%Cu=T#9%u=T-A=M #aM[aNkaNuaMRd.UbVecs5bVec3}b*0b+{ #f&]e.mfmWeQIe'bfwsfUx
tg tgo togoleserepubliek
th tha koninkrijkthailand !0E0ks6MgxQgr
tj tjk republiektadzjikistan #0lj0lf0mB0l00lb0l00li0lj0lf0le !0y,tlIKeLEZtKx
tk tkl tokelauszigetek !0y,oXeT8O #fUxfM@e:A
tl tls democratischerepubliektimorleste easttimor timoreast timoruldeest !0jIamatokijotiloq !0qCjGBEqgAtq8Gi !0y|j8pJu6d5nHp !0D:uQ7J9<uMDNyJJa
tm tkm turkmeenserepubliek !0k]rspjlemh5 #fX8e=KfQ<e@0eWMfmWfR:
tn tun republiektunesie !0pMhepiqid #fW*eWMf7>fuj
to ton koninkrijktonga
tr tur republiekturkije turkey !0y,tN6ZeM #fTbfRG
tt tto republiektrinidadentobago !0yS5=M#E#7!7ob75;I.w;
tv tuv #fX8e{fe;|
tw twn repubblicadicina republikkenkinataiwan taiwanprovinceofchina !0jIdglojqatiatgsjimas !0k]jhr0hqj05peqosakhj0 !0k]r0hb0m2opnbCmvC5jhr04 #bG7b)DbW*cIzc*J #di%cNZ #f5^f+We_%eH1
tz tza conghoathongnhattanzania republiqueuniedetanzanie tansaniavereinigterepublik tanzaniaunitedrepublicof unitedrepublicoftanzania verenigderepubliektanzania !0jIemylemgdglojqatiatgstamfamias !0qCjgCrgCGg !0ySAb2!E#L!
ua ukr !0ySiu=M-E
ug uga republiekoeganda !0ySiw!b7!
um umi abduzakadalari amerikaansekleinereafgelegeneilanden azamerikaiegyesultallamoklakatlankulbirtokai ilhasdistantesdoseua islasultramarinasmenoresdelosestadosunidos quandaonhoheolanhcuahoaky unitedstatesminoroutlyingislands usamindreutenforliggendeoyer usasydresmaoer usminoroutlyingislands yhdysvaltainpieneterillissaaret !0jIapolajquslemesmgsidestymgmylemympokiteiym !0k]bmexmhel0k1enb0 !0k]bmexmhel0k1enqrpnb0 !0k]bmexmhel0k1enqrpnb0qx0 !0k]gnbmCxmCbCdd0kemCnqrpnbh !0k]gnbmCxmCbCdd0kemCnqrpnbhqx0 !0qClrqgAEAgGgjgABjmoi !0ySL(oUK!gEMfi5O!gbwC=R%GUK(V !0D:H7V.%aOMGH9Np*7%yJ9<%JOu<*BJQg #e_YeH1e:afjMeH4eZ4
us usa america amerika amerikaiegyesultallamok birlesikdevletler estadosunidosdaamerica etatsunisdamerique hopchungquochoaky spojenestatyamericke statiunitidamerica unitedstatesofamerica vereinigtestaatenvonamerika verenigdestatenvanamerika !0jIaleqijg !0jIgmylemespokiteiesaleqijgs !0ySL(oUo !0ySL(oUoUbL&u=AM!2=LeK-M#u!
uy ury oostelijkerepubliekuruguay !0qCgAgEqEzEgG !0ySiM&w=R-
uz uzb ozbekiston #0au0g+0a60ah0ak0aq0ao0ay0az0au0at republiekoezbekistan !0ySi2I-u#U=A!E
va vat holysee holyseevaticancitystate saintsiege saintsiegevatican santase santasede toathanh toathanhthanhphovatican vatican vaticancitystate vaticano vatikaanivaltio !0jIjqatostgspokgstoubatijamou !0y,BToLex !0D:DOuQaNy #e_~fY0fLz
vc vct saintvincentochgrenadinerna !0qCsgCj7GCsCjEgAzqGCgoGC !0ySU-b5R#bU-b5ob7Cw=M-E-b7!gE=U #aMTaNuaM*aM?aNuaMTaNuaM*aL6aMdaL/aMIaNnaM,aM)aM5aN4aNud9zb_C
ve ven bolivariaanserepubliekvenezuela bolivarianrepublicofvenezuela venezuelabolivarianrepublicof !0ySR-E-2&oO! #aM{aM/aMSaMAaNkaM~aNlaM<aNmbPXbYIb)D
vg vgb britiskejomfruoer jomfruoyenebritisk quandaovirginanh virginislandsbritish !0jIbqetamijespaqhemoimgsoi !0k]bhpchmqjhenqrpnb0bekhjnaphr0mh5 !0qClrqgAypqgagAhqGwgCGi !0y,2Z6LtKxMB6ZlLxvZBMzE4OF #aM6aMGaNlaMRd.UaNvaM3aN4aMQaNud9zb_C
vi vir amerikanskejomfruoer islasvirgenesdelosestadosunidos jomfruoyeneusa quandaovirginhoaky unitedstatesvirginislands virginislandsus !0jIaleqijamijespaqhemoimgsoi !0k]bhpchmqjhenqrpnb0qx0 !0k]bCpcCmq2jCnqrpnbh !0qClrqgAypqgagAgBqG9Gi !0ySeK-M#u%RM=2#EC=R%GUK(V !0D:H7V.%aOM8V%JG%DJ9<hQy #aM4aNcaNlaMDd.UaNvaM3aN4aMQaNud9zb_C
vn vnm socialistischerepubliekvietnam !0k]bArm0l !0ySR#oAE!K
vu vut republiekvanuatu !0y|uh4d8
wf wlf lanhthoquandaowallisvafutuna wallisandfutunaislands wallisjafutunasaaret wallisogfutunaoyene wallisvefutunaadalari !0jIouakisjaivoutouma !0k]bnkkCqCtsrsm0 !0qCEgAsE7EjECg !0ySR!O%2ob7H&5&E! #fyOe>lfmWf,@fX8eQ2
ws wsm onafhankelijkestaatsamoa !0ySGS=z#K%U!K;f
xk xkk kosove republiekkosovo republikaekosoves !0jIjosobo
ye yem republiekjemen
yt myt
za zaf aforikaborwa africasouth afrikaborwa delafrika emzantsiafrika iningizimuafrika poludniowaafryka republiekzuidafrika suidafrika !0k]oCbdemm00tphj0 !0k]40p !0ySCu=T#9eH=M%u!
zm zmb republiekzambia !0y,lK4Z2L5K
zw zwe republiekzimbabwe !0yS2#bI!R- #f8de_~f0Qfy,eF}f+WeH1`;
// END GENERATED
