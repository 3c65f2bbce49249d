/**
 * The fake's check of a `POST /{version}/{pixel_id}/events` body, rule by rule, the way Meta's
 * Conversions API documentation states them ("Server Event Parameters", "Customer Information
 * Parameters", "Custom Data", "fbp and fbc", and Meta's Parameter Builder library, capi-param-builder,
 * for the shapes of its values). Pure: `now` is passed in.
 *
 * Like Meta, the first invalid event refuses the whole request (code 100), and the message names
 * the event's index and the parameter in Meta's notation (`$['data'][2]['user_data']['em']`),
 * never the value: a message can end up in the relay's answers and logs.
 *
 * Where the fake is stricter than Meta is known to be, on purpose (the relay promises more):
 * `external_id` must be hashed (Meta only recommends it), and `client_user_agent` is required for
 * `website` events as Meta documents, though a live capture (2026-09) saw Graph accept one
 * without it.
 */
import { isIP } from "node:net";
import {
  eventTooOld,
  insufficientCustomerInformation,
  invalidParameter,
  MAX_EVENT_AGE_SECONDS,
  MAX_EVENTS_PER_REQUEST,
  type MetaError,
  paramPath,
} from "./errors.ts";

/** Meta's `action_source` values (Server Event Parameters). */
export const ACTION_SOURCES = [
  "email",
  "website",
  "app",
  "phone_call",
  "chat",
  "physical_store",
  "system_generated",
  "business_messaging",
  "other",
];

/** `user_data` keys Meta wants SHA-256 hashed (Customer Information Parameters). */
export const HASHED_KEYS = ["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id"];

/** Every `user_data` key the fake counts as something to match on. */
export const MATCH_KEYS = [...HASHED_KEYS, "client_ip_address", "client_user_agent", "fbc", "fbp"];

/** A Parameter Builder appendix: a 2-character legacy token or 8 base64url characters. */
const APPENDIX = "(?:AQ|Ag|Aw|BA|BQ|Bg|[A-Za-z0-9_-]{8})";
const HASHED = new RegExp(`^[0-9a-f]{64}(?:\\.${APPENDIX})?$`);
const FB_COOKIE = new RegExp(`^fb\\.\\d+\\.\\d+\\.[^.\\s]+(?:\\.${APPENDIX})?$`);

/** One event as the fake keeps it: whatever Meta was sent, once it passed the checks. */
export type ReceivedEvent = Record<string, unknown> & {
  event_name: string;
  event_time: number;
  action_source: string;
  user_data: Record<string, unknown>;
  event_id?: string | number;
};

export type EventsValidation =
  { ok: true; events: ReceivedEvent[]; testEventCode?: string } | { ok: false; error: MetaError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function required(parts: Array<string | number>): MetaError {
  return invalidParameter(`The parameter ${paramPath(parts)} is required.`);
}

function invalid(parts: Array<string | number>, rule: string): MetaError {
  return invalidParameter(`The parameter ${paramPath(parts)} ${rule}.`);
}

/**
 * Checks a request body's `data` (and `test_event_code`); the token is the caller's business.
 *
 * @example
 * ```ts
 * const result = validateEventsBody({ data: [event] }, Math.floor(Date.now() / 1000));
 * if (!result.ok) answer(result.error); // e.g. 100 / 2804003 for an event 8 days old
 * ```
 */
export function validateEventsBody(body: Record<string, unknown>, nowSeconds: number): EventsValidation {
  const { data, test_event_code: testEventCode } = body;
  if (data === undefined || data === null) return { ok: false, error: required(["data"]) };
  if (!Array.isArray(data)) return { ok: false, error: invalid(["data"], "must be an array of events") };
  if (data.length < 1 || data.length > MAX_EVENTS_PER_REQUEST) {
    return {
      ok: false,
      error: invalid(["data"], `must hold between 1 and ${MAX_EVENTS_PER_REQUEST} events (it holds ${data.length})`),
    };
  }
  if (testEventCode !== undefined && typeof testEventCode !== "string") {
    return { ok: false, error: invalid(["test_event_code"], "must be a string") };
  }
  for (const [index, event] of data.entries()) {
    const error = validateEvent(event, index, nowSeconds);
    if (error) return { ok: false, error };
  }
  return { ok: true, events: data as ReceivedEvent[], ...(testEventCode ? { testEventCode } : {}) };
}

/**
 * The first rule one event breaks, or `undefined` when it passes.
 *
 * @example
 * ```ts
 * validateEvent({ event_name: "Lead", event_time: now - 8 * 86400, … }, 0, now)?.error.error_subcode; // 2804003
 * ```
 */
export function validateEvent(event: unknown, index: number, nowSeconds: number): MetaError | undefined {
  const at = (...parts: Array<string | number>) => ["data", index, ...parts];
  if (!isRecord(event)) return invalid(at(), "must be a JSON object");

  const { event_name, event_time, action_source, event_source_url, event_id, user_data, custom_data } = event;
  if (event_name === undefined || event_name === null || event_name === "") return required(at("event_name"));
  if (typeof event_name !== "string") return invalid(at("event_name"), "must be a string");

  if (event_time === undefined || event_time === null) return required(at("event_time"));
  if (typeof event_time !== "number" || !Number.isInteger(event_time)) {
    return invalid(at("event_time"), "must be an integer Unix time in seconds");
  }
  if (event_time < nowSeconds - MAX_EVENT_AGE_SECONDS) return eventTooOld(index);
  if (event_time > nowSeconds) {
    return invalid(
      at("event_time"),
      "is in the future: send the Unix time in seconds at which the event happened, never later than now",
    );
  }

  if (event_id !== undefined && typeof event_id !== "string" && typeof event_id !== "number") {
    return invalid(at("event_id"), "must be a string");
  }

  if (action_source === undefined || action_source === null || action_source === "")
    return required(at("action_source"));
  if (typeof action_source !== "string" || !ACTION_SOURCES.includes(action_source)) {
    return invalid(at("action_source"), `must be one of ${ACTION_SOURCES.join(", ")}`);
  }

  if (user_data === undefined || user_data === null) return required(at("user_data"));
  if (!isRecord(user_data)) return invalid(at("user_data"), "must be a JSON object");

  if (action_source === "website") {
    if (event_source_url === undefined || event_source_url === null || event_source_url === "") {
      return required(at("event_source_url"));
    }
    if (!isHttpUrl(event_source_url)) return invalid(at("event_source_url"), "must be an absolute http(s) URL");
    if (
      user_data.client_user_agent === undefined ||
      user_data.client_user_agent === null ||
      user_data.client_user_agent === ""
    ) {
      return required(at("user_data", "client_user_agent"));
    }
  } else if (event_source_url !== undefined && !isHttpUrl(event_source_url)) {
    return invalid(at("event_source_url"), "must be an absolute http(s) URL");
  }

  const userDataError = validateUserData(user_data, at("user_data"));
  if (userDataError) return userDataError;
  if (!MATCH_KEYS.some((key) => hasValue(user_data[key]))) return insufficientCustomerInformation(index);

  if (custom_data !== undefined) {
    const customDataError = validateCustomData(custom_data, event_name, at("custom_data"));
    if (customDataError) return customDataError;
  } else if (event_name === "Purchase") {
    return required(at("custom_data", "currency"));
  }

  return validateProcessingOptions(event, at);
}

function validateUserData(userData: Record<string, unknown>, at: Array<string | number>): MetaError | undefined {
  for (const key of HASHED_KEYS) {
    const value = userData[key];
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const [position, item] of values.entries()) {
      const path = Array.isArray(value) ? [...at, key, position] : [...at, key];
      if (typeof item !== "string" || !HASHED.test(item)) {
        return invalid(
          path,
          "is not a valid SHA-256 hash: send 64 lowercase hex characters, or a Parameter Builder value (<64 hex>.<appendix>)",
        );
      }
    }
  }
  const ip = userData.client_ip_address;
  if (ip !== undefined && ip !== null && (typeof ip !== "string" || isIP(ip) === 0)) {
    return invalid([...at, "client_ip_address"], "must be one valid IPv4 or IPv6 address");
  }
  const agent = userData.client_user_agent;
  if (agent !== undefined && agent !== null && typeof agent !== "string") {
    return invalid([...at, "client_user_agent"], "must be a string");
  }
  for (const key of ["fbc", "fbp"]) {
    const value = userData[key];
    if (value !== undefined && value !== null && (typeof value !== "string" || !FB_COOKIE.test(value))) {
      return invalid(
        [...at, key],
        "must have the form fb.{subdomain index}.{creation time in ms}.{value}, with an optional Parameter Builder appendix",
      );
    }
  }
  return undefined;
}

function validateCustomData(customData: unknown, eventName: string, at: Array<string | number>): MetaError | undefined {
  if (!isRecord(customData)) return invalid(at, "must be a JSON object");
  const { value, currency } = customData;
  if (value !== undefined && value !== null && (typeof value !== "number" || !Number.isFinite(value))) {
    return invalid([...at, "value"], "must be a number");
  }
  if (
    currency !== undefined &&
    currency !== null &&
    (typeof currency !== "string" || !/^[A-Za-z]{3}$/.test(currency))
  ) {
    return invalid([...at, "currency"], "must be a 3-letter ISO 4217 currency code");
  }
  if (eventName === "Purchase") {
    if (currency === undefined || currency === null) return required([...at, "currency"]);
    if (value === undefined || value === null) return required([...at, "value"]);
  }
  return undefined;
}

function validateProcessingOptions(
  event: Record<string, unknown>,
  at: (...parts: string[]) => Array<string | number>,
): MetaError | undefined {
  const {
    data_processing_options: options,
    data_processing_options_country: country,
    data_processing_options_state: state,
  } = event;
  if (options !== undefined && (!Array.isArray(options) || options.some((option) => option !== "LDU"))) {
    return invalid(at("data_processing_options"), 'must be an array holding "LDU" or nothing');
  }
  if (country !== undefined && !Number.isInteger(country))
    return invalid(at("data_processing_options_country"), "must be an integer");
  if (state !== undefined && !Number.isInteger(state))
    return invalid(at("data_processing_options_state"), "must be an integer");
  return undefined;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Whether a `user_data` value counts as present: a non-empty string or a non-empty array.
 *
 * @example
 * ```ts
 * hasValue("abc"); // true
 * hasValue([]); // false
 * ```
 */
export function hasValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === "string" && value !== "";
}
