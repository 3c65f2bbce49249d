/**
 * Reads the relay's settings from the Worker's vars and secrets, once per request. Pure.
 * Names and meanings of the contract's settings are in ../shared/contract/README.md; the rest
 * are documented in README.md "Configuration".
 *
 * @example
 * ```ts
 * const config = parseConfig({ META_PIXEL_ID: "123", META_ACCESS_TOKEN: "EAAB…" });
 * config.graph?.apiVersion; // "v27.0"
 * parseConfig({}).graph;    // undefined: dry run, nothing is sent
 * ```
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { ContentIdField, EventValue, LimitedDataUse } from "../transform/serverEvent";
import type { TransformOptions } from "../transform/transformWebhook";
import { type FieldMap, parseFieldMap } from "../transform/webhook";

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
/** Pixel id shown in dry-run previews when none is configured. */
export const DRY_RUN_PIXEL_ID = "DRY_RUN_PIXEL_ID";

/**
 * Where and as whom to send events.
 *
 * @example
 * ```ts
 * const target: GraphTarget = { graphUrl: "https://graph.facebook.com", apiVersion: "v24.0",
 *   pixelId: env.META_PIXEL_ID, accessToken: env.META_ACCESS_TOKEN, testEventCode: env.META_TEST_EVENT_CODE };
 * ```
 */
export interface GraphTarget {
  /** e.g. `https://graph.facebook.com` (a trailing slash is tolerated). */
  graphUrl: string;
  /** e.g. `v24.0`. */
  apiVersion: string;
  pixelId: string;
  accessToken: string;
  testEventCode?: string;
  /** See {@link appSecretProof}; sent only when set. */
  appSecretProof?: string;
}

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

export interface RelayConfig extends TransformOptions {
  /** Where and how to send; undefined in dry run (no `META_ACCESS_TOKEN`). */
  graph: GraphTarget | undefined;
  /** The configured pixel id, or a placeholder in dry run. */
  pixelId: string;
  apiVersion: string;
  graphUrl: string;
  testEventCode: string | undefined;
  webhookSecret: string | undefined;
  timeoutMs: number;
}

/** A setting has a value the relay cannot use. The message names the setting, never its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the Worker's environment into a {@link RelayConfig}; throws {@link ConfigError}.
 */
export function parseConfig(env: WorkerVars): RelayConfig {
  const accessToken = setting(env, "META_ACCESS_TOKEN");
  const configuredPixelId = setting(env, "META_PIXEL_ID");
  const apiVersion = setting(env, "META_API_VERSION") ?? DEFAULT_API_VERSION;
  const graphUrl = (setting(env, "META_GRAPH_URL") ?? DEFAULT_GRAPH_URL).replace(/\/+$/, "");
  const testEventCode = setting(env, "META_TEST_EVENT_CODE");
  const appSecret = setting(env, "META_APP_SECRET");

  if (!/^v\d+\.\d+$/.test(apiVersion)) throw new ConfigError("META_API_VERSION must look like v24.0");
  if (!/^https?:\/\/[^/]+/.test(graphUrl)) throw new ConfigError("META_GRAPH_URL must be an http(s) URL");
  if (configuredPixelId !== undefined && !/^\d+$/.test(configuredPixelId)) {
    throw new ConfigError("META_PIXEL_ID must be the numeric dataset / pixel id");
  }
  if (accessToken !== undefined && configuredPixelId === undefined) {
    throw new ConfigError("META_PIXEL_ID is required when META_ACCESS_TOKEN is set");
  }
  const pixelId = configuredPixelId ?? DRY_RUN_PIXEL_ID;
  const graph: GraphTarget | undefined =
    accessToken === undefined
      ? undefined
      : {
          graphUrl,
          apiVersion,
          pixelId,
          accessToken,
          ...(testEventCode ? { testEventCode } : {}),
          ...(appSecret ? { appSecretProof: appSecretProof(accessToken, appSecret) } : {}),
        };

  return {
    graph,
    pixelId,
    apiVersion,
    graphUrl,
    testEventCode,
    eventName: setting(env, "META_EVENT_NAME") ?? DEFAULT_EVENT_NAME,
    webhookSecret: webhookSecret(env),
    defaultCountry: parseDefaultCountry(setting(env, "DEFAULT_COUNTRY")),
    requireConsent: parseBoolean(env, "REQUIRE_CONSENT", false),
    limitedDataUse: parseLimitedDataUse(setting(env, "META_LIMITED_DATA_USE")),
    fieldMap: parseFieldMapSetting((env as Record<string, unknown>).FIELD_MAP),
    eventTypes: (setting(env, "STUDIO_EVENT_TYPES") ?? "email:submit")
      .split(",")
      .map((type) => type.trim())
      .filter(Boolean),
    contentId: oneOf(env, "META_CONTENT_ID", ["product_id", "variant_id", "sku"], "product_id"),
    contentType: oneOf(env, "META_CONTENT_TYPE", ["product", "product_group"], "product"),
    eventValue: parseEventValue(setting(env, "META_EVENT_VALUE")),
    timeoutMs: parsePositiveInteger(env, "META_TIMEOUT_MS", DEFAULT_TIMEOUT_MS),
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
 * an isolate the same `env`, so the settings (and the app-secret HMAC) are worked out once.
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

/** A var or secret as trimmed text; empty counts as unset. */
function setting(env: WorkerVars, name: string): string | undefined {
  const value = (env as Record<string, unknown>)[name];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === "" ? undefined : text;
}

function parseBoolean(env: WorkerVars, name: string, fallback: boolean): boolean {
  const value = setting(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (["true", "1", "yes", "on"].includes(value)) return true;
  if (["false", "0", "no", "off"].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false`);
}

function parsePositiveInteger(env: WorkerVars, name: string, fallback: number): number {
  const value = setting(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new ConfigError(`${name} must be a positive integer`);
  return Number(value);
}

function oneOf<T extends string>(env: WorkerVars, name: string, allowed: readonly T[], fallback: T): T {
  const value = setting(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function parseDefaultCountry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z]{2}$/i.test(value)) throw new ConfigError("DEFAULT_COUNTRY must be an ISO 3166-1 alpha-2 code");
  return value.toLowerCase();
}

function parseLimitedDataUse(value: string | undefined): LimitedDataUse | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (["false", "0", "off", "no"].includes(lower)) return undefined;
  if (["true", "1", "on", "yes"].includes(lower)) return { country: 0, state: 0 };
  const match = /^(\d+)\s*,\s*(\d+)$/.exec(value);
  if (match) return { country: Number(match[1]), state: Number(match[2]) };
  throw new ConfigError('META_LIMITED_DATA_USE must be true, false or "country,state" such as "1,1000"');
}

function parseEventValue(value: string | undefined): EventValue {
  if (value === undefined || value === "recommendations") return { kind: "recommendations" };
  if (value === "none") return { kind: "none" };
  if (/^\d+(\.\d+)?$/.test(value)) return { kind: "fixed", amount: Number(value) };
  throw new ConfigError('META_EVENT_VALUE must be "recommendations", "none" or an amount');
}

function parseFieldMapSetting(value: unknown): FieldMap {
  try {
    return parseFieldMap(value);
  } catch {
    throw new ConfigError("FIELD_MAP must be a JSON object mapping canonical paths to payload paths");
  }
}
