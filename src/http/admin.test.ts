import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { REPLAY_LIMIT } from "../delivery/deadLetters";
import { type AdminCredential, adminAuth, adminRoutes, parseReplayRequest } from "./admin";
import { csrfToken, issueSession, SESSION_COOKIE, SESSION_TTL_SECONDS } from "./session";

describe("parseReplayRequest", () => {
  it("takes keys, deduplicated", () => {
    expect(parseReplayRequest({ keys: ["a", "b", "a"] })).toEqual({ keys: ["a", "b"], dryRun: false });
  });

  it("takes a reason and a dry run", () => {
    expect(parseReplayRequest({ reason: "configuration", dryRun: true })).toEqual({
      reason: "configuration",
      dryRun: true,
    });
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
    expect(
      (await adminRoutes.request("/dead-letters", { headers: { authorization: "Bearer nope" } }, env)).status,
    ).toBe(401);
    expect(
      (await adminRoutes.request("/dead-letters", { headers: { authorization: "Basic czNjcmV0" } }, env)).status,
    ).toBe(401);
  });

  it("lets the right bearer through (503 here: no dead-letter store bound)", async () => {
    const res = await adminRoutes.request(
      "/dead-letters",
      { headers: { authorization: "Bearer s3cret" } },
      { ADMIN_SECRET: "s3cret" },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "not_configured" } });
  });
});

describe("adminAuth", () => {
  const SECRET = "s3cret";
  const NOW = Date.parse("2026-11-25T19:00:00Z");
  const ORIGIN = "https://relay.example.workers.dev";
  const env = { ADMIN_SECRET: SECRET };
  /** A route behind the guard that answers how the caller got in. */
  const guarded = new Hono<{ Bindings: { ADMIN_SECRET?: string }; Variables: { admin: AdminCredential } }>()
    .use(
      "*",
      adminAuth(() => NOW),
    )
    .all("*", (c) => c.json({ via: c.var.admin.via }));
  const call = (method: string, headers: Record<string, string>, body?: string, e: object = env) =>
    guarded.request(`${ORIGIN}/admin/thing`, { method, headers, ...(body === undefined ? {} : { body }) }, e);

  async function session(at = NOW, secret = SECRET) {
    const { token, session: s } = await issueSession(secret, at);
    return { cookie: `${SESSION_COOKIE}=${token}`, csrf: await csrfToken(s, secret) };
  }

  it("answers 503 without ADMIN_SECRET, whatever the credential", async () => {
    const { cookie } = await session();
    expect((await call("GET", { authorization: `Bearer ${SECRET}`, cookie }, undefined, {})).status).toBe(503);
  });

  it("lets a Bearer through on every method, with no CSRF token or origin", async () => {
    for (const method of ["GET", "POST", "DELETE", "PUT", "PATCH"]) {
      const res = await call(method, { authorization: `Bearer ${SECRET}` });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ via: "bearer" });
    }
  });

  it("lets a session cookie through for reading, with no CSRF token", async () => {
    const { cookie } = await session();
    const res = await call("GET", { cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ via: "session" });
  });

  it("lets a session change things with its CSRF token from the console's own origin", async () => {
    const { cookie, csrf } = await session();
    expect((await call("POST", { cookie, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await call("DELETE", { cookie, "x-csrf-token": csrf, origin: ORIGIN })).status).toBe(200);
    const form = await call(
      "POST",
      { cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      `csrf_token=${csrf}`,
    );
    expect(form.status).toBe(200);
  });

  it("refuses a session's state-changing request without its CSRF token (403)", async () => {
    const { cookie, csrf } = await session();
    const { csrf: othersCsrf } = await session();
    const { csrf: otherSecretsCsrf } = await session(NOW, "another-secret");
    for (const token of [undefined, "", `${csrf}x`, othersCsrf, otherSecretsCsrf]) {
      const headers: Record<string, string> = {
        cookie,
        "sec-fetch-site": "same-origin",
        ...(token === undefined ? {} : { "x-csrf-token": token }),
      };
      for (const method of ["POST", "DELETE"]) {
        const res = await call(method, headers);
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ error: { code: "csrf_failed" } });
      }
    }
  });

  it("refuses a session's state-changing request from another origin, or from nowhere said (403)", async () => {
    const { cookie, csrf } = await session();
    const sites: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      {},
    ];
    for (const site of sites) {
      const res = await call("POST", { cookie, "x-csrf-token": csrf, ...site });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "cross_origin" } });
    }
  });

  it("refuses an expired session, another secret's session and a forged cookie (401)", async () => {
    const expired = await session(NOW - SESSION_TTL_SECONDS * 1000);
    const rotated = await session(NOW, "old-secret");
    for (const cookie of [
      expired.cookie,
      rotated.cookie,
      `${SESSION_COOKIE}=v1.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    ]) {
      expect((await call("GET", { cookie })).status).toBe(401);
    }
    expect(
      (await call("POST", { cookie: expired.cookie, "x-csrf-token": expired.csrf, "sec-fetch-site": "same-origin" }))
        .status,
    ).toBe(401);
  });

  it("refuses a wrong Bearer even beside a valid session cookie", async () => {
    const { cookie } = await session();
    expect((await call("GET", { authorization: "Bearer nope", cookie })).status).toBe(401);
  });

  it("guards the dead-letter routes with the session too (503 here: no store bound)", async () => {
    const { cookie, csrf } = await session(Date.now());
    const read = await adminRoutes.request("/dead-letters", { headers: { cookie } }, env);
    expect(read.status).toBe(503);
    expect(await read.json()).toMatchObject({ error: { code: "not_configured" } });
    const replay = await adminRoutes.request(
      "https://relay.example.workers.dev/dead-letters/replay",
      {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ keys: ["a"] }),
      },
      env,
    );
    expect(replay.status).toBe(403);
    const withCsrf = await adminRoutes.request(
      "https://relay.example.workers.dev/dead-letters/replay",
      {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrf, "sec-fetch-site": "same-origin", "content-type": "application/json" },
        body: JSON.stringify({ keys: ["a"] }),
      },
      env,
    );
    expect(withCsrf.status).toBe(503);
  });
});
