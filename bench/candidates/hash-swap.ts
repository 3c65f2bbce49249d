// src/hash.ts with sha256Hex replaced by the one-shot candidate (bench what-if builds only).
export * from "../../src/transform/hash";
export { sha256HexOneShot as sha256Hex } from "./sha256";
