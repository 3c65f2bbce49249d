/**
 * The Studio webhook route, `POST /webhooks/cartful[/{source}][/preview]`: authenticate, read
 * the settings, validate, transform, then per destination preview, log (dry run), queue, or send
 * directly; one log line per webhook. The answer is decided by ./answers.
 *
 * Order matters: authentication comes first (a caller without the secret learns nothing, not even
 * that a setting is broken), then the settings, then the body.
 */
import type { Context } from "hono";
import { type LogFields, type LogSink, logLine } from "../core/log";
import { ConfigError, configFor, type Destination, type RelayConfig, webhookSecret } from "../config/settings";
import type { QueueBindings } from "../delivery/bindings";
import { eventsRequestBody, eventsUrl } from "../delivery/graph";
import { intakeKeys, intakeShard, MessageTooLargeError, enqueueEvents, type EnqueueResult } from "../delivery/producer";
import { type DeliverDeps, deliver } from "../delivery/retry";
import type { ServerEvent } from "../transform/capi";
import { type DestinationResult, type TransformResult, transformWebhook } from "../transform/transformWebhook";
import type { WebhookDestinationRecord, WebhookRecord } from "../observe/metrics";
import { type Delivery, type DestinationOutcome, deliveryAnswer } from "./answers";
import { ApiError } from "./errors";
import { authenticate, WebhookVerificationError } from "./auth";

/** The outside world, injectable for tests. */
export interface RouteDeps extends Omit<DeliverDeps, "timeoutMs"> {
  log: LogSink;
  /** Counts a webhook for the metrics (never a preview); `waitUntil` keeps the Worker alive for the write. */
  metrics: (env: object, record: WebhookRecord, waitUntil?: (promise: Promise<unknown>) => void) => void;
}

type Log = (fields: Omit<LogFields, "msg" | "route">) => void;
type Routed = Extract<TransformResult<Destination>, { outcome: "routed" }>;
type Built = Extract<DestinationResult<Destination>, { outcome: "event" }>;

/**
 * Handles one webhook (or its preview).
 *
 * @param source the `{source}` route segment, if the webhook came in on one
 */
export async function handleWebhook(
  c: Context<{ Bindings: QueueBindings }>,
  deps: RouteDeps,
  preview: boolean,
  source: string | undefined,
): Promise<Response> {
  const started = deps.now();
  const route = preview ? "preview" : "webhook";
  const log: Log = (fields) =>
    logLine(deps.log, { msg: "webhook", route, latency_ms: deps.now() - started, ...fields });
  const count = (record: WebhookRecord) => {
    if (preview) return;
    let waitUntil: ((promise: Promise<unknown>) => void) | undefined;
    try {
      const ctx = c.executionCtx;
      waitUntil = (promise) => ctx.waitUntil(promise);
    } catch {
      // No execution context (a test calling the app directly): the write goes out unawaited.
    }
    deps.metrics(c.env, record, waitUntil);
  };

  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await c.req.arrayBuffer());
  } catch {
    // The client went away mid-body (or sent a broken chunked body): its problem, not ours, and
    // not worth an error line that anyone could write by disconnecting.
    log({ level: "warn", outcome: "unreadable", status: 400 });
    count({ outcome: "invalid", destinations: [] });
    throw new ApiError("unreadable_body", "The body could not be read to its end");
  }
  let auth: string;
  try {
    auth = await authenticate(c.req.raw.headers, raw, webhookSecret(c.env) ?? "", deps.now());
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    log({ level: "warn", outcome: "unauthorized", status: 401, reason: error.reason });
    count({ outcome: "unauthorized", destinations: [] });
    throw new ApiError("unauthorized", `Authentication failed: ${error.reason}`);
  }

  let config: RelayConfig;
  try {
    config = configFor(c.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log({ level: "error", outcome: "misconfigured", status: 503, reason: error.message, auth });
    count({ outcome: "other", destinations: [] });
    throw new ApiError("relay_misconfigured", error.message);
  }

  if (!isJsonContentType(c.req.header("content-type"))) {
    log({ level: "warn", outcome: "rejected", status: 415, auth });
    count({ outcome: "invalid", destinations: [] });
    throw new ApiError("unsupported_media_type", "Send the webhook as application/json");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    log({ level: "warn", outcome: "rejected", status: 400, auth });
    count({ outcome: "invalid", destinations: [] });
    throw new ApiError("invalid_json", "Body is not valid JSON");
  }

  const now = deps.now();
  let result: TransformResult<Destination>;
  try {
    result = transformWebhook(payload, config, config.destinations, now, source);
  } catch (error) {
    // No known input gets here; should one, it is still the sender's input, not a 500.
    log({ level: "error", outcome: "invalid", status: 422, auth, reason: (error as Error).name });
    count({ outcome: "invalid", destinations: [] });
    throw new ApiError("invalid_webhook", "The webhook could not be read", { issues: [] });
  }
  if (result.outcome === "invalid") {
    log({ level: "warn", outcome: "invalid", status: 422, auth, issues: result.issues.map((i) => i.path) });
    count({ outcome: "invalid", destinations: [] });
    throw new ApiError("invalid_webhook", "The webhook does not match the schema", { issues: result.issues });
  }
  const ids = {
    event_id: result.eventId,
    studio_event_id: result.studioEventId,
    auth,
    keys: result.match.sent,
    dropped: result.match.dropped,
  };
  if (result.outcome === "skipped") {
    log({ outcome: "skipped", status: 200, reason: result.reason, ...ids });
    count({ outcome: "other", eventId: result.eventId, destinations: [] });
    return c.json({ status: "skipped", reason: result.reason, event_id: result.eventId });
  }

  if (preview) {
    const destinations = result.results.map((r) =>
      r.outcome === "event"
        ? { name: r.destination.name, status: "preview", request: previewRequest(config, r.destination, r.event) }
        : { name: r.destination.name, status: "skipped", reason: r.reason },
    );
    const first = destinations.find((d) => "request" in d);
    log({
      outcome: "previewed",
      status: 200,
      ...ids,
      destinations: destinations.map((d) => ({ name: d.name, outcome: d.status })),
    });
    return c.json({
      status: "preview",
      event_id: result.eventId,
      ...(first && "request" in first ? { request: first.request } : {}),
      match: result.match,
      destinations,
    });
  }

  const webhookId = auth === "signature" ? c.req.header("webhook-id") : undefined;
  const delivery = await deliverRouted(c.env, deps, config, result, webhookId, now);
  const answer = deliveryAnswer(result.eventId, delivery);
  const status = "error" in answer ? answer.error.status : answer.status;
  count({
    outcome: delivery.path === "too_large" ? "invalid" : "accepted",
    eventId: result.eventId,
    keys: result.match.sent,
    destinations: deliveredOutcomes(delivery).map((o) => destinationRecord(o, deps.now() - started)),
  });
  log({
    level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
    outcome: answer.outcome,
    status,
    ...answer.meta,
    ...ids,
    destinations: answer.destinations.map((d) => ({ name: d.name, outcome: d.status })),
  });
  if ("error" in answer) throw answer.error;
  return c.json(answer.body, answer.status);
}

/** The outcomes a delivery counts: every destination's, or those settled before the queue refused. */
function deliveredOutcomes(delivery: Delivery): DestinationOutcome[] {
  switch (delivery.path) {
    case "queued":
    case "direct":
      return delivery.outcomes;
    case "too_large":
      return [];
    case "queue_unavailable":
      return delivery.settled;
  }
}

/**
 * Dry-run destinations are logged, the live ones queued or sent; then the answer is decided.
 * `outcomes` is empty when the webhook was refused before any destination got its event.
 */
async function deliverRouted(
  env: QueueBindings,
  deps: RouteDeps,
  config: RelayConfig,
  routed: Routed,
  webhookId: string | undefined,
  now: number,
): Promise<Delivery> {
  const outcomes = new Map<string, DestinationOutcome>();
  const live: Built[] = [];
  for (const r of routed.results) {
    const name = r.destination.name;
    if (r.outcome === "skipped") outcomes.set(name, { name, status: "skipped", reason: r.reason });
    else if (!r.destination.target) {
      outcomes.set(name, { name, status: "dry_run" });
      logLine(deps.log, {
        msg: "capi_event",
        outcome: "dry_run",
        dry_run: true,
        destination: name,
        event_id: routed.eventId,
        studio_event_id: routed.studioEventId,
        event: withoutIp(r.event),
      });
    } else live.push(r);
  }
  const queued = Boolean(env.CAPI_QUEUE);
  if (live.length > 0) {
    if (queued) {
      let results: EnqueueResult[];
      try {
        results = await enqueueEvents(
          env,
          {
            studioEventId: routed.studioEventId,
            ...(webhookId ? { webhookId } : {}),
            events: live.map((r) => ({
              destination: r.destination.name,
              pixelId: r.destination.pixelId,
              event: r.event,
            })),
          },
          deps.now(),
          deps.log,
        );
      } catch (error) {
        if (error instanceof MessageTooLargeError) return { path: "too_large", message: error.message };
        return {
          path: "queue_unavailable",
          names: routed.results.map((r) => r.destination.name),
          settled: [...outcomes.values()],
        };
      }
      for (const result of results) {
        outcomes.set(
          result.destination,
          result.status === "in_flight"
            ? { name: result.destination, status: "in_flight", retryAfterSeconds: result.retryAfterSeconds }
            : { name: result.destination, status: result.status },
        );
      }
    } else {
      for (const outcome of await sendDirect(env, deps, config, routed, live, webhookId, now))
        outcomes.set(outcome.name, outcome);
    }
  }
  const ordered = routed.results.map((r) => outcomes.get(r.destination.name)!);
  return { path: queued ? "queued" : "direct", outcomes: ordered };
}

/** One destination's outcome, as the metrics count it. */
function destinationRecord(outcome: DestinationOutcome, latencyMs: number): WebhookDestinationRecord {
  switch (outcome.status) {
    case "sent":
      return {
        name: outcome.name,
        status: "sent",
        attempts: outcome.attempts,
        latencyMs,
        ...(outcome.fbtraceId ? { fbtraceId: outcome.fbtraceId } : {}),
        ...(outcome.versionWarning ? { versionWarning: outcome.versionWarning } : {}),
      };
    case "failed":
      return { name: outcome.name, status: "failed", attempts: outcome.attempts, failure: outcome.failure };
    case "skipped":
      return { name: outcome.name, status: "skipped" };
    default:
      return { name: outcome.name, status: outcome.status };
  }
}

/**
 * The direct path (no queue bound): every live destination is sent to at once, each with the
 * webhook path's retries. With the intake ledger bound, a destination Meta accepted the event for
 * is remembered for 48 hours, so Studio's redelivery after a partial failure sends only what
 * did not go through; without it, Meta's own deduplication by `event_id` drops the repeat.
 */
async function sendDirect(
  env: QueueBindings,
  deps: RouteDeps,
  config: RelayConfig,
  routed: Routed,
  live: Built[],
  webhookId: string | undefined,
  now: number,
): Promise<DestinationOutcome[]> {
  const keys = live.map((r) => intakeKeys(routed.studioEventId, webhookId, r.destination.name));
  const ledger = env.INTAKE_LEDGER?.get(env.INTAKE_LEDGER.idFromName(intakeShard(routed.studioEventId)));
  const claims = ledger
    ? await ledger
        .claim(
          live.map((r, i) => ({ keys: keys[i]!, eventId: r.event.event_id })),
          now,
        )
        .catch(() => undefined)
    : undefined;
  return Promise.all(
    live.map(async (r, i): Promise<DestinationOutcome> => {
      const name = r.destination.name;
      const claim = claims?.[i];
      if (claim?.outcome === "duplicate") return { name, status: "duplicate" };
      if (claim?.outcome === "in_flight")
        return { name, status: "in_flight", retryAfterSeconds: claim.retryAfterSeconds };
      const { outcome, attempts } = await deliver(r.destination.target!, [r.event], {
        ...deps,
        timeoutMs: config.timeoutMs,
      });
      if (claim?.outcome === "claimed") {
        const held = [{ keys: keys[i]!, token: claim.token }];
        await (outcome.ok ? ledger!.confirm(held) : ledger!.release(held)).catch(() => undefined);
      }
      return outcome.ok
        ? {
            name,
            status: "sent",
            eventsReceived: outcome.eventsReceived,
            attempts,
            ...(outcome.fbtraceId ? { fbtraceId: outcome.fbtraceId } : {}),
            ...(outcome.versionWarning ? { versionWarning: outcome.versionWarning } : {}),
          }
        : { name, status: "failed", failure: outcome, attempts };
    }),
  );
}

/** The request the relay would send to a destination, token (and proof) redacted. */
function previewRequest(config: RelayConfig, destination: Destination, event: ServerEvent) {
  const target = destination.target ?? {
    graphUrl: config.graphUrl,
    apiVersion: config.apiVersion,
    pixelId: destination.pixelId,
    accessToken: "",
    ...(destination.testEventCode ? { testEventCode: destination.testEventCode } : {}),
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
