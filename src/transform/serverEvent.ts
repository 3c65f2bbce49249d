/**
 * Maps a validated Studio webhook to one Conversions API server event. Pure: the clock comes in
 * as `now`. Personal data leaves here only hashed, inside `user_data`.
 *
 * What a `website` event needs, field by field, from Meta's "Server Event Parameters" page (and
 * the Conversions API "Parameters" overview, which lists `client_user_agent`, `action_source` and
 * `event_source_url` for website events):
 * - `action_source`: required for every event; always `website` here (a Studio quiz runs on the
 *   store's site).
 * - `event_source_url`: required for website events, and Graph refuses an event without it for
 *   good (code 100, "The parameter $['data'][0]['event_source_url'] is required"). The relay
 *   sends the page the shopper was on (`context.page_url`, scrubbed, see `scrubUrl`); without
 *   one, the store's own address `https://{store.domain}/` (the domain validated as a host name),
 *   which is honest: the event happened on that site, and Meta checks the URL against the
 *   verified domain. With neither, `eventSource` answers the issue to map (`context.page_url`),
 *   and the webhook is refused (422) rather than accepted to be refused by Meta later.
 * - `client_user_agent`: listed for website events, but Graph accepts an event without it (a
 *   live capture, 2026-09) and Meta's page frames it as quality ("these parameters contribute to
 *   improving the quality of events"); the relay cannot derive it honestly (the webhook's own
 *   User-Agent is Studio's server, not the shopper's browser). So it is sent when Studio gives it
 *   (`context.user_agent`, byte for byte) and its absence is a match warning, not a refusal.
 *
 * @example
 * ```ts
 * const { userData } = webhookUserData(webhook, { defaultCountry: "us" }, Date.now());
 * const event = buildServerEvent(webhook, userData, "Lead", destination, Date.now());
 * event.event_id;      // "cartful.ses_5f1c9a7e2b.2"
 * event.action_source; // "website"
 * ```
 */
import type { Content, CustomData, ServerEvent, UserData } from "./capi";
import { eventId, isPersonalId } from "./eventId";
import { type BuiltUserData, buildUserData } from "./userData";
import type { MatchReport } from "./userData";
import type { Issue, StudioWebhook } from "./webhook";

/** Which recommendation field becomes `content_ids` / `contents[].id`. */
export type ContentIdField = "product_id" | "variant_id" | "sku";

/** Meta's `content_type`: what the ids in `content_ids` are in the catalog. */
export type ContentType = "product" | "product_group";

/** How `custom_data.value` is set: the recommendations' total, nothing, or a fixed amount. */
export type EventValue = { kind: "recommendations" } | { kind: "none" } | { kind: "fixed"; amount: number };

export interface LimitedDataUse {
  /** Meta's `data_processing_options_country`: 1 = US, 0 = geolocate. */
  country: number;
  /** Meta's `data_processing_options_state`: 1000 = California, 0 = geolocate. */
  state: number;
}

/** What a destination's event depends on besides the webhook: its own settings. */
export interface EventOptions {
  limitedDataUse: LimitedDataUse | undefined;
  contentId: ContentIdField;
  contentType: ContentType;
  eventValue: EventValue;
}

/**
 * The server event one destination receives: the webhook's moment, id and URLs, the user data
 * (built once for every destination, see ./userData), and this destination's event name,
 * `custom_data` and Limited Data Use.
 *
 * @param now ms; the event is never stamped after it (Meta refuses times after now)
 */
export function buildServerEvent(
  webhook: StudioWebhook,
  userData: UserData,
  eventName: string,
  options: EventOptions,
  now: number,
): ServerEvent {
  const shared = sharedEvent(webhook, { source: eventSource(webhook), eventId: eventId(webhook), userData, now });
  return destinationEvent(webhook, shared, { eventName, options });
}

/** What every destination's event of one webhook shares: its moment, id, URLs and user data. */
export interface SharedEvent {
  /** s */
  event_time: number;
  event_id: string;
  event_source_url: string | undefined;
  referrer_url: string | undefined;
  user_data: UserData;
}

/**
 * The part of a webhook's events every destination shares, worked out once per webhook (the
 * webhook's `eventSource` and `eventId`, which the transform has already read, come in).
 *
 * @example
 * ```ts
 * const shared = sharedEvent(webhook, { source: eventSource(webhook), eventId: eventId(webhook), userData, now });
 * destinationEvent(webhook, shared, { eventName: "Lead", options: destination });
 * ```
 */
export function sharedEvent(
  webhook: StudioWebhook,
  read: { source: EventSource; eventId: string; userData: UserData; now: number },
): SharedEvent {
  return {
    // Meta wants the moment the shopper acted, in seconds, and never a time after now.
    event_time: Math.floor(eventTimeMs(webhook, read.now) / 1000),
    event_id: read.eventId,
    event_source_url: read.source.ok ? read.source.url : undefined,
    referrer_url: scrubUrl(webhook.context.referrer_url),
    user_data: read.userData,
  };
}

/** One destination's event: the shared part, and the destination's event name, `custom_data` and Limited Data Use. */
export function destinationEvent(
  webhook: StudioWebhook,
  shared: SharedEvent,
  destination: { eventName: string; options: EventOptions },
): ServerEvent {
  const { options } = destination;
  const customData = buildCustomData(webhook, options);
  return {
    event_name: destination.eventName,
    event_time: shared.event_time,
    event_id: shared.event_id,
    action_source: "website",
    ...(shared.event_source_url ? { event_source_url: shared.event_source_url } : {}),
    ...(shared.referrer_url ? { referrer_url: shared.referrer_url } : {}),
    user_data: shared.user_data,
    ...(customData ? { custom_data: customData } : {}),
    ...(options.limitedDataUse
      ? {
          data_processing_options: ["LDU"],
          data_processing_options_country: options.limitedDataUse.country,
          data_processing_options_state: options.limitedDataUse.state,
        }
      : {}),
  };
}

/**
 * When the shopper acted, in ms: `occurred_at`, or now if that is a little ahead of our clock.
 *
 * @example
 * ```ts
 * eventTimeMs({ occurred_at: Date.now() + 5000 }, Date.now()); // now
 * ```
 */
export function eventTimeMs(webhook: Pick<StudioWebhook, "occurred_at">, now: number): number {
  return Math.min(webhook.occurred_at, now);
}

/**
 * Meta's `user_data` for a webhook and its match report, built once whatever the number of
 * destinations: the shopper's fields, the browser's values, and the click time of an `fbc`
 * built from an `fbclid` (the submission, never after now).
 *
 * @example
 * ```ts
 * const { userData, match } = webhookUserData(webhook, { defaultCountry: "us" }, Date.now());
 * match.dropped; // { ph: "not a valid number for GB" }
 * ```
 */
export function webhookUserData(
  webhook: StudioWebhook,
  options: { defaultCountry: string | undefined },
  now: number,
): BuiltUserData {
  const { context, shopper } = webhook;
  return buildUserData(
    shopper,
    {
      ip: context.ip,
      ipv6: context.ipv6,
      user_agent: context.user_agent,
      fbp: context.fbp,
      fbc: context.fbc,
      page_url: context.page_url,
      referrer_url: context.referrer_url,
      // The click was seen no later than the submission, and no later than now.
      occurred_at: eventTimeMs(webhook, now),
    },
    { defaultCountry: options.defaultCountry, now },
  );
}

/**
 * `custom_data` from the recommendations: ids, contents, currency, value, the quiz's name.
 * Product titles and quiz answers stay out: answers can be sensitive (a skin concern is health
 * data under Meta's terms), and titles add nothing a catalog match needs.
 *
 * Nothing personal travels in clear in `custom_data` either (contract, "Outbound"): a product id
 * or a quiz name in which {@link isPersonalId} recognises an email address or a phone number (a
 * field mapping gone wrong, a merchant's "Quiz for jane@example.com") is left out, never hashed
 * and sent: Meta hashes only `user_data`, so a hashed id would only be a wrong id. Such a product
 * is left out (its price too); the event still goes.
 *
 * @example
 * ```ts
 * buildCustomData(webhook, config);
 * // { content_ids: ["8012345"], contents: [{ id: "8012345", quantity: 1, item_price: 34 }],
 * //   content_type: "product", currency: "USD", value: 34, content_name: "Skin Care Finder" }
 * ```
 */
export function buildCustomData(
  webhook: Pick<StudioWebhook, "recommendations" | "store" | "quiz">,
  config: Omit<EventOptions, "limitedDataUse">,
): CustomData | undefined {
  const contents: Content[] = [];
  for (const item of webhook.recommendations) {
    const id = item[config.contentId]?.trim();
    if (!id || isPersonalId(id)) continue;
    const quantity = isAmount(item.quantity) ? Math.max(1, Math.round(item.quantity)) : 1;
    const price = isAmount(item.price) ? item.price : undefined;
    contents.push({ id, quantity, ...(price !== undefined ? { item_price: price } : {}) });
  }
  const currency = webhook.store.currency?.trim().toUpperCase();
  const validCurrency = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  const value = validCurrency ? eventValue(contents, config) : undefined;
  const givenName = webhook.quiz.name?.trim();
  const quizName = givenName && !isPersonalId(givenName) ? givenName : undefined;

  const data: CustomData = {
    ...(contents.length > 0
      ? { content_ids: contents.map((c) => c.id), contents, content_type: config.contentType }
      : {}),
    ...(validCurrency ? { currency: validCurrency } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(quizName ? { content_name: quizName } : {}),
  };
  return Object.keys(data).length > 0 ? data : undefined;
}

function eventValue(contents: Content[], config: Pick<EventOptions, "eventValue">): number | undefined {
  switch (config.eventValue.kind) {
    case "none":
      return undefined;
    case "fixed":
      return config.eventValue.amount;
    case "recommendations": {
      const priced = contents.filter((c) => c.item_price !== undefined);
      if (priced.length === 0) return undefined;
      const cents = priced.reduce((sum, c) => sum + Math.round((c.item_price ?? 0) * 100) * c.quantity, 0);
      return Number.isSafeInteger(cents) ? cents / 100 : undefined;
    }
  }
}

/**
 * Query parameters whose names say they carry personal data: the words, and Meta's own short
 * user_data keys (`em`, `ph`, `fn`, …), which some tools put in URLs.
 */
const PERSONAL_PARAM =
  /e-?mail|phone|^tel$|mobile|name|addr|street|city|state|zip|postal|post_?code|country|birth|^dob$|gender|ssn|^(em|ph|fn|ln|ge|db|ct|st|zp|external_id)$/i;

/**
 * Makes a page or referrer URL safe to send in plain text. It drops the fragment (client-side
 * state, where apps put anything), user info, query parameters that carry personal data (by
 * name, or an `@` in the value), and a path holding an `@` (an address in the path) becomes
 * `/`. Anything that is not an http(s) URL is undefined. A URL with nothing to drop is returned
 * exactly as it came.
 *
 * @example
 * ```ts
 * scrubUrl("https://shop.example.com/quiz?email=jane%40example.com&utm_source=fb#step=2");
 * // "https://shop.example.com/quiz?utm_source=fb"
 * ```
 */
export function scrubUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  const hasCredentials = url.username !== "" || url.password !== "";
  // Decoding can only make an `@` of `%40`: a path with neither is not worth decoding.
  const path = url.pathname;
  const personalPath = (path.includes("@") || path.includes("%40")) && safeDecode(path).includes("@");
  const personal =
    url.search === ""
      ? []
      : [...url.searchParams].filter(([key, value]) => PERSONAL_PARAM.test(key) || value.includes("@"));
  const hasFragment = raw.includes("#");
  if (personal.length === 0 && !hasCredentials && !personalPath && !hasFragment) return raw.trim();
  url.username = "";
  url.password = "";
  url.hash = "";
  if (personalPath) url.pathname = "/";
  for (const [key] of personal) url.searchParams.delete(key);
  return url.toString();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A price or quantity Meta can take: finite, not negative, below a trillion. */
function isAmount(value: number | null | undefined): value is number {
  return value != null && Number.isFinite(value) && value >= 0 && value < 1e12;
}

/** One DNS label: letters, digits and inner hyphens, at most 63 characters. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The store's own address, `https://{host}/`, from `store.domain` as Studio or a merchant writes
 * it (`shop.example.com`, `https://Shop.Example.com/`, `www.shop.example.de`, an internationalized
 * name, a port), when it is a host name: at least two labels, each a valid DNS label, the last
 * one not all digits (an IP address is no store domain). Anything else is undefined.
 *
 * @example
 * ```ts
 * storeUrl("https://Shop.Example.com/pages/quiz"); // "https://shop.example.com/"
 * storeUrl("localhost");                            // undefined
 * ```
 */
export function storeUrl(domain: string | undefined): string | undefined {
  const host = domain
    ?.trim()
    .replace(/^https?:\/\//i, "")
    .replace(/[/?#].*$/s, "");
  if (!host || /[\s@\\]/.test(host)) return undefined;
  let url: URL;
  try {
    url = new URL(`https://${host}/`);
  } catch {
    return undefined;
  }
  const labels = url.hostname.replace(/\.$/, "").split(".");
  if (labels.length < 2 || !labels.every((label) => HOST_LABEL.test(label))) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return `https://${labels.join(".")}${url.port ? `:${url.port}` : ""}/`;
}

/** Where a webhook's `event_source_url` comes from, or the issues that leave it without one. */
export type EventSource =
  { ok: true; url: string; from: "context.page_url" | "store.domain" } | { ok: false; issues: Issue[] };

/**
 * The webhook's `event_source_url`, which Meta requires for website events (see the module
 * header): the page URL when it is an http(s) URL, else the store's address from `store.domain`,
 * else the issues naming the Studio field to map. Issues name fields, never values.
 *
 * @example
 * ```ts
 * eventSource({ context: {}, store: { domain: "shop.example.com" } });
 * // { ok: true, url: "https://shop.example.com/", from: "store.domain" }
 * eventSource({ context: {}, store: {} });
 * // { ok: false, issues: [{ path: "context.page_url", message: "Required: Meta refuses a website event …" }] }
 * ```
 */
export function eventSource(webhook: Pick<StudioWebhook, "context" | "store">): EventSource {
  const page = scrubUrl(webhook.context.page_url);
  if (page !== undefined) return { ok: true, url: page, from: "context.page_url" };
  const store = storeUrl(webhook.store.domain);
  if (store !== undefined) return { ok: true, url: store, from: "store.domain" };
  const issues: Issue[] = [
    {
      path: "context.page_url",
      message:
        webhook.context.page_url === undefined
          ? "Required: Meta refuses a website event without event_source_url; map the page URL in Studio to context.page_url (or the store's domain to store.domain)"
          : "Not an http(s) URL, and no store.domain to stand in: Meta refuses a website event without event_source_url; map the page URL in Studio to context.page_url",
    },
  ];
  if (webhook.store.domain !== undefined) {
    issues.push({ path: "store.domain", message: "Not a host name (e.g. shop.example.com)" });
  }
  return { ok: false, issues };
}

/** Something the match report warns about: a field missing or derived, and why it matters. */
export interface MatchWarning {
  /** The Conversions API field (`event_source_url`, `client_user_agent`). */
  field: string;
  /** A fixed sentence naming the Studio field to map; never a value. */
  message: string;
}

/** The match report of a webhook: `MatchReport`, plus `warnings` when there is something to warn about. */
export interface WebhookMatch extends MatchReport {
  warnings?: MatchWarning[];
}

/**
 * The warnings of a webhook's match report: a derived `event_source_url` and a missing
 * `client_user_agent` (see the module header). Names and reasons only, never a value.
 *
 * @example
 * ```ts
 * matchWarnings({ ok: true, url: "https://shop.example.com/", from: "store.domain" }, { sent: ["em"], dropped: {} });
 * // [{ field: "event_source_url", message: "No page URL (context.page_url): …" },
 * //  { field: "client_user_agent", message: "No user agent (context.user_agent): …" }]
 * ```
 */
export function matchWarnings(source: EventSource, match: MatchReport): MatchWarning[] {
  const warnings: MatchWarning[] = [];
  if (source.ok && source.from === "store.domain") {
    warnings.push({
      field: "event_source_url",
      message:
        "No page URL (context.page_url): the store's address from store.domain is sent; map the page URL in Studio so Meta sees the quiz page",
    });
  }
  if (!match.sent.includes("client_user_agent")) {
    warnings.push({
      field: "client_user_agent",
      message:
        "No user agent (context.user_agent): Meta lists it for website events and matches less without it; map the browser's user agent in Studio",
    });
  }
  return warnings;
}
