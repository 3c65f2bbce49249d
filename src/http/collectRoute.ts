/**
 * Browser events: `POST /collect/cartful` and its CORS `OPTIONS` (contract, "Inbound: browser
 * events"; docs/browser-events.md). The Pixel snippet sends each quiz event it gives the Pixel here
 * too, with the same `event_id`, so every quiz event reaches Meta from the server as well.
 *
 * A request goes through, in this order, each step cheaper than the next: the settings (the route
 * is off, 404, until `BROWSER_ORIGINS` is set), the `Origin` (403 unless listed), the client's rate
 * (429, Cloudflare's rate limiting binding keyed by client IP, an IPv6 address by its /64), the
 * content type (415), the size (413 over 16 KiB, read no further), the JSON (400), the schema (422,
 * or 413 over 20 events), a known bot (202, nothing sent). Then the events are planned per
 * destination (src/transform/browserEvents.ts), logged in dry run or handed to the delivery queue
 * as ONE message (a pack, src/delivery/messages.ts): no Durable Object is asked anything, so a
 * browser event costs a share of one queue operation. Each request is counted (src/observe,
 * buffered per isolate) and logged in one line, never with its IP or a value of its body.
 *
 * Every refusal is an {@link ApiError}; nothing a client sends can make a 500.
 *
 * @example
 * ```ts
 * app.route(COLLECT_PATH, collectRoutes(runtime));
 * // a shop page (https://shop.example.com, listed in BROWSER_ORIGINS):
 * // fetch("https://capi.example.com/collect/cartful", { method: "POST", keepalive: true, credentials: "include",
 * //   headers: { "content-type": "text/plain" }, body: JSON.stringify({ events: [...], page_url: location.href }) })
 * // → 202 {"status": "queued", "events": [{"event_id": "cartful.ses_a.1.product:view.81", "status": "queued"}]}
 * ```
 */
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { type LogFields, logLine } from "../core/log";
import { summariseAccepted } from "../core/logSummary";
import type { Runtime } from "../core/runtime";
import { readBrowserOrigins } from "../config/browserSettings";
import { ConfigError, configFor, type Destination, type RelayConfig } from "../config/settings";
import type { QueueBindings } from "../delivery/bindings";
import { packEvents, type QueuedEvent, sendBatches } from "../delivery/messages";
import type { BrowserRecord } from "../observe/metrics";
import { isKnownBot } from "../transform/bots";
import {
  type BrowserBatch,
  type BrowserEventPlan,
  parseBrowserBatch,
  planBrowserEvents,
} from "../transform/browserEvents";
import { answerableEventId } from "../transform/eventId";
import { firstPartyCookies, readFbCookies } from "../transform/firstPartyCookies";
import type { SettingVars } from "./bindings";
import { clientAddressKey } from "./clientAddress";
import { ApiError } from "./errors";
import { readBody, strictUtf8 } from "./requestBody";
import { waitUntilOf } from "./waitUntil";
import { withoutIp } from "./webhookRoute";

/** Where the route is mounted. */
export const COLLECT_PATH = "/collect/cartful";

/** The contract's limit on a browser request's body. */
export const MAX_COLLECT_BYTES = 16 * 1024;

/** How long a browser may keep a preflight's answer (s). */
export const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

/** `Retry-After` of a rate-limited request: the binding's window (wrangler.jsonc `period`). */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 60;

/** The route's bindings: delivery's queue, the rate limiter, the metrics store, and the settings. */
export type CollectBindings = QueueBindings & Partial<Pick<Env, "COLLECT_RATE_LIMIT" | "METRICS">> & SettingVars;

/** Counts a request for the metrics; `waitUntil` keeps the Worker alive for the (buffered) write. */
export type CollectMetrics = (
  env: CollectBindings,
  record: BrowserRecord,
  waitUntil?: (promise: Promise<unknown>) => void,
) => void;

/** What the route is handed: the outside world and its metrics recorder. */
export interface CollectRuntime extends Pick<Runtime, "now" | "random" | "log" | "sleep"> {
  metrics: CollectMetrics;
}

type CollectContext = Context<{ Bindings: CollectBindings }>;
type Plan = BrowserEventPlan<Destination>;

/** One event in the answer: its `event_id` (absent when it may not be echoed), its status, and why when skipped. */
export interface CollectEventView {
  event_id?: string;
  status: "queued" | "dry_run" | "skipped";
  reason?: string;
}

/**
 * The 202 answer: the relay's mode (`queued`, or `dry_run`) and each event's status. A known bot's
 * request says `reason: "known_bot"`, every event skipped for it.
 */
export interface CollectAnswer {
  status: "queued" | "dry_run";
  reason?: "known_bot";
  events: CollectEventView[];
}

/**
 * The routes under {@link COLLECT_PATH}: `POST`, `OPTIONS`, and 405 for any other method (404
 * while the route is off).
 *
 * @example
 * ```ts
 * app.route(COLLECT_PATH, collectRoutes({ ...defaultRuntime(), metrics: (env, r, w) => recordLater(env, browserBatch(r, Date.now()), w) }));
 * ```
 */
export function collectRoutes(runtime: CollectRuntime): Hono<{ Bindings: CollectBindings }> {
  const routes = new Hono<{ Bindings: CollectBindings }>();
  routes.post("/", (c) => acceptBrowserEvents(c, runtime));
  routes.options("/", (c) => preflight(c, runtime));
  routes.all("/", (c) => {
    settingsOf(c, runtime);
    throw new ApiError("method_not_allowed", "Use POST");
  });
  return routes;
}

/**
 * `OPTIONS`: the CORS answer for a listed origin; 403 for any other, counted `refused` as a `POST`
 * from it is (the contract counts every request answered 403). An answered preflight is not
 * counted: the `POST` that follows is.
 */
function preflight(c: CollectContext, runtime: CollectRuntime): Response {
  const browser = settingsOf(c, runtime);
  const origin = c.req.header("origin");
  c.header("Vary", "Origin");
  if (origin === undefined || !browser.origins.has(origin)) {
    const error = new ApiError("origin_not_allowed", "This origin may not send browser events");
    refuse({ c, runtime, started: runtime.now() }, error, "refused", {
      reason: origin === undefined ? "no_origin" : "origin",
    });
  }
  for (const [name, value] of Object.entries(preflightHeaders(origin))) c.header(name, value);
  return c.body(null, 204);
}

/** The route's settings; 404 while the route is off, 503 when the settings cannot be read. */
function settingsOf(c: CollectContext, runtime: CollectRuntime): NonNullable<RelayConfig["browser"]> {
  let config: RelayConfig;
  try {
    config = configFor(c.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logLine(runtime.log, { msg: "collect", route: "collect", level: "error", outcome: "misconfigured" });
    allowListedOrigin(c);
    throw new ApiError("relay_misconfigured", error.message);
  }
  if (!config.browser) throw new ApiError("not_found", "No such route");
  return config.browser;
}

/**
 * The CORS headers of a listed origin while another setting cannot be read, so the page can read
 * the 503 that says so; nothing when `BROWSER_ORIGINS` itself cannot be read (no origin is listed).
 */
function allowListedOrigin(c: CollectContext): void {
  let origins: ReadonlySet<string> | undefined;
  try {
    origins = readBrowserOrigins(c.env.BROWSER_ORIGINS);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return;
  }
  if (origins) allowOrigin(c, origins);
}

/** Whether the request's `Origin` is listed in `origins`; when it is, the answer carries its CORS headers. */
function allowOrigin(c: CollectContext, origins: ReadonlySet<string>): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined || !origins.has(origin)) return false;
  for (const [name, value] of Object.entries(corsHeaders(origin))) c.header(name, value);
  return true;
}

/** One request on its way: its context, the world, and how it ends (counted once, logged once). */
interface Intake {
  c: CollectContext;
  runtime: CollectRuntime;
  started: number;
}

/**
 * `POST /collect/cartful` (see the module comment for the order of its checks).
 *
 * @example
 * ```ts
 * routes.post("/", (c) => acceptBrowserEvents(c, runtime));
 * ```
 */
export async function acceptBrowserEvents(c: CollectContext, runtime: CollectRuntime): Promise<Response> {
  const intake: Intake = { c, runtime, started: runtime.now() };
  const { config, browser, ip } = await admit(intake);
  const batch = await readBatch(intake);
  const userAgent = c.req.header("user-agent");
  const mode = modeOf(config);
  if (isKnownBot(userAgent)) {
    finish(
      intake,
      { outcome: "bot", events: 0, deliveries: [] },
      { status: 202, outcome: "bot", batch_size: batch.events.length },
    );
    return c.json(
      botAnswer(
        batch.events.map((event) => event.event_id),
        mode,
      ),
      202,
    );
  }

  const now = runtime.now();
  const { cookies, setCookie } = firstPartyCookies({
    cookieDomain: browser.cookieDomain,
    cookies: readFbCookies(c.req.header("cookie")),
    pageUrl: batch.page_url,
    fbp: batch.fbp,
    now,
    random: runtime.random,
  });
  const plans = plan(intake, () => planBrowserEvents(batch, { ip, userAgent, cookies }, config.destinations, now));
  const deliveries = plans.flatMap((p) => (p.status === "send" ? p.deliveries : []));
  if (mode === "dry_run") logDryRun(runtime, deliveries);
  else if (deliveries.length > 0) {
    try {
      await enqueueBrowserEvents(c.env, deliveries, now);
    } catch {
      const error = new ApiError("queue_unavailable", "Service temporarily unavailable", { retryAfter: 30 });
      return refuse(intake, error, "other", { reason: "queue_unavailable", batch_size: deliveries.length });
    }
  }
  finish(intake, browserRecord(plans, mode), { status: 202, outcome: mode, batch_size: batch.events.length });
  for (const cookie of setCookie) c.header("Set-Cookie", cookie, { append: true });
  return c.json(collectAnswer(plans, mode), 202);
}

/**
 * Who may send: the settings (404 while the route is off), the `Origin` (403; from here on every
 * answer carries the CORS headers), the client's rate (429).
 */
async function admit(
  intake: Intake,
): Promise<{ config: RelayConfig; browser: NonNullable<RelayConfig["browser"]>; ip: string | undefined }> {
  const { c } = intake;
  let config: RelayConfig;
  try {
    config = configFor(c.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    allowListedOrigin(c);
    return refuse(intake, new ApiError("relay_misconfigured", error.message), "other", { reason: "misconfigured" });
  }
  const browser = config.browser;
  if (!browser) throw new ApiError("not_found", "No such route");
  c.header("Cache-Control", "no-store");
  c.header("Vary", "Origin");
  if (!allowOrigin(c, browser.origins)) {
    const error = new ApiError("origin_not_allowed", "This origin may not send browser events");
    return refuse(intake, error, "refused", { reason: c.req.header("origin") === undefined ? "no_origin" : "origin" });
  }
  const ip = c.req.header("cf-connecting-ip");
  if (!(await withinRate(intake))) {
    const error = new ApiError("rate_limited", "Too many requests from this address", {
      retryAfter: RATE_LIMIT_RETRY_AFTER_SECONDS,
    });
    return refuse(intake, error, "rate_limited", {});
  }
  return { config, browser, ip };
}

/** The body as a validated batch: its content type (415), size (413), JSON (400) and schema (422, or 413 past 20 events). */
async function readBatch(intake: Intake): Promise<BrowserBatch> {
  if (!isCollectContentType(intake.c.req.header("content-type"))) {
    const error = new ApiError("unsupported_media_type", "Send browser events as text/plain or application/json");
    return refuse(intake, error, "invalid", { reason: "content_type" });
  }
  const raw = await readBounded(intake);
  let json: unknown;
  try {
    json = JSON.parse(strictUtf8.decode(raw));
  } catch {
    return refuse(intake, new ApiError("invalid_json", "Body is not valid JSON"), "invalid", { reason: "json" });
  }
  const parsed = parseBrowserBatch(json);
  if (parsed.ok) return parsed.batch;
  if (parsed.error === "too_many_events") {
    const error = new ApiError("payload_too_large", "At most 20 events a request");
    return refuse(intake, error, "invalid", { reason: "too_many_events" });
  }
  const error = new ApiError("invalid_browser_events", "The events do not match the schema", { issues: parsed.issues });
  return refuse(intake, error, "invalid", { issues: parsed.issues.map((issue) => issue.path) });
}

/** The plan of a validated batch; should planning ever throw, it is still the client's input (422), never a 500. */
function plan(intake: Intake, planning: () => Plan[]): Plan[] {
  try {
    return planning();
  } catch (error) {
    const answer = new ApiError("invalid_browser_events", "The events could not be read", { issues: [] });
    return refuse(intake, answer, "invalid", { reason: (error as Error).name });
  }
}

/** Whether the client is within its rate; an unbound or failing limiter lets the request through (logged). */
async function withinRate({ c, runtime }: Intake): Promise<boolean> {
  const limiter = c.env.COLLECT_RATE_LIMIT;
  if (!limiter) return true;
  try {
    return (await limiter.limit({ key: clientAddressKey(c.req.raw.headers) })).success;
  } catch {
    logLine(runtime.log, { msg: "collect", route: "collect", level: "warn", outcome: "rate_limit_unavailable" });
    return true;
  }
}

/** The body, at most {@link MAX_COLLECT_BYTES}: read no further than the limit (413 past it, 400 when it breaks off). */
async function readBounded(intake: Intake): Promise<Uint8Array> {
  const tooLarge = () =>
    refuse(intake, new ApiError("payload_too_large", "Body is over 16 KiB"), "invalid", { reason: "too_large" });
  const unreadable = () => {
    const answer = new ApiError("unreadable_body", "The body could not be read to its end");
    return refuse(intake, answer, "invalid", { reason: "unreadable" });
  };
  let body: Uint8Array | undefined;
  try {
    body = await readBody(intake.c.req.raw, MAX_COLLECT_BYTES);
  } catch {
    return unreadable();
  }
  return body ?? tooLarge();
}

/**
 * Hands the deliveries to the queue as one pack message (two only if they pass a message's size),
 * marked as browser events: the consumer asks no intake ledger about them, and Meta keeps one copy
 * of each `event_id` should the client send a request twice.
 */
async function enqueueBrowserEvents(
  env: CollectBindings,
  deliveries: { destination: Destination; event: QueuedEvent["event"] }[],
  now: number,
): Promise<void> {
  const queue = env.CAPI_QUEUE;
  if (!queue) throw new Error("CAPI_QUEUE is not bound");
  const events: QueuedEvent[] = deliveries.map(({ destination, event }) => ({
    v: 2,
    eventId: event.event_id,
    studioEventId: event.event_id,
    destination: destination.name,
    pixelId: destination.pixelId,
    event,
    acceptedAt: now,
    origin: "browser",
  }));
  for (const run of sendBatches(packEvents(events)))
    await queue.sendBatch(run.map((body) => ({ body, contentType: "json" as const })));
}

/** Dry run: each event a destination would be sent, logged without its IP address, as the webhook's are. */
function logDryRun(runtime: CollectRuntime, deliveries: { destination: Destination; event: QueuedEvent["event"] }[]) {
  for (const { destination, event } of deliveries) {
    logLine(runtime.log, {
      msg: "capi_event",
      route: "collect",
      outcome: "dry_run",
      dry_run: true,
      destination: destination.name,
      event_id: event.event_id,
      event: withoutIp(event),
    });
  }
}

type Logged = Pick<LogFields, "reason" | "issues" | "batch_size">;

/** Counts and logs a refusal, then throws it (rendered by the app's one error handler, CORS headers kept). */
function refuse(intake: Intake, error: ApiError, outcome: BrowserRecord["outcome"], fields: Logged): never {
  finish(
    intake,
    { outcome, events: 0, deliveries: [] },
    { ...fields, status: error.status, outcome: outcome === "other" ? error.code : outcome, level: "warn" },
  );
  throw error;
}

/** The request's one count and one log line (summed with others of its second when it went as expected). */
function finish(
  { c, runtime, started }: Intake,
  record: BrowserRecord,
  fields: Logged & Pick<LogFields, "status" | "outcome" | "level">,
): void {
  const latency = runtime.now() - started;
  const waitUntil = waitUntilOf(c);
  if (fields.status === 202 && (fields.outcome === "queued" || fields.outcome === "bot")) {
    // As expected: summed with the others of this second (../core/logSummary).
    summariseAccepted(
      runtime.log,
      { msg: "collect", route: "collect", outcome: fields.outcome, status: 202 },
      { latency_ms: latency, events: fields.batch_size ?? 0 },
      { sleep: runtime.sleep, waitUntil },
    );
  } else logLine(runtime.log, { msg: "collect", route: "collect", latency_ms: latency, ...fields });
  runtime.metrics(c.env, record, waitUntil);
}

/**
 * What an accepted request adds to the metrics: its events, and each delivery and consent skip
 * per destination and Meta event name.
 *
 * @example
 * ```ts
 * browserRecord(plans, "queued"); // { outcome: "accepted", events: 2, deliveries: [{ destination: "default", eventName: "AddToCart", status: "queued" }] }
 * ```
 */
export function browserRecord(plans: readonly Plan[], mode: "queued" | "dry_run"): BrowserRecord {
  const deliveries: BrowserRecord["deliveries"] = [];
  for (const plan of plans) {
    if (plan.status === "send")
      for (const { destination, event } of plan.deliveries)
        deliveries.push({ destination: destination.name, eventName: event.event_name, status: mode });
    // A consent skip counts per destination whether or not another destination took the event.
    for (const { destination } of plan.skipped ?? []) {
      const eventName = destination.browserEvents.get(plan.type);
      if (eventName !== undefined) deliveries.push({ destination: destination.name, eventName, status: "skipped" });
    }
  }
  return { outcome: "accepted", events: plans.length, deliveries };
}

/**
 * The 202 answer: the request's mode and each event's status, in the body's order.
 *
 * @example
 * ```ts
 * collectAnswer(plans, "queued");
 * // { status: "queued", events: [{ event_id: "cartful.ses_a.1.product:view.81", status: "queued" },
 * //                               { event_id: "cartful.ses_a.1.email:submit", status: "skipped", reason: "webhook_only" }] }
 * ```
 */
export function collectAnswer(plans: readonly Plan[], mode: "queued" | "dry_run"): CollectAnswer {
  return {
    status: mode,
    events: plans.map((plan) => ({
      ...(plan.eventId !== undefined ? { event_id: plan.eventId } : {}),
      ...(plan.status === "send" ? { status: mode } : { status: "skipped" as const, reason: plan.reason }),
    })),
  };
}

/** What the relay does with accepted events: queue them, or log them in dry run. */
function modeOf(config: RelayConfig): "queued" | "dry_run" {
  return config.dryRun ? "dry_run" : "queued";
}

/**
 * A known bot's answer: 202 in the relay's mode, every event skipped, nothing sent. Only ids that
 * may be named back are (../transform/eventId `answerableEventId`).
 *
 * @example
 * ```ts
 * botAnswer(["cartful.ses_a.1.quiz:complete"], "queued");
 * // { status: "queued", reason: "known_bot", events: [{ event_id: …, status: "skipped", reason: "known_bot" }] }
 * ```
 */
export function botAnswer(eventIds: readonly (string | undefined)[], mode: "queued" | "dry_run"): CollectAnswer {
  return {
    status: mode,
    reason: "known_bot",
    events: eventIds.map((id) => ({
      ...(answerableEventId(id) !== undefined ? { event_id: id } : {}),
      status: "skipped",
      reason: "known_bot",
    })),
  };
}

/**
 * Whether a `Content-Type` is one the route reads: `application/json` or `text/plain` (what
 * `sendBeacon` and a no-preflight `fetch` send), parameters such as `charset` allowed.
 *
 * @example
 * ```ts
 * isCollectContentType("text/plain;charset=UTF-8"); // true
 * isCollectContentType("application/x-www-form-urlencoded"); // false
 * ```
 */
export function isCollectContentType(value: string | undefined): boolean {
  const type = value?.split(";", 1)[0]?.trim().toLowerCase();
  return type === "application/json" || type === "text/plain";
}

/**
 * The CORS headers of an answer to a listed origin: that origin exactly, with credentials (so
 * the first-party cookies travel), `Retry-After` readable by the page (the snippet waits that long
 * after a 429 or 503 before it sends again), and `Vary: Origin` for caches.
 *
 * @example
 * ```ts
 * corsHeaders("https://shop.example.com");
 * // { "Access-Control-Allow-Origin": "https://shop.example.com", "Access-Control-Allow-Credentials": "true",
 * //   "Access-Control-Expose-Headers": "Retry-After", Vary: "Origin" }
 * ```
 */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Expose-Headers": "Retry-After",
    Vary: "Origin",
  };
}

/**
 * A preflight's headers for a listed origin: {@link corsHeaders}, the methods and the one header
 * the snippet may send, and how long the answer may be kept.
 *
 * @example
 * ```ts
 * preflightHeaders("https://shop.example.com")["Access-Control-Allow-Methods"]; // "POST, OPTIONS"
 * ```
 */
export function preflightHeaders(origin: string): Record<string, string> {
  return {
    ...corsHeaders(origin),
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_SECONDS),
  };
}
