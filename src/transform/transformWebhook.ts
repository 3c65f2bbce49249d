/**
 * The whole pure transform: a parsed webhook body in, a Conversions API event (or the reason
 * there is none) out. Validation, consent, Meta's time window, normalization, hashing and
 * mapping; no I/O, the clock comes in as `now`. The routes and the benchmark call this.
 *
 * @example
 * ```ts
 * const result = transformWebhook(JSON.parse(body), parseConfig(env), Date.now());
 * if (result.outcome === "event") send(result.event); // result.match: { sent: ["em", …], dropped: {…} }
 * else if (result.outcome === "skipped") console.log(result.reason); // "consent_denied"
 * else console.log(result.issues); // [{ path: "shopper.email", message: "Not a valid email address" }]
 * ```
 */
import { MAX_EVENT_AGE_SECONDS, type ServerEvent } from "./capi";
import { consentDecision } from "./consent";
import { eventId } from "./eventId";
import { buildServerEvent, type EventOptions, webhookUserData } from "./serverEvent";
import type { MatchReport } from "./userData";
import { type FieldMap, type Issue, parseWebhook } from "./webhook";

/**
 * How far ahead of our clock `occurred_at` may be. A little ahead is clock skew, and the event
 * is sent stamped `now` (Meta refuses times after now); a day ahead is a wrong timestamp.
 */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * How close to Meta's 7-day limit an event may be and still be taken: one that would cross it
 * within this margin could be refused by the time it is delivered (the queue batches and
 * retries), so it is refused at intake with a 422, and never sent later.
 */
export const STALE_MARGIN_MS = 5 * 60_000;

export type SkipReason = "consent_denied" | "consent_not_granted" | "event_type_filtered";

/**
 * What became of a webhook. `match` says which `user_data` keys the event carries (or would
 * have carried, when skipped) and why each given but dropped key was left out; it holds no value.
 */
export type TransformResult =
  | { outcome: "event"; event: ServerEvent; eventId: string; studioEventId: string; match: MatchReport }
  | { outcome: "skipped"; reason: SkipReason; eventId: string; studioEventId: string; match: MatchReport }
  | { outcome: "invalid"; issues: Issue[] };

/** The settings the transform reads: the event's options, and which webhooks become events. */
export interface TransformOptions extends EventOptions {
  fieldMap: FieldMap;
  /** Studio `type`s that are relayed; others are answered `skipped`. */
  eventTypes: string[];
  /** Send only with an explicit grant (`marketing_consent: true` or `ad_user_data: granted`). */
  requireConsent: boolean;
}

export function transformWebhook(payload: unknown, config: TransformOptions, now: number): TransformResult {
  const parsed = parseWebhook(payload, config.fieldMap);
  if (!parsed.ok) return { outcome: "invalid", issues: parsed.issues };
  const webhook = parsed.webhook;
  // Built once: the email check, the skip answers and the event all read it.
  const { userData, match } = webhookUserData(webhook, config, now);
  if (!match.sent.includes("em")) {
    return { outcome: "invalid", issues: [{ path: "shopper.email", message: "Not a valid email address" }] };
  }

  const id = eventId(webhook);
  const studioEventId = webhook.id;
  if (!config.eventTypes.includes(webhook.type)) {
    return { outcome: "skipped", reason: "event_type_filtered", eventId: id, studioEventId, match };
  }
  const consent = consentDecision(webhook, config.requireConsent);
  if (!consent.send) return { outcome: "skipped", reason: consent.reason, eventId: id, studioEventId, match };

  if (webhook.occurred_at - now > MAX_CLOCK_SKEW_MS) {
    return { outcome: "invalid", issues: [{ path: "occurred_at", message: "Event time is in the future" }] };
  }
  if (isTooOld(webhook.occurred_at, now + STALE_MARGIN_MS)) {
    return {
      outcome: "invalid",
      issues: [{ path: "occurred_at", message: "Event is older than the 7 days Meta accepts" }],
    };
  }
  return { outcome: "event", event: buildServerEvent(webhook, config, now, userData), eventId: id, studioEventId, match };
}

/**
 * Whether Meta would refuse an event that happened at `occurredAtMs` if it were sent at `now`.
 *
 * @example
 * ```ts
 * isTooOld(Date.now() - 8 * 86_400_000, Date.now()); // true
 * ```
 */
export function isTooOld(occurredAtMs: number, now: number): boolean {
  return now - occurredAtMs > MAX_EVENT_AGE_SECONDS * 1000;
}
