/**
 * The delivery circuit of one destination: where its events wait while they cannot be sent
 * because of configuration, and the probe that notices the fix. One SQLite-backed Durable Object
 * per destination name.
 *
 * Why not keep them in the queue: Cloudflare retries a message at most `max_retries` (100) times
 * and delays a retry at most 12 hours, and a queue keeps messages 4 days by default; a revoked
 * token can take longer to notice and fix than that, and every retry of every message would be
 * one more request Meta refuses. So the first refusal of the configuration opens the circuit: the
 * consumer moves that destination's events here (and acks them), sends nothing more for it, and
 * the object probes Meta itself with one held event, 30 s after opening, then at doubling waits up
 * to every 10 minutes, with an error log line each time. When a probe is accepted the circuit
 * closes and every held event goes back on the delivery queue, with nobody replaying anything.
 * An event is dead-lettered here only when it would outlive Meta's 7-day window.
 *
 * The same holds events whose destination has no token (the secret was removed), is not in the
 * settings any more (renamed or removed), or whose settings cannot be read at all: each probe
 * first checks that a token and a destination exist again.
 *
 * @example
 * ```ts
 * const circuit = env.DELIVERY_CIRCUIT.get(env.DELIVERY_CIRCUIT.idFromName(circuitName("eu")));
 * if ((await circuit.status(Date.now())).open) await circuit.hold(messages, { kind: "meta_refused", failure }, Date.now());
 * ```
 */
import { DurableObject } from "cloudflare:workers";
import { consoleSink, type LogFields, type LogSink, logLine } from "../core/log";
import { migrate, type SchemaStep } from "../core/sqlSchema";
import { ConfigError, configFor, destinationNamed } from "../config/settings";
import { failureScope, type GraphFailure, type GraphOutcome, postEvents } from "./graph";
import {
  type DeadLetter,
  deadLetterKey,
  type QueuedEvent,
  type Queues,
  readQueuedEvent,
  sendBatches,
} from "./messages";
import type { CircuitFailure, CircuitStatus, HoldCause } from "./holds";
import { isStale, probeDelayMs, QUEUE_TIMEOUT_MS } from "./policy";

/** What a probe needs from the world; tests replace it through `runInDurableObject`. */
export interface CircuitDeps {
  fetch: typeof fetch;
  now: () => number;
  sink: LogSink;
  /** The Worker's env (settings, secrets, queues); the object's own unless a test gives another. */
  env: object | undefined;
}

interface StateRow extends Record<string, SqlStorageValue> {
  destination: string | null;
  open: number;
  cause: string | null;
  since: number | null;
  probes: number;
  next_probe_at: number | null;
  last_failure: string | null;
}

/** The circuit's tables, oldest step first (see core/sqlSchema: never edit a deployed step, add one). */
const SCHEMA: SchemaStep[] = [
  [
    `CREATE TABLE IF NOT EXISTS held (
       key TEXT PRIMARY KEY, seq INTEGER NOT NULL, event_time INTEGER NOT NULL, held_at INTEGER NOT NULL, body TEXT NOT NULL)`,
    "CREATE INDEX IF NOT EXISTS held_seq ON held (seq)",
    `CREATE TABLE IF NOT EXISTS state (
       id INTEGER PRIMARY KEY CHECK (id = 1), destination TEXT, open INTEGER NOT NULL, cause TEXT, since INTEGER,
       probes INTEGER NOT NULL, next_probe_at INTEGER, last_failure TEXT)`,
    "INSERT OR IGNORE INTO state (id, open, probes) VALUES (1, 0, 0)",
  ],
];

/** Held events probed at once: one, so a probe never carries more than it has to. */
const PROBE_EVENTS = 1;

export class DeliveryCircuit extends DurableObject {
  private readonly sql: SqlStorage;
  /** Replaced in tests (through `runInDurableObject`) by a fake Graph and clock. */
  deps: CircuitDeps = {
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sink: consoleSink,
    env: undefined,
  };

  constructor(ctx: DurableObjectState, env: object) {
    super(ctx, env as never);
    this.sql = migrate(ctx.storage.sql, SCHEMA);
  }

  /** Whether the circuit is open, what it holds, and Meta's last refusal. Re-arms a lost alarm. */
  async status(now: number): Promise<CircuitStatus> {
    const state = this.state();
    const held = this.heldCount();
    if (held > 0 && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now + probeDelayMs(state.probes));
    return {
      open: state.open === 1,
      ...(state.cause ? { cause: state.cause as HoldCause["kind"] } : {}),
      ...(state.since !== null ? { since: state.since } : {}),
      held,
      probes: state.probes,
      ...(state.next_probe_at !== null ? { nextProbeAt: state.next_probe_at } : {}),
      ...(state.last_failure ? { lastFailure: JSON.parse(state.last_failure) as CircuitFailure } : {}),
    };
  }

  /**
   * Keeps `messages` (one destination's) until the configuration works again, and opens the
   * circuit for `cause` if it is not open yet; `cause` undefined means "the circuit is open, add
   * these" (should it have closed meanwhile, they are probed and released at once). A message
   * held already is kept once.
   */
  async hold(
    destination: string,
    messages: QueuedEvent[],
    cause: HoldCause | undefined,
    now: number,
  ): Promise<CircuitStatus> {
    let seq = this.sql.exec<{ n: number | null }>("SELECT MAX(seq) AS n FROM held").one().n ?? 0;
    for (const message of messages) {
      this.sql.exec(
        "INSERT OR IGNORE INTO held (key, seq, event_time, held_at, body) VALUES (?, ?, ?, ?, ?)",
        deadLetterKey(message.destination, message.eventId),
        ++seq,
        message.event.event_time,
        now,
        JSON.stringify(message),
      );
    }
    const state = this.state();
    if (cause === undefined) {
      this.sql.exec("UPDATE state SET destination = ? WHERE id = 1", destination);
      const alarm = await this.ctx.storage.getAlarm();
      if (state.open === 0) await this.ctx.storage.setAlarm(now);
      else if (alarm === null) await this.ctx.storage.setAlarm(state.next_probe_at ?? now);
      return this.status(now);
    }
    const failure = cause.kind === "meta_refused" ? JSON.stringify(circuitFailure(cause.failure)) : state.last_failure;
    if (state.open === 0) {
      const nextProbeAt = now + probeDelayMs(0);
      this.sql.exec(
        "UPDATE state SET destination = ?, open = 1, cause = ?, since = ?, probes = 0, next_probe_at = ?, last_failure = ? WHERE id = 1",
        destination,
        cause.kind,
        now,
        nextProbeAt,
        failure,
      );
      await this.ctx.storage.setAlarm(nextProbeAt);
      this.log({
        level: "error",
        outcome: "circuit_opened",
        destination,
        reason: cause.kind,
        held: this.heldCount(),
        ...codes(cause.kind === "meta_refused" ? cause.failure : undefined),
      });
    } else {
      this.sql.exec(
        "UPDATE state SET destination = ?, cause = ?, last_failure = ? WHERE id = 1",
        destination,
        cause.kind,
        failure,
      );
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(state.next_probe_at ?? now);
    }
    return this.status(now);
  }

  /** Probes at once (the console's "retry now"). */
  async probeSoon(now: number): Promise<void> {
    if (this.heldCount() > 0 || this.state().open === 1) await this.ctx.storage.setAlarm(now);
  }

  /**
   * The consumer found the destination's settings usable, with a token, again. If the circuit
   * is open for a cause the consumer can see is gone (`no_token`, `unknown_destination`,
   * `settings_unusable`), it probes now instead of at its next wait (up to 10 minutes); once, until
   * that probe has run. A circuit open because Meta refused keeps its wait: only Meta can say.
   */
  async settingsUsable(now: number): Promise<void> {
    const state = this.state();
    const seen =
      state.cause === "no_token" || state.cause === "unknown_destination" || state.cause === "settings_unusable";
    if (state.open !== 1 || !seen || (state.next_probe_at ?? 0) <= now) return;
    this.sql.exec("UPDATE state SET next_probe_at = ? WHERE id = 1", now);
    await this.ctx.storage.setAlarm(now);
  }

  /** The probe: see the module's comment. Never throws; always leaves an alarm while events are held. */
  override async alarm(): Promise<void> {
    const now = this.deps.now();
    const state = this.state();
    const destination = state.destination;
    try {
      if (destination === null) return;
      await this.expireStale(destination, now);
      const outcome = await this.probe(destination, now);
      if (outcome === "closed") await this.release(destination, now);
    } catch (error) {
      this.log({
        level: "error",
        outcome: "probe_failed",
        ...(destination ? { destination } : {}),
        reason: (error as Error).name,
      });
    } finally {
      const after = this.state();
      if (this.heldCount() > 0 || after.open === 1) {
        const next =
          after.open === 1 ? (after.next_probe_at ?? now + probeDelayMs(after.probes)) : now + probeDelayMs(0);
        await this.ctx.storage.setAlarm(Math.max(next, now + 1000));
      }
    }
  }

  /** One probe: whether the destination can be sent to now. */
  private async probe(destination: string, now: number): Promise<"closed" | "open"> {
    const state = this.state();
    /** Keeps the circuit open for `cause` (undefined: the cause stays), with Meta's refusal if one came. */
    const stillOpen = (cause: HoldCause["kind"] | undefined, failure?: GraphFailure, reason?: string) => {
      // A probe Meta could not answer says nothing of the configuration: the wait does not grow.
      const probes = reason === "probe_transient" ? state.probes : state.probes + 1;
      const kind = cause ?? state.cause ?? "meta_refused";
      const lastFailure =
        failure && cause === "meta_refused" ? JSON.stringify(circuitFailure(failure)) : state.last_failure;
      this.sql.exec(
        "UPDATE state SET open = 1, cause = ?, probes = ?, next_probe_at = ?, last_failure = ? WHERE id = 1",
        kind,
        probes,
        now + probeDelayMs(probes),
        lastFailure,
      );
      this.log({
        level: "error",
        outcome: "circuit_open",
        destination,
        reason: reason ?? kind,
        held: this.heldCount(),
        probes,
        ...codes(failure),
      });
      return "open" as const;
    };

    let config;
    try {
      config = configFor(this.workerEnv());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return stillOpen("settings_unusable");
    }
    const target = destinationNamed(config, destination);
    if (target === undefined) return stillOpen("unknown_destination");
    if (target.target === undefined) return stillOpen("no_token");
    const probeEvents = this.oldest(PROBE_EVENTS);
    if (probeEvents.length === 0) return "closed";

    const outcome: GraphOutcome = await postEvents(
      { ...target.target, pixelId: target.pixelId },
      probeEvents.map((message) => message.event),
      { fetch: this.deps.fetch, timeoutMs: QUEUE_TIMEOUT_MS, now: this.deps.now },
    );
    if (outcome.ok) {
      // The probe's own events reached Meta: they are done.
      for (const message of probeEvents) {
        this.sql.exec("DELETE FROM held WHERE key = ?", deadLetterKey(message.destination, message.eventId));
        this.log({
          outcome: "sent",
          destination,
          event_id: message.eventId,
          studio_event_id: message.studioEventId,
          reason: "probe",
          ...(outcome.fbtraceId ? { fbtrace_id: outcome.fbtraceId } : {}),
        });
      }
      return "closed";
    }
    const scope = failureScope(outcome);
    if (scope === "configuration") return stillOpen("meta_refused", outcome);
    if (scope === "event") return "closed"; // Meta read the request and judged the event: the configuration works.
    // Meta or the network is down: no verdict on the configuration; probe again soon.
    return stillOpen(undefined, outcome, "probe_transient");
  }

  /** Closes the circuit and puts every held event back on the delivery queue. */
  private async release(destination: string, now: number): Promise<void> {
    const queue = (this.workerEnv() as Queues).CAPI_QUEUE;
    this.sql.exec(
      "UPDATE state SET open = 0, cause = NULL, since = NULL, probes = 0, next_probe_at = NULL WHERE id = 1",
    );
    const held = this.oldest(Number.MAX_SAFE_INTEGER);
    if (held.length > 0 && !queue) throw new Error("CAPI_QUEUE is not bound");
    for (const run of sendBatches(held)) {
      await queue!.sendBatch(run.map((body) => ({ body, contentType: "json" as const })));
      for (const message of run)
        this.sql.exec("DELETE FROM held WHERE key = ?", deadLetterKey(message.destination, message.eventId));
    }
    this.log({ outcome: "circuit_closed", destination, held: held.length });
    void now;
  }

  /** Dead-letters what would outlive Meta's 7-day window if it waited longer. */
  private async expireStale(destination: string, now: number): Promise<void> {
    const state = this.state();
    const stale = this.oldest(Number.MAX_SAFE_INTEGER).filter((message) => isStale(message.event, now));
    if (stale.length === 0) return;
    const dlq = (this.workerEnv() as Queues).CAPI_DLQ;
    const failure = state.last_failure ? (JSON.parse(state.last_failure) as CircuitFailure) : undefined;
    for (const message of stale) {
      const letter: DeadLetter = {
        v: 1,
        kind: "dead_letter",
        key: deadLetterKey(message.destination, message.eventId),
        message,
        reason: "configuration",
        detail: `held while the destination could not be sent to (${state.cause ?? "configuration"}) until Meta's 7-day window closed`,
        ...(failure?.status !== undefined ? { status: failure.status } : {}),
        ...(failure?.code !== undefined ? { code: failure.code } : {}),
        ...(failure?.subcode !== undefined ? { subcode: failure.subcode } : {}),
        ...(failure?.fbtraceId ? { fbtraceId: failure.fbtraceId } : {}),
        attempts: 0,
        deadLetteredAt: now,
      };
      if (dlq) await dlq.send(letter, { contentType: "json" });
      this.sql.exec("DELETE FROM held WHERE key = ?", letter.key);
      this.log({
        level: dlq ? "warn" : "error",
        outcome: dlq ? "dead_lettered" : "dead_letter_lost",
        destination,
        event_id: message.eventId,
        studio_event_id: message.studioEventId,
        reason: "configuration",
      });
    }
  }

  private oldest(limit: number): QueuedEvent[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM held ORDER BY seq LIMIT ?", Math.min(limit, 1_000_000))
      .toArray()
      .flatMap((row) => {
        const message = readQueuedEvent(JSON.parse(row.body));
        return message ? [message] : [];
      });
  }

  private workerEnv(): object {
    return this.deps.env ?? (this.env as object);
  }

  private heldCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM held").one().n;
  }

  private state(): StateRow {
    return this.sql
      .exec<StateRow>(
        "SELECT destination, open, cause, since, probes, next_probe_at, last_failure FROM state WHERE id = 1",
      )
      .one();
  }

  private log(fields: Omit<LogFields, "msg">): void {
    logLine(this.deps.sink, { msg: "circuit", ...fields });
  }
}

/** Meta's refusal as kept for the console: codes, trace id and Meta's words, bounded. */
function circuitFailure(failure: GraphFailure): CircuitFailure {
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { subcode: failure.subcode } : {}),
    ...(failure.fbtraceId ? { fbtraceId: failure.fbtraceId } : {}),
    message: (failure.userMessage ?? failure.message).slice(0, 300),
  };
}

/** Meta's codes of a refusal, for a log line (never Meta's free text). */
function codes(failure: GraphFailure | undefined): Partial<LogFields> {
  if (failure === undefined) return {};
  return {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { meta_code: failure.code } : {}),
    ...(failure.subcode !== undefined ? { meta_subcode: failure.subcode } : {}),
    ...(failure.fbtraceId ? { fbtrace_id: failure.fbtraceId } : {}),
  };
}
