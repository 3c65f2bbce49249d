/**
 * The `/collect/cartful` body's shape: what the Pixel snippet may send and what each field reads
 * as (./browserEvents `parseBrowserBatch` validates with it). Strings are bounded as for webhooks
 * (./webhook `FIELD_LIMITS`); unknown fields are ignored and never copied, so `__proto__` or
 * `constructor` keys are inert.
 */
import * as z from "zod/mini";
import type { ConsentSignal } from "./consent";
import {
  bounded,
  consentSignal,
  FIELD_LIMITS,
  flag,
  MAX_RECOMMENDATIONS,
  numeric,
  recommendation,
  timestamp,
} from "./webhook";

/** Consent Mode signals, `{}` when absent. */
interface ConsentSignals {
  ad_storage: ConsentSignal;
  ad_user_data: ConsentSignal;
}

const consent = z.pipe(
  z.nullable(z.optional(z.object({ ad_storage: consentSignal, ad_user_data: consentSignal }))),
  z.transform(
    (value: ConsentSignals | null | undefined): ConsentSignals =>
      value ?? { ad_storage: undefined, ad_user_data: undefined },
  ),
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
  type: z.pipe(
    bounded(FIELD_LIMITS.type),
    z.string().check(z.minLength(1, "Required"), z.regex(STUDIO_TYPE, "Not a Studio event type")),
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
