/**
 * `ph`: a phone number as Meta matches it (E.164 digits without "+"), and the region the number
 * belongs to, read with libphonenumber-js and its full metadata (`max`: every country's number
 * ranges per type, as Google's libphonenumber validates; the `min` set checks little more than
 * lengths, so an international number missing its "+" could pass as a national one).
 *
 * The metadata is public/data/phone-metadata.json: libphonenumber-js's `metadata.max.json` less
 * the parts only formatting reads (the number formats, about 9 KB gzipped), written by
 * scripts/generate-phone-metadata.mjs. After upgrading libphonenumber-js, regenerate it with
 * `npm run generate:phone` (phoneMetadata.test.ts fails until then, and checks that parsing,
 * validity, number type and country are the same as with `max` for every country). Nothing here
 * formats a number; a formatting function (`format`, `formatNational`, `AsYouType`, …) would need
 * the formats back.
 *
 * The metadata is not part of the Worker's code (about 25 KiB gzipped): it is a static asset, read
 * once per isolate outside this layer and handed in with {@link installPhoneMetadata} (./dataTables).
 *
 * Pure functions: no I/O, no clock.
 */
import {
  isSupportedCountry as isSupportedCountryIn,
  parsePhoneNumberFromString as parsePhoneNumberIn,
  type CountryCode,
  type MetadataJson,
  type PhoneNumber,
} from "libphonenumber-js/core";
import { cleanText, countryCode, dropped, foldDigits } from "./normalize";

/** The isolate's phone metadata, once installed. */
let installed: MetadataJson | undefined;

/**
 * Hands this module the phone metadata (public/data/phone-metadata.json's `metadata`), once per
 * isolate before the first phone is read: ./dataTables `installDataTables` does it.
 */
export function installPhoneMetadata(metadata: MetadataJson): void {
  installed = metadata;
}

/** The installed metadata; throws when none is: a caller that reads phones must load the data tables first. */
function metadata(): MetadataJson {
  if (installed === undefined) throw new Error("phone metadata not installed: load the data tables first");
  return installed;
}

/** libphonenumber's reading of `text` (national when `country` is given), under the installed metadata. */
const parsePhoneNumberFromString = (text: string, country?: CountryCode): PhoneNumber | undefined =>
  country === undefined ? parsePhoneNumberIn(text, metadata()) : parsePhoneNumberIn(text, country, metadata());

/** Whether the metadata has `code` (alpha-2, uppercase), as `libphonenumber-js/max`'s `isSupportedCountry`. */
const isSupportedCountry = (code: string): code is CountryCode => isSupportedCountryIn(code as CountryCode, metadata());

/**
 * What `normalizePhone` made of a number: its E.164 digits and the region libphonenumber
 * places it in (lowercase alpha-2; for a shared calling code such as +1, +44 or +7, from the
 * leading digits; `undefined` when it cannot tell, e.g. +800), or why there is none.
 */
export type PhoneResult = { ok: true; value: string; region: string | undefined } | { ok: false; reason: string };

/**
 * Mexico's national forms from before its 2019 numbering reform, still typed by shoppers: the
 * mobile prefixes 044 and 045, the long-distance prefix 01, and the 1 once dialled before a
 * mobile number (also after +52). Each stands before today's 10-digit number, which is what
 * Meta matches. Google's current metadata no longer strips them, so they are read here.
 */
const MEXICO_LEGACY_PREFIX = /^(?:04[45]|01|1)([2-9]\d{9})$/;

/** libphonenumber's reading of `text`, if valid under the full metadata (Mexico's old prefixes removed). */
function validNumber(text: string, country?: CountryCode): PhoneNumber | undefined {
  const parsed = parsePhoneNumberFromString(text, country);
  if (parsed === undefined) return undefined;
  if (parsed.isValid()) return parsed;
  const legacy = parsed.countryCallingCode === "52" ? MEXICO_LEGACY_PREFIX.exec(parsed.nationalNumber) : null;
  if (legacy === null) return undefined;
  const current = parsePhoneNumberFromString(`+52${legacy[1]}`);
  return current?.isValid() ? current : undefined;
}

function result(parsed: PhoneNumber): PhoneResult {
  return { ok: true, value: parsed.number.slice(1), region: parsed.country?.toLowerCase() };
}

/** libphonenumber's country for `country` in any form `normalizeCountry` reads, if it has metadata for it. */
function phoneCountry(country: string | undefined): CountryCode | undefined {
  const code = countryCode(country)?.toUpperCase();
  return code !== undefined && isSupportedCountry(code) ? code : undefined;
}

/**
 * `ph`: digits only, with the country calling code and without international prefix or trunk
 * zero (E.164 without "+"), valid under libphonenumber's full metadata. The readings, in order;
 * the first valid one wins:
 * 1. a `+` before the first digit: international, `country` is not used;
 * 2. a leading `00` (the common international prefix): read as `+`;
 * 3. with `country` (alpha-2 in any case, alpha-3 or a name, as `normalizeCountry` reads them):
 *    a national number of that country, also accepting its own international prefix (`011`
 *    for US) and a number already starting with its calling code (`16505551212` with US);
 * 4. 11 to 15 digits read as an international number without its `+` (a US number written
 *    `14155550123` by a shopper in Germany).
 * Full metadata matters at step 3: `14155550123` has a length German numbers can have, but no
 * German number range holds it, so it is read at step 4 as the US number it is. When both
 * readings are valid the shopper's country wins (a German `15123456789` without its trunk zero
 * is a German mobile, not a Texan number). Mexico's pre-2019 forms (`044 55 1234 5678`,
 * `045 …`, `01 …`, `1` before the number, also `+52 1 …`) are read as today's number.
 * Extensions are dropped. Full-width digits and `＋`, and digits of other scripts (Arabic-Indic
 * `٠-٩`, …), are read as ASCII (see `foldDigits`). The result carries the number's region (see
 * `PhoneResult`).
 *
 * @example
 * ```ts
 * normalizePhone("+1 (415) 555-0123");   // { ok: true, value: "14155550123", region: "us" }
 * normalizePhone("(650)555-1212", "US"); // { ok: true, value: "16505551212", region: "us" }
 * normalizePhone("020 7946 0958", "gb"); // { ok: true, value: "442079460958", region: "gb" }
 * normalizePhone("044 55 1234 5678", "MX"); // { ok: true, value: "525512345678", region: "mx" }
 * normalizePhone("０９０-１２３４-５６７８", "JP"); // { ok: true, value: "819012345678", region: "jp" }
 * normalizePhone("555-0123", "US");      // { ok: false, reason: "not a valid number for US" }
 * normalizePhone("(650)555-1212");       // { ok: false, reason: "no calling code and no country" }
 * ```
 */
export function normalizePhone(raw: string, country?: string): PhoneResult {
  const text = foldDigits(cleanText(raw));
  const digits = text.replace(/\D/g, "");
  if (digits === "") return dropped("not a phone number");
  if (/^\D*\+/.test(text)) {
    const international = validNumber(text);
    return international === undefined ? dropped("not a valid international number") : result(international);
  }
  if (digits.startsWith("00")) {
    const international = validNumber(`+${digits.slice(2)}`);
    if (international !== undefined) return result(international);
  }
  const region = phoneCountry(country);
  if (region !== undefined) {
    const national = validNumber(text, region);
    if (national !== undefined) return result(national);
  }
  if (digits.length >= 11 && digits.length <= 15) {
    const international = validNumber(`+${digits}`);
    if (international !== undefined) return result(international);
  }
  const known = countryCode(country);
  return dropped(
    known === undefined ? "no calling code and no country" : `not a valid number for ${known.toUpperCase()}`,
  );
}
