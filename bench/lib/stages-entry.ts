// The relay's stages, for bench/breakdown.mjs (bundled by bench/lib/build.mjs).
export { transformWebhook } from "../../src/transform/transformWebhook";
export { parseConfig } from "../../src/config/settings";
export { sha256Hex, preHashed } from "../../src/transform/hash";
export { parseWebhook } from "../../src/transform/webhook";
export { consentDecision } from "../../src/transform/consent";
export { eventId } from "../../src/transform/eventId";
export { routesFor } from "../../src/transform/routing";
export { buildUserData } from "../../src/transform/userData";
export { buildServerEvent, buildCustomData, scrubUrl, webhookUserData } from "../../src/transform/serverEvent";
export * as normalize from "../../src/transform/normalize";
export { normalizePhone } from "../../src/transform/phone";
export { normalizeDateOfBirth } from "../../src/transform/dateOfBirth";
export { normalizeClientIp } from "../../src/transform/clientIp";
export { normalizeFbc, normalizeFbp } from "../../src/transform/clickIds";
