/**
 * Meta's error codes, in one table: what each code (or range, or code with a subcode) means for
 * the relay. Every question asked of a code reads {@link META_ERRORS} through {@link metaErrorOf}:
 * whether to retry it (`isTransientCode`, `isPermanentCode`), whether it is about an event or our
 * configuration (graph.ts `failureScope`), whether Meta is throttling us (policy.ts `isThrottle`)
 * and which health signal the console shows (observe/metrics.ts `signalOf`). A refusal is kept as
 * one {@link MetaRefusal} (codes, trace id, Meta's words bounded), projected once for the console
 * and dead letters ({@link refusalOf}) and once for log lines ({@link refusalLogFields}). Pure.
 *
 * The source is Meta's Graph API "Handling Errors" page (developers.facebook.com/docs/graph-api/
 * guides/error-handling) and its "Rate Limiting" page, read for the Conversions API:
 * - 1 "API Unknown" and 2 "API Service": a temporary issue due to downtime; wait and retry.
 * - 4 "API Too Many Calls" (the app), 17 "API User Too Many Calls" (the user or token), 341
 *   "Application limit reached" ("downtime or throttling … examine your API request volume"),
 *   32 (page-level request limit), 613 (a custom rate limit) and the business-use-case limits
 *   80000–80014 (80004 ads management, 80014 catalog batch, …): throttling. Wait, and send less.
 * - 368 "Temporarily blocked for policies violations": wait and retry. Temporary, but not a rate
 *   limit: no sign that sending less would help, so not a throttle.
 * - 190 (OAuthException: the token expired, was revoked or is invalid), 102 "API Session", 104
 *   (an access token is required): get a new token.
 * - 10 "API Permission Denied", 200–299 "API Permission": a permission is missing.
 * - 2635: the API version is no longer served.
 * - 100 "Invalid parameter": an event's field is wrong (subcodes 2804xxx), except subcode 33: the
 *   object (our pixel) does not exist or the token cannot see it, which is the configuration.
 *
 * Where the three lists this table replaces disagreed, it decides so, with the page:
 * - 32 was a throttle for the consumer and the console but not transient for the request, so a
 *   page-level limit without `is_transient` was a permanent refusal of the event (dead-lettered).
 *   It is a rate limit: transient and a throttle.
 * - 341 was transient for the request but not a throttle for the consumer or the console. Meta
 *   calls it a limit on request volume: a throttle, so the rest of the batch waits too.
 * - 80000–80014 stays as Meta lists it (ads insights, pages, Instagram, lead ads, ads management,
 *   messenger, WhatsApp, catalog, …): a code past it is not a rate limit Meta has documented, so
 *   the answer's `is_transient` and status decide it like any unknown code.
 *
 * @example
 * ```ts
 * metaErrorOf(190, 463); // { scope: "configuration", throttle: false, signal: "token", … }
 * metaErrorOf(100, 2804003)?.scope; // "event"
 * isTransientCode(613); // true
 * ```
 */

import type { LogFields } from "../core/log";

/**
 * What a refusal is about:
 * - `transient`: Meta could not take the request now; the same request may succeed later.
 * - `configuration`: Meta refused our setup (token, permission, pixel, version): every event would
 *   be refused alike, so they wait for a fix.
 * - `event`: Meta refused an event of the request; the others are fine.
 */
export type MetaErrorScope = "transient" | "configuration" | "event";

/** What Meta tells the operator to act on (the console's health signals, besides version warnings). */
export type MetaSignal = "token" | "permission" | "version_retired" | "throttle";

/** What one code means for the relay. */
export interface MetaErrorMeaning {
  /** Meta's name for it. */
  name: string;
  scope: MetaErrorScope;
  /** Meta is limiting our request rate: send nothing more for the pixel for now. */
  throttle: boolean;
  /** The health signal it raises, if any. */
  signal?: MetaSignal;
}

/** One row of the table: a code, or an inclusive range of codes, optionally with one subcode. */
export interface MetaErrorEntry extends MetaErrorMeaning {
  code: number | readonly [from: number, to: number];
  /** Only this subcode (a row with a subcode is preferred to the code's row without). */
  subcode?: number;
}

const transient = (name: string): MetaErrorMeaning => ({ name, scope: "transient", throttle: false });
const throttle = (name: string): MetaErrorMeaning => ({ name, scope: "transient", throttle: true, signal: "throttle" });
const configuration = (name: string, signal?: MetaSignal): MetaErrorMeaning => ({
  name,
  scope: "configuration",
  throttle: false,
  ...(signal ? { signal } : {}),
});

/** Meta's codes, as the relay reads them (see the module's comment for the sources and decisions). */
export const META_ERRORS: readonly MetaErrorEntry[] = Object.freeze([
  { code: 1, ...transient("API Unknown") },
  { code: 2, ...transient("API Service") },
  { code: 368, ...transient("Temporarily blocked for policies violations") },
  { code: 4, ...throttle("API Too Many Calls") },
  { code: 17, ...throttle("API User Too Many Calls") },
  { code: 32, ...throttle("Page request limit reached") },
  { code: 341, ...throttle("Application limit reached") },
  { code: 613, ...throttle("Calls to this API have exceeded the rate limit") },
  { code: [80000, 80014], ...throttle("Business use case rate limit") },
  { code: 190, ...configuration("Access token expired, revoked or invalid", "token") },
  { code: 102, ...configuration("API Session", "token") },
  { code: 104, ...configuration("An access token is required", "token") },
  { code: 10, ...configuration("API Permission Denied", "permission") },
  { code: [200, 299], ...configuration("API Permission", "permission") },
  { code: 2635, ...configuration("API version deprecated", "version_retired") },
  { code: 100, subcode: 33, ...configuration("Object does not exist or cannot be reached") },
  { code: 100, name: "Invalid parameter", scope: "event", throttle: false },
] satisfies MetaErrorEntry[]);

function covers(entry: MetaErrorEntry, code: number): boolean {
  return typeof entry.code === "number" ? entry.code === code : code >= entry.code[0] && code <= entry.code[1];
}

/**
 * What Meta's `error.code` (with its `error_subcode`) means, or `undefined` for a code not in
 * {@link META_ERRORS} (then the answer's `is_transient` and HTTP status decide).
 *
 * @example
 * ```ts
 * metaErrorOf(100, 33)?.scope; // "configuration"
 * metaErrorOf(100)?.scope;     // "event"
 * metaErrorOf(1234);           // undefined
 * ```
 */
export function metaErrorOf(code: number | undefined, subcode?: number): MetaErrorMeaning | undefined {
  if (code === undefined) return undefined;
  const rows = META_ERRORS.filter((entry) => covers(entry, code));
  return (
    rows.find((entry) => entry.subcode !== undefined && entry.subcode === subcode) ??
    rows.find((e) => e.subcode === undefined)
  );
}

/**
 * Whether a code says "try again later" whatever the HTTP status (Meta sometimes answers a
 * throttle with 400).
 *
 * @example
 * ```ts
 * isTransientCode(17); // true
 * isTransientCode(190); // false
 * ```
 */
export function isTransientCode(code: number): boolean {
  return metaErrorOf(code)?.scope === "transient";
}

/**
 * Whether a code is never retried, whatever else the answer says (`is_transient`, a 5xx): retrying
 * cannot fix a bad parameter, token, permission or version.
 *
 * @example
 * ```ts
 * isPermanentCode(2635); // true
 * isPermanentCode(2); // false
 * ```
 */
export function isPermanentCode(code: number, subcode?: number): boolean {
  const meaning = metaErrorOf(code, subcode);
  return meaning !== undefined && meaning.scope !== "transient";
}

/** The longest `fbtrace_id` kept (Meta's are about a dozen characters). */
export const MAX_TRACE_ID_LENGTH = 64;
/** The longest part of Meta's own words kept for the console and dead letters. */
export const MAX_REFUSAL_MESSAGE_LENGTH = 300;

/**
 * Meta's `fbtrace_id`, as it may be logged and shown: outside text, so bounded, and any character
 * outside the base64-like alphabet Meta uses is escaped (`\uXXXX`), so a line or a page never
 * carries a control character or markup from it. Escaping twice changes nothing. `undefined` for an empty or non-string value.
 *
 * @example
 * ```ts
 * traceIdOf("AbC_12-x/+="); // "AbC_12-x/+="
 * traceIdOf("a\nb");        // "a\\u000ab"
 * ```
 */
export function traceIdOf(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  return value
    .slice(0, MAX_TRACE_ID_LENGTH)
    .replace(/[^A-Za-z0-9_\-+/=.:\\]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// ── A refusal of Meta's ──

/** Meta's codes of a refusal: HTTP status, `error.code` / `error_subcode`, and the trace id to quote to Meta. */
export interface MetaCodes {
  /** Absent when no answer came (network error, timeout). */
  status?: number;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
}

/**
 * Meta's refusal as the console and the dead letters keep it: its codes and Meta's own words
 * (`error_user_msg`, else `message`), bounded. The words are shown, never logged: a log line takes
 * {@link refusalLogFields}.
 */
export interface MetaRefusal extends MetaCodes {
  message: string;
}

/** What a refusal is read from (a GraphFailure, or a refusal kept earlier). */
type RefusalSource = MetaCodes & { message?: string; userMessage?: string };

/**
 * The codes of a refusal, absent ones left out, the trace id bounded and escaped.
 *
 * @example
 * ```ts
 * refusalCodes({ ok: false, transient: false, status: 400, code: 190, message: "…" }); // { status: 400, code: 190 }
 * ```
 */
export function refusalCodes(failure: MetaCodes): MetaCodes {
  const fbtraceId = traceIdOf(failure.fbtraceId);
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { subcode: failure.subcode } : {}),
    ...(fbtraceId ? { fbtraceId } : {}),
  };
}

/**
 * A refusal for the console and the dead letters: its codes and Meta's words for people
 * (`userMessage`, else `message`), at most {@link MAX_REFUSAL_MESSAGE_LENGTH} characters.
 *
 * @example
 * ```ts
 * refusalOf({ ok: false, transient: false, status: 400, code: 190, subcode: 463, fbtraceId: "A1",
 *   message: "Error validating access token" });
 * // { status: 400, code: 190, subcode: 463, fbtraceId: "A1", message: "Error validating access token" }
 * ```
 */
export function refusalOf(failure: RefusalSource): MetaRefusal {
  return {
    ...refusalCodes(failure),
    message: (failure.userMessage ?? failure.message ?? "").slice(0, MAX_REFUSAL_MESSAGE_LENGTH),
  };
}

/**
 * A refusal for a log line: the codes only, under the log's field names; never Meta's free text
 * (it may quote what it refused).
 *
 * @example
 * ```ts
 * logLine(log, { msg: "capi_event", outcome: "retry", ...refusalLogFields(failure) });
 * // {"status":503,"meta_code":2,"fbtrace_id":"A1",…}
 * ```
 */
export function refusalLogFields(
  failure: MetaCodes | undefined,
): Pick<LogFields, "status" | "meta_code" | "meta_subcode" | "fbtrace_id"> {
  if (failure === undefined) return {};
  const { status, code, subcode, fbtraceId } = refusalCodes(failure);
  return {
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { meta_code: code } : {}),
    ...(subcode !== undefined ? { meta_subcode: subcode } : {}),
    ...(fbtraceId ? { fbtrace_id: fbtraceId } : {}),
  };
}
