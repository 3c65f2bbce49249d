/**
 * What the webhook route answers, decided from what became of each destination's event (or why
 * none got one, {@link skippedAnswer}). Pure:
 * the route gathers the outcomes ({@link Delivery}), this names the overall status, the HTTP
 * code, the error (if any) and the `destinations` list the contract asks for.
 *
 * The overall answer tells Studio whether to redeliver: any destination whose event Meta could
 * not take yet, or that is being queued right now, makes it a 503 (redeliver; what already went
 * through is not sent twice); a refused configuration is a 502 and a refused event a 422 (a
 * redelivery would not help until someone fixes something); otherwise 202 when something was
 * queued, else 200. An error answer is an {@link ApiError} (./errors), rendered like every other.
 *
 * @example
 * ```ts
 * const answer = deliveryAnswer("cartful.ses_1.1", {
 *   path: "direct",
 *   outcomes: [{ name: "default", status: "sent", eventsReceived: 1, attempts: 1 }],
 * });
 * "body" in answer && answer.body; // { status: "sent", event_id: "cartful.ses_1.1", events_received: 1, attempts: 1, destinations: [...] }
 * ```
 */
import { failureScope, type GraphFailure } from "../delivery/graph";
import { readDryRun } from "../config/values";
import { refusalLogFields } from "../delivery/metaErrors";
import type { WebhookSkipReason } from "../transform/transformWebhook";
import type { SettingVars } from "./bindings";
import { ApiError, type DestinationView, type ErrorCode } from "./errors";

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
  | { name: string; status: "queued" | "duplicate" }
  | { name: string; status: "dry_run"; cause: DryRunCause }
  /** Direct path only: the destination's token secret is unset on a live relay and no queue can hold the event (503). */
  | { name: string; status: "no_token" }
  | { name: string; status: "skipped"; reason: string }
  | { name: string; status: "in_flight"; retryAfterSeconds: number }
  | { name: string; status: "failed"; failure: GraphFailure; attempts: number };

/**
 * What the route's delivery of a routed webhook came to: every destination's outcome, on the
 * queued or the direct path; or the queue refused the events (too large to queue, or the queue
 * unavailable, when `settled` holds the destinations that needed no queue: dry run, skipped).
 */
export type Delivery =
  | { path: "queued" | "direct"; outcomes: DestinationOutcome[] }
  | { path: "too_large"; message: string }
  | { path: "queue_unavailable"; names: string[]; settled: DestinationOutcome[] };

/** A webhook's answer body when it is not an error. */
export type WebhookAnswerBody =
  | {
      status: "sent";
      event_id: string;
      events_received?: number;
      attempts?: number;
      fbtrace_id?: string;
      destinations: DestinationView[];
    }
  | { status: "queued" | "duplicate"; event_id: string; destinations: DestinationView[] }
  | { status: "dry_run"; event_id: string; message: string; destinations: DestinationView[] }
  | { status: "skipped"; reason: string; event_id: string; destinations?: DestinationView[] };

/** For the log line: Meta's codes, trace id, attempts and events received, where one destination decided the answer. */
export interface AnswerMeta {
  fbtrace_id?: string;
  meta_code?: number;
  meta_subcode?: number;
  attempts?: number;
  events_received?: number;
}

/** The route's answer: a body and its status, or an error; with what the log line says of it. */
export type Answer = {
  /** The outcome for the log line: the overall status, or the error code. */
  outcome: string;
  meta?: AnswerMeta;
  /** The destinations as the answer lists them (empty when the webhook was refused before any got its event). */
  destinations: DestinationView[];
} & ({ status: 200 | 202; body: WebhookAnswerBody } | { error: ApiError });

/**
 * The answer to a webhook skipped before any destination got an event of it. A Studio type the
 * relay does not relay (`event_type_filtered`, `STUDIO_EVENT_TYPES`) is skipped by each destination
 * whose `match` holds, so each of those is named, as in every answer that concerns a destination;
 * when no destination's `match` holds (`no_destination`) none is concerned, and none is named.
 *
 * @param names the destinations that skip it, in the order of the settings
 * @example
 * ```ts
 * skippedAnswer("cartful.ses_1.1.quiz:start", "event_type_filtered", ["default"]).body;
 * // { status: "skipped", reason: "event_type_filtered", event_id: "…", destinations: [{ name: "default", status: "skipped", reason: "event_type_filtered" }] }
 * ```
 */
export function skippedAnswer(
  eventId: string,
  reason: WebhookSkipReason,
  names: readonly string[],
): Extract<Answer, { body: WebhookAnswerBody }> {
  const destinations = names.map((name) => destinationView({ name, status: "skipped", reason }));
  return {
    status: 200,
    outcome: "skipped",
    destinations,
    body: { status: "skipped", reason, event_id: eventId, ...(destinations.length > 0 ? { destinations } : {}) },
  };
}

/**
 * The answer to a webhook whose events were built (at least one destination took it).
 *
 * @example
 * ```ts
 * deliveryAnswer("cartful.ses_1.1", { path: "too_large", message: "…" }); // { error: ApiError("invalid_webhook"), … }
 * ```
 */
export function deliveryAnswer(eventId: string, delivery: Delivery): Answer {
  switch (delivery.path) {
    // A duplicate stands for the delivery it repeats: 202 like the queuing, 200 like a direct send.
    case "queued":
      return outcomesAnswer(eventId, delivery.outcomes, 202);
    case "direct":
      return outcomesAnswer(eventId, delivery.outcomes, 200);
    case "too_large": {
      const issues = [{ path: "", message: "The event built from this webhook is too large to queue" }];
      return {
        outcome: "invalid",
        destinations: [],
        error: new ApiError("invalid_webhook", delivery.message, { issues, extra: { destinations: [] } }),
      };
    }
    case "queue_unavailable": {
      const destinations = delivery.names.map((name): DestinationView => {
        const known = delivery.settled.find((o) => o.name === name);
        return known
          ? { name: known.name, status: known.status }
          : { name, status: "failed", error: "queue_unavailable" };
      });
      return {
        outcome: "enqueue_failed",
        destinations,
        error: new ApiError("queue_unavailable", "The event could not be queued; redeliver later", {
          retryAfter: 30,
          detail: { event_id: eventId },
          extra: { destinations },
        }),
      };
    }
  }
}

/** The answer from every destination's outcome; `duplicate` is the status of an answer that only repeats. */
function outcomesAnswer(eventId: string, outcomes: DestinationOutcome[], duplicate: 200 | 202): Answer {
  const destinations = outcomes.map(destinationView);
  const failed = outcomes.filter((o): o is Extract<DestinationOutcome, { status: "failed" }> => o.status === "failed");
  const inFlight = outcomes.filter(
    (o): o is Extract<DestinationOutcome, { status: "in_flight" }> => o.status === "in_flight",
  );
  const transient = failed.find((o) => failureScope(o.failure) === "transient");

  if (inFlight.length > 0 && transient === undefined) {
    const retryAfter = Math.max(...inFlight.map((o) => o.retryAfterSeconds));
    return {
      outcome: "in_flight",
      destinations,
      error: new ApiError("delivery_in_progress", "Another delivery of this event is being queued", {
        retryAfter: retryAfterSeconds(retryAfter * 1000),
        detail: { event_id: eventId },
        extra: { destinations },
      }),
    };
  }
  const noToken = outcomes.find((o) => o.status === "no_token");
  if (noToken && transient === undefined) {
    return {
      outcome: "no_token",
      destinations,
      error: new ApiError(
        "relay_misconfigured",
        "A destination's access token secret is unset and no queue is bound to hold its event; redeliver once it is set",
        {
          retryAfter: MAX_RETRY_AFTER_SECONDS,
          detail: { event_id: eventId, ...(outcomes.length > 1 ? { destination: noToken.name } : {}) },
          extra: { destinations },
        },
      ),
    };
  }
  const worst =
    transient ??
    failed.find((o) => failureScope(o.failure) === "configuration") ??
    failed.find((o) => failureScope(o.failure) === "event");
  if (worst) {
    const failure = worst.failure;
    const code = failureCode(failure);
    const meta = metaFields(failure);
    return {
      outcome: code,
      meta: { ...meta, attempts: worst.attempts },
      destinations,
      error: new ApiError(code, failure.userMessage ?? failure.message, {
        ...(code === "meta_unavailable" ? { retryAfter: retryAfterSeconds(failure.retryAfterMs ?? 30_000) } : {}),
        detail: {
          event_id: eventId,
          attempts: worst.attempts,
          ...(outcomes.length > 1 ? { destination: worst.name } : {}),
          ...(failure.userMessage !== undefined ? { meta_message: failure.message } : {}),
          ...meta,
        },
        extra: { destinations },
      }),
    };
  }

  const sent = outcomes.filter((o): o is Extract<DestinationOutcome, { status: "sent" }> => o.status === "sent");
  const has = (status: DestinationOutcome["status"]) => outcomes.some((o) => o.status === status);
  if (has("queued"))
    return {
      status: 202,
      outcome: "queued",
      destinations,
      body: { status: "queued", event_id: eventId, destinations },
    };
  if (has("duplicate") && !has("sent")) {
    return {
      status: duplicate,
      outcome: "duplicate",
      destinations,
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
      destinations,
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
  // Dry run is the relay's mode: every dry-run destination has the same cause.
  const dry = outcomes.find((o): o is Extract<DestinationOutcome, { status: "dry_run" }> => o.status === "dry_run");
  if (dry)
    return {
      status: 200,
      outcome: "dry_run",
      destinations,
      body: { status: "dry_run", event_id: eventId, message: dryRunMessage(dry.cause), destinations },
    };
  const reasons = outcomes.map((o) => (o.status === "skipped" ? o.reason : ""));
  const reason = reasons.includes("consent_denied") ? "consent_denied" : (reasons.find(Boolean) ?? "skipped");
  return {
    status: 200,
    outcome: "skipped",
    destinations,
    body: { status: "skipped", reason, event_id: eventId, destinations },
  };
}

/**
 * Why the relay runs dry: `DRY_RUN=true` (`dry_run_set`, whatever the tokens), or no destination
 * has a token (`no_token`). Dry run is the relay's mode, for every destination at once.
 */
export type DryRunCause = "dry_run_set" | "no_token";

/**
 * Why a dry-run relay runs dry, from its settings (read already: `DRY_RUN` is valid).
 *
 * @example
 * ```ts
 * dryRunCause({ DRY_RUN: "true", META_ACCESS_TOKEN: "EAAB…" }); // "dry_run_set"
 * dryRunCause({}); // "no_token"
 * ```
 */
export function dryRunCause(env: SettingVars): DryRunCause {
  return readDryRun(env["DRY_RUN"]) ? "dry_run_set" : "no_token";
}

/**
 * The dry-run answer's `message`: why nothing was sent, naming the setting to change. The one
 * wording of each cause (the console's test event says the same).
 *
 * @example
 * ```ts
 * dryRunMessage("dry_run_set"); // "DRY_RUN is true: the event was built and logged, and not sent"
 * ```
 */
export function dryRunMessage(cause: DryRunCause): string {
  return `${dryRunReason(cause)}: the event was built and logged, and not sent`;
}

/**
 * The cause alone, in words: what to change for the relay to send.
 *
 * @example
 * ```ts
 * dryRunReason("no_token"); // "No access token is set (META_ACCESS_TOKEN, or the destination's access_token_secret)"
 * ```
 */
export function dryRunReason(cause: DryRunCause): string {
  switch (cause) {
    case "dry_run_set":
      return "DRY_RUN is true";
    case "no_token":
      return "No access token is set (META_ACCESS_TOKEN, or the destination's access_token_secret)";
  }
}

/**
 * The error code of a failure: Meta refusing the event itself is the sender's data
 * (`meta_rejected_event`, 422); a transient failure is `meta_unavailable` (503, redeliver later);
 * Meta refusing our configuration (token, pixel, permissions, version) is
 * `meta_rejected_configuration` (502).
 *
 * @example
 * ```ts
 * failureCode({ ok: false, transient: false, status: 400, code: 100, subcode: 33, message: "…" }); // "meta_rejected_configuration"
 * ```
 */
export function failureCode(
  failure: GraphFailure,
): Extract<ErrorCode, "meta_unavailable" | "meta_rejected_event" | "meta_rejected_configuration"> {
  const scope = failureScope(failure);
  if (scope === "transient") return "meta_unavailable";
  if (scope === "event") return "meta_rejected_event";
  return "meta_rejected_configuration";
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

/**
 * Meta's trace id and error codes, where Meta gave them: for the log line and the answer. The log
 * projection of a refusal (../delivery/metaErrors), less the HTTP status the answer has its own of.
 */
export function metaFields(failure: GraphFailure): { fbtrace_id?: string; meta_code?: number; meta_subcode?: number } {
  const { status: _status, ...fields } = refusalLogFields(failure);
  return fields;
}

/** One destination as the answer lists it: its name, status, and what Meta said, never personal data. */
function destinationView(outcome: DestinationOutcome): DestinationView {
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
    case "no_token":
      return { name: outcome.name, status: "failed", error: "relay_misconfigured", reason: "no_token" };
    case "failed":
      return {
        name: outcome.name,
        status: "failed",
        error: failureCode(outcome.failure),
        attempts: outcome.attempts,
        ...metaFields(outcome.failure),
      };
    default:
      return { name: outcome.name, status: outcome.status };
  }
}
