/**
 * The deterministic `event_id` that Meta deduplicates Pixel and server events on, and the rule
 * that keeps personal data out of it.
 *
 * The lead (the webhook's `email:submit`): `cartful.{session.id}.{session.attempt}`, with
 * `attempt` 1 when Studio sent none. A redelivery of the same Studio event carries the same
 * session and attempt, so it gets the same id; a retake raises `attempt` and another session has
 * another id, so both get new ids. When STUDIO_EVENT_TYPES relays other Studio types through the
 * webhook, their ids end in `.{type}`, so two types in one attempt never share an id (Meta would
 * drop the second as a duplicate). A payload without a session id falls back to `cartful.{id}`,
 * Studio's own event id, still stable across redeliveries.
 *
 * Browser events (`POST /collect/cartful`): a quiz fires several product views and step events
 * per attempt, so the id names what distinguishes them:
 * `cartful.{session.id}.{attempt}.{type}.{subject}`, where `subject` is the event's product
 * (`product.product_id`, else `variant_id`, else `sku`), else its step (`step.id`), else nothing
 * (`cartful.{session.id}.{attempt}.{type}`: `quiz:complete`, `recommendations:loaded`, … once an
 * attempt). Without a session id: `cartful.{id}`. The same product viewed twice in one attempt is
 * one event for Meta (it keeps the first), as is a step entered twice.
 *
 * Ids the sender controls (`session.id`, Studio's `id`, product and step ids) go into the
 * `event_id` that Meta receives in plain text, and into logs and the console. A Studio mapping
 * can put an email address there. So an id that {@link isPersonalId} recognises, or that is longer
 * than {@link MAX_ID_PART} characters, enters the `event_id` as `h` + the first 16 hex digits of
 * the SHA-256 of its trimmed UTF-8 text ({@link idPart}); every other id enters as it came
 * (trimmed). The rest of the relay asks {@link isPersonalId} before showing or logging an id.
 *
 * The Pixel snippet (src/pixel/studio-pixel.js) computes exactly these ids in the browser (the
 * hash with `crypto.subtle`), so the Pixel's and the server's copies share one `event_id`;
 * src/pixel/studio-pixel.test.ts runs both over the same inputs.
 *
 * @example
 * ```ts
 * eventId({ id: "evt_1", session: { id: "ses_5f1c9a7e2b", attempt: 2 } });
 * // "cartful.ses_5f1c9a7e2b.2"
 * browserEventId({ type: "product:addToCart", session: { id: "ses_5f1c9a7e2b", attempt: 2 }, product: { product_id: "8123456789" } });
 * // "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789"
 * eventId({ id: "evt_1", session: { id: "jane@example.com", attempt: 1 } });
 * // "cartful.h" + 16 hex digits
 * ```
 */
import { sha256Utf8Hex } from "./sha256";

export const EVENT_ID_PREFIX = "cartful";

/** The Studio type whose id carries no type suffix: the one the Pixel snippet reproduces. */
export const EMAIL_SUBMIT = "email:submit";

/** An id longer than this enters an `event_id` hashed, so the whole id stays short. */
export const MAX_ID_PART = 64;

/** The longest `event_id` the relay accepts from a browser (the contract's bound). */
export const MAX_EVENT_ID_LENGTH = 256;

export interface EventIdSource {
  /** Studio's trigger; `email:submit` when absent. */
  type?: string;
  /** Studio's id of this event. */
  id: string;
  session: { id?: string | undefined; attempt: number };
}

export function eventId(source: EventIdSource): string {
  const sessionId = source.session.id?.trim();
  if (sessionId) {
    const type = source.type ?? EMAIL_SUBMIT;
    const suffix = type === EMAIL_SUBMIT ? "" : `.${type}`;
    return `${EVENT_ID_PREFIX}.${idPart(sessionId)}.${source.session.attempt}${suffix}`;
  }
  return `${EVENT_ID_PREFIX}.${idPart(source.id)}`;
}

/** What a browser event's id is made of (the fields of a `/collect/cartful` event). */
export interface BrowserEventIdSource {
  type: string;
  /** Studio's id of this event; used only without a session id. */
  id?: string | undefined;
  session: { id?: string | undefined; attempt: number };
  product?: { product_id?: string | undefined; variant_id?: string | undefined; sku?: string | undefined };
  step?: { id?: string | undefined };
}

/**
 * The `event_id` of a browser event (see the module comment), or `undefined` when it has neither
 * a session id nor an id.
 *
 * @example
 * ```ts
 * browserEventId({ type: "step:enter", session: { id: "ses_a", attempt: 1 }, step: { id: "skin-type" } });
 * // "cartful.ses_a.1.step:enter.skin-type"
 * browserEventId({ type: "quiz:complete", session: { id: "ses_a", attempt: 1 } }); // "cartful.ses_a.1.quiz:complete"
 * ```
 */
export function browserEventId(source: BrowserEventIdSource): string | undefined {
  const sessionId = source.session.id?.trim();
  if (!sessionId) {
    const id = source.id?.trim();
    return id ? `${EVENT_ID_PREFIX}.${idPart(id)}` : undefined;
  }
  const subject = firstPresent(
    source.product?.product_id,
    source.product?.variant_id,
    source.product?.sku,
    source.step?.id,
  );
  const base = `${EVENT_ID_PREFIX}.${idPart(sessionId)}.${source.session.attempt}.${source.type}`;
  return subject === undefined ? base : `${base}.${idPart(subject)}`;
}

function firstPresent(...values: (string | undefined)[]): string | undefined {
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
  }
  return undefined;
}

/**
 * An email address anywhere in the text (also percent-encoded, `%40`): something, an `@`, a
 * domain with a dot. Real ids have no `@`.
 */
const EMAIL = /[^\s@]+(?:@|%40)[^\s@.]+\.[^\s@]*[a-z]/i;
/**
 * A phone number in international form: `+` and 8 to 15 digits, spaces, dots, dashes or
 * parentheses between them. Shopify's and Studio's numeric ids have no `+`, so they never match.
 */
const INTERNATIONAL_PHONE = /\+\d(?:[\s.()-]*\d){7,14}/;

/**
 * Whether an id carries personal data that can be recognised without false alarms on real ids:
 * an email address, or a phone number in international form. Such an id is never shown or
 * logged, and enters an `event_id` hashed ({@link idPart}). Plain digits (Shopify's ids) and
 * Studio's `ses_…` / `evt_…` ids are not personal.
 *
 * @example
 * ```ts
 * isPersonalId("jane.doe@example.com"); // true
 * isPersonalId("+44 20 7946 0958");      // true
 * isPersonalId("8123456789");            // false
 * ```
 */
export function isPersonalId(id: string): boolean {
  // Each shape needs a character real ids lack (`@` or `%40`, `+`): looked for first, since the
  // expressions, tried from every position of an id without it, cost more than the rest of a
  // browser event's id checks.
  const email = (id.includes("@") || id.includes("%40")) && EMAIL.test(id);
  return email || (id.includes("+") && INTERNATIONAL_PHONE.test(id));
}

/**
 * An id as it enters an `event_id`: trimmed, or, when {@link isPersonalId} recognises it or it is
 * longer than {@link MAX_ID_PART}, `h` + the first 16 hex digits of the SHA-256 of its trimmed
 * UTF-8 text.
 *
 * @example
 * ```ts
 * idPart(" ses_5f1c9a7e2b "); // "ses_5f1c9a7e2b"
 * idPart("jane@example.com"); // "h" + sha256Utf8Hex("jane@example.com").slice(0, 16)
 * ```
 */
export function idPart(id: string): string {
  const trimmed = id.trim();
  if (trimmed.length <= MAX_ID_PART && !isPersonalId(trimmed)) return trimmed;
  return `h${sha256Utf8Hex(trimmed).slice(0, 16)}`;
}

/**
 * An `event_id` a browser sent, as its answer may name it back: the id as it came when
 * {@link isPersonalId} recognises nothing in it, a refused one too (`fbq.1`, or one over 256
 * characters: the sender sees which of its events was refused; the body's 16 KiB bound it);
 * else `undefined`.
 *
 * @example
 * ```ts
 * answerableEventId("fbq.ses_a.1");                // "fbq.ses_a.1"
 * answerableEventId("cartful.jane@example.com.1"); // undefined
 * ```
 */
export function answerableEventId(id: string | undefined): string | undefined {
  return id !== undefined && !isPersonalId(id) ? id : undefined;
}

/**
 * Whether an `event_id` a browser sent is one the relay forwards: it starts with `cartful.`, is
 * at most {@link MAX_EVENT_ID_LENGTH} characters, and carries no recognisable personal data.
 *
 * @example
 * ```ts
 * eventIdProblem("cartful.ses_a.1.quiz:complete"); // undefined
 * eventIdProblem("fbq.123");                       // "invalid_event_id"
 * eventIdProblem("cartful.jane@example.com.1");    // "personal_event_id"
 * ```
 */
export function eventIdProblem(id: string): "invalid_event_id" | "personal_event_id" | undefined {
  if (!id.startsWith(`${EVENT_ID_PREFIX}.`) || id.length > MAX_EVENT_ID_LENGTH) return "invalid_event_id";
  return isPersonalId(id) ? "personal_event_id" : undefined;
}
