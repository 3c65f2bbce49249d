/**
 * The whole pure transform: a parsed webhook body in; out, for every destination the webhook is
 * routed to, a Conversions API event (or the reason it gets none), or the reason the webhook is
 * refused. Validation, the Studio type filter, routing, consent, Meta's time window,
 * normalization, hashing and mapping; no I/O, the clock comes in as `now`. The routes and the
 * benchmark call this.
 *
 * User data is normalized and hashed once per webhook; each destination's event differs only in
 * its event name, `custom_data` and Limited Data Use, and shares the `event_id`.
 *
 * @example
 * ```ts
 * const result = transformWebhook(JSON.parse(body), config, config.destinations, Date.now(), source);
 * if (result.outcome === "routed") for (const r of result.results) if (r.outcome === "event") send(r.destination, r.event);
 * else if (result.outcome === "skipped") console.log(result.reason); // "no_destination"
 * else console.log(result.issues); // [{ path: "shopper.email", message: "Not a valid email address" }]
 * ```
 */
import { MAX_EVENT_AGE_SECONDS, type ServerEvent } from "./capi";
import { consentDecision } from "./consent";
import { eventId, isPersonalId } from "./eventId";
import { keptId } from "./senderIds";
import { eventNameFor, type Route, routesFor } from "./routing";
import {
  destinationEvent,
  type EventOptions,
  eventSource,
  type MatchWarning,
  matchWarnings,
  type SharedEvent,
  sharedEvent,
  type WebhookMatch,
  webhookUserData,
} from "./serverEvent";
import { type FieldMap, type Issue, parseWebhook } from "./webhook";

/**
 * How far ahead of our clock `occurred_at` may be. A little ahead is clock skew, and the event
 * is sent stamped `now` (Meta refuses times after now); a day ahead is a wrong timestamp.
 */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * How close to Meta's 7-day limit an event may be and still be taken: one that would cross it
 * within this margin is refused at intake with a 422. It is an hour, clearly more than the
 * delivery's own margin (`DELIVERY_MARGIN_MS` in src/delivery/policy.ts, 5 minutes), so an event
 * accepted at the very edge still has most of an hour to reach Meta before the queue would call
 * it stale.
 */
export const INTAKE_MARGIN_MS = 60 * 60_000;

/** Why a webhook gets no event at all. */
export type WebhookSkipReason = "event_type_filtered" | "no_destination";
/** Why one destination gets no event. */
export type DestinationSkipReason = "consent_denied" | "consent_not_granted";

/** The settings the transform reads besides the destinations. */
export interface TransformOptions {
  fieldMap: FieldMap;
  /** Studio `type`s that are relayed; others are answered `skipped`. */
  eventTypes: readonly string[];
  /** ISO alpha-2, lowercase: the country of shoppers who give none (phone calling code, zip). */
  defaultCountry: string | undefined;
}

/** What the transform needs of a destination: routing, event options, consent requirement. */
export interface DestinationOptions extends Route, EventOptions {
  /** Send only with an explicit grant (`marketing_consent: true` or `ad_user_data: granted`). */
  requireConsent: boolean;
}

/** One destination's share of a webhook. */
export type DestinationResult<D> =
  | { destination: D; outcome: "event"; event: ServerEvent }
  | { destination: D; outcome: "skipped"; reason: DestinationSkipReason };

/**
 * What became of a webhook. `match` says which `user_data` keys the events carry (or would have
 * carried, when skipped), why each key the webhook gave but the relay dropped was left out, and,
 * when there is any, `warnings` about fields missing or derived (see `matchWarnings`); it holds no
 * value. `invalid` issues name the canonical field to map or fix, never its value.
 */
export type TransformResult<D> =
  | {
      outcome: "routed";
      eventId: string;
      studioEventId: string;
      type: string;
      match: WebhookMatch;
      results: DestinationResult<D>[];
    }
  | {
      outcome: "skipped";
      reason: WebhookSkipReason;
      eventId: string;
      studioEventId: string;
      match: WebhookMatch;
      /** The destinations whose `match` holds, each skipping the webhook for `reason` (none: `no_destination`). */
      destinations: D[];
    }
  | { outcome: "invalid"; issues: Issue[] };

/**
 * What the match report says of ids that carry personal data (an email address, a phone number):
 * that the relay keeps and sends only their hash, and which Studio field to map instead. Names,
 * never the value.
 *
 * @example
 * ```ts
 * personalIdWarnings({ id: "evt_1", session: { id: "jane@example.com", attempt: 1 } });
 * // [{ field: "event_id", message: "session.id carries personal data …" }]
 * ```
 */
export function personalIdWarnings(webhook: { id: string; session: { id?: string | undefined } }): MatchWarning[] {
  const warnings: MatchWarning[] = [];
  const sessionId = webhook.session.id?.trim();
  if (sessionId && isPersonalId(sessionId)) {
    warnings.push({
      field: "event_id",
      message:
        "session.id carries personal data (an email address or phone number): the event_id carries its hash instead, and the id is never logged or shown; map Studio's quiz session id to session.id",
    });
  }
  if (isPersonalId(webhook.id)) {
    warnings.push({
      field: "id",
      message: `id carries personal data (an email address or phone number): the relay keeps and logs its hash only${sessionId ? "" : ", and the event_id carries that hash"}; map Studio's event id to id`,
    });
  }
  return warnings;
}

/**
 * @param source the `{source}` route segment the webhook came in on, if any
 * @param now ms
 */
export function transformWebhook<D extends DestinationOptions>(
  payload: unknown,
  options: TransformOptions,
  destinations: readonly D[],
  now: number,
  source?: string,
): TransformResult<D> {
  const parsed = parseWebhook(payload, options.fieldMap);
  if (!parsed.ok) return { outcome: "invalid", issues: parsed.issues };
  const webhook = parsed.webhook;
  // Built once, whatever the number of destinations: the email check, the match report and every
  // destination's event read it.
  const built = webhookUserData(webhook, options, now);
  const { userData } = built;
  if (!built.match.sent.includes("em")) {
    return { outcome: "invalid", issues: [{ path: "shopper.email", message: "Not a valid email address" }] };
  }
  const sourceUrl = eventSource(webhook);
  const warnings = [...matchWarnings(sourceUrl, built.match), ...personalIdWarnings(webhook)];
  const match: WebhookMatch = warnings.length > 0 ? { ...built.match, warnings } : built.match;

  // Studio's id as the relay keeps it (./senderIds): hashed when it carries personal data.
  const ids = { eventId: eventId(webhook), studioEventId: keptId(webhook.id), match };
  const routed = routesFor(webhook, source, destinations);
  // A type the relay does not relay is filtered after routing: each destination it went to skips
  // it, as for consent (`routed` = `sent` + `skipped` + … holds for it too).
  if (!options.eventTypes.includes(webhook.type))
    return { outcome: "skipped", reason: "event_type_filtered", destinations: routed, ...ids };
  if (routed.length === 0) return { outcome: "skipped", reason: "no_destination", destinations: [], ...ids };

  const decisions = routed.map((destination) => ({
    destination,
    consent: consentDecision(webhook, destination.requireConsent),
  }));
  if (decisions.some((decision) => decision.consent.send)) {
    // Meta refuses a website event without event_source_url for good: refuse it here, naming the
    // field to map, rather than accept a lead that can only become a dead letter.
    if (!sourceUrl.ok) return { outcome: "invalid", issues: sourceUrl.issues };
    if (webhook.occurred_at - now > MAX_CLOCK_SKEW_MS) {
      return { outcome: "invalid", issues: [{ path: "occurred_at", message: "Event time is in the future" }] };
    }
    if (isTooOld(webhook.occurred_at, now + INTAKE_MARGIN_MS)) {
      return {
        outcome: "invalid",
        issues: [{ path: "occurred_at", message: "Event is older than the 7 days Meta accepts" }],
      };
    }
  }
  // What every destination's event shares, read once (the event source and id were read above).
  let shared: SharedEvent | undefined;
  const results = decisions.map(({ destination, consent }): DestinationResult<D> => {
    if (!consent.send) return { destination, outcome: "skipped", reason: consent.reason };
    shared ??= sharedEvent(webhook, { source: sourceUrl, eventId: ids.eventId, userData, now });
    const eventName = eventNameFor(destination, webhook.type);
    return {
      destination,
      outcome: "event",
      event: destinationEvent(webhook, shared, { eventName, options: destination }),
    };
  });
  return { outcome: "routed", ...ids, type: webhook.type, results };
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
