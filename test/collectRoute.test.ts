/**
 * `POST /collect/cartful` and its `OPTIONS` inside workerd, with wrangler.jsonc's bindings: the
 * real rate limiting binding and metrics store, a recording queue (to read the pack message the
 * route sends), then the real consumer delivering that pack to a fake Graph.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { handleQueueBatch } from "../src/delivery/consumer";
import { type DeliveryMessage, type PackMessage, QUEUE_NAME, readPack } from "../src/delivery/messages";
import { flushSummaries } from "../src/core/logSummary";
import { createApp } from "../src/http/app";
import { MAX_COLLECT_BYTES } from "../src/http/collectRoute";
import { fakeGraph, PERSONAL_VALUES } from "./helpers";
import { fakeQueue } from "./queueFakes";

const ORIGIN = "https://shop.example.com";
const TOKEN = "EAAB-workerd-collect-token";
const ADMIN = "collect-admin-secret";
const EM = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
const CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
let ipSequence = 0;
/** A fresh client address per request, so the real rate limiter stays out of tests that are not about it. */
const nextIp = () => `198.51.100.${(ipSequence++ % 250) + 1}`;

/**
 * The app on the real clock (browser events are stamped with the request's moment, and the
 * metrics answer the last hour), its log lines recorded.
 */
/** The app with a log of its own; `flush` writes the summary lines of accepted requests now (src/core/logSummary). */
function relay() {
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  return { app: createApp({ random: () => 0.5, log }), lines, flush: () => flushSummaries(log) };
}

/** Settings with the route on, a token, and a recording queue in place of the real one. */
function bindings(overrides: Record<string, unknown> = {}) {
  const queue = fakeQueue<DeliveryMessage>();
  return {
    queue,
    env: {
      ...env,
      META_ACCESS_TOKEN: TOKEN,
      META_PIXEL_ID: "111",
      META_GRAPH_URL: "https://graph.test",
      BROWSER_ORIGINS: `${ORIGIN},http://localhost:8788`,
      COOKIE_DOMAIN: "example.com",
      ADMIN_SECRET: ADMIN,
      CAPI_QUEUE: queue.queue,
      ...overrides,
    } as Record<string, unknown>,
  };
}

function addToCart(overrides: Record<string, unknown> = {}) {
  return {
    type: "product:addToCart",
    id: "evt_1",
    occurred_at: new Date(Date.now() - 5_000).toISOString(),
    event_id: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789",
    quiz: { id: "quiz_1" },
    session: { id: "ses_5f1c9a7e2b", attempt: 2 },
    product: { product_id: "8123456789", variant_id: "4455", sku: "SKU-1", price: 24, quantity: 1 },
    recommendations: [],
    store: { currency: "USD", domain: "shop.example.com" },
    user_data: { external_id: EM, em: EM },
    ...overrides,
  };
}

const view = (n: number) =>
  addToCart({
    type: "product:view",
    event_id: `cartful.ses_5f1c9a7e2b.2.product:view.${n}`,
    product: { product_id: String(n) },
  });

function body(events: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    events,
    page_url: "https://shop.example.com/pages/skin-quiz?fbclid=IwAR2xyz",
    referrer: "https://www.facebook.com/",
    consent: { ad_user_data: "granted", ad_storage: "granted" },
    ...overrides,
  };
}

interface Send {
  body?: unknown;
  headers?: Record<string, string>;
  method?: string;
  ip?: string;
}

async function send(r: ReturnType<typeof relay>, bound: Record<string, unknown>, options: Send = {}) {
  const { method = "POST", ip = nextIp() } = options;
  const raw =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const res = await r.app.request(
    "/collect/cartful",
    {
      method,
      headers: {
        origin: ORIGIN,
        "content-type": "text/plain;charset=UTF-8",
        "user-agent": CHROME,
        "cf-connecting-ip": ip,
        ...options.headers,
      },
      ...(raw !== undefined ? { body: raw } : {}),
    },
    bound,
  );
  const text = await res.text();
  return { res, json: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

async function metrics(r: ReturnType<typeof relay>, bound: Record<string, unknown>) {
  const res = await r.app.request("/admin/metrics?window=1h", { headers: { authorization: `Bearer ${ADMIN}` } }, bound);
  return (await res.json()) as Record<string, any>;
}

const packs = (sent: DeliveryMessage[]) => sent.filter((m): m is PackMessage => readPack(m) !== undefined);

describe("/collect/cartful: off, origins and CORS", () => {
  it("is no route (404) until BROWSER_ORIGINS is set, for every method", async () => {
    const r = relay();
    const { env: bound, queue } = bindings({ BROWSER_ORIGINS: undefined });
    for (const method of ["POST", "OPTIONS", "GET"]) {
      const { res, json } = await send(r, bound, {
        method,
        ...(method === "POST" ? { body: body([addToCart()]) } : {}),
      });
      expect(res.status).toBe(404);
      expect(json.error.code).toBe("not_found");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(queue.sent).toEqual([]);
  });

  it("answers a preflight from a listed origin with its CORS headers, and no other", async () => {
    const r = relay();
    const { env: bound } = bindings();
    const { res } = await send(r, bound, { method: "OPTIONS", headers: { "access-control-request-method": "POST" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toBe("Content-Type");
    expect(res.headers.get("access-control-max-age")).toBe("86400");
    expect(res.headers.get("vary")).toContain("Origin");
    for (const origin of ["https://evil.example", "https://shop.example.com.evil.example", "null"]) {
      const foreign = await send(r, bound, { method: "OPTIONS", headers: { origin } });
      expect(foreign.res.status).toBe(403);
      expect(foreign.res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("refuses a foreign origin or none (403), sends nothing, and counts it refused", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const before = (await metrics(r, bound)).browser;
    const foreign = await send(r, bound, { body: body([addToCart()]), headers: { origin: "https://evil.example" } });
    expect(foreign.res.status).toBe(403);
    expect(foreign.json.error.code).toBe("origin_not_allowed");
    expect(foreign.res.headers.get("access-control-allow-origin")).toBeNull();
    const none = await r.app.request(
      "/collect/cartful",
      {
        method: "POST",
        headers: { "content-type": "text/plain", "user-agent": CHROME },
        body: JSON.stringify(body([addToCart()])),
      },
      bound,
    );
    expect(none.status).toBe(403);
    expect(queue.sent).toEqual([]);
    const after = (await metrics(r, bound)).browser;
    expect(after.refused - before.refused).toBe(2);
    expect(after.requests - before.requests).toBe(2);
  });

  it("counts a refused preflight refused, and an answered one not at all (its POST is)", async () => {
    const r = relay();
    const { env: bound } = bindings();
    const before = (await metrics(r, bound)).browser;
    const preflight = (origin: string) =>
      r.app.request("/collect/cartful", { method: "OPTIONS", headers: { origin, "user-agent": CHROME } }, bound);
    expect((await preflight("https://evil.example")).status).toBe(403);
    expect((await preflight(ORIGIN)).status).toBe(204);
    const after = (await metrics(r, bound)).browser;
    expect(after.refused - before.refused).toBe(1);
    expect(after.requests - before.requests).toBe(1);
  });

  it("answers any other method 405 with CORS headers", async () => {
    const r = relay();
    const { res } = await send(r, bindings().env, { method: "PUT", body: "x" });
    expect(res.status).toBe(405);
  });
});

describe("/collect/cartful: the body", () => {
  it.each([
    ["a form", "application/x-www-form-urlencoded", 415, "unsupported_media_type"],
    ["no content type", "", 415, "unsupported_media_type"],
  ])("refuses %s (415), with the CORS headers so the page can read why", async (_, type, status, code) => {
    const r = relay();
    const { res, json } = await send(r, bindings().env, {
      body: body([addToCart()]),
      headers: { "content-type": type },
    });
    expect(res.status).toBe(status);
    expect(json.error.code).toBe(code);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });

  it("reads application/json as text/plain", async () => {
    const r = relay();
    const { res } = await send(r, bindings().env, {
      body: body([addToCart()]),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(202);
  });

  it("refuses a body over 16 KiB (413) and more than 20 events (413), counted invalid", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const before = (await metrics(r, bound)).browser;
    const big = JSON.stringify(body([addToCart()], { referrer: "x".repeat(MAX_COLLECT_BYTES) }));
    const over = await send(r, bound, { body: big });
    expect(over.res.status).toBe(413);
    const many = await send(r, bound, { body: body(Array.from({ length: 21 }, (_, i) => view(i))) });
    expect(many.res.status).toBe(413);
    const twenty = await send(r, bound, { body: body(Array.from({ length: 20 }, (_, i) => view(i))) });
    expect(twenty.res.status).toBe(202);
    const after = (await metrics(r, bound)).browser;
    expect(after.invalid - before.invalid).toBe(2);
    expect(packs(queue.sent)).toHaveLength(1);
  });

  it("reads a body of declared length (as browsers send it) as it reads a streamed one", async () => {
    const now = Date.now();
    const r = { app: createApp({ now: () => now, random: () => 0.5, log: () => {} }) };
    const { env: bound, queue } = bindings();
    const raw = new TextEncoder().encode(JSON.stringify(body([addToCart(), view(7)])));
    const headers = { origin: ORIGIN, "content-type": "text/plain", "user-agent": CHROME };
    const declared = await r.app.request(
      "/collect/cartful",
      { method: "POST", headers: { ...headers, "content-length": String(raw.byteLength) }, body: raw },
      bound,
    );
    const streamed = await r.app.request(
      "/collect/cartful",
      {
        method: "POST",
        headers,
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(raw.slice(0, 100));
            controller.enqueue(raw.slice(100));
            controller.close();
          },
        }),
      },
      bound,
    );
    expect(declared.status).toBe(202);
    expect(await declared.json()).toEqual(await streamed.json());
    const [first, second] = packs(queue.sent);
    expect(first).toEqual(second);
  });

  it("refuses a body that is not JSON (400) or not UTF-8 (400)", async () => {
    const r = relay();
    const { env: bound } = bindings();
    expect((await send(r, bound, { body: "{events:" })).res.status).toBe(400);
    const res = await r.app.request(
      "/collect/cartful",
      {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "text/plain", "user-agent": CHROME },
        body: new Uint8Array([0x7b, 0xff, 0x7d]),
      },
      bound,
    );
    expect(res.status).toBe(400);
  });

  it("refuses a body that does not match (422), naming paths and never values", async () => {
    const r = relay();
    const { res, json } = await send(r, bindings().env, {
      body: body([addToCart({ type: "jane@example.com", session: { id: 7 } })]),
    });
    expect(res.status).toBe(422);
    expect(json.error.code).toBe("invalid_browser_events");
    expect(json.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(["events.0.type"]));
    expect(JSON.stringify(json)).not.toContain("jane@example.com");
  });

  it("never answers 500, whatever the body", async () => {
    const r = relay();
    const { env: bound } = bindings();
    const odd: unknown[] = [
      "",
      "null",
      "[]",
      "42",
      '"text"',
      "{}",
      { events: null },
      { events: {} },
      { events: [null] },
      { events: [[]] },
      { events: ["x"] },
      JSON.parse('{"__proto__": {"events": [1]}, "events": [{"__proto__": {"type": "quiz:complete"}}]}'),
      {
        events: [
          {
            constructor: { prototype: { polluted: true } },
            type: "quiz:complete",
            event_id: "cartful.s.1.quiz:complete",
          },
        ],
      },
      { events: [addToCart({ user_data: { em: "Jane.Doe@Example.COM", ph: "+1 415 555 0123", __proto__: "x" } })] },
      { events: [addToCart({ occurred_at: 1e308 })] },
      { events: [addToCart({ occurred_at: -1 })] },
      { events: [addToCart({ product: { price: "NaN", quantity: -1e9 } })] },
      { events: [addToCart({ session: { attempt: 1e20 } })] },
      { events: [addToCart({ event_id: "cartful." + "\u0000".repeat(300) })] },
      { events: [addToCart({ event_id: "cartful.\ud800" })] },
      { events: [addToCart()], page_url: "javascript:alert(1)", fbp: "fb.1.x.y", fbc: { a: 1 } },
      { events: [addToCart()], consent: "granted" },
      JSON.stringify({ events: [addToCart()] }).replace("{", "{".repeat(1)) + " ",
      "[".repeat(5000) + "]".repeat(5000),
      JSON.stringify({ events: [{ type: "quiz:complete", nested: JSON.parse("[".repeat(2000) + "]".repeat(2000)) }] }),
    ];
    for (const payload of odd) {
      const { res } = await send(r, bound, { body: payload });
      expect(res.status, JSON.stringify(payload).slice(0, 80)).toBeLessThan(500);
      expect([202, 400, 413, 422]).toContain(res.status);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("/collect/cartful: accepted", () => {
  it("queues one pack message per request: the events with the client's IP and agent, hashes only, and sets first-party cookies", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const { res, json } = await send(r, bound, {
      ip: "203.0.113.9",
      headers: { cookie: "_fbp=fb.1.1732560000000.1098765432; other=1" },
      body: body([
        addToCart({ user_data: { em: EM, ph: "+1 (415) 555-0123", external_id: EM } }),
        view(1),
        addToCart({ type: "email:submit", event_id: "cartful.ses_5f1c9a7e2b.2" }),
        addToCart({ event_id: "cartful.jane.doe@example.com.1" }),
      ]),
    });
    expect(res.status).toBe(202);
    expect(json).toEqual({
      status: "queued",
      events: [
        { event_id: "cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789", status: "queued" },
        { event_id: "cartful.ses_5f1c9a7e2b.2.product:view.1", status: "queued" },
        { event_id: "cartful.ses_5f1c9a7e2b.2", status: "skipped", reason: "webhook_only" },
        { status: "skipped", reason: "personal_event_id" },
      ],
    });
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    // _fbp came as a cookie: only the new click id is set, as Meta's Parameter Builder would.
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(
      /^_fbc=fb\.1\.\d+\.IwAR2xyz; Domain=example\.com; Path=\/; Max-Age=7776000; SameSite=Lax; Secure$/,
    );

    expect(queue.queue.sendBatch).toHaveBeenCalledTimes(1);
    expect(queue.sent).toHaveLength(1);
    const pack = queue.sent[0] as PackMessage;
    expect(pack).toMatchObject({ v: 3, kind: "pack" });
    expect(pack.events.map((e) => [e.eventId, e.event.event_name, e.destination, e.origin])).toEqual([
      ["cartful.ses_5f1c9a7e2b.2.product:addToCart.8123456789", "AddToCart", "default", "browser"],
      ["cartful.ses_5f1c9a7e2b.2.product:view.1", "ViewContent", "default", "browser"],
    ]);
    const first = pack.events[0]!.event;
    expect(first.user_data).toMatchObject({
      em: EM,
      external_id: EM,
      client_ip_address: "203.0.113.9",
      client_user_agent: CHROME,
      fbp: "fb.1.1732560000000.1098765432",
    });
    expect(first.user_data.fbc).toBe(cookies[0]!.split(";")[0]!.slice("_fbc=".length));
    expect(first.user_data).not.toHaveProperty("ph");
    expect(first).toMatchObject({
      action_source: "website",
      event_source_url: expect.stringContaining("https://shop.example.com/pages/skin-quiz"),
    });
    const wire = JSON.stringify(queue.sent);
    for (const value of [...PERSONAL_VALUES, "jane.doe@example.com", "+1 (415) 555-0123"])
      expect(wire).not.toContain(value);
    // Accepted: summed in one line with the others of its second, its outcome and size, never its
    // address, agent or values.
    expect(r.lines).toEqual([]);
    r.flush();
    const logged = r.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ msg: "collect", outcome: "queued", status: 202, requests: 1, batch_size: 4 }),
    ]);
    for (const value of ["203.0.113.9", CHROME, EM, "+1 (415) 555-0123"])
      expect(r.lines.join("\n")).not.toContain(value);
  });

  it("never takes the client's address from the body, and sets _fbp when the request had none", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const { res } = await send(r, bound, {
      ip: "2001:db8:1:2::7",
      body: body([view(2)], { client_ip_address: "192.0.2.1", page_url: "https://shop.example.com/quiz" }),
    });
    expect(res.status).toBe(202);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^_fbp=fb\.1\.\d+\.\d+; Domain=example\.com;/);
    const event = (queue.sent[0] as PackMessage).events[0]!.event;
    expect(event.user_data.client_ip_address).toBe("2001:db8:1:2::7");
    expect(event.user_data.fbp).toBe(cookies[0]!.split(";")[0]!.slice("_fbp=".length));
  });

  it("sends no email address or phone number in clear from a product id or quiz name; the event still goes", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const personal = addToCart({
      quiz: { id: "quiz_1", name: "Call +1 650 555 0199" },
      product: { product_id: "Clear.Person@Mail-test.io", price: 24, quantity: 1 },
    });
    const { res, json } = await send(r, bound, { body: body([personal]) });
    expect(res.status).toBe(202);
    expect(json.events[0].status).toBe("queued");
    const event = (queue.sent[0] as PackMessage).events[0]!.event;
    expect(event.custom_data ?? {}).not.toHaveProperty("content_name");
    expect(event.custom_data ?? {}).not.toHaveProperty("content_ids");
    expect(JSON.stringify(queue.sent)).not.toMatch(/Mail-test|650 555/i);
  });

  it("sets no cookie without COOKIE_DOMAIN", async () => {
    const r = relay();
    const { res } = await send(r, bindings({ COOKIE_DOMAIN: undefined }).env, { body: body([view(3)]) });
    expect(res.status).toBe(202);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("answers a known bot 202, sends nothing and counts it", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const before = (await metrics(r, bound)).browser;
    const { res, json } = await send(r, bound, {
      body: body([view(4)]),
      headers: { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" },
    });
    expect(res.status).toBe(202);
    expect(json).toEqual({
      status: "queued",
      reason: "known_bot",
      events: [{ event_id: "cartful.ses_5f1c9a7e2b.2.product:view.4", status: "skipped", reason: "known_bot" }],
    });
    expect(queue.sent).toEqual([]);
    expect(res.headers.getSetCookie()).toEqual([]);
    const after = (await metrics(r, bound)).browser;
    expect(after.bots - before.bots).toBe(1);
    expect(after.events - before.events).toBe(0);
  });

  it("logs instead of queueing in dry run, without the IP", async () => {
    const r = relay();
    const { env: bound, queue } = bindings({ META_ACCESS_TOKEN: undefined });
    const { res, json } = await send(r, bound, { ip: "203.0.113.44", body: body([view(5)]) });
    expect(res.status).toBe(202);
    expect(json).toEqual({
      status: "dry_run",
      events: [{ event_id: "cartful.ses_5f1c9a7e2b.2.product:view.5", status: "dry_run" }],
    });
    expect(queue.sent).toEqual([]);
    const dry = r.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "capi_event");
    expect(dry).toHaveLength(1);
    expect(dry[0]).toMatchObject({
      outcome: "dry_run",
      event_id: "cartful.ses_5f1c9a7e2b.2.product:view.5",
      destination: "default",
    });
    expect(r.lines.join("\n")).not.toContain("203.0.113.44");
  });

  it("answers 503 when another setting is broken, readable by a listed origin's page (CORS) and by no other", async () => {
    const r = relay();
    const broken = bindings({ DESTINATIONS: "[not json" }).env;
    const listed = await send(r, broken, { body: body([view(5)]) });
    expect(listed.res.status).toBe(503);
    expect(listed.json.error.code).toBe("relay_misconfigured");
    expect(listed.res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(listed.res.headers.get("access-control-allow-credentials")).toBe("true");
    const preflight = await send(r, broken, { method: "OPTIONS" });
    expect(preflight.res.status).toBe(503);
    expect(preflight.res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const other = await send(r, broken, { body: body([view(5)]), headers: { origin: "https://evil.example" } });
    expect(other.res.status).toBe(503);
    expect(other.res.headers.get("access-control-allow-origin")).toBeNull();
    // BROWSER_ORIGINS itself unreadable: no origin is listed.
    const origins = await send(r, bindings({ BROWSER_ORIGINS: "*" }).env, { body: body([view(5)]) });
    expect(origins.res.status).toBe(503);
    expect(origins.res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers 503 when the queue refuses, so the snippet's next page may send again", async () => {
    const r = relay();
    const { res, json } = await send(r, bindings({ CAPI_QUEUE: fakeQueue<DeliveryMessage>(true).queue }).env, {
      body: body([view(6)]),
    });
    expect(res.status).toBe(503);
    expect(json.error.code).toBe("queue_unavailable");
    expect(res.headers.get("retry-after")).toBe("30");
  });

  it("counts requests and events, and each destination's browser events per Meta event name", async () => {
    const r = relay();
    const { env: bound } = bindings();
    const before = await metrics(r, bound);
    await send(r, bound, { body: body([view(7), view(8), addToCart()]) });
    const after = await metrics(r, bound);
    expect(after.browser.requests - before.browser.requests).toBe(1);
    expect(after.browser.events - before.browser.events).toBe(3);
    expect(after.destinations.default.routed - before.destinations.default.routed).toBe(3);
    const names = after.destinations.default.browser_events;
    const was = before.destinations.default.browser_events;
    expect(names.ViewContent.routed - (was.ViewContent?.routed ?? 0)).toBe(2);
    expect(names.AddToCart.routed - (was.AddToCart?.routed ?? 0)).toBe(1);
  });
  it("counts an event refused for consent as routed and skipped at its destination, as a webhook's", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const before = await metrics(r, bound);
    const { json } = await send(r, bound, {
      body: body([view(9)], { consent: { ad_user_data: "denied", ad_storage: "granted" } }),
    });
    expect(json.events).toEqual([{ event_id: expect.any(String), status: "skipped", reason: "consent_denied" }]);
    expect(queue.sent).toHaveLength(0);
    const after = await metrics(r, bound);
    expect(after.destinations.default.routed - before.destinations.default.routed).toBe(1);
    expect(after.destinations.default.skipped - before.destinations.default.skipped).toBe(1);
    expect(after.browser.events - before.browser.events).toBe(1);
  });
});

describe("/collect/cartful: rate limit", () => {
  it("answers 429 with Retry-After past 120 requests a minute from one client, sends nothing more; another client goes on", async () => {
    const r = relay();
    const { env: bound, queue } = bindings();
    const ip = "203.0.113.250";
    const statuses: number[] = [];
    for (let i = 0; i < 125; i++) statuses.push((await send(r, bound, { ip, body: body([view(i)]) })).res.status);
    expect(statuses.slice(0, 120).every((s) => s === 202)).toBe(true);
    expect(statuses.slice(120)).toEqual([429, 429, 429, 429, 429]);
    expect(packs(queue.sent)).toHaveLength(120);
    const limited = await send(r, bound, { ip, body: body([view(1)]) });
    expect(limited.res.headers.get("retry-after")).toBe("60");
    expect(limited.json.error.code).toBe("rate_limited");
    expect(limited.res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    // The snippet reads it to wait before sending again (a cross-origin page sees only exposed headers).
    expect(limited.res.headers.get("access-control-expose-headers")).toBe("Retry-After");
    expect((await send(r, bound, { ip: "203.0.113.251", body: body([view(1)]) })).res.status).toBe(202);
    const m = await metrics(r, bound);
    expect(m.browser.rate_limited).toBeGreaterThanOrEqual(6);
  });
});

describe("the pack in the consumer", () => {
  async function packFromRoute(events: unknown[], overrides: Record<string, unknown> = {}) {
    const { env: bound, queue } = bindings(overrides);
    const { res } = await send(relay(), bound, { body: body(events) });
    expect(res.status).toBe(202);
    return queue.sent[0] as PackMessage;
  }

  async function consume(
    pack: PackMessage,
    graph: ReturnType<typeof fakeGraph>,
    bound: Record<string, unknown>,
    attempts = 1,
  ) {
    const batch = createMessageBatch(QUEUE_NAME, [{ id: "pack-1", timestamp: new Date(), attempts, body: pack }]);
    const retry = vi.spyOn(batch.messages[0]!, "retry");
    const ctx = createExecutionContext();
    await handleQueueBatch(batch, bound, ctx, { fetch: graph.fetch, log: () => {}, random: () => 0 });
    return { result: await getQueueResult(batch, ctx), delays: retry.mock.calls.map((c) => c[0]?.delaySeconds) };
  }

  it("sends a pack's events in one request and acks its message", async () => {
    const pack = await packFromRoute([view(10), view(11), addToCart()]);
    const graph = fakeGraph((ids) => Response.json({ events_received: ids.length, fbtrace_id: "T" }));
    const { env: bound, queue } = bindings();
    const { result } = await consume(pack, graph, bound);
    expect(graph.requests.map((r) => r.ids)).toEqual([pack.events.map((e) => e.eventId)]);
    expect(result.explicitAcks).toEqual(["pack-1"]);
    expect(queue.sent).toEqual([]);
  });

  it("retries the whole message when every event waits (a transient failure)", async () => {
    const pack = await packFromRoute([view(12), view(13)]);
    const graph = fakeGraph(() =>
      Response.json({ error: { message: "down", code: 2, is_transient: true } }, { status: 503 }),
    );
    const { env: bound, queue } = bindings();
    const { result, delays } = await consume(pack, graph, bound);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["pack-1"]);
    expect(delays).toEqual([10]); // the first backoff window, 10–20 s (src/delivery/policy.ts)
    expect(queue.sent).toEqual([]);
  });

  it("acks a mixed pack and re-sends only what is unfinished, with its attempts carried", async () => {
    const several = {
      DESTINATIONS: JSON.stringify([
        { name: "us", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN" },
        { name: "eu", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN" },
      ]),
    };
    const pack = await packFromRoute([view(14)], several);
    expect(pack.events.map((e) => e.destination)).toEqual(["us", "eu"]);
    const graph = fakeGraph((_, url) =>
      url.includes("/222/")
        ? Response.json({ error: { message: "down", code: 2, is_transient: true } }, { status: 503 })
        : Response.json({ events_received: 1, fbtrace_id: "T" }),
    );
    const { env: bound, queue } = bindings(several);
    const { result } = await consume(pack, graph, bound, 2);
    expect(result.explicitAcks).toEqual(["pack-1"]);
    expect(queue.sent).toEqual([{ v: 3, kind: "pack", events: [pack.events[1]], attempts: 2 }]);
  });

  it("dead-letters an event Meta refuses as one event, not its pack", async () => {
    const pack = await packFromRoute([view(15), view(16)]);
    const bad = pack.events[1]!.eventId;
    const graph = fakeGraph((ids) =>
      ids.includes(bad)
        ? Response.json({ error: { message: "Invalid parameter", code: 100, error_subcode: 2804003 } }, { status: 400 })
        : Response.json({ events_received: ids.length, fbtrace_id: "T" }),
    );
    const dlq = fakeQueue<unknown>();
    const { env: bound, queue } = bindings({ CAPI_DLQ: dlq.queue });
    const { result } = await consume(pack, graph, bound);
    expect(result.explicitAcks).toEqual(["pack-1"]);
    expect(queue.sent).toEqual([]);
    expect(dlq.sent).toEqual([expect.objectContaining({ kind: "dead_letter", key: bad, reason: "rejected" })]);
  });
});
