/**
 * SHA-256 for Meta's customer information parameters.
 *
 * The hash is src/sha256.ts, a one-shot SHA-256 for short strings: inside workerd it takes a
 * quarter of @noble/hashes' time (per-call overhead dominates for inputs this small), and
 * WebCrypto's digest is both slower there and asynchronous, which would make the whole pure
 * core asynchronous. @noble/hashes and node:crypto remain its oracles in the tests.
 */
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
 * The pre-hashed value carried by `raw`, if it carries one: `raw` trimmed is 64 hex characters
 * in any case, returned lowercased. An uppercase 64-hex string is taken as a SHA-256 hashed
 * upstream by a tool that prints uppercase hex (no normalized email, phone, name, date or
 * code is 64 hex characters), so it is lowercased to Meta's format, never hashed again.
 *
 * @example
 * ```ts
 * preHashed(" 62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F ");
 * // "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
 * preHashed("john_smith@gmail.com"); // undefined
 * ```
 */
export function preHashed(raw: string): string | undefined {
  const lowered = raw.trim().toLowerCase();
  return isSha256Hex(lowered) ? lowered : undefined;
}
