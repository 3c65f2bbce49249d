/**
 * The operator console inside workerd, with wrangler.jsonc's real bindings (the dead-letter
 * store, circuits, queues): login, the page's shell and its data, a console action through the
 * JSON admin routes with the session cookie and its CSRF token, and a test event against a fake
 * Graph. The rules
 * themselves are tested in src/http (session, admin, console/*); this checks they hold in the
 * runtime that serves them (Web Crypto HMACs, Hono's cookies, the Durable Object stubs).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/http/app";
import { SESSION_COOKIE, sessionTokenOf } from "../src/http/session";
import { metricsStoreOf } from "../src/observe/instances";
import { fakeGraph, graphOk } from "./helpers";

const ADMIN_SECRET = "workerd-console-admin-secret";
const ORIGIN = "https://relay.example.workers.dev";
const consoleEnv = {
  ...env,
  ADMIN_SECRET,
  META_GRAPH_URL: "https://graph.test",
  META_TOKEN_EU: "EAAB-workerd-console-token",
  DESTINATIONS: JSON.stringify([
    { name: "eu", pixel_id: "111", access_token_secret: "META_TOKEN_EU", test_event_code: "TEST4521" },
  ]),
};

/**
 * The app on the real clock: the JSON admin routes check sessions against Date.now, so a session
 * issued on a frozen test clock would look expired (or not yet valid) to them.
 */
function relay(graph = fakeGraph(graphOk())) {
  return { app: createApp({ fetch: graph.fetch, sleep: async () => {}, log: () => {} }), graph };
}

async function logIn(app: ReturnType<typeof relay>["app"]) {
  const res = await app.request(
    `${ORIGIN}/admin/login`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: `secret=${ADMIN_SECRET}`,
    },
    consoleEnv,
  );
  expect(res.status).toBe(303);
  const cookie = `${SESSION_COOKIE}=${sessionTokenOf(res.headers.get("set-cookie"))}`;
  const page = await (await app.request(`${ORIGIN}/admin`, { headers: { cookie } }, consoleEnv)).text();
  return { cookie, page, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]! };
}

describe("the console in workerd", () => {
  it("answers 503 while ADMIN_SECRET is unset", async () => {
    const { app } = relay();
    expect((await app.request(`${ORIGIN}/admin`, {}, env)).status).toBe(503);
  });

  it("logs in and shows the page's shell, its data for the session, under its CSP", async () => {
    const { app } = relay();
    const { cookie, page } = await logIn(app);
    expect(page).toContain('<script src="/console/page.js" nonce="');
    const data = await app.request(`${ORIGIN}/admin/console.json`, { headers: { cookie } }, consoleEnv);
    expect(data.status).toBe(200);
    expect(data.headers.get("cache-control")).toBe("no-store");
    expect(((await data.json()) as { destinations: { name: string }[] }).destinations.map((d) => d.name)).toEqual([
      "eu",
    ]);
    const res = await app.request(`${ORIGIN}/admin`, {}, consoleEnv);
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'nonce-/);
    expect(await res.text()).toContain('action="/admin/login"');
  });

  it("re-drives through the real dead-letter store with the cookie and its CSRF token, and not without", async () => {
    const { app } = relay();
    const { cookie, csrf } = await logIn(app);
    const replay = (headers: Record<string, string>) =>
      app.request(
        `${ORIGIN}/admin/dead-letters/replay`,
        {
          method: "POST",
          headers: { "content-type": "application/json", cookie, "sec-fetch-site": "same-origin", ...headers },
          body: JSON.stringify({ keys: ["cartful.ses_none.1@eu"] }),
        },
        consoleEnv,
      );
    expect((await replay({})).status).toBe(403);
    const res = await replay({ "x-csrf-token": csrf });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ dryRun: false, replayed: [], refused: [], notFound: ["cartful.ses_none.1@eu"] });
  });

  it("sends a test event under the destination's test code", async () => {
    const graph = fakeGraph(graphOk("TrAcEwOrKeRd"));
    const { app } = relay(graph);
    const { cookie, csrf } = await logIn(app);
    const res = await app.request(
      `${ORIGIN}/admin/destinations/eu/test-event`,
      {
        method: "POST",
        headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" },
        body: "{}",
      },
      consoleEnv,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "sent", destination: "eu", fbtrace_id: "TrAcEwOrKeRd" });
    expect(graph.calls).toHaveLength(1);
    expect(graph.calls[0]!.body).toMatchObject({ test_event_code: "TEST4521" });
  });

  it("records a test event Meta refused as the destination's last failure and signal, as the consumer's refusals are", async () => {
    const before = Date.now();
    const graph = fakeGraph(() =>
      Response.json(
        { error: { message: "Error validating access token", code: 190, error_subcode: 463, fbtrace_id: "TrTe" } },
        { status: 400 },
      ),
    );
    const { app } = relay(graph);
    const { cookie, csrf } = await logIn(app);
    const res = await app.request(
      `${ORIGIN}/admin/destinations/eu/test-event`,
      {
        method: "POST",
        headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" },
        body: "{}",
      },
      consoleEnv,
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    const store = metricsStoreOf(env)!;
    expect((await store.latest()).eu?.lastFailure).toMatchObject({ code: 190, subcode: 463, fbtraceId: "TrTe" });
    expect((await store.latest()).eu?.lastFailure?.at).toBeGreaterThanOrEqual(before);
    expect((await store.signals(Date.now())).eu).toEqual([
      expect.objectContaining({ kind: "token", detail: "190/463", count: 1 }),
    ]);
    // Not a lead: nothing counted.
    expect((await store.windowCounts("24h", Date.now())).eu).toBeUndefined();
  });
});
