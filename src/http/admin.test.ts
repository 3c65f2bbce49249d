import { describe, expect, it } from "vitest";
import { REPLAY_LIMIT } from "../delivery/deadLetters";
import { adminRoutes, parseReplayRequest } from "./admin";

describe("parseReplayRequest", () => {
  it("takes keys, deduplicated", () => {
    expect(parseReplayRequest({ keys: ["a", "b", "a"] })).toEqual({ keys: ["a", "b"], dryRun: false });
  });

  it("takes a reason and a dry run", () => {
    expect(parseReplayRequest({ reason: "configuration", dryRun: true })).toEqual({ reason: "configuration", dryRun: true });
  });

  it.each([
    ["not an object", []],
    ["nothing asked", {}],
    ["empty keys", { keys: [] }],
    ["keys not strings", { keys: [1] }],
    ["an empty key", { keys: [""] }],
    ["too many keys", { keys: Array.from({ length: REPLAY_LIMIT + 1 }, (_, i) => `k${i}`) }],
    ["an unknown reason", { reason: "bogus" }],
    ["keys and reason", { keys: ["a"], reason: "stale" }],
    ["dryRun not boolean", { keys: ["a"], dryRun: 1 }],
  ])("refuses %s", (_, body) => {
    expect(parseReplayRequest(body)).toHaveProperty("error");
  });
});

describe("adminRoutes authentication", () => {
  it("answers 503 without ADMIN_SECRET, 401 without the right bearer", async () => {
    expect((await adminRoutes.request("/dead-letters", {}, {})).status).toBe(503);
    const env = { ADMIN_SECRET: "s3cret" };
    expect((await adminRoutes.request("/dead-letters", {}, env)).status).toBe(401);
    expect((await adminRoutes.request("/dead-letters", { headers: { authorization: "Bearer nope" } }, env)).status).toBe(401);
    expect((await adminRoutes.request("/dead-letters", { headers: { authorization: "Basic czNjcmV0" } }, env)).status).toBe(401);
  });

  it("lets the right bearer through (503 here: no dead-letter store bound)", async () => {
    const res = await adminRoutes.request("/dead-letters", { headers: { authorization: "Bearer s3cret" } }, { ADMIN_SECRET: "s3cret" });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "not_configured" } });
  });
});
