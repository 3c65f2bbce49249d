/**
 * SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as 64 lowercase hex characters, in one
 * synchronous call. This is the relay's hot path: eleven short fields per event, each one or
 * two 64-byte blocks. For inputs that small, @noble/hashes, WebCrypto and node:crypto all spend
 * most of their time per call (a hasher object, a DataView, a TextEncoder, a Promise or a
 * native crossing) rather than compressing; measured inside workerd this function takes about a
 * quarter of @noble/hashes' time and a fifth of WebCrypto's (BENCHMARKS.md, section 1b). So it
 * writes UTF-8 straight into a reused buffer (lone surrogates become U+FFFD, as TextEncoder
 * does), keeps the state in locals and reads hex from a table.
 *
 * Correctness is checked in src/sha256.test.ts against NIST's test vectors, node:crypto and
 * @noble/hashes on every length across the block boundaries and on thousands of random
 * ASCII and non-ASCII strings.
 *
 * @example
 * ```ts
 * sha256Utf8Hex("john_smith@gmail.com");
 * // "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
 * ```
 */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const W = new Uint32Array(64);
const HEX: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));
let buffer = new Uint8Array(256);

/** UTF-8 of `text` into `buffer` (grown when needed), returns the byte length. */
function encodeUtf8(text: string): number {
  const n = text.length;
  if (buffer.length < n * 3 + 72) buffer = new Uint8Array(n * 3 + 72);
  const out = buffer;
  let len = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[len++] = c;
    } else if (c < 0x800) {
      out[len++] = 0xc0 | (c >> 6);
      out[len++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[len++] = 0xf0 | (c >> 18);
          out[len++] = 0x80 | ((c >> 12) & 63);
          out[len++] = 0x80 | ((c >> 6) & 63);
          out[len++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd; // lone surrogate, as TextEncoder does
      }
      out[len++] = 0xe0 | (c >> 12);
      out[len++] = 0x80 | ((c >> 6) & 63);
      out[len++] = 0x80 | (c & 63);
    }
  }
  return len;
}

function hex32(x: number): string {
  return HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
}

export function sha256Utf8Hex(text: string): string {
  const len = encodeUtf8(text);
  const out = buffer;
  const total = (len + 72) & ~63; // message + 0x80 + 8-byte length, rounded up to 64
  out[len] = 0x80;
  out.fill(0, len + 1, total - 8);
  const bitsHigh = Math.floor(len / 0x20000000);
  const bitsLow = (len << 3) >>> 0;
  out[total - 8] = bitsHigh >>> 24;
  out[total - 7] = bitsHigh >>> 16;
  out[total - 6] = bitsHigh >>> 8;
  out[total - 5] = bitsHigh;
  out[total - 4] = bitsLow >>> 24;
  out[total - 3] = bitsLow >>> 16;
  out[total - 2] = bitsLow >>> 8;
  out[total - 1] = bitsLow;

  let h0 = 0x6a09e667,
    h1 = 0xbb67ae85,
    h2 = 0x3c6ef372,
    h3 = 0xa54ff53a;
  let h4 = 0x510e527f,
    h5 = 0x9b05688c,
    h6 = 0x1f83d9ab,
    h7 = 0x5be0cd19;
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 16; t++) {
      const p = off + t * 4;
      W[t] = (out[p]! << 24) | (out[p + 1]! << 16) | (out[p + 2]! << 8) | out[p + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  return hex32(h0) + hex32(h1) + hex32(h2) + hex32(h3) + hex32(h4) + hex32(h5) + hex32(h6) + hex32(h7);
}
