/**
 * The admin secret under attack, inside workerd with wrangler.jsonc's bindings: the rate limiting
 * binding `ADMIN_AUTH_RATE_LIMIT` (miniflare's) that counts failed authentications per client
 * address, and the metrics store that holds the sessions ended by a logout. The rules are tested
 * in src/http (authLimit, admin, console/routes); this checks they hold with the real bindings.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/http/app";
import { SESSION_COOKIE, sessionTokenOf } from "../src/http/session";

const ADMIN_SECRET = "workerd-auth-admin-secret";
const ORIGIN = "https://relay.example.workers.dev";
const adminEnv = { ...env, ADMIN_SECRET };

function relay() {
  const lines: string[] = [];
  const app = createApp({ sleep: async () => {}, log: (line) => void lines.push(line) });
  return { app, lines };
}

/** Every test its own addresses: the binding counts across the whole run. */
let next = 0;
const address = () => `198.51.100.${++next}`;

describe("failed admin authentications in workerd", () => {
  it("has the binding wrangler.jsonc declares", () => {
    expect(typeof env.ADMIN_AUTH_RATE_LIMIT.limit).toBe("function");
  });

  it("answers 429 with Retry-After past 10 wrong Bearers from one address, the right secret included", async () => {
    const { app, lines } = relay();
    const ip = address();
    const metrics = (authorization: string, from = ip) =>
      app.request(`${ORIGIN}/admin/metrics`, { headers: { authorization, "cf-connecting-ip": from } }, adminEnv);
    for (let i = 0; i < 10; i++) expect((await metrics(`Bearer guess-${i}`)).status).toBe(401);
    const limited = await metrics("Bearer guess-10");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await metrics(`Bearer ${ADMIN_SECRET}`)).status).toBe(429);
    // The operator's own address keeps working.
    expect((await metrics(`Bearer ${ADMIN_SECRET}`, address())).status).toBe(200);
    expect(lines.filter((l) => l.includes('"auth_failed"'))).toHaveLength(11);
    expect(lines.join("\n")).not.toMatch(/guess-|198\.51\.100/);
  });

  it("limits the login form's wrong secrets per address too, an IPv6 /64 as one address", async () => {
    const { app } = relay();
    const prefix = `2001:db8:${++next}:1`;
    const login = (secret: string, ip: string) =>
      app.request(
        `${ORIGIN}/admin/login`,
        {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "sec-fetch-site": "same-origin",
            "cf-connecting-ip": ip,
          },
          body: `secret=${encodeURIComponent(secret)}`,
        },
        adminEnv,
      );
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}`, `${prefix}::${i + 1}`)).status).toBe(401);
    expect((await login("guess-10", `${prefix}:ffff::1`)).status).toBe(429);
    const limited = await login(ADMIN_SECRET, `${prefix}:ffff::2`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("set-cookie")).toBeNull();
    expect((await login(ADMIN_SECRET, `2001:db8:${++next}:1::1`)).status).toBe(303);
  });
});

describe("logging out in workerd", () => {
  it("ends the session on the server: the old cookie and CSRF token are refused afterwards", async () => {
    const { app } = relay();
    const headers = { "cf-connecting-ip": address() };
    const res = await app.request(
      `${ORIGIN}/admin/login`,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: `secret=${ADMIN_SECRET}`,
      },
      adminEnv,
    );
    expect(res.status).toBe(303);
    const cookie = `${SESSION_COOKIE}=${sessionTokenOf(res.headers.get("set-cookie"))}`;
    const page = await (await app.request(`${ORIGIN}/admin`, { headers: { ...headers, cookie } }, adminEnv)).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
    const action = { ...headers, cookie, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" };
    const replay = () =>
      app.request(
        `${ORIGIN}/admin/dead-letters/replay`,
        {
          method: "POST",
          headers: { ...action, "content-type": "application/json" },
          body: JSON.stringify({ keys: ["cartful.ses_none.1"], dryRun: true }),
        },
        adminEnv,
      );
    expect((await replay()).status).toBe(200);

    const out = await app.request(`${ORIGIN}/admin/logout`, { method: "POST", headers: action }, adminEnv);
    expect(out.status).toBe(303);

    // The copies kept from before the logout: refused everywhere.
    expect((await replay()).status).toBe(401);
    expect((await app.request(`${ORIGIN}/admin/metrics`, { headers: { ...headers, cookie } }, adminEnv)).status).toBe(
      401,
    );
    const again = await (await app.request(`${ORIGIN}/admin`, { headers: { ...headers, cookie } }, adminEnv)).text();
    expect(again).toContain('action="/admin/login"');
    expect(again).not.toContain(csrf);
    // A new login works.
    const back = await app.request(
      `${ORIGIN}/admin/login`,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: `secret=${ADMIN_SECRET}`,
      },
      adminEnv,
    );
    const fresh = `${SESSION_COOKIE}=${sessionTokenOf(back.headers.get("set-cookie"))}`;
    expect(
      (await app.request(`${ORIGIN}/admin/metrics`, { headers: { ...headers, cookie: fresh } }, adminEnv)).status,
    ).toBe(200);
  });
});
