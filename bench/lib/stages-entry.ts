// The relay's stages, for bench/breakdown.mjs (bundled by bench/lib/build.mjs).
export { transformWebhook } from "../../src/relay";
export { parseConfig } from "../../src/config";
export { sha256Hex } from "../../src/hash";
export { parseWebhook } from "../../src/webhook";
export { consentDecision } from "../../src/consent";
export { eventId } from "../../src/eventId";
export { buildUserData } from "../../src/userData";
export { buildServerEvent, buildCustomData, scrubUrl } from "../../src/serverEvent";
export * as normalize from "../../src/normalize";
