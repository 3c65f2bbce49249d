/**
 * Meta's advanced-matching normalization for `user_data`, following "Customer Information
 * Parameters" (Meta's Conversions API page; docs/privacy-and-matching.md): the shared cleaning step every key goes through,
 * the result type, and one function per key for em, fn/ln, ge, ct, st, zp, country and
 * external_id (`ph` is in `./phone`, `db` in `./dateOfBirth`). Each function returns the
 * normalized plaintext (to be hashed with `sha256Hex`), or the reason the input cannot be made
 * valid: such a field is dropped, never sent malformed. Reasons name the rule, never the value.
 *
 * Pure functions: no I/O, no clock.
 */
import { findCountry } from "./countries";
import { findRegion } from "./states";

/**
 * What a normalizer made of one value: the normalized plaintext, or why there is none (a short,
 * stable phrase without any of the value in it, e.g. `not a valid email address`).
 */
export type Normalized = { ok: true; value: string } | { ok: false; reason: string };

/**
 * A kept value, as a `Normalized`.
 *
 * @example
 * ```ts
 * kept("jane"); // { ok: true, value: "jane" }
 * ```
 */
export function kept(value: string): Normalized {
  return { ok: true, value };
}

/**
 * A dropped value and its reason, as a `Normalized`.
 *
 * @example
 * ```ts
 * dropped("no letters"); // { ok: false, reason: "no letters" }
 * ```
 */
export function dropped(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** Unicode format characters: zero-width space and joiners, BOM, LRM/RLM, word joiner, soft hyphen, bidi controls, tags. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
/** Every Unicode space separator but U+0020, and the line and paragraph separators. */
const OTHER_SPACES = /[\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/g;
/** Printable ASCII only: nothing to remove, replace or compose. */
const PLAIN_ASCII = /^[\x20-\x7E]*$/;

/**
 * The shared cleaning step every shopper value goes through before any key's normalization:
 * Unicode format characters (`\p{Cf}`: zero-width space, zero-width (non-)joiner, BOM, LRM/RLM,
 * word joiner, soft hyphen, …) removed, no-break and other Unicode spaces made plain spaces,
 * the text put in NFC (so "é" typed as one code point or as "e" + combining accent is the same),
 * then trimmed. Forms and spreadsheets copy such invisible characters in; left there, they would
 * change the hash of a value that looks the same.
 *
 * @example
 * ```ts
 * cleanText("\u200BJane\u00A0Doe\uFEFF "); // "Jane Doe"
 * cleanText("Vale\u0301ry");                 // "Valéry" (one code point for é)
 * ```
 */
export function cleanText(raw: string): string {
  if (PLAIN_ASCII.test(raw)) return raw.trim();
  return raw.replace(FORMAT_CHARACTERS, "").replace(OTHER_SPACES, " ").normalize("NFC").trim();
}

/** Letters (any script) and their combining marks, lowercase; everything else removed. */
function lettersOnly(raw: string): string {
  return cleanText(raw)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}]/gu, "");
}

const EMAIL_LOCAL = /^[^\s@"(),:;<>[\]\\]{1,64}$/u;
const EMAIL_DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const EMAIL_TLD = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;
const NOT_AN_EMAIL = dropped("not a valid email address");

/**
 * `em`: cleaned (see `cleanText`) and lowercased, if it has the shape of an address: one `@`, a
 * local part without spaces, quotes or leading/trailing/double dots, and a domain of at least
 * two labels ending in a letter TLD (internationalized domains and punycode accepted). At most
 * 254 characters.
 *
 * @example
 * ```ts
 * normalizeEmail(" John_Smith@gmail.com "); // { ok: true, value: "john_smith@gmail.com" }
 * normalizeEmail("jane@localhost");          // { ok: false, reason: "not a valid email address" }
 * ```
 */
export function normalizeEmail(raw: string): Normalized {
  const email = cleanText(raw).toLowerCase();
  if (email.length > 254) return NOT_AN_EMAIL;
  const at = email.lastIndexOf("@");
  if (at <= 0 || email.indexOf("@") !== at) return NOT_AN_EMAIL;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!EMAIL_LOCAL.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return NOT_AN_EMAIL;
  }
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => EMAIL_DOMAIN_LABEL.test(label))) return NOT_AN_EMAIL;
  if (!EMAIL_TLD.test(labels[labels.length - 1]!)) return NOT_AN_EMAIL;
  return kept(email);
}

/**
 * `fn` / `ln`: lowercase, every character that is not a letter removed (spaces, punctuation,
 * digits, symbols, invisible characters); letters of any script and their accents kept, in NFC.
 *
 * @example
 * ```ts
 * normalizeName("Valéry");    // { ok: true, value: "valéry" }
 * normalizeName("O'Connor");  // { ok: true, value: "oconnor" }
 * normalizeName("Mary Ann");  // { ok: true, value: "maryann" }
 * normalizeName(" - ");       // { ok: false, reason: "no letters" }
 * ```
 */
export function normalizeName(raw: string): Normalized {
  const name = lettersOnly(raw);
  return name === "" ? dropped("no letters") : kept(name);
}

const GENDERS: Record<string, "f" | "m"> = { f: "f", female: "f", woman: "f", m: "m", male: "m", man: "m" };

/**
 * `ge`: `"f"` or `"m"` from f, m, female, male, woman, man (any case, surrounding spaces and
 * punctuation ignored); anything else (including non-binary answers Meta has no code for, and
 * titles such as "Mrs") is dropped.
 *
 * @example
 * ```ts
 * normalizeGender("Female"); // { ok: true, value: "f" }
 * normalizeGender("M");      // { ok: true, value: "m" }
 * normalizeGender("other");  // { ok: false, reason: "not f or m" }
 * ```
 */
export function normalizeGender(raw: string): Normalized {
  const key = cleanText(raw)
    .toLowerCase()
    .replace(/[^a-z]/g, "");
  return Object.hasOwn(GENDERS, key) ? kept(GENDERS[key]!) : dropped("not f or m");
}

/**
 * `ct`: lowercase, letters only (any script, accents kept): spaces, punctuation and digits
 * removed.
 *
 * @example
 * ```ts
 * normalizeCity("St. Louis");     // { ok: true, value: "stlouis" }
 * normalizeCity("São Paulo");     // { ok: true, value: "sãopaulo" }
 * normalizeCity("123");           // { ok: false, reason: "no letters" }
 * ```
 */
export function normalizeCity(raw: string): Normalized {
  const city = lettersOnly(raw);
  return city === "" ? dropped("no letters") : kept(city);
}

/**
 * `st`: for the US and Canada (or no country), the lowercase two-letter code from a code or a
 * name (`California` or `CA` -> `ca`, `Québec` -> `qc`); with country US or CA, text that is
 * neither is dropped. Elsewhere (or unknown text without a country), lowercase with
 * punctuation and spaces removed (letters and digits kept), as Meta asks outside the US.
 * `country` may be an alpha-2, alpha-3 or English name (see `normalizeCountry`).
 *
 * @example
 * ```ts
 * normalizeState("California");           // { ok: true, value: "ca" }
 * normalizeState("CA", "US");             // { ok: true, value: "ca" }
 * normalizeState("British Columbia");     // { ok: true, value: "bc" }
 * normalizeState("Île-de-France", "FR");  // { ok: true, value: "îledefrance" }
 * normalizeState("Narnia", "US");         // { ok: false, reason: "not a state of US" }
 * ```
 */
export function normalizeState(raw: string, country?: string): Normalized {
  const code = countryCode(country);
  if (code === "us" || code === "ca") {
    const region = findRegion(cleanText(raw), code);
    if (region !== undefined) return kept(region);
    return dropped(code === "us" ? "not a state of US" : "not a province of CA");
  }
  if (code === undefined) {
    const region = findRegion(cleanText(raw));
    if (region !== undefined) return kept(region);
  }
  const state = cleanText(raw)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]/gu, "");
  return state === "" ? dropped("no letters or digits") : kept(state);
}

const US_ZIP = /^(\d{5})(?:\d{4})?$/;

/**
 * `zp`: lowercase with spaces, dashes and other punctuation removed (2 to 10 letters or
 * digits). For the US, and for an unknown country when the code looks like a US ZIP
 * (5 digits, or 9 as ZIP+4), only the first 5 digits; a US code of another shape is dropped.
 * `country` may be an alpha-2, alpha-3 or English name.
 *
 * @example
 * ```ts
 * normalizeZip("94103-1234");        // { ok: true, value: "94103" }
 * normalizeZip("NR9 5AL", "GB");     // { ok: true, value: "nr95al" }
 * normalizeZip("100-0001", "JP");    // { ok: true, value: "1000001" }
 * normalizeZip("9410", "US");        // { ok: false, reason: "not a US ZIP code" }
 * ```
 */
export function normalizeZip(raw: string, country?: string): Normalized {
  const code = countryCode(country);
  const zip = cleanText(raw)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
  const usZip = US_ZIP.exec(zip);
  if (code === "us") return usZip === null ? dropped("not a US ZIP code") : kept(usZip[1]!);
  if (code === undefined && usZip !== null) return kept(usZip[1]!);
  return /^[\p{L}\p{N}]{2,10}$/u.test(zip) ? kept(zip) : dropped("not a postal code");
}

/**
 * `country`: ISO 3166-1 alpha-2, lowercase, from an alpha-2 or alpha-3 code or an English
 * name (any case; also "UK", "USA" and a few native names such as "Deutschland"); unknown
 * text is dropped. Data: `./countries` (checked against i18n-iso-countries in tests).
 *
 * @example
 * ```ts
 * normalizeCountry("United States"); // { ok: true, value: "us" }
 * normalizeCountry("GBR");           // { ok: true, value: "gb" }
 * normalizeCountry("Neverland");     // { ok: false, reason: "unknown country" }
 * ```
 */
export function normalizeCountry(raw: string): Normalized {
  const code = findCountry(cleanText(raw));
  return code === undefined ? dropped("unknown country") : kept(code);
}

/**
 * The lowercase alpha-2 code of a country given in any form `normalizeCountry` reads, or
 * `undefined` for nothing or unknown text: how the keys whose rules depend on the country
 * (`ph`, `st`, `zp`, `db`) read their `country` argument.
 *
 * @example
 * ```ts
 * countryCode("United Kingdom"); // "gb"
 * countryCode("Atlantis");       // undefined
 * ```
 */
export function countryCode(country: string | undefined): string | undefined {
  if (country === undefined) return undefined;
  const normalized = normalizeCountry(country);
  return normalized.ok ? normalized.value : undefined;
}

/**
 * `external_id`: cleaned (invisible characters removed, NFC), every whitespace removed and
 * lowercased: the normalization Meta's own capi-param-builder applies
 * (`getNormalizedExternalID`), so the hash matches what a browser Pixel integration built on
 * Meta's tools sends for the same id. The browser snippet (src/pixel) computes the same.
 *
 * @example
 * ```ts
 * normalizeExternalId(" shopify:7712345 "); // { ok: true, value: "shopify:7712345" }
 * normalizeExternalId("ABC-12345");         // { ok: true, value: "abc-12345" }
 * normalizeExternalId(" ");                 // { ok: false, reason: "blank" }
 * ```
 */
export function normalizeExternalId(raw: string): Normalized {
  const id = cleanText(raw).replace(/\s/gu, "").toLowerCase();
  return id === "" ? dropped("blank") : kept(id);
}
