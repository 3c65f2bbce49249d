/**
 * The readers of one setting's value, shared by the Worker's vars (`REQUIRE_CONSENT`, …) and the
 * keys of a destination in `DESTINATIONS` (`require_consent`, …), so each rule is written once.
 * Each takes the value and the label to blame (`REQUIRE_CONSENT`, or `DESTINATIONS "eu":
 * require_consent`) and throws a {@link ConfigError} naming the label and the rule, never the value.
 *
 * @example
 * ```ts
 * readBoolean("yes", "REQUIRE_CONSENT");       // true
 * readEventValue("5", "META_EVENT_VALUE");      // { kind: "fixed", amount: 5 }
 * readBoolean("maybe", "REQUIRE_CONSENT");     // throws ConfigError("REQUIRE_CONSENT must be true or false")
 * ```
 */
import type { ContentIdField, ContentType, EventValue, LimitedDataUse } from "../transform/serverEvent";

/** A setting has a value the relay cannot use. The message names the setting, never its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Text of a setting, trimmed; empty, null and absent count as unset. Numbers and booleans read as their text. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object") return undefined;
  const trimmed = String(value).trim();
  return trimmed === "" ? undefined : trimmed;
}

export function readBoolean(value: unknown, label: string): boolean | undefined {
  const word = text(value)?.toLowerCase();
  if (word === undefined) return undefined;
  if (["true", "1", "yes", "on"].includes(word)) return true;
  if (["false", "0", "no", "off"].includes(word)) return false;
  throw new ConfigError(`${label} must be true or false`);
}

export function readPositiveInteger(value: unknown, label: string): number | undefined {
  const word = text(value);
  if (word === undefined) return undefined;
  if (!/^\d+$/.test(word) || Number(word) <= 0) throw new ConfigError(`${label} must be a positive integer`);
  return Number(word);
}

export function readOneOf<T extends string>(value: unknown, label: string, allowed: readonly T[]): T | undefined {
  const word = text(value);
  if (word === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(word))
    throw new ConfigError(`${label} must be one of ${allowed.join(", ")}`);
  return word as T;
}

/** A Graph pixel / dataset id: digits. */
export function readPixelId(value: unknown, label: string): string | undefined {
  const word = text(value);
  if (word !== undefined && !/^\d+$/.test(word))
    throw new ConfigError(`${label} must be the numeric dataset / pixel id`);
  return word;
}

/** Meta's `data_processing_options` settings: off, geolocated (`true`), or explicit `"country,state"`. */
export function readLimitedDataUse(value: unknown, label: string): LimitedDataUse | undefined | "off" {
  const word = text(value);
  if (word === undefined) return undefined;
  const lower = word.toLowerCase();
  if (["false", "0", "off", "no"].includes(lower)) return "off";
  if (["true", "1", "on", "yes"].includes(lower)) return { country: 0, state: 0 };
  const match = /^(\d+)\s*,\s*(\d+)$/.exec(word);
  if (match) return { country: Number(match[1]), state: Number(match[2]) };
  throw new ConfigError(`${label} must be true, false or "country,state" such as "1,1000"`);
}

/** `custom_data.value`: `none`, `recommendations` (their total) or a fixed amount. */
export function readEventValue(value: unknown, label: string): EventValue | undefined {
  const word = typeof value === "number" ? String(value) : text(value);
  if (word === undefined) return undefined;
  if (word === "none") return { kind: "none" };
  if (word === "recommendations") return { kind: "recommendations" };
  if (/^\d+(\.\d+)?$/.test(word)) return { kind: "fixed", amount: Number(word) };
  throw new ConfigError(`${label} must be "none", "recommendations" or an amount`);
}

export const CONTENT_ID_FIELDS: readonly ContentIdField[] = ["product_id", "variant_id", "sku"];
export const CONTENT_TYPES: readonly ContentType[] = ["product", "product_group"];

/**
 * The `content_type` that fits a content id field when none is configured: a Studio
 * `product_id` is the parent product, which Meta's catalog calls a product group (Meta: "Use
 * product_group if the keys you send in content_ids represent product groups"); variants and
 * SKUs are products.
 *
 * @example
 * ```ts
 * contentTypeFor("product_id"); // "product_group"
 * contentTypeFor("variant_id"); // "product"
 * ```
 */
export function contentTypeFor(field: ContentIdField): ContentType {
  return field === "product_id" ? "product_group" : "product";
}

/** A Meta event name: standard (`Lead`) or custom, as Meta allows them (letters, digits, `_`, `-`, space; at most 50). */
export function readEventName(value: unknown, label: string): string | undefined {
  const word = text(value);
  if (word === undefined) return undefined;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_ -]{0,49}$/.test(word)) {
    throw new ConfigError(`${label} must be a Meta event name (letters, digits, _ - and spaces, at most 50)`);
  }
  return word;
}
