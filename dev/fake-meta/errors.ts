/**
 * Meta's Graph API answers, as the fake sends them: the error envelope, each error the fake can
 * give with its HTTP status, code, subcode and text, and `fbtrace_id`s.
 *
 * Where each shape comes from (Meta's public pages, and Graph answers recorded in public clients):
 * - The envelope `{"error": {message, type, code, error_subcode, is_transient, error_user_title,
 *   error_user_msg, fbtrace_id}}`: Meta's Graph API "Handling Errors" page
 *   (developers.facebook.com/docs/graph-api/guides/error-handling).
 * - 100 / 2804003 "Event Timestamp Too Old" with its exact `error_user_msg`: rudderlabs/
 *   rudder-transformer's recorded Graph answers (test/integrations/destinations/facebook_pixel/
 *   network.ts), and a live capture on v26.0 (2026-09-05) of the same subcode, title and text
 *   (in French) with `type: "OAuthException"` and `is_transient: false`.
 * - 100 / 2804019 "Server-side API parameter error" with `error_user_msg` "The parameter
 *   $['data'][0]['event_time'] is required.": a live answer quoted on volcengine.com
 *   (article 2490042). The fake uses this subcode and title for every other per-event parameter
 *   it refuses (wrong type, future time, bad hash, bad fbc…): Meta has more 2804xxx subcodes
 *   (rudder-transformer lists 2804001, 2804007, 2804016, 2804017, 2804048) but no stored source
 *   says which rule each one is, so none is invented here.
 * - 100 / 2804050 "insufficient customer information": a live answer quoted (in Danish) in
 *   Setono/meta-conversions-api src/Client/ErrorResponse.php.
 * - 100 / 33 "Unsupported post request. Object with ID '…' does not exist, cannot be loaded due
 *   to missing permissions, or does not support this operation…", type GraphMethodException:
 *   rudder-transformer's recorded answers (same file as above).
 * - 104 "An access token is required to request this resource.": public Graph answers quoted
 *   in several repositories. 190 "Invalid OAuth access token - Cannot parse access token" with
 *   HTTP 401: the same live capture as 2804003. 190 / 463 (expired, "Session has expired on …")
 *   and 190 / 460 (password changed): Graph's error-handling page names both subcodes; the
 *   texts are the ones quoted by public clients.
 * - 2635 "(#2635) You are calling a deprecated version of the Ads API. Please update to the
 *   latest version: vXX.0.": Meta's blog "Upcoming change in Marketing API version deprecation"
 *   (16 April 2024).
 * - Throttling 4 / 17 / 613 and transient 1 / 2: Graph's "Handling Errors" page; the texts are
 *   Graph's own ("(#17) User request limit reached", …).
 * - 10 / 200 permission errors: the same page ("API Permission Denied", "API Permission"); the
 *   HTTP status (403) is an assumption: no stored source shows one for `dataset_quality`.
 */

/** Meta's error object, inside `{"error": …}`. */
export interface MetaErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id: string;
}

/** An error answer before its trace id is drawn: HTTP status, headers and Meta's fields. */
export interface MetaError {
  status: number;
  headers?: Record<string, string>;
  error: Omit<MetaErrorBody, "fbtrace_id">;
}

/** The 7 days Meta accepts an event for (Server Event Parameters, `event_time`). */
export const MAX_EVENT_AGE_SECONDS = 7 * 24 * 60 * 60;

/** Meta's limit on events in one request. */
export const MAX_EVENTS_PER_REQUEST = 1000;

/** The latest Graph API version named in a 2635 answer. */
export const LATEST_VERSION = "v27.0";

/**
 * The path of a parameter in Meta's own notation, as its `error_user_msg` writes it.
 *
 * @example
 * ```ts
 * paramPath(["data", 0, "user_data", "em"]); // "$['data'][0]['user_data']['em']"
 * ```
 */
export function paramPath(parts: Array<string | number>): string {
  return `$${parts.map((part) => (typeof part === "number" ? `[${part}]` : `['${part}']`)).join("")}`;
}

/**
 * A per-event or per-request parameter refused with Meta's code 100 (`error_subcode` 2804019
 * unless given): the whole request fails, as with Meta.
 *
 * @example
 * ```ts
 * invalidParameter(`The parameter ${paramPath(["data", 0, "event_time"])} is required.`);
 * ```
 */
export function invalidParameter(
  userMessage: string,
  subcode = 2804019,
  title = "Server-side API parameter error",
): MetaError {
  return {
    status: 400,
    error: {
      message: "Invalid parameter",
      type: "OAuthException",
      code: 100,
      error_subcode: subcode,
      is_transient: false,
      error_user_title: title,
      error_user_msg: userMessage,
    },
  };
}

/**
 * 100 / 2804003: an `event_time` more than 7 days old, Meta's text followed by the parameter.
 *
 * @example
 * ```ts
 * eventTooOld(3).error.error_user_msg; // "The timestamp for this event is too far in the past. … ($['data'][3]['event_time'])"
 * ```
 */
export function eventTooOld(index: number): MetaError {
  return invalidParameter(
    "The timestamp for this event is too far in the past. Events need to be sent from your server within 7 days of when " +
      `they occurred. Enter a timestamp that has occurred within the last 7 days. (${paramPath(["data", index, "event_time"])})`,
    2804003,
    "Event Timestamp Too Old",
  );
}

/**
 * 100 / 2804050: an event whose `user_data` carries nothing to match on.
 *
 * @example
 * ```ts
 * insufficientCustomerInformation(0).error.error_subcode; // 2804050
 * ```
 */
export function insufficientCustomerInformation(index: number): MetaError {
  return invalidParameter(
    "This event has no customer information parameters, or a combination of customer information parameters that is too " +
      `broad to be effective for matching. (${paramPath(["data", index, "user_data"])})`,
    2804050,
    "You haven't added sufficient customer information parameter data for this event",
  );
}

function oauth(
  status: number,
  code: number,
  message: string,
  extra: Partial<MetaError["error"]> = {},
  headers?: Record<string, string>,
): MetaError {
  return { status, ...(headers ? { headers } : {}), error: { message, type: "OAuthException", code, ...extra } };
}

/** 104: no access token anywhere (body, query or `Authorization: Bearer`). */
export function tokenMissing(): MetaError {
  return oauth(400, 104, "An access token is required to request this resource.");
}

/** 190: a token the fake was not configured with. */
export function tokenInvalid(): MetaError {
  return oauth(401, 190, "Invalid OAuth access token - Cannot parse access token");
}

/**
 * 190 / 463: the token expired, with Meta's wording of when.
 *
 * @example
 * ```ts
 * tokenExpired(Date.parse("2026-11-20T12:00:00Z"), Date.now()).error.error_subcode; // 463
 * ```
 */
export function tokenExpired(expiredAt: number, now: number): MetaError {
  return oauth(
    400,
    190,
    `Error validating access token: Session has expired on ${metaDate(expiredAt)}. The current time is ${metaDate(now)}.`,
    { error_subcode: 463 },
  );
}

/** 190 / 460: the token was invalidated (password changed, or Meta's security check). */
export function tokenRevoked(): MetaError {
  return oauth(
    400,
    190,
    "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
    { error_subcode: 460 },
  );
}

/**
 * 100 / 33: the pixel (dataset) does not exist or the token cannot see it.
 *
 * @example
 * ```ts
 * unknownObject("post", "123").error.message; // "Unsupported post request. Object with ID '123' does not exist, …"
 * ```
 */
export function unknownObject(method: "get" | "post", id: string): MetaError {
  return {
    status: 400,
    error: {
      message:
        `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, ` +
        "or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
      type: "GraphMethodException",
      code: 100,
      error_subcode: 33,
    },
  };
}

/** 2635: the API version in the path is no longer served. */
export function deadVersion(latest = LATEST_VERSION): MetaError {
  return oauth(
    400,
    2635,
    `(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: ${latest}.`,
  );
}

const THROTTLE_MESSAGES: Record<number, string> = {
  4: "(#4) Application request limit reached",
  17: "(#17) User request limit reached",
  613: "(#613) Calls to this api have exceeded the rate limit.",
};

/** Throttling codes the fake can answer with. */
export const THROTTLE_CODES = Object.keys(THROTTLE_MESSAGES).map(Number);

/**
 * Throttling: code 4, 17 or 613, with `Retry-After` (seconds) and Graph's usage header.
 *
 * @example
 * ```ts
 * throttled(17, 429, 10).headers; // { "retry-after": "10", "x-app-usage": "{\"call_count\":100,…}" }
 * ```
 */
export function throttled(code: number, status: number, retryAfterSeconds: number): MetaError {
  const usage = JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 });
  return oauth(
    status,
    code,
    THROTTLE_MESSAGES[code] ?? THROTTLE_MESSAGES[17]!,
    { is_transient: true },
    {
      "retry-after": String(retryAfterSeconds),
      "x-app-usage": usage,
    },
  );
}

/**
 * A transient failure on Meta's side: code 2 (or 1), `is_transient: true`, HTTP 500 or 503.
 *
 * @example
 * ```ts
 * transientError(503).error; // { message: "An unexpected error has occurred. …", code: 2, is_transient: true, … }
 * ```
 */
export function transientError(status: number, code = 2): MetaError {
  const message =
    code === 1 ? "An unknown error occurred" : "An unexpected error has occurred. Please retry your request later.";
  return oauth(status, code, message, { is_transient: true });
}

/** 10 or 200: the token lacks a permission (for the Dataset Quality read). */
export function permissionDenied(code: 10 | 200): MetaError {
  return oauth(
    403,
    code,
    code === 10 ? "(#10) Application does not have permission for this action" : "(#200) Permissions error",
  );
}

/**
 * Graph's answer to a field a node does not have (a misspelt `fields` entry).
 *
 * @example
 * ```ts
 * nonexistingField("dedup_key_feedback", "AdsPixelCAPIIntegrationQuality").error.code; // 100
 * ```
 */
export function nonexistingField(field: string, node: string): MetaError {
  return oauth(400, 100, `(#100) Tried accessing nonexisting field (${field}) on node type (${node})`);
}

/** `(#100) The parameter X is required` (Graph's wording for a missing query parameter). */
export function missingParameter(name: string): MetaError {
  return oauth(400, 100, `(#100) The parameter ${name} is required`);
}

/** 100: `appsecret_proof` does not match the token. */
export function badAppSecretProof(): MetaError {
  return {
    status: 400,
    error: { message: "Invalid appsecret_proof provided in the API argument", type: "GraphMethodException", code: 100 },
  };
}

/** 2500: a path the fake (and Graph) does not serve. */
export function unknownPath(path: string): MetaError {
  return oauth(400, 2500, `Unknown path components: ${path}`);
}

/**
 * A time in the words of Meta's token errors ("Thursday, 10-Dec-15 04:00:00 PST"), Pacific time.
 *
 * @example
 * ```ts
 * metaDate(Date.parse("2015-12-10T12:00:00Z")); // "Thursday, 10-Dec-15 04:00:00 PST"
 * ```
 */
export function metaDate(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Los_Angeles",
      weekday: "long",
      day: "2-digit",
      month: "short",
      year: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.weekday}, ${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

const TRACE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * An `fbtrace_id` in Meta's shape (23 base64url characters starting with `A`), from `random`.
 *
 * @example
 * ```ts
 * fbtraceId(seeded(1)); // "A…" (23 characters, the same for the same seed)
 * ```
 */
export function fbtraceId(random: () => number): string {
  let id = "A";
  while (id.length < 23) id += TRACE_ALPHABET[Math.floor(random() * TRACE_ALPHABET.length)];
  return id;
}

/**
 * `mulberry32`: a small seeded PRNG, uniform in [0, 1) (the same as test/fault's).
 *
 * @example
 * ```ts
 * const random = seeded(42); random(); // the same first number on every run
 * ```
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
