/**
 * The one-shot SHA-256 this bench proposed is now the relay's own (src/sha256.ts); this name
 * stays so the bench's "one-shot" rows keep measuring it beside @noble/hashes, WebCrypto and
 * node:crypto.
 */
export { sha256Utf8Hex as sha256HexOneShot } from "../../src/transform/sha256";
