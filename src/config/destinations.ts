/**
 * The relay's destinations (pixels), parsed once: `DESTINATIONS` (a JSON array, as text or as
 * an array in wrangler.jsonc) when it is set, else the single destination `default` made of
 * `META_PIXEL_ID`, `META_ACCESS_TOKEN` and the global settings. Pure: the secrets come in through
 * `secret(name)`.
 *
 * Keys of a destination (docs/configuration.md "Several destinations"): `name`, `pixel_id`,
 * `access_token_secret`, `match` (`source`, `store_domain`, `quiz_id`, `type`), `event_name`
 * (a name, or an object from Studio type to name), `test_event_code`, and, overriding the global
 * settings of the same meaning, `content_id`, `content_type`, `event_value`, `require_consent`,
 * `limited_data_use`, `dataset_quality_token_secret`, and `browser_events` (./browserSettings). Unknown keys are refused (a typo would
 * otherwise be silently ignored). Errors name the destination and the key, never a value.
 *
 * Refused as well, because each has sent events to the wrong place or broken the relay:
 * - a name, `match` entry or `event_name` key that `Object.prototype` answers to (`__proto__`,
 *   `constructor`, `toString`, …); entries are read as own keys only, and the name-keyed maps
 *   built here have no prototype;
 * - a token secret naming one of the relay's own secrets ({@link RELAY_SECRETS}): it would go to
 *   Graph as the token;
 * - a `pixel_id` written as a JSON number that is not exact. Given the JSON text (`DESTINATIONS`
 *   as a string), the literal as written must be plain digits within 2^53 (a number past it reads
 *   rounded, `12345678901234567` as `…568`, another pixel); given an array (a JSON var in
 *   wrangler.jsonc, already parsed by wrangler) the number must be `Number.isSafeInteger`, which
 *   every rounded integer fails. Writing the id as a string always works;
 * - a key written twice in one destination (JSON would keep the last silently); this needs the
 *   JSON text, so it is checked when `DESTINATIONS` is a string (./json reads it).
 *
 * A token secret that is unset does not make its destination a dry run unless the whole relay
 * is one (see {@link withDryRun}): `missingToken` names the secret, and the next layer holds the
 * destination's events (`no_token`) until it is set.
 *
 * @example
 * ```ts
 * parseDestinations('[{"name":"eu","pixel_id":"111","access_token_secret":"META_ACCESS_TOKEN_EU"}]', defaults, (n) => env[n]);
 * // [{ name: "eu", pixelId: "111", target: { accessToken: "EAAB…", … }, match: { types: ["email:submit"] }, … }]
 * ```
 */
import { isPrototypeKey, isRecord, nullRecord, ownValue } from "../core/records";
import type { Route } from "../transform/routing";
import { DEFAULT_BROWSER_EVENTS } from "../transform/browserEventNames";
import { readBrowserEvents } from "./browserSettings";
import { type DuplicateKey, type JsonRead, JsonTextError, readJson } from "./json";
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
  refusePrototypeKey,
  RELAY_SECRETS,
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
  /**
   * Where and how to send; set only when the destination is live (its token is set and the relay
   * is not in dry-run mode). Undefined: dry run when the relay's `dryRun` is true, else its events
   * are held, see `missingToken`.
   */
  target: GraphTarget | undefined;
  /**
   * Set when the token secret is unset while the relay is not in dry-run mode (another destination
   * has a token): the secret's name, never a value. The destination's events are held in its
   * circuit (`no_token`) until the secret is set. Undefined when live or in dry run.
   */
  missingToken: { secret: string } | undefined;
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
    missingToken: accessToken === undefined ? { secret: "META_ACCESS_TOKEN" } : undefined,
    testEventCode: defaults.testEventCode,
    match: {},
    eventNames: { fallback: defaults.eventName, byType: nullRecord() },
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
  let read: JsonRead | undefined;
  if (typeof raw === "string") {
    try {
      read = readJson(raw);
    } catch (error) {
      if (!(error instanceof JsonTextError)) throw error;
      throw new ConfigError(`DESTINATIONS must be a JSON array of destinations (it is ${error.message})`);
    }
    list = read.value;
  }
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError("DESTINATIONS must be a JSON array of at least one destination");
  const names = new Set<string>();
  return list.map((item: unknown, index) => {
    if (!isRecord(item)) throw new ConfigError(`DESTINATIONS[${index}] must be an object`);
    const value = ownValue(item, "name");
    const name = typeof value === "string" ? value : undefined;
    if (name === undefined || !NAME.test(name)) {
      throw new ConfigError(`DESTINATIONS[${index}]: name must be 1 to 32 of a-z, 0-9, _ and -`);
    }
    if (isPrototypeKey(name)) {
      throw new ConfigError(
        `DESTINATIONS "${name}": name must not be a key of Object.prototype (__proto__, constructor, toString, …)`,
      );
    }
    if (names.has(name)) throw new ConfigError(`DESTINATIONS "${name}": name is used twice`);
    names.add(name);
    const where = `DESTINATIONS "${name}"`;
    const repeat = read?.duplicates.find((duplicate) => duplicate.path[0] === index);
    if (repeat !== undefined) throw new ConfigError(`${where}: ${repeatedKey(repeat)} is written twice (keep one)`);
    const pixelIdText = read?.numberText(item, "pixel_id");
    if (pixelIdText !== undefined && !(/^\d+$/.test(pixelIdText) && Number.isSafeInteger(Number(pixelIdText)))) {
      throw new ConfigError(
        `${where}: pixel_id must be written as a string of digits ("123…"): as a number it is not exact`,
      );
    }
    return parseDestination(item, where, defaults, secret);
  });
}

/** A repeated key inside one destination, as a dotted path under it (`pixel_id`, `match.type`), bounded. */
function repeatedKey(duplicate: DuplicateKey): string {
  const keys = [...duplicate.path.slice(1), duplicate.key].map((part) => String(part).slice(0, 40));
  return JSON.stringify(keys.join("."));
}

/**
 * The relay's mode from its destinations: dry run when `DRY_RUN=true` (`forced`) or when no
 * destination has a token (the first run, `npm run dev` without credentials); then no destination
 * has a `target` nor a `missingToken`. Otherwise each destination is live (`target`) or held
 * (`missingToken`), as it was read.
 *
 * @example
 * ```ts
 * withDryRun(parseDestinations(env.DESTINATIONS, defaults, secret), { forced: false }).dryRun; // false when one has a token
 * ```
 */
export function withDryRun(
  destinations: readonly Destination[],
  options: { forced: boolean },
): { dryRun: boolean; destinations: Destination[] } {
  const dryRun = options.forced || destinations.every((destination) => destination.target === undefined);
  if (!dryRun) return { dryRun, destinations: [...destinations] };
  return {
    dryRun,
    destinations: destinations.map((destination) => ({ ...destination, target: undefined, missingToken: undefined })),
  };
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
  const own = (key: string) => ownValue(entry, key);
  const pixelId = readPixelId(own("pixel_id"), `${where}: pixel_id`);
  if (pixelId === undefined) throw new ConfigError(`${where}: pixel_id is required`);
  // Absent: the single destination's secret, as the contract says.
  const accessTokenSecret =
    secretName(own("access_token_secret"), `${where}: access_token_secret`) ?? "META_ACCESS_TOKEN";
  const qualitySecret = secretName(own("dataset_quality_token_secret"), `${where}: dataset_quality_token_secret`);
  const accessToken = secret(accessTokenSecret);
  const testEventCode = own("test_event_code") === undefined ? defaults.testEventCode : text(own("test_event_code"));
  const contentId = readOneOf(own("content_id"), `${where}: content_id`, CONTENT_ID_FIELDS) ?? defaults.contentId;
  const contentType =
    readOneOf(own("content_type"), `${where}: content_type`, CONTENT_TYPES) ??
    (own("content_id") === undefined ? defaults.contentType : undefined) ??
    contentTypeFor(contentId);
  const limitedDataUse = readLimitedDataUse(own("limited_data_use"), `${where}: limited_data_use`);
  return {
    name: String(own("name")),
    pixelId,
    accessTokenSecret,
    target: accessToken === undefined ? undefined : target(pixelId, accessToken, testEventCode, defaults),
    missingToken: accessToken === undefined ? { secret: accessTokenSecret } : undefined,
    testEventCode,
    match: parseMatch(own("match"), `${where}: match`),
    eventNames: parseEventNames(own("event_name"), `${where}: event_name`, defaults.eventName),
    requireConsent: readBoolean(own("require_consent"), `${where}: require_consent`) ?? defaults.requireConsent,
    limitedDataUse: limitedDataUse === "off" ? undefined : (limitedDataUse ?? defaults.limitedDataUse),
    contentId,
    contentType,
    eventValue: readEventValue(own("event_value"), `${where}: event_value`) ?? defaults.eventValue,
    qualityToken: secret(qualitySecret ?? defaults.qualityTokenSecret) ?? accessToken,
    browserEvents: readBrowserEvents(own("browser_events"), `${where}: browser_events`),
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
  // A name `Object.prototype` answers to (`constructor`, `toString`) would read a function from
  // the Worker's env as the token.
  if (typeof value !== "string" || !SECRET_NAME.test(value) || isPrototypeKey(value)) {
    throw new ConfigError(`${label} must be the name of a secret (letters, digits and _), e.g. META_ACCESS_TOKEN_EU`);
  }
  if (RELAY_SECRETS.includes(value.toUpperCase())) {
    throw new ConfigError(
      `${label} must name a secret holding a Meta token, never one of the relay's own (${RELAY_SECRETS.join(", ")})`,
    );
  }
  return value;
}

function parseMatch(value: unknown, where: string): Route["match"] {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new ConfigError(`${where} must be an object`);
  for (const key of Object.keys(value)) {
    if (!MATCH_KEYS.has(key)) throw new ConfigError(`${where}: unknown key ${JSON.stringify(key.slice(0, 40))}`);
  }
  const sources = stringList(ownValue(value, "source"), `${where}.source`);
  if (sources?.some((source) => !SOURCE.test(source))) {
    throw new ConfigError(`${where}.source must be route segments of a-z, 0-9, _ and - (not "preview")`);
  }
  const storeDomains = stringList(ownValue(value, "store_domain"), `${where}.store_domain`);
  const quizIds = stringList(ownValue(value, "quiz_id"), `${where}.quiz_id`);
  const types = stringList(ownValue(value, "type"), `${where}.type`);
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

/** A string or a non-empty list of non-empty strings, none a key of `Object.prototype` (each may key a lookup). */
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
  const items = (list as string[]).map((item) => item.trim());
  for (const item of items) refusePrototypeKey(item, `${label} entries`);
  return items;
}

function parseEventNames(value: unknown, where: string, fallback: string): Route["eventNames"] {
  if (value === undefined || value === null) return { fallback, byType: nullRecord() };
  if (typeof value === "string") return { fallback: readEventName(value, where) ?? fallback, byType: nullRecord() };
  if (!isRecord(value)) {
    throw new ConfigError(`${where} must be a Meta event name or an object from Studio type to event name`);
  }
  const byType = nullRecord<string>();
  for (const [type, name] of Object.entries(value)) {
    refusePrototypeKey(type, `${where} keys`);
    const eventName = readEventName(name, `${where}.${type.slice(0, 40)}`);
    if (eventName === undefined) throw new ConfigError(`${where}.${type.slice(0, 40)} must be a Meta event name`);
    byType[type] = eventName;
  }
  return { fallback, byType };
}
