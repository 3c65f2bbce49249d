/**
 * What the webhook route answers, decided from what became of each destination's event. Pure:
 * the route gathers the outcomes, this names the overall status, the HTTP code, the error (if
 * any) and the `destinations` list the contract asks for.
 *
 * The overall answer tells Studio whether to redeliver: any destination whose event Meta could
 * not take yet, or that is being queued right now, makes it a 503 (redeliver; what already went
 * through is not sent twice); a refused configuration is a 502 and a refused event a 422 (a
 * redelivery would not help until someone fixes something); otherwise 202 when something was
 * queued, else 200.
 *
 * @example
 * ```ts
 * const answer = webhookAnswer("cartful.ses_1.1", [{ name: "default", status: "sent", eventsReceived: 1, attempts: 1 }], false);
 * answer.status; // 200
 * answer.body;   // { status: "sent", event_id: "cartful.ses_1.1", events_received: 1, attempts: 1, destinations: [...] }
 * ```
 */
import { failureScope, type GraphFailure } from "../delivery/graph";

/** The longest `Retry-After` the relay tells Studio (5 minutes): a webhook sender's own redelivery schedule rarely waits longer. */
export const MAX_RETRY_AFTER_SECONDS = 300;

/** What became of one destination's event. */
export type DestinationOutcome =
  | {
      name: string;
      status: "sent";
      eventsReceived: number;
      attempts: number;
      fbtraceId?: string;
      versionWarning?: string;
    }
  | { name: string; status: "queued" | "duplicate" | "dry_run" }
  | { name: string; status: "skipped"; reason: string }
  | { name: string; status: "in_flight"; retryAfterSeconds: number }
  | { name: string; status: "failed"; failure: GraphFailure; attempts: number };

export type ErrorCode =
  | "invalid_json"
  | "unreadable_body"
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
  | "not_found"
  | "method_not_allowed"
  | "internal_error";

export interface Answer {
  status: 200 | 202 | 422 | 502 | 503;
  body: Record<string, unknown>;
  /** Seconds for a `Retry-After` header, on a 503. */
  retryAfter?: number;
  /** The outcome for the log line: the overall status, or the error code. */
  outcome: string;
  /** For the log line: Meta's codes, trace id, attempts and events received, where one destination decided the answer. */
  meta?: {
    fbtrace_id?: string;
    meta_code?: number;
    meta_subcode?: number;
    attempts?: number;
    events_received?: number;
  };
}

/**
 * The answer to a webhook whose events were built (at least one destination took it).
 *
 * @param queued whether the live events went to the delivery queue (then a duplicate is a 202,
 *   like the queuing it stands for; on the direct path it is a 200)
 */
export function webhookAnswer(eventId: string, outcomes: DestinationOutcome[], queued: boolean): Answer {
  const destinations = outcomes.map(destinationView);
  const failed = outcomes.filter((o): o is Extract<DestinationOutcome, { status: "failed" }> => o.status === "failed");
  const inFlight = outcomes.filter(
    (o): o is Extract<DestinationOutcome, { status: "in_flight" }> => o.status === "in_flight",
  );
  const transient = failed.find((o) => failureScope(o.failure) === "transient");

  if (inFlight.length > 0 && transient === undefined) {
    const retryAfter = Math.max(...inFlight.map((o) => o.retryAfterSeconds));
    return {
      status: 503,
      retryAfter: retryAfterSeconds(retryAfter * 1000),
      outcome: "in_flight",
      body: errorBody(
        "delivery_in_progress",
        "Another delivery of this event is being queued",
        { event_id: eventId },
        destinations,
      ),
    };
  }
  const worst =
    transient ??
    failed.find((o) => failureScope(o.failure) === "configuration") ??
    failed.find((o) => failureScope(o.failure) === "event");
  if (worst) {
    const failure = worst.failure;
    const { status, code } = failureAnswer(failure);
    const meta = metaFields(failure);
    return {
      status,
      ...(status === 503 ? { retryAfter: retryAfterSeconds(failure.retryAfterMs ?? 30_000) } : {}),
      outcome: code,
      meta: { ...meta, attempts: worst.attempts },
      body: errorBody(
        code,
        failure.userMessage ?? failure.message,
        {
          event_id: eventId,
          attempts: worst.attempts,
          ...(outcomes.length > 1 ? { destination: worst.name } : {}),
          ...(failure.userMessage !== undefined ? { meta_message: failure.message } : {}),
          ...meta,
        },
        destinations,
      ),
    };
  }

  const sent = outcomes.filter((o): o is Extract<DestinationOutcome, { status: "sent" }> => o.status === "sent");
  const has = (status: DestinationOutcome["status"]) => outcomes.some((o) => o.status === status);
  if (has("queued"))
    return { status: 202, outcome: "queued", body: { status: "queued", event_id: eventId, destinations } };
  if (has("duplicate") && !has("sent")) {
    return {
      status: queued ? 202 : 200,
      outcome: "duplicate",
      body: { status: "duplicate", event_id: eventId, destinations },
    };
  }
  if (sent.length > 0) {
    const only = sent.length === 1 ? sent[0]! : undefined;
    return {
      status: 200,
      outcome: "sent",
      ...(only
        ? {
            meta: {
              attempts: only.attempts,
              events_received: only.eventsReceived,
              ...(only.fbtraceId ? { fbtrace_id: only.fbtraceId } : {}),
            },
          }
        : {}),
      body: {
        status: "sent",
        event_id: eventId,
        ...(only
          ? {
              events_received: only.eventsReceived,
              attempts: only.attempts,
              ...(only.fbtraceId ? { fbtrace_id: only.fbtraceId } : {}),
            }
          : {}),
        destinations,
      },
    };
  }
  if (has("dry_run"))
    return {
      status: 200,
      outcome: "dry_run",
      body: { status: "dry_run", event_id: eventId, message: DRY_RUN_MESSAGE, destinations },
    };
  const reasons = outcomes.map((o) => (o.status === "skipped" ? o.reason : ""));
  const reason = reasons.includes("consent_denied") ? "consent_denied" : (reasons.find(Boolean) ?? "skipped");
  return { status: 200, outcome: "skipped", body: { status: "skipped", reason, event_id: eventId, destinations } };
}

export const DRY_RUN_MESSAGE =
  "No access token is set (META_ACCESS_TOKEN, or the destination's access_token_secret): the event was built and logged, and not sent";

/**
 * How a failure is answered: Meta refusing the event itself is the sender's data, 422; a
 * transient failure is 503 (redeliver later); Meta refusing our configuration (token, pixel,
 * permissions, version) is 502.
 *
 * @example
 * ```ts
 * failureAnswer({ ok: false, transient: false, status: 400, code: 100, subcode: 33, message: "…" }); // { status: 502, code: "meta_rejected_configuration" }
 * ```
 */
export function failureAnswer(failure: GraphFailure): { status: 422 | 502 | 503; code: ErrorCode } {
  const scope = failureScope(failure);
  if (scope === "transient") return { status: 503, code: "meta_unavailable" };
  if (scope === "event") return { status: 422, code: "meta_rejected_event" };
  return { status: 502, code: "meta_rejected_configuration" };
}

/**
 * Whole seconds for a `Retry-After` header: at least 1, at most {@link MAX_RETRY_AFTER_SECONDS},
 * whatever Meta asked (an absurd or unreadable value included).
 *
 * @example
 * ```ts
 * retryAfterSeconds(1e26); // 300
 * retryAfterSeconds(1500); // 2
 * ```
 */
export function retryAfterSeconds(ms: number): number {
  if (!Number.isFinite(ms)) return MAX_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(ms / 1000)));
}

/** Meta's trace id and error codes, where Meta gave them: for the log line and the answer. */
export function metaFields(failure: GraphFailure): { fbtrace_id?: string; meta_code?: number; meta_subcode?: number } {
  return {
    ...(failure.fbtraceId ? { fbtrace_id: failure.fbtraceId } : {}),
    ...(failure.code !== undefined ? { meta_code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { meta_subcode: failure.subcode } : {}),
  };
}

/** One destination as the answer lists it: its name, status, and what Meta said, never personal data. */
function destinationView(outcome: DestinationOutcome): Record<string, unknown> {
  switch (outcome.status) {
    case "sent":
      return {
        name: outcome.name,
        status: "sent",
        events_received: outcome.eventsReceived,
        attempts: outcome.attempts,
        ...(outcome.fbtraceId ? { fbtrace_id: outcome.fbtraceId } : {}),
      };
    case "skipped":
      return { name: outcome.name, status: "skipped", reason: outcome.reason };
    case "in_flight":
      return { name: outcome.name, status: "in_flight" };
    case "failed": {
      const { code } = failureAnswer(outcome.failure);
      return {
        name: outcome.name,
        status: "failed",
        error: code,
        attempts: outcome.attempts,
        ...metaFields(outcome.failure),
      };
    }
    default:
      return { name: outcome.name, status: outcome.status };
  }
}

function errorBody(
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown>,
  destinations: unknown[],
): Record<string, unknown> {
  return { error: { code, message, ...extra }, destinations };
}
