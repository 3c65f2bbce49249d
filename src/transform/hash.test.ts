/// <reference types="node" />
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSha256Hex, preHashed, sha256Hex } from "./hash";

/** Independent oracle: Node's OpenSSL SHA-256, not the code under test. */
const nodeSha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("sha256Hex", () => {
  it("matches Meta's documented reference hashes", () => {
    expect(sha256Hex("john_smith@gmail.com")).toBe("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
    expect(sha256Hex("16505551212")).toBe("e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
    expect(sha256Hex("us")).toBe("79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621");
  });

  it("hashes the UTF-8 bytes of non-ASCII text, like node:crypto", () => {
    for (const text of ["valéry", "müller", "józef", "ñúñez", "李", "мария", "😀", ""]) {
      expect(sha256Hex(text)).toBe(nodeSha256(text));
    }
  });

  it("returns 64 lowercase hex characters", () => {
    expect(sha256Hex("anything")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not normalize: case and spaces change the hash", () => {
    expect(sha256Hex("US")).not.toBe(sha256Hex("us"));
    expect(sha256Hex(" us")).not.toBe(sha256Hex("us"));
  });

  it("tells NFC and NFD apart (normalize before hashing)", () => {
    expect(sha256Hex("e\u0301")).not.toBe(sha256Hex("\u00e9"));
  });
});

describe("isSha256Hex", () => {
  const hash = nodeSha256("john_smith@gmail.com");

  it("accepts 64 lowercase hex characters", () => {
    expect(isSha256Hex(hash)).toBe(true);
  });

  it("rejects uppercase hex (Meta's format is lowercase; see preHashed)", () => {
    expect(isSha256Hex(hash.toUpperCase())).toBe(false);
  });

  it("rejects other lengths (63, 65, MD5's 32)", () => {
    expect(isSha256Hex(hash.slice(1))).toBe(false);
    expect(isSha256Hex(`${hash}0`)).toBe(false);
    expect(isSha256Hex(hash.slice(0, 32))).toBe(false);
  });

  it("rejects non-hex characters and surrounding spaces", () => {
    expect(isSha256Hex(`g${hash.slice(1)}`)).toBe(false);
    expect(isSha256Hex(` ${hash}`)).toBe(false);
    expect(isSha256Hex(`${hash}\n`)).toBe(false);
  });
});

describe("preHashed", () => {
  const hash = nodeSha256("john_smith@gmail.com");

  it("passes a lowercase pre-hash through unchanged", () => {
    expect(preHashed(hash)).toBe(hash);
  });

  it("lowercases an uppercase or mixed-case pre-hash instead of hashing it", () => {
    expect(preHashed(hash.toUpperCase())).toBe(hash);
    expect(preHashed(hash.slice(0, 10).toUpperCase() + hash.slice(10))).toBe(hash);
  });

  it("trims spaces around a pre-hash", () => {
    expect(preHashed(`  ${hash}\t`)).toBe(hash);
  });

  it("passes a Parameter Builder value through exactly as it came, only trimmed", () => {
    expect(preHashed(`${hash}.AQQCAQMC`)).toBe(`${hash}.AQQCAQMC`);
    expect(preHashed(` ${hash}.BA\t`)).toBe(`${hash}.BA`);
    expect(preHashed(`${hash.toUpperCase()}.AQQCAQMC`)).toBe(`${hash.toUpperCase()}.AQQCAQMC`);
  });

  it("returns undefined for a hash with something that is not a builder appendix", () => {
    expect(preHashed(`${hash}.Ab`)).toBeUndefined();
    expect(preHashed(`${hash}.`)).toBeUndefined();
    expect(preHashed(`${hash.slice(0, 32)}.AQQCAQMC`)).toBeUndefined();
  });

  it("returns undefined for plaintext, MD5 and near misses", () => {
    expect(preHashed("john_smith@gmail.com")).toBeUndefined();
    expect(preHashed(hash.slice(0, 32))).toBeUndefined();
    expect(preHashed(hash.slice(1))).toBeUndefined();
    expect(preHashed("")).toBeUndefined();
  });
});
