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
import { isPrototypeKey } from "../core/records";
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

/**
 * A Graph pixel / dataset id: digits, best written as a string. A number is taken only when it is
 * exact (`Number.isSafeInteger`): ids run past 2^53, where a JSON number is silently rounded to
 * another pixel's id (`12345678901234567` reads as `…568`). Every integer rounded that way lands
 * at 2^53 or above, so no rounded id passes; ./destinations also checks the literal as written
 * when it has the JSON text.
 */
export function readPixelId(value: unknown, label: string): string | undefined {
  if (typeof value === "number" && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new ConfigError(`${label} must be written as a string of digits ("123…"): as a number it is not exact`);
  }
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

/**
 * `DRY_RUN`: `true` forces dry-run mode (build, log, answer; send nothing) for every destination;
 * `false` or unset leaves it to the tokens (dry run only when no destination has one).
 *
 * @example
 * ```ts
 * readDryRun("true"); // true
 * readDryRun(undefined); // false
 * readDryRun("yes"); // throws ConfigError("DRY_RUN must be true or false")
 * ```
 */
export function readDryRun(value: unknown): boolean {
  const word = text(value)?.toLowerCase();
  if (word === undefined || word === "false") return false;
  if (word === "true") return true;
  throw new ConfigError("DRY_RUN must be true or false");
}

/**
 * The relay's own secrets that are not Meta tokens: a destination's `access_token_secret` or
 * `dataset_quality_token_secret` naming one would send it to Graph as a token.
 */
export const RELAY_SECRETS: readonly string[] = ["WEBHOOK_SECRET", "ADMIN_SECRET", "META_APP_SECRET"];

/**
 * Refuses a key from configuration that `Object.prototype` answers to (`__proto__`,
 * `constructor`, `toString`, …): such a name, used as a lookup key anywhere downstream, reads or
 * replaces the prototype instead of an entry. The error names the label, and the key only because
 * it is one of those fixed words.
 *
 * @example
 * ```ts
 * refusePrototypeKey("quiz:complete", 'DESTINATIONS "eu": event_name'); // fine
 * refusePrototypeKey("constructor", 'DESTINATIONS "eu": event_name');   // throws ConfigError
 * ```
 */
export function refusePrototypeKey(key: string, label: string): void {
  if (isPrototypeKey(key)) {
    throw new ConfigError(
      `${label} must not be "${key}": it is a key of Object.prototype (__proto__, constructor, toString, …)`,
    );
  }
}
