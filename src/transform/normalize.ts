/**
 * Meta's advanced-matching normalization for `user_data`, one function per key, following
 * "Customer Information Parameters" (see ../shared/meta-capi.md). Each function returns the
 * normalized plaintext (to be hashed with `sha256Hex`), or `undefined` when the input cannot be
 * made valid: such a field is dropped, never sent malformed. All text is first put in Unicode
 * NFC, so "é" typed as one code point or as "e" + combining accent hashes the same.
 *
 * Pure functions: no I/O, no clock (`normalizeDateOfBirth` takes `now` as an argument).
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { findCountry } from "./countries";
import { findRegion } from "./states";

/** NFC, then trimmed. */
function clean(raw: string): string {
  return raw.normalize("NFC").trim();
}

/** Letters (any script) and their combining marks, lowercase; everything else removed. */
function lettersOnly(raw: string): string {
  return clean(raw).toLowerCase().replace(/[^\p{L}\p{M}]/gu, "");
}

const EMAIL_LOCAL = /^[^\s@"(),:;<>[\]\\]{1,64}$/u;
const EMAIL_DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const EMAIL_TLD = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

/**
 * `em`: trimmed and lowercased, if it has the shape of an address: one `@`, a local part
 * without spaces, quotes or leading/trailing/double dots, and a domain of at least two labels
 * ending in a letter TLD (internationalized domains and punycode accepted). At most 254 chars.
 *
 * @example
 * ```ts
 * normalizeEmail(" John_Smith@gmail.com "); // "john_smith@gmail.com"
 * normalizeEmail("jane@localhost");          // undefined
 * ```
 */
export function normalizeEmail(raw: string): string | undefined {
  const email = clean(raw).toLowerCase();
  if (email.length > 254) return undefined;
  const at = email.lastIndexOf("@");
  if (at <= 0 || email.indexOf("@") !== at) return undefined;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!EMAIL_LOCAL.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return undefined;
  }
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => EMAIL_DOMAIN_LABEL.test(label))) return undefined;
  if (!EMAIL_TLD.test(labels[labels.length - 1]!)) return undefined;
  return email;
}

/** libphonenumber's country type for a country in any form `normalizeCountry` reads, if it has metadata for it. */
function phoneCountry(country: string | undefined): CountryCode | undefined {
  const code = country === undefined ? undefined : normalizeCountry(country)?.toUpperCase();
  return code !== undefined && isSupportedCountry(code) ? code : undefined;
}

/** E.164 digits (no "+") of `text` parsed with `country`, when libphonenumber finds it valid. */
function validPhone(text: string, country?: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed !== undefined && parsed.isValid() ? parsed.number.slice(1) : undefined;
}

/**
 * `ph`: digits only, with the country calling code and without international prefix or trunk
 * zero (E.164 without "+"), validated against libphonenumber's metadata (min set: length and
 * number ranges per country). How the calling code is found, in order:
 * 1. the number starts with `+`: it is international, `country` is not used;
 * 2. it starts with `00` (the common international prefix): read as `+`;
 * 3. `country` (alpha-2 in any case, or alpha-3 or name as `normalizeCountry` reads them) reads
 *    it as a national number,
 *    also accepting that country's own international prefix (`011` for US) and a number
 *    already starting with the country's calling code (`16505551212` with US);
 * 4. 11 to 15 digits that form a valid international number: read as international without
 *    the `+` (a US number written `16505551212` by a shopper in another country).
 * Extensions are dropped. Anything else (too short, unassigned range, letters) is `undefined`.
 *
 * @example
 * ```ts
 * normalizePhone("+1 (415) 555-0123");        // "14155550123"
 * normalizePhone("(650)555-1212", "US");      // "16505551212"
 * normalizePhone("0044 20 7946 0958");        // "442079460958"
 * normalizePhone("020 7946 0958", "gb");      // "442079460958"
 * normalizePhone("555-0123", "US");           // undefined (too short)
 * ```
 */
export function normalizePhone(raw: string, country?: string): string | undefined {
  const text = clean(raw);
  if (text === "") return undefined;
  if (text.startsWith("+")) return validPhone(text);
  const digits = text.replace(/\D/g, "");
  if (digits.startsWith("00")) {
    const international = validPhone(`+${digits.slice(2)}`);
    if (international !== undefined) return international;
  }
  const region = phoneCountry(country);
  if (region !== undefined) {
    const national = validPhone(text, region);
    if (national !== undefined) return national;
  }
  if (digits.length >= 11 && digits.length <= 15) return validPhone(`+${digits}`);
  return undefined;
}

/**
 * `fn` / `ln`: lowercase, every character that is not a letter removed (spaces, punctuation,
 * digits, symbols); letters of any script and their accents kept, in NFC.
 *
 * @example
 * ```ts
 * normalizeName("Valéry");    // "valéry"
 * normalizeName("O'Connor");  // "oconnor"
 * normalizeName("Mary Ann");  // "maryann"
 * normalizeName(" - ");       // undefined
 * ```
 */
export function normalizeName(raw: string): string | undefined {
  const name = lettersOnly(raw);
  return name === "" ? undefined : name;
}

const GENDERS: Record<string, "f" | "m"> = { f: "f", female: "f", woman: "f", m: "m", male: "m", man: "m" };

/**
 * `ge`: `"f"` or `"m"` from f, m, female, male, woman, man (any case, surrounding spaces and
 * punctuation ignored); anything else (including non-binary answers Meta has no code for) is
 * `undefined`.
 *
 * @example
 * ```ts
 * normalizeGender("Female"); // "f"
 * normalizeGender("M");      // "m"
 * normalizeGender("other");  // undefined
 * ```
 */
export function normalizeGender(raw: string): string | undefined {
  const key = clean(raw).toLowerCase().replace(/[^a-z]/g, "");
  return Object.hasOwn(GENDERS, key) ? GENDERS[key] : undefined;
}

const MIN_BIRTH_YEAR = 1900;
const MAX_BIRTH_YEAR_WITHOUT_NOW = 2100;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** "YYYYMMDD" when y-m-d is a real calendar date in the accepted years, else undefined. */
function calendarDate(year: number, month: number, day: number, now?: number): string | undefined {
  if (year < MIN_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  const date = `${pad(year, 4)}${pad(month, 2)}${pad(day, 2)}`;
  if (now === undefined) return year <= MAX_BIRTH_YEAR_WITHOUT_NOW ? date : undefined;
  const today = new Date(now);
  const todayText = `${pad(today.getUTCFullYear(), 4)}${pad(today.getUTCMonth() + 1, 2)}${pad(today.getUTCDate(), 2)}`;
  return date <= todayText ? date : undefined;
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\S*)?$/;
const YEAR_FIRST = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SLASHED = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const MONTH_FIRST = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/;
const DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?\.? ([a-z]{3,9})\.?,? (\d{4})$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** 1-12 for an English month name or its 3-letter abbreviation ("sept" too), else 0. */
function monthNumber(word: string): number {
  const full = MONTH_NAMES.indexOf(word);
  if (full >= 0) return full + 1;
  const short = MONTHS.indexOf(word === "sept" ? "sep" : word);
  return short + 1;
}

/**
 * `db`: `YYYYMMDD` from one of these shapes (one- or two-digit day and month):
 * - ISO `1990-02-14`, also with a time (`1990-02-14T00:00:00Z`; the date part is taken as is);
 * - `YYYY/MM/DD`, `YYYY.MM.DD` and `YYYYMMDD`;
 * - `MM/DD/YYYY` or `MM-DD-YYYY` (US order), read as `DD/MM/YYYY` when the first part is over 12;
 * - `DD.MM.YYYY` (European dotted order);
 * - English month names or 3-letter abbreviations: `February 16, 1997`, `Feb 16 1997`,
 *   `16 February 1997`, `16th Feb 1997`.
 * The date must exist in the calendar (no 02/30, 29 Feb only in leap years) with a year from
 * 1900. With `now` (Unix ms, the caller's clock) it must not be after that day (UTC);
 * without it the year must be at most 2100. Two-digit years are ambiguous: `undefined`.
 *
 * @example
 * ```ts
 * normalizeDateOfBirth("02/16/1997");  // "19970216"
 * normalizeDateOfBirth("1990-02-14");  // "19900214"
 * normalizeDateOfBirth("16.02.1997");  // "19970216"
 * normalizeDateOfBirth("Feb 16, 1997"); // "19970216"
 * normalizeDateOfBirth("02/30/1997");  // undefined
 * normalizeDateOfBirth("2030-01-01", Date.UTC(2026, 10, 25)); // undefined (future)
 * ```
 */
export function normalizeDateOfBirth(raw: string, now?: number): string | undefined {
  const text = clean(raw);
  const yearFirst = ISO_DATE.exec(text) ?? YEAR_FIRST.exec(text) ?? COMPACT.exec(text);
  if (yearFirst !== null) {
    return calendarDate(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]), now);
  }
  const slashed = SLASHED.exec(text);
  if (slashed !== null) {
    const first = Number(slashed[1]);
    const second = Number(slashed[2]);
    const year = Number(slashed[3]);
    return first > 12 ? calendarDate(year, second, first, now) : calendarDate(year, first, second, now);
  }
  const dotted = DOTTED.exec(text);
  if (dotted !== null) return calendarDate(Number(dotted[3]), Number(dotted[2]), Number(dotted[1]), now);
  const words = text.toLowerCase().replace(/\s+/g, " ");
  const monthFirst = MONTH_FIRST.exec(words);
  if (monthFirst !== null) {
    return calendarDate(Number(monthFirst[3]), monthNumber(monthFirst[1]!), Number(monthFirst[2]), now);
  }
  const dayFirst = DAY_FIRST.exec(words);
  if (dayFirst !== null) {
    return calendarDate(Number(dayFirst[3]), monthNumber(dayFirst[2]!), Number(dayFirst[1]), now);
  }
  return undefined;
}

/**
 * `ct`: lowercase, letters only (any script, accents kept): spaces, punctuation and digits
 * removed.
 *
 * @example
 * ```ts
 * normalizeCity("St. Louis");     // "stlouis"
 * normalizeCity("São Paulo");     // "sãopaulo"
 * normalizeCity("123");           // undefined
 * ```
 */
export function normalizeCity(raw: string): string | undefined {
  const city = lettersOnly(raw);
  return city === "" ? undefined : city;
}

/**
 * `st`: for the US and Canada (or no country), the lowercase two-letter code from a code or a
 * name (`California` or `CA` -> `ca`, `Québec` -> `qc`); with country US or CA, text that is
 * neither is `undefined`. Elsewhere (or unknown text without a country), lowercase with
 * punctuation and spaces removed (letters and digits kept), as Meta asks outside the US.
 * `country` may be an alpha-2, alpha-3 or English name (see `normalizeCountry`).
 *
 * @example
 * ```ts
 * normalizeState("California");           // "ca"
 * normalizeState("CA", "US");             // "ca"
 * normalizeState("British Columbia");     // "bc"
 * normalizeState("Île-de-France", "FR");  // "îledefrance"
 * normalizeState("Narnia", "US");         // undefined
 * ```
 */
export function normalizeState(raw: string, country?: string): string | undefined {
  const code = country === undefined ? undefined : normalizeCountry(country);
  if (code === "us" || code === "ca") return findRegion(raw, code);
  if (code === undefined) {
    const region = findRegion(raw);
    if (region !== undefined) return region;
  }
  const state = clean(raw).toLowerCase().replace(/[^\p{L}\p{M}\p{N}]/gu, "");
  return state === "" ? undefined : state;
}

const US_ZIP = /^(\d{5})(?:\d{4})?$/;

/**
 * `zp`: lowercase with spaces, dashes and other punctuation removed (2 to 10 letters or
 * digits). For the US, and for an unknown country when the code looks like a US ZIP
 * (5 digits, or 9 as ZIP+4), only the first 5 digits; a US code of another shape is
 * `undefined`. `country` may be an alpha-2, alpha-3 or English name.
 *
 * @example
 * ```ts
 * normalizeZip("94103-1234");        // "94103"
 * normalizeZip("NR9 5AL", "GB");     // "nr95al"
 * normalizeZip("100-0001", "JP");    // "1000001"
 * normalizeZip("9410", "US");        // undefined
 * ```
 */
export function normalizeZip(raw: string, country?: string): string | undefined {
  const code = country === undefined ? undefined : normalizeCountry(country);
  const zip = clean(raw).toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  const usZip = US_ZIP.exec(zip);
  if (code === "us") return usZip?.[1];
  if (code === undefined && usZip !== null) return usZip[1];
  return /^[\p{L}\p{N}]{2,10}$/u.test(zip) ? zip : undefined;
}

/**
 * `country`: ISO 3166-1 alpha-2, lowercase, from an alpha-2 or alpha-3 code or an English
 * name (any case; also "UK", "USA" and a few native names such as "Deutschland"); unknown
 * text is `undefined`. Data: `./countries` (checked against i18n-iso-countries in tests).
 *
 * @example
 * ```ts
 * normalizeCountry("United States"); // "us"
 * normalizeCountry("GBR");           // "gb"
 * normalizeCountry("UK");            // "gb"
 * normalizeCountry("Neverland");     // undefined
 * ```
 */
export function normalizeCountry(raw: string): string | undefined {
  return findCountry(clean(raw));
}

/**
 * `external_id`: whitespace removed and lowercased, the normalization Meta's own
 * capi-param-builder applies (`getNormalizedExternalID`), so the hash matches what a browser
 * Pixel integration built on Meta's tools sends for the same id. Empty is `undefined`.
 *
 * @example
 * ```ts
 * normalizeExternalId(" shopify:7712345 "); // "shopify:7712345"
 * normalizeExternalId("ABC-12345");         // "abc-12345"
 * ```
 */
export function normalizeExternalId(raw: string): string | undefined {
  const id = clean(raw).replace(/\s/gu, "").toLowerCase();
  return id === "" ? undefined : id;
}
