/// <reference types="node" />
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Utf8Hex } from "./sha256";

/** Two independent oracles, both fed the bytes TextEncoder makes (U+FFFD for lone surrogates). */
const utf8 = (text: string) => new TextEncoder().encode(text);
const opensslHex = (text: string) => createHash("sha256").update(utf8(text)).digest("hex");
const nobleHex = (text: string) => bytesToHex(sha256(utf8(text)));

/** A small seeded generator, so a failure can be reproduced. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("sha256Utf8Hex", () => {
  it("gives NIST's test vectors", () => {
    expect(sha256Utf8Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Utf8Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Utf8Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    expect(
      sha256Utf8Hex(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      ),
    ).toBe("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    expect(sha256Utf8Hex("a".repeat(1_000_000))).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });

  it("gives Meta's reference hashes", () => {
    expect(sha256Utf8Hex("john_smith@gmail.com")).toBe(
      "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
    );
    expect(sha256Utf8Hex("16505551212")).toBe("e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
    expect(sha256Utf8Hex("us")).toBe("79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621");
  });

  it("agrees with node:crypto at every length across the block boundaries", () => {
    for (let length = 0; length <= 300; length++) {
      const text = "x".repeat(length);
      expect(sha256Utf8Hex(text), `length ${length}`).toBe(opensslHex(text));
    }
  });

  it("encodes UTF-8 like TextEncoder: 2-, 3- and 4-byte characters, lone surrogates as U+FFFD", () => {
    for (const text of [
      "é",
      "ß",
      "中",
      "😀",
      "valéry",
      "müller-lüdenscheidt",
      "\ud800",
      "\udc00",
      "a\ud83d",
      "\ud83db",
      "\u0000",
      "\uffff",
    ]) {
      expect(sha256Utf8Hex(text), JSON.stringify(text)).toBe(opensslHex(text));
    }
  });

  it("agrees with node:crypto and @noble/hashes on random strings", () => {
    const random = mulberry32(20261125);
    const alphabet = ["a", "Z", "0", "@", ".", " ", "é", "ü", "ß", "中", "😀", "\ud800", "\udc00", "\u0000", "\uffff"];
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(random() * (i % 10 === 0 ? 400 : 80));
      let text = "";
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const expected = opensslHex(text);
      expect(sha256Utf8Hex(text), JSON.stringify(text)).toBe(expected);
      if (i % 10 === 0) expect(nobleHex(text)).toBe(expected);
    }
  });

  it("is unaffected by a longer input hashed before it (the buffer is reused)", () => {
    const short = sha256Utf8Hex("us");
    sha256Utf8Hex("y".repeat(5000));
    expect(sha256Utf8Hex("us")).toBe(short);
  });
});
