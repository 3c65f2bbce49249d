// What the Node benchmarks import from src/ (bundled by bench/lib/build.mjs).
export { transformWebhook } from "../../src/transform/transformWebhook";
export { parseConfig } from "../../src/config/settings";
export { sha256Hex } from "../../src/transform/hash";
export { findCountry } from "../../src/transform/countries";
