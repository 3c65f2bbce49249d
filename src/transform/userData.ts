/**
 * Builds Meta's `user_data` from what the shopper typed and what the browser sent, and the
 * match report: which keys were sent and, for each key given but dropped, why (never a value).
 */
import type { UserData } from "./capi";
import { normalizeFbc, normalizeFbp } from "./clickIds";
import { normalizeClientIp } from "./clientIp";
import { normalizeDateOfBirth } from "./dateOfBirth";
import { preHashed, sha256Hex } from "./hash";
import {
  cleanText,
  countryCode,
  kept,
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeState,
  normalizeZip,
  type Normalized,
} from "./normalize";
import { normalizePhone } from "./phone";

/**
 * What the shopper gave (Studio's `shopper.*`), unnormalized.
 *
 * @example
 * ```ts
 * const shopper: Shopper = { email: " Jane.Doe@Example.COM ", phone: "+1 (415) 555-0123", country: "US" };
 * ```
 */
export interface Shopper {
  email?: string;
  phone?: string;
  first_name?: string;
  last_name?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  date_of_birth?: string;
  gender?: string;
  customer_id?: string;
}

/**
 * What the shopper's browser sent (Studio's `context.*`), and when the shopper acted.
 *
 * @example
 * ```ts
 * const client: Client = {
 *   ip: "203.0.113.7", user_agent: "Mozilla/5.0 …", fbp: "fb.1.1732560000000.1098765432",
 *   page_url: "https://shop.example.com/quiz?fbclid=IwAR2xYz", occurred_at: 1795632127123,
 * };
 * ```
 */
export interface Client {
  /** The shopper's address, or a forwarded list (`client, proxy`). */
  ip?: string;
  /** A separate IPv6 address, preferred when it is valid and public. */
  ipv6?: string;
  user_agent?: string;
  fbp?: string;
  fbc?: string;
  page_url?: string;
  referrer_url?: string;
  /** Unix ms, when the shopper submitted (at most now): the time of an `fbc` built from an `fbclid`. */
  occurred_at?: number;
}

/**
 * Options of `buildUserData`.
 *
 * @example
 * ```ts
 * const options: UserDataOptions = { defaultCountry: "US", now: Date.now() };
 * ```
 */
export interface UserDataOptions {
  /** Alpha-2 (any case) used for phone, state, ZIP and date rules when the shopper gave no usable country. */
  defaultCountry?: string;
  /** The caller's clock (Unix ms): a birth date after this day is dropped. Without it, years up to 2100 pass. */
  now?: number;
}

/** Meta's `user_data` keys, in the order of Meta's "Customer Information Parameters" page. */
export const USER_DATA_KEYS = [
  "em",
  "ph",
  "fn",
  "ln",
  "db",
  "ge",
  "ct",
  "st",
  "zp",
  "country",
  "external_id",
  "client_ip_address",
  "client_user_agent",
  "fbc",
  "fbp",
] as const satisfies readonly (keyof UserData)[];

export type UserDataKey = (typeof USER_DATA_KEYS)[number];

/**
 * Which `user_data` keys were sent (in Meta's order), and for each key the webhook had a value
 * for but the relay left out, why: a short, stable phrase naming the rule, never the value.
 *
 * @example
 * ```ts
 * const match: MatchReport = { sent: ["em", "ct"], dropped: { ph: "not a valid number for GB", fbc: "malformed" } };
 * ```
 */
export interface MatchReport {
  sent: UserDataKey[];
  dropped: Partial<Record<UserDataKey, string>>;
}

/** What `buildUserData` returns: the user data to send and its match report. */
export interface BuiltUserData {
  userData: UserData;
  match: MatchReport;
}

/**
 * The text of a shopper field. The types say string, but a merchant's field mapping can hand
 * over a number (a numeric customer id): it is read as its decimal text; anything else that is
 * not a string (object, boolean, null) is ignored rather than thrown on. Blank text (spaces and
 * invisible characters only) counts as no value.
 */
function text(raw: unknown): string | undefined {
  const value =
    typeof raw === "string" ? raw : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : undefined;
  return value === undefined || cleanText(value) === "" ? undefined : value;
}

/** A browser value: a string, or nothing. */
function browserText(raw: unknown): string | undefined {
  return typeof raw === "string" && raw !== "" ? raw : undefined;
}

/** What Meta gets for one hashed field: a value hashed upstream as it came, or the normalized text hashed. */
function hashed(raw: string, normalize: (text: string) => Normalized): Normalized {
  const upstream = preHashed(cleanText(raw));
  if (upstream !== undefined) return kept(upstream);
  const normalized = normalize(raw);
  return normalized.ok ? kept(sha256Hex(normalized.value)) : normalized;
}

/**
 * A state or postcode read in a country the shopper did not give (DEFAULT_COUNTRY or the phone
 * number's region): a guess. The guessed country's rule is tried first; a value that rule refuses
 * is still the shopper's own, so it is read as with no country known (Meta's rule for any
 * country: lowercase, no spaces or punctuation; a US ZIP shape takes its first 5 digits), and only
 * dropped when that fails too (with the guessed country's reason).
 */
function inGuessedCountry(
  value: string,
  guess: string | undefined,
  normalize: (value: string, country?: string) => Normalized,
): Normalized {
  const read = normalize(value, guess);
  if (read.ok || guess === undefined) return read;
  const anywhere = normalize(value);
  return anywhere.ok ? anywhere : read;
}

/**
 * Meta's `user_data` and its match report. Each shopper field is cleaned (invisible characters,
 * NFC; see `cleanText`), normalized (see `./normalize`, `./phone`, `./dateOfBirth`) and SHA-256
 * hashed (lowercase hex); a value hashed upstream is never hashed twice: a Parameter Builder
 * value (`<64 hex>.<appendix>`) is sent exactly as it came, a bare 64-hex SHA-256 (any case)
 * lowercased. A field that cannot be normalized is left out and its reason reported.
 *
 * Countries: a phone written without a calling code takes the shopper's `country` when it names
 * a country, else `options.defaultCountry`. The `country` key is sent from the shopper's own
 * value; when the shopper gave no usable one, from the phone number's region (libphonenumber's,
 * from the leading digits for shared calling codes such as +1; none when it cannot tell), never
 * from the default alone. State, ZIP and date rules follow the shopper's country, else the
 * default, else the phone's region; for state and ZIP, a value that does not fit a country the
 * shopper did not give is read as with no country known (see `inGuessedCountry`): a British
 * postcode under a US default is sent as `nr95al`, not dropped. Without the shopper's country, a
 * state that is a US state, territory or military state (`PR`, `AE`) makes the ZIP rule the US
 * one (a ZIP+4 under a British default is cut to 5 digits).
 *
 * Browser values: `client_ip_address` one public address (see `./clientIp`), `fbc`/`fbp`
 * checked and refreshed (see `./clickIds`), `client_user_agent` byte for byte; none is hashed.
 * Keys without a value are absent, never `undefined`.
 *
 * @example
 * ```ts
 * buildUserData(
 *   { email: " John_Smith@gmail.com ", phone: "(650)555-1212", country: "US", gender: "x" },
 *   { ip: "203.0.113.7, 10.0.0.2", user_agent: "Mozilla/5.0", fbp: "fb.1.1732560000000.1098765432" },
 *   { defaultCountry: "US" },
 * );
 * // { userData: { em: "62a14e44…", ph: "e323ec62…", country: "79adb2a2…",
 * //               client_ip_address: "203.0.113.7", client_user_agent: "Mozilla/5.0",
 * //               fbp: "fb.1.1732560000000.1098765432" },
 * //   match: { sent: ["em", "ph", "country", "client_ip_address", "client_user_agent", "fbp"],
 * //            dropped: { ge: "not f or m" } } }
 * ```
 */
export function buildUserData(shopper: Shopper, client: Client, options: UserDataOptions = {}): BuiltUserData {
  const rawCountry = text(shopper.country);
  const shopperCountry = countryCode(rawCountry);
  const defaultCountry = countryCode(options.defaultCountry);

  const rawPhone = text(shopper.phone);
  let phoneRegion: string | undefined;
  const ph =
    rawPhone === undefined
      ? undefined
      : hashed(rawPhone, (value) => {
          const phone = normalizePhone(value, shopperCountry ?? defaultCountry);
          if (phone.ok) phoneRegion = phone.region;
          return phone;
        });
  const derivedCountry = shopperCountry === undefined ? phoneRegion : undefined;
  const rulesCountry = shopperCountry ?? defaultCountry ?? derivedCountry;
  /** State and ZIP: in the shopper's own country, strictly; in a guessed one, leniently. */
  const place =
    (normalize: (value: string, country?: string) => Normalized, guess: string | undefined) =>
    (value: string): Normalized =>
      shopperCountry !== undefined ? normalize(value, shopperCountry) : inGuessedCountry(value, guess, normalize);
  // With no country from the shopper, a US state, territory or military state (AA, AE, AP) says
  // the postcode is a US ZIP code more surely than a guessed country does.
  const rawState = text(shopper.state);
  const usState = shopperCountry === undefined && rawState !== undefined && normalizeState(rawState, "us").ok;
  const zipCountry = usState ? "us" : rulesCountry;

  const field = (raw: unknown, normalize: (value: string) => Normalized): Normalized | undefined => {
    const value = text(raw);
    return value === undefined ? undefined : hashed(value, normalize);
  };
  let country = field(rawCountry, normalizeCountry);
  if (country?.ok !== true && derivedCountry !== undefined) country = kept(sha256Hex(derivedCountry));

  const userAgent = browserText(client.user_agent);
  const outcomes: Record<UserDataKey, Normalized | undefined> = {
    em: field(shopper.email, normalizeEmail),
    ph,
    fn: field(shopper.first_name, normalizeName),
    ln: field(shopper.last_name, normalizeName),
    db: field(shopper.date_of_birth, (value) => normalizeDateOfBirth(value, rulesCountry, options.now)),
    ge: field(shopper.gender, normalizeGender),
    ct: field(shopper.city, normalizeCity),
    st: field(shopper.state, place(normalizeState, rulesCountry)),
    zp: field(shopper.zip, place(normalizeZip, zipCountry)),
    country,
    external_id: field(shopper.customer_id, normalizeExternalId),
    client_ip_address: normalizeClientIp(browserText(client.ip), browserText(client.ipv6)),
    client_user_agent: userAgent === undefined ? undefined : kept(userAgent),
    fbc: normalizeFbc({
      cookie: browserText(client.fbc),
      pageUrl: browserText(client.page_url),
      referrerUrl: browserText(client.referrer_url),
      clickTimeMs: client.occurred_at ?? options.now,
    }),
    fbp: normalizeFbp(browserText(client.fbp)),
  };

  const userData: UserData = {};
  const match: MatchReport = { sent: [], dropped: {} };
  for (const key of USER_DATA_KEYS) {
    const outcome = outcomes[key];
    if (outcome === undefined) continue;
    if (outcome.ok) {
      userData[key] = outcome.value;
      match.sent.push(key);
    } else {
      match.dropped[key] = outcome.reason;
    }
  }
  return { userData, match };
}
