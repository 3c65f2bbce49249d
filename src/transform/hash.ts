/**
 * SHA-256 for Meta's customer information parameters.
 *
 * The hash is ./sha256.ts, a one-shot SHA-256 for short strings: inside workerd it takes a
 * quarter of @noble/hashes' time (per-call overhead dominates for inputs this small), and
 * WebCrypto's digest is both slower there and asynchronous, which would make the whole pure
 * core asynchronous. @noble/hashes and node:crypto remain its oracles in the tests.
 */
import { isBuilderHashed } from "./paramBuilder";
import { sha256Utf8Hex } from "./sha256";

/**
 * The SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex characters (Meta's format).
 * The text is hashed as given: normalize it first (see `./normalize`).
 *
 * @example
 * ```ts
 * sha256Hex("john_smith@gmail.com");
 * // "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
 * ```
 */
export function sha256Hex(text: string): string {
  return sha256Utf8Hex(text);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Whether `value` is exactly 64 lowercase hex characters: the shape of a SHA-256 hashed
 * upstream, which Meta asks us to pass through instead of hashing again. Case matters here;
 * callers that want to accept an uppercase pre-hash (see `preHashed`) lowercase first.
 *
 * @example
 * ```ts
 * isSha256Hex("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"); // true
 * isSha256Hex("62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"); // false
 * isSha256Hex("john_smith@gmail.com"); // false
 * ```
 */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * The value to send for `raw` when it was hashed upstream, if it was: a value hashed by Meta's
 * Parameter Builder (`<64 hex>.<appendix>`, see `./paramBuilder`) exactly as it came, or a bare
 * 64-hex SHA-256 in any case, lowercased to Meta's format. Neither is ever normalized or hashed
 * again: an uppercase 64-hex string is taken as a SHA-256 printed by a tool that writes
 * uppercase hex (no normalized email, phone, name, date or code is 64 hex characters). `raw`
 * is trimmed here; the caller removes invisible characters first (`cleanText`).
 *
 * @example
 * ```ts
 * preHashed(" 62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F ");
 * // "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
 * preHashed("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.AQQCAQMC");
 * // "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.AQQCAQMC"
 * preHashed("john_smith@gmail.com"); // undefined
 * ```
 */
export function preHashed(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (isBuilderHashed(trimmed)) return trimmed;
  const lowered = trimmed.toLowerCase();
  return isSha256Hex(lowered) ? lowered : undefined;
}
