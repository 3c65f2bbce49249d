/**
 * One request to Meta's Conversions API and the reading of its answer.
 *
 * The access token travels in the JSON body only: never in the URL (URLs end up in logs) and
 * never in an outcome message. Which errors are worth retrying follows Meta's "Handling Errors"
 * page (developers.facebook.com/docs/graph-api/guides/error-handling), as ./metaErrors tables it;
 * docs/delivery.md says what each means here.
 */
import { isRecord } from "../core/records";
import type { GraphTarget } from "../config/settings";
import type { EventsRequestBody, ServerEvent } from "../transform/capi";
import { isPermanentCode, isTransientCode, metaErrorOf, type MetaErrorScope, traceIdOf } from "./metaErrors";

/**
 * What came of one request (or, from `deliver`, of the last one).
 *
 * @example
 * ```ts
 * if (outcome.ok) log({ events_received: outcome.eventsReceived, fbtrace_id: outcome.fbtraceId });
 * else if (!outcome.transient && outcome.code === 100) answer422(outcome.userMessage ?? outcome.message);
 * ```
 */
export type GraphOutcome =
  | {
      ok: true;
      status: number;
      eventsReceived: number;
      fbtraceId?: string;
      /** Meta's `X-Ad-Api-Version-Warning`: the call was auto-upgraded from a deprecated version. */
      versionWarning?: string;
    }
  | {
      ok: false;
      /** Worth retrying: the same request may succeed later. */
      transient: boolean;
      /** HTTP status, absent when no answer came (network error, timeout). */
      status?: number;
      /** Meta's `error.code` / `error.error_subcode`. */
      code?: number;
      subcode?: number;
      /** Meta's `error.message`, or what went wrong on the way. Never holds the token. */
      message: string;
      /** Meta's `error_user_msg`: the explanation meant for people. */
      userMessage?: string;
      fbtraceId?: string;
      /** From `Retry-After`, in ms from `now`. */
      retryAfterMs?: number;
      /** Meta's `X-Ad-Api-Version-Warning`, when it came. */
      versionWarning?: string;
    };

/** A failed request's outcome. */
export type GraphFailure = Extract<GraphOutcome, { ok: false }>;

/**
 * Meta asks for a request timeout around 1.5 s; most answers take under 0.6 s.
 *
 * @example
 * ```ts
 * await postEvents(target, events, { fetch, timeoutMs: DEFAULT_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 1500;

/**
 * What a failure is about, which decides what to do with the events (see ./metaErrors for the
 * codes):
 * - `transient`: the same request may succeed later; wait and resend.
 * - `configuration`: Meta refused our setup, not an event, so every event would be refused alike:
 *   the token, permissions, the API version, a pixel that does not exist or that the token cannot
 *   reach, or a permanent 4xx without any code. Fix the settings; splitting the request would not help.
 * - `event`: Meta refused an event in the request (100 with another subcode, and any other
 *   permanent answer); one invalid event rejects its whole request, so isolate it.
 *
 * @example
 * ```ts
 * failureScope({ ok: false, transient: false, status: 400, code: 100, subcode: 33, message: "…does not exist…" }); // "configuration"
 * failureScope({ ok: false, transient: false, status: 400, code: 100, subcode: 2804003, message: "Invalid parameter" }); // "event"
 * ```
 */
export function failureScope(failure: Pick<GraphFailure, "transient" | "status" | "code" | "subcode">): MetaErrorScope {
  if (failure.transient) return "transient";
  if (failure.code === undefined)
    return failure.status !== undefined && failure.status >= 400 && failure.status < 500 ? "configuration" : "event";
  const meaning = metaErrorOf(failure.code, failure.subcode);
  // A code the table calls transient always comes with `transient: true` from classifyResponse.
  return meaning === undefined || meaning.scope === "transient" ? "event" : meaning.scope;
}

/**
 * The events endpoint, without the token.
 *
 * @example
 * ```ts
 * eventsUrl({ graphUrl: "https://graph.facebook.com", apiVersion: "v27.0", pixelId: "123", accessToken: "EAAB…" });
 * // "https://graph.facebook.com/v27.0/123/events"
 * ```
 */
export function eventsUrl(target: GraphTarget): string {
  const base = target.graphUrl.replace(/\/+$/, "");
  return `${base}/${encodeURIComponent(target.apiVersion)}/${encodeURIComponent(target.pixelId)}/events`;
}

/**
 * The JSON body: `data`, `access_token`, and `test_event_code` only when one is set.
 *
 * @example
 * ```ts
 * eventsRequestBody({ ...target, testEventCode: "TEST123" }, [event]);
 * // { data: [event], access_token: "EAAB…", test_event_code: "TEST123" }
 * ```
 */
export function eventsRequestBody(target: GraphTarget, events: ServerEvent[]): EventsRequestBody {
  return {
    data: events,
    access_token: target.accessToken,
    ...(target.testEventCode ? { test_event_code: target.testEventCode } : {}),
    ...(target.appSecretProof ? { appsecret_proof: target.appSecretProof } : {}),
  };
}

/**
 * `Retry-After` in ms from `now`: delay-seconds or an HTTP date (a past date gives 0);
 * `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter("3", 0); // 3000
 * parseRetryAfter("Wed, 25 Nov 2026 20:00:10 GMT", Date.parse("2026-11-25T20:00:00Z")); // 10000
 * ```
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its month; Date.parse alone would also take "-5" or "1.5" as dates.
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Reads Meta's answer (`body` already parsed from JSON) into an outcome.
 *
 * - 2xx with a numeric `events_received`: success.
 * - An `error` whose code ./metaErrors calls an event's or the configuration's (100, 190, 10,
 *   200–299, 2635, …): permanent, whatever the status or `is_transient` say (retrying cannot fix
 *   a bad parameter, token, permission or version).
 * - Else `is_transient: true`, a code ./metaErrors calls transient (1, 2, throttles, 368), HTTP
 *   5xx or 429: transient.
 * - Any other answer (other 4xx, 2xx without `events_received`, …): permanent, except a 2xx
 *   without `events_received`, which is transient (something between us and Meta answered;
 *   resending is safe since Meta deduplicates on `event_id`).
 *
 * @example
 * ```ts
 * classifyResponse(200, new Headers(), { events_received: 1, fbtrace_id: "A1" }, Date.now());
 * // { ok: true, status: 200, eventsReceived: 1, fbtraceId: "A1" }
 * classifyResponse(400, new Headers(), { error: { code: 613, message: "Calls limit" } }, Date.now());
 * // { ok: false, transient: true, status: 400, code: 613, message: "Calls limit" }
 * ```
 */
export function classifyResponse(status: number, headers: Headers, body: unknown, now: number): GraphOutcome {
  const json = isRecord(body) ? body : {};
  if (status >= 200 && status < 300 && typeof json.events_received === "number") {
    return {
      ok: true,
      status,
      eventsReceived: json.events_received,
      ...optional("fbtraceId", traceIdOf(json.fbtrace_id)),
      ...optional("versionWarning", headerText(headers, "x-ad-api-version-warning")),
    };
  }

  const error = isRecord(json.error) ? json.error : {};
  const code = numberOf(error.code);
  const subcode = numberOf(error.error_subcode);
  let transient: boolean;
  if (code !== undefined && isPermanentCode(code, subcode)) transient = false;
  else if (error.is_transient === true || (code !== undefined && isTransientCode(code))) transient = true;
  else if (status >= 500 || status === 429) transient = true;
  else transient = status >= 200 && status < 300;

  return {
    ok: false,
    transient,
    status,
    ...optional("code", code),
    ...optional("subcode", subcode),
    message:
      stringOf(error.message) ?? `Graph API answered HTTP ${status}${status < 300 ? " without events_received" : ""}`,
    ...optional("userMessage", stringOf(error.error_user_msg)),
    ...optional("fbtraceId", traceIdOf(error.fbtrace_id) ?? traceIdOf(json.fbtrace_id)),
    ...optional("retryAfterMs", parseRetryAfter(headers.get("retry-after"), now)),
    ...optional("versionWarning", headerText(headers, "x-ad-api-version-warning")),
  };
}

/** A header's text, bounded (it is Meta's free text: shown to operators, never logged). */
function headerText(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)?.trim();
  return value ? value.slice(0, 300) : undefined;
}

/**
 * One POST of `events` to Meta, aborted after `timeoutMs` (body read included). Never throws:
 * a network error, a timeout or a body that is not JSON is a transient outcome. The token is
 * scrubbed from every outcome message, even if an answer were to echo it.
 *
 * @example
 * ```ts
 * const outcome = await postEvents(target, [event], { fetch, timeoutMs: 1500 });
 * if (!outcome.ok && outcome.transient) { ...retry later... }
 * ```
 */
export async function postEvents(
  target: GraphTarget,
  events: ServerEvent[],
  deps: { fetch: typeof fetch; timeoutMs?: number; now?: () => number },
): Promise<GraphOutcome> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let outcome: GraphOutcome;
  try {
    // Called unbound: workerd's fetch throws "Illegal invocation" when its `this` is `deps`.
    const send = deps.fetch;
    const response = await send(eventsUrl(target), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(eventsRequestBody(target, events)),
      signal: controller.signal,
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const now = (deps.now ?? Date.now)();
    outcome =
      body === undefined
        ? {
            ok: false,
            transient: true,
            status: response.status,
            message: `Graph API answered HTTP ${response.status} with a body that is not JSON`,
            ...optional("retryAfterMs", parseRetryAfter(response.headers.get("retry-after"), now)),
          }
        : classifyResponse(response.status, response.headers, body, now);
  } catch (error) {
    outcome = controller.signal.aborted
      ? { ok: false, transient: true, message: `Graph API did not answer within ${timeoutMs} ms` }
      : { ok: false, transient: true, message: `Graph API unreachable: ${errorText(error)}` };
  } finally {
    clearTimeout(timer);
  }
  return redactToken(outcome, target.accessToken);
}

function redactToken(outcome: GraphOutcome, token: string): GraphOutcome {
  if (outcome.ok || !token) return outcome;
  const scrub = (text: string) => text.split(token).join("[redacted]");
  return {
    ...outcome,
    message: scrub(outcome.message),
    ...(outcome.userMessage === undefined ? {} : { userMessage: scrub(outcome.userMessage) }),
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `{ [key]: value }` when value is defined, else `{}` (keeps absent fields absent). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
