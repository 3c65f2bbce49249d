/**
 * The demo shop: a quiz page on its own origin (127.0.0.1, a port of its own) that runs the real
 * snippet against the relay, with the fake Meta's Pixel stand-in, so a newcomer sees each quiz
 * event reach Meta from both sides and the pairs deduplicated by `event_id` (on the fake Meta's
 * page), and, with one click, the Pixel blocked and the server copies still arriving.
 * `npm run dev:meta` (dev/dev-meta.ts) starts it and sets the relay's `BROWSER_ORIGINS` to it.
 *
 * Routes, all bounded and on loopback only:
 * - `GET /` the page (page.ts), `GET /?pixel=blocked` the page without the Pixel;
 * - `GET /studio-pixel.js` the repository's src/pixel/studio-pixel.js, read from disk on each
 *   request and served as it is (never a copy that could drift);
 * - `GET /quiz.js` the quiz (quiz.js beside this file);
 * - `POST /studio/email` what Studio's backend does when the email modal is completed: posts the
 *   webhook (`email:submit`) to the relay's `/webhooks/cartful` with the webhook secret, which
 *   never reaches the browser, and answers the relay's status, `event_id` and destinations.
 *   JSON only (so another site cannot post it without a CORS preflight this server never
 *   answers), from this origin only, at most 2 KiB.
 * A request whose `Host` is not this server's `127.0.0.1:port` is refused (421), so a page on
 * another site cannot reach it through DNS rebinding, and the relay's `BROWSER_ORIGINS` (this
 * exact origin) holds.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEMO_PRODUCTS, DEMO_QUIZ } from "./catalog.ts";
import { renderShopPage, shopPolicy } from "./page.ts";

const SNIPPET = new URL("../../src/pixel/studio-pixel.js", import.meta.url);
const QUIZ = new URL("./quiz.js", import.meta.url);
/** The largest `/studio/email` body read. */
export const MAX_LEAD_BODY = 2048;
/** How long the relay may take to answer the webhook. */
const WEBHOOK_TIMEOUT_MS = 10_000;

export interface DemoShopOptions {
  /** The relay's base URL, e.g. http://127.0.0.1:8787. */
  relayUrl: string;
  /** The fake Meta's base URL (its Pixel stand-in). */
  metaUrl: string;
  pixel: string;
  /** The relay's WEBHOOK_SECRET. */
  webhookSecret: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How the webhook is posted (the global fetch by default). */
  fetch?: typeof fetch;
}

export interface DemoShop {
  /** http://127.0.0.1:{port}: the page, and the origin the relay's BROWSER_ORIGINS must list. */
  url: string;
  close(): Promise<void>;
}

/** What the page sends when the shopper completes the email modal. */
export interface LeadRequest {
  session: { id: string; attempt: number };
  customer_id: string;
  email: string;
  page_url: string;
}

/**
 * Reads `/studio/email`'s body: a lead of this shop's page, or a message saying what is wrong
 * (never echoing a value).
 *
 * @example
 * ```ts
 * readLead({ session: { id: "ses_demo_1", attempt: 1 }, customer_id: "demo:1", email: "a@example.com",
 *            page_url: "http://127.0.0.1:8790/" }, "http://127.0.0.1:8790"); // the same object
 * readLead({ email: "x" }, "http://127.0.0.1:8790"); // "session.id must be 1 to 64 letters, digits, _ or -"
 * ```
 */
export function readLead(body: unknown, origin: string): LeadRequest | string {
  const record = (value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const input = record(body);
  const session = record(input.session);
  const { customer_id: customerId, email, page_url: pageUrl } = input;
  if (typeof session.id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(session.id))
    return "session.id must be 1 to 64 letters, digits, _ or -";
  if (!Number.isInteger(session.attempt) || (session.attempt as number) < 1 || (session.attempt as number) > 1000)
    return "session.attempt must be a whole number from 1 to 1000";
  if (typeof customerId !== "string" || !/^[A-Za-z0-9:_-]{1,64}$/.test(customerId))
    return "customer_id must be 1 to 64 letters, digits, :, _ or -";
  if (typeof email !== "string" || email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    return "email must be an email address";
  if (typeof pageUrl !== "string" || pageUrl.length > 1024 || !pageUrl.startsWith(`${origin}/`))
    return "page_url must be a page of this shop";
  return {
    session: { id: session.id, attempt: session.attempt as number },
    customer_id: customerId,
    email,
    page_url: pageUrl,
  };
}

/**
 * Studio's webhook for a completed email modal, as fixtures/canonical.json shapes it: the demo's
 * session, shopper and products, stamped now with a fresh Studio id. The browser's user agent and
 * `_fbp` cookie go in `context`, as Studio reports them; no IP (a loopback address is no match key).
 *
 * @example
 * ```ts
 * leadWebhook(lead, { userAgent: "Mozilla/5.0 …", fbp: "fb.1.1732560000000.1098765432", now: Date.now(), id: "evt_demo_1" });
 * // { type: "email:submit", id: "evt_demo_1", session: lead.session, shopper: { email, customer_id, … }, … }
 * ```
 */
export function leadWebhook(
  lead: LeadRequest,
  request: { userAgent?: string; fbp?: string; now: number; id: string },
): Record<string, unknown> {
  return {
    type: "email:submit",
    id: request.id,
    occurred_at: new Date(request.now).toISOString(),
    store: { domain: new URL(lead.page_url).hostname, currency: "USD" },
    quiz: DEMO_QUIZ,
    session: lead.session,
    shopper: { email: lead.email, customer_id: lead.customer_id, marketing_consent: true },
    context: {
      page_url: lead.page_url,
      ...(request.userAgent ? { user_agent: request.userAgent } : {}),
      ...(request.fbp ? { fbp: request.fbp } : {}),
      consent: { ad_storage: "granted", ad_user_data: "granted" },
    },
    recommendations: DEMO_PRODUCTS.map((product) => ({ ...product, quantity: 1 })),
  };
}

/** A first-party `_fbp` cookie's value, when it has Meta's shape. */
function fbpCookie(header: string | undefined): string | undefined {
  const value = /(?:^|;\s*)_fbp=([^;]{1,200})/.exec(header ?? "")?.[1];
  return value && /^fb\.\d\.\d{13}\.\d+$/.test(value) ? value : undefined;
}

class TooLarge extends Error {}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_LEAD_BODY) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Starts the demo shop on 127.0.0.1.
 *
 * @example
 * ```ts
 * const shop = await startDemoShop({ relayUrl, metaUrl: meta.url, pixel: DEV_PIXEL, webhookSecret: "dev-secret" });
 * // open shop.url; the relay needs BROWSER_ORIGINS=shop.url
 * await shop.close();
 * ```
 */
export async function startDemoShop(options: DemoShopOptions): Promise<DemoShop> {
  const post = options.fetch ?? fetch;
  let origin = "";

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  const script = async (res: ServerResponse, file: URL) => {
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
    res.end(await readFile(file));
  };

  async function lead(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
      return json(res, 415, { error: "JSON only" });
    if (req.headers.origin !== undefined && req.headers.origin !== origin)
      return json(res, 403, { error: "only this shop's pages may post a lead" });
    let body: unknown;
    try {
      body = JSON.parse(await readSmallBody(req));
    } catch (error) {
      if (error instanceof TooLarge) return json(res, 413, { error: `at most ${MAX_LEAD_BODY} bytes` });
      return json(res, 400, { error: "not JSON" });
    }
    const read = readLead(body, origin);
    if (typeof read === "string") return json(res, 422, { error: read });
    const userAgent = req.headers["user-agent"]?.slice(0, 512);
    const fbp = fbpCookie(req.headers.cookie);
    const webhook = leadWebhook(read, {
      ...(userAgent ? { userAgent } : {}),
      ...(fbp ? { fbp } : {}),
      now: Date.now(),
      id: `evt_demo_${randomUUID()}`,
    });
    let response: Response;
    try {
      response = await post(`${options.relayUrl}/webhooks/cartful`, {
        method: "POST",
        headers: { authorization: `Bearer ${options.webhookSecret}`, "content-type": "application/json" },
        body: JSON.stringify(webhook),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
    } catch {
      return json(res, 502, { error: "the relay did not answer" });
    }
    // Only what the page shows: the relay's answers carry no personal data, and this passes on less.
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    const destinations = Array.isArray(answer.destinations) ? answer.destinations.slice(0, 20) : [];
    json(res, 200, {
      status: typeof answer.status === "string" ? answer.status.slice(0, 64) : undefined,
      event_id: typeof answer.event_id === "string" ? answer.event_id.slice(0, 256) : undefined,
      relay_status: response.status,
      destinations: destinations.map((d: unknown) => {
        const { name, status } = (d ?? {}) as { name?: unknown; status?: unknown };
        return { name: String(name).slice(0, 64), status: String(status).slice(0, 64) };
      }),
      ...(typeof answer.error === "object" && answer.error !== null
        ? { error: String((answer.error as { code?: unknown }).code).slice(0, 64) }
        : {}),
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin || "http://127.0.0.1");
    const route = async () => {
      if (`http://${req.headers.host ?? ""}` !== origin)
        return json(res, 421, { error: `open ${origin}/ (the origin the relay's BROWSER_ORIGINS lists)` });
      if (req.method === "GET" && url.pathname === "/") {
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "content-security-policy": shopPolicy(options),
        });
        return void res.end(
          renderShopPage({
            collect: `${options.relayUrl}/collect/cartful`,
            metaUrl: options.metaUrl,
            relayUrl: options.relayUrl,
            pixel: options.pixel,
            blocked: url.searchParams.get("pixel") === "blocked",
          }),
        );
      }
      if (req.method === "GET" && url.pathname === "/studio-pixel.js") return script(res, SNIPPET);
      if (req.method === "GET" && url.pathname === "/quiz.js") return script(res, QUIZ);
      if (req.method === "POST" && url.pathname === "/studio/email") return lead(req, res);
      json(res, 404, { error: "not found" });
    };
    route().catch(() => {
      if (!res.headersSent) json(res, 500, { error: "the demo shop failed" });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
