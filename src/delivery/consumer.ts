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
 *
 * A pack (a browser request's events in one message, ./messages `PackMessage`) is opened into one
 * stand-in message per event before anything else, and its real message settled once the batch is
 * done (./packs): everything here works on single events.
 */
import { type LogFields, logLine } from "../core/log";
import { defaultRuntime, type Runtime } from "../core/runtime";
import { ConfigError, configFor, type Destination, destinationNamed, type RelayConfig } from "../config/settings";
import type { DeliveryEnv } from "./bindings";
import { circuitOf, type HoldCause } from "./holds";
import { storeDeadLetters } from "./deadLetters";
import { type GraphFailure, postEvents } from "./graph";
import { type MetaRefusal, refusalLogFields, refusalOf } from "./metaErrors";
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
import { openPacks, settlePacks } from "./packs";
import { settle, SplitMemory } from "./split";

/**
 * What the consumer needs from the outside world (`sleep` is the pause before a half of a split
 * request is sent again), and its own options; tests inject fakes.
 */
export interface ConsumerDeps extends Pick<Runtime, "fetch" | "now" | "random" | "sleep" | "log"> {
  /** Per request to Meta, ms. */
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
  /** The last failure of the batch (ms) and Meta's refusal. */
  lastFailure?: MetaRefusal & { at: number };
  versionWarning?: string;
  /** Event ids and their outcome, for the console's recent events. */
  events: {
    eventId: string;
    outcome: "sent" | "retry" | "held" | "dead_lettered";
    fbtraceId?: string;
    keys: string[];
    /** Meta's event name, and `browser` for an event from `/collect/cartful` (counted per name). */
    eventName?: string;
    origin?: "browser";
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
  env: DeliveryEnv,
  _ctx: ExecutionContext,
  deps: Partial<ConsumerDeps> = {},
): Promise<void> {
  const { timeoutMs, policy, record, ...runtime } = deps;
  const full: ConsumerDeps = {
    // A part given as `undefined` (an optional field passed through) keeps its default.
    ...defaultRuntime(Object.fromEntries(Object.entries(runtime).filter(([, value]) => value !== undefined))),
    timeoutMs: timeoutMs ?? QUEUE_TIMEOUT_MS,
    policy: policy ?? QUEUE_DELIVERY_POLICY,
    record: record ?? (() => undefined),
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

function splitMemoryOf(env: DeliveryEnv, destination: string): SplitMemory {
  let perDestination = splitMemories.get(env);
  if (!perDestination) splitMemories.set(env, (perDestination = new Map()));
  let memory = perDestination.get(destination);
  if (!memory) perDestination.set(destination, (memory = new SplitMemory()));
  return memory;
}

function closedCircuitsOf(env: DeliveryEnv): Map<string, number> {
  let closedUntil = closedCircuits.get(env);
  if (!closedUntil) closedCircuits.set(env, (closedUntil = new Map()));
  return closedUntil;
}

async function deliverBatch(batch: MessageBatch<unknown>, env: DeliveryEnv, deps: ConsumerDeps): Promise<void> {
  const now = deps.now();
  const config = readSettings(env, deps, batch.messages.length);
  const run = new BatchRun(env, deps);
  // A pack (a browser request's events in one message) is delivered event by event, then settled whole.
  const opened = openPacks(batch.messages);
  const perDestination = new Map<string, Item[]>();
  for (const message of opened.messages) {
    const body = readQueuedEvent(message.body);
    if (!body) run.end(run.deadLetter(message, null, { kind: "dead_letter", reason: "malformed" }));
    else if (isStale(body.event, now)) run.end(run.deadLetter(message, body, { kind: "dead_letter", reason: "stale" }));
    else {
      const list = perDestination.get(body.destination) ?? [];
      list.push({ message, body, attempts: message.attempts, event: body.event });
      perDestination.set(body.destination, list);
    }
  }
  // Destinations are independent: one throttled, down or held does not hold up the others.
  await Promise.all([...perDestination].map(([name, items]) => run.deliverDestination(name, items, config)));
  await run.finish();
  await settlePacks(opened.packs, env.CAPI_QUEUE);
}

/** The settings, or `undefined` (logged) when they cannot be read: then every destination is held. */
function readSettings(env: DeliveryEnv, deps: ConsumerDeps, batchSize: number): RelayConfig | undefined {
  try {
    return configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logLine(deps.log, {
      msg: "capi_event",
      level: "error",
      outcome: "misconfigured",
      reason: error.message,
      batch_size: batchSize,
    });
    return undefined;
  }
}

/**
 * One batch's delivery: the env and runtime every step uses, what the batch did so far per
 * destination (`report`, recorded at the end), and the acts still running (`endings`: dead letters
 * on their way to the DLQ), awaited before the batch ends.
 */
class BatchRun {
  readonly report: BatchReport = new Map();
  readonly endings: Promise<void>[] = [];

  constructor(
    readonly env: DeliveryEnv,
    readonly runtime: ConsumerDeps,
  ) {}

  /** Lets an act finish before the batch ends, without waiting for it now. */
  end(act: Promise<void>): void {
    this.endings.push(act);
  }

  /** Waits for every act still running, then records what the batch did (a failed record is dropped). */
  async finish(): Promise<void> {
    await Promise.all(this.endings);
    if (this.report.size > 0) await Promise.resolve(this.runtime.record(this.report)).catch(() => undefined);
  }

  /**
   * One destination's messages: held (settings unreadable, destination unknown, no token, circuit
   * open), or sent in requests per pixel, each message's fate then acted on; those Meta refused for
   * the configuration go to the circuit together.
   */
  async deliverDestination(name: string, items: Item[], config: RelayConfig | undefined): Promise<void> {
    if (config === undefined) return this.hold(name, items, { kind: "settings_unusable" });
    const destination = destinationNamed(config, name);
    if (destination === undefined) return this.hold(name, items, { kind: "unknown_destination" });
    if (destination.target === undefined) return this.hold(name, items, { kind: "no_token" });
    if (await this.circuitIsOpen(name)) return this.hold(name, items, undefined);

    const { runtime } = this;
    const target = { ...destination.target, pixelId: destination.pixelId };
    const post = throttleGuard((events) =>
      postEvents(target, events, { fetch: runtime.fetch, timeoutMs: runtime.timeoutMs, now: runtime.now }),
    );
    const held: { items: Item[]; failure: GraphFailure }[] = [];
    const memory = splitMemoryOf(this.env, name);
    for (const request of groupRequests(items, () => destination.pixelId)) {
      const fates = await settle(request.items, {
        post,
        policy: runtime.policy,
        random: runtime.random,
        sleep: runtime.sleep,
        memory,
        now: runtime.now(),
      });
      const toHold = request.items.filter((_, i) => fates[i]!.kind === "hold");
      const failure = fates.find((fate): fate is Extract<Fate, { kind: "hold" }> => fate.kind === "hold")?.failure;
      if (failure) held.push({ items: toHold, failure });
      request.items.forEach((item, i) => {
        const fate = fates[i]!;
        if (fate.kind !== "hold") this.end(this.apply(item, fate, destination));
      });
    }
    for (const { items: heldItems, failure } of held) {
      closedCircuits.get(this.env)?.delete(name);
      await this.hold(name, heldItems, { kind: "meta_refused", failure });
    }
  }

  /** Whether the destination's circuit is open (a closed one is trusted for a few seconds). */
  private async circuitIsOpen(name: string): Promise<boolean> {
    const now = this.runtime.now();
    const closedUntil = closedCircuitsOf(this.env);
    const circuit = circuitOf(this.env, name);
    if (!circuit || (closedUntil.get(name) ?? 0) > now) return false;
    try {
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
  async hold(name: string, items: Item[], cause: HoldCause | undefined): Promise<void> {
    const { log } = this.runtime;
    const now = this.runtime.now();
    const summary = this.reportOf(name);
    const reason = cause?.kind ?? "circuit_open";
    try {
      const circuit = circuitOf(this.env, name);
      if (!circuit) throw new Error("DELIVERY_CIRCUIT is not bound");
      await circuit.hold(
        name,
        items.map((item) => item.body),
        cause,
        now,
      );
    } catch {
      for (const item of items) {
        item.message.retry({ delaySeconds: HOLD_FALLBACK_DELAY_SECONDS });
        logLine(log, {
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
      logLine(log, {
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
    if (cause?.kind === "meta_refused") summary.lastFailure = { at: now, ...refusalOf(cause.failure) };
  }

  /** Acts on a fate: ack, retry with delay, or dead-letter then ack. */
  async apply(item: Item, fate: Exclude<Fate, { kind: "hold" }>, destination: Destination): Promise<void> {
    if (fate.kind === "sent") return this.sent(item, fate, destination.name);
    if (fate.kind === "retry") return this.retry(item, fate, destination.name);
    return this.deadLetter(item.message, item.body, fate);
  }

  private sent(item: Item, fate: Extract<Fate, { kind: "sent" }>, destination: string): void {
    const { message, body } = item;
    const now = this.runtime.now();
    const summary = this.reportOf(destination);
    message.ack();
    logLine(this.runtime.log, {
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
      ...eventNameFields(body),
      ...(fate.fbtraceId ? { fbtraceId: fate.fbtraceId } : {}),
    });
  }

  private retry(item: Item, fate: Extract<Fate, { kind: "retry" }>, destination: string): void {
    const { message, body } = item;
    const summary = this.reportOf(destination);
    message.retry({ delaySeconds: fate.delaySeconds });
    logLine(this.runtime.log, {
      ...eventFields(body),
      ...failureFields(fate.failure),
      level: "warn",
      outcome: "retry",
      attempts: message.attempts,
      delay_seconds: fate.delaySeconds,
    });
    summary.retried += 1;
    summary.lastFailure = { at: this.runtime.now(), ...refusalOf(fate.failure) };
    summary.events.push({
      eventId: body.eventId,
      outcome: "retry",
      keys: userDataKeys(body),
      ...(fate.failure.fbtraceId ? { fbtraceId: fate.failure.fbtraceId } : {}),
    });
  }

  /**
   * Sends a dead letter to the DLQ, then acks. If the DLQ refuses, the message is retried instead
   * (nothing is acked that is not stored somewhere).
   */
  async deadLetter(
    message: Message<unknown>,
    body: QueuedEvent | null,
    fate: Extract<Fate, { kind: "dead_letter" }>,
  ): Promise<void> {
    const { log, policy, random } = this.runtime;
    const now = this.runtime.now();
    const letter = deadLetterOf(message, body, fate, now);
    const fields = {
      ...(body ? eventFields(body) : { msg: "capi_event" }),
      ...failureFields(fate.failure),
      attempts: message.attempts,
      reason: fate.reason,
    };
    const dlq = this.env.CAPI_DLQ;
    if (!dlq) {
      // Misconfiguration: nowhere to keep it. Say so loudly rather than retry a refusal forever.
      message.ack();
      logLine(log, { ...fields, level: "error", outcome: "dead_letter_lost" });
      return;
    }
    try {
      await dlq.send(letter, { contentType: "json" });
    } catch {
      const delaySeconds = retryDelaySeconds(message.attempts, policy, random);
      message.retry({ delaySeconds });
      logLine(log, { ...fields, level: "error", outcome: "dead_letter_failed", delay_seconds: delaySeconds });
      return;
    }
    message.ack();
    logLine(log, { ...fields, level: "warn", outcome: "dead_lettered" });
    if (body) {
      const summary = this.reportOf(body.destination);
      summary.deadLettered += 1;
      if (fate.failure) summary.lastFailure = { at: now, ...refusalOf(fate.failure) };
      summary.events.push({
        eventId: body.eventId,
        outcome: "dead_lettered",
        keys: userDataKeys(body),
        ...eventNameFields(body),
        ...(fate.failure?.fbtraceId ? { fbtraceId: fate.failure.fbtraceId } : {}),
      });
    }
  }

  private reportOf(destination: string): DestinationReport {
    let summary = this.report.get(destination);
    if (!summary) {
      summary = { sent: 0, retried: 0, deadLettered: 0, held: 0, latenciesMs: [], sentKeys: [], events: [] };
      this.report.set(destination, summary);
    }
    return summary;
  }
}

/** A browser event's name and origin, for the counts per event name. */
function eventNameFields(body: QueuedEvent): { eventName?: string; origin?: "browser" } {
  return body.origin === "browser" ? { eventName: body.event.event_name, origin: "browser" } : {};
}

function userDataKeys(body: QueuedEvent): string[] {
  return Object.keys(body.event.user_data);
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

/** Never Meta's free-text message in a log line: only codes, status and trace id, and whether it may pass. */
function failureFields(failure: GraphFailure | undefined): Partial<LogFields> {
  if (!failure) return {};
  return {
    ...refusalLogFields(failure),
    reason: failure.status === undefined ? "no_answer" : failure.transient ? "transient" : "permanent",
  };
}
