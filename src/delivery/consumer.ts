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
import { IDS_PER_LINE, type LogFields, logLine } from "../core/log";
import { defaultRuntime, type Runtime } from "../core/runtime";
import { ConfigError, configFor, type Destination, destinationNamed, type RelayConfig } from "../config/settings";
import type { DeliveryEnv } from "./bindings";
import { circuitOf, type CircuitStatus, type HoldCause } from "./holds";
import { claimIntake } from "./intakeClaims";
import { storeDeadLetters } from "./deadLetters";
import { failureScope, type GraphFailure, type GraphOutcome, postEvents } from "./graph";
import { type MetaRefusal, refusalLogFields, refusalOf } from "./metaErrors";
import { isDeadLetterQueue, isRedrive, type QueuedEvent, readQueuedEvent } from "./messages";
import {
  deadLetterOf,
  type DeliveryPolicy,
  type Fate,
  groupRequests,
  HOLD_FALLBACK_DELAY_SECONDS,
  isStale,
  isThrottle,
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
  /** Events logged and not sent because the relay is in dry-run mode. */
  dryRun?: number;
  /** Redelivered webhooks acked unsent: the destination already had the event (the intake claim). */
  duplicate?: number;
  /** Re-driven dead letters Meta accepted (counted `sent` too): they leave the dead-letter count. */
  recovered?: number;
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
    outcome: "sent" | "retry" | "held" | "dead_lettered" | "dry_run";
    fbtraceId?: string;
    keys: string[];
    /** Meta's event name, and `browser` for an event from `/collect/cartful` (counted per name). */
    eventName?: string;
    origin?: "browser";
  }[];
}

export type BatchReport = Map<string, DestinationReport>;

/**
 * A destination's report with nothing in it yet (the consumer's, and a circuit's for what its
 * probe delivered or its expiry dead-lettered).
 *
 * @example
 * ```ts
 * const report = emptyReport();
 * report.sent += 1;
 * ```
 */
export function emptyReport(): DestinationReport {
  return { sent: 0, retried: 0, deadLettered: 0, held: 0, latenciesMs: [], sentKeys: [], events: [] };
}

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

/**
 * Per Worker env: circuits known closed (from the answer to an offer, a hold or a report), and
 * until when (ms) that is trusted without asking again. So a batch asks its destination's circuit
 * at most once: a closed one is not asked before sending for a few seconds; otherwise the batch is
 * offered, and an open circuit keeps it in the same call. (An open one is never trusted: once it
 * closes, batches go out at once rather than into it.)
 */
const closedCircuits = new WeakMap<object, Map<string, number>>();
/**
 * How long a closed circuit is trusted without asking: half a minute, so a busy destination's
 * batches ask it about once per isolate rather than once each (a Durable Object request per
 * batch), while a circuit another isolate opened is seen soon. Meanwhile a batch sent into a
 * refusal is refused itself, and held then: trusting longer costs Meta a few refused requests,
 * never an event. An open circuit is never trusted.
 */
export const CLOSED_TRUST_MS = 30_000;
/** Per Worker env and destination: what cut-short splits learned (a hint for the next delivery). */
const splitMemories = new WeakMap<object, Map<string, SplitMemory>>();

function splitMemoryOf(env: DeliveryEnv, destination: string): SplitMemory {
  let perDestination = splitMemories.get(env);
  if (!perDestination) splitMemories.set(env, (perDestination = new Map()));
  let memory = perDestination.get(destination);
  if (!memory) perDestination.set(destination, (memory = new SplitMemory()));
  return memory;
}

/**
 * Per Worker env: destinations whose circuit counts a run of transient failures (this isolate
 * reported one, or read it in the circuit's status), so that a request getting through is told.
 */
const failingCircuits = new WeakMap<object, Set<string>>();

function failingCircuitsOf(env: DeliveryEnv): Set<string> {
  let failing = failingCircuits.get(env);
  if (!failing) failingCircuits.set(env, (failing = new Set()));
  return failing;
}

/** What a batch's requests to one destination came to: accepted, and failed transiently (not throttled). */
interface RequestTally {
  accepted: number;
  failed: number;
  /** The last transient failure. */
  failure?: GraphFailure;
}

/** Counts a request's outcome into `tally`, and answers it. */
function tallied(tally: RequestTally, outcome: GraphOutcome): GraphOutcome {
  if (outcome.ok) tally.accepted++;
  else if (failureScope(outcome) === "transient" && !isThrottle(outcome)) {
    tally.failed++;
    tally.failure = outcome;
  }
  return outcome;
}

function closedCircuitsOf(env: DeliveryEnv): Map<string, number> {
  let closedUntil = closedCircuits.get(env);
  if (!closedUntil) closedCircuits.set(env, (closedUntil = new Map()));
  return closedUntil;
}

/** Remembers what a circuit just said of itself: closed is trusted a few seconds, open not at all. */
function trustCircuit(env: DeliveryEnv, name: string, open: boolean, now: number): void {
  if (open) closedCircuitsOf(env).delete(name);
  else closedCircuitsOf(env).set(name, now + CLOSED_TRUST_MS);
}

async function deliverBatch(batch: MessageBatch<unknown>, env: DeliveryEnv, deps: ConsumerDeps): Promise<void> {
  const now = deps.now();
  const config = readSettings(env, deps, batch.messages.length);
  const run = new BatchRun(env, deps);
  // A pack (a browser request's events in one message) is delivered event by event, then settled whole.
  const opened = openPacks(batch.messages);
  const items: Item[] = [];
  for (const message of opened.messages) {
    const body = readQueuedEvent(message.body);
    if (!body) run.end(run.deadLetter(message, null, { kind: "dead_letter", reason: "malformed" }));
    else if (isStale(body.event, now)) run.end(run.deadLetter(message, body, { kind: "dead_letter", reason: "stale" }));
    else items.push({ message, body, attempts: message.attempts, event: body.event });
  }
  const perDestination = new Map<string, Item[]>();
  for (const item of await run.claimIntake(items)) {
    const list = perDestination.get(item.body.destination) ?? [];
    list.push(item);
    perDestination.set(item.body.destination, list);
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
   * The intake claim of the batch's webhook messages (./intakeClaims: one ledger call per shard):
   * answers the items to deliver. A redelivered webhook (another message has its keys for its
   * destination) is acked unsent and counted `duplicate`; one whose shard could not be reached
   * (or that a direct delivery is sending) is retried shortly, never sent unclaimed.
   */
  async claimIntake(items: Item[]): Promise<Item[]> {
    const verdicts = await claimIntake(
      this.env,
      items.map((item) => ({ id: item.message.id, body: item.body })),
      this.runtime.now(),
    );
    return items.filter((item, i) => {
      const verdict = verdicts[i]!;
      if (verdict.kind === "send") return true;
      if (verdict.kind === "duplicate") this.duplicate(item);
      else {
        // Shortly, growing with the message's attempts: a ledger down for long must not spend its retries in minutes.
        const { policy, random } = this.runtime;
        const delaySeconds = Math.max(verdict.delaySeconds, retryDelaySeconds(item.attempts, policy, random));
        item.message.retry({ delaySeconds });
        logLine(this.runtime.log, {
          ...eventFields(item.body),
          level: "warn",
          outcome: "claim_deferred",
          reason: verdict.reason,
          delay_seconds: delaySeconds,
          attempts: item.attempts,
        });
      }
      return false;
    });
  }

  /** A redelivered webhook the destination already has (or has on its way): acked unsent, counted. */
  private duplicate(item: Item): void {
    item.message.ack();
    logLine(this.runtime.log, { ...eventFields(item.body), outcome: "duplicate", attempts: item.attempts });
    const summary = this.reportOf(item.body.destination);
    summary.duplicate = (summary.duplicate ?? 0) + 1;
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
    if (destination.target === undefined) {
      if (config.dryRun) return this.dryRun(name, items);
      return this.hold(name, items, { kind: "no_token", ...destination.missingToken });
    }
    if (await this.heldByOpenCircuit(name, items)) return;

    const { runtime } = this;
    const target = { ...destination.target, pixelId: destination.pixelId };
    const tally: RequestTally = { accepted: 0, failed: 0 };
    const post = throttleGuard(async (events) =>
      tallied(
        tally,
        await postEvents(target, events, { fetch: runtime.fetch, timeoutMs: runtime.timeoutMs, now: runtime.now }),
      ),
    );
    const held: { items: Item[]; failure: GraphFailure }[] = [];
    const retries: { item: Item; fate: Extract<Fate, { kind: "retry" }> }[] = [];
    const memory = splitMemoryOf(this.env, name);
    for (const request of deliveryRequests(items, destination.pixelId)) {
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
        if (fate.kind === "retry") retries.push({ item, fate });
        else if (fate.kind !== "hold") this.end(this.apply(item, fate, destination));
      });
      this.logAccepted(destination, request.items, fates);
    }
    for (const { items: heldItems, failure } of held) {
      await this.hold(name, heldItems, { kind: "meta_refused", failure });
    }
    if (await this.outageHeld(name, tally, retries)) return;
    for (const { item, fate } of retries) this.end(this.apply(item, fate, destination));
  }

  /**
   * Tells the destination's circuit what it needs to know of the batch, once, and only when there
   * is something to tell: every request failed transiently (it may open for a sustained outage,
   * `meta_unavailable`; then it keeps the messages that would be retried, and this answers true
   * after acking them as held), or a request got through while the circuit counts failures.
   */
  private async outageHeld(
    name: string,
    tally: RequestTally,
    retries: { item: Item; fate: Extract<Fate, { kind: "retry" }> }[],
  ): Promise<boolean> {
    const circuit = circuitOf(this.env, name);
    const failing = failingCircuitsOf(this.env);
    const now = this.runtime.now();
    if (!circuit) return false;
    if (tally.accepted > 0) {
      if (failing.delete(name))
        await Promise.resolve()
          .then(() => circuit.delivered(now))
          .catch(() => undefined);
      return false;
    }
    if (tally.failed === 0 || tally.failure === undefined) return false;
    failing.add(name);
    const failure = tally.failure;
    let status: CircuitStatus | undefined;
    try {
      const messages = retries.map(({ item }) => item.body);
      status = await circuit.transientFailed(name, messages, { requests: tally.failed, failure }, now);
    } catch {
      return false; // Cannot tell: the messages are retried as usual.
    }
    trustCircuit(this.env, name, status.open, now); // its answer is a fresh status
    if (!status.open) return false;
    failing.delete(name);
    this.heldInCircuit(
      name,
      retries.map(({ item }) => item),
      { kind: "meta_unavailable", failure },
    );
    return true;
  }

  /**
   * Whether the destination's circuit is open, and then its messages handed to it (acked as held):
   * a circuit known closed is trusted for a few seconds; otherwise the batch is offered to it (one
   * call: an open circuit keeps it, a closed one answers so). A circuit that cannot be asked counts
   * as closed: the batch is sent, and a refusal then opens it.
   */
  private async heldByOpenCircuit(name: string, items: Item[]): Promise<boolean> {
    const now = this.runtime.now();
    const circuit = circuitOf(this.env, name);
    if (!circuit || (closedCircuitsOf(this.env).get(name) ?? 0) > now) return false;
    let status: CircuitStatus;
    try {
      status = await circuit.offer(
        name,
        items.map((item) => item.body),
        now,
      );
    } catch {
      return false;
    }
    if (status.failingSince !== undefined) failingCircuitsOf(this.env).add(name);
    trustCircuit(this.env, name, status.open, now);
    if (status.open) this.heldInCircuit(name, items, undefined);
    return status.open;
  }

  /**
   * Moves a destination's messages to its circuit, then acks them; `cause` undefined when the
   * circuit is open already. Without a circuit (unbound or unreachable) they are retried after a
   * long wait instead: nothing is acked that is not stored somewhere.
   */
  async hold(name: string, items: Item[], cause: HoldCause | undefined): Promise<void> {
    const { log } = this.runtime;
    const now = this.runtime.now();
    const reason = cause?.kind ?? "circuit_open";
    let status: CircuitStatus | undefined;
    try {
      const circuit = circuitOf(this.env, name);
      if (!circuit) throw new Error("DELIVERY_CIRCUIT is not bound");
      status = await circuit.hold(
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
      return;
    }
    if (status) trustCircuit(this.env, name, status.open, now);
    this.heldInCircuit(name, items, cause);
  }

  /** Acks messages the circuit stored, each with its log line; counted `held`. */
  private heldInCircuit(name: string, items: Item[], cause: HoldCause | undefined): void {
    const { log } = this.runtime;
    const now = this.runtime.now();
    const summary = this.reportOf(name);
    const reason = cause?.kind ?? "circuit_open";
    const failure = cause && "failure" in cause ? cause.failure : undefined;
    for (const item of items) {
      item.message.ack();
      logLine(log, {
        ...eventFields(item.body),
        ...failureFields(failure),
        // A missing secret is the operator's to fix: an error line that names it (never a value).
        level: cause?.kind === "no_token" ? "error" : "warn",
        outcome: "held",
        reason,
        ...(cause?.kind === "no_token" && cause.secret ? { secret: cause.secret } : {}),
        attempts: item.attempts,
      });
      summary.events.push({ eventId: item.body.eventId, outcome: "held", keys: userDataKeys(item.body) });
    }
    summary.held += items.length;
    if (failure) summary.lastFailure = { at: now, ...refusalOf(failure) };
  }

  /**
   * The relay is in dry-run mode (`DRY_RUN=true`, or no destination has a token): messages queued
   * before it are logged as dry runs and acked, as the webhook route does with new ones.
   */
  dryRun(name: string, items: Item[]): void {
    const summary = this.reportOf(name);
    for (const item of items) {
      item.message.ack();
      logLine(this.runtime.log, { ...eventFields(item.body), outcome: "dry_run", dry_run: true });
      summary.events.push({ eventId: item.body.eventId, outcome: "dry_run", keys: userDataKeys(item.body) });
    }
    summary.dryRun = (summary.dryRun ?? 0) + items.length;
  }

  /** Acts on a fate: ack, retry with delay, or dead-letter then ack. */
  async apply(item: Item, fate: Exclude<Fate, { kind: "hold" }>, destination: Destination): Promise<void> {
    if (fate.kind === "sent") return this.sent(item, fate, destination.name);
    if (fate.kind === "retry") return this.retry(item, fate, destination.name);
    return this.deadLetter(item.message, item.body, fate);
  }

  /**
   * The log of what Meta accepted: one line per request (its trace id), naming its events' ids, in
   * lines of at most {@link IDS_PER_LINE}; a re-driven dead letter, and every other fate, keeps a
   * line per event. A line per
   * accepted event was most of the consumer's own work per event (under `wrangler dev` each line
   * crosses to wrangler's process) and of what Workers Logs keep, for what the ids list says too.
   */
  private logAccepted(destination: Destination, items: Item[], fates: Fate[]): void {
    const byRequest = new Map<string | undefined, { fate: Extract<Fate, { kind: "sent" }>; items: Item[] }>();
    items.forEach((item, i) => {
      const fate = fates[i]!;
      if (fate.kind !== "sent") return;
      // A re-driven dead letter is an operator's act: its own line says it went through, and how many re-drives it took.
      if (item.body.replays) {
        logLine(this.runtime.log, {
          ...eventFields(item.body),
          outcome: "sent",
          attempts: item.attempts,
          batch_size: fate.batchSize,
          ...(fate.fbtraceId ? { fbtrace_id: fate.fbtraceId } : {}),
        });
        return;
      }
      const request = byRequest.get(fate.fbtraceId);
      if (request) request.items.push(item);
      else byRequest.set(fate.fbtraceId, { fate, items: [item] });
    });
    for (const { fate, items: accepted } of byRequest.values()) {
      for (let start = 0; start < accepted.length; start += IDS_PER_LINE) {
        const part = accepted.slice(start, start + IDS_PER_LINE);
        logLine(this.runtime.log, {
          msg: "capi_request",
          outcome: "sent",
          destination: destination.name,
          pixel_id: destination.pixelId,
          batch_size: fate.batchSize,
          event_ids: part.map((item) => item.body.eventId),
          attempts: Math.max(...part.map((item) => item.attempts)),
          ...(fate.fbtraceId ? { fbtrace_id: fate.fbtraceId } : {}),
        });
      }
    }
  }

  /** Acks an event Meta accepted and counts it (its log line is its request's: {@link logAccepted}). */
  private sent(item: Item, fate: Extract<Fate, { kind: "sent" }>, destination: string): void {
    const { message, body } = item;
    const now = this.runtime.now();
    const summary = this.reportOf(destination);
    message.ack();
    const keys = userDataKeys(body);
    summary.sent += 1;
    // A re-driven dead letter delivered at last: it no longer counts as a dead letter.
    if (body.replays) summary.recovered = (summary.recovered ?? 0) + 1;
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
      // Each event once, however often it is re-driven and refused again.
      if (!body.replays) summary.deadLettered += 1;
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
      summary = emptyReport();
      this.report.set(destination, summary);
    }
    return summary;
  }
}

/**
 * A destination's messages as Conversions API requests: the healthy ones together (./policy
 * `groupRequests`), then each re-driven dead letter alone, so that Meta refusing one again refuses
 * nothing else and costs one request, not a bisection of its batchmates (a re-drive is the
 * operator's act on a few letters: one request each is cheap).
 */
function deliveryRequests(items: Item[], pixelId: string): { pixelId: string; items: Item[] }[] {
  const redriven = items.filter((item) => isRedrive(item.body));
  const healthy = items.filter((item) => !isRedrive(item.body));
  return [...groupRequests(healthy, () => pixelId), ...groupRequests(redriven, () => pixelId, 1)];
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
