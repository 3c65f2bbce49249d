/**
 * The `/collect/cartful` body's shape: what the Pixel snippet may send and what each field reads
 * as (./browserEvents `parseBrowserBatch` validates with it). Strings are bounded as for webhooks
 * (./webhook `FIELD_LIMITS`); unknown fields are ignored and never copied, so `__proto__` or
 * `constructor` keys are inert.
 *
 * Two readers of one shape. {@link browserBatchSchema} (zod) is the source of truth: every rule
 * and every issue is its own. {@link readBrowserBatch} reads by hand the shape nearly every body
 * has (plain objects, fields of the expected types, text within its bounds) and answers exactly
 * what the schema makes of it, else {@link UNREAD} so that the schema reads the body. Why: in
 * workerd zod may not `eval`, so it walks every layer of the schema by hand (an object per event
 * and per product, pipes, unions, transforms): ~10 % of the browser route's CPU. Where the reader
 * restates a rule, browserBatch.test.ts holds the two in step over a corpus of mutated bodies.
 * The object walk is ./fastReader's; each field's reader sits beside its schema in ./webhook.
 *
 * @example
 * ```ts
 * const read = readBrowserBatch(body);
 * const batch = read !== UNREAD ? read : browserBatchSchema.parse(body);
 * ```
 */
import * as z from "zod/mini";
import type { ConsentSignal } from "./consent";
import { type Field, type Read, readObject, unread, UNREAD } from "./fastReader";
import {
  bounded,
  consentSignal,
  FIELD_LIMITS,
  flag,
  MAX_RECOMMENDATIONS,
  numeric,
  parseTimestamp,
  readAttempt,
  readConsentSignal,
  readRecommendation,
  readRecommendations,
  readText,
  recommendation,
  timestamp,
} from "./webhook";

/** Consent Mode signals, `{}` when absent. */
interface ConsentSignals {
  ad_storage: ConsentSignal;
  ad_user_data: ConsentSignal;
}

/** What absent or null consent reads as: no signal either way. */
function noConsentSignals(): ConsentSignals {
  return { ad_storage: undefined, ad_user_data: undefined };
}

const consent = z.pipe(
  z.nullable(z.optional(z.object({ ad_storage: consentSignal, ad_user_data: consentSignal }))),
  z.transform((value: ConsentSignals | null | undefined): ConsentSignals => value ?? noConsentSignals()),
);

/** An object that may be absent or null, read as undefined then. */
function optional<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(
    z.nullable(z.optional(schema)),
    z.transform((value: z.output<T> | null | undefined) => value ?? undefined),
  );
}

/** A `user_data` value: kept as it came (any JSON); only hashed strings survive planning. */
const userDataValue = z.optional(z.unknown());

/**
 * A Studio type's shape (`product:addToCart`, `quiz:complete`): letters, digits and `:_.-`. The
 * type is named in answers and counts, so anything else (an email address a broken mapping put
 * there, say) is refused rather than carried along.
 */
const STUDIO_TYPE = /^[A-Za-z0-9_.:-]+$/;

const browserEventSchema = z.object({
  // Text only: a number is no Studio type (a webhook's fields may be numbers written as text; a
  // browser event's type comes from the snippet, always text).
  type: z
    .string()
    .check(
      z.minLength(1, "Required"),
      z.maxLength(FIELD_LIMITS.type, `Too long: at most ${FIELD_LIMITS.type} characters`),
      z.regex(STUDIO_TYPE, "Not a Studio event type"),
    ),
  id: bounded(FIELD_LIMITS.id),
  /** Absent: the request's moment. */
  occurred_at: z.optional(timestamp),
  /**
   * Checked per event by planning (`cartful.`, at most 256 characters): an event with another is
   * refused, not the whole body. Not bounded here for that reason; the body's 16 KiB bound it.
   */
  event_id: z.pipe(
    z.optional(z.unknown()),
    z.transform((value: unknown) => (typeof value === "string" ? value : undefined)),
  ),
  quiz: optional(z.object({ id: bounded(FIELD_LIMITS.id), name: bounded(FIELD_LIMITS.name) })),
  session: optional(
    z.object({
      id: bounded(FIELD_LIMITS.id),
      attempt: z.nullable(z.optional(z.pipe(numeric, z.number().check(z.int(), z.gte(1))))),
    }),
  ),
  product: optional(recommendation),
  step: optional(z.object({ id: bounded(FIELD_LIMITS.id) })),
  recommendations: z.pipe(
    z.nullable(z.optional(z.array(recommendation))),
    z.transform((value: z.output<typeof recommendation>[] | null | undefined) =>
      (value ?? []).slice(0, MAX_RECOMMENDATIONS),
    ),
  ),
  store: optional(z.object({ currency: bounded(FIELD_LIMITS.type), domain: bounded(FIELD_LIMITS.domain) })),
  user_data: optional(z.object({ em: userDataValue, ph: userDataValue, external_id: userDataValue })),
  consent: z.optional(consent),
  /** Studio's `shopper.marketing_consent`, the one shopper field the snippet passes on (a flag). */
  marketing_consent: z.nullable(z.optional(flag)),
});

/** The body: zod is the source of truth of what it may hold and what each field reads as. */
export const browserBatchSchema = z.object({
  events: z.array(browserEventSchema).check(z.minLength(1, "At least one event")),
  page_url: bounded(FIELD_LIMITS.url),
  referrer: bounded(FIELD_LIMITS.url),
  fbp: bounded(FIELD_LIMITS.browserValue),
  fbc: bounded(FIELD_LIMITS.browserValue),
  consent,
});

/** A validated `/collect/cartful` body. */
export type BrowserBatch = z.output<typeof browserBatchSchema>;
/** One validated event of a batch. */
export type BrowserEvent = BrowserBatch["events"][number];

/**
 * The body as {@link browserBatchSchema} reads it, when it has the common shape; else
 * {@link UNREAD} (every body the schema refuses among them), for the schema to read.
 */
export function readBrowserBatch(body: unknown): BrowserBatch | typeof UNREAD {
  return readObject(body, BATCH_FIELDS) as BrowserBatch | typeof UNREAD;
}

/** `optional(…)` above: null reads as undefined. */
function optionalObject(fields: readonly Field[]): Read {
  return (value) => (value === null || value === undefined ? undefined : readObject(value, fields));
}

/** `z.nullable(z.optional(flag))`, for its booleans only (text such as "yes" is the schema's). */
const booleanFlag: Read = (value) =>
  value === null || value === undefined || typeof value === "boolean" ? value : UNREAD;

const CONSENT_FIELDS: readonly Field[] = [
  { key: "ad_storage", read: readConsentSignal },
  { key: "ad_user_data", read: readConsentSignal },
];

/** `consent` above. */
const readConsent: Read = (value) =>
  value === null || value === undefined ? noConsentSignals() : readObject(value, CONSENT_FIELDS);

const keptAsItCame: Read = (value) => value;

const EVENT_FIELDS: readonly Field[] = [
  {
    key: "type",
    read: (value) =>
      typeof value === "string" && value.length <= FIELD_LIMITS.type && STUDIO_TYPE.test(value) ? value : UNREAD,
    absent: unread,
  },
  { key: "id", read: readText(FIELD_LIMITS.id) },
  { key: "occurred_at", read: (value) => parseTimestamp(value) ?? UNREAD },
  { key: "event_id", read: (value) => (typeof value === "string" ? value : undefined) },
  {
    key: "quiz",
    read: optionalObject([
      { key: "id", read: readText(FIELD_LIMITS.id) },
      { key: "name", read: readText(FIELD_LIMITS.name) },
    ]),
  },
  {
    key: "session",
    read: optionalObject([
      { key: "id", read: readText(FIELD_LIMITS.id) },
      { key: "attempt", read: readAttempt },
    ]),
  },
  {
    key: "product",
    read: (value) => (value === null || value === undefined ? undefined : readRecommendation(value)),
  },
  { key: "step", read: optionalObject([{ key: "id", read: readText(FIELD_LIMITS.id) }]) },
  { key: "recommendations", read: readRecommendations, absent: () => [] },
  {
    key: "store",
    read: optionalObject([
      { key: "currency", read: readText(FIELD_LIMITS.type) },
      { key: "domain", read: readText(FIELD_LIMITS.domain) },
    ]),
  },
  {
    key: "user_data",
    read: optionalObject([
      { key: "em", read: keptAsItCame },
      { key: "ph", read: keptAsItCame },
      { key: "external_id", read: keptAsItCame },
    ]),
  },
  // `z.optional(consent)`: undefined stays undefined, null reads as no signals.
  { key: "consent", read: (value) => (value === undefined ? undefined : readConsent(value)) },
  { key: "marketing_consent", read: booleanFlag },
];

/** `events`: at least one, each read. */
const events: Read = (value) => {
  if (!Array.isArray(value) || value.length === 0) return UNREAD;
  const read: unknown[] = [];
  for (let index = 0; index < value.length; index++) {
    const eventRead = readObject(value[index], EVENT_FIELDS);
    if (eventRead === UNREAD) return UNREAD;
    read.push(eventRead);
  }
  return read;
};

const BATCH_FIELDS: readonly Field[] = [
  { key: "events", read: events, absent: unread },
  { key: "page_url", read: readText(FIELD_LIMITS.url) },
  { key: "referrer", read: readText(FIELD_LIMITS.url) },
  { key: "fbp", read: readText(FIELD_LIMITS.browserValue) },
  { key: "fbc", read: readText(FIELD_LIMITS.browserValue) },
  { key: "consent", read: readConsent, absent: noConsentSignals },
];
