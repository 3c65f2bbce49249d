/**
 * The machinery of a fast reader: a hand reader of the common shape of a body that a zod schema
 * validates, answering exactly what the schema would answer, or {@link UNREAD} for anything else
 * (every input the schema refuses among them) so that the schema reads it and each issue stays
 * zod's own. Why: in workerd zod may not `eval`, so it walks every layer of a schema by hand
 * (an object per level, pipes, unions, transforms), a tenth of a route's CPU.
 *
 * This module knows no field: it walks objects as `z.object` and `z.looseObject` do, from tables
 * of {@link Field}s. The readers of each field sit beside their schemas (./webhook) and each
 * body's table beside its own (./browserBatch); a differential test holds each reader in step
 * with its schema.
 *
 * @example
 * ```ts
 * const read = readObject(body, [{ key: "id", read: (value) => (typeof value === "string" ? value : UNREAD) }]);
 * const parsed = read !== UNREAD ? read : schema.parse(body);
 * ```
 */

/** What a fast path answers for an input it leaves to the schema. */
export const UNREAD: unique symbol = Symbol("unread");

/** A field's reader: the value as its schema reads it, or {@link UNREAD} for the schema to read. */
export type Read = (value: unknown) => unknown;

/**
 * One field of a `z.object`, as zod writes it: a present key is written (undefined too), an
 * absent one is left out, unless `absent` says what the schema makes of its absence.
 */
export interface Field {
  key: string;
  read: Read;
  absent?: () => unknown;
}

/** A field's `absent` when the schema refuses its absence. */
export const unread = (): typeof UNREAD => UNREAD;

/** Objects as JSON.parse makes them; any other object (a Map, a class, no prototype) is the schema's. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A `z.object` (extra keys dropped). zod asks `key in input` for presence, so does this. */
export function readObject(value: unknown, fields: readonly Field[]): Record<string, unknown> | typeof UNREAD {
  if (!isPlainObject(value)) return UNREAD;
  const read: Record<string, unknown> = {};
  for (const { key, read: readField, absent } of fields) {
    const given = value[key];
    // A value means the key is there (as zod's `in` asks); only undefined needs the question.
    const present = given !== undefined || key in value;
    const fieldValue = present ? readField(given) : absent?.();
    if (fieldValue === UNREAD) return UNREAD;
    if (present || fieldValue !== undefined) read[key] = fieldValue;
  }
  return read;
}

/**
 * A `z.looseObject` of `fields`: {@link readObject}, then every other key kept as it came, after
 * them and in the input's order, as zod does. zod skips `__proto__` (written to a plain object,
 * it would set the answer's prototype), so does this.
 */
export function looseObject(fields: readonly Field[]): (value: unknown) => Record<string, unknown> | typeof UNREAD {
  const keys = new Set(fields.map((field) => field.key));
  return (value) => {
    const read = readObject(value, fields);
    if (read === UNREAD) return UNREAD;
    const given = value as Record<string, unknown>;
    for (const key in given) if (!keys.has(key) && key !== "__proto__") read[key] = given[key];
    return read;
  };
}
