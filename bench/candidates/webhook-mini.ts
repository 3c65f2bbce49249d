// The zod/mini schema this bench proposed is now src/webhook.ts itself; the bundle what-if and
// the differential check keep working against it (and report no difference).
export * from "../../src/transform/webhook";
