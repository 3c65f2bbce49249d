/**
 * Every error the relay answers over HTTP, in one vocabulary: the {@link ErrorCode} union (webhook,
 * operator and console codes together), one exhaustive table from code to HTTP status, and one
 * error type, {@link ApiError}, that a route throws and one function renders. As Hono's own
 * `HTTPException` (which `ApiError` extends): a route, a middleware or a step of one throws, and
 * the app's `onError` (or Hono's default handler, for a sub-app used on its own) answers.
 *
 * The shape is the contract's: `{"error": {"code", "message", …}}`, plus `issues: [{path,
 * message}]` for a validation error (inside `error` and beside it: clients read either), plus
 * what a route lists beside the error (a webhook's `destinations`). The fields an error may carry
 * are a closed list of things that are never personal: ids, counts, Meta's codes and trace id.
 *
 * @example
 * ```ts
 * // a route
 * if (!destination) throw new ApiError("not_found", "No destination of that name");
 * // a validation error
 * throw new ApiError("invalid_webhook", "The webhook does not match the schema", { issues });
 * // where a Response must be built directly (a bodyLimit's onError, a notFound handler)
 * return errorResponse(c, new ApiError("payload_too_large", "Body is too large"));
 * ```
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** The machine-readable `error.code` of every error answer. */
export type ErrorCode =
  // The webhook
  | "unreadable_body"
  | "invalid_json"
  | "unauthorized"
  | "payload_too_large"
  | "unsupported_media_type"
  | "invalid_webhook"
  | "relay_misconfigured"
  | "meta_rejected_event"
  | "meta_rejected_configuration"
  | "meta_unavailable"
  | "queue_unavailable"
  | "delivery_in_progress"
  /** The relay's data tables (phone metadata, country names) could not be read: 503 with `Retry-After`. */
  | "data_unavailable"
  // Browser events
  | "origin_not_allowed"
  | "invalid_browser_events"
  // Any route
  | "not_found"
  | "method_not_allowed"
  | "internal_error"
  /** Too many requests (or, on `/admin`, too many wrong secrets) from one client: 429 with `Retry-After`. */
  | "rate_limited"
  // The operator's routes and the console
  | "admin_disabled"
  | "not_configured"
  | "cross_origin"
  | "csrf_failed"
  | "invalid_request"
  | "invalid_reason"
  | "invalid_window"
  | "dry_run"
  | "test_event_code_required"
  /** The console's model could not be read (`GET /admin/console.json`). */
  | "console_unavailable";

/**
 * The HTTP status of each code: a new code does not compile until it has one. One status per code,
 * so a code means the same answer wherever it is thrown.
 */
export const ERROR_STATUS = {
  unreadable_body: 400,
  invalid_json: 400,
  unauthorized: 401,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_webhook: 422,
  relay_misconfigured: 503,
  meta_rejected_event: 422,
  meta_rejected_configuration: 502,
  meta_unavailable: 503,
  queue_unavailable: 503,
  delivery_in_progress: 503,
  data_unavailable: 503,
  origin_not_allowed: 403,
  invalid_browser_events: 422,
  not_found: 404,
  method_not_allowed: 405,
  internal_error: 500,
  rate_limited: 429,
  admin_disabled: 503,
  not_configured: 503,
  cross_origin: 403,
  csrf_failed: 403,
  invalid_request: 400,
  invalid_reason: 400,
  invalid_window: 400,
  dry_run: 409,
  test_event_code_required: 400,
  console_unavailable: 503,
} as const satisfies Record<ErrorCode, 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503>;

/** The status an error code is answered with. */
export type ErrorStatus<C extends ErrorCode = ErrorCode> = (typeof ERROR_STATUS)[C];

/** One invalid field of a validation error: its path, and what is wrong (never its value). */
export interface Issue {
  path: string;
  message: string;
}

/** What an error may say besides its code and message, inside `error`: ids, counts and Meta's words, never personal data. */
export interface ErrorDetail {
  event_id?: string;
  attempts?: number;
  /** The destination that decided the answer, when there are several. */
  destination?: string;
  /** Meta's own message, when the answer's message is Meta's text for the user. */
  meta_message?: string;
  fbtrace_id?: string;
  meta_code?: number;
  meta_subcode?: number;
}

/** One destination as a webhook's answer lists it: its name, status, and what Meta said, never personal data. */
export interface DestinationView {
  name: string;
  status: string;
  reason?: string;
  error?: ErrorCode;
  events_received?: number;
  attempts?: number;
  fbtrace_id?: string;
  meta_code?: number;
  meta_subcode?: number;
}

/** What an answer lists beside `error` (the webhook's destinations; the test event's ids). */
export interface ErrorExtra {
  destinations?: DestinationView[];
  destination?: string;
  event_id?: string;
  attempts?: number;
}

export interface ApiErrorOptions {
  /** The fields that do not match, for a validation error. */
  issues?: Issue[];
  /** Seconds for a `Retry-After` header. */
  retryAfter?: number;
  /** More about the error, inside `error`. */
  detail?: ErrorDetail;
  /** What the answer lists beside `error`. */
  extra?: ErrorExtra;
}

/** The contract's error body. */
export interface ErrorBody extends ErrorExtra {
  error: { code: ErrorCode; message: string; issues?: Issue[] } & ErrorDetail;
  issues?: Issue[];
}

/**
 * An error answer, thrown by a route (or a step of one) and rendered by {@link errorResponse}.
 *
 * @example
 * ```ts
 * throw new ApiError("meta_unavailable", "Service temporarily unavailable", { retryAfter: 30, detail: { event_id } });
 * ```
 */
export class ApiError<C extends ErrorCode = ErrorCode> extends HTTPException {
  override readonly status: ErrorStatus<C>;

  constructor(
    readonly code: C,
    message: string,
    readonly options: ApiErrorOptions = {},
  ) {
    super(ERROR_STATUS[code], { message });
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
  }

  /** The body, in the contract's shape. */
  body(): ErrorBody {
    const { issues, detail, extra } = this.options;
    return {
      error: { code: this.code, message: this.message, ...detail, ...(issues ? { issues } : {}) },
      ...(issues ? { issues } : {}),
      ...extra,
    };
  }

  /** The answer on its own, as Hono's default error handler asks an `HTTPException` for it. */
  override getResponse(): Response {
    const retryAfter = this.options.retryAfter;
    return Response.json(this.body(), {
      status: this.status,
      ...(retryAfter !== undefined ? { headers: { "Retry-After": String(retryAfter) } } : {}),
    });
  }
}

/**
 * The one rendering of an {@link ApiError}, for the app's `onError` and wherever a handler must
 * return a Response itself (a `bodyLimit`'s `onError`, `notFound`). Headers the route set on `c`
 * before it threw are kept.
 *
 * @example
 * ```ts
 * app.notFound((c) => errorResponse(c, new ApiError("not_found", "No such route")));
 * ```
 */
export function errorResponse(c: Context, error: ApiError): Response {
  const response = error.getResponse();
  return c.newResponse(response.body, response);
}
