/**
 * The HTTP shell: Hono routes that wire the pure core (config, auth, transform, Graph client)
 * to the world. Routes, status codes and the error shape are the contract's
 * (../shared/contract/README.md).
 *
 * @example
 * ```ts
 * // src/index.ts
 * export default { fetch: createApp().fetch };
 * // a test with a fake Graph and a frozen clock
 * const app = createApp({ fetch: fakeGraph, now: () => 1764096127000, sleep: async () => {} });
 * ```
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { authenticate, WebhookVerificationError } from "./auth";
import { ConfigError, configFor, type RelayConfig, webhookSecret } from "../config/settings";
import { eventsRequestBody, eventsUrl, type GraphOutcome } from "../delivery/graph";
import { type LogFields, type LogSink, logLine } from "../config/log";
import { adminRoutes } from "./admin";
import { enqueueEvent, type EnqueueResult } from "../delivery/producer";
import { type TransformResult, transformWebhook } from "../transform/transformWebhook";
import { type DeliverDeps, deliver } from "../delivery/retry";
import type { ServerEvent } from "../transform/capi";

/** The contract's limit on a webhook body. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The outside world, injectable for tests. */
export interface AppDeps extends Omit<DeliverDeps, "timeoutMs"> {
  log: LogSink;
}

type AppEnv = { Bindings: Env };

type ErrorCode =
  | "invalid_json"
  | "unauthorized"
  | "payload_too_large"
  | "unsupported_media_type"
  | "invalid_webhook"
  | "relay_misconfigured"
  | "meta_rejected_event"
  | "meta_rejected_configuration"
  | "meta_unavailable"
  | "queue_unavailable"
  | "delivery_in_progress"
  | "not_found"
  | "method_not_allowed"
  | "internal_error";

/**
 * Builds the relay's Hono app. Every dependency on the outside world can be replaced.
 */
export function createApp(overrides: Partial<AppDeps> = {}): Hono<AppEnv> {
  const deps: AppDeps = {
    // Late-bound, so a test that stubs globalThis.fetch is honoured.
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log: (line) => console.log(line),
    ...overrides,
  };
  const app = new Hono<AppEnv>();

  app.get("/healthz", (c) => {
    let mode = "misconfigured";
    try {
      mode = configFor(c.env).graph ? "live" : "dry_run";
    } catch {}
    return c.json({ status: "ok", mode });
  });

  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => errorAnswer(c, 413, "payload_too_large", `Body is over ${MAX_BODY_BYTES / 1024} KiB`),
  });
  app.post("/webhooks/cartful", limit, (c) => handleWebhook(c, deps, false));
  app.post("/webhooks/cartful/preview", limit, (c) => handleWebhook(c, deps, true));
  app.all("/webhooks/cartful", (c) => errorAnswer(c, 405, "method_not_allowed", "Use POST"));
  app.all("/webhooks/cartful/preview", (c) => errorAnswer(c, 405, "method_not_allowed", "Use POST"));

  app.route("/admin", adminRoutes);

  app.notFound((c) => errorAnswer(c, 404, "not_found", "No such route"));
  app.onError((error, c) => {
    logLine(deps.log, { msg: "error", level: "error", outcome: "internal_error", reason: error.name });
    return errorAnswer(c, 500, "internal_error", "Unexpected error");
  });
  return app;
}

async function handleWebhook(c: Context<AppEnv>, deps: AppDeps, preview: boolean): Promise<Response> {
  const started = deps.now();
  const route = preview ? "preview" : "webhook";
  const log = (fields: Omit<LogFields, "msg" | "route">) =>
    logLine(deps.log, { msg: "webhook", route, latency_ms: deps.now() - started, ...fields });

  // Authentication first: a caller without the secret learns nothing, not even that a
  // setting is broken.
  const raw = new Uint8Array(await c.req.arrayBuffer());
  let auth: string;
  try {
    auth = await authenticate(c.req.raw.headers, raw, webhookSecret(c.env) ?? "", deps.now());
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    log({ level: "warn", outcome: "unauthorized", status: 401, reason: error.reason });
    return errorAnswer(c, 401, "unauthorized", `Authentication failed: ${error.reason}`);
  }

  let config: RelayConfig;
  try {
    config = configFor(c.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log({ level: "error", outcome: "misconfigured", status: 503, reason: error.message, auth });
    return errorAnswer(c, 503, "relay_misconfigured", error.message);
  }

  if (!isJsonContentType(c.req.header("content-type"))) {
    log({ level: "warn", outcome: "rejected", status: 415, auth });
    return errorAnswer(c, 415, "unsupported_media_type", "Send the webhook as application/json");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    log({ level: "warn", outcome: "rejected", status: 400, auth });
    return errorAnswer(c, 400, "invalid_json", "Body is not valid JSON");
  }

  const now = deps.now();
  let result: TransformResult;
  try {
    result = transformWebhook(payload, config, now);
  } catch (error) {
    // No known input gets here; should one, it is still the sender's input, not a 500.
    log({ level: "error", outcome: "invalid", status: 422, auth, reason: (error as Error).name });
    return errorAnswer(c, 422, "invalid_webhook", "The webhook could not be read", { issues: [] });
  }
  if (result.outcome === "invalid") {
    log({ level: "warn", outcome: "invalid", status: 422, auth, issues: result.issues.map((i) => i.path) });
    return c.json(
      {
        error: { code: "invalid_webhook", message: "The webhook does not match the schema", issues: result.issues },
        issues: result.issues,
      },
      422,
    );
  }
  const ids = { event_id: result.eventId, studio_event_id: result.studioEventId, auth };
  if (result.outcome === "skipped") {
    log({ outcome: "skipped", status: 200, reason: result.reason, ...ids });
    return c.json({ status: "skipped", reason: result.reason, event_id: result.eventId });
  }

  const event = result.event;
  if (preview) {
    log({ outcome: "previewed", status: 200, ...ids });
    return c.json({ status: "preview", event_id: result.eventId, request: previewRequest(config, event) });
  }
  if (!config.graph) {
    log({ outcome: "dry_run", status: 200, dry_run: true, event: withoutIp(event), ...ids });
    return c.json({
      status: "dry_run",
      event_id: result.eventId,
      message: "META_ACCESS_TOKEN is not set: the event was built and logged, and not sent",
    });
  }

  if (c.env.CAPI_QUEUE) return enqueue(c, deps, config, result, auth, log);

  const { outcome, attempts } = await deliver(config.graph, [event], { ...deps, timeoutMs: config.timeoutMs });
  if (outcome.ok) {
    log({
      outcome: "sent",
      status: 200,
      attempts,
      events_received: outcome.eventsReceived,
      ...(outcome.fbtraceId ? { fbtrace_id: outcome.fbtraceId } : {}),
      ...ids,
    });
    return c.json({
      status: "sent",
      event_id: result.eventId,
      events_received: outcome.eventsReceived,
      attempts,
      ...(outcome.fbtraceId ? { fbtrace_id: outcome.fbtraceId } : {}),
    });
  }
  const failure = metaFailure(outcome);
  const meta = metaFields(outcome);
  log({ level: "error", outcome: failure.code, status: failure.status, attempts, ...meta, ...ids });
  if (failure.status === 503) {
    c.header("Retry-After", String(Math.max(1, Math.ceil((outcome.retryAfterMs ?? 30_000) / 1000))));
  }
  return errorAnswer(c, failure.status, failure.code, outcome.userMessage ?? outcome.message, {
    event_id: result.eventId,
    attempts,
    ...(outcome.userMessage !== undefined ? { meta_message: outcome.message } : {}),
    ...meta,
  });
}

/**
 * The durable path: hand the finished event to the queue once per Studio event and answer 202.
 * A redelivery within 48 hours is answered 202 again, naming the first delivery's event_id.
 */
async function enqueue(
  c: Context<AppEnv>,
  deps: AppDeps,
  config: RelayConfig,
  result: Extract<TransformResult, { outcome: "event" }>,
  auth: string,
  log: (fields: Omit<LogFields, "msg" | "route">) => void,
): Promise<Response> {
  const ids = { event_id: result.eventId, studio_event_id: result.studioEventId, auth };
  const webhookId = auth === "signature" ? c.req.header("webhook-id") : undefined;
  let queued: EnqueueResult;
  try {
    queued = await enqueueEvent(
      c.env,
      {
        event: result.event,
        studioEventId: result.studioEventId,
        pixelId: config.pixelId,
        ...(webhookId ? { webhookId } : {}),
      },
      deps.now(),
      deps.log,
    );
  } catch {
    log({ level: "error", outcome: "enqueue_failed", status: 503, ...ids });
    c.header("Retry-After", "30");
    return errorAnswer(c, 503, "queue_unavailable", "The event could not be queued; redeliver later", {
      event_id: result.eventId,
    });
  }
  if (queued.status === "in_flight") {
    log({ level: "warn", outcome: "in_flight", status: 503, ...ids });
    c.header("Retry-After", String(queued.retryAfterSeconds));
    return errorAnswer(c, 503, "delivery_in_progress", "Another delivery of this event is being queued", {
      event_id: queued.eventId,
    });
  }
  log({ outcome: queued.status, status: 202, ...ids, event_id: queued.eventId });
  return c.json({ status: queued.status, event_id: queued.eventId }, 202);
}

/**
 * How a failed delivery is answered: Meta refusing the event itself (code 100) is the
 * sender's data, 422; a transient failure is 503 (redeliver later); anything else permanent is
 * our configuration (token, permissions, version), 502.
 */
function metaFailure(outcome: Extract<GraphOutcome, { ok: false }>): {
  status: 422 | 502 | 503;
  code: ErrorCode;
} {
  if (outcome.transient) return { status: 503, code: "meta_unavailable" };
  if (outcome.code === 100) return { status: 422, code: "meta_rejected_event" };
  return { status: 502, code: "meta_rejected_configuration" };
}

/** Meta's trace id and error codes, where Meta gave them: for the log line and the answer. */
function metaFields(outcome: Extract<GraphOutcome, { ok: false }>) {
  return {
    ...(outcome.fbtraceId ? { fbtrace_id: outcome.fbtraceId } : {}),
    ...(outcome.code !== undefined ? { meta_code: outcome.code } : {}),
    ...(outcome.subcode !== undefined ? { meta_subcode: outcome.subcode } : {}),
  };
}

/** The request the relay would send, token redacted. */
function previewRequest(config: RelayConfig, event: ServerEvent) {
  const target = config.graph ?? {
    graphUrl: config.graphUrl,
    apiVersion: config.apiVersion,
    pixelId: config.pixelId,
    accessToken: "",
    ...(config.testEventCode ? { testEventCode: config.testEventCode } : {}),
  };
  return {
    method: "POST",
    url: eventsUrl(target),
    headers: { "content-type": "application/json" },
    body: {
      ...eventsRequestBody(target, [event]),
      access_token: "[REDACTED]",
      ...(target.appSecretProof ? { appsecret_proof: "[REDACTED]" } : {}),
    },
  };
}

/** The event as it may be logged: no IP address. */
function withoutIp(event: ServerEvent): ServerEvent {
  const { client_ip_address: _ip, ...userData } = event.user_data;
  return { ...event, user_data: userData };
}

function isJsonContentType(value: string | undefined): boolean {
  const type = value?.split(";", 1)[0]?.trim().toLowerCase();
  return type === "application/json" || (type !== undefined && /^application\/[\w.+-]+\+json$/.test(type));
}

function errorAnswer(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  return c.json({ error: { code, message, ...extra } }, status);
}
