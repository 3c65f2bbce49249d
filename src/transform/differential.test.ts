/// <reference types="node" />
/**
 * Differential test: the relay's `user_data` against Meta's own two libraries, over a corpus of
 * messy inputs for every key from many countries (./differential.sample.ts). (The country table
 * is checked against its sources in ./countries.test.ts.)
 *
 * - facebook-nodejs-business-sdk: `new UserData().setX(raw).normalize()`;
 * - capi-param-builder-nodejs (Meta's Parameter Builder): `getNormalizedAndHashedPII(raw, type)`
 *   for hashed keys, `processRequest(…)` then `getClientIpAddress()`, `getFbc()`, `getFbp()`.
 *   The builder ends what it makes with its own appendix (it names the builder); the relay is
 *   not the builder and adds none, so the builder's own appendix is taken off before comparing.
 *   Neither library knows the shopper's country: they get the raw value only.
 *
 * Every case must give the result Meta's documented rules give (`expected` in the corpus). Where
 * a library sends the same, nothing more is said. Where it does not, the case is in DEPARTURES
 * with what that library sends and the documented rule that says why the relay departs (where
 * a library and Meta's docs disagree, the docs win). The library must still send what is
 * recorded, so a library change shows up here as a failing test to review, and a recorded
 * departure that no longer departs fails too.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  CLICK_TIME_MS,
  CORPUS,
  type CorpusCase,
  type CorpusKey,
  EM_HASH,
  PH_HASH,
  page,
  REFERRER,
  US_HASH,
} from "./differential.sample";
import { cleanText } from "./normalize";
import { isBuilderAppendix } from "./paramBuilder";
import { buildUserData, type Client, type Shopper } from "./userData";

const require = createRequire(import.meta.url);
const h = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
/** The relay's clock for birth dates (Meta's libraries use the machine's). */
const NOW = Date.UTC(2026, 10, 25);
const EM_UPPER = EM_HASH.toUpperCase();

type HashedKey = Exclude<CorpusKey, "client_ip_address" | "fbc" | "fbp">;
const isHashedKey = (key: CorpusKey): key is HashedKey => key !== "client_ip_address" && key !== "fbc" && key !== "fbp";
const SHOPPER_KEY: Record<HashedKey, keyof Shopper> = {
  em: "email",
  ph: "phone",
  fn: "first_name",
  ln: "last_name",
  ge: "gender",
  db: "date_of_birth",
  ct: "city",
  st: "state",
  zp: "zip",
  country: "country",
  external_id: "customer_id",
};
const SDK_SETTER: Record<CorpusKey, string> = {
  em: "setEmail",
  ph: "setPhone",
  fn: "setFirstName",
  ln: "setLastName",
  ge: "setGender",
  db: "setDateOfBirth",
  ct: "setCity",
  st: "setState",
  zp: "setZip",
  country: "setCountry",
  external_id: "setExternalId",
  client_ip_address: "setClientIpAddress",
  fbc: "setFbc",
  fbp: "setFbp",
};
const BUILDER_TYPE: Record<HashedKey, string> = {
  em: "email",
  ph: "phone",
  fn: "first_name",
  ln: "last_name",
  ge: "gender",
  db: "date_of_birth",
  ct: "city",
  st: "state",
  zp: "zip_code",
  country: "country",
  external_id: "external_id",
};

interface SdkUserData {
  normalize(): Record<string, unknown>;
  [setter: string]: unknown;
}
const { UserData } = require("facebook-nodejs-business-sdk") as { UserData: new () => SdkUserData };
interface ParamBuilder {
  processRequest(
    host: string,
    queries: Record<string, string>,
    cookies: Record<string, string>,
    referer?: string | null,
    xForwardedFor?: string | null,
    remoteAddress?: string | null,
  ): unknown;
  getFbc(): string | null;
  getFbp(): string | null;
  getClientIpAddress(): string | null;
  getNormalizedAndHashedPII(value: string, type: string): string | null;
}
const { ParamBuilder } = require("capi-param-builder-nodejs") as {
  ParamBuilder: new (domains: string[]) => ParamBuilder;
};

/**
 * What one party sends for a case, comparable across parties: the value sent for a hashed key
 * (a hash, or a value passed through) and for `client_ip_address`; for `fbc`/`fbp`, whether the
 * cookie is sent as received (`KEPT`, `KEPT_UNTRIMMED`), a new `fbc` is built from a click id
 * (`newFbc(id)`), or an `fbp` is made up (`MADE_UP`); `DROPPED` when nothing is sent, `THROWS`
 * when the library throws (which sends nothing either).
 */
type Fingerprint = string;
const DROPPED = "dropped";
const THROWS = "throws";
const KEPT = "the cookie as received";
const KEPT_UNTRIMMED = "the cookie as received, untrimmed";
const MADE_UP = "a made-up fbp";
const newFbc = (clickId: string) => `a new fbc for click id ${clickId}`;

function clickIdFingerprint(value: string | null | undefined, cookie: string): Fingerprint {
  if (value === null || value === undefined || value === "") return DROPPED;
  /** `kept` as it is, or with an appendix the builder added to it. */
  const keeps = (kept: string) =>
    kept !== "" &&
    (value === kept || (value.startsWith(`${kept}.`) && isBuilderAppendix(value.slice(kept.length + 1))));
  if (keeps(cleanText(cookie))) return KEPT;
  if (keeps(cookie)) return KEPT_UNTRIMMED;
  return newFbc(value.split(".")[3]!);
}

/** What the relay sends for a case, through the whole buildUserData path. */
function ours(c: CorpusCase): Fingerprint {
  if (isHashedKey(c.key)) {
    const shopper: Shopper = { [SHOPPER_KEY[c.key]]: c.raw };
    if (c.country !== undefined && c.key !== "country") shopper.country = c.country;
    return buildUserData(shopper, {}, { now: NOW }).userData[c.key] ?? DROPPED;
  }
  const client: Client = { occurred_at: CLICK_TIME_MS };
  if (c.key === "client_ip_address") Object.assign(client, { ip: c.raw, ipv6: c.ipv6 });
  if (c.key === "fbc") Object.assign(client, { fbc: c.raw, page_url: c.page, referrer_url: c.referrer });
  if (c.key === "fbp") client.fbp = c.raw;
  const value = buildUserData({}, client, { now: NOW }).userData[c.key];
  return c.key === "client_ip_address" ? (value ?? DROPPED) : clickIdFingerprint(value, c.raw);
}

/** What Meta's documented rules send for a case. */
function documented(c: CorpusCase): Fingerprint {
  if (c.expected === undefined) return DROPPED;
  if (c.asIs || c.key === "client_ip_address") return c.expected;
  if (c.key === "fbc" || c.key === "fbp") return clickIdFingerprint(c.expected, c.raw);
  return h(c.expected);
}

/** What facebook-nodejs-business-sdk sends for a case. */
function sdk(c: CorpusCase): Fingerprint {
  try {
    const userData = new UserData();
    (userData[SDK_SETTER[c.key]] as (value: string) => unknown).call(userData, c.raw);
    const sent = userData.normalize()[c.key];
    const value = Array.isArray(sent) ? sent[0] : sent;
    if (value === null || value === undefined || value === "") return DROPPED;
    return c.key === "fbc" || c.key === "fbp" ? clickIdFingerprint(String(value), c.raw) : String(value);
  } catch {
    return THROWS;
  }
}

/** What capi-param-builder-nodejs sends for a case, its own appendix taken off. */
function builder(c: CorpusCase): Fingerprint {
  const paramBuilder = new ParamBuilder(["example.com"]);
  if (isHashedKey(c.key)) {
    const value = paramBuilder.getNormalizedAndHashedPII(c.raw, BUILDER_TYPE[c.key]);
    if (value === null || value === "") return DROPPED;
    return value === c.raw.trim() ? value : value.slice(0, value.lastIndexOf("."));
  }
  if (c.key === "client_ip_address") {
    // The builder reads a browser-side address (often IPv6) from its _fbi cookie.
    paramBuilder.processRequest(
      "shop.example.com",
      {},
      c.ipv6 === undefined ? {} : { _fbi: c.ipv6 },
      null,
      c.raw,
      null,
    );
    const value = paramBuilder.getClientIpAddress();
    return value === null ? DROPPED : value.slice(0, value.lastIndexOf("."));
  }
  // As a web framework hands them over: query parameters decoded.
  const queries = c.page === undefined ? {} : Object.fromEntries(new URL(c.page).searchParams);
  const cookies = c.raw === "" ? {} : { [c.key === "fbc" ? "_fbc" : "_fbp"]: c.raw };
  paramBuilder.processRequest("shop.example.com", queries, cookies, c.referrer ?? null);
  if (c.key === "fbc") return clickIdFingerprint(paramBuilder.getFbc(), c.raw);
  const fbp = clickIdFingerprint(paramBuilder.getFbp(), c.raw);
  return fbp === KEPT || fbp === KEPT_UNTRIMMED ? fbp : MADE_UP;
}

/** Whether two fingerprints send the same: a throw and a drop both send nothing. */
const same = (a: Fingerprint, b: Fingerprint) => (a === THROWS ? DROPPED : a) === (b === THROWS ? DROPPED : b);

/**
 * Meta's documented rules (Customer Information Parameters; fbp and fbc; Parameter Builder;
 * the pages of those names in Meta's Conversions API documentation) behind each departure, with what follows from them.
 */
const RULES = {
  EM_SHAPE: "em: trim and lowercase (Meta), and it must be an address: no one-letter or numeric TLD, no trailing dot",
  EM_RFC5321:
    'em: trim and lowercase (Meta) an address the mail standard allows (RFC 5321): a quoted local part ("john doe"@example.com, "a@b"@example.com) and an address literal (user@[192.0.2.1]) are addresses, rare but valid, kept as typed; refusing one loses the lead (a 422)',
  EM_UTF8:
    "em: Meta hashes the UTF-8 bytes of the trimmed, lowercased address; internationalized addresses (RFC 6531) and punycode domains are addresses, in NFC",
  INVISIBLE:
    "Meta hashes the UTF-8 bytes of the value typed, trimmed: zero-width characters, BOMs, soft hyphens and no-break spaces copied in from forms are not part of it and would change the hash",
  NFC: "fn: 'UTF-8 special characters' are kept (Meta's example Valéry → valéry); a decomposed accent is the same letter, composed to NFC so both spellings hash alike",
  BUILDER_VALUE:
    "A value hashed by Meta's Parameter Builder (<64 hex>.<appendix>) is final: sent exactly as it came for every hashed key, never refused, re-normalized or hashed again",
  SHA256_ONLY:
    "Meta documents SHA-256 only: a 32-hex (MD5) value is no hash Meta matches, and as text it is no email address",
  HEX_LOWERCASE:
    "Hashes are 64 lowercase hex characters (Meta): an uppercase SHA-256 is the same hash, lowercased, never hashed again",
  PH_CALLING_CODE:
    "ph: 'Phone numbers must include a country code to be used for matching' (Meta's example (650)555-1212 → 16505551212): a national number loses its trunk prefix (0, 8, 01) or international prefix (011) and takes the calling code of the shopper's country",
  PH_DIGITS:
    "ph: digits only, without symbols and leading zeros (Meta): an extension and a bracketed trunk zero after the calling code are no part of the number",
  PH_VALID:
    "ph: must include a country code to be used for matching (Meta): a number no numbering plan holds (too short, unassigned range, letters) or without any country cannot match, so it is dropped",
  PH_MEXICO:
    "ph: with its country code (Meta): Mexico's pre-2019 prefixes (044, 045, 01, the 1 after +52) stand before today's 10-digit number, the only one that matches",
  NAME_LETTERS:
    "fn/ln: lowercase, no punctuation (Meta's example O'Connor → oconnor), no spaces; a name is letters, so digits and symbols go and text without letters is none",
  GE_FM:
    "ge: f for female, m for male (Meta), from the shopper's answer: woman and man are answers, a dot after one is not; titles (Mrs) and words (girl) answer no gender question",
  DB_FORMAT:
    "db: YYYYMMDD (Meta's example 02/16/1997 → 19970216), from any common way of writing a date: any punctuation or spaces between the parts, the month as a name or abbreviation in the languages shoppers write; a two-digit year names no century, a language not read names no month",
  DB_ORDER:
    "db: the shopper's date of birth (Meta): a numeric date is read in the order the shopper's country writes dates (CLDR), so 05/02/1997 in Germany or a dotted 05.02.1997 is 5 February",
  DB_CALENDAR:
    "db: a date of birth (Meta): it exists in the calendar (no 30 February, 31 April, 29 February 2001), from 1900, and not in the future",
  CT_LETTERS:
    "ct: lowercase, no punctuation, no spaces (Meta's example St. Louis → stlouis): a city name's letters; digits (an arrondissement) are no part of it",
  CT_UTF8:
    "ct: 'UTF-8 special characters' are accepted (Meta): letters of every script stay (São Paulo → sãopaulo), not only a to z",
  ST_CODE:
    "st: the 2-character ANSI abbreviation in lowercase (Meta's example California → ca), from the name; Canadian provinces likewise",
  ST_OUTSIDE_US:
    "st: outside the US, lowercase with no punctuation, no special characters and no spaces (Meta): the whole region name, not its first two letters, and no US code for another country's region",
  ST_SUBDIVISION:
    "st: the 2-character code in lowercase (Meta): an ISO 3166-2 code (US-CA, CA-ON) names the subdivision after the dash in the country before it, so US-CA is ca; a subdivision of another country than the shopper's is no state of theirs",
  FOLD_DIGITS:
    "ph, zp, db, st: Meta hashes digits as ASCII; digits typed in another script (full-width from Japanese and Chinese keyboards, Arabic-Indic, Persian, Devanagari) and full-width letters and + are the same characters, read as ASCII before the key's rule",
  ST_UNKNOWN:
    "st: a 2-character ANSI code (Meta): text that is no state of the shopper's US or province of Canada has none and cannot match",
  ZP_US:
    "zp: US: the first 5 digits (Meta's example 94103-1234 → 94103), also of a ZIP+4 written without its dash, and in the US territories and freely associated states, whose postcodes are US ZIP codes (PR, GU, VI, AS, MP, UM, FM, MH, PW); a US code of another shape cannot match",
  ZP_FORMAT:
    "zp: lowercase with no spaces and no dash (Meta): the dash inside a non-US code (Japan 100-0001, Brazil 01310-100, Poland 00-950) separates, it does not end it; over 10 characters is no postal code",
  COUNTRY_ISO:
    "country: ISO 3166-1 alpha-2 in lowercase, from names too (Meta's example United States → us); UK is GB, an alpha-3 is read as its country (MEX is mx, not me), unknown text is none",
  EXTERNAL_ID_HASH:
    "external_id: hashing recommended, the same format on every channel (Meta): hashed after the Parameter Builder's normalization (whitespace removed, lowercased); a blank id is none",
  IP_ONE_ADDRESS:
    "client_ip_address: one valid IPv4 or IPv6 address, no spaces (Meta): the first public entry of a forwarded list; brackets, ports, zone ids and a builder appendix removed; no leading zeros",
  IP_PUBLIC:
    "client_ip_address: the address of the shopper's browser (Meta): private, carrier-grade NAT, loopback, link-local, multicast, broadcast and reserved addresses never are",
  IP_CANONICAL:
    "client_ip_address: a valid IPv6 address in its one canonical form (RFC 5952: lowercase, zeros compressed); an IPv4-mapped address as the IPv4 address it carries",
  IP_PREFER_V6:
    "client_ip_address: Meta prefers IPv6 for shoppers who have it: a valid public IPv6 given beside the IPv4 address wins",
  FBC_SHAPE:
    "fbc/fbp: fb.{subdomain index}.{creation time}.{value}, an appendix of Meta's Parameter Builder allowed (Meta's fbp and fbc page): anything else is not an fbc/fbp and is left out; spaces and invisible characters around it are no part of it",
  FBC_REFRESH:
    "fbc: a landing page fbclid that differs from the _fbc cookie's is a new ad click: a new fbc replaces the cookie (Meta's fbp and fbc page)",
  FBC_FROM_URL:
    "fbc: with no _fbc cookie, fb.1.{click time}.{fbclid} from the landing page URL (Meta's fbp and fbc page), the fbclid as it appears in the URL",
  FBC_REFERRER:
    "fbc: the _fbc cookie holds the click id until the landing page brings a new one (Meta's fbp and fbc page); a referrer's fbclid stands in only when there is neither",
  FBP_NOT_MADE_UP:
    "fbp: the value of the _fbp cookie the Pixel set in the shopper's browser (Meta's fbp and fbc page): an id made up on the server matches no browser",
} as const;
type Rule = keyof typeof RULES;

type Recorded = Fingerprint | { hashOf: string };
const hashOf = (plaintext: string) => ({ hashOf: plaintext });
type Library = "sdk" | "builder";

interface Departure {
  key: CorpusKey;
  raw: string;
  where: Pick<CorpusCase, "country" | "page" | "referrer" | "ipv6">;
  theirs: Partial<Record<Library, Recorded>>;
  rule: Rule | Partial<Record<Library, Rule>>;
}
const d = (
  key: CorpusKey,
  raw: string,
  theirs: Departure["theirs"],
  rule: Departure["rule"],
  where: Departure["where"] = {},
): Departure => ({ key, raw, theirs, rule, where });

/** Every case where a library sends something else than the relay, what it sends, and why the relay departs. */
const DEPARTURES: Departure[] = [
  d("em", "JOSÉ@Bücher.de", { sdk: THROWS, builder: DROPPED }, "EM_UTF8"),
  d("em", "jose\u0301@example.com", { sdk: THROWS, builder: DROPPED }, "EM_UTF8"),
  d("em", "müller@example.de", { sdk: THROWS, builder: DROPPED }, "EM_UTF8"),
  d("em", "用户@例子.中国", { sdk: THROWS, builder: DROPPED }, "EM_UTF8"),
  d("em", "a@example.xn--p1ai", { sdk: THROWS }, "EM_UTF8"),
  d("em", "\u200Bjane@example.com", { sdk: THROWS, builder: DROPPED }, "INVISIBLE"),
  d("em", "jane\u200D.doe@example.com", { sdk: THROWS, builder: DROPPED }, "INVISIBLE"),
  d("em", "jane@exam\u00ADple.com", { sdk: THROWS, builder: DROPPED }, "INVISIBLE"),
  d("em", "jane@example.c", { builder: hashOf("jane@example.c") }, "EM_SHAPE"),
  d("em", "jane@example.123", { builder: hashOf("jane@example.123") }, "EM_SHAPE"),
  d("em", '"john doe"@example.com', { sdk: THROWS, builder: DROPPED }, "EM_RFC5321"),
  d("em", ' "John.Doe"@Example.COM ', { sdk: THROWS, builder: DROPPED }, "EM_RFC5321"),
  d("em", '"a@b"@example.com', { sdk: THROWS, builder: DROPPED }, "EM_RFC5321"),
  d("em", '"a\\"b"@example.com', { sdk: THROWS, builder: DROPPED }, "EM_RFC5321"),
  d("em", "user@[192.0.2.1]", { sdk: THROWS, builder: DROPPED }, "EM_RFC5321"),
  d("em", "user@[IPv6:2001:DB8::1]", { sdk: THROWS, builder: DROPPED }, "EM_RFC5321"),
  d("em", `${EM_HASH}.AQQCAQMC`, { sdk: THROWS }, "BUILDER_VALUE"),
  d("em", `${EM_HASH}.BA`, { sdk: THROWS }, "BUILDER_VALUE"),
  d(
    "em",
    ` ${EM_HASH}.AQQAAQMC\u200B`,
    { sdk: THROWS, builder: DROPPED },
    { sdk: "BUILDER_VALUE", builder: "INVISIBLE" },
  ),
  d(
    "em",
    "62a14e44f765419d10fea99367361a72",
    { sdk: "62a14e44f765419d10fea99367361a72", builder: "62a14e44f765419d10fea99367361a72" },
    "SHA256_ONLY",
  ),
  d(
    "em",
    "62a14e44f765419d10fea99367361a72.AQQCAQMC",
    { builder: "62a14e44f765419d10fea99367361a72.AQQCAQMC" },
    "SHA256_ONLY",
  ),
  d("ph", "(650)555-1212", { sdk: hashOf("6505551212"), builder: hashOf("6505551212") }, "PH_CALLING_CODE", {
    country: "US",
  }),
  d("ph", "650.555.1212", { sdk: hashOf("650.555.1212"), builder: hashOf("6505551212") }, "PH_CALLING_CODE", {
    country: "US",
  }),
  d("ph", "555-0123", { sdk: hashOf("5550123"), builder: hashOf("5550123") }, "PH_VALID", { country: "US" }),
  d("ph", "(123) 555-1212", { sdk: hashOf("1235551212"), builder: hashOf("1235551212") }, "PH_VALID", {
    country: "US",
  }),
  d(
    "ph",
    "011 44 20 7946 0958",
    { sdk: hashOf("011442079460958"), builder: hashOf("11442079460958") },
    "PH_CALLING_CODE",
    { country: "US" },
  ),
  d("ph", "+1 415 555 0123 ext. 45", { sdk: hashOf("14155550123.45"), builder: hashOf("1415555012345") }, "PH_DIGITS"),
  d("ph", "(650)555-1212", { sdk: hashOf("6505551212"), builder: hashOf("6505551212") }, "PH_CALLING_CODE"),
  d("ph", "\u200B+1 650 555 1212", { sdk: hashOf("\u200B16505551212") }, "INVISIBLE"),
  d("ph", "+1\u00A0650\u00A0555\u00A01212", { sdk: hashOf("1\u00A0650\u00A0555\u00A01212") }, "INVISIBLE"),
  d("ph", "+1 800 FLOWERS", { builder: hashOf("1800") }, "PH_VALID"),
  d("ph", "(416) 555-0199", { sdk: hashOf("4165550199"), builder: hashOf("4165550199") }, "PH_CALLING_CODE", {
    country: "CA",
  }),
  d("ph", "020 7946 0958", { sdk: hashOf("2079460958"), builder: hashOf("2079460958") }, "PH_CALLING_CODE", {
    country: "GB",
  }),
  d("ph", "07911 123456", { sdk: hashOf("7911123456"), builder: hashOf("7911123456") }, "PH_CALLING_CODE", {
    country: "GB",
  }),
  d("ph", "+44 (0) 7911 123456", { sdk: hashOf("4407911123456"), builder: hashOf("4407911123456") }, "PH_DIGITS"),
  d("ph", "020 7946", { sdk: hashOf("0207946"), builder: hashOf("207946") }, "PH_VALID", { country: "GB" }),
  d(
    "ph",
    "0\u200B20 7946 0958",
    { sdk: hashOf("0\u200B2079460958"), builder: hashOf("2079460958") },
    { sdk: "INVISIBLE", builder: "PH_CALLING_CODE" },
    { country: "GB" },
  ),
  d("ph", "0151 23456789", { sdk: hashOf("15123456789"), builder: hashOf("15123456789") }, "PH_CALLING_CODE", {
    country: "DE",
  }),
  d("ph", "030 123456", { sdk: hashOf("30123456"), builder: hashOf("30123456") }, "PH_CALLING_CODE", { country: "DE" }),
  d("ph", "15123456789", { sdk: hashOf("15123456789"), builder: hashOf("15123456789") }, "PH_CALLING_CODE", {
    country: "DE",
  }),
  d("ph", "+49 1234 5678", { sdk: hashOf("4912345678"), builder: hashOf("4912345678") }, "PH_VALID"),
  d("ph", "06 12 34 56 78", { sdk: hashOf("612345678"), builder: hashOf("612345678") }, "PH_CALLING_CODE", {
    country: "FR",
  }),
  d("ph", "+33 (0)6 12 34 56 78", { sdk: hashOf("330612345678"), builder: hashOf("330612345678") }, "PH_DIGITS"),
  d("ph", "12345", { builder: hashOf("12345") }, "PH_VALID", { country: "FR" }),
  d("ph", "06 1234 5678", { sdk: hashOf("612345678"), builder: hashOf("612345678") }, "PH_CALLING_CODE", {
    country: "IT",
  }),
  d("ph", "347 123 4567", { sdk: hashOf("3471234567"), builder: hashOf("3471234567") }, "PH_CALLING_CODE", {
    country: "IT",
  }),
  d("ph", "612 34 56 78", { sdk: hashOf("612345678"), builder: hashOf("612345678") }, "PH_CALLING_CODE", {
    country: "ES",
  }),
  d("ph", "06 12345678", { sdk: hashOf("612345678"), builder: hashOf("612345678") }, "PH_CALLING_CODE", {
    country: "NL",
  }),
  d("ph", "070-123 45 67", { sdk: hashOf("701234567"), builder: hashOf("701234567") }, "PH_CALLING_CODE", {
    country: "SE",
  }),
  d("ph", "512 345 678", { sdk: hashOf("512345678"), builder: hashOf("512345678") }, "PH_CALLING_CODE", {
    country: "PL",
  }),
  d("ph", "0532 123 45 67", { sdk: hashOf("5321234567"), builder: hashOf("5321234567") }, "PH_CALLING_CODE", {
    country: "TR",
  }),
  d("ph", "044 55 1234 5678", { sdk: hashOf("445512345678"), builder: hashOf("445512345678") }, "PH_MEXICO", {
    country: "MX",
  }),
  d("ph", "045 55 1234 5678", { sdk: hashOf("455512345678"), builder: hashOf("455512345678") }, "PH_MEXICO", {
    country: "MX",
  }),
  d("ph", "01 55 1234 5678", { sdk: hashOf("15512345678"), builder: hashOf("15512345678") }, "PH_MEXICO", {
    country: "MX",
  }),
  d("ph", "55 1234 5678", { sdk: hashOf("5512345678"), builder: hashOf("5512345678") }, "PH_CALLING_CODE", {
    country: "MX",
  }),
  d("ph", "+52 1 55 1234 5678", { sdk: hashOf("5215512345678"), builder: hashOf("5215512345678") }, "PH_MEXICO"),
  d("ph", "(11) 91234-5678", { sdk: hashOf("11912345678"), builder: hashOf("11912345678") }, "PH_CALLING_CODE", {
    country: "BR",
  }),
  d("ph", "(11) 2345-6789", { sdk: hashOf("1123456789"), builder: hashOf("1123456789") }, "PH_CALLING_CODE", {
    country: "BR",
  }),
  d("ph", "+55 11 1234 5678", { sdk: hashOf("551112345678"), builder: hashOf("551112345678") }, "PH_VALID"),
  d("ph", "011 15 1234-5678", { sdk: hashOf("0111512345678"), builder: hashOf("111512345678") }, "PH_CALLING_CODE", {
    country: "AR",
  }),
  d("ph", "98765 43210", { sdk: hashOf("9876543210"), builder: hashOf("9876543210") }, "PH_CALLING_CODE", {
    country: "IN",
  }),
  d("ph", "138 1234 5678", { sdk: hashOf("13812345678"), builder: hashOf("13812345678") }, "PH_CALLING_CODE", {
    country: "CN",
  }),
  d("ph", "090-1234-5678", { sdk: hashOf("9012345678"), builder: hashOf("9012345678") }, "PH_CALLING_CODE", {
    country: "JP",
  }),
  d("ph", "03-1234-5678", { sdk: hashOf("312345678"), builder: hashOf("312345678") }, "PH_CALLING_CODE", {
    country: "JP",
  }),
  d("ph", "010-1234-5678", { sdk: hashOf("01012345678"), builder: hashOf("1012345678") }, "PH_CALLING_CODE", {
    country: "KR",
  }),
  d("ph", "0812-3456-7890", { sdk: hashOf("81234567890"), builder: hashOf("81234567890") }, "PH_CALLING_CODE", {
    country: "ID",
  }),
  d("ph", "0917 123 4567", { sdk: hashOf("9171234567"), builder: hashOf("9171234567") }, "PH_CALLING_CODE", {
    country: "PH",
  }),
  d("ph", "0412 345 678", { sdk: hashOf("412345678"), builder: hashOf("412345678") }, "PH_CALLING_CODE", {
    country: "AU",
  }),
  d("ph", "082 123 4567", { sdk: hashOf("821234567"), builder: hashOf("821234567") }, "PH_CALLING_CODE", {
    country: "ZA",
  }),
  d("ph", "0803 123 4567", { sdk: hashOf("8031234567"), builder: hashOf("8031234567") }, "PH_CALLING_CODE", {
    country: "NG",
  }),
  d("ph", "050 123 4567", { sdk: hashOf("501234567"), builder: hashOf("501234567") }, "PH_CALLING_CODE", {
    country: "AE",
  }),
  d("ph", "8 (999) 123-45-67", { sdk: hashOf("89991234567"), builder: hashOf("89991234567") }, "PH_CALLING_CODE", {
    country: "RU",
  }),
  d("ph", "+44 12", { builder: hashOf("4412") }, "PH_VALID"),
  d("ph", `${PH_HASH}.AQQCAQMC`, { sdk: THROWS }, "BUILDER_VALUE"),
  d("ln", "O'Connor", { sdk: hashOf("o'connor") }, "NAME_LETTERS"),
  d("ln", "O\u2019Connor", { sdk: hashOf("o\u2019connor"), builder: hashOf("o\u2019connor") }, "NAME_LETTERS"),
  d("fn", "Mary Ann", { sdk: hashOf("mary ann") }, "NAME_LETTERS"),
  d("fn", "Mary-Ann", { sdk: hashOf("mary-ann") }, "NAME_LETTERS"),
  d("ln", "Müller-Lüdenscheidt", { sdk: hashOf("müller-lüdenscheidt") }, "NAME_LETTERS"),
  d("fn", "Vale\u0301ry", { sdk: hashOf("vale\u0301ry"), builder: hashOf("vale\u0301ry") }, "NFC"),
  d("fn", "Jean-Luc", { sdk: hashOf("jean-luc") }, "NAME_LETTERS"),
  d("fn", "John 3rd!", { sdk: hashOf("john 3rd!"), builder: hashOf("john3rd") }, "NAME_LETTERS"),
  d("fn", "李 小龍", { sdk: hashOf("李 小龍") }, "NAME_LETTERS"),
  d("fn", "Ja\u200Bne", { sdk: hashOf("ja\u200Bne"), builder: hashOf("ja\u200Bne") }, "INVISIBLE"),
  d("fn", "Jo\u00ADhn", { sdk: hashOf("jo\u00ADhn"), builder: hashOf("jo\u00ADhn") }, "INVISIBLE"),
  d("fn", " - ", { sdk: hashOf("-") }, "NAME_LETTERS"),
  d("fn", "123", { sdk: hashOf("123"), builder: hashOf("123") }, "NAME_LETTERS"),
  d("ln", "Dr. Smith", { sdk: hashOf("dr. smith") }, "NAME_LETTERS"),
  d("ln", "van der Berg", { sdk: hashOf("van der berg") }, "NAME_LETTERS"),
  d("ln", `${EM_HASH}.Aw`, { sdk: hashOf(`${EM_HASH}.aw`) }, "BUILDER_VALUE"),
  d("ge", "woman", { sdk: DROPPED }, "GE_FM"),
  d("ge", "man", { sdk: DROPPED }, "GE_FM"),
  d("ge", "M.", { builder: DROPPED }, "GE_FM"),
  d("ge", "F\u200B", { builder: DROPPED }, "INVISIBLE"),
  d("ge", "Mrs", { builder: hashOf("f") }, "GE_FM"),
  d("ge", "girl", { builder: hashOf("f") }, "GE_FM"),
  d("db", "1990-02-14", { sdk: hashOf("1990-02-14") }, "DB_FORMAT"),
  d("db", "1990-02-14T00:00:00Z", { sdk: hashOf("1990-02-14t00:00:00z") }, "DB_FORMAT"),
  d("db", "02/16/1997", { sdk: hashOf("02/16/1997") }, "DB_FORMAT"),
  d("db", "02/16/1997", { sdk: hashOf("02/16/1997") }, "DB_FORMAT", { country: "US" }),
  d("db", "16/02/1997", { sdk: hashOf("16/02/1997") }, "DB_FORMAT", { country: "GB" }),
  d("db", "05/02/1997", { sdk: hashOf("05/02/1997") }, "DB_FORMAT", { country: "US" }),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "GB" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "DE" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "FR" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "BR" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "MX" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "IN" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "AU" },
  ),
  d(
    "db",
    "05/02/1997",
    { sdk: hashOf("05/02/1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "CA" },
  ),
  d("db", "05/02/1997", { sdk: hashOf("05/02/1997") }, "DB_FORMAT", { country: "PH" }),
  d("db", "05/02/1997", { sdk: hashOf("05/02/1997") }, "DB_FORMAT", { country: "PA" }),
  d("db", "05/02/1997", { sdk: hashOf("05/02/1997") }, "DB_FORMAT"),
  d(
    "db",
    "05.02.1997",
    { sdk: hashOf("05.02.1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
  ),
  d(
    "db",
    "05.02.1997",
    { sdk: hashOf("05.02.1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "DE" },
  ),
  d("db", "16.02.1997", { sdk: hashOf("16.02.1997") }, "DB_FORMAT"),
  d("db", "1997/02/16", { sdk: hashOf("1997/02/16") }, "DB_FORMAT"),
  d("db", "1997.2.16", { sdk: hashOf("1997.2.16") }, "DB_FORMAT", { country: "JP" }),
  d("db", "February 16, 1997", { sdk: hashOf("february 16, 1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "16 February 1997", { sdk: hashOf("16 february 1997"), builder: DROPPED }, "DB_FORMAT", { country: "GB" }),
  d("db", "Feb 16 1997", { sdk: hashOf("feb 16 1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "02/30/1997", { sdk: hashOf("02/30/1997"), builder: hashOf("19970230") }, "DB_CALENDAR"),
  d("db", "31/04/1997", { sdk: hashOf("31/04/1997"), builder: hashOf("19970431") }, "DB_CALENDAR", { country: "GB" }),
  d("db", "02/29/2001", { sdk: hashOf("02/29/2001"), builder: hashOf("20010229") }, "DB_CALENDAR"),
  d("db", "2000-02-29", { sdk: hashOf("2000-02-29") }, "DB_FORMAT"),
  d("db", "1899-12-31", { sdk: hashOf("1899-12-31"), builder: hashOf("18991231") }, "DB_CALENDAR"),
  d("db", "02/16/97", { sdk: hashOf("02/16/97") }, "DB_FORMAT"),
  d("db", "2125-06-01", { sdk: hashOf("2125-06-01") }, "DB_CALENDAR"),
  d("db", "my birthday", { sdk: hashOf("my birthday") }, "DB_FORMAT"),
  d("db", "14\u200B/02/1990", { sdk: hashOf("14\u200B/02/1990") }, "INVISIBLE", { country: "GB" }),
  d("ct", "São Paulo", { builder: hashOf("sopaulo") }, "CT_UTF8"),
  d("ct", "München", { builder: hashOf("mnchen") }, "CT_UTF8"),
  d("ct", "Москва", { builder: DROPPED }, "CT_UTF8"),
  d("ct", "東京", { builder: DROPPED }, "CT_UTF8"),
  d("ct", "Paris 75", { builder: hashOf("paris75") }, "CT_LETTERS"),
  d("ct", "123", { sdk: hashOf("") }, "CT_LETTERS"),
  d(
    "ct",
    "Zürich\u200B",
    { sdk: hashOf("zürich\u200B"), builder: hashOf("zrich") },
    { sdk: "INVISIBLE", builder: "CT_UTF8" },
  ),
  d("ct", "Kraków", { builder: hashOf("krakw") }, "CT_UTF8"),
  d("ct", "Ciudad de México", { builder: hashOf("ciudaddemxico") }, "CT_UTF8"),
  d("ct", "L'Aquila", { sdk: hashOf("l'aquila") }, "CT_LETTERS"),
  d("ct", "Québec", { builder: hashOf("qubec") }, "CT_UTF8"),
  d("st", "California", { sdk: hashOf("california") }, "ST_CODE"),
  d("st", "New York", { sdk: hashOf("newyork") }, "ST_CODE", { country: "US" }),
  d("st", "Québec", { sdk: hashOf("québec"), builder: hashOf("qu") }, "ST_CODE", { country: "CA" }),
  d("st", "Quebec", { sdk: hashOf("quebec") }, "ST_CODE", { country: "CA" }),
  d("st", "Ontario", { sdk: hashOf("ontario") }, "ST_CODE", { country: "CA" }),
  d("st", "British Columbia", { sdk: hashOf("britishcolumbia") }, "ST_CODE"),
  d("st", "Île-de-France", { builder: hashOf("le") }, "ST_OUTSIDE_US", { country: "FR" }),
  d("st", "Bayern", { builder: hashOf("ba") }, "ST_OUTSIDE_US", { country: "DE" }),
  d("st", "NSW", { builder: hashOf("ns") }, "ST_OUTSIDE_US", { country: "AU" }),
  d("st", "Narnia", { sdk: hashOf("narnia"), builder: hashOf("na") }, "ST_UNKNOWN", { country: "US" }),
  d("st", "Texas", { sdk: hashOf("texas"), builder: hashOf("tx") }, "ST_UNKNOWN", { country: "CA" }),
  d("st", "Georgia", { builder: hashOf("ga") }, "ST_OUTSIDE_US", { country: "GE" }),
  d("st", "Washington, D.C.", { sdk: hashOf("washington,dc"), builder: hashOf("wa") }, "ST_CODE", { country: "US" }),
  d("st", "Puerto Rico", { sdk: hashOf("puertorico"), builder: hashOf("pu") }, "ST_CODE", { country: "US" }),
  d("st", "Jalisco", { builder: hashOf("ja") }, "ST_OUTSIDE_US", { country: "MX" }),
  d("st", "São Paulo", { builder: hashOf("so") }, "ST_OUTSIDE_US", { country: "BR" }),
  d("st", "Maharashtra", { builder: hashOf("ma") }, "ST_OUTSIDE_US", { country: "IN" }),
  d("st", "Tokyo", { builder: hashOf("to") }, "ST_OUTSIDE_US", { country: "JP" }),
  d("st", "New\u200B York", { sdk: hashOf("new\u200Byork") }, "INVISIBLE", { country: "US" }),
  d("zp", "941031234", { sdk: hashOf("941031234"), builder: hashOf("941031234") }, "ZP_US", { country: "US" }),
  d("zp", "NR9 5AL", { builder: hashOf("nr9 5al") }, "ZP_FORMAT", { country: "GB" }),
  d("zp", "SW1A 1AA", { builder: hashOf("sw1a 1aa") }, "ZP_FORMAT", { country: "GB" }),
  d("zp", "K1A 0B1", { builder: hashOf("k1a 0b1") }, "ZP_FORMAT", { country: "CA" }),
  d("zp", "100-0001", { sdk: hashOf("100"), builder: hashOf("100") }, "ZP_FORMAT", { country: "JP" }),
  d("zp", "01310-100", { sdk: hashOf("01310"), builder: hashOf("01310") }, "ZP_FORMAT", { country: "BR" }),
  d("zp", "1000 AA", { builder: hashOf("1000 aa") }, "ZP_FORMAT", { country: "NL" }),
  d("zp", "00-950", { sdk: hashOf("00"), builder: hashOf("00") }, "ZP_FORMAT", { country: "PL" }),
  d("zp", "9410", { sdk: hashOf("9410"), builder: hashOf("9410") }, "ZP_US", { country: "US" }),
  d("zp", "NR9 5AL", { sdk: hashOf("nr95al"), builder: hashOf("nr9 5al") }, "ZP_US", { country: "US" }),
  d("zp", "12345678901", { sdk: hashOf("12345678901"), builder: hashOf("12345678901") }, "ZP_FORMAT", {
    country: "FR",
  }),
  d("zp", "94103\u200B", { sdk: hashOf("94103\u200B"), builder: hashOf("94103\u200B") }, "INVISIBLE", {
    country: "US",
  }),
  d("zp", `${EM_HASH}.Bg`, { sdk: hashOf(`${EM_HASH}.bg`) }, "BUILDER_VALUE"),
  d("country", "United States", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "GBR", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "UK", { sdk: THROWS, builder: hashOf("uk") }, "COUNTRY_ISO"),
  d("country", "U.S.A.", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Deutschland", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Germany", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "France", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "MEX", { sdk: THROWS, builder: hashOf("me") }, "COUNTRY_ISO"),
  d("country", "Mexico", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Brazil", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Japan", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "India", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "South Korea", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Côte d'Ivoire", { sdk: THROWS, builder: hashOf("ct") }, "COUNTRY_ISO"),
  d("country", "España", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Türkiye", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Netherlands", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Philippines", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "Canada", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "United\u00A0Kingdom", { sdk: THROWS }, "COUNTRY_ISO"),
  d("country", "\u200BUS", { sdk: THROWS }, "INVISIBLE"),
  d("country", "zz", { builder: hashOf("zz") }, "COUNTRY_ISO"),
  d("country", "Atlantis", { builder: hashOf("at") }, "COUNTRY_ISO"),
  d("country", `${US_HASH}.AQQCAQMC`, { sdk: THROWS }, "BUILDER_VALUE"),
  d("external_id", " shopify:7712345 ", { sdk: " shopify:7712345 " }, "EXTERNAL_ID_HASH"),
  d("external_id", "ABC-12345", { sdk: "ABC-12345" }, "EXTERNAL_ID_HASH"),
  d("external_id", "cust 42 / a.b", { sdk: "cust 42 / a.b" }, "EXTERNAL_ID_HASH"),
  d("external_id", "7712345", { sdk: "7712345" }, "EXTERNAL_ID_HASH"),
  d(
    "external_id",
    "\u200Bshopify:1",
    { sdk: "\u200Bshopify:1", builder: hashOf("\u200Bshopify:1") },
    { sdk: "EXTERNAL_ID_HASH", builder: "INVISIBLE" },
  ),
  d("external_id", "ID\u00A0123", { sdk: "ID\u00A0123" }, "EXTERNAL_ID_HASH"),
  d("external_id", "ÄBC", { sdk: "ÄBC" }, "EXTERNAL_ID_HASH"),
  d("external_id", "user@example.com", { sdk: "user@example.com" }, "EXTERNAL_ID_HASH"),
  d("external_id", "X\tY", { sdk: "X\tY" }, "EXTERNAL_ID_HASH"),
  d(
    "external_id",
    "ABC\u2060123",
    { sdk: "ABC\u2060123", builder: hashOf("abc\u2060123") },
    { sdk: "EXTERNAL_ID_HASH", builder: "INVISIBLE" },
  ),
  d("external_id", "42\uFEFF", { sdk: "42\uFEFF" }, "EXTERNAL_ID_HASH"),
  d("external_id", "gid://shopify/Customer/1", { sdk: "gid://shopify/Customer/1" }, "EXTERNAL_ID_HASH"),
  d("external_id", "  ", { sdk: "  " }, "EXTERNAL_ID_HASH"),
  d("external_id", `${EM_UPPER}`, { sdk: `${EM_UPPER}` }, "HEX_LOWERCASE"),
  d("client_ip_address", "2001:DB8::1", { sdk: "2001:DB8::1", builder: "2001:DB8::1" }, "IP_CANONICAL"),
  d(
    "client_ip_address",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    { sdk: "2001:0db8:0000:0000:0000:0000:0000:0001", builder: "2001:0db8:0000:0000:0000:0000:0000:0001" },
    "IP_CANONICAL",
  ),
  d("client_ip_address", "203.0.113.7, 10.0.0.1", { sdk: "203.0.113.7, 10.0.0.1" }, "IP_ONE_ADDRESS"),
  d("client_ip_address", "10.0.0.1, 203.0.113.7", { sdk: "10.0.0.1, 203.0.113.7", builder: DROPPED }, "IP_ONE_ADDRESS"),
  d("client_ip_address", "[2001:db8::1]:443", { sdk: "[2001:db8::1]:443", builder: DROPPED }, "IP_ONE_ADDRESS"),
  d("client_ip_address", "8.8.8.8:80", { sdk: "8.8.8.8:80", builder: DROPPED }, "IP_ONE_ADDRESS"),
  d(
    "client_ip_address",
    "2001:db8::1%eth0",
    { sdk: "2001:db8::1%eth0", builder: "2001:db8::1%eth0" },
    "IP_ONE_ADDRESS",
  ),
  d("client_ip_address", "fe80::1%eth0", { sdk: "fe80::1%eth0" }, "IP_ONE_ADDRESS"),
  d("client_ip_address", "::ffff:8.8.8.8", { sdk: "::ffff:8.8.8.8", builder: "::ffff:8.8.8.8" }, "IP_CANONICAL"),
  d("client_ip_address", "8.8.8.8.AQQAAQMC", { sdk: "8.8.8.8.AQQAAQMC", builder: DROPPED }, "IP_ONE_ADDRESS"),
  d("client_ip_address", " 8.8.8.8 ", { sdk: " 8.8.8.8 " }, "IP_ONE_ADDRESS"),
  d("client_ip_address", "203.0.113.7", { sdk: "203.0.113.7" }, "IP_PREFER_V6", { ipv6: "2001:db8::7" }),
  d("client_ip_address", "10.0.0.1", { sdk: "10.0.0.1" }, "IP_PUBLIC"),
  d("client_ip_address", "192.168.1.20", { sdk: "192.168.1.20" }, "IP_PUBLIC"),
  d("client_ip_address", "172.16.5.4", { sdk: "172.16.5.4" }, "IP_PUBLIC"),
  d("client_ip_address", "100.64.0.1", { sdk: "100.64.0.1", builder: "100.64.0.1" }, "IP_PUBLIC"),
  d("client_ip_address", "127.0.0.1", { sdk: "127.0.0.1" }, "IP_PUBLIC"),
  d("client_ip_address", "169.254.10.10", { sdk: "169.254.10.10" }, "IP_PUBLIC"),
  d("client_ip_address", "0.0.0.0", { sdk: "0.0.0.0", builder: "0.0.0.0" }, "IP_PUBLIC"),
  d("client_ip_address", "224.0.0.1", { sdk: "224.0.0.1", builder: "224.0.0.1" }, "IP_PUBLIC"),
  d("client_ip_address", "255.255.255.255", { sdk: "255.255.255.255", builder: "255.255.255.255" }, "IP_PUBLIC"),
  d("client_ip_address", "198.18.0.1", { sdk: "198.18.0.1", builder: "198.18.0.1" }, "IP_PUBLIC"),
  d("client_ip_address", "::1", { sdk: "::1" }, "IP_PUBLIC"),
  d("client_ip_address", "fd00::1", { sdk: "fd00::1" }, "IP_PUBLIC"),
  d("client_ip_address", "ff02::1", { sdk: "ff02::1", builder: "ff02::1" }, "IP_PUBLIC"),
  d("client_ip_address", "unknown", { sdk: "unknown" }, "IP_ONE_ADDRESS"),
  d("client_ip_address", "008.8.8.8", { sdk: "008.8.8.8" }, "IP_ONE_ADDRESS"),
  d("fbc", "fb.1.1732560123000.OldClick", { sdk: KEPT }, "FBC_REFRESH", { page: page("NewClick") }),
  d("fbc", "fb.1.1732560123000.OldClick.AQQCAQMC", { sdk: KEPT }, "FBC_REFRESH", { page: page("NewClick") }),
  d("fbc", " fb.1.1732560123000.IwAR2xYz ", { sdk: KEPT_UNTRIMMED, builder: DROPPED }, "FBC_SHAPE"),
  d("fbc", "fb.1.1732560123000.IwAR2xYz\u200B", { sdk: KEPT_UNTRIMMED, builder: KEPT_UNTRIMMED }, "FBC_SHAPE"),
  d("fbc", "fb.1.1732560123000.Cookie", { builder: newFbc("FromReferrer") }, "FBC_REFERRER", { referrer: REFERRER }),
  d("fbc", "", { sdk: DROPPED }, "FBC_FROM_URL", { page: page("IwAR2xYz") }),
  d("fbc", "", { sdk: DROPPED, builder: newFbc("AbC-x_Y") }, "FBC_FROM_URL", { page: page("AbC%2Dx_Y") }),
  d("fbc", "", { sdk: DROPPED }, "FBC_FROM_URL", { referrer: REFERRER }),
  d("fbc", "garbage", { sdk: KEPT }, "FBC_SHAPE", { page: page("Abc") }),
  d("fbc", "fb.1.1732560123000.IwAR_Mixed-Case.Ab", { sdk: KEPT }, "FBC_SHAPE"),
  d("fbc", "garbage", { sdk: KEPT }, "FBC_SHAPE"),
  d("fbc", "IwAR2xYz", { sdk: KEPT }, "FBC_SHAPE"),
  d("fbc", "fb.1.1732560123000", { sdk: KEPT }, "FBC_SHAPE"),
  d("fbc", "fb.x.1732560123000.IwAR2xYz", { sdk: KEPT }, "FBC_SHAPE"),
  d("fbc", "FB.1.1732560123000.IwAR2xYz", { sdk: KEPT }, "FBC_SHAPE"),
  d("fbc", "fb.1.1732560123000.IwAR2xYz.AQQCAQMC.x", { sdk: KEPT }, "FBC_SHAPE"),
  d(
    "fbp",
    " fb.1.1732560000000.1098765432 ",
    { sdk: KEPT_UNTRIMMED, builder: MADE_UP },
    { sdk: "FBC_SHAPE", builder: "FBP_NOT_MADE_UP" },
  ),
  d("fbp", "fb.1.1732560000000.1098765432\uFEFF", { sdk: KEPT_UNTRIMMED, builder: KEPT_UNTRIMMED }, "FBC_SHAPE"),
  d("fbp", "1098765432", { sdk: KEPT, builder: MADE_UP }, { sdk: "FBC_SHAPE", builder: "FBP_NOT_MADE_UP" }),
  d("fbp", "fb.1.1732560000000", { sdk: KEPT, builder: MADE_UP }, { sdk: "FBC_SHAPE", builder: "FBP_NOT_MADE_UP" }),
  d(
    "fbp",
    "fb.1.1732560000000.1098765432.xyz",
    { sdk: KEPT, builder: MADE_UP },
    { sdk: "FBC_SHAPE", builder: "FBP_NOT_MADE_UP" },
  ),
  d("fbp", "fb.1.abc.1098765432", { sdk: KEPT, builder: MADE_UP }, { sdk: "FBC_SHAPE", builder: "FBP_NOT_MADE_UP" }),
  d("fbp", "GA1.2.1234.5678", { sdk: KEPT, builder: MADE_UP }, { sdk: "FBC_SHAPE", builder: "FBP_NOT_MADE_UP" }),
  d("fbp", "", { builder: MADE_UP }, "FBP_NOT_MADE_UP"),
  d("ph", "０９０-１２３４-５６７８", { sdk: hashOf("０９０１２３４５６７８"), builder: DROPPED }, "FOLD_DIGITS", {
    country: "JP",
  }),
  d(
    "ph",
    "＋８１ ９０ １２３４ ５６７８",
    { sdk: hashOf("＋８１９０１２３４５６７８"), builder: DROPPED },
    "FOLD_DIGITS",
  ),
  d("ph", "٠٥٠ ١٢٣ ٤٥٦٧", { sdk: hashOf("٠٥٠١٢٣٤٥٦٧"), builder: DROPPED }, "FOLD_DIGITS", { country: "AE" }),
  d("ph", "+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", { sdk: hashOf("٩٧١٥٠١٢٣٤٥٦٧"), builder: DROPPED }, "FOLD_DIGITS"),
  d("ph", "۰۹۱۲ ۳۴۵ ۶۷۸۹", { sdk: hashOf("۰۹۱۲۳۴۵۶۷۸۹"), builder: DROPPED }, "FOLD_DIGITS", { country: "IR" }),
  d("ph", "९८७६५ ४३२१०", { sdk: hashOf("९८७६५४३२१०"), builder: DROPPED }, "FOLD_DIGITS", { country: "IN" }),
  d("db", "16 Feb 1997", { sdk: hashOf("16 feb 1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "16-Feb-1997", { sdk: hashOf("16-feb-1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "16/Feb/1997", { sdk: hashOf("16/feb/1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "1997-Feb-16", { sdk: hashOf("1997-feb-16"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "Feb. 16th, 1997", { sdk: hashOf("feb. 16th, 1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "FEBRUARY 16 1997", { sdk: hashOf("february 16 1997"), builder: DROPPED }, "DB_FORMAT"),
  d("db", "16 02 1997", { sdk: hashOf("16 02 1997") }, "DB_FORMAT"),
  d("db", "02 16 1997", { sdk: hashOf("02 16 1997") }, "DB_FORMAT"),
  d("db", "1997 02 16", { sdk: hashOf("1997 02 16") }, "DB_FORMAT"),
  d("db", "16. 02. 1997", { sdk: hashOf("16. 02. 1997") }, "DB_FORMAT", { country: "DE" }),
  d(
    "db",
    "05 02 1997",
    { sdk: hashOf("05 02 1997"), builder: hashOf("19970502") },
    { sdk: "DB_FORMAT", builder: "DB_ORDER" },
    { country: "FR" },
  ),
  d("db", "16 février 1997", { sdk: hashOf("16 février 1997"), builder: DROPPED }, "DB_FORMAT", { country: "FR" }),
  d("db", "1er févr. 1997", { sdk: hashOf("1er févr. 1997"), builder: DROPPED }, "DB_FORMAT", { country: "FR" }),
  d("db", "16. Februar 1997", { sdk: hashOf("16. februar 1997"), builder: DROPPED }, "DB_FORMAT", { country: "DE" }),
  d("db", "16 de febrero de 1997", { sdk: hashOf("16 de febrero de 1997"), builder: DROPPED }, "DB_FORMAT", {
    country: "ES",
  }),
  d("db", "16 de fevereiro de 1997", { sdk: hashOf("16 de fevereiro de 1997"), builder: DROPPED }, "DB_FORMAT", {
    country: "BR",
  }),
  d("db", "16 febbraio 1997", { sdk: hashOf("16 febbraio 1997"), builder: DROPPED }, "DB_FORMAT", { country: "IT" }),
  d("db", "16 maart 1997", { sdk: hashOf("16 maart 1997"), builder: DROPPED }, "DB_FORMAT", { country: "NL" }),
  d("db", "١٦/٠٢/١٩٩٧", { sdk: hashOf("١٦/٠٢/١٩٩٧"), builder: DROPPED }, "FOLD_DIGITS", { country: "EG" }),
  d("db", "۱۹۹۷/۰۲/۱۶", { sdk: hashOf("۱۹۹۷/۰۲/۱۶"), builder: DROPPED }, "FOLD_DIGITS", { country: "IR" }),
  d("db", "１９９７年２月１６日", { sdk: hashOf("１９９７年２月１６日"), builder: DROPPED }, "FOLD_DIGITS", {
    country: "JP",
  }),
  d("db", "1997년 2월 16일", { sdk: hashOf("1997년 2월 16일") }, "DB_FORMAT", { country: "KR" }),
  d("db", "16 Feb 97", { sdk: hashOf("16 feb 97") }, "DB_FORMAT"),
  d("db", "16 lutego 1997", { sdk: hashOf("16 lutego 1997") }, "DB_FORMAT", { country: "PL" }),
  d("st", "US-CA", { sdk: hashOf("usca"), builder: hashOf("us") }, "ST_SUBDIVISION", { country: "US" }),
  d("st", "us-ca", { sdk: hashOf("usca"), builder: hashOf("us") }, "ST_SUBDIVISION"),
  d("st", "CA-ON", { sdk: hashOf("caon"), builder: hashOf("ca") }, "ST_SUBDIVISION", { country: "CA" }),
  d("st", "CA-ON", { sdk: hashOf("caon"), builder: hashOf("ca") }, "ST_SUBDIVISION"),
  d("st", "DE-BY", { sdk: hashOf("deby"), builder: hashOf("de") }, "ST_SUBDIVISION", { country: "DE" }),
  d("st", "US-CA", { sdk: hashOf("usca"), builder: hashOf("us") }, "ST_SUBDIVISION", { country: "CA" }),
  d("st", "US-PR", { sdk: hashOf("uspr"), builder: hashOf("us") }, "ST_SUBDIVISION", { country: "PR" }),
  d("st", "Puerto Rico", { sdk: hashOf("puertorico"), builder: hashOf("pu") }, "ST_CODE", { country: "PR" }),
  d("st", "ＣＡ", { sdk: hashOf("ｃａ"), builder: DROPPED }, "FOLD_DIGITS", { country: "US" }),
  d("zp", "009011234", { sdk: hashOf("009011234"), builder: hashOf("009011234") }, "ZP_US", { country: "Puerto Rico" }),
  d("zp", "NR9 5AL", { sdk: hashOf("nr95al"), builder: hashOf("nr9 5al") }, "ZP_US", { country: "PR" }),
  d("zp", "１００-０００１", { sdk: hashOf("１００"), builder: hashOf("１００") }, "FOLD_DIGITS", { country: "JP" }),
  d("zp", "９４１０３-１２３４", { sdk: hashOf("９４１０３"), builder: hashOf("９４１０３") }, "FOLD_DIGITS", {
    country: "US",
  }),
  d("zp", "١١٥١١", { sdk: hashOf("١١٥١١"), builder: hashOf("١١٥١١") }, "FOLD_DIGITS", { country: "EG" }),
  d("zp", "۱۲۳۴۵-۶۷۸۹۰", { sdk: hashOf("۱۲۳۴۵"), builder: hashOf("۱۲۳۴۵") }, "FOLD_DIGITS", { country: "IR" }),
];

const caseId = (c: Pick<CorpusCase, "key" | "raw" | "country" | "page" | "referrer" | "ipv6">) =>
  JSON.stringify([c.key, c.raw, c.country, c.page, c.referrer, c.ipv6]);
const departureOf = new Map(DEPARTURES.map((row) => [caseId({ key: row.key, raw: row.raw, ...row.where }), row]));
const recorded = (value: Recorded): Fingerprint => (typeof value === "string" ? value : h(value.hashOf));
const ruleOf = (row: Departure, library: Library): Rule | undefined =>
  typeof row.rule === "string" ? row.rule : row.rule[library];
const title = (c: CorpusCase) =>
  `${c.key} ${JSON.stringify(c.raw)}${c.country ? ` in ${c.country}` : ""}${c.page ? ` on ${c.page}` : ""}${c.referrer ? ` from ${c.referrer}` : ""}${c.ipv6 ? ` with ipv6 ${c.ipv6}` : ""}`;

describe("differential: the corpus", () => {
  it("has at least 300 inputs over every key the relay builds", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(300);
    expect(new Set(CORPUS.map((c) => c.key))).toEqual(
      new Set([
        "em",
        "ph",
        "fn",
        "ln",
        "ge",
        "db",
        "ct",
        "st",
        "zp",
        "country",
        "external_id",
        "client_ip_address",
        "fbc",
        "fbp",
      ]),
    );
  });
  it("covers at least 15 countries", () => {
    expect(new Set(CORPUS.flatMap((c) => (c.country === undefined ? [] : [c.country]))).size).toBeGreaterThanOrEqual(
      15,
    );
  });
  it("has each case once", () => {
    expect(new Set(CORPUS.map(caseId)).size).toBe(CORPUS.length);
  });
});

describe("differential: the relay gives Meta's documented result", () => {
  it.each(CORPUS.map((c) => [title(c), c] as const))("%s", (_title, c) => {
    expect(ours(c)).toBe(documented(c));
  });
});

describe.each([
  ["facebook-nodejs-business-sdk", "sdk", sdk],
  ["capi-param-builder-nodejs", "builder", builder],
] as const)("differential: %s", (_name, library, send) => {
  it.each(
    CORPUS.map((c) => {
      const rule = departureOf.get(caseId(c));
      const why = rule?.theirs[library] === undefined ? "sends the same" : `departs: ${ruleOf(rule, library)}`;
      return [`${title(c)} ${why}`, c] as const;
    }),
  )("%s", (_title, c) => {
    const mine = ours(c);
    const theirs = send(c);
    const row = departureOf.get(caseId(c));
    const departure = row?.theirs[library];
    if (departure === undefined) {
      expect(theirs, "a departure not in DEPARTURES").toSatisfy((value: Fingerprint) => same(value, mine));
    } else {
      expect(theirs, "the library no longer sends what DEPARTURES records").toBe(recorded(departure));
      expect(same(theirs, mine), "a recorded departure that no longer departs").toBe(false);
      expect(RULES[ruleOf(row!, library)!]).toBeDefined();
    }
  });
});

describe("differential: the departure table", () => {
  it("names only corpus cases, each once", () => {
    const ids = new Set(CORPUS.map(caseId));
    for (const row of DEPARTURES)
      expect(ids.has(caseId({ key: row.key, raw: row.raw, ...row.where })), row.raw).toBe(true);
    expect(departureOf.size).toBe(DEPARTURES.length);
  });
  it("gives every departure a rule, and uses every rule", () => {
    const used = new Set<Rule>();
    for (const row of DEPARTURES) {
      for (const library of Object.keys(row.theirs) as Library[]) {
        const rule = ruleOf(row, library);
        expect(rule, `${row.key} ${row.raw} (${library})`).toBeDefined();
        used.add(rule!);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(RULES).sort());
  });
});
