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

/** One Unicode decimal digit (`\p{Nd}`), of any script. */
const DECIMAL_DIGIT = /\p{Nd}/u;
/** Every decimal digit that is not ASCII. */
const OTHER_DIGITS = /(?![0-9])\p{Nd}/gu;

/**
 * The ASCII digit of a Unicode decimal digit. Unicode puts each script's digits 0 to 9 in a run of
 * ten consecutive code points (a few scripts have two or five runs back to back), so a digit's
 * value is its distance from the start of its run, modulo ten.
 */
function asciiDigit(digit: string): string {
  const point = digit.codePointAt(0)!;
  let steps = 0;
  while (steps < 50 && DECIMAL_DIGIT.test(String.fromCodePoint(point - steps - 1))) steps++;
  return String(steps % 10);
}

/**
 * For the keys whose digits matter (`ph`, `zp`, `db`, `st`): compatibility forms folded (NFKC:
 * full-width digits, letters, `＋`, `／` and `－` typed on Japanese and Chinese keyboards read as
 * their ASCII forms), then every other Unicode decimal digit (`\p{Nd}`: Arabic-Indic `٠-٩`,
 * Extended Arabic-Indic `۰-۹`, Devanagari, Bengali, Thai, …) replaced by its ASCII digit, before
 * the key is validated. Meta hashes ASCII digits; a number written in another script is the same
 * number. ASCII text is returned as it is. Not applied to `em` or `external_id`, whose characters
 * are the value itself, nor to names and cities, which keep letters only.
 *
 * @example
 * ```ts
 * foldDigits("０９０-１２３４-５６７８"); // "090-1234-5678"
 * foldDigits("٠٥٠ ١٢٣ ٤٥٦٧");          // "050 123 4567"
 * foldDigits("＋４４ ２０ ７９４６");     // "+44 20 7946"
 * ```
 */
export function foldDigits(text: string): string {
  if (PLAIN_ASCII.test(text)) return text;
  return text.normalize("NFKC").replace(OTHER_DIGITS, asciiDigit);
}

/** Letters (any script) and their combining marks, lowercase; everything else removed. */
function lettersOnly(raw: string): string {
  return cleanText(raw)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}]/gu, "");
}

const EMAIL_LOCAL = /^[^\s@"(),:;<>[\]\\]{1,64}$/u;
/**
 * RFC 5321's Quoted-string local part: between double quotes, printable ASCII but `"` and `\`
 * (spaces included), any non-ASCII character (RFC 6531), or a backslash before printable ASCII.
 */
const EMAIL_QUOTED_LOCAL = /^"(?:[\x20\x21\x23-\x5B\x5D-\x7E\u0080-\u{10FFFF}]|\\[\x20-\x7E])*"$/u;
const EMAIL_DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const EMAIL_TLD = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;
/** RFC 5321's IPv4 address literal, inside the brackets: four numbers from 0 to 255. */
const IPV4_LITERAL = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const NOT_AN_EMAIL = dropped("not a valid email address");
/** RFC 5321's limits: 64 characters of local part; 254 for the address (a 256-octet path less its brackets). */
const MAX_LOCAL = 64;
const MAX_EMAIL = 254;

/** Local part and domain of an address, the local part quoted or not; undefined when it has no such shape. */
function splitEmail(email: string): { local: string; domain: string } | undefined {
  if (email.startsWith('"')) {
    // A quoted local part ends at its first unescaped quote, and may hold "@" itself.
    let end = 1;
    while (end < email.length && email[end] !== '"') end += email[end] === "\\" ? 2 : 1;
    if (email[end + 1] !== "@") return undefined;
    return { local: email.slice(0, end + 1), domain: email.slice(end + 2) };
  }
  const at = email.lastIndexOf("@");
  if (at <= 0 || email.indexOf("@") !== at) return undefined;
  return { local: email.slice(0, at), domain: email.slice(at + 1) };
}

/** RFC 5321's Local-part: a Dot-string (atoms joined by single dots) or a Quoted-string, at most 64 characters. */
function isEmailLocal(local: string): boolean {
  if (local.length > MAX_LOCAL) return false;
  if (local.startsWith('"')) return EMAIL_QUOTED_LOCAL.test(local);
  return EMAIL_LOCAL.test(local) && !local.startsWith(".") && !local.endsWith(".") && !local.includes("..");
}

/**
 * RFC 5321's domain: a host name of at least two labels ending in a letter TLD (internationalized
 * names and punycode accepted), or an address literal: `[192.0.2.1]` or `[ipv6:2001:db8::1]`.
 */
function isEmailDomain(domain: string): boolean {
  if (domain.startsWith("[") && domain.endsWith("]")) {
    const literal = domain.slice(1, -1);
    const ipv4 = IPV4_LITERAL.exec(literal);
    if (ipv4 !== null) return ipv4.slice(1).every((part) => Number(part) <= 255);
    return literal.startsWith("ipv6:") && isIpv6(literal.slice(5));
  }
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => EMAIL_DOMAIN_LABEL.test(label))) return false;
  return EMAIL_TLD.test(labels[labels.length - 1]!);
}

/** Whether text is an IPv6 address (as the URL parser reads one between brackets; no zone id). */
function isIpv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(":")) return false;
  try {
    return new URL(`http://[${text}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/**
 * `em`: cleaned (see `cleanText`), trimmed and lowercased as Meta asks, if it is an address RFC
 * 5321 allows (with RFC 6531's non-ASCII characters): a local part that is a dot-string (no
 * spaces, quotes or leading/trailing/double dots) or a quoted string (`"john doe"@example.com`,
 * `"a@b"@example.com`, with `\"` and `\\` escapes), at most 64 characters; a domain of at least
 * two labels ending in a letter TLD (internationalized domains and punycode accepted), or an
 * address literal (`user@[192.0.2.1]`, `user@[IPv6:2001:db8::1]`). At most 254 characters in all.
 * Quotes stay part of the address: Meta hashes the address as typed, only trimmed and lowercased.
 *
 * @example
 * ```ts
 * normalizeEmail(" John_Smith@gmail.com ");  // { ok: true, value: "john_smith@gmail.com" }
 * normalizeEmail('"John Doe"@Example.com');  // { ok: true, value: '"john doe"@example.com' }
 * normalizeEmail("jane@localhost");           // { ok: false, reason: "not a valid email address" }
 * ```
 */
export function normalizeEmail(raw: string): Normalized {
  const email = cleanText(raw).toLowerCase();
  if (email.length > MAX_EMAIL) return NOT_AN_EMAIL;
  const parts = splitEmail(email);
  if (parts === undefined || !isEmailLocal(parts.local) || !isEmailDomain(parts.domain)) return NOT_AN_EMAIL;
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
 * Countries whose postal codes are US ZIP codes, to which Meta's US rule for `zp` (the first 5
 * digits) applies: the United States, its territories (American Samoa, Guam, the Northern
 * Mariana Islands, Puerto Rico, the US Minor Outlying Islands, the US Virgin Islands) and the
 * freely associated states USPS serves with ZIP codes (Micronesia, the Marshall Islands, Palau).
 * Military addresses (states AA, AE, AP) have the country US.
 */
export const US_ZIP_COUNTRIES: ReadonlySet<string> = new Set([
  "us",
  "as",
  "gu",
  "mp",
  "pr",
  "um",
  "vi",
  "fm",
  "mh",
  "pw",
]);

/** US territories that are also ISO 3166-1 countries and have a USPS code in the US state list. */
const US_TERRITORIES: ReadonlySet<string> = new Set(["as", "gu", "mp", "pr", "um", "vi"]);

/** An ISO 3166-2 subdivision code: the country's alpha-2, a dash, 1 to 3 letters or digits (`US-CA`, `FR-75`). */
const ISO_SUBDIVISION = /^([a-z]{2})-([a-z0-9]{1,3})$/i;

/** Whether a subdivision code of country `own` can be in the shopper's country `code` (US-PR is in PR). */
function sameCountry(own: string, code: string): boolean {
  return own === code || (own === "us" && US_TERRITORIES.has(code)) || (code === "us" && US_TERRITORIES.has(own));
}

/**
 * `st`: for the US and Canada (or no country), the lowercase two-letter code from a code or a
 * name (`California` or `CA` -> `ca`, `Québec` -> `qc`); with country US or CA, text that is
 * neither is dropped. In the US territories (PR, GU, VI, AS, MP, UM) a US code or name is read
 * as such (`Puerto Rico` -> `pr`), other text as elsewhere. Elsewhere (or unknown text without a
 * country), lowercase with punctuation and spaces removed (letters and digits kept), as Meta asks
 * outside the US. An ISO 3166-2 code (`US-CA`, `CA-ON`, `us-ca`, `DE-BY`) is read as its
 * subdivision, in its own country when `country` is not given; a code of another country than
 * `country` is dropped. Digits of other scripts are read as ASCII digits (see `foldDigits`).
 * `country` may be an alpha-2, alpha-3 or English name (see `normalizeCountry`).
 *
 * @example
 * ```ts
 * normalizeState("California");           // { ok: true, value: "ca" }
 * normalizeState("CA", "US");             // { ok: true, value: "ca" }
 * normalizeState("British Columbia");     // { ok: true, value: "bc" }
 * normalizeState("Île-de-France", "FR");  // { ok: true, value: "îledefrance" }
 * normalizeState("US-CA");                // { ok: true, value: "ca" }
 * normalizeState("CA-ON", "CA");          // { ok: true, value: "on" }
 * normalizeState("US-CA", "CA");          // { ok: false, reason: "subdivision of another country" }
 * normalizeState("Narnia", "US");         // { ok: false, reason: "not a state of US" }
 * ```
 */
export function normalizeState(raw: string, country?: string): Normalized {
  const code = countryCode(country);
  const text = foldDigits(cleanText(raw));
  const subdivision = ISO_SUBDIVISION.exec(text);
  const own = subdivision === null ? undefined : countryCode(subdivision[1]);
  if (subdivision !== null && own !== undefined) {
    if (code !== undefined && !sameCountry(own, code)) return dropped("subdivision of another country");
    return normalizeState(subdivision[2]!, code ?? own);
  }
  if (code === "us" || code === "ca") {
    const region = findRegion(text, code);
    if (region !== undefined) return kept(region);
    return dropped(code === "us" ? "not a state of US" : "not a province of CA");
  }
  if (code === undefined || US_TERRITORIES.has(code)) {
    const region = findRegion(text, code === undefined ? undefined : "us");
    if (region !== undefined) return kept(region);
  }
  const state = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]/gu, "");
  return state === "" ? dropped("no letters or digits") : kept(state);
}

const US_ZIP = /^(\d{5})(?:\d{4})?$/;

/**
 * `zp`: lowercase with spaces, dashes and other punctuation removed (2 to 10 letters or
 * digits), digits of other scripts read as ASCII digits (see `foldDigits`). For a country whose
 * postal codes are US ZIP codes (`US_ZIP_COUNTRIES`: the US, its territories, FM, MH, PW), and
 * for an unknown country when the code looks like a US ZIP (5 digits, or 9 as ZIP+4), only the
 * first 5 digits, as Meta asks for US ZIP codes; a code of another shape there is dropped.
 * `country` may be an alpha-2, alpha-3 or English name.
 *
 * @example
 * ```ts
 * normalizeZip("94103-1234");        // { ok: true, value: "94103" }
 * normalizeZip("00901-1234", "PR");  // { ok: true, value: "00901" }
 * normalizeZip("NR9 5AL", "GB");     // { ok: true, value: "nr95al" }
 * normalizeZip("100-0001", "JP");    // { ok: true, value: "1000001" }
 * normalizeZip("９４１０３", "US");    // { ok: true, value: "94103" }
 * normalizeZip("9410", "US");        // { ok: false, reason: "not a US ZIP code" }
 * ```
 */
export function normalizeZip(raw: string, country?: string): Normalized {
  const code = countryCode(country);
  const zip = foldDigits(cleanText(raw))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
  const usZip = US_ZIP.exec(zip);
  if (code !== undefined && US_ZIP_COUNTRIES.has(code)) {
    return usZip === null ? dropped("not a US ZIP code") : kept(usZip[1]!);
  }
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
