/**
 * Writes src/transform/phoneMetadata.json: libphonenumber-js's `max` metadata (Google's number
 * ranges per country and per number type) less the fields only formatting reads, so the Worker
 * carries what parsing, `isValid()`, number types and country detection need and nothing else.
 * The number formats are the bulk of what goes (about 9 KB gzipped); see WHAT_FORMATTING_ALONE_READS.
 *
 * Run it after every libphonenumber-js upgrade: `npm run generate:phone`. `--check` writes nothing
 * and exits 1 when the committed file differs from what the installed package gives now
 * (src/transform/phoneMetadata.test.ts runs it, and compares both metadata over every country).
 *
 * The input is the compressed metadata format (version 4): each numbering plan is an array whose
 * positions libphonenumber-js's `NumberingPlan` (source/metadata.js) reads. The script refuses any
 * other version, so a format change cannot slip through unread.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = require.resolve("libphonenumber-js/metadata.max.json");
const TARGET = path.join(ROOT, "src/transform/phoneMetadata.json");

/**
 * Positions of a numbering plan (libphonenumber-js 1.13, source/metadata.js) read only on the way
 * to a formatted number, checked by reading every caller in its source:
 * - 4 `formats()`: format.js, AsYouTypeFormatter.js, findNumbers/Leniency.js;
 * - 12 `defaultIDDPrefix()`: helpers/getIddPrefix.js, whose callers are format.js (`IDD`) and
 *   AsYouTypeFormatter.js;
 * - 13 `ext()`: format.js (the extension's prefix) and `getExtPrefix()`.
 * (6, the national prefix formatting rule, and 9, "national prefix optional when formatting", are
 * also formatting's, but Google's data keeps them inside the formats and leaves both at 0 here.)
 * Parsing, `isValid()`, `getType()` and the country of a shared calling code read 0-3, 5, 7, 8,
 * 10 and 11: calling code, international prefix, number pattern, lengths, national prefix and its
 * parsing rules, leading digits and the per-type patterns.
 */
const FORMATS = 4;
const FIRST_FORMATTING_TAIL = 12;

/**
 * A numbering plan without its formats (0 is the compressed format's "none", as Canada's under
 * the US's +1) and without its formatting-only tail. Throws on a plan longer than the format
 * this script was written against.
 */
function withoutFormatting(plan, name) {
  if (!Array.isArray(plan) || plan.length > 14) {
    throw new Error(`numbering plan ${name}: not the 14-position array this script knows`);
  }
  const kept = plan.slice(0, FIRST_FORMATTING_TAIL);
  kept[FORMATS] = 0;
  return kept;
}

/** The stripped metadata, as an object of the same shape as `metadata.max.json`. */
function phoneMetadata(max) {
  if (max.version !== 4) throw new Error(`metadata version ${max.version}: this script knows version 4 only`);
  const strip = (plans) =>
    Object.fromEntries(Object.entries(plans).map(([k, plan]) => [k, withoutFormatting(plan, k)]));
  return {
    version: max.version,
    country_calling_codes: max.country_calling_codes,
    countries: strip(max.countries),
    nonGeographic: strip(max.nonGeographic),
  };
}

/** JSON with one numbering plan per line, so an upgrade's diff shows which countries changed. */
function serialize(metadata) {
  const section = (plans) =>
    `{\n${Object.entries(plans)
      .map(([k, plan]) => `${JSON.stringify(k)}:${JSON.stringify(plan)}`)
      .join(",\n")}\n}`;
  return (
    `{"version":${JSON.stringify(metadata.version)},\n` +
    `"country_calling_codes":${JSON.stringify(metadata.country_calling_codes)},\n` +
    `"countries":${section(metadata.countries)},\n` +
    `"nonGeographic":${section(metadata.nonGeographic)}}\n`
  );
}

function main() {
  const next = serialize(phoneMetadata(JSON.parse(readFileSync(SOURCE, "utf8"))));
  const version = JSON.parse(readFileSync(require.resolve("libphonenumber-js/package.json"), "utf8")).version;
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(TARGET, "utf8");
    } catch {
      // missing: reported as differing below
    }
    if (current !== next) {
      console.error(
        `src/transform/phoneMetadata.json is not what libphonenumber-js ${version} (installed) gives: run \`npm run generate:phone\``,
      );
      process.exit(1);
    }
    console.log("phoneMetadata.json is up to date");
    return;
  }
  writeFileSync(TARGET, next);
  console.log(`wrote ${path.relative(ROOT, TARGET)} from libphonenumber-js ${version}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
