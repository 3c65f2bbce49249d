/**
 * Maps a validated Studio webhook to one Conversions API server event. Pure: the clock comes in
 * as `now`. Personal data leaves here only hashed, inside `user_data`.
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
import { eventId } from "./eventId";
import { type BuiltUserData, buildUserData } from "./userData";
import type { StudioWebhook } from "./webhook";

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
  const { context } = webhook;
  const eventSourceUrl = scrubUrl(context.page_url) ?? storeUrl(webhook.store.domain);
  const referrerUrl = scrubUrl(context.referrer_url);
  const customData = buildCustomData(webhook, options);
  return {
    event_name: eventName,
    // Meta wants the moment the shopper acted, in seconds, and never a time after now.
    event_time: Math.floor(eventTimeMs(webhook, now) / 1000),
    event_id: eventId(webhook),
    action_source: "website",
    ...(eventSourceUrl ? { event_source_url: eventSourceUrl } : {}),
    ...(referrerUrl ? { referrer_url: referrerUrl } : {}),
    user_data: userData,
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
    if (!id) continue;
    const quantity = isAmount(item.quantity) ? Math.max(1, Math.round(item.quantity)) : 1;
    const price = isAmount(item.price) ? item.price : undefined;
    contents.push({ id, quantity, ...(price !== undefined ? { item_price: price } : {}) });
  }
  const currency = webhook.store.currency?.trim().toUpperCase();
  const validCurrency = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  const value = validCurrency ? eventValue(contents, config) : undefined;
  const quizName = webhook.quiz.name?.trim();

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
  const personalPath = safeDecode(url.pathname).includes("@");
  const personal = [...url.searchParams].filter(([key, value]) => PERSONAL_PARAM.test(key) || value.includes("@"));
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

/** The store's own address from `store.domain`, the event source of an event without a page URL. */
export function storeUrl(domain: string | undefined): string | undefined {
  const host = domain
    ?.trim()
    .replace(/^https?:\/\//, "")
    .replace(/\/.*$/, "");
  return host && /^[a-z0-9.-]+(:\d+)?$/i.test(host) ? `https://${host}/` : undefined;
}
