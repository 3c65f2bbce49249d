import { readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PRODUCTS, DEMO_QUIZ } from "./catalog.ts";
import { renderShopPage } from "./page.ts";
import { type DemoShop, leadWebhook, MAX_LEAD_BODY, readLead, startDemoShop } from "./server.ts";

const PIXEL = "100000000000001";
const SECRET = "dev-secret-for-the-demo-test";
const META = "http://127.0.0.1:8789";
const SNIPPET = readFileSync(new URL("../../src/pixel/studio-pixel.js", import.meta.url), "utf8");
const QUIZ = readFileSync(new URL("./quiz.js", import.meta.url), "utf8");

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** A stand-in for the relay's webhook route: records what came and answers as told. */
let relay: Server;
let relayUrl: string;
let received: Received[] = [];
let answer: { status: number; body: unknown } = { status: 202, body: {} };
let shop: DemoShop;

beforeAll(async () => {
  relay = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(body) });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  shop = await startDemoShop({ relayUrl, metaUrl: META, pixel: PIXEL, webhookSecret: SECRET });
});
afterAll(async () => {
  await shop.close();
  await new Promise((resolve) => relay.close(resolve));
});
afterEach(() => {
  received = [];
  answer = { status: 202, body: {} };
});

const lead = () => ({
  session: { id: "ses_demo_0123456789", attempt: 1 },
  customer_id: "demo:01234567",
  email: "newcomer@example.com",
  page_url: `${shop.url}/`,
});

function postLead(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${shop.url}/studio/email`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("the demo shop's page", () => {
  it("listens on loopback only", () => {
    expect(shop.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("loads the Pixel stand-in from the fake Meta, the snippet and the quiz, with the relay as collect", async () => {
    const response = await fetch(`${shop.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<script src="${META}/fbevents.js"></script>`);
    expect(html).toContain('<script src="/studio-pixel.js"></script>');
    expect(html).toContain('<script src="/quiz.js"></script>');
    const config = JSON.parse(/<script type="application\/json" id="demo-config">(.*?)<\/script>/.exec(html)![1]!);
    expect(config).toEqual({
      collect: `${relayUrl}/collect/cartful`,
      pixel: PIXEL,
      quiz: DEMO_QUIZ,
      products: DEMO_PRODUCTS,
    });
    // One card per product, its buttons naming the Studio events they fire.
    expect(html.match(/data-type="product:view"/g)).toHaveLength(DEMO_PRODUCTS.length);
    expect(html.match(/data-type="product:addToCart"/g)).toHaveLength(DEMO_PRODUCTS.length);
    expect(html).toContain('href="/?pixel=blocked"');
    expect(html).not.toContain(SECRET);
    expect(response.headers.get("content-security-policy")).toBe(
      `default-src 'none'; script-src 'self' ${META}; img-src ${META} data:; connect-src 'self' ${relayUrl}; ` +
        "style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    );
  });

  it("leaves the Pixel out when blocked, as an ad blocker would", async () => {
    const html = await (await fetch(`${shop.url}/?pixel=blocked`)).text();
    expect(html).not.toContain("fbevents.js</script>");
    expect(html).toContain("Pixel blocked");
    expect(html).toContain('<script src="/studio-pixel.js"></script>');
  });

  it("serves the repository's snippet and the quiz as they are", async () => {
    const snippet = await fetch(`${shop.url}/studio-pixel.js`);
    expect(snippet.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await snippet.text()).toBe(SNIPPET);
    expect(await (await fetch(`${shop.url}/quiz.js`)).text()).toBe(QUIZ);
    expect((await fetch(`${shop.url}/nothing`)).status).toBe(404);
  });

  it("keeps JSON settings from closing their script element", () => {
    const html = renderShopPage({
      collect: "http://127.0.0.1:1/</script><script>alert(1)</script>",
      metaUrl: META,
      relayUrl: "http://127.0.0.1:1",
      pixel: PIXEL,
      blocked: false,
    });
    expect(html).not.toContain("</script><script>alert(1)");
  });

  it("answers only requests addressed to 127.0.0.1:port (no DNS rebinding, one origin for BROWSER_ORIGINS)", async () => {
    const { port } = new URL(shop.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/", headers: { host: `attacker.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe("POST /studio/email: the webhook, as Studio's backend posts it", () => {
  it("posts email:submit to the relay's webhook route with the secret, and answers what the page shows", async () => {
    answer = {
      status: 202,
      body: {
        status: "queued",
        event_id: "cartful.ses_demo_0123456789.1",
        destinations: [{ name: "default", status: "queued", extra: "x" }],
      },
    };
    const response = await postLead(lead(), {
      cookie: "_fbp=fb.1.1732560000000.1098765432; other=1",
      "user-agent": "Mozilla/5.0 (demo)",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "queued",
      event_id: "cartful.ses_demo_0123456789.1",
      relay_status: 202,
      destinations: [{ name: "default", status: "queued" }],
    });
    expect(received).toHaveLength(1);
    const [webhook] = received;
    expect(webhook!.path).toBe("/webhooks/cartful");
    expect(webhook!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(webhook!.headers["content-type"]).toBe("application/json");
    expect(webhook!.body).toMatchObject({
      type: "email:submit",
      session: { id: "ses_demo_0123456789", attempt: 1 },
      shopper: { email: "newcomer@example.com", customer_id: "demo:01234567", marketing_consent: true },
      context: {
        page_url: `${shop.url}/`,
        user_agent: "Mozilla/5.0 (demo)",
        fbp: "fb.1.1732560000000.1098765432",
        consent: { ad_storage: "granted", ad_user_data: "granted" },
      },
    });
    expect(webhook!.body.recommendations).toEqual(DEMO_PRODUCTS.map((product) => ({ ...product, quantity: 1 })));
    expect(webhook!.body.id).toMatch(/^evt_demo_[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(webhook!.body.occurred_at) - Date.now())).toBeLessThan(5000);
  });

  it("refuses what a page of another site could send, or too much, before anything reaches the relay", async () => {
    expect((await postLead(lead(), { "content-type": "text/plain" })).status).toBe(415);
    expect((await postLead(lead(), { origin: "https://attacker.example" })).status).toBe(403);
    expect((await postLead("x".repeat(MAX_LEAD_BODY + 1))).status).toBe(413);
    expect((await postLead("{not json")).status).toBe(400);
    const bad = await postLead({ ...lead(), email: "not an email", page_url: "https://attacker.example/" });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).not.toContain("not an email");
    expect((await postLead({ ...lead(), page_url: "https://attacker.example/" })).status).toBe(422);
    expect(received).toEqual([]);
  });

  it("says 502 when the relay does not answer, without leaking the relay's own error text", async () => {
    const down = await startDemoShop({
      relayUrl: "http://127.0.0.1:1",
      metaUrl: META,
      pixel: PIXEL,
      webhookSecret: SECRET,
    });
    try {
      const response = await fetch(`${down.url}/studio/email`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...lead(), page_url: `${down.url}/` }),
      });
      expect(response.status).toBe(502);
    } finally {
      await down.close();
    }
    answer = { status: 401, body: { error: { code: "unauthorized", message: "a long message" } } };
    const refused = await postLead(lead());
    expect(await refused.json()).toEqual({ relay_status: 401, destinations: [], error: "unauthorized" });
  });
});

describe("readLead and leadWebhook", () => {
  const origin = "http://127.0.0.1:8790";
  it("bounds every field", () => {
    const good = { ...lead(), page_url: `${origin}/` };
    expect(readLead(good, origin)).toEqual(good);
    expect(readLead({ ...good, session: { id: "x".repeat(65), attempt: 1 } }, origin)).toMatch(/^session\.id/);
    expect(readLead({ ...good, session: { id: "s", attempt: 1.5 } }, origin)).toMatch(/^session\.attempt/);
    expect(readLead({ ...good, customer_id: "a b" }, origin)).toMatch(/^customer_id/);
    expect(readLead({ ...good, email: `${"a".repeat(250)}@example.com` }, origin)).toMatch(/^email/);
    expect(readLead({ ...good, page_url: `${origin}/${"p".repeat(1024)}` }, origin)).toMatch(/^page_url/);
    expect(readLead({ ...good, page_url: `${origin}.attacker.example/` }, origin)).toMatch(/^page_url/);
    expect(readLead(null, origin)).toMatch(/^session\.id/);
    expect(readLead(JSON.parse('{"__proto__": {"id": "s"}}'), origin)).toMatch(/^session\.id/);
  });

  it("shapes Studio's webhook: no IP, no fbp without a cookie", () => {
    const webhook = leadWebhook({ ...lead(), page_url: `${origin}/` }, { now: 0, id: "evt_demo_1" });
    expect(webhook).toMatchObject({
      id: "evt_demo_1",
      occurred_at: "1970-01-01T00:00:00.000Z",
      store: { domain: "127.0.0.1" },
    });
    expect(webhook.context).toEqual({
      page_url: `${origin}/`,
      consent: { ad_storage: "granted", ad_user_data: "granted" },
    });
  });
});
