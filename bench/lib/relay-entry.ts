// What the Node benchmarks import from src/ (bundled by bench/lib/build.mjs).
export { transformWebhook } from "../../src/relay";
export { parseConfig } from "../../src/config";
export { sha256Hex } from "../../src/hash";
