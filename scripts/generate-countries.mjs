/**
 * Writes the country table of src/transform/countries.ts, public/data/country-names.json (a static
 * asset the Worker reads once per isolate), from the sources below: every key of every country,
 * the region names of `Intl.DisplayNames` included, so the Worker reads no ICU at runtime.
 * `checkRegionNames` checks that the table reads every region name of LOCALES, in workerd (whose
 * region names `--workerd-names` reads from a throwaway Worker under `wrangler dev` into
 * scripts/countries-workerd-names.json) and in Node alike, as the country it names.
 *
 * Run it with the project's Node 22 (its ICU/CLDR is one of the sources, and it reads the
 * TypeScript module directly): `npm run generate:countries`. `--check` writes nothing and exits
 * 1 when the committed table differs from what the sources give now (countries.test.ts runs it).
 * After a wrangler (workerd) update: `node scripts/generate-countries.mjs --workerd-names`, then
 * `npm run generate:countries` (test/countries.test.ts fails until then if the names changed).
 *
 * Sources, each name tagged with the country ISO 3166-1 gives it:
 * - CLDR through Node's `Intl.DisplayNames` (full ICU): the names browsers and Shopify show,
 *   long and short forms, in English and the main languages of Meta's markets (LOCALES), and
 *   each country's own name in each of its official languages (countries-list's languages).
 * - i18n-iso-countries: every name and alias in the same languages.
 * - iso-3166 (wooorm): ISO 3166-1's English short names ("Korea, Republic of").
 * - country-list: ISO 3166-1's names as ISO's Online Browsing Platform writes them
 *   ("Bolivia (Plurinational State of)", "Gambia (the)").
 * - countries-list: English name, native name and aliases (less the historical names below).
 * - HAND: Shopify's own names, names of the older ISO and UN lists, and common short names
 *   no package has.
 *
 * Every name becomes a key with `countryKey` (the function the Worker runs on shopper text), and
 * variants are derived (see `variants`). A key that two countries share is dropped, unless DELIBERATE
 * resolves it; a derived variant never overrides a name a source gives. Name keys of two Latin
 * letters are dropped (two letters are ISO codes only, plus "UK"), and so is a name key equal to
 * another country's alpha-3 code.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeOrCheck } from "./lib/writeOrCheck.mjs";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TABLE_TARGET = path.join(ROOT, "public/data/country-names.json");

if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(
    `generate-countries: needs the project's Node 22 (this is ${process.version}); run \`npm run generate:countries\``,
  );
  process.exit(2);
}

const { countryKey, encodeKey } = await import(path.join(ROOT, "src/transform/countries.ts"));
const i18n = require("i18n-iso-countries");
const { iso31661 } = await import("iso-3166");
const countryList = require("country-list");
const { countries: countriesList } = require("countries-list");

/** CLDR locales: English and the main languages of Meta's markets, with regional forms that differ. */
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

/** i18n-iso-countries languages matching LOCALES (it has no Filipino; "no" is Norwegian Bokmål's older tag). */
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

/** countries-list aliases that are historical names: no form produces them, and some name other places today. */
const HISTORICAL = new Set([
  "Abyssinia",
  "Basutoland",
  "Bechuanaland",
  "British Honduras",
  "Ceylon",
  "Dahomey",
  "Dutch East Indies",
  "East Pakistan",
  "Ellice Islands",
  "Formosa",
  "French Sudan",
  "Gilbert Islands",
  "Gold Coast",
  "Kampuchea",
  "Kirghizia",
  "Moldavia",
  "New Hebrides",
  "Northern Rhodesia",
  "Nyasaland",
  "Portuguese Guinea",
  "Rhodesia",
  "Siam",
  "South West Africa",
  "Southern Rhodesia",
  "Spanish Sahara",
  "Tanganyika",
  "Turkmenia",
  "Ubangi-Shari",
  "Upper Volta",
  "Zaire",
  "Byelorussia",
  "Belorussia",
  "Persia",
]);

/**
 * Names no package above gives (`--report` lists any a package has since added), by country.
 * Shopify's checkout and CountryCode enum use CLDR's English names, with these exceptions:
 * "Hong Kong SAR" and "Macao SAR" (derived, see `variants`); "Ascension Island" (AC) and
 * "Tristan da Cunha" (TA), which ISO 3166-1 files under SH (below); "Netherlands Antilles" (AN),
 * dissolved into CW, SX and BQ in 2010 (left out: no one country); "Kosovo" (XK, user-assigned,
 * not ISO, but i18n-iso-countries has it, as the EU does: kept). Shopify's older names are mostly
 * the older ISO list's, which the packages carry; the rest are below.
 */
const HAND = {
  // Shopify's AC and TA, which ISO 3166-1 files under Saint Helena, Ascension and Tristan da Cunha.
  SH: ["Ascension Island", "Tristan da Cunha"],
  // Shopify's older names and the older ISO 3166-1 list's.
  CM: ["Republic of Cameroon"],
  LY: ["Libyan Arab Jamahiriya"],
  MK: ["Macedonia, the Former Yugoslav Republic of", "Macedonia, Republic Of"],
  PS: ["Palestinian Territory, Occupied", "Occupied Palestinian Territory"],
  VA: ["Vatican City State"],
  // The UN's (M49) names.
  HK: ["China, Hong Kong Special Administrative Region"],
  MO: ["China, Macao Special Administrative Region"],
  WF: ["Wallis and Futuna Islands"],
  FM: ["Federated States of Micronesia"],
  // The nations of the United Kingdom, which shoppers give as their country.
  GB: ["England", "Scotland", "Wales", "Northern Ireland"],
  // Common names in forms of the country itself.
  IE: ["Republic of Ireland"],
  SK: ["Slovak Republic"],
  SA: ["KSA", "Kingdom of Saudi Arabia", "Saudi"],
  IN: ["Bharat"],
};

/**
 * Keys two countries share, resolved on purpose (every other shared key is dropped). The key
 * names the country shoppers mean by it, whichever source also uses it for the other one.
 */
const DELIBERATE = {
  // "Congo" alone: i18n-iso-countries lists it for both; ISO 3166-1's short name "Congo" is CG's
  // (CD's is "Congo, Democratic Republic of the"), and the relay has always read it as CG.
  congo: "CG",
  // "Korea" alone: the shopper is in South Korea (North Korea has no Meta ads market).
  korea: "KR",
};

/**
 * Derived forms of a name: without parentheses, inverted "X, Y of", the compass word last as
 * reference lists put it ("Korea, South"), and the SAR forms.
 */
function variants(name) {
  const out = new Set();
  const compass = /^(North|South|East|West)\s+(.+)$/.exec(name);
  if (compass) out.add(`${compass[2]}, ${compass[1]}`);
  const bare = name.replace(/\s*[(（[][^)）\]]*[)）\]]\s*/g, " ").trim();
  if (bare !== name && bare !== "") out.add(bare);
  const comma = /^(.+?),\s*(.+)$/.exec(name);
  if (comma && /\b(of|of the|the)$/i.test(comma[2])) out.add(`${comma[2]} ${comma[1]}`);
  const paren = /^(.+?)\s*\((.+)\)$/.exec(name);
  if (paren && /\b(of|of the|the)$/i.test(paren[2])) out.add(`${paren[2]} ${paren[1]}`);
  if (/\bS\.?A\.?R\.?(?=\s|$|,)|Special Administrative Region/i.test(name)) {
    const noSar = name.replace(/\bS\.?A\.?R\.?(?=\s|$|,)|Special Administrative Region/gi, " ");
    out.add(noSar);
    out.add(name.replace(/,?\s*\bChina\b,?/gi, " "));
    out.add(noSar.replace(/,?\s*\bChina\b,?/gi, " "));
  }
  return [...out].map((v) => v.replace(/\s+/g, " ").trim()).filter((v) => v !== "" && v !== name);
}

/** Every (alpha-2, name, source) the sources give, alpha-2 uppercase. */
function sourceNames(codes) {
  const names = [];
  const add = (code, name, source) => {
    if (typeof name === "string" && name.trim() !== "" && codes.has(code)) names.push({ code, name, source });
  };
  for (const locale of LOCALES) {
    if (Intl.DisplayNames.supportedLocalesOf([locale]).length === 0) throw new Error(`ICU has no ${locale}`);
    for (const style of ["long", "short"]) {
      const display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
      for (const code of codes) add(code, display.of(code), `cldr:${locale}`);
    }
  }
  for (const [code, country] of Object.entries(countriesList)) {
    for (const language of country.languages) {
      const locale = language === "tl" ? "fil" : language;
      if (Intl.DisplayNames.supportedLocalesOf([locale]).length === 0) continue;
      add(code, new Intl.DisplayNames([locale], { type: "region", fallback: "none" }).of(code), `cldr-self:${locale}`);
    }
    add(code, country.name, "countries-list");
    add(code, country.native, "countries-list");
    for (const alias of country.alias ?? []) if (!HISTORICAL.has(alias)) add(code, alias, "countries-list");
  }
  for (const language of I18N_LANGUAGES) {
    i18n.registerLocale(require(`i18n-iso-countries/langs/${language}.json`));
    for (const [code, list] of Object.entries(i18n.getNames(language, { select: "all" }))) {
      for (const name of list) add(code, name, `i18n-iso-countries:${language}`);
    }
  }
  for (const entry of iso31661) add(entry.alpha2, entry.name, "iso-3166");
  for (const entry of countryList.getData()) add(entry.code, entry.name, "country-list");
  for (const [code, list] of Object.entries(HAND)) for (const name of list) add(code, name, "hand");
  return names;
}

/** The table: per country its alpha-3 and sorted name keys; plus what was dropped, for review. */
function buildTable() {
  const alpha2 = Object.keys(i18n.getAlpha2Codes()).sort();
  const codes = new Set(alpha2);
  const alpha3 = new Map(alpha2.map((code) => [code, i18n.alpha2ToAlpha3(code)]));
  const alpha3Owner = new Map([...alpha3].map(([code, a3]) => [a3.toLowerCase(), code]));

  /** key -> level (0 = a source's name, 1 = derived) -> set of alpha-2. */
  const byKey = new Map();
  const note = (key, level, code) => {
    if (key === "") return;
    let levels = byKey.get(key);
    if (levels === undefined) byKey.set(key, (levels = [new Set(), new Set()]));
    levels[level].add(code);
  };
  for (const { code, name } of sourceNames(codes)) {
    note(countryKey(name), 0, code);
    for (const variant of variants(name)) note(countryKey(variant), 1, code);
  }

  const keysOf = new Map(alpha2.map((code) => [code, new Set()]));
  const dropped = { ambiguous: [], codeLike: [] };
  for (const [key, [given, derived]] of byKey) {
    const candidates = given.size > 0 ? given : derived;
    const code = candidates.size === 1 ? [...candidates][0] : DELIBERATE[key];
    if (code === undefined) {
      dropped.ambiguous.push(`${key}: ${[...candidates].sort().join(" ")}`);
      continue;
    }
    if (/^[a-z]{2}$/.test(key)) {
      dropped.codeLike.push(`${key}: ${code}`);
      continue;
    }
    const owner = alpha3Owner.get(key);
    if (owner !== undefined && owner !== code) {
      dropped.codeLike.push(`${key}: ${code} (alpha-3 of ${owner})`);
      continue;
    }
    keysOf.get(code).add(key);
  }
  const lines = alpha2.map((code) =>
    [code.toLowerCase(), alpha3.get(code).toLowerCase(), ...[...keysOf.get(code)].sort().map(encodeKey)].join(" "),
  );
  dropped.ambiguous.sort();
  dropped.codeLike.sort();
  return { lines, dropped };
}

/** Where `--workerd-names` keeps the region names workerd's `Intl.DisplayNames` gives (see `workerdNames`). */
const WORKERD_NAMES = path.join(ROOT, "scripts/countries-workerd-names.json");
const STYLES = ["long", "short"];

/**
 * Region names in the form the snapshot keeps them: per locale, every code's long name in
 * code order, and the short names that differ from the long ones.
 */
function regionNames(display, codes) {
  const out = {};
  for (const locale of LOCALES) {
    const long = codes.map((code) => display(locale, "long", code) ?? null);
    const short = {};
    codes.forEach((code, i) => {
      const name = display(locale, "short", code) ?? null;
      if (name !== long[i]) short[code] = name;
    });
    out[locale] = { long, short };
  }
  return out;
}

/** `(locale, style, code) -> name` from a snapshot written by `regionNames`. */
function fromSnapshot(snapshot) {
  const index = new Map(snapshot.codes.map((code, i) => [code, i]));
  return (locale, style, code) => {
    const names = snapshot.locales[locale];
    if (names === undefined) throw new Error(`${WORKERD_NAMES} has no ${locale}: run --workerd-names`);
    const long = names.long[index.get(code)] ?? undefined;
    return style === "short" && code in names.short ? (names.short[code] ?? undefined) : long;
  };
}

/** `(locale, style, code) -> name` from this process's ICU (Node's, CLDR). */
function nodeDisplay() {
  const cache = new Map();
  return (locale, style, code) => {
    let display = cache.get(`${locale} ${style}`);
    if (display === undefined) {
      display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
      cache.set(`${locale} ${style}`, display);
    }
    return display.of(code);
  };
}

/**
 * The region names workerd's own ICU gives for LOCALES, read from a throwaway Worker under
 * `wrangler dev` (its own state directory and dev registry), written to WORKERD_NAMES. Run again
 * after a wrangler (workerd) update; the workers test test/countries.test.ts fails when the
 * workerd the tests run in gives other names than the snapshot.
 */
async function workerdNames(codes) {
  const { spawn } = await import("node:child_process");
  const { mkdtempSync, rmSync, writeFileSync: write } = await import("node:fs");
  const os = await import("node:os");
  const dir = mkdtempSync(path.join(os.tmpdir(), "countries-workerd-"));
  const worker = `const LOCALES = ${JSON.stringify(LOCALES)};
const CODES = ${JSON.stringify(codes)};
export default {
  fetch() {
    const names = {};
    for (const locale of LOCALES)
      for (const style of ["long", "short"]) {
        const display = new Intl.DisplayNames([locale], { type: "region", style, fallback: "none" });
        names[locale + " " + style] = CODES.map((code) => display.of(code) ?? null);
      }
    return Response.json({ supported: Intl.DisplayNames.supportedLocalesOf(LOCALES), names });
  },
};
`;
  write(path.join(dir, "worker.js"), worker);
  write(
    path.join(dir, "wrangler.json"),
    JSON.stringify({ name: "countries-workerd-names", main: "worker.js", compatibility_date: "2026-08-01" }),
  );
  const port = 20000 + Math.floor(Math.random() * 20000);
  const wrangler = path.join(ROOT, "node_modules/.bin/wrangler");
  const child = spawn(
    wrangler,
    ["dev", "--config", path.join(dir, "wrangler.json"), "--port", String(port), "--ip", "127.0.0.1"].concat([
      "--persist-to",
      path.join(dir, "state"),
      "--show-interactive-dev-session=false",
    ]),
    {
      cwd: dir,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CI: "true",
        WRANGLER_REGISTRY_PATH: path.join(dir, "registry"),
      },
      stdio: "ignore",
      detached: true,
    },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        const answer = await (await fetch(`http://127.0.0.1:${port}/`)).json();
        if (answer.supported.length !== LOCALES.length)
          throw new Error(`workerd lacks ${LOCALES.filter((l) => !answer.supported.includes(l))}`);
        const get = (locale, style, code) => answer.names[`${locale} ${style}`][codes.indexOf(code)] ?? undefined;
        const version = readFileSync(path.join(ROOT, "node_modules/wrangler/package.json"), "utf8");
        return { wrangler: JSON.parse(version).version, codes, locales: regionNames(get, codes) };
      } catch (error) {
        if (i > 240 || (error instanceof Error && error.message.startsWith("workerd lacks"))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The table checked against the region names the Worker used to read from `Intl.DisplayNames` at
 * runtime, in workerd (the snapshot) and in Node: every region name of LOCALES, long and short, that
 * the table has is read as the country it names (but the keys DELIBERATE gives a country), and every
 * one it lacks is a key `buildTable` drops (ambiguous, code-like) or, in workerd, a form no source
 * gives (workerd's ICU is older: "Falkland Islands (Islas Malvinas)"; the runtime skipped those too).
 * Node's names are a source, so Node's ICU finds each of its names; see `--report` for the dropped.
 */
function checkRegionNames(lines, dropped, snapshot) {
  const codes = lines.map((line) => line.slice(0, 2).toUpperCase());
  const full = new Map();
  for (const line of lines) for (const key of line.split(" ").slice(2)) full.set(key, line.slice(0, 2));
  const droppedKeys = new Set(
    [...dropped.ambiguous, ...dropped.codeLike].map((entry) => encodeKey(entry.split(":")[0])),
  );
  const deliberate = new Set(Object.keys(DELIBERATE).map(encodeKey));
  for (const [source, display] of [
    ["workerd", fromSnapshot(snapshot)],
    ["Node", nodeDisplay()],
  ]) {
    const wrong = [];
    for (const locale of LOCALES)
      for (const style of STYLES)
        for (const code of codes) {
          const name = display(locale, style, code);
          if (name === undefined) continue;
          const key = encodeKey(countryKey(name));
          if (key === "" || droppedKeys.has(key) || deliberate.has(key)) continue;
          if (!full.has(key) && source === "workerd") continue;
          if (full.get(key) !== code.toLowerCase()) wrong.push(`${locale} ${style} ${code} ${name}: ${full.get(key)}`);
        }
    if (wrong.length > 0)
      throw new Error(
        `table: ${source}'s region names read otherwise in ${wrong.length} cases, e.g. ${wrong.slice(0, 5).join("; ")}`,
      );
  }
}

/** An installed package's version (read from disk: some packages do not export package.json). */
function version(name) {
  return JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
}

/**
 * What the generator writes: public/data/country-names.json (the table, read by the Worker from its
 * static assets once per isolate): an `about` and one line per country, so a change's diff shows
 * which countries changed.
 */
function generated() {
  const { lines, dropped } = buildTable();
  const snapshot = JSON.parse(readFileSync(WORKERD_NAMES, "utf8"));
  checkRegionNames(lines, dropped, snapshot);
  const versions = [
    `CLDR ${process.versions.cldr} (Node ${process.versions.node})`,
    `i18n-iso-countries ${version("i18n-iso-countries")}`,
    `iso-3166 ${version("iso-3166")}`,
    `country-list ${version("country-list")}`,
    `countries-list ${version("countries-list")}`,
  ];
  const about = `The country table of src/transform/countries.ts (CountryNames): one line per country: alpha-2 alpha-3 key... (every name key of the country, countryKey's keys as encodeKey writes them). From ${versions.join(", ")}; checked against workerd's region names (wrangler ${snapshot.wrangler}, scripts/countries-workerd-names.json). Generated by scripts/generate-countries.mjs: do not edit; run \`npm run generate:countries\`.`;
  return `{"about":${JSON.stringify(about)},\n"table":[\n${lines.map((line) => JSON.stringify(line)).join(",\n")}\n]}\n`;
}

async function main() {
  if (process.argv.includes("--workerd-names")) {
    const codes = Object.keys(i18n.getAlpha2Codes()).sort();
    writeFileSync(WORKERD_NAMES, `${JSON.stringify(await workerdNames(codes))}\n`);
    console.log(`wrote ${path.relative(ROOT, WORKERD_NAMES)}`);
    return;
  }
  const why = process.argv.indexOf("--why");
  if (why > 0) {
    const wanted = countryKey(process.argv[why + 1] ?? "");
    const codes = new Set(Object.keys(i18n.getAlpha2Codes()));
    for (const { code, name, source } of sourceNames(codes)) {
      if (countryKey(name) === wanted) console.log(`${code} ${source}: ${name}`);
      for (const variant of variants(name))
        if (countryKey(variant) === wanted) console.log(`${code} ${source} (derived): ${name}`);
    }
    return;
  }
  if (process.argv.includes("--report")) {
    const { dropped } = buildTable();
    const codes = new Set(Object.keys(i18n.getAlpha2Codes()));
    const all = sourceNames(codes);
    const fromPackages = new Set(all.filter((n) => n.source !== "hand").map((n) => `${n.code} ${countryKey(n.name)}`));
    const redundant = all.filter((n) => n.source === "hand" && fromPackages.has(`${n.code} ${countryKey(n.name)}`));
    console.log(`HAND names a package also gives:\n  ${redundant.map((n) => `${n.code} ${n.name}`).join("\n  ")}`);
    console.log(
      `ambiguous (dropped):\n  ${dropped.ambiguous.join("\n  ")}\ncode-like (dropped):\n  ${dropped.codeLike.join("\n  ")}`,
    );
    return;
  }
  writeOrCheck({ target: TABLE_TARGET, next: generated(), fix: "npm run generate:countries" });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
