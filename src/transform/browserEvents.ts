/**
 * Browser events (`POST /collect/cartful`): the body the Pixel snippet sends, read and turned into
 * one Conversions API server event per destination. Pure: the request's own values (client
 * address, user agent, first-party cookies) and the clock come in; nothing is sent or stored here.
 *
 * Two steps, so the HTTP route can answer each kind of failure as the contract says:
 * 1. {@link parseBrowserBatch}: the parsed JSON body → a validated batch, or `too_many_events`
 *    (413: more than {@link MAX_BROWSER_EVENTS}) or `invalid` with issues naming paths (422).
 *    The body's shape is ./browserBatch's: strings bounded as for webhooks, unknown fields
 *    ignored and never copied, so `__proto__` or `constructor` keys are inert.
 * 2. {@link planBrowserEvents}: each event of the batch → `send` (one server event for each
 *    destination whose `match` holds and whose `browser_events` maps its type, consent allowing)
 *    or `skipped` with a reason.
 *
 * What the endpoint accepts of the shopper: an event's `marketing_consent` flag (read with the
 * consent signals as for webhooks), and `user_data.em`, `ph` and `external_id` only hashed
 * (64 hex digits, or a Parameter Builder value, see ./hash `preHashed`). A value in clear is
 * dropped (its key reported in the match report as `not hashed`), never hashed and forwarded, and
 * the event still goes. `client_ip_address` and `client_user_agent` are the request's own (never
 * the body's); `fbp`/`fbc` the first-party cookies', else the body's, else an `fbclid` in
 * `page_url` makes a new `fbc` (./clickIds). `event_source_url` and `referrer_url` are scrubbed
 * as the webhook's (./serverEvent `scrubUrl`).
 *
 * `custom_data` follows the webhook's rules (./serverEvent `buildCustomData`) over the event's
 * product when it has one (`product:view`, `product:addToCart`: the value is that product's price
 * times its quantity), else over its recommendations (`recommendations:loaded`: the value as the
 * destination's `event_value` says).
 *
 * @example
 * ```ts
 * const parsed = parseBrowserBatch(JSON.parse(body));
 * if (parsed.ok) {
 *   const plans = planBrowserEvents(parsed.batch, { ip, userAgent, cookies }, config.destinations, Date.now());
 *   plans[0]; // { index: 0, eventId: "cartful.ses_a.2.product:addToCart.8123", type: "product:addToCart",
 *             //   status: "send", deliveries: [{ destination, event }], skipped: [], match }
 * }
 * ```
 */
import { isRecord } from "../core/records";
import type { ServerEvent, UserData } from "./capi";
import { type BrowserBatch, type BrowserEvent, browserBatchSchema, readBrowserBatch } from "./browserBatch";
import { readClickId } from "./clickIds";
import { consentDecision, type ConsentSignal } from "./consent";
import { answerableEventId, eventIdProblem } from "./eventId";
import { preHashed } from "./hash";
import { WEBHOOK_ONLY_TYPE } from "./browserEventNames";
import { routesFor } from "./routing";
import { buildCustomData, scrubUrl, storeUrl } from "./serverEvent";
import {
  type DestinationOptions,
  type DestinationSkipReason,
  INTAKE_MARGIN_MS,
  isTooOld,
  MAX_CLOCK_SKEW_MS,
} from "./transformWebhook";
import { buildUserData, type MatchReport, USER_DATA_KEYS } from "./userData";
import { UNREAD } from "./fastReader";
import { FIELD_LIMITS, type Issue } from "./webhook";

export type { BrowserBatch, BrowserEvent } from "./browserBatch";

/** The most events one request may carry (the contract's bound; more is a 413). */
export const MAX_BROWSER_EVENTS = 20;

/** The hashed keys a browser may send under `user_data`; any other key there is ignored. */
export const BROWSER_HASHED_KEYS = ["em", "ph", "external_id"] as const;

/** What {@link parseBrowserBatch} makes of a body: 413 for `too_many_events`, 422 for `invalid`. */
export type ParsedBrowserBatch =
  | { ok: true; batch: BrowserBatch }
  | { ok: false; error: "too_many_events" }
  | { ok: false; error: "invalid"; issues: Issue[] };

/**
 * Validates a parsed `/collect/cartful` body (the route has already checked its size, at most
 * 16 KiB, and that it is JSON). Issues name paths (`events.3.type`) and never carry a value.
 *
 * @example
 * ```ts
 * parseBrowserBatch({ events: [{ type: "product:view", event_id: "cartful.ses_a.1.product:view.1" }] });
 * // { ok: true, batch: { events: [...], consent: {}, … } }
 * parseBrowserBatch({ events: "no" }); // { ok: false, error: "invalid", issues: [{ path: "events", message: … }] }
 * ```
 */
export function parseBrowserBatch(body: unknown): ParsedBrowserBatch {
  if (isRecord(body) && Array.isArray(body.events) && body.events.length > MAX_BROWSER_EVENTS) {
    return { ok: false, error: "too_many_events" };
  }
  // The common shape by hand; anything else (every refusal among it) is zod's, issue for issue.
  const read = readBrowserBatch(body);
  if (read !== UNREAD) return { ok: true, batch: read };
  const result = browserBatchSchema.safeParse(body);
  if (result.success) return { ok: true, batch: result.data };
  return {
    ok: false,
    error: "invalid",
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
  };
}

/** What the route knows of the request, beside its body. Never read from the body. */
export interface BrowserRequest {
  /** The connecting client's address (`CF-Connecting-IP`). */
  ip: string | undefined;
  /** The request's `User-Agent` header. */
  userAgent: string | undefined;
  /** The first-party `_fbp` / `_fbc` cookies, after {@link firstPartyCookies} (./firstPartyCookies) chose them. */
  cookies: BrowserCookies;
}

/** Meta's first-party cookies as a request carries them (see ./firstPartyCookies `readFbCookies`). */
export interface BrowserCookies {
  fbp?: string | undefined;
  fbc?: string | undefined;
}

/** What planning needs of a destination: the webhook's options, its pixel and its browser map. */
export interface BrowserDestination extends DestinationOptions {
  pixelId: string;
  /** Studio `type` → Meta event name; a type it does not name is not sent to it. */
  browserEvents: ReadonlyMap<string, string>;
}

/** Why a whole browser event is not sent. */
export type BrowserSkipReason =
  /** `event_id` missing, not `cartful.…`, or over 256 characters. */
  | "invalid_event_id"
  /** `event_id` carries an email address or a phone number (see ./eventId `isPersonalId`). */
  | "personal_event_id"
  /** `email:submit`: the webhook sends that lead. */
  | "webhook_only"
  /** No destination's `match` holds and maps its type in `browser_events`. */
  | "no_destination"
  /** `occurred_at` more than a day ahead of the relay's clock. */
  | "future_event"
  /** `occurred_at` older than Meta accepts (7 days, less an hour's margin for the queue). */
  | "too_old"
  /** Neither a usable `page_url` nor `store.domain`: Meta refuses a website event without `event_source_url`. */
  | "no_event_source_url"
  /** Every destination it was for refused it for consent (`consent_denied` wins over `consent_not_granted`). */
  | DestinationSkipReason;

/** One server event for one destination. */
export interface BrowserDelivery<D> {
  destination: D;
  event: ServerEvent;
}

/**
 * What became of one event of the batch, in the batch's order. `eventId` is the event's
 * `event_id` when it may be shown (./eventId `answerableEventId`: a refused id too, unless it
 * carries personal data). `match` reports the `user_data` keys sent and why others were
 * dropped (never a value); on a skip before user data was read it is empty.
 */
export type BrowserEventPlan<D> = {
  index: number;
  eventId: string | undefined;
  type: string;
  match: MatchReport;
} & (
  | {
      status: "send";
      deliveries: BrowserDelivery<D>[];
      /** Destinations that took the type but refused the event for consent. */
      skipped: { destination: D; reason: DestinationSkipReason }[];
    }
  | {
      status: "skipped";
      reason: BrowserSkipReason;
      /**
       * When every destination that took the type refused the event for consent: those
       * destinations (each counts it routed and skipped, as a webhook refused for consent is).
       */
      skipped?: { destination: D; reason: DestinationSkipReason }[];
    }
);

/**
 * Plans every event of a validated batch: which destinations get which server event, or why none.
 *
 * @param now ms: the request's moment; an event is never stamped after it
 * @example
 * ```ts
 * planBrowserEvents(batch, { ip: "203.0.113.7", userAgent: "Mozilla/5.0 …", cookies: { fbp } }, destinations, Date.now());
 * ```
 */
export function planBrowserEvents<D extends BrowserDestination>(
  batch: BrowserBatch,
  request: BrowserRequest,
  destinations: readonly D[],
  now: number,
): BrowserEventPlan<D>[] {
  const planning: Planning<D> = { batch, request, destinations, now, shared: sharedValues(batch, request) };
  return batch.events.map((event, index) => planEvent(event, index, planning));
}

/** What planning each event of a batch reads: the batch, the request, the destinations, the clock. */
interface Planning<D> {
  batch: BrowserBatch;
  request: BrowserRequest;
  destinations: readonly D[];
  /** ms */
  now: number;
  shared: SharedValues;
}

/** What every event of a batch shares, read once per body rather than once per event. */
interface SharedValues {
  /** `page_url`, scrubbed (`undefined` when it is no http(s) URL: the event's `store.domain` stands in). */
  pageUrl: string | undefined;
  /** `referrer`, scrubbed. */
  referrerUrl: string | undefined;
  /** The request's user agent, when within its bound. */
  userAgent: string | undefined;
  /** `fbp` and `fbc`: the first-party cookie's when valid, else the body's. */
  fbp: string | undefined;
  fbc: string | undefined;
}

function sharedValues(batch: BrowserBatch, request: BrowserRequest): SharedValues {
  const { userAgent, cookies } = request;
  return {
    pageUrl: scrubUrl(batch.page_url),
    referrerUrl: scrubUrl(batch.referrer),
    userAgent: userAgent !== undefined && userAgent.length <= FIELD_LIMITS.userAgent ? userAgent : undefined,
    fbp: validClickId(cookies.fbp) ?? batch.fbp,
    fbc: validClickId(cookies.fbc) ?? batch.fbc,
  };
}

const NO_MATCH: MatchReport = Object.freeze({ sent: [], dropped: {} }) as MatchReport;

function planEvent<D extends BrowserDestination>(
  event: BrowserEvent,
  index: number,
  { batch, request, destinations, now, shared }: Planning<D>,
): BrowserEventPlan<D> {
  const base = { index, type: event.type };
  const problem = event.event_id === undefined ? "invalid_event_id" : eventIdProblem(event.event_id);
  if (problem !== undefined)
    return { ...base, eventId: answerableEventId(event.event_id), match: NO_MATCH, status: "skipped", reason: problem };
  const eventId = event.event_id!;
  const skip = (reason: BrowserSkipReason): BrowserEventPlan<D> => ({
    ...base,
    eventId,
    match: NO_MATCH,
    status: "skipped",
    reason,
  });
  if (event.type === WEBHOOK_ONLY_TYPE) return skip("webhook_only");

  const routed = routesFor(
    { type: event.type, store: event.store ?? {}, quiz: event.quiz ?? {} },
    undefined,
    destinations,
  ).filter((destination) => destination.browserEvents.has(event.type));
  if (routed.length === 0) return skip("no_destination");

  const occurredAt = event.occurred_at ?? now;
  if (occurredAt - now > MAX_CLOCK_SKEW_MS) return skip("future_event");
  if (isTooOld(occurredAt, now + INTAKE_MARGIN_MS)) return skip("too_old");
  const eventTime = Math.min(occurredAt, now);

  const source = {
    shopper: { marketing_consent: event.marketing_consent },
    context: { consent: mergedConsent(event, batch) },
  };
  const deliveries: BrowserDelivery<D>[] = [];
  const skipped: { destination: D; reason: DestinationSkipReason }[] = [];
  const pageUrl = shared.pageUrl ?? storeUrl(event.store?.domain);
  // Queued without it, the event would only come back from Meta as a dead letter.
  if (pageUrl === undefined) return skip("no_event_source_url");
  const { userData, match } = browserUserData(event, { batch, request, shared }, eventTime);
  const referrerUrl = shared.referrerUrl;
  for (const destination of routed) {
    const decision = consentDecision(source, destination.requireConsent);
    if (!decision.send) {
      skipped.push({ destination, reason: decision.reason });
      continue;
    }
    const customData = browserCustomData(event, destination);
    deliveries.push({
      destination,
      event: {
        event_name: destination.browserEvents.get(event.type)!,
        event_time: Math.floor(eventTime / 1000),
        event_id: eventId,
        action_source: "website",
        event_source_url: pageUrl,
        ...(referrerUrl ? { referrer_url: referrerUrl } : {}),
        user_data: userData,
        ...(customData ? { custom_data: customData } : {}),
        ...(destination.limitedDataUse
          ? {
              data_processing_options: ["LDU"],
              data_processing_options_country: destination.limitedDataUse.country,
              data_processing_options_state: destination.limitedDataUse.state,
            }
          : {}),
      },
    });
  }
  if (deliveries.length === 0) {
    const reason = skipped.some((entry) => entry.reason === "consent_denied")
      ? "consent_denied"
      : "consent_not_granted";
    return { ...base, eventId, match, status: "skipped", reason, skipped };
  }
  return { ...base, eventId, match, status: "send", deliveries, skipped };
}

/** The event's own consent signals, else the batch's: a denial in either is a denial. */
function mergedConsent(
  event: BrowserEvent,
  batch: BrowserBatch,
): { ad_storage: ConsentSignal; ad_user_data: ConsentSignal } {
  const pick = (key: "ad_storage" | "ad_user_data"): ConsentSignal => {
    const own = event.consent?.[key];
    const shared = batch.consent[key];
    return own === "denied" || shared === "denied" ? "denied" : (own ?? shared);
  };
  return { ad_storage: pick("ad_storage"), ad_user_data: pick("ad_user_data") };
}

/**
 * `user_data` of a browser event: the request's address and agent, `fbp`/`fbc` (cookie, else
 * body), and the hashed keys the body gave (a value in clear dropped as `not hashed`).
 */
function browserUserData(
  event: BrowserEvent,
  { batch, request, shared }: Pick<Planning<unknown>, "batch" | "request" | "shared">,
  eventTime: number,
): { userData: UserData; match: MatchReport } {
  const built = buildUserData(
    {},
    {
      ip: request.ip,
      user_agent: shared.userAgent,
      fbp: shared.fbp,
      fbc: shared.fbc,
      page_url: batch.page_url,
      referrer_url: batch.referrer,
      occurred_at: eventTime,
    },
    { now: eventTime },
  );
  const userData: UserData = {};
  const match: MatchReport = { sent: [], dropped: { ...built.match.dropped } };
  const given = event.user_data ?? {};
  for (const key of USER_DATA_KEYS) {
    if ((BROWSER_HASHED_KEYS as readonly string[]).includes(key)) {
      const raw = given[key as (typeof BROWSER_HASHED_KEYS)[number]];
      if (raw === undefined || raw === null || raw === "") continue;
      const value = typeof raw === "string" && raw.length <= FIELD_LIMITS.browserValue ? preHashed(raw) : undefined;
      if (value === undefined) {
        match.dropped[key] = "not hashed";
        continue;
      }
      userData[key] = value;
      match.sent.push(key);
    } else if (built.userData[key] !== undefined) {
      userData[key] = built.userData[key];
      match.sent.push(key);
    }
  }
  return { userData, match };
}

function validClickId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const read = readClickId(value);
  return read.ok ? read.value : undefined;
}

function browserCustomData(event: BrowserEvent, destination: BrowserDestination) {
  const store = event.store ?? {};
  const quiz = event.quiz ?? {};
  if (event.product !== undefined) {
    // The product is the content, and its price times its quantity the value.
    return buildCustomData(
      { recommendations: [event.product], store, quiz },
      { ...destination, eventValue: { kind: "recommendations" } },
    );
  }
  return buildCustomData({ recommendations: event.recommendations, store, quiz }, destination);
}
