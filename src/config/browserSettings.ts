/**
 * The settings of browser events (`POST /collect/cartful`): `BROWSER_ORIGINS`, `COOKIE_DOMAIN`,
 * and a destination's `browser_events`. Pure readers; each throws a {@link ConfigError} naming the
 * setting (and the destination and key), never a value.
 *
 * - `BROWSER_ORIGINS`: comma-separated exact origins (or a list in wrangler.jsonc), `scheme://host[:port]`, http or https,
 *   nothing after the host (a trailing `/` is tolerated). Normalised as browsers send `Origin`:
 *   scheme and host lowercase, the scheme's default port dropped, IDN hosts in punycode. Unset:
 *   the browser route is off. `*` is refused: the endpoint answers with credentials, so it names
 *   the shop's origins exactly.
 * - `COOKIE_DOMAIN`: a registrable domain (`shop.example.com`'s is `example.com`; `example.co.uk`
 *   under a two-label suffix), lowercase letters, digits and hyphens in at least two labels, no
 *   IP address, no scheme, no port. The relay cannot tell a public suffix (`co.uk`) from a
 *   registrable domain without the Public Suffix List: the operator vouches, and a browser refuses
 *   a cookie set for a public suffix anyway.
 * - `browser_events`: an object mapping Studio `type` to a Meta event name; absent: Cartful's
 *   suggested mappings (src/transform/browserEventNames.ts); `{}`: none. `email:submit` and the
 *   names of `Object.prototype` are refused as keys.
 *
 * @example
 * ```ts
 * readBrowserOrigins("https://Shop.Example.com, https://shop.example.com:443"); // Set { "https://shop.example.com" }
 * readCookieDomain(".Example.com"); // "example.com"
 * readBrowserEvents({ "quiz:complete": "Lead" }, 'DESTINATIONS "eu": browser_events'); // Map { "quiz:complete" => "Lead" }
 * ```
 */
import { isPrototypeKey, isRecord } from "../core/records";
import { DEFAULT_BROWSER_EVENTS, WEBHOOK_ONLY_TYPE } from "../transform/browserEventNames";
import { ConfigError, readEventName, text } from "./values";

/** What the browser route needs of the settings; `undefined` in `RelayConfig.browser` when the route is off. */
export interface BrowserSettings {
  /** Exact origins, normalised (`https://shop.example.com`), that may send browser events. */
  origins: ReadonlySet<string>;
  /** The registrable domain on which the route sets `_fbp` / `_fbc`; undefined: it sets none. */
  cookieDomain?: string;
}

/** More origins than this is a mistake (a pasted list), not a shop. */
export const MAX_BROWSER_ORIGINS = 50;
/** The longest origin accepted (a host name is at most 253 characters). */
const MAX_ORIGIN_LENGTH = 300;
/** Studio types are short words (`product:addToCart`); longer keys are a mistake. */
const MAX_TYPE_LENGTH = 64;
/** More mappings than Studio has event types, with room to spare. */
const MAX_BROWSER_EVENTS = 64;

const ORIGIN = /^(https?):\/\/([^/?#@\s]+)\/?$/i;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * `BROWSER_ORIGINS` as a set of normalised origins; `undefined` when unset (the route is off).
 *
 * @example
 * ```ts
 * readBrowserOrigins("https://shop.example.com,http://localhost:8788"); // Set { "https://shop.example.com", "http://localhost:8788" }
 * readBrowserOrigins("*"); // throws ConfigError
 * ```
 */
export function readBrowserOrigins(value: unknown): ReadonlySet<string> | undefined {
  // wrangler.jsonc may bind a list; the var is a comma-separated text otherwise.
  const joined = Array.isArray(value) && value.every((item) => typeof item === "string") ? value.join(",") : value;
  const list = text(joined);
  if (list === undefined) return undefined;
  const entries = list
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_BROWSER_ORIGINS) {
    throw new ConfigError(`BROWSER_ORIGINS lists more than ${MAX_BROWSER_ORIGINS} origins`);
  }
  return new Set(entries.map((entry, index) => readOrigin(entry, `BROWSER_ORIGINS[${index}]`)));
}

function readOrigin(entry: string, label: string): string {
  const wrong = new ConfigError(
    `${label} must be an exact origin, scheme://host[:port] (e.g. https://shop.example.com)`,
  );
  if (entry.length > MAX_ORIGIN_LENGTH || !ORIGIN.test(entry)) throw wrong;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw wrong;
  }
  // URL.origin lowercases the scheme and host, drops the default port and encodes IDN hosts.
  if (url.hostname === "" || url.username !== "" || url.password !== "") throw wrong;
  return url.origin;
}

/**
 * `COOKIE_DOMAIN`, lowercase and without a leading dot; `undefined` when unset.
 *
 * @example
 * ```ts
 * readCookieDomain("example.com"); // "example.com"
 * readCookieDomain("localhost");   // throws ConfigError (one label)
 * ```
 */
export function readCookieDomain(value: unknown): string | undefined {
  const domain = text(value)?.toLowerCase().replace(/^\./, "");
  if (domain === undefined) return undefined;
  const labels = domain.split(".");
  const valid =
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    // The last label of a domain is never all digits: that would be an IPv4 address.
    !/^\d+$/.test(labels[labels.length - 1]!);
  if (!valid) {
    throw new ConfigError("COOKIE_DOMAIN must be a registrable domain such as example.com (no scheme, port or path)");
  }
  return domain;
}

/**
 * The browser route's settings: `undefined` while `BROWSER_ORIGINS` is unset (the route answers
 * 404), whatever `COOKIE_DOMAIN` says (it is still checked, so a typo shows at once).
 *
 * @example
 * ```ts
 * readBrowserSettings({ origins: "https://shop.example.com", cookieDomain: "example.com" });
 * // { origins: Set { "https://shop.example.com" }, cookieDomain: "example.com" }
 * ```
 */
export function readBrowserSettings(values: { origins: unknown; cookieDomain: unknown }): BrowserSettings | undefined {
  const origins = readBrowserOrigins(values.origins);
  const cookieDomain = readCookieDomain(values.cookieDomain);
  if (origins === undefined) return undefined;
  return { origins, ...(cookieDomain !== undefined ? { cookieDomain } : {}) };
}

/**
 * A destination's `browser_events`: Studio `type` → Meta event name. Absent: the defaults;
 * `{}`: none. A key that is `email:submit`, a name of `Object.prototype` (`__proto__`,
 * `constructor`, …) or longer than a Studio type is refused, the error naming the destination
 * and the key (cut short), never a value.
 *
 * @param label where to blame, e.g. `DESTINATIONS "eu": browser_events`
 * @example
 * ```ts
 * readBrowserEvents(undefined, label).get("product:view"); // "ViewContent"
 * readBrowserEvents({}, label).size;                        // 0
 * readBrowserEvents({ "email:submit": "Lead" }, label);     // throws ConfigError
 * ```
 */
export function readBrowserEvents(value: unknown, label: string): ReadonlyMap<string, string> {
  if (value === undefined || value === null) return DEFAULT_BROWSER_EVENTS;
  if (!isRecord(value)) throw new ConfigError(`${label} must be an object from Studio type to Meta event name`);
  // Object.keys of a parsed JSON object lists an own "__proto__" key too (JSON.parse defines it).
  const keys = Object.keys(value);
  if (keys.length > MAX_BROWSER_EVENTS) throw new ConfigError(`${label} maps more than ${MAX_BROWSER_EVENTS} types`);
  const names = new Map<string, string>();
  for (const type of keys) {
    const where = `${label}.${JSON.stringify(type.slice(0, 40))}`;
    if (isPrototypeKey(type)) throw new ConfigError(`${where}: a name of Object.prototype is not a Studio type`);
    if (type.trim() === "" || type.length > MAX_TYPE_LENGTH || type !== type.trim()) {
      throw new ConfigError(`${where} must be a Studio type (at most ${MAX_TYPE_LENGTH} characters)`);
    }
    if (type === WEBHOOK_ONLY_TYPE) {
      throw new ConfigError(`${where}: email:submit is the webhook's lead, never a browser event`);
    }
    const name = readEventName(Object.getOwnPropertyDescriptor(value, type)?.value, where);
    if (name === undefined) throw new ConfigError(`${where} must be a Meta event name`);
    names.set(type, name);
  }
  return names;
}
