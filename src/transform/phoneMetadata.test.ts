/// <reference types="node" />
/**
 * public/data/phone-metadata.json, the Worker's phone metadata (libphonenumber-js `max` less what
 * only formatting reads, written by scripts/generate-phone-metadata.mjs), against `max` itself:
 * - it is what the generator makes from the installed libphonenumber-js, so an upgrade without
 *   `npm run generate:phone` fails here;
 * - differential: over a corpus from every country and non-geographic calling code, the same
 *   functions phone.ts calls (`libphonenumber-js/core`, as `libphonenumber-js/max` wraps them)
 *   give the same E.164 number, validity, possibility, number type and country under both.
 *   The corpus: libphonenumber-js's example mobile number of each country and numbers drawn
 *   from each of its number types' patterns (fixed line, toll free, …) and its general pattern,
 *   each also with a digit dropped, a digit added and a wrong leading digit; each written
 *   international (`+`), behind the country's international prefix, national (with and without
 *   the national prefix, and behind a prefix its national prefix rule strips or rewrites) and
 *   with the calling code but no `+`, all but the first with the country as the default, as
 *   phone.ts reads them.
 */
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type MetadataJson,
} from "libphonenumber-js/core";
import examples from "libphonenumber-js/examples.mobile.json";
import max from "libphonenumber-js/metadata.max.json";
import { describe, expect, it } from "vitest";
import phoneFile from "../../public/data/phone-metadata.json";
import { checkGenerated } from "../../test/generatorCheck";

/** The metadata the Worker reads from its static assets. */
const STRIPPED = phoneFile.metadata as unknown as MetadataJson;

describe("public/data/phone-metadata.json", () => {
  it("is what scripts/generate-phone-metadata.mjs makes from the installed libphonenumber-js", () => {
    expect(() => checkGenerated("scripts/generate-phone-metadata.mjs")).not.toThrow();
  });
});

/** Number types in the order of a numbering plan's types (libphonenumber-js source/metadata.js `getType`). */
const TYPES = [
  "FIXED_LINE",
  "MOBILE",
  "TOLL_FREE",
  "PREMIUM_RATE",
  "PERSONAL_NUMBER",
  "VOICEMAIL",
  "UAN",
  "PAGER",
  "VOIP",
  "SHARED_COST",
] as const;

/** The positions of a compressed numbering plan the corpus is drawn from. */
type TypeDefinition = [pattern: string, possibleLengths?: number[]] | 0;
type Plan = {
  callingCode: string;
  internationalPrefix: string;
  pattern: string;
  nationalPrefix: string | 0;
  nationalPrefixForParsing: string | 0;
  types: TypeDefinition[] | 0;
};
function planOf(compressed: unknown[]): Plan {
  return {
    callingCode: compressed[0] as string,
    internationalPrefix: compressed[1] as string,
    pattern: compressed[2] as string,
    nationalPrefix: compressed[5] as string | 0,
    nationalPrefixForParsing: compressed[7] as string | 0,
    types: compressed[11] as TypeDefinition[] | 0,
  };
}

/**
 * A regular expression of the metadata's syntax: digits, `\d`, `[…]`, groups, `|`, `?`, `{n}`,
 * `{n,m}`, and `$` (kept as "$" in a sample: the national prefix rules use it for a local number
 * that stands alone).
 */
type Alternatives = Term[][];
type Term = { atom: { digits: string } | { group: Alternatives }; min: number; max: number };

function parsePattern(pattern: string): Alternatives {
  let at = 0;
  const fail = () => new Error(`pattern ${pattern}: unexpected ${JSON.stringify(pattern[at])} at ${at}`);
  const classDigits = (body: string) => {
    let digits = "";
    for (let j = 0; j < body.length; j++) {
      if (body.startsWith("\\d", j)) {
        digits += "0123456789";
        j++;
      } else if (body[j + 1] === "-") {
        for (let d = Number(body[j]); d <= Number(body[j + 2]); d++) digits += String(d);
        j += 2;
      } else digits += body[j];
    }
    return digits;
  };
  const atom = (): Term["atom"] => {
    if (pattern[at] === "(") {
      at += pattern.startsWith("(?:", at) ? 3 : 1;
      const group = alternatives();
      if (pattern[at++] !== ")") throw fail();
      return { group };
    }
    if (pattern[at] === "[") {
      const end = pattern.indexOf("]", at);
      const digits = classDigits(pattern.slice(at + 1, end));
      at = end + 1;
      return { digits };
    }
    if (pattern[at] === "$") {
      at++;
      return { digits: "$" };
    }
    if (pattern.startsWith("\\d", at)) {
      at += 2;
      return { digits: "0123456789" };
    }
    if (!/\d/.test(pattern[at] ?? "")) throw fail();
    return { digits: pattern[at++] as string };
  };
  const term = (): Term => {
    const read = atom();
    if (pattern[at] === "?") {
      at++;
      return { atom: read, min: 0, max: 1 };
    }
    const count = /^\{(\d+)(?:,(\d+))?\}/.exec(pattern.slice(at));
    if (count === null) return { atom: read, min: 1, max: 1 };
    at += count[0].length;
    return { atom: read, min: Number(count[1]), max: Number(count[2] ?? count[1]) };
  };
  const sequence = (): Term[] => {
    const terms: Term[] = [];
    while (at < pattern.length && pattern[at] !== "|" && pattern[at] !== ")") terms.push(term());
    return terms;
  };
  const alternatives = (): Alternatives => {
    const options = [sequence()];
    while (pattern[at] === "|") {
      at++;
      options.push(sequence());
    }
    return options;
  };
  const parsed = alternatives();
  if (at !== pattern.length) throw fail();
  return parsed;
}

/** Deterministic draws in [0, 1) (mulberry32), so the corpus is the same on every run. */
function drawsFrom(seedText: string): () => number {
  let seed = 2166136261; // FNV-1a of the text
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A string `pattern` matches, its choices drawn from `draw`. */
function sample(pattern: Alternatives, draw: () => number): string {
  const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(draw() * list.length)] as T;
  const sequence = (terms: Term[]) =>
    terms
      .map(({ atom, min, max: most }) => {
        let text = "";
        for (let n = min + Math.floor(draw() * (most - min + 1)); n > 0; n--) {
          text += "digits" in atom ? pick(atom.digits) : sample(atom.group, draw);
        }
        return text;
      })
      .join("");
  return sequence(pick(pattern));
}

const SAMPLES_PER_PATTERN = 2;

/** National significant numbers of a plan: its example mobile number and draws from its patterns. */
function nationalNumbers(key: string, plan: Plan): string[] {
  const numbers: string[] = [];
  const example = (examples as Record<string, string | undefined>)[key];
  if (example !== undefined) numbers.push(example);
  const patterns = [plan.pattern, ...(plan.types === 0 ? [] : plan.types.map((t) => (t === 0 ? "" : t[0])))];
  patterns.forEach((pattern, index) => {
    if (pattern === "") return;
    const draw = drawsFrom(`${key}/${index}`);
    const parsed = parsePattern(pattern);
    for (let n = 0; n < SAMPLES_PER_PATTERN; n++) numbers.push(sample(parsed, draw));
  });
  return numbers;
}

/** A number and the invalid-looking variants of it: a digit dropped, one added, a wrong leading digit. */
function variants(number: string): string[] {
  const first = Number(number[0]);
  return [number, number.slice(0, -1), `${number}5`, `${(first + 1) % 10}${number.slice(1)}`];
}

type Input = { text: string; country?: CountryCode };

/**
 * `number` behind a prefix drawn from a national prefix rule (a carrier code, Argentina's
 * `0 11 15` before a local mobile number, …), less up to three leading digits as a local number
 * leaves out what the prefix stands for; a prefix ending in `$` is a whole local number alone.
 */
function behindPrefix(prefix: string, number: string, draw: () => number): string {
  if (prefix.endsWith("$")) return prefix.slice(0, -1);
  return `${prefix}${number.slice(Math.floor(draw() * 4))}`;
}

/** Every way the corpus writes each number of a plan (`key`: a country, or a non-geographic calling code). */
function corpus(key: string, plan: Plan): Input[] {
  const numbers = nationalNumbers(key, plan).flatMap(variants);
  const international = (number: string): Input => ({ text: `+${plan.callingCode} ${number}` });
  if (!/^[A-Z]{2}$/.test(key)) return numbers.map(international);
  const country = key as CountryCode;
  const internationalPrefix = parsePattern(plan.internationalPrefix);
  const prefixForParsing =
    plan.nationalPrefixForParsing === 0 ? undefined : parsePattern(plan.nationalPrefixForParsing);
  const draw = drawsFrom(`${key}/prefixes`);
  return numbers.flatMap((number): Input[] => [
    international(number),
    { text: `${sample(internationalPrefix, draw)} ${plan.callingCode} ${number}`, country },
    { text: number, country },
    ...(plan.nationalPrefix === 0 ? [] : [{ text: `${plan.nationalPrefix}${number}`, country }]),
    ...(prefixForParsing === undefined
      ? []
      : [{ text: behindPrefix(sample(prefixForParsing, draw), number, draw), country }]),
    { text: `${plan.callingCode}${number}`, country },
  ]);
}

/** What libphonenumber-js makes of an input under `metadata`, in every respect phone.ts could read. */
function reading({ text, country }: Input, metadata: MetadataJson) {
  const parsed =
    country === undefined
      ? parsePhoneNumberFromString(text, metadata)
      : parsePhoneNumberFromString(text, country, metadata);
  if (parsed === undefined) return { text, country, parsed: false };
  return {
    text,
    country,
    number: parsed.number,
    region: parsed.country,
    callingCode: parsed.countryCallingCode,
    nationalNumber: parsed.nationalNumber,
    valid: parsed.isValid(),
    possible: parsed.isPossible(),
    type: parsed.getType(),
    possibleCountries: parsed.getPossibleCountries(),
  };
}

const FULL = max as MetadataJson;
const PLANS: [string, Plan][] = [
  ...Object.entries(FULL.countries).map(([key, compressed]): [string, Plan] => [key, planOf(compressed)]),
  ...Object.entries(FULL.nonGeographic).map(([key, compressed]): [string, Plan] => [key, planOf(compressed)]),
];

describe("the phone metadata reads numbers as libphonenumber-js max does", () => {
  it("has the same countries", () => {
    const countries = Object.keys(FULL.countries) as CountryCode[];
    expect(countries.filter((c) => isSupportedCountry(c, STRIPPED))).toEqual(countries);
    expect(Object.keys(STRIPPED.nonGeographic)).toEqual(Object.keys(FULL.nonGeographic));
  });

  it.each(PLANS)("%s: same number, validity, type and country for every input", (key, plan) => {
    const inputs = corpus(key, plan);
    expect(inputs.map((input) => reading(input, STRIPPED))).toEqual(inputs.map((input) => reading(input, FULL)));
  });

  it("has a corpus with valid numbers of every type the metadata defines, and invalid ones", () => {
    const readings = PLANS.flatMap(([key, plan]) => corpus(key, plan).map((input) => reading(input, FULL)));
    const defined = new Set(
      PLANS.flatMap(([, { types }]) => (types === 0 ? [] : TYPES.filter((_, index) => types[index] !== 0))),
    );
    const validTypes = new Set(readings.flatMap((r) => ("valid" in r && r.valid && r.type ? [r.type] : [])));
    expect([...defined].filter((type) => !validTypes.has(type))).toEqual([]);
    const regions = new Set(readings.flatMap((r) => ("valid" in r && r.valid && r.region ? [r.region] : [])));
    expect(regions.size).toBeGreaterThan(230);
    // About 55,000 inputs with libphonenumber-js 1.13: a third valid, nearly all others parsed but invalid.
    expect(readings.filter((r) => "valid" in r && r.valid).length).toBeGreaterThan(10_000);
    expect(readings.filter((r) => "valid" in r && !r.valid).length).toBeGreaterThan(10_000);
  });
});
