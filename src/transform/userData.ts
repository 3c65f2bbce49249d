/**
 * Builds Meta's `user_data` from what the shopper typed and what the browser sent.
 */
import type { UserData } from "./capi";
import { preHashed, sha256Hex } from "./hash";
import {
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizePhone,
  normalizeState,
  normalizeZip,
} from "./normalize";

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
 * What the shopper's browser sent (Studio's `context.*`), passed to Meta untouched.
 *
 * @example
 * ```ts
 * const client: Client = { ip: "203.0.113.7", user_agent: "Mozilla/5.0 …", fbp: "fb.1.1732560000000.1098765432" };
 * ```
 */
export interface Client {
  ip?: string;
  user_agent?: string;
  fbp?: string;
  fbc?: string;
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
  /** Alpha-2 (any case) used for phone, state and ZIP rules when the shopper gave no usable country. */
  defaultCountry?: string;
  /** The caller's clock (Unix ms): a birth date after this day is dropped. Without it, years up to 2100 pass. */
  now?: number;
}

/**
 * The text of a shopper field. The types say string, but a merchant's field mapping can hand
 * over a number (a numeric customer id): it is read as its decimal text; anything else that is
 * not a string (object, boolean, null) is ignored rather than thrown on.
 */
function text(raw: unknown): string | undefined {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** The hash Meta wants for one field: a pre-hash passed through, or the normalized text hashed. */
function hashed(value: string | undefined, normalize: (text: string) => string | undefined): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const upstream = preHashed(raw);
  if (upstream !== undefined) return upstream;
  const normalized = normalize(raw);
  return normalized === undefined ? undefined : sha256Hex(normalized);
}

/** A browser value kept byte for byte; a missing or empty value (or a non-string) is left out. */
function plain(value: string | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Meta's `user_data`: each shopper field normalized (see `./normalize`) and SHA-256 hashed
 * (lowercase hex); a field that already is a 64-hex SHA-256 (any case) is passed through
 * lowercased, never hashed twice; a field that cannot be normalized is left out. The country
 * for phone calling codes and state/ZIP rules is the shopper's `country` when it names a
 * country, else `options.defaultCountry`; the `country` key itself is sent only from the
 * shopper's own value (the default is configuration, not something the shopper told us).
 * `external_id` comes from `customer_id`. `client_ip_address`, `client_user_agent`, `fbc` and
 * `fbp` are copied exactly as received (not trimmed, not hashed); empty strings are left out.
 * Keys without a value are absent, never `undefined`.
 *
 * @example
 * ```ts
 * buildUserData(
 *   { email: " John_Smith@gmail.com ", phone: "(650)555-1212", country: "US" },
 *   { ip: "203.0.113.7", user_agent: "Mozilla/5.0", fbp: "fb.1.1732560000000.1098765432" },
 *   { defaultCountry: "US" },
 * );
 * // { em: "62a14e44…", ph: "e323ec62…", country: "79adb2a2…",
 * //   client_ip_address: "203.0.113.7", client_user_agent: "Mozilla/5.0",
 * //   fbp: "fb.1.1732560000000.1098765432" }
 * ```
 */
export function buildUserData(shopper: Shopper, client: Client, options: UserDataOptions = {}): UserData {
  const rawCountry = text(shopper.country);
  const shopperCountry = rawCountry === undefined ? undefined : normalizeCountry(rawCountry);
  const defaultCountry = options.defaultCountry === undefined ? undefined : normalizeCountry(options.defaultCountry);
  const country = shopperCountry ?? defaultCountry;

  const fields: UserData = {
    em: hashed(shopper.email, normalizeEmail),
    ph: hashed(shopper.phone, (text) => normalizePhone(text, country)),
    fn: hashed(shopper.first_name, normalizeName),
    ln: hashed(shopper.last_name, normalizeName),
    ge: hashed(shopper.gender, normalizeGender),
    db: hashed(shopper.date_of_birth, (text) => normalizeDateOfBirth(text, options.now)),
    ct: hashed(shopper.city, normalizeCity),
    st: hashed(shopper.state, (text) => normalizeState(text, country)),
    zp: hashed(shopper.zip, (text) => normalizeZip(text, country)),
    country: hashed(shopper.country, normalizeCountry),
    external_id: hashed(shopper.customer_id, normalizeExternalId),
    client_ip_address: plain(client.ip),
    client_user_agent: plain(client.user_agent),
    fbc: plain(client.fbc),
    fbp: plain(client.fbp),
  };
  const userData: UserData = {};
  for (const [key, value] of Object.entries(fields) as [keyof UserData, string | undefined][]) {
    if (value !== undefined) userData[key] = value;
  }
  return userData;
}
