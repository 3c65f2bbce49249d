/**
 * The consumer: the Worker's `queue()` handler. It turns batches of queued events into
 * Conversions API requests, one destination at a time, and carries out each message's fate (ack,
 * retry with a delay, hold, or dead letter); the fates themselves are decided by the pure policy
 * (./policy), and held events wait in the destination's circuit (./circuit).
 *
 * Guarantees (see docs/delivery.md): a message is acked only after Meta accepted its
 * event, after its event was stored as a dead letter, or after its destination's circuit stored it
 * to wait for a configuration fix. Destinations are delivered independently: one that is down,
 * throttled or refused never delays another's events. Cloudflare Queues deliver at least once, so
 * the same event can reach Meta twice (a timeout that hid a success, a lost ack); every copy
 * carries the same `event_id` and Meta keeps one.
 */
import { consoleSink, type LogFields, type LogSink, logLine } from "../core/log";
import { ConfigError, configFor, type Destination, destinationNamed, type RelayConfig } from "../config/settings";
import type { QueueBindings } from "./bindings";
import { circuitName, type HoldCause } from "./holds";
import { storeDeadLetters } from "./deadLetters";
import { type GraphFailure, postEvents } from "./graph";
import { isDeadLetterQueue, type QueuedEvent, readQueuedEvent } from "./messages";
import {
  deadLetterOf,
  type DeliveryPolicy,
  type Fate,
  groupRequests,
  HOLD_FALLBACK_DELAY_SECONDS,
  isStale,
  QUEUE_DELIVERY_POLICY,
  QUEUE_TIMEOUT_MS,
  retryDelaySeconds,
  throttleGuard,
} from "./policy";
import { settle, SplitMemory } from "./split";

/** What the consumer needs from the outside world; tests inject fakes. */
export interface ConsumerDeps {
  fetch: typeof fetch;
  /** ms */
  now: () => number;
  random: () => number;
  /** Resolves after `ms`: the pause before a half of a split request is sent again. */
  wait: (ms: number) => Promise<void>;
  sink: LogSink;
  timeoutMs: number;
  policy: DeliveryPolicy;
  /** Receives what the batch did, per destination (the operator console's metrics). */
  record: (report: BatchReport) => Promise<void> | void;
}

/** What one batch did for one destination: counts and timings, never personal data. */
export interface DestinationReport {
  sent: number;
  retried: number;
  deadLettered: number;
  held: number;
  /** ms from intake to Meta's acceptance, one per sent event. */
  latenciesMs: number[];
  /** `user_data` keys of each sent event. */
  sentKeys: string[][];
  /** The last acceptance of the batch: when, and Meta's trace id. */
  lastAccepted?: { at: number; fbtraceId?: string };
  /** The last failure of the batch, with Meta's codes. */
  lastFailure?: { at: number; status?: number; code?: number; subcode?: number; fbtraceId?: string; message: string };
  versionWarning?: string;
  /** Event ids and their outcome, for the console's recent events. */
  events: {
    eventId: string;
    outcome: "sent" | "retry" | "held" | "dead_lettered";
    fbtraceId?: string;
    keys: string[];
  }[];
}

export type BatchReport = Map<string, DestinationReport>;

/**
 * The Worker's `queue()` handler for both queues. Events queue: per destination, requests of up
 * to 1,000 events; stale events dead-lettered unsent; each message acked only once Meta accepted
 * its event (or it was dead-lettered or held), retried with a growing delay on a transient
 * failure. Held instead of sent: a destination whose circuit is open, that has no token, that the
 * settings no longer name, or every destination while the settings cannot be read. Dead-letter
 * queue: stored for inspection and replay (./deadLetters). Never throws for a bad message; throws
 * (so Cloudflare retries the batch) only when the dead-letter store is unbound or unreachable.
 *
 * @example
 * ```ts
 * export default { fetch: app.fetch, queue: (batch, env, ctx) => handleQueueBatch(batch, env, ctx) };
 * ```
 */
export async function handleQueueBatch(
  batch: MessageBatch<unknown>,
  env: object,
  _ctx: ExecutionContext,
  deps: Partial<ConsumerDeps> = {},
): Promise<void> {
  const full: ConsumerDeps = {
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    now: deps.now ?? Date.now,
    random: deps.random ?? Math.random,
    wait: deps.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    sink: deps.sink ?? consoleSink,
    timeoutMs: deps.timeoutMs ?? QUEUE_TIMEOUT_MS,
    policy: deps.policy ?? QUEUE_DELIVERY_POLICY,
    record: deps.record ?? (() => undefined),
  };
  if (isDeadLetterQueue(batch.queue)) return storeDeadLetters(batch, env, full);
  return deliverBatch(batch, env, full);
}

/** A message of this batch as the consumer works with it. */
interface Item {
  message: Message<unknown>;
  body: QueuedEvent;
  attempts: number;
  event: QueuedEvent["event"];
}

/** Per Worker env: circuits known closed, and until when (ms) that is trusted without asking again. */
const closedCircuits = new WeakMap<object, Map<string, number>>();
/** How long a closed circuit is trusted: a few seconds, so a fix or a refusal elsewhere is seen soon. */
const CLOSED_TRUST_MS = 5_000;
/** Per Worker env and destination: what cut-short splits learned (a hint for the next delivery). */
const splitMemories = new WeakMap<object, Map<string, SplitMemory>>();

function splitMemoryOf(env: object, destination: string): SplitMemory {
  let perDestination = splitMemories.get(env);
  if (!perDestination) splitMemories.set(env, (perDestination = new Map()));
  let memory = perDestination.get(destination);
  if (!memory) perDestination.set(destination, (memory = new SplitMemory()));
  return memory;
}

async function deliverBatch(batch: MessageBatch<unknown>, env: QueueBindings, deps: ConsumerDeps): Promise<void> {
  const now = deps.now();
  let config: RelayConfig | undefined;
  try {
    config = configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logLine(deps.sink, {
      msg: "capi_event",
      level: "error",
      outcome: "misconfigured",
      reason: error.message,
      batch_size: batch.messages.length,
    });
  }
  const report: BatchReport = new Map();
  const endings: Promise<void>[] = [];
  const perDestination = new Map<string, Item[]>();
  for (const message of batch.messages) {
    const body = readQueuedEvent(message.body);
    if (!body) {
      endings.push(deadLetter(message, null, { kind: "dead_letter", reason: "malformed" }, env, deps, report));
    } else if (isStale(body.event, now)) {
      endings.push(deadLetter(message, body, { kind: "dead_letter", reason: "stale" }, env, deps, report));
    } else {
      const list = perDestination.get(body.destination) ?? [];
      list.push({ message, body, attempts: message.attempts, event: body.event });
      perDestination.set(body.destination, list);
    }
  }
  // Destinations are independent: one throttled, down or held does not hold up the others.
  await Promise.all(
    [...perDestination].map(([name, items]) => deliverDestination(name, items, config, env, deps, report, endings)),
  );
  await Promise.all(endings);
  if (report.size > 0) await Promise.resolve(deps.record(report)).catch(() => undefined);
}

async function deliverDestination(
  name: string,
  items: Item[],
  config: RelayConfig | undefined,
  env: QueueBindings,
  deps: ConsumerDeps,
  report: BatchReport,
  endings: Promise<void>[],
): Promise<void> {
  if (config === undefined) return hold(name, items, { kind: "settings_unusable" }, env, deps, report);
  const destination = destinationNamed(config, name);
  if (destination === undefined) return hold(name, items, { kind: "unknown_destination" }, env, deps, report);
  if (destination.target === undefined) return hold(name, items, { kind: "no_token" }, env, deps, report);
  if (await circuitIsOpen(name, env, deps.now())) return hold(name, items, undefined, env, deps, report);

  const target = { ...destination.target, pixelId: destination.pixelId };
  const post = throttleGuard((events) =>
    postEvents(target, events, { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now }),
  );
  const held: { items: Item[]; failure: GraphFailure }[] = [];
  const memory = splitMemoryOf(env, name);
  for (const request of groupRequests(items, () => destination.pixelId)) {
    const fates = await settle(request.items, post, deps.policy, deps.random, deps.wait, memory, deps.now());
    const toHold = request.items.filter((_, i) => fates[i]!.kind === "hold");
    const failure = fates.find((fate): fate is Extract<Fate, { kind: "hold" }> => fate.kind === "hold")?.failure;
    if (failure) held.push({ items: toHold, failure });
    request.items.forEach((item, i) => {
      const fate = fates[i]!;
      if (fate.kind !== "hold") endings.push(apply(item, fate, destination, env, deps, report));
    });
  }
  for (const { items: heldItems, failure } of held) {
    closedCircuits.get(env)?.delete(name);
    await hold(name, heldItems, { kind: "meta_refused", failure }, env, deps, report);
  }
}

/** Whether the destination's circuit is open (a closed one is trusted for a few seconds). */
async function circuitIsOpen(name: string, env: QueueBindings, now: number): Promise<boolean> {
  let closedUntil = closedCircuits.get(env);
  if (!closedUntil) closedCircuits.set(env, (closedUntil = new Map()));
  if (!env.DELIVERY_CIRCUIT || (closedUntil.get(name) ?? 0) > now) return false;
  try {
    const circuit = env.DELIVERY_CIRCUIT.get(env.DELIVERY_CIRCUIT.idFromName(circuitName(name)));
    const status = await circuit.status(now);
    if (!status.open) closedUntil.set(name, now + CLOSED_TRUST_MS);
    // Held for a missing token or destination that this consumer has again: have it probe now.
    else if (status.cause !== "meta_refused") await circuit.settingsUsable(now).catch(() => undefined);
    return status.open;
  } catch {
    return false; // Cannot tell: send. A refusal then opens it.
  }
}

/**
 * Moves a destination's messages to its circuit, then acks them; `cause` undefined when the
 * circuit is open already. Without a circuit (unbound or unreachable) they are retried after a
 * long wait instead: nothing is acked that is not stored somewhere.
 */
async function hold(
  name: string,
  items: Item[],
  cause: HoldCause | undefined,
  env: QueueBindings,
  deps: ConsumerDeps,
  report: BatchReport,
): Promise<void> {
  const now = deps.now();
  const summary = reportOf(report, name);
  const reason = cause?.kind ?? "circuit_open";
  try {
    if (!env.DELIVERY_CIRCUIT) throw new Error("DELIVERY_CIRCUIT is not bound");
    const circuit = env.DELIVERY_CIRCUIT.get(env.DELIVERY_CIRCUIT.idFromName(circuitName(name)));
    await circuit.hold(
      name,
      items.map((item) => item.body),
      cause,
      now,
    );
  } catch {
    for (const item of items) {
      item.message.retry({ delaySeconds: HOLD_FALLBACK_DELAY_SECONDS });
      logLine(deps.sink, {
        ...eventFields(item.body),
        level: "error",
        outcome: "hold_failed",
        reason,
        delay_seconds: HOLD_FALLBACK_DELAY_SECONDS,
        attempts: item.attempts,
      });
    }
    summary.retried += items.length;
    return;
  }
  for (const item of items) {
    item.message.ack();
    logLine(deps.sink, {
      ...eventFields(item.body),
      ...failureFields(cause?.kind === "meta_refused" ? cause.failure : undefined),
      level: "warn",
      outcome: "held",
      reason,
      attempts: item.attempts,
    });
    summary.events.push({ eventId: item.body.eventId, outcome: "held", keys: userDataKeys(item.body) });
  }
  summary.held += items.length;
  if (cause?.kind === "meta_refused") summary.lastFailure = failureSummary(cause.failure, now);
}

/** Acts on a fate: ack, retry with delay, or dead-letter then ack. */
async function apply(
  item: Item,
  fate: Exclude<Fate, { kind: "hold" }>,
  destination: Destination,
  env: QueueBindings,
  deps: ConsumerDeps,
  report: BatchReport,
): Promise<void> {
  const { message, body } = item;
  const summary = reportOf(report, destination.name);
  const now = deps.now();
  if (fate.kind === "sent") {
    message.ack();
    logLine(deps.sink, {
      ...eventFields(body),
      outcome: "sent",
      attempts: message.attempts,
      batch_size: fate.batchSize,
      ...(fate.fbtraceId ? { fbtrace_id: fate.fbtraceId } : {}),
    });
    const keys = userDataKeys(body);
    summary.sent += 1;
    summary.latenciesMs.push(Math.max(0, now - body.acceptedAt));
    summary.sentKeys.push(keys);
    summary.lastAccepted = { at: now, ...(fate.fbtraceId ? { fbtraceId: fate.fbtraceId } : {}) };
    if (fate.versionWarning) summary.versionWarning = fate.versionWarning;
    summary.events.push({
      eventId: body.eventId,
      outcome: "sent",
      keys,
      ...(fate.fbtraceId ? { fbtraceId: fate.fbtraceId } : {}),
    });
  } else if (fate.kind === "retry") {
    message.retry({ delaySeconds: fate.delaySeconds });
    logLine(deps.sink, {
      ...eventFields(body),
      ...failureFields(fate.failure),
      level: "warn",
      outcome: "retry",
      attempts: message.attempts,
      delay_seconds: fate.delaySeconds,
    });
    summary.retried += 1;
    summary.lastFailure = failureSummary(fate.failure, now);
    summary.events.push({
      eventId: body.eventId,
      outcome: "retry",
      keys: userDataKeys(body),
      ...(fate.failure.fbtraceId ? { fbtraceId: fate.failure.fbtraceId } : {}),
    });
  } else {
    await deadLetter(message, body, fate, env, deps, report);
  }
}

/**
 * Sends a dead letter to the DLQ, then acks. If the DLQ refuses, the message is retried instead
 * (nothing is acked that is not stored somewhere).
 */
async function deadLetter(
  message: Message<unknown>,
  body: QueuedEvent | null,
  fate: Extract<Fate, { kind: "dead_letter" }>,
  env: QueueBindings,
  deps: ConsumerDeps,
  report: BatchReport,
): Promise<void> {
  const now = deps.now();
  const letter = deadLetterOf(message, body, fate, now);
  const fields = {
    ...(body ? eventFields(body) : { msg: "capi_event" }),
    ...failureFields(fate.failure),
    attempts: message.attempts,
    reason: fate.reason,
  };
  if (!env.CAPI_DLQ) {
    // Misconfiguration: nowhere to keep it. Say so loudly rather than retry a refusal forever.
    message.ack();
    logLine(deps.sink, { ...fields, level: "error", outcome: "dead_letter_lost" });
    return;
  }
  try {
    await env.CAPI_DLQ.send(letter, { contentType: "json" });
  } catch {
    const delaySeconds = retryDelaySeconds(message.attempts, deps.policy, deps.random);
    message.retry({ delaySeconds });
    logLine(deps.sink, { ...fields, level: "error", outcome: "dead_letter_failed", delay_seconds: delaySeconds });
    return;
  }
  message.ack();
  logLine(deps.sink, { ...fields, level: "warn", outcome: "dead_lettered" });
  if (body) {
    const summary = reportOf(report, body.destination);
    summary.deadLettered += 1;
    if (fate.failure) summary.lastFailure = failureSummary(fate.failure, now);
    summary.events.push({
      eventId: body.eventId,
      outcome: "dead_lettered",
      keys: userDataKeys(body),
      ...(fate.failure?.fbtraceId ? { fbtraceId: fate.failure.fbtraceId } : {}),
    });
  }
}

function reportOf(report: BatchReport, destination: string): DestinationReport {
  let summary = report.get(destination);
  if (!summary) {
    summary = { sent: 0, retried: 0, deadLettered: 0, held: 0, latenciesMs: [], sentKeys: [], events: [] };
    report.set(destination, summary);
  }
  return summary;
}

function userDataKeys(body: QueuedEvent): string[] {
  return Object.keys(body.event.user_data);
}

function failureSummary(failure: GraphFailure, at: number): NonNullable<DestinationReport["lastFailure"]> {
  return {
    at,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { subcode: failure.subcode } : {}),
    ...(failure.fbtraceId ? { fbtraceId: failure.fbtraceId } : {}),
    message: (failure.userMessage ?? failure.message).slice(0, 300),
  };
}

function eventFields(body: QueuedEvent) {
  return {
    msg: "capi_event",
    event_id: body.eventId,
    studio_event_id: body.studioEventId,
    destination: body.destination,
    pixel_id: body.pixelId,
    ...(body.replays ? { replays: body.replays } : {}),
  };
}

/** Never Meta's free-text message in a log line: only codes, status and trace id. */
function failureFields(failure: GraphFailure | undefined): Partial<LogFields> {
  if (!failure) return {};
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { meta_code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { meta_subcode: failure.subcode } : {}),
    ...(failure.fbtraceId ? { fbtrace_id: failure.fbtraceId } : {}),
    reason: failure.status === undefined ? "no_answer" : failure.transient ? "transient" : "permanent",
  };
}
