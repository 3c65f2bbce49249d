import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { REPLAY_LIMIT } from "../delivery/deadLetters";
import { type AdminCredential, adminAuth, adminRoutes as adminRoutesOn, parseReplayRequest } from "./admin";
import { countingRateLimit } from "../../test/helpers";
import { FailedAuthLimit } from "./authLimit";
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
  const adminRoutes = adminRoutesOn({ now: Date.now, log: () => {} });
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
    .use("*", adminAuth({ now: () => NOW, log: () => {} }))
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
    const adminRoutes = adminRoutesOn({ now: () => NOW, log: () => {} });
    const { cookie, csrf } = await session();
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

describe("failed admin authentications", () => {
  const SECRET = "s3cret-admin-limit";
  const NOW = Date.parse("2026-11-25T19:00:00Z");
  const GUESSER = "198.51.100.23";
  const OPERATOR = "203.0.113.7";

  function guarded() {
    const lines: string[] = [];
    const binding = countingRateLimit();
    const runtime = { now: () => NOW, log: (line: string) => void lines.push(line), authLimit: new FailedAuthLimit() };
    const app = new Hono<{ Bindings: object; Variables: { admin: AdminCredential } }>()
      .use("*", adminAuth(runtime))
      .all("*", (c) => c.json({ via: c.var.admin.via }));
    const env = { ADMIN_SECRET: SECRET, ADMIN_AUTH_RATE_LIMIT: binding };
    const call = (ip: string, headers: Record<string, string>) =>
      app.request(
        "https://relay.example.workers.dev/admin/metrics",
        { headers: { "cf-connecting-ip": ip, ...headers } },
        env,
      );
    return { call, lines, binding };
  }

  it("answers 429 with Retry-After past 10 wrong Bearers from one address, the right one included", async () => {
    const { call, binding } = guarded();
    for (let i = 0; i < 10; i++) expect((await call(GUESSER, { authorization: `Bearer guess-${i}` })).status).toBe(401);
    const limited = await call(GUESSER, { authorization: "Bearer guess-10" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    // Checked before the secret is compared: the right secret gets the same answer, and counts nothing more.
    const counted = binding.counts.get(GUESSER);
    expect((await call(GUESSER, { authorization: `Bearer ${SECRET}` })).status).toBe(429);
    expect(binding.counts.get(GUESSER)).toBe(counted);
  });

  it("keeps the operator's own address usable while another guesses", async () => {
    const { call } = guarded();
    for (let i = 0; i < 12; i++) await call(GUESSER, { authorization: `Bearer guess-${i}` });
    expect((await call(OPERATOR, { authorization: `Bearer ${SECRET}` })).status).toBe(200);
    expect((await call(OPERATOR, { authorization: "Bearer typo" })).status).toBe(401);
  });

  it("counts only failures: the right secret, however often, never limits", async () => {
    const { call, binding } = guarded();
    for (let i = 0; i < 30; i++) expect((await call(OPERATOR, { authorization: `Bearer ${SECRET}` })).status).toBe(200);
    expect(binding.counts.size).toBe(0);
  });

  it("keeps a session open from a limited address working: the session is no guessable secret", async () => {
    const { call } = guarded();
    for (let i = 0; i < 12; i++) await call(GUESSER, { authorization: `Bearer guess-${i}` });
    const { token } = await issueSession(SECRET, NOW);
    expect((await call(GUESSER, { cookie: `${SESSION_COOKIE}=${token}` })).status).toBe(200);
  });

  it("logs each failure at warn with its reason, never the value presented or the address", async () => {
    const { call, lines } = guarded();
    for (let i = 0; i < 11; i++) await call(GUESSER, { authorization: `Bearer guess-value-${i}` });
    await call(GUESSER, { authorization: "Bearer guess-value-11" });
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged).toHaveLength(12);
    expect(logged[0]).toEqual({
      level: "warn",
      msg: "admin",
      route: "admin",
      outcome: "auth_failed",
      reason: "invalid_bearer",
      status: 401,
    });
    expect(logged[10]).toMatchObject({ outcome: "auth_failed", status: 429 });
    expect(logged[11]).toMatchObject({ level: "warn", outcome: "rate_limited", status: 429 });
    expect(lines.join("\n")).not.toMatch(/guess-value|198\.51\.100|s3cret/);
  });
});
