/**
 * Reads the relay's settings from the Worker's vars and secrets into one typed
 * {@link RelayConfig}, once per environment object. Pure. Every setting's name and meaning is
 * in docs/configuration.md ("Settings"; the names of the outside contract's are kept as they
 * are). The destinations (one `default`, or `DESTINATIONS`) are parsed by
 * ./destinations.
 *
 * @example
 * ```ts
 * const config = parseConfig({ META_PIXEL_ID: "123", META_ACCESS_TOKEN: "EAAB…" });
 * config.destinations[0]?.target?.apiVersion; // "v27.0"
 * parseConfig({}).dryRun;                     // true: no destination has a token, nothing is sent
 * ```
 *
 * Dry run (build, log, answer; send nothing) holds for the whole relay, never for one destination:
 * when `DRY_RUN=true`, or when no destination has a token (the first run: `npm run dev` with no
 * credentials). Otherwise a destination whose token secret is unset is not a dry run: it carries
 * `missingToken` (the secret's name) and its events are held until the secret is set, so a
 * removed or mistyped secret on a live relay loses nothing.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { isPrototypeKey, isRecord } from "../core/records";
import { type FieldMap, parseFieldMap } from "../transform/webhook";
import { type BrowserSettings, readBrowserSettings } from "./browserSettings";
import { JsonTextError, readJson } from "./json";
import {
  type Destination,
  type DestinationDefaults,
  parseDestinations,
  singleDestination,
  typesNamedBy,
  withDryRun,
} from "./destinations";
import {
  CONTENT_ID_FIELDS,
  CONTENT_TYPES,
  ConfigError,
  readBoolean,
  readDryRun,
  readEventName,
  readEventValue,
  readLimitedDataUse,
  readOneOf,
  readPixelId,
  readPositiveInteger,
  text,
} from "./values";

export { ConfigError } from "./values";
export type { BrowserSettings } from "./browserSettings";
export { DEFAULT_DESTINATION, type Destination, DRY_RUN_PIXEL_ID, type GraphTarget } from "./destinations";

/**
 * Pinned Graph API version: v27.0, released 4 November 2026. Its changelog has nothing for
 * `/{pixel}/events`; what it restricts for new apps (multi-ID requests, field aliases, HTTP method
 * override, JSONP, asynchronous batches) the relay does not use. Meta keeps Conversions API
 * versions alive for two years at least.
 */
export const DEFAULT_API_VERSION = "v27.0";
export const DEFAULT_GRAPH_URL = "https://graph.facebook.com";
export const DEFAULT_EVENT_NAME = "Lead";
/** Meta asks for a request timeout around 1.5 s. */
export const DEFAULT_TIMEOUT_MS = 1500;
/** The Studio type of the email modal, the one webhook Studio's Custom API Integration sends. */
export const EMAIL_SUBMIT_TYPE = "email:submit";

/**
 * Meta's `appsecret_proof`: the lowercase hex HMAC-SHA256 of the access token keyed by the
 * app secret. Required by apps with "Require App Secret" on, accepted by all.
 *
 * @example
 * ```ts
 * appSecretProof("EAAB…", "app-secret"); // "5f2b…" (64 hex characters)
 * ```
 */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(appSecret), utf8ToBytes(accessToken)));
}

/**
 * The Worker's `env` as the settings read it: any object of vars and secrets (the generated `Env`,
 * or a plain object in tests), read by name.
 */
export type WorkerVars = object;

export interface RelayConfig {
  webhookSecret: string | undefined;
  fieldMap: FieldMap;
  /** ISO alpha-2, lowercase: the country of shoppers who give none (phone calling code, zip). */
  defaultCountry: string | undefined;
  /** Studio `type`s that are relayed; others are answered `skipped` (`event_type_filtered`). */
  eventTypes: string[];
  /** Per-request timeout towards Meta on the synchronous path. */
  timeoutMs: number;
  graphUrl: string;
  apiVersion: string;
  /**
   * Dry-run mode, for every destination at once: `DRY_RUN=true`, or no destination has a token.
   * Then no destination has a `target` or a `missingToken`. When false, each destination has
   * exactly one of them: `target` (live) or `missingToken` (held, `no_token`).
   */
  dryRun: boolean;
  /** In configuration order; `default` alone unless `DESTINATIONS` is set. */
  destinations: Destination[];
  /** Whether `DESTINATIONS` is set (then `META_PIXEL_ID` and `META_ACCESS_TOKEN` are not used). */
  several: boolean;
  /** `POST /collect/cartful`: `BROWSER_ORIGINS` and `COOKIE_DOMAIN`; undefined while the route is off. */
  browser: BrowserSettings | undefined;
}

/**
 * Parses the Worker's environment into a {@link RelayConfig}; throws {@link ConfigError}.
 */
export function parseConfig(env: WorkerVars): RelayConfig {
  const apiVersion = setting(env, "META_API_VERSION") ?? DEFAULT_API_VERSION;
  const graphUrl = (setting(env, "META_GRAPH_URL") ?? DEFAULT_GRAPH_URL).replace(/\/+$/, "");
  if (!/^v\d+\.\d+$/.test(apiVersion)) throw new ConfigError("META_API_VERSION must look like v27.0");
  if (!/^https?:\/\/[^/]+/.test(graphUrl)) throw new ConfigError("META_GRAPH_URL must be an http(s) URL");
  const appSecret = setting(env, "META_APP_SECRET");
  const contentId = readOneOf(setting(env, "META_CONTENT_ID"), "META_CONTENT_ID", CONTENT_ID_FIELDS) ?? "product_id";
  const limitedDataUse = readLimitedDataUse(setting(env, "META_LIMITED_DATA_USE"), "META_LIMITED_DATA_USE");
  const defaults: DestinationDefaults = {
    eventName: readEventName(setting(env, "META_EVENT_NAME"), "META_EVENT_NAME") ?? DEFAULT_EVENT_NAME,
    testEventCode: setting(env, "META_TEST_EVENT_CODE"),
    contentId,
    contentType: readOneOf(setting(env, "META_CONTENT_TYPE"), "META_CONTENT_TYPE", CONTENT_TYPES),
    eventValue: readEventValue(setting(env, "META_EVENT_VALUE"), "META_EVENT_VALUE") ?? { kind: "none" },
    requireConsent: readBoolean(setting(env, "REQUIRE_CONSENT"), "REQUIRE_CONSENT") ?? false,
    limitedDataUse: limitedDataUse === "off" ? undefined : limitedDataUse,
    graphUrl,
    apiVersion,
    proofOf: appSecret === undefined ? undefined : (token) => appSecretProof(token, appSecret),
    qualityTokenSecret: "META_DATASET_QUALITY_TOKEN",
  };

  const forced = readDryRun(raw(env, "DRY_RUN"));
  const several = raw(env, "DESTINATIONS") !== undefined;
  const read = several
    ? parseDestinations(raw(env, "DESTINATIONS"), defaults, (name) => setting(env, name))
    : [
        singleDestination(
          readPixelId(raw(env, "META_PIXEL_ID"), "META_PIXEL_ID"),
          setting(env, "META_ACCESS_TOKEN"),
          setting(env, "META_DATASET_QUALITY_TOKEN"),
          defaults,
        ),
      ];
  const { dryRun, destinations } = withDryRun(read, { forced });
  const configuredTypes = setting(env, "STUDIO_EVENT_TYPES")
    ?.split(",")
    .map((type) => type.trim())
    .filter(Boolean);

  return {
    webhookSecret: webhookSecret(env),
    fieldMap: parseFieldMapSetting(raw(env, "FIELD_MAP")),
    defaultCountry: parseDefaultCountry(setting(env, "DEFAULT_COUNTRY")),
    eventTypes: configuredTypes?.length
      ? configuredTypes
      : [...new Set([EMAIL_SUBMIT_TYPE, ...typesNamedBy(destinations)])],
    timeoutMs: readPositiveInteger(setting(env, "META_TIMEOUT_MS"), "META_TIMEOUT_MS") ?? DEFAULT_TIMEOUT_MS,
    graphUrl,
    apiVersion,
    dryRun,
    destinations,
    several,
    browser: readBrowserSettings({ origins: raw(env, "BROWSER_ORIGINS"), cookieDomain: raw(env, "COOKIE_DOMAIN") }),
  };
}

/**
 * `WEBHOOK_SECRET` alone, readable before (and whatever else is wrong with) the rest of the
 * settings, so authentication never depends on them.
 *
 * @example
 * ```ts
 * await authenticate(headers, raw, webhookSecret(env) ?? "", Date.now());
 * ```
 */
export function webhookSecret(env: WorkerVars): string | undefined {
  return setting(env, "WEBHOOK_SECRET");
}

const parsed = new WeakMap<object, RelayConfig>();

/**
 * {@link parseConfig}, once per environment object: the Workers runtime hands every request of
 * an isolate the same `env`, so the settings (and the app-secret HMACs) are worked out once.
 * A broken configuration is not remembered, so each request reports it.
 *
 * @example
 * ```ts
 * const config = configFor(c.env);
 * ```
 */
export function configFor(env: WorkerVars): RelayConfig {
  let config = parsed.get(env);
  if (config === undefined) {
    config = parseConfig(env);
    parsed.set(env, config);
  }
  return config;
}

/**
 * One destination by name, or `undefined` when the configuration has none of that name (a
 * destination removed or renamed while its events waited).
 *
 * @example
 * ```ts
 * destinationNamed(config, message.destination)?.target;
 * ```
 */
export function destinationNamed(config: RelayConfig, name: string): Destination | undefined {
  return config.destinations.find((destination) => destination.name === name);
}

/** A var or secret as it is bound (text, or a JSON value in wrangler.jsonc), `undefined` when unset or empty. */
function raw(env: WorkerVars, name: string): unknown {
  const value = (env as Record<string, unknown>)[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}

/** A var or secret as trimmed text; empty counts as unset. */
function setting(env: WorkerVars, name: string): string | undefined {
  return text((env as Record<string, unknown>)[name]);
}

function parseDefaultCountry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z]{2}$/i.test(value)) throw new ConfigError("DEFAULT_COUNTRY must be an ISO 3166-1 alpha-2 code");
  return value.toLowerCase();
}

/**
 * `FIELD_MAP`, read strictly (./json: a path written twice is refused, not kept last) and with no
 * path segment that `Object.prototype` answers to (`__proto__`, `constructor`, …), on either side:
 * each becomes a key when the payload is rewritten.
 */
function parseFieldMapSetting(value: unknown): FieldMap {
  const unusable = "FIELD_MAP must be a JSON object mapping canonical paths to payload paths";
  let map = value;
  if (typeof value === "string") {
    try {
      const read = readJson(value);
      const repeat = read.duplicates[0];
      if (repeat !== undefined) {
        throw new ConfigError(`FIELD_MAP: ${JSON.stringify(repeat.key.slice(0, 40))} is written twice (keep one)`);
      }
      map = read.value;
    } catch (error) {
      if (!(error instanceof JsonTextError)) throw error;
      throw new ConfigError(`${unusable} (it is ${error.message})`);
    }
  }
  if (isRecord(map)) {
    for (const [to, from] of Object.entries(map)) {
      const paths = typeof from === "string" ? [to, from] : [to];
      if (paths.some((path) => path.split(".").some(isPrototypeKey))) {
        throw new ConfigError(
          `FIELD_MAP ${JSON.stringify(to.slice(0, 40))}: a path segment is a key of Object.prototype (__proto__, constructor, …)`,
        );
      }
    }
  }
  try {
    return parseFieldMap(map);
  } catch {
    throw new ConfigError(unusable);
  }
}
