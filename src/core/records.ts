/**
 * Plain JSON objects from outside (a webhook, a browser, Meta's answers, the configuration):
 * recognising one, and reading its own keys only. A key that came from outside is never looked up
 * through the prototype chain (`__proto__`, `constructor`, `toString` are not fields), and a
 * lookup table keyed by outside strings is a `Map` or a {@link nullRecord}.
 *
 * @example
 * ```ts
 * isRecord(JSON.parse('{"a":1}')); // true
 * ownValue({ a: 1 }, "constructor"); // undefined, not Object
 * const byName = nullRecord<number>(); byName["__proto__"] = 1; // an ordinary key
 * ```
 */

/** A non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `record[key]` when `key` is the record's own, else `undefined`. */
export function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty object with no prototype: safe to key by strings from outside. */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The names `Object.prototype` answers to: never a destination name, a map key from configuration, or a field. */
export function isPrototypeKey(key: string): boolean {
  return key === "__proto__" || key in Object.prototype;
}
