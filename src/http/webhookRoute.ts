/**
 * The Studio webhook routes, `POST /webhooks/cartful[/{source}]` ({@link acceptWebhook}) and its
 * `/preview` ({@link previewWebhook}): read the body, authenticate, read the settings, check the
 * content type and the JSON, have the data tables (./dataAssets: read at an isolate's first
 * webhook), transform (`readWebhook`, shared by both); then per destination
 * preview, or log (dry run), queue, or send directly; one log line per webhook. The answer is
 * decided by ./answers; every refusal is an ApiError (./errors).
 *
 * Order matters: authentication comes first (a caller without the secret learns nothing, not even
 * that a setting is broken), then the settings, then the body.
 */
import type { Context } from "hono";
import { type LogFields, logLine } from "../core/log";
import { summariseAccepted } from "../core/logSummary";
import type { Runtime } from "../core/runtime";
import { ConfigError, configFor, type Destination, type RelayConfig, webhookSecret } from "../config/settings";
import { eventsRequestBody, eventsUrl } from "../delivery/graph";
import { intakeLedgerOf } from "../delivery/instances";
import { intakeKeys, MessageTooLargeError, enqueueEvents, type EnqueueResult } from "../delivery/producer";
import { deliver } from "../delivery/retry";
import type { ServerEvent } from "../transform/capi";
import { keptId } from "../transform/senderIds";
import { type DestinationResult, type TransformResult, transformWebhook } from "../transform/transformWebhook";
import { intakeRefusal } from "../observe/incidents";
import type { WebhookDestinationRecord, WebhookRecord } from "../observe/metrics";
import { type Delivery, type DestinationOutcome, deliveryAnswer, dryRunCause, skippedAnswer } from "./answers";
import { loadDataTables } from "./dataAssets";
import { ApiError, errorResponse } from "./errors";
import { strictUtf8 } from "./requestBody";
import { waitUntilOf } from "./waitUntil";
import { authenticate, credentialWithoutBody, WebhookVerificationError } from "./auth";
import type { WebhookBindings } from "./bindings";

/** Counts a webhook for the metrics (never a preview); `waitUntil` keeps the Worker alive for the write. */
export type WebhookMetrics = (
  env: WebhookBindings,
  record: WebhookRecord,
  waitUntil?: (promise: Promise<unknown>) => void,
) => void;

/** What the webhook routes are handed: the outside world, and the route's own metrics recorder. */
export interface WebhookRuntime extends Runtime {
  metrics: WebhookMetrics;
}

type Log = (fields: Omit<LogFields, "msg" | "route">) => void;
type WebhookContext = Context<{ Bindings: WebhookBindings }>;
type RoutedResult = Extract<TransformResult<Destination>, { outcome: "routed" }>;
type Built = Extract<DestinationResult<Destination>, { outcome: "event" }>;

/** One webhook on its way through the route: its context, the outside world, its log line and its count. */
interface Intake {
  c: WebhookContext;
  runtime: WebhookRuntime;
  /** ms, when the webhook came in (for `latency_ms`). */
  started: number;
  /** Writes the webhook's one log line. */
  log: Log;
  /** Counts the webhook for the metrics (a preview counts nothing). */
  count: (record: WebhookRecord) => void;
}

/** A webhook read, authenticated and transformed into one event per destination that takes it. */
interface Routed {
  config: RelayConfig;
  /** How the sender authenticated: `bearer` or `signature`. */
  auth: string;
  /** The transform's result: the ids, the match report, and each destination's event or why it was skipped. */
  result: RoutedResult;
  /** ms, the clock the events were built with. */
  now: number;
  /** The ids every later log line of this webhook carries. */
  ids: Pick<LogFields, "event_id" | "studio_event_id" | "auth" | "keys" | "dropped">;
}

/**
 * `POST /webhooks/cartful[/{source}]`: reads the webhook, then delivers each destination's event
 * (logged in dry run, queued, or sent directly) and answers as ./answers decides. Counted for the
 * metrics, whatever the answer.
 *
 * @param source the `{source}` route segment, if the webhook came in on one
 * @example
 * ```ts
 * app.post("/webhooks/cartful", (c) => acceptWebhook(c, runtime, undefined));
 * ```
 */
export async function acceptWebhook(
  c: WebhookContext,
  runtime: WebhookRuntime,
  source: string | undefined,
): Promise<Response> {
  const intake = startIntake(c, runtime, "webhook", countWebhook(c, runtime));
  const read = await readWebhook(intake, source);
  if (read instanceof Response) return read;
  const { result, ids } = read;
  // The sender chose it: kept hashed when it carries personal data (../transform/senderIds).
  const signedId = read.auth === "signature" ? c.req.header("webhook-id") : undefined;
  const webhookId = signedId === undefined ? undefined : keptId(signedId);
  const delivery = await deliverRouted({
    env: c.env,
    runtime,
    config: read.config,
    routed: result,
    webhookId,
    now: read.now,
  });
  const answer = deliveryAnswer(result.eventId, delivery);
  const status = "error" in answer ? answer.error.status : answer.status;
  intake.count({
    outcome: delivery.path === "too_large" ? "invalid" : "accepted",
    eventId: result.eventId,
    keys: result.match.sent,
    dropped: Object.keys(result.match.dropped),
    destinations: deliveredOutcomes(delivery).map((o) => destinationRecord(o, runtime.now() - intake.started)),
  });
  if (answer.outcome === "queued") {
    // As expected: summed with the others of this second (../core/logSummary).
    summariseAccepted(
      runtime.log,
      { msg: "webhook", route: "webhook", outcome: "queued", status },
      { event_id: ids.event_id, studio_event_id: ids.studio_event_id, latency_ms: runtime.now() - intake.started },
      { sleep: runtime.sleep, waitUntil: waitUntilOf(c) },
    );
  } else {
    intake.log({
      level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
      outcome: answer.outcome,
      status,
      ...answer.meta,
      ...ids,
      destinations: answer.destinations.map((d) => ({ name: d.name, outcome: d.status })),
    });
  }
  if ("error" in answer) throw answer.error;
  return c.json(answer.body, answer.status);
}

/**
 * `POST /webhooks/cartful[/{source}]/preview`: reads the webhook as {@link acceptWebhook} does and
 * answers with the request each destination would be sent (token redacted); sends, queues and
 * counts nothing.
 *
 * @example
 * ```ts
 * app.post("/webhooks/cartful/preview", (c) => previewWebhook(c, runtime, undefined));
 * ```
 */
export async function previewWebhook(
  c: WebhookContext,
  runtime: WebhookRuntime,
  source: string | undefined,
): Promise<Response> {
  const intake = startIntake(c, runtime, "preview", () => {});
  const read = await readWebhook(intake, source);
  if (read instanceof Response) return read;
  const { config, result, ids } = read;
  const destinations = result.results.map((r) =>
    r.outcome === "event"
      ? { name: r.destination.name, status: "preview", request: previewRequest(config, r.destination, r.event) }
      : { name: r.destination.name, status: "skipped", reason: r.reason },
  );
  const first = destinations.find((d) => "request" in d);
  intake.log({
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

function startIntake(
  c: WebhookContext,
  runtime: WebhookRuntime,
  route: "webhook" | "preview",
  count: Intake["count"],
): Intake {
  const started = runtime.now();
  const log: Log = (fields) =>
    logLine(runtime.log, { msg: "webhook", route, latency_ms: runtime.now() - started, ...fields });
  return { c, runtime, started, log, count };
}

/** Counts a webhook for the metrics, the write kept alive by the request's `waitUntil` when there is one. */
function countWebhook(c: WebhookContext, runtime: WebhookRuntime): Intake["count"] {
  return (record) => runtime.metrics(c.env, record, waitUntilOf(c));
}

/**
 * Reads a webhook up to its events: the body, the sender's credentials, the settings, the content
 * type, the JSON, the data tables (at an isolate's first webhook), then the transform. A refusal is logged, counted and thrown as an
 * {@link ApiError}; a webhook the settings skip is answered here (200 `skipped`).
 *
 * @param source the `{source}` route segment, if the webhook came in on one
 */
async function readWebhook(intake: Intake, source: string | undefined): Promise<Response | Routed> {
  const { c, runtime } = intake;
  const raw = await readBody(intake);
  const auth = await authenticateSender(intake, raw);
  const config = readSettings(intake, auth);
  const payload = readJson(intake, raw, auth);
  await awaitDataTables(intake, auth);
  const now = runtime.now();
  const result = transform(intake, { payload, config, now, source, auth });
  const ids = {
    event_id: result.eventId,
    studio_event_id: result.studioEventId,
    auth,
    keys: result.match.sent,
    dropped: result.match.dropped,
  };
  if (result.outcome === "skipped") {
    const names = result.destinations.map((destination) => destination.name);
    const answer = skippedAnswer(result.eventId, result.reason, names);
    intake.log({
      outcome: "skipped",
      status: 200,
      reason: result.reason,
      ...ids,
      ...(answer.destinations.length > 0
        ? { destinations: answer.destinations.map((d) => ({ name: d.name, outcome: d.status })) }
        : {}),
    });
    // Each destination it went to counts it `routed`, `skipped` and `filtered` (none for `no_destination`).
    intake.count({
      outcome: "accepted",
      eventId: result.eventId,
      keys: result.match.sent,
      dropped: Object.keys(result.match.dropped),
      destinations: names.map((name) => ({ name, status: "filtered" })),
    });
    return c.json(answer.body, answer.status);
  }
  return { config, auth, result, now, ids };
}

/** Logs and counts a refused webhook (its log line carries the answer's status), then throws the answer. */
function refuse(
  intake: Intake,
  error: ApiError,
  counted: WebhookRecord["outcome"],
  fields: Pick<LogFields, "level" | "outcome" | "reason" | "auth" | "issues">,
): never {
  const { level, outcome, ...rest } = fields;
  intake.log({ level, outcome, status: error.status, ...rest });
  const refused = counted === "unauthorized" || counted === "invalid";
  intake.count({
    outcome: counted,
    destinations: [],
    ...(refused ? { refusal: intakeRefusal(error.code, error.status, error.options.issues ?? []) } : {}),
  });
  throw error;
}

async function readBody(intake: Intake): Promise<Uint8Array> {
  try {
    return new Uint8Array(await intake.c.req.arrayBuffer());
  } catch {
    return refuseUnread(intake, { error: unreadableBody(), outcome: "unreadable" });
  }
}

/**
 * The answer to a body that broke off before its end (the client went away, or sent a broken
 * chunked body): its problem, not ours, and not worth an error line that anyone could write by
 * disconnecting.
 *
 * @example
 * ```ts
 * return errorResponse(c, unreadableBody()); // 400 unreadable_body
 * ```
 */
export function unreadableBody(): ApiError<"unreadable_body"> {
  return new ApiError("unreadable_body", "The body could not be read to its end");
}

/** A webhook refused before its body was read: the answer, and the outcome its log line names. */
export interface UnreadBody {
  error: ApiError;
  outcome: "too_large" | "unreadable";
}

/**
 * `POST /webhooks/cartful[/{source}]` refused before its body was read (over the limit, or broken
 * off while the app's body limit read it): counted and logged as {@link refuseUnread} says. A
 * preview is answered by the app, uncounted.
 *
 * @example
 * ```ts
 * bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => refuseUnreadWebhook(c, runtime, { error: tooLarge, outcome: "too_large" }) });
 * ```
 */
export async function refuseUnreadWebhook(
  c: WebhookContext,
  runtime: WebhookRuntime,
  unread: UnreadBody,
): Promise<Response> {
  const intake = startIntake(c, runtime, "webhook", countWebhook(c, runtime));
  try {
    return await refuseUnread(intake, unread);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(c, error);
    throw error;
  }
}

/**
 * Refuses a webhook whose body was not read (too large, or broken off) with `error` (413, 400),
 * whatever its credentials: the contract's answer to such a body. Counted by what can be known of
 * its credentials without the body: only a Bearer can be checked. With a valid one, the
 * authenticated sender's body is at fault: counted `invalid`. Otherwise the request never
 * authenticated, and never moves the `invalid` count: counted `unauthorized` (a wrong Bearer, or
 * signature headers that cannot be checked without the body), and `anonymous` too when it brought
 * no credential at all.
 */
async function refuseUnread(intake: Intake, { error, outcome }: UnreadBody): Promise<never> {
  const { c, runtime } = intake;
  let known: Pick<LogFields, "auth" | "reason"> & { counted: WebhookRecord["outcome"] };
  try {
    const credential = await credentialWithoutBody(c.req.raw.headers, webhookSecret(c.env) ?? "", runtime.now());
    known =
      credential === "bearer"
        ? { counted: "invalid", auth: "bearer" }
        : { counted: "unauthorized", reason: "signature_not_checked" };
  } catch (failure) {
    if (!(failure instanceof WebhookVerificationError)) throw failure;
    known = {
      counted: failure.reason === "missing_credentials" ? "anonymous" : "unauthorized",
      reason: failure.reason,
    };
  }
  const { counted, ...fields } = known;
  return refuse(intake, error, counted, { level: "warn", outcome, ...fields });
}

/** A webhook whose credentials failed: 401, counted `unauthorized`, and `anonymous` when it brought none. */
function refuseUnauthenticated(intake: Intake, error: WebhookVerificationError): never {
  const answer = new ApiError("unauthorized", `Authentication failed: ${error.reason}`);
  const counted = error.reason === "missing_credentials" ? "anonymous" : "unauthorized";
  return refuse(intake, answer, counted, { level: "warn", outcome: "unauthorized", reason: error.reason });
}

/** The sender's credential (`bearer` or `signature`), checked first: a caller without the secret learns nothing more. */
async function authenticateSender(intake: Intake, raw: Uint8Array): Promise<string> {
  const { c, runtime } = intake;
  try {
    return await authenticate(c.req.raw.headers, raw, webhookSecret(c.env) ?? "", runtime.now());
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return refuseUnauthenticated(intake, error);
  }
}

function readSettings(intake: Intake, auth: string): RelayConfig {
  try {
    return configFor(intake.c.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const answer = new ApiError("relay_misconfigured", error.message);
    return refuse(intake, answer, "other", { level: "error", outcome: "misconfigured", reason: error.message, auth });
  }
}

function readJson(intake: Intake, raw: Uint8Array, auth: string): unknown {
  if (!isJsonContentType(intake.c.req.header("content-type"))) {
    const error = new ApiError("unsupported_media_type", "Send the webhook as application/json");
    refuse(intake, error, "invalid", { level: "warn", outcome: "rejected", auth });
  }
  try {
    return JSON.parse(strictUtf8.decode(raw));
  } catch {
    const error = new ApiError("invalid_json", "Body is not valid JSON");
    return refuse(intake, error, "invalid", { level: "warn", outcome: "rejected", auth });
  }
}

/**
 * Makes sure the isolate has the transform's data tables (./dataAssets): read at its first webhook,
 * nothing to wait for after that. When they cannot be read the webhook is refused 503 with `Retry-After` (Studio
 * redelivers): never transformed without them, so no lead goes on without its phone or country.
 */
async function awaitDataTables(intake: Intake, auth: string): Promise<void> {
  try {
    await loadDataTables(intake.c.env.ASSETS, intake.runtime.log);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    refuse(intake, error, "other", { level: "error", outcome: "data_unavailable", auth });
  }
}

/** The webhook's events, one per destination that takes it; an invalid webhook is refused (422). */
function transform(
  intake: Intake,
  input: { payload: unknown; config: RelayConfig; now: number; source: string | undefined; auth: string },
): Exclude<TransformResult<Destination>, { outcome: "invalid" }> {
  const { payload, config, now, source, auth } = input;
  let result: TransformResult<Destination>;
  try {
    result = transformWebhook(payload, config, config.destinations, now, source);
  } catch (error) {
    // No known input gets here; should one, it is still the sender's input, not a 500.
    const answer = new ApiError("invalid_webhook", "The webhook could not be read", { issues: [] });
    return refuse(intake, answer, "invalid", {
      level: "error",
      outcome: "invalid",
      auth,
      reason: (error as Error).name,
    });
  }
  if (result.outcome === "invalid") {
    const answer = new ApiError("invalid_webhook", "The webhook does not match the schema", { issues: result.issues });
    return refuse(intake, answer, "invalid", {
      level: "warn",
      outcome: "invalid",
      auth,
      issues: result.issues.map((i) => i.path),
    });
  }
  return result;
}

/** What the delivery of a routed webhook needs. */
interface Delivering {
  env: WebhookBindings;
  runtime: WebhookRuntime;
  config: RelayConfig;
  routed: RoutedResult;
  /** Standard Webhooks' `webhook-id`, when the webhook was signed: part of the intake keys. */
  webhookId: string | undefined;
  /** ms */
  now: number;
}

/**
 * Dry-run destinations (the relay's `dryRun`) are logged; the live ones, and on a live relay those
 * whose token secret is unset, are queued (when the queue is bound; the consumer holds the
 * tokenless ones in their circuit); without a queue the live ones are sent directly and the
 * tokenless ones answered `no_token` (503). What became of each is for ./answers to word.
 */
async function deliverRouted(delivering: Delivering): Promise<Delivery> {
  const { env, routed } = delivering;
  const { config } = delivering;
  const settled = new Map<string, DestinationOutcome>();
  const live: Built[] = [];
  /** Destinations whose token secret is unset on a live relay: held (queued), never a dry run. */
  const tokenless: Built[] = [];
  for (const r of routed.results) {
    const name = r.destination.name;
    if (r.outcome === "skipped") settled.set(name, { name, status: "skipped", reason: r.reason });
    else if (r.destination.target) live.push(r);
    else if (config.dryRun) {
      settled.set(name, { name, status: "dry_run", cause: dryRunCause(env) });
      logDryRun(delivering, r);
    } else tokenless.push(r);
  }
  /** Every destination's outcome, in the order of the settings. */
  const inOrder = (outcomes: DestinationOutcome[]) => {
    for (const outcome of outcomes) settled.set(outcome.name, outcome);
    return routed.results.map((r) => settled.get(r.destination.name)!);
  };
  if (!env.CAPI_QUEUE) {
    // Nothing durable can hold a tokenless destination's event here: 503, Studio redelivers.
    for (const r of tokenless) logNoToken(delivering, r);
    const noToken = tokenless.map((r): DestinationOutcome => ({ name: r.destination.name, status: "no_token" }));
    const sent = live.length > 0 ? await sendDirect({ ...delivering, live }) : [];
    return { path: "direct", outcomes: inOrder([...sent, ...noToken]) };
  }
  // A tokenless destination's event is queued like a live one's: the consumer holds it in the
  // destination's circuit (`no_token`) until the secret is set.
  const queued = [...live, ...tokenless];
  if (queued.length === 0) return { path: "queued", outcomes: inOrder([]) };
  let results: EnqueueResult[];
  try {
    results = await enqueueLive(delivering, queued);
  } catch (error) {
    if (error instanceof MessageTooLargeError) return { path: "too_large", message: error.message };
    return {
      path: "queue_unavailable",
      names: routed.results.map((r) => r.destination.name),
      settled: [...settled.values()],
    };
  }
  return {
    path: "queued",
    outcomes: inOrder(results.map((result) => ({ name: result.destination, status: "queued" }))),
  };
}

/** The event a dry-run destination would have been sent, logged without its IP address. */
function logDryRun({ runtime, routed }: Delivering, built: Built): void {
  logLine(runtime.log, {
    msg: "capi_event",
    outcome: "dry_run",
    dry_run: true,
    destination: built.destination.name,
    event_id: routed.eventId,
    studio_event_id: routed.studioEventId,
    event: withoutIp(built.event),
  });
}

/**
 * The error line of a destination whose token secret is unset on the direct path (no queue to
 * hold its event): names the secret, never a value.
 */
function logNoToken({ runtime, routed }: Delivering, built: Built): void {
  logLine(runtime.log, {
    msg: "capi_event",
    level: "error",
    outcome: "no_token",
    destination: built.destination.name,
    event_id: routed.eventId,
    studio_event_id: routed.studioEventId,
    ...(built.destination.missingToken ? { secret: built.destination.missingToken.secret } : {}),
  });
}

/**
 * Hands the events to the delivery queue: one queue send, no Durable Object. The consumer claims
 * each message's intake keys before sending it (a redelivery is counted `duplicate` there).
 */
function enqueueLive({ env, runtime, routed, webhookId }: Delivering, live: Built[]): Promise<EnqueueResult[]> {
  return enqueueEvents(
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
    runtime.now(),
  );
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
    case "no_token":
      return { name: outcome.name, status: "no_token" };
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
async function sendDirect({
  env,
  runtime,
  config,
  routed,
  live,
  webhookId,
  now,
}: Delivering & { live: Built[] }): Promise<DestinationOutcome[]> {
  return Promise.all(
    live.map(async (r): Promise<DestinationOutcome> => {
      const name = r.destination.name;
      // Each destination's keys live in its own ledger (../delivery/instances), claimed at once with the others'.
      const keys = intakeKeys(routed.studioEventId, webhookId, name);
      const ledger = intakeLedgerOf(env, name);
      const [claim] = (await ledger?.claim([{ keys, eventId: r.event.event_id }], now).catch(() => undefined)) ?? [];
      if (claim?.outcome === "duplicate") return { name, status: "duplicate" };
      if (claim?.outcome === "in_flight")
        return { name, status: "in_flight", retryAfterSeconds: claim.retryAfterSeconds };
      const { outcome, attempts } = await deliver(r.destination.target!, [r.event], {
        ...runtime,
        timeoutMs: config.timeoutMs,
      });
      if (claim?.outcome === "claimed") {
        const held = [{ keys, token: claim.token }];
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

/**
 * The event as it may be logged: no IP address.
 *
 * @example
 * ```ts
 * logLine(log, { msg: "capi_event", outcome: "dry_run", event: withoutIp(event) });
 * ```
 */
export function withoutIp(event: ServerEvent): ServerEvent {
  const { client_ip_address: _ip, ...userData } = event.user_data;
  return { ...event, user_data: userData };
}

function isJsonContentType(value: string | undefined): boolean {
  const type = value?.split(";", 1)[0]?.trim().toLowerCase();
  return type === "application/json" || (type !== undefined && /^application\/[\w.+-]+\+json$/.test(type));
}
