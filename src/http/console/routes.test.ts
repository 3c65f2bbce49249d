import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { countingRateLimit, fakeGraph, graphOk } from "../../../test/helpers";
import { createApp } from "../app";
import { SESSION_COOKIE, SESSION_TTL_SECONDS, readSession, sessionTokenOf, validCsrf } from "../session";
import type { ConsoleModel } from "./model";
import type { CircuitStatus } from "../../delivery/holds";
import { sampleConsoleModel } from "./model.sample";
import { type ConsoleModelBuilder, consoleRoutes, LOGIN_FAILURE_DELAY_MS, PROBE_WAIT_MS } from "./routes";

const SECRET = "admin-s3cret-for-tests";
const TOKEN = "EAAB-console-routes-token";
const ORIGIN = "https://relay.example.workers.dev";
const SAME = { "sec-fetch-site": "same-origin" };
const FORM = { "content-type": "application/x-www-form-urlencoded" };

const ENV = {
  ADMIN_SECRET: SECRET,
  META_GRAPH_URL: "https://graph.test",
  META_API_VERSION: "v27.0",
  META_TOKEN_EU: TOKEN,
  DESTINATIONS: JSON.stringify([
    { name: "eu", pixel_id: "111", access_token_secret: "META_TOKEN_EU", test_event_code: "TEST4521" },
    { name: "us", pixel_id: "222", access_token_secret: "META_TOKEN_EU" },
    { name: "dry", pixel_id: "333" },
  ]),
};

const ok = () => graphOk("TrAcE-ok");

/**
 * The relay's app (or the console's routes alone, with a model builder) with a fake Graph, a clock
 * the test moves, recorded sleeps and log lines.
 */
function relay(options: { answers?: (() => Response)[]; model?: ConsoleModelBuilder } = {}) {
  const graph = fakeGraph(...(options.answers ?? [ok]));
  const sleeps: number[] = [];
  const lines: string[] = [];
  const clock = { now: Date.now() };
  const deps = {
    fetch: graph.fetch,
    now: () => clock.now,
    sleep: async (ms: number) => void sleeps.push(ms),
    random: () => 0.5,
    log: (line: string) => void lines.push(line),
    metrics: () => {},
  };
  const app = options.model
    ? new Hono().route("/admin", consoleRoutes({ ...deps, model: options.model }))
    : createApp(deps);
  const request = (path: string, init: RequestInit = {}, env: object = ENV) =>
    app.request(`${ORIGIN}${path}`, init, env);
  return { request, sent: graph.calls, sleeps, lines, clock };
}

type Relay = ReturnType<typeof relay>;

async function logIn(r: Relay, env: object = ENV): Promise<{ cookie: string; csrf: string }> {
  const res = await r.request(
    "/admin/login",
    { method: "POST", headers: { ...FORM, ...SAME }, body: `secret=${encodeURIComponent(SECRET)}` },
    env,
  );
  expect(res.status).toBe(303);
  const cookie = `${SESSION_COOKIE}=${sessionTokenOf(res.headers.get("set-cookie"))}`;
  const page = await (await r.request("/admin", { headers: { cookie } }, env)).text();
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page)![1]!;
  return { cookie, csrf };
}

function testEvent(
  r: Relay,
  name: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${SECRET}` },
) {
  return r.request(`/admin/destinations/${name}/test-event`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function nonceOf(res: Response): string {
  return /script-src 'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")![1]!;
}

describe("GET /admin", () => {
  it("answers 503 with a notice, not the login, while ADMIN_SECRET is unset", async () => {
    const res = await relay().request("/admin", {}, { ...ENV, ADMIN_SECRET: "" });
    expect(res.status).toBe(503);
    const page = await res.text();
    expect(page).toContain("The console is off");
    expect(page).not.toContain("<form");
    // What to do locally first (npm run dev has no ADMIN_SECRET), then the deploy command.
    expect(page).toContain('<code class="command">npm run dev:meta</code>');
    expect(page).toContain("<code>.dev.vars</code>");
    expect(page).toContain('<code class="command">npx wrangler secret put ADMIN_SECRET</code>');
  });

  it("shows the login form without a session, never the data", async () => {
    let built = 0;
    const r = relay({ model: async (_env, now) => (built++, sampleConsoleModel(now)) });
    const res = await r.request("/admin");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<form method="post" action="/admin/login">');
    expect(built).toBe(0);
    for (const d of sampleConsoleModel(0).destinations) expect(page).not.toContain(`data-destination="${d.name}"`);
  });

  it("serves every page under the strict CSP with a fresh nonce, no-store, nosniff and no referrer", async () => {
    const r = relay();
    const { cookie } = await logIn(r);
    const pages = [
      await r.request("/admin"),
      await r.request("/admin", { headers: { cookie } }),
      await r.request("/admin", {}, { ...ENV, ADMIN_SECRET: "" }),
    ];
    for (const res of pages) {
      const nonce = nonceOf(res);
      expect(res.headers.get("content-security-policy")).toBe(
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      );
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await res.text()).toContain(`<link rel="stylesheet" href="/console/console.css" nonce="${nonce}">`);
    }
    expect(new Set(pages.map(nonceOf)).size).toBe(3);
  });

  it("shows the page's shell to a script's Bearer, with no CSRF token (a Bearer needs none)", async () => {
    const res = await relay().request("/admin", { headers: { authorization: `Bearer ${SECRET}` } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<meta name="csrf-token" content="">');
    expect(page).toContain('<script src="/console/page.js" nonce="');
  });

  it("serves the shell with the headline numbers in plain text, the model read once", async () => {
    let built = 0;
    const r = relay({ model: async (_env, now) => (built++, sampleConsoleModel(now)) });
    const page = await (await r.request("/admin", { headers: { authorization: `Bearer ${SECRET}` } })).text();
    expect(built).toBe(1);
    expect(page).toContain("<section data-glance>");
    for (const d of sampleConsoleModel(Date.now()).destinations) expect(page).toContain(`<li>${d.name} (pixel`);
    expect(page).not.toContain("data-destination="); // the page itself is drawn by its script
  });

  it("serves the shell without the numbers when the model cannot be read", async () => {
    const r = relay({
      model: async () => {
        throw new TypeError("metrics store down");
      },
    });
    const res = await r.request("/admin", { headers: { authorization: `Bearer ${SECRET}` } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Reading the relay's numbers");
    expect(page).not.toContain("data-glance");
  });

  it("answers a wrong Bearer 401, not with the login form", async () => {
    const res = await relay().request("/admin", { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("redirects GET /admin/login to the console", async () => {
    const res = await relay().request("/admin/login");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
  });
});

describe("every /admin route while ADMIN_SECRET is unset", () => {
  /** A request path for a route's pattern: each parameter and wildcard filled with a plausible segment. */
  const pathOf = (pattern: string) =>
    pattern
      .replace(/:name\b/g, "eu")
      .replace(/:key\b/g, "cartful.ses_1.1")
      .replace(/\*$/, "anything");

  it("answers 503 on each one the app mounts, whatever the method and the credential: the page's notice or admin_disabled", async () => {
    const r = relay();
    const off = { ...ENV, ADMIN_SECRET: "" };
    // Walks the app's own table, so a route added under /admin later is walked too.
    const routes = (createApp().routes as { method: string; path: string }[]).filter((route) =>
      route.path.startsWith("/admin"),
    );
    expect(routes.map((route) => route.path)).toContain("/admin/login");
    const credentials: Record<string, string>[] = [{}, { authorization: `Bearer ${SECRET}` }];
    for (const route of routes) {
      const methods = route.method === "ALL" ? ["GET", "POST", "PUT", "DELETE"] : [route.method];
      for (const method of methods) {
        for (const credential of credentials) {
          const body = method === "GET" ? undefined : "{}";
          const headers = { ...SAME, "content-type": "application/json", ...credential };
          const res = await r.request(pathOf(route.path), { method, headers, body }, off);
          const asked = `${method} ${pathOf(route.path)}`;
          expect(res.status, asked).toBe(503);
          if (res.headers.get("content-type")?.startsWith("text/html")) {
            expect(await res.text(), asked).toContain("The console is off");
          } else {
            expect(await res.json(), asked).toMatchObject({ error: { code: "admin_disabled" } });
          }
        }
      }
    }
    expect(r.sent).toHaveLength(0);
  });
});

describe("logging in", () => {
  it("sets an HttpOnly, Secure, SameSite=Strict session cookie on /admin for 8 hours, and goes to the console", async () => {
    const r = relay();
    const res = await r.request("/admin/login", {
      method: "POST",
      headers: { ...FORM, ...SAME },
      body: `secret=${encodeURIComponent(SECRET)}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie.split("; ").slice(1).sort()).toEqual([
      "HttpOnly",
      `Max-Age=${SESSION_TTL_SECONDS}`,
      "Path=/admin",
      "SameSite=Strict",
      "Secure",
    ]);
    expect(await readSession(sessionTokenOf(cookie), SECRET, r.clock.now)).toBeDefined();
    expect(cookie).not.toContain(SECRET);
    expect(r.lines.map((l) => JSON.parse(l))).toEqual([
      { level: "info", msg: "admin", route: "login", outcome: "login", status: 303 },
    ]);
  });

  it("takes a multipart form too", async () => {
    const form = new FormData();
    form.set("secret", SECRET);
    const res = await relay().request("/admin/login", { method: "POST", headers: SAME, body: form });
    expect(res.status).toBe(303);
  });

  it.each([
    ["a wrong secret", `secret=${encodeURIComponent(`${SECRET}x`)}`, FORM],
    ["an empty secret", "secret=", FORM],
    ["no secret field", "password=x", FORM],
    ["a JSON body", JSON.stringify({ secret: SECRET }), { "content-type": "application/json" }],
  ])("refuses %s: 401, the form again, after a wait, no cookie", async (_, body, type) => {
    const r = relay();
    const res = await r.request("/admin/login", { method: "POST", headers: { ...type, ...SAME }, body });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    const page = await res.text();
    expect(page).toContain("That is not the ADMIN_SECRET");
    expect(page).toContain('action="/admin/login"');
    expect(r.sleeps).toEqual([LOGIN_FAILURE_DELAY_MS]);
    expect(r.lines.join("\n")).not.toContain(SECRET);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ outcome: "auth_failed", status: 401 });
  });

  it("refuses a login posted from another site, whatever the secret", async () => {
    const r = relay();
    const res = await r.request("/admin/login", {
      method: "POST",
      headers: { ...FORM, "sec-fetch-site": "cross-site" },
      body: `secret=${SECRET}`,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers 503 while ADMIN_SECRET is unset", async () => {
    const res = await relay().request(
      "/admin/login",
      { method: "POST", headers: { ...FORM, ...SAME }, body: "secret=" },
      { ...ENV, ADMIN_SECRET: "" },
    );
    expect(res.status).toBe(503);
  });

  it("refuses a body over 4 KiB", async () => {
    const res = await relay().request("/admin/login", {
      method: "POST",
      headers: { ...FORM, ...SAME },
      body: `secret=${"x".repeat(5000)}`,
    });
    expect(res.status).toBe(413);
  });
});

describe("failed logins", () => {
  const limitedEnv = () => ({ ...ENV, ADMIN_AUTH_RATE_LIMIT: countingRateLimit() });
  const login = (r: Relay, env: object, ip: string, secret: string) =>
    r.request(
      "/admin/login",
      {
        method: "POST",
        headers: { ...FORM, ...SAME, "cf-connecting-ip": ip },
        body: `secret=${encodeURIComponent(secret)}`,
      },
      env,
    );

  it("answers 429 with Retry-After past 10 wrong secrets from one address, before comparing the next", async () => {
    const r = relay();
    const env = limitedEnv();
    for (let i = 0; i < 10; i++) expect((await login(r, env, "198.51.100.41", `guess-${i}`)).status).toBe(401);
    const limited = await login(r, env, "198.51.100.41", "guess-10");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.text()).toContain("Too many wrong secrets from your network");
    const sleeps = r.sleeps.length;
    const right = await login(r, env, "198.51.100.41", SECRET);
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    // The one-second wait stays on each wrong try; a limited client is answered at once.
    expect(sleeps).toBe(11);
    expect(r.sleeps).toHaveLength(11);
    // Another address logs in meanwhile.
    expect((await login(r, env, "203.0.113.41", SECRET)).status).toBe(303);
  });

  it("counts Bearer and form failures of one address together", async () => {
    const r = relay();
    const env = limitedEnv();
    for (let i = 0; i < 10; i++) {
      const res = await r.request(
        "/admin/metrics",
        { headers: { authorization: `Bearer guess-${i}`, "cf-connecting-ip": "198.51.100.42" } },
        env,
      );
      expect(res.status).toBe(401);
    }
    expect((await login(r, env, "198.51.100.42", "guess")).status).toBe(429);
    expect(r.lines.join("\n")).not.toContain("198.51.100.42");
  });
});

describe("logging in over plain http", () => {
  const post = (origin: string) =>
    createApp({ log: () => {}, sleep: async () => {} }).request(
      `${origin}/admin/login`,
      { method: "POST", headers: { ...FORM, ...SAME }, body: `secret=${SECRET}` },
      ENV,
    );

  it("says to use https on a public host: the browser would drop the Secure cookie", async () => {
    const answer = await post("http://relay.example.com");
    expect(answer.status).toBe(400);
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(await answer.text()).toContain("https://relay.example.com/admin");
  });

  it.each([["http://localhost:8787"], ["http://127.0.0.1:8787"], ["http://[::1]:8787"], ["http://relay.localhost"]])(
    "logs in on the local machine (%s): browsers keep Secure cookies there",
    async (origin) => {
      expect((await post(origin)).status).toBe(303);
    },
  );
});

describe("the session", () => {
  it("shows the console with the session's own CSRF token", async () => {
    const r = relay();
    const { cookie, csrf } = await logIn(r);
    const session = await readSession(cookie.split("=")[1], SECRET, r.clock.now);
    expect(await validCsrf(csrf, session!, SECRET)).toBe(true);
  });

  it("ends after 8 hours: the login form again, saying so, and the cookie cleared", async () => {
    const r = relay();
    const { cookie } = await logIn(r);
    r.clock.now += SESSION_TTL_SECONDS * 1000;
    const res = await r.request("/admin", { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Your session has ended: log in again.");
    expect(res.headers.get("set-cookie")).toMatch(/^__Secure-relay_admin=; Max-Age=0; /);
  });

  it("ends when ADMIN_SECRET is rotated", async () => {
    const r = relay();
    const { cookie } = await logIn(r);
    const page = await (
      await r.request("/admin", { headers: { cookie } }, { ...ENV, ADMIN_SECRET: `${SECRET}-new` })
    ).text();
    expect(page).toContain('action="/admin/login"');
    expect(page).not.toContain('data-destination="eu"');
  });
});

describe("logging out", () => {
  it("clears the cookie and goes back to the login, with the CSRF token from the form", async () => {
    const r = relay();
    const { cookie, csrf } = await logIn(r);
    const res = await r.request("/admin/logout", {
      method: "POST",
      headers: { ...FORM, ...SAME, cookie },
      body: `csrf_token=${encodeURIComponent(csrf)}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    expect(res.headers.get("set-cookie")).toBe(
      "__Secure-relay_admin=; Max-Age=0; Path=/admin; HttpOnly; Secure; SameSite=Strict",
    );
  });

  it("refuses a logout without the CSRF token, or from another site", async () => {
    const r = relay();
    const { cookie, csrf } = await logIn(r);
    const without = await r.request("/admin/logout", {
      method: "POST",
      headers: { ...FORM, ...SAME, cookie },
      body: "",
    });
    expect(without.status).toBe(403);
    const cross = await r.request("/admin/logout", {
      method: "POST",
      headers: { ...FORM, "sec-fetch-site": "cross-site", cookie },
      body: `csrf_token=${csrf}`,
    });
    expect(cross.status).toBe(403);
    expect(without.headers.get("set-cookie")).toBeNull();
  });
});

describe("POST /admin/destinations/:name/test-event", () => {
  it("sends one synthetic lead with the destination's test code and answers its event_id and fbtrace_id", async () => {
    const r = relay();
    const res = await testEvent(r, "eu", "");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(r.sent).toHaveLength(1);
    const sent = r.sent[0]!;
    expect(sent.url).toBe("https://graph.test/v27.0/111/events");
    expect(sent.body.test_event_code).toBe("TEST4521");
    expect(sent.body.data).toHaveLength(1);
    expect(body).toEqual({
      status: "sent",
      destination: "eu",
      event_id: sent.body.data[0]!.event_id,
      test_event_code: "TEST4521",
      events_received: 1,
      attempts: 1,
      fbtrace_id: "TrAcE-ok",
    });
    expect(JSON.stringify(body)).not.toContain("@");
    expect(JSON.parse(r.lines[0]!)).toMatchObject({
      msg: "admin",
      route: "test_event",
      outcome: "sent",
      destination: "eu",
      fbtrace_id: "TrAcE-ok",
    });
  });

  it("logs and answers Meta's fbtrace_id bounded and escaped, like any outside text", async () => {
    const hostile = `Tr\u202E<b>\n${"x".repeat(200)}`;
    const r = relay({ answers: [() => graphOk(hostile)] });
    const res = await testEvent(r, "eu", "");
    expect(res.status).toBe(200);
    const text = await res.text();
    const answered = (JSON.parse(text) as { fbtrace_id: string }).fbtrace_id;
    expect(answered.length).toBeLessThanOrEqual(64 + 5 * 8);
    expect(answered).not.toMatch(/[\u202E<>\n]/);
    expect(text).not.toContain("\u202E");
    const logged = JSON.parse(r.lines.at(-1)!).fbtrace_id as string;
    expect(logged).toBe(answered);
  });

  it("sends under the test code asked for, over the destination's own", async () => {
    const r = relay();
    expect((await testEvent(r, "eu", { test_event_code: " TEST7777 " })).status).toBe(200);
    expect(r.sent[0]!.body.test_event_code).toBe("TEST7777");
  });

  it("sends nothing without any test code: it would count as a real lead", async () => {
    const r = relay();
    for (const body of ["", {}, { test_event_code: "" }, { test_event_code: null }]) {
      const res = await testEvent(r, "us", body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "test_event_code_required" } });
    }
    expect(r.sent).toHaveLength(0);
  });

  it("answers 409 for a destination without its token, naming the secret to set", async () => {
    const r = relay();
    const res = await testEvent(r, "dry", { test_event_code: "TEST1" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: { code: "dry_run", message: expect.stringContaining("npx wrangler secret put META_ACCESS_TOKEN") },
    });
    expect(r.sent).toHaveLength(0);
  });

  it("answers 409 when the whole relay runs dry", async () => {
    const r = relay();
    const res = await r.request(
      "/admin/destinations/eu/test-event",
      { method: "POST", headers: { authorization: `Bearer ${SECRET}` }, body: "{}" },
      { ...ENV, DRY_RUN: "true" },
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: { message: expect.stringContaining("The relay runs dry: DRY_RUN is true") },
    });
  });

  it("answers 404 for a destination the settings do not name", async () => {
    expect((await testEvent(relay(), "nope", {})).status).toBe(404);
  });

  it.each([
    ["not JSON", "{", "Body must be JSON"],
    ["not an object", "[]", "Body must be a JSON object"],
    ["a code that is not text", { test_event_code: 5 }, "test_event_code must be text"],
    ["a code Meta would not take", { test_event_code: "TEST 1" }, "test_event_code must be 1 to 64"],
  ])("answers 400 for %s", async (_, body, message) => {
    const r = relay();
    const res = await testEvent(r, "eu", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining(message) } });
    expect(r.sent).toHaveLength(0);
  });

  it("answers Meta's refusal with its code, subcode, message and trace id", async () => {
    const r = relay({
      answers: [
        () =>
          Response.json(
            {
              error: {
                code: 190,
                error_subcode: 463,
                message: "Error validating access token: Session has expired",
                fbtrace_id: "TkN190",
              },
            },
            { status: 400 },
          ),
      ],
    });
    const res = await testEvent(r, "eu", {});
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: {
        code: "meta_rejected_configuration",
        message: "Error validating access token: Session has expired",
        fbtrace_id: "TkN190",
        meta_code: 190,
        meta_subcode: 463,
      },
      destination: "eu",
      event_id: r.sent[0]!.body.data[0]!.event_id,
      attempts: 1,
    });
  });

  it("retries what Meta calls transient, and answers 503 when it stays so", async () => {
    const r = relay({
      answers: [
        () =>
          Response.json(
            { error: { code: 2, message: "Service temporarily unavailable", is_transient: true } },
            { status: 503 },
          ),
      ],
    });
    const res = await testEvent(r, "eu", {});
    expect(res.status).toBe(503);
    expect(r.sent.length).toBeGreaterThan(1);
    expect(new Set(r.sent.map((s) => s.body.data[0]!.event_id)).size).toBe(1);
  });

  it("answers 503 when the settings cannot be read", async () => {
    const res = await relay().request(
      "/admin/destinations/eu/test-event",
      { method: "POST", headers: { authorization: `Bearer ${SECRET}` } },
      { ...ENV, DESTINATIONS: "[" },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "relay_misconfigured" } });
  });

  it("needs the session's CSRF token and the console's origin when sent with the cookie", async () => {
    const r = relay();
    const { cookie, csrf } = await logIn(r);
    expect((await testEvent(r, "eu", {}, { cookie, ...SAME })).status).toBe(403);
    expect(
      (await testEvent(r, "eu", {}, { cookie, "x-csrf-token": csrf, "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
    expect(r.sent).toHaveLength(0);
    expect((await testEvent(r, "eu", {}, { cookie, "x-csrf-token": csrf, ...SAME })).status).toBe(200);
    expect(r.sent).toHaveLength(1);
  });

  it("refuses anyone without a credential", async () => {
    const r = relay();
    expect((await testEvent(r, "eu", {}, {})).status).toBe(401);
    expect(r.sent).toHaveLength(0);
  });
});

describe("GET /admin/console.json (the page's data)", () => {
  const BEARER = { authorization: `Bearer ${SECRET}` };

  it("is the model the builder gave, as JSON, never cached", async () => {
    const model: ConsoleModel = { ...sampleConsoleModel(Date.now()), destinations: [] };
    const res = await relay({ model: async () => model }).request("/admin/console.json", { headers: BEARER });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual(model);
  });

  it("is there for a session's cookie, as the page asks for it", async () => {
    const r = relay();
    const { cookie } = await logIn(r);
    const res = await r.request("/admin/console.json", { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ConsoleModel).destinations.map((d) => d.name)).toEqual(["eu", "us", "dry"]);
  });

  it("reads with ADMIN_SECRET alone: no queue, dead-letter store or circuit bound", async () => {
    const res = await relay().request("/admin/console.json", { headers: BEARER }, { ADMIN_SECRET: SECRET });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ConsoleModel).relay.queued).toBe(false);
  });

  it("builds the model from the Worker's env at the clock's time", async () => {
    const seen: { env: object; now: number }[] = [];
    const r = relay({ model: async (env, now) => (seen.push({ env, now }), sampleConsoleModel(now)) });
    await r.request("/admin/console.json", { headers: BEARER });
    expect(seen).toEqual([{ env: ENV, now: r.clock.now }]);
  });

  it("is refused without a credential, or with an ended session, and never built for them", async () => {
    let built = 0;
    const r = relay({ model: async (_env, now) => (built++, sampleConsoleModel(now)) });
    const { cookie } = await logIn(r);
    built = 0; // logging in shows the console once
    r.clock.now += SESSION_TTL_SECONDS * 1000;
    const readers: Record<string, string>[] = [{}, { cookie }, { authorization: "Bearer nope" }];
    for (const headers of readers) {
      const res = await r.request("/admin/console.json", { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect(built).toBe(0);
  });

  it("answers 503 while ADMIN_SECRET is unset", async () => {
    const res = await relay().request("/admin/console.json", { headers: BEARER }, { ...ENV, ADMIN_SECRET: "" });
    expect(res.status).toBe(503);
  });

  it("answers 503 when the model cannot be built, and logs only the error's name", async () => {
    const r = relay({
      model: async () => {
        throw new TypeError("metrics store said something about jane@example.com");
      },
    });
    const res = await r.request("/admin/console.json", { headers: BEARER });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "console_unavailable" } });
    expect(text).not.toContain("jane");
    expect(r.lines.map((l) => JSON.parse(l))).toEqual([
      { level: "error", msg: "admin", route: "console", outcome: "console_unavailable", reason: "TypeError" },
    ]);
  });
});

/** A circuit binding whose one instance answers `statuses` in turn (the last one again and again). */
function fakeCircuits(statuses: CircuitStatus[]) {
  const calls: string[] = [];
  let i = 0;
  const stub = {
    status: async () => (calls.push("status"), statuses[Math.min(i++, statuses.length - 1)]!),
    probeSoon: async () => void calls.push("probeSoon"),
  };
  return { calls, binding: { idFromName: (name: string) => name, get: () => stub } };
}

describe("POST /admin/destinations/:name/probe (Try now)", () => {
  const open: CircuitStatus = {
    open: true,
    cause: "meta_refused",
    since: 0,
    held: 4,
    probes: 1,
    nextProbeAt: 60_000,
    lastFailure: { status: 400, code: 190, subcode: 463, message: "Session has expired." },
  };
  const probe = (r: Relay, env: object, headers: Record<string, string> = { authorization: `Bearer ${SECRET}` }) =>
    r.request("/admin/destinations/us/probe", { method: "POST", headers }, env);

  it("asks the circuit to probe now and answers 'recovered' when Meta took the lead", async () => {
    const circuits = fakeCircuits([open, open, { open: false, held: 0, probes: 0 }]);
    const res = await probe(relay(), { ...ENV, DELIVERY_CIRCUIT: circuits.binding });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "recovered",
      destination: "us",
      message: "Meta accepted the lead: us is live again, and its 4 waiting leads go back on the queue.",
    });
    expect(circuits.calls.slice(0, 2)).toEqual(["status", "probeSoon"]);
  });

  it("answers 'paused' with Meta's words, cleaned, when the probe was refused again", async () => {
    const again = { ...open, probes: 2, nextProbeAt: 120_000 };
    const circuits = fakeCircuits([open, open, again]);
    const body = await (await probe(relay(), { ...ENV, DELIVERY_CIRCUIT: circuits.binding })).json();
    expect(body).toMatchObject({
      status: "paused",
      message: "Still refused: Session has expired (HTTP 400 · code 190/463). Next automatic try at 00:02:00 UTC.",
      meta_code: 190,
    });
  });

  it("answers 'pending' when no verdict came in time, having waited a bounded while", async () => {
    const r = relay();
    const circuits = fakeCircuits([open]);
    expect(await (await probe(r, { ...ENV, DELIVERY_CIRCUIT: circuits.binding })).json()).toMatchObject({
      status: "pending",
    });
    expect(r.sleeps.reduce((a, b) => a + b, 0)).toBe(PROBE_WAIT_MS);
  });

  it("answers 'live' without probing a destination that holds nothing", async () => {
    const circuits = fakeCircuits([{ open: false, held: 0, probes: 0 }]);
    const body = await (await probe(relay(), { ...ENV, DELIVERY_CIRCUIT: circuits.binding })).json();
    expect(body).toMatchObject({ status: "live", message: "Nothing waits: us is not paused." });
    expect(circuits.calls).toEqual(["status"]);
  });

  it("answers 503 without circuits, 404 for an unknown destination", async () => {
    expect((await probe(relay(), ENV)).status).toBe(503);
    const res = await relay().request(
      "/admin/destinations/nope/probe",
      { method: "POST", headers: { authorization: `Bearer ${SECRET}` } },
      { ...ENV, DELIVERY_CIRCUIT: fakeCircuits([open]).binding },
    );
    expect(res.status).toBe(404);
  });

  it("is CSRF-checked like every console action: a session without the token is refused", async () => {
    const r = relay();
    const circuits = fakeCircuits([open]);
    const env = { ...ENV, DELIVERY_CIRCUIT: circuits.binding };
    const { cookie, csrf } = await logIn(r, env);
    circuits.calls.length = 0; // the console page read the circuit's status
    expect((await probe(r, env, { cookie, ...SAME })).status).toBe(403);
    expect(circuits.calls).toEqual([]);
    const res = await probe(r, env, { cookie, ...SAME, "x-csrf-token": csrf });
    expect(res.status).toBe(200);
  });
});
