/**
 * The Studio webhook: its schema, the field mapping that lets other payload shapes in, and the
 * timestamp rule; beside each schema, its fast reader (./fastReader: the common shape by hand,
 * zod for the rest). Pure: no I/O, no clock.
 *
 * @example
 * ```ts
 * const result = parseWebhook(JSON.parse(body), {});
 * if (result.ok) console.log(result.webhook.session.attempt); // 1 when Studio sent none
 * else console.log(result.issues); // [{ path: "shopper.email", message: "Required" }]
 * ```
 */
import * as z from "zod/mini";
import { en } from "zod/v4/locales";
import { type Field, looseObject, type Read, readObject, unread, UNREAD } from "./fastReader";

// zod/mini ships no messages; load English as zod classic does, so issues read the same.
z.config(en());

/** A path into the payload: dot-separated keys, array indexes as numbers (`items.0.id`). */
export type FieldPath = string;

/**
 * Canonical field path → where that field is in the merchant's payload. Paths under an array
 * use `[]`: `"recommendations": "cart.items"` moves the array, then
 * `"recommendations[].product_id": "productId"` reads each item's field relative to the item.
 * Fields the map does not name are read from their canonical place.
 */
export type FieldMap = Record<FieldPath, FieldPath>;

/** One problem with the payload, named by canonical path; never carries the value itself. */
export interface Issue {
  path: string;
  message: string;
}

/** Epoch values below this are seconds, at or above it milliseconds (year 5138 vs 1973). */
const EPOCH_MS_THRESHOLD = 1e11;

/**
 * Reads a Studio timestamp as Unix milliseconds: ISO 8601 text, epoch seconds or epoch
 * milliseconds (numbers or digit strings). Returns undefined when it is none of those.
 *
 * @example
 * ```ts
 * parseTimestamp("2026-11-25T18:42:07.123Z"); // 1795632127123
 * parseTimestamp(1795632127);                  // 1795632127000
 * parseTimestamp("1795632127123");             // 1795632127123
 * ```
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number") return epochToMs(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochToMs(Number(text));
  // Date.parse also takes loose forms ("Nov 25 2026"); insist on an ISO 8601 date first.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) {
    return undefined;
  }
  const ms = Date.parse(text.replace(" ", "T"));
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls impossible days over (February 30th becomes March 2nd); refuse them.
  // The pattern above fixed where the date's digits are.
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  return ms;
}

/** The largest time a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;

function epochToMs(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  const ms = Math.round(value < EPOCH_MS_THRESHOLD ? value * 1000 : value);
  return ms <= MAX_DATE_MS ? ms : undefined;
}

/** Text, or a number sent where text was meant (ids, zip codes, phone numbers). */
const text = z.union([z.string(), z.pipe(z.number(), z.transform(String))]);
const optionalText = z.pipe(
  z.nullable(z.optional(text)),
  z.transform((v: string | null | undefined) => (v === "" || v == null ? undefined : v)),
);

/**
 * The longest value each field may have. Ids and URLs travel in the queue message (the Studio
 * `id` up to three times), and a queue message holds at most 128 KB: bounding every field that
 * travels keeps any webhook under 64 KiB within it, and a value beyond these is a broken mapping,
 * not a shopper's data. Over the bound is a 422 naming the field.
 */
export const FIELD_LIMITS = Object.freeze({
  id: 256,
  type: 64,
  name: 512,
  domain: 255,
  url: 8192,
  userAgent: 4096,
  browserValue: 1024,
  shopperValue: 1024,
});

/**
 * `schema`, with a fast path for the inputs nearly every field holds: `read` answers those exactly
 * as `schema` would, and leaves anything else ({@link UNREAD}: every refusal among them) to
 * `schema` itself, so each issue is still zod's own, word for word. Without `eval` (Workers
 * refuse it) zod runs every layer of a schema by hand: a union, pipes, a transform and a check
 * for each text field. Over the dozens of such fields of a webhook or a body of browser events,
 * that was about a third of their validation's time.
 *
 * @example
 * ```ts
 * const name = withFastPath(nameSchema, (value) => (typeof value === "string" && value.length <= 512 ? value : UNREAD));
 * ```
 */
function withFastPath<S extends z.ZodMiniType>(schema: S, read: (value: unknown) => z.output<S> | typeof UNREAD) {
  return z.pipe(
    z.unknown(),
    z.transform((value: unknown, ctx): z.output<S> => {
      const fast = read(value);
      if (fast !== UNREAD) return fast;
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      // What the relay reads of an issue, its path and message, as the schema wrote them.
      for (const { path, message } of result.error.issues)
        ctx.issues.push({ code: "custom", path, message, input: value });
      return z.NEVER;
    }),
  );
}

/** Optional text of at most `max` characters. */
export function bounded(max: number) {
  const schema = z.pipe(
    optionalText,
    z.optional(z.string().check(z.maxLength(max, `Too long: at most ${max} characters`))),
  );
  // Absent stays absent (`optional`, as `schema` is).
  return z.optional(withFastPath(schema, (value) => readBounded(value, max)));
}

/**
 * The fast path of {@link bounded}: `null` and `""` are undefined, text within the bound is kept
 * as it came; anything else is {@link UNREAD}, left to the schema.
 */
function readBounded(value: unknown, max: number): string | undefined | typeof UNREAD {
  if (value === null || value === "") return undefined;
  return typeof value === "string" && value.length <= max ? value : UNREAD;
}

/** {@link bounded}'s reader for a fast reader (`Infinity`: `optionalText`): a finite number reads as its text. */
export function readText(max: number): Read {
  return (value) => {
    if (typeof value !== "number") return readBounded(value, max);
    const digits = String(value);
    return Number.isFinite(value) && digits.length <= max ? digits : UNREAD;
  };
}

/** At most this many recommendations are read; the rest are ignored (Meta's contents need no more). */
export const MAX_RECOMMENDATIONS = 100;

/** The text form of a number that {@link numeric} reads, once trimmed ("34.00", "-2"). */
export const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

/** A number, or its text form ("34.00"). */
export const numeric = z.union([
  z.number(),
  z.pipe(z.string().check(z.trim(), z.regex(NUMERIC_TEXT)), z.transform(Number)),
]);

/** {@link numeric}'s reader. */
function readNumeric(value: unknown): number | typeof UNREAD {
  if (typeof value === "number") return Number.isFinite(value) ? value : UNREAD;
  if (typeof value !== "string") return UNREAD;
  const trimmed = value.trim();
  return NUMERIC_TEXT.test(trimmed) ? Number(trimmed) : UNREAD;
}

/** `z.nullable(z.optional(numeric))`: null stays null. */
const readNullableNumeric: Read = (value) => (value === null || value === undefined ? value : readNumeric(value));

/** A session's `attempt` (`z.nullable(z.optional(z.pipe(numeric, z.number().check(z.int(), z.gte(1)))))`): a whole number from 1. */
export const readAttempt: Read = (value) => {
  if (value === null || value === undefined) return value;
  const number = readNumeric(value);
  return typeof number === "number" && Number.isSafeInteger(number) && number >= 1 ? number : UNREAD;
};

const FLAG_WORDS = ["true", "false", "yes", "no", "1", "0", "granted", "denied"] as const;
/** The words of {@link FLAG_WORDS} that read as `true`. */
const FLAG_TRUE_WORDS: readonly string[] = ["true", "yes", "1", "granted"];

/** `true`/`false`, or their common text forms from form builders. */
export const flag = z.union([
  z.boolean(),
  z.pipe(
    z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.enum(FLAG_WORDS)),
    z.transform((v: (typeof FLAG_WORDS)[number]) => FLAG_TRUE_WORDS.includes(v)),
  ),
]);

/** `z.nullable(z.optional(flag))`'s reader: null stays null, a flag's word reads as its boolean. */
const readNullableFlag: Read = (value) => {
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value !== "string") return UNREAD;
  const word = value.trim().toLowerCase();
  return (FLAG_WORDS as readonly string[]).includes(word) ? FLAG_TRUE_WORDS.includes(word) : UNREAD;
};

/** A Consent Mode signal's word (trimmed, lowercased): `granted` or `denied`, else no signal. */
export function consentWord(word: string | null | undefined): "granted" | "denied" | undefined {
  return word === "granted" || word === "denied" ? word : undefined;
}

/** Google Consent Mode style signal. */
export const consentSignal = z.pipe(
  z.nullable(z.optional(z.string().check(z.trim(), z.toLowerCase()))),
  z.transform(consentWord),
);

/** {@link consentSignal}'s reader. */
export const readConsentSignal: Read = (value) => {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? consentWord(value.trim().toLowerCase()) : UNREAD;
};

export const recommendation = z.looseObject({
  product_id: bounded(FIELD_LIMITS.id),
  variant_id: bounded(FIELD_LIMITS.id),
  sku: bounded(FIELD_LIMITS.id),
  title: optionalText,
  price: z.nullable(z.optional(numeric)),
  quantity: z.nullable(z.optional(numeric)),
});

/** {@link recommendation}'s reader. */
export const readRecommendation = looseObject([
  { key: "product_id", read: readText(FIELD_LIMITS.id) },
  { key: "variant_id", read: readText(FIELD_LIMITS.id) },
  { key: "sku", read: readText(FIELD_LIMITS.id) },
  { key: "title", read: readText(Infinity) },
  { key: "price", read: readNullableNumeric },
  { key: "quantity", read: readNullableNumeric },
]);

/** The reader of `recommendations` (absent or null: none): every item read, as zod does; the first MAX_RECOMMENDATIONS kept. */
export const readRecommendations: Read = (value) => {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) return UNREAD;
  const read: unknown[] = [];
  for (let index = 0; index < value.length; index++) {
    const recommendationRead = readRecommendation(value[index]);
    if (recommendationRead === UNREAD) return UNREAD;
    if (read.length < MAX_RECOMMENDATIONS) read.push(recommendationRead);
  }
  return read;
};

/** An object that may be absent or null, read as an empty object then. */
function optionalObject<T extends z.ZodMiniType<Record<string, unknown>>>(schema: T) {
  return z.pipe(
    z.nullable(z.optional(schema)),
    z.transform((value: z.output<T> | null | undefined) => value ?? ({} as z.output<T>)),
  );
}

export const timestamp = z.pipe(
  z.unknown(),
  z.transform((value: unknown, ctx) => {
    const ms = parseTimestamp(value);
    if (ms === undefined) {
      ctx.issues.push({
        code: "custom",
        message: "Expected an ISO 8601 timestamp, epoch seconds or epoch milliseconds",
        input: value,
      });
      return z.NEVER;
    }
    return ms;
  }),
);

/** A webhook's `type` when it names none. */
const DEFAULT_TYPE = "email:submit";
/** A session's `attempt` when it names none: the first. */
const DEFAULT_ATTEMPT = 1;

/** The canonical Studio webhook (fixtures/canonical.json; docs/api.md "The webhook"); extra fields ignored. */
export const studioWebhookSchema = z.looseObject({
  type: z.pipe(
    bounded(FIELD_LIMITS.type),
    z.transform((v: string | undefined) => v ?? DEFAULT_TYPE),
  ),
  id: z.pipe(
    text,
    z
      .string()
      .check(
        z.trim(),
        z.minLength(1, "Required"),
        z.maxLength(FIELD_LIMITS.id, `Too long: at most ${FIELD_LIMITS.id} characters`),
      ),
  ),
  occurred_at: timestamp,
  store: optionalObject(z.looseObject({ domain: bounded(FIELD_LIMITS.domain), currency: bounded(FIELD_LIMITS.type) })),
  quiz: optionalObject(z.looseObject({ id: bounded(FIELD_LIMITS.id), name: bounded(FIELD_LIMITS.name) })),
  session: z.pipe(
    z.nullable(
      z.optional(
        z.looseObject({
          id: bounded(FIELD_LIMITS.id),
          attempt: z.nullable(z.optional(z.pipe(numeric, z.number().check(z.int(), z.gte(1))))),
        }),
      ),
    ),
    z.transform((v: { id: string | undefined; attempt?: number | null | undefined } | null | undefined) => ({
      id: v?.id,
      attempt: v?.attempt ?? DEFAULT_ATTEMPT,
    })),
  ),
  shopper: z.looseObject({
    email: z.pipe(
      text,
      z
        .string()
        .check(z.maxLength(FIELD_LIMITS.shopperValue, `Too long: at most ${FIELD_LIMITS.shopperValue} characters`)),
    ),
    phone: bounded(FIELD_LIMITS.shopperValue),
    first_name: bounded(FIELD_LIMITS.shopperValue),
    last_name: bounded(FIELD_LIMITS.shopperValue),
    city: bounded(FIELD_LIMITS.shopperValue),
    state: bounded(FIELD_LIMITS.shopperValue),
    zip: bounded(FIELD_LIMITS.shopperValue),
    country: bounded(FIELD_LIMITS.shopperValue),
    date_of_birth: bounded(FIELD_LIMITS.shopperValue),
    gender: bounded(FIELD_LIMITS.shopperValue),
    customer_id: bounded(FIELD_LIMITS.shopperValue),
    marketing_consent: z.nullable(z.optional(flag)),
  }),
  context: optionalObject(
    z.looseObject({
      page_url: bounded(FIELD_LIMITS.url),
      referrer_url: bounded(FIELD_LIMITS.url),
      user_agent: bounded(FIELD_LIMITS.userAgent),
      ip: bounded(FIELD_LIMITS.browserValue),
      /** A separate IPv6 address, when Studio gives one beside `ip`; preferred for `client_ip_address`. */
      ipv6: bounded(FIELD_LIMITS.browserValue),
      fbp: bounded(FIELD_LIMITS.browserValue),
      fbc: bounded(FIELD_LIMITS.browserValue),
      consent: z.nullable(z.optional(z.looseObject({ ad_storage: consentSignal, ad_user_data: consentSignal }))),
    }),
  ),
  recommendations: z.pipe(
    z.nullable(z.optional(z.array(recommendation))),
    z.transform((v: z.output<typeof recommendation>[] | null | undefined) => (v ?? []).slice(0, MAX_RECOMMENDATIONS)),
  ),
});

/** A validated webhook, with defaults filled in and `occurred_at` in Unix milliseconds. */
export type StudioWebhook = z.output<typeof studioWebhookSchema>;

/**
 * The webhook as {@link studioWebhookSchema} reads it, when it has the common shape; else
 * {@link UNREAD} (every webhook the schema refuses among them), for the schema to read. Why: zod
 * walking the schema by hand in workerd (no `eval`) was ~12 % of the webhook route's CPU. Here,
 * beside the schema, not in a module of its own: {@link parseWebhook} reads with it, and it reads
 * with this module's limits and field readers (a module of its own would be an import circle).
 * webhookReader.test.ts holds the two readers in step over a corpus of mutated webhooks.
 */
export function readStudioWebhook(payload: unknown): StudioWebhook | typeof UNREAD {
  return readWebhookObject(payload) as StudioWebhook | typeof UNREAD;
}

/** `optionalObject(…)` above: absent or null reads as `{}`. */
function readOptionalObject(read: Read): Read {
  return (value) => (value === null || value === undefined ? {} : read(value));
}

/** `text` above, for a required field: text, or a finite number as its text. */
function readRequiredText(value: unknown): string | typeof UNREAD {
  if (typeof value === "string") return value;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : UNREAD;
}

/** The webhook's `id`: trimmed, 1 to FIELD_LIMITS.id characters. */
const readId: Read = (value) => {
  const given = readRequiredText(value);
  if (given === UNREAD) return UNREAD;
  const id = given.trim();
  return id.length >= 1 && id.length <= FIELD_LIMITS.id ? id : UNREAD;
};

/** `shopper.email`: required text (blank too) of at most FIELD_LIMITS.shopperValue. */
const readEmail: Read = (value) => {
  const email = readRequiredText(value);
  return email !== UNREAD && email.length <= FIELD_LIMITS.shopperValue ? email : UNREAD;
};

const readType = readText(FIELD_LIMITS.type);

const SESSION_FIELDS: readonly Field[] = [
  { key: "id", read: readText(FIELD_LIMITS.id) },
  { key: "attempt", read: readAttempt },
];

/** `session`: always `{ id, attempt }` (other keys dropped), attempt {@link DEFAULT_ATTEMPT} when none. */
const readSession: Read = (value) => {
  if (value === null || value === undefined) return { id: undefined, attempt: DEFAULT_ATTEMPT };
  const read = readObject(value, SESSION_FIELDS);
  if (read === UNREAD) return UNREAD;
  return { id: read.id, attempt: read.attempt ?? DEFAULT_ATTEMPT };
};

const shopperValue = readText(FIELD_LIMITS.shopperValue);

const readConsent = looseObject([
  { key: "ad_storage", read: readConsentSignal },
  { key: "ad_user_data", read: readConsentSignal },
]);

const readWebhookObject = looseObject([
  {
    key: "type",
    read: (value) => {
      const type = readType(value);
      return type === undefined ? DEFAULT_TYPE : type;
    },
    absent: () => DEFAULT_TYPE,
  },
  { key: "id", read: readId, absent: unread },
  { key: "occurred_at", read: (value) => parseTimestamp(value) ?? UNREAD, absent: unread },
  {
    key: "store",
    read: readOptionalObject(
      looseObject([
        { key: "domain", read: readText(FIELD_LIMITS.domain) },
        { key: "currency", read: readText(FIELD_LIMITS.type) },
      ]),
    ),
    absent: () => ({}),
  },
  {
    key: "quiz",
    read: readOptionalObject(
      looseObject([
        { key: "id", read: readText(FIELD_LIMITS.id) },
        { key: "name", read: readText(FIELD_LIMITS.name) },
      ]),
    ),
    absent: () => ({}),
  },
  { key: "session", read: readSession, absent: () => ({ id: undefined, attempt: DEFAULT_ATTEMPT }) },
  {
    key: "shopper",
    read: looseObject([
      { key: "email", read: readEmail, absent: unread },
      { key: "phone", read: shopperValue },
      { key: "first_name", read: shopperValue },
      { key: "last_name", read: shopperValue },
      { key: "city", read: shopperValue },
      { key: "state", read: shopperValue },
      { key: "zip", read: shopperValue },
      { key: "country", read: shopperValue },
      { key: "date_of_birth", read: shopperValue },
      { key: "gender", read: shopperValue },
      { key: "customer_id", read: shopperValue },
      { key: "marketing_consent", read: readNullableFlag },
    ]),
    absent: unread,
  },
  {
    key: "context",
    read: readOptionalObject(
      looseObject([
        { key: "page_url", read: readText(FIELD_LIMITS.url) },
        { key: "referrer_url", read: readText(FIELD_LIMITS.url) },
        { key: "user_agent", read: readText(FIELD_LIMITS.userAgent) },
        { key: "ip", read: readText(FIELD_LIMITS.browserValue) },
        { key: "ipv6", read: readText(FIELD_LIMITS.browserValue) },
        { key: "fbp", read: readText(FIELD_LIMITS.browserValue) },
        { key: "fbc", read: readText(FIELD_LIMITS.browserValue) },
        // `z.nullable(z.optional(…))`: null stays null.
        { key: "consent", read: (value) => (value === null || value === undefined ? value : readConsent(value)) },
      ]),
    ),
    absent: () => ({}),
  },
  { key: "recommendations", read: readRecommendations, absent: () => [] },
]);

/**
 * Rewrites a merchant's payload into the canonical shape by `fieldMap`. Unmapped fields stay
 * where they are, so a map names only what differs.
 *
 * @example
 * ```ts
 * applyFieldMap({ lead: { mail: "a@b.co" } }, { "shopper.email": "lead.mail" });
 * // { lead: {…}, shopper: { email: "a@b.co" } }
 * ```
 */
export function applyFieldMap(payload: unknown, fieldMap: FieldMap): unknown {
  const entries = Object.entries(fieldMap);
  if (entries.length === 0 || !isRecord(payload)) return payload;
  const source = payload;
  // Copy on write: only the objects along mapped paths are copied, never the whole payload
  // (a deep clone of a deeply nested body would overflow the stack).
  const result = { ...payload };
  // Whole values first (arrays included), then the fields inside each array item.
  const [itemEntries, valueEntries] = partition(entries, ([to]) => to.includes("[]."));
  for (const [to, from] of valueEntries) setPath(result, to, getPath(source, from));
  const copiedArrays = new Set<string>();
  for (const [to, from] of itemEntries) {
    const [arrayPath, fieldPath] = to.split("[].", 2) as [string, string];
    let items = getPath(result, arrayPath);
    if (!Array.isArray(items)) continue;
    if (!copiedArrays.has(arrayPath)) {
      items = items.map((item: unknown) => (isRecord(item) ? { ...item } : item));
      setPath(result, arrayPath, items);
      copiedArrays.add(arrayPath);
    }
    for (const item of items as unknown[]) if (isRecord(item)) setPath(item, fieldPath, getPath(item, from));
  }
  return result;
}

/**
 * Validates a parsed JSON body (after the field map) against the canonical schema.
 *
 * @example
 * ```ts
 * parseWebhook({ id: "e1", occurred_at: 1795632127, shopper: { email: "a@b.co" } }, {});
 * // { ok: true, webhook: { type: "email:submit", session: { attempt: 1 }, … } }
 * ```
 */
export function parseWebhook(
  payload: unknown,
  fieldMap: FieldMap,
): { ok: true; webhook: StudioWebhook } | { ok: false; issues: Issue[] } {
  const mapped = applyFieldMap(payload, fieldMap);
  // The common shape by hand; anything else (every refusal among it) is zod's, issue for issue.
  const read = readStudioWebhook(mapped);
  if (read !== UNREAD) return { ok: true, webhook: read };
  const result = studioWebhookSchema.safeParse(mapped);
  if (result.success) return { ok: true, webhook: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".");
      // zod's own wording for an absent field varies with the schema ("Invalid input" for a union).
      return { path, message: getPath(mapped, path) === undefined ? "Required" : issue.message };
    }),
  };
}

/**
 * Checks a FIELD_MAP value: an object of non-empty path strings.
 *
 * @example
 * ```ts
 * parseFieldMap('{"shopper.email":"lead.mail"}'); // { "shopper.email": "lead.mail" }
 * ```
 */
export function parseFieldMap(raw: unknown): FieldMap {
  if (raw == null || raw === "") return {};
  const value: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  if (!isRecord(value)) throw new TypeError("FIELD_MAP must be a JSON object of path strings");
  for (const [to, from] of Object.entries(value)) {
    if (typeof from !== "string" || from === "" || to === "") {
      throw new TypeError(`FIELD_MAP entry "${to}" must map to a non-empty path string`);
    }
  }
  return value as FieldMap;
}

function getPath(value: unknown, path: FieldPath): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isRecord(current) && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}

function setPath(target: Record<string, unknown>, path: FieldPath, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() as string;
  let current = target;
  for (const key of keys) {
    if (isUnsafeKey(key)) return;
    const next = current[key];
    // A shallow copy, so the caller's payload is never written to.
    current = current[key] = isRecord(next) ? { ...next } : {};
  }
  if (!isUnsafeKey(last)) current[last] = value;
}

function isUnsafeKey(key: string): boolean {
  return key === "__proto__" || key === "constructor" || key === "prototype";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
