/**
 * The relay's destinations (pixels), parsed once: `DESTINATIONS` (a JSON array, as text or as
 * an array in wrangler.jsonc) when it is set, else the single destination `default` made of
 * `META_PIXEL_ID`, `META_ACCESS_TOKEN` and the global settings. Pure: the secrets come in through
 * `secret(name)`.
 *
 * Keys of a destination (README "Several destinations"): `name`, `pixel_id`,
 * `access_token_secret`, `match` (`source`, `store_domain`, `quiz_id`, `type`), `event_name`
 * (a name, or an object from Studio type to name), `test_event_code`, and, overriding the global
 * settings of the same meaning, `content_id`, `content_type`, `event_value`, `require_consent`,
 * `limited_data_use`, `dataset_quality_token_secret`, and `browser_events` (./browserSettings). Unknown keys are refused (a typo would
 * otherwise be silently ignored). Errors name the destination and the key, never a value.
 *
 * @example
 * ```ts
 * parseDestinations('[{"name":"eu","pixel_id":"111","access_token_secret":"META_ACCESS_TOKEN_EU"}]', defaults, (n) => env[n]);
 * // [{ name: "eu", pixelId: "111", target: { accessToken: "EAAB…", … }, match: { types: ["email:submit"] }, … }]
 * ```
 */
import type { Route } from "../transform/routing";
import { DEFAULT_BROWSER_EVENTS } from "../transform/browserEventNames";
import { readBrowserEvents } from "./browserSettings";
import type { ContentIdField, ContentType, EventOptions, EventValue, LimitedDataUse } from "../transform/serverEvent";
import {
  CONTENT_ID_FIELDS,
  CONTENT_TYPES,
  ConfigError,
  contentTypeFor,
  readBoolean,
  readEventName,
  readEventValue,
  readLimitedDataUse,
  readOneOf,
  readPixelId,
  text,
} from "./values";

/** Where and as whom to send: one destination's Graph endpoint and credentials. */
export interface GraphTarget {
  /** e.g. `https://graph.facebook.com` (a trailing slash is tolerated). */
  graphUrl: string;
  /** e.g. `v27.0`. */
  apiVersion: string;
  pixelId: string;
  accessToken: string;
  testEventCode?: string;
  /** See `appSecretProof` in ./settings; sent only when set. */
  appSecretProof?: string;
}

/** One destination, every setting resolved (its own, else the global one). */
export interface Destination extends Route, EventOptions {
  pixelId: string;
  /** The name of the secret its token is read from (`META_ACCESS_TOKEN` for `default`). */
  accessTokenSecret: string;
  /** Where and how to send; undefined in dry run (the secret is unset). */
  target: GraphTarget | undefined;
  testEventCode: string | undefined;
  /** Send only with an explicit grant (`marketing_consent: true` or `ad_user_data: granted`). */
  requireConsent: boolean;
  /** Token for Meta's Dataset Quality API (may differ from the sending token); undefined: none. */
  qualityToken: string | undefined;
  /** Browser events it takes: Studio `type` → Meta event name (`browser_events`; Cartful's suggestions by default). */
  browserEvents: ReadonlyMap<string, string>;
}

/** The global settings a destination falls back on, and what it needs to build its Graph target. */
export interface DestinationDefaults {
  eventName: string;
  testEventCode: string | undefined;
  contentId: ContentIdField;
  contentType: ContentType | undefined;
  eventValue: EventValue;
  requireConsent: boolean;
  limitedDataUse: LimitedDataUse | undefined;
  graphUrl: string;
  apiVersion: string;
  /** HMAC of a token with `META_APP_SECRET`, when one is set. */
  proofOf: ((accessToken: string) => string) | undefined;
  /** The secret holding the Dataset Quality token for every destination, unless one names its own. */
  qualityTokenSecret: string;
}

/** The name of the single destination made of `META_PIXEL_ID` and `META_ACCESS_TOKEN`. */
export const DEFAULT_DESTINATION = "default";
/** Pixel id shown in dry-run previews when the single destination has none. */
export const DRY_RUN_PIXEL_ID = "DRY_RUN_PIXEL_ID";

const NAME = /^[a-z0-9_-]{1,32}$/;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const KEYS = new Set([
  "name",
  "pixel_id",
  "access_token_secret",
  "match",
  "event_name",
  "test_event_code",
  "content_id",
  "content_type",
  "event_value",
  "require_consent",
  "limited_data_use",
  "dataset_quality_token_secret",
  "browser_events",
]);
const MATCH_KEYS = new Set(["source", "store_domain", "quiz_id", "type"]);

/**
 * The single destination `default`: the contract's `META_PIXEL_ID` / `META_ACCESS_TOKEN`
 * configuration, every other setting global.
 *
 * @example
 * ```ts
 * singleDestination("123", env.META_ACCESS_TOKEN, defaults).name; // "default"
 * ```
 */
export function singleDestination(
  pixelId: string | undefined,
  accessToken: string | undefined,
  qualityToken: string | undefined,
  defaults: DestinationDefaults,
): Destination {
  if (accessToken !== undefined && pixelId === undefined) {
    throw new ConfigError("META_PIXEL_ID is required when META_ACCESS_TOKEN is set");
  }
  const pixel = pixelId ?? DRY_RUN_PIXEL_ID;
  return {
    name: DEFAULT_DESTINATION,
    pixelId: pixel,
    accessTokenSecret: "META_ACCESS_TOKEN",
    target: accessToken === undefined ? undefined : target(pixel, accessToken, defaults.testEventCode, defaults),
    testEventCode: defaults.testEventCode,
    match: {},
    eventNames: { fallback: defaults.eventName, byType: {} },
    requireConsent: defaults.requireConsent,
    limitedDataUse: defaults.limitedDataUse,
    contentId: defaults.contentId,
    contentType: defaults.contentType ?? contentTypeFor(defaults.contentId),
    eventValue: defaults.eventValue,
    qualityToken: qualityToken ?? accessToken,
    browserEvents: DEFAULT_BROWSER_EVENTS,
  };
}

/**
 * The Studio types the destinations ask for by name, in a `match.type` or an `event_name` map:
 * with `STUDIO_EVENT_TYPES` unset, the relay relays these besides `email:submit`.
 *
 * @example
 * ```ts
 * typesNamedBy(destinations); // ["quiz:complete"]
 * ```
 */
export function typesNamedBy(destinations: readonly Destination[]): string[] {
  const types = new Set<string>();
  for (const destination of destinations) {
    for (const type of destination.match.types ?? []) types.add(type);
    for (const type of Object.keys(destination.eventNames.byType)) types.add(type);
  }
  return [...types];
}

/**
 * Parses `DESTINATIONS`: a JSON array of destinations (text, or an array already), at least one.
 * Throws {@link ConfigError} naming the destination (by name, else by index) and the key.
 *
 * @param secret reads a secret by name (the Worker's env); unset or empty is `undefined`
 * @example
 * ```ts
 * parseDestinations(env.DESTINATIONS, defaults, (name) => text(env[name]));
 * ```
 */
export function parseDestinations(
  raw: unknown,
  defaults: DestinationDefaults,
  secret: (name: string) => string | undefined,
): Destination[] {
  let list: unknown = raw;
  if (typeof raw === "string") {
    try {
      list = JSON.parse(raw);
    } catch {
      throw new ConfigError("DESTINATIONS must be a JSON array of destinations (it is not JSON)");
    }
  }
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError("DESTINATIONS must be a JSON array of at least one destination");
  const names = new Set<string>();
  return list.map((item, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new ConfigError(`DESTINATIONS[${index}] must be an object`);
    }
    const entry = item as Record<string, unknown>;
    const name = typeof entry.name === "string" ? entry.name : undefined;
    if (name === undefined || !NAME.test(name)) {
      throw new ConfigError(`DESTINATIONS[${index}]: name must be 1 to 32 of a-z, 0-9, _ and -`);
    }
    if (names.has(name)) throw new ConfigError(`DESTINATIONS "${name}": name is used twice`);
    names.add(name);
    return parseDestination(entry, `DESTINATIONS "${name}"`, defaults, secret);
  });
}

function parseDestination(
  entry: Record<string, unknown>,
  where: string,
  defaults: DestinationDefaults,
  secret: (name: string) => string | undefined,
): Destination {
  for (const key of Object.keys(entry)) {
    if (!KEYS.has(key)) throw new ConfigError(`${where}: unknown key ${JSON.stringify(key.slice(0, 40))}`);
  }
  const pixelId = readPixelId(entry.pixel_id, `${where}: pixel_id`);
  if (pixelId === undefined) throw new ConfigError(`${where}: pixel_id is required`);
  const accessTokenSecret = secretName(entry.access_token_secret, `${where}: access_token_secret`);
  const qualitySecret = secretName(entry.dataset_quality_token_secret, `${where}: dataset_quality_token_secret`);
  const accessToken = accessTokenSecret === undefined ? undefined : secret(accessTokenSecret);
  const testEventCode = entry.test_event_code === undefined ? defaults.testEventCode : text(entry.test_event_code);
  const contentId = readOneOf(entry.content_id, `${where}: content_id`, CONTENT_ID_FIELDS) ?? defaults.contentId;
  const contentType =
    readOneOf(entry.content_type, `${where}: content_type`, CONTENT_TYPES) ??
    (entry.content_id === undefined ? defaults.contentType : undefined) ??
    contentTypeFor(contentId);
  const limitedDataUse = readLimitedDataUse(entry.limited_data_use, `${where}: limited_data_use`);
  return {
    name: String(entry.name),
    pixelId,
    accessTokenSecret: accessTokenSecret ?? "",
    target: accessToken === undefined ? undefined : target(pixelId, accessToken, testEventCode, defaults),
    testEventCode,
    match: parseMatch(entry.match, `${where}: match`),
    eventNames: parseEventNames(entry.event_name, `${where}: event_name`, defaults.eventName),
    requireConsent: readBoolean(entry.require_consent, `${where}: require_consent`) ?? defaults.requireConsent,
    limitedDataUse: limitedDataUse === "off" ? undefined : (limitedDataUse ?? defaults.limitedDataUse),
    contentId,
    contentType,
    eventValue: readEventValue(entry.event_value, `${where}: event_value`) ?? defaults.eventValue,
    qualityToken: secret(qualitySecret ?? defaults.qualityTokenSecret) ?? accessToken,
    browserEvents: readBrowserEvents(entry.browser_events, `${where}: browser_events`),
  };
}

function target(
  pixelId: string,
  accessToken: string,
  testEventCode: string | undefined,
  defaults: DestinationDefaults,
): GraphTarget {
  return {
    graphUrl: defaults.graphUrl,
    apiVersion: defaults.apiVersion,
    pixelId,
    accessToken,
    ...(testEventCode ? { testEventCode } : {}),
    ...(defaults.proofOf ? { appSecretProof: defaults.proofOf(accessToken) } : {}),
  };
}

function secretName(value: unknown, label: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !SECRET_NAME.test(value)) {
    throw new ConfigError(`${label} must be the name of a secret (letters, digits and _), e.g. META_ACCESS_TOKEN_EU`);
  }
  return value;
}

function parseMatch(value: unknown, where: string): Route["match"] {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!MATCH_KEYS.has(key)) throw new ConfigError(`${where}: unknown key ${JSON.stringify(key.slice(0, 40))}`);
  }
  const sources = stringList(entry.source, `${where}.source`);
  if (sources?.some((source) => !SOURCE.test(source))) {
    throw new ConfigError(`${where}.source must be route segments of a-z, 0-9, _ and - (not "preview")`);
  }
  const storeDomains = stringList(entry.store_domain, `${where}.store_domain`);
  const quizIds = stringList(entry.quiz_id, `${where}.quiz_id`);
  const types = stringList(entry.type, `${where}.type`);
  return {
    ...(sources ? { sources } : {}),
    ...(storeDomains ? { storeDomains: storeDomains.map((domain) => domain.toLowerCase()) } : {}),
    ...(quizIds ? { quizIds } : {}),
    ...(types ? { types } : {}),
  };
}

/**
 * A `{source}` route segment: 1 to 32 of a-z, 0-9, `_` and `-`, and not `preview` (the preview
 * route's own word).
 *
 * @example
 * ```ts
 * SOURCE.test("tiktok"); // true
 * ```
 */
export const SOURCE = /^(?!preview$)[a-z0-9_-]{1,32}$/;

/** A string or a non-empty list of non-empty strings. */
function stringList(value: unknown, label: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === "string" && item.trim() !== "")
  ) {
    throw new ConfigError(`${label} must be a string or a non-empty list of strings`);
  }
  return (list as string[]).map((item) => item.trim());
}

function parseEventNames(value: unknown, where: string, fallback: string): Route["eventNames"] {
  if (value === undefined || value === null) return { fallback, byType: {} };
  if (typeof value === "string") return { fallback: readEventName(value, where) ?? fallback, byType: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`${where} must be a Meta event name or an object from Studio type to event name`);
  }
  const byType: Record<string, string> = {};
  for (const [type, name] of Object.entries(value as Record<string, unknown>)) {
    const eventName = readEventName(name, `${where}.${type.slice(0, 40)}`);
    if (eventName === undefined) throw new ConfigError(`${where}.${type.slice(0, 40)} must be a Meta event name`);
    byType[type] = eventName;
  }
  return { fallback, byType };
}
