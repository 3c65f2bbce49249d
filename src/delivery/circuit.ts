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
 * The rules (when it opens, how long it waits, when it closes) are one pure transition,
 * ./circuitState's `nextCircuitState`; this object loads its state, runs the transition, stores
 * the result and acts on it: the probe's request, the release, dead letters, alarms and logs.
 *
 * @example
 * ```ts
 * const circuit = circuitOf(env, "eu")!; // ./holds
 * if ((await circuit.status(Date.now())).open) await circuit.hold(messages, { kind: "meta_refused", failure }, Date.now());
 * ```
 */
import { DurableObject } from "cloudflare:workers";
import { type LogFields, logLine } from "../core/log";
import { defaultRuntime, type Runtime } from "../core/runtime";
import { addColumn, migrate, type SchemaStep } from "../core/sqlSchema";
import { ConfigError, configFor, destinationNamed, type WorkerVars } from "../config/settings";
import {
  type AlarmChange,
  type CircuitEvent,
  type CircuitState,
  circuitStatus,
  nextCircuitState,
  staleLetter,
} from "./circuitState";
import { failureScope, type GraphFailure, type GraphOutcome, postEvents } from "./graph";
import { type BatchReport, type DestinationReport, emptyReport } from "./consumer";
import type { CircuitStatus, HoldCause } from "./holds";
import { type MetaRefusal, refusalOf } from "./metaErrors";
import { claimedCopy, deadLetterKey, type QueuedEvent, readQueuedEvent, sendBatches } from "./messages";
import { isStale, QUEUE_TIMEOUT_MS } from "./policy";

/** What the circuit reads of the Worker's env: the settings and secrets (../config), and the queues. */
export type CircuitEnv = WorkerVars & Partial<Pick<Env, "CAPI_QUEUE" | "CAPI_DLQ">>;

/** What a probe needs from the world; tests replace it through `runInDurableObject`. */
export interface CircuitDeps extends Pick<Runtime, "fetch" | "now" | "log"> {
  /** The Worker's env; the object's own unless a test gives another. */
  env: CircuitEnv | undefined;
  /**
   * Receives what the circuit itself did to events, for the operator console's metrics: the
   * events its probes delivered (`sent`, with keys and latency) and those it dead-lettered. The
   * Worker (src/index.ts) wires the metrics store in; the delivery layer cannot import it.
   */
  record: (report: BatchReport) => Promise<void> | void;
}

interface StateRow extends Record<string, SqlStorageValue> {
  destination: string | null;
  open: number;
  cause: string | null;
  since: number | null;
  probes: number;
  next_probe_at: number | null;
  last_failure: string | null;
  failing_since: number | null;
  failing_requests: number | null;
  failing_last_at: number | null;
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
  // The run of transient failures the consumer reports (a sustained one opens it: meta_unavailable).
  (sql) => {
    addColumn(sql, { table: "state", column: "failing_since", type: "INTEGER" });
    addColumn(sql, { table: "state", column: "failing_requests", type: "INTEGER" });
    addColumn(sql, { table: "state", column: "failing_last_at", type: "INTEGER" });
  },
];

/** Held events probed at once: one, so a probe never carries more than it has to. */
const PROBE_EVENTS = 1;

/** The events a probe can end with (./circuitState). */
type ProbeVerdict = Extract<CircuitEvent, { kind: "probe_accepted" | "probe_refused" | "probe_transient" }>;

export class DeliveryCircuit extends DurableObject<CircuitEnv> {
  private readonly sql = migrate(this.ctx.storage.sql, SCHEMA);
  /** Replaced in tests (through `runInDurableObject`) by a fake Graph and clock. */
  deps: CircuitDeps = { ...defaultRuntime(), env: undefined, record: () => undefined };

  /** Whether the circuit is open, what it holds, and Meta's last refusal. Re-arms a lost alarm. */
  async status(now: number): Promise<CircuitStatus> {
    return circuitStatus(await this.apply({ kind: "status_read" }, now));
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
    this.keep(messages, now);
    await this.apply({ kind: "hold", destination, cause }, now);
    return this.status(now);
  }

  /** Stores messages to hold, each once. */
  private keep(messages: QueuedEvent[], now: number): void {
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
  }

  /**
   * The consumer's report of a batch for the destination in which `requests` requests failed
   * transiently (not throttled) and none was accepted, with the messages that would be retried.
   * Should the run of failures be sustained (./circuitState), the circuit opens
   * (`meta_unavailable`), or it is open already: then it keeps `messages` (the consumer acks
   * them) and answers `open`; otherwise it keeps nothing and the consumer retries them.
   */
  async transientFailed(
    destination: string,
    messages: QueuedEvent[],
    report: { requests: number; failure: GraphFailure },
    now: number,
  ): Promise<CircuitStatus> {
    const after = await this.apply({ kind: "transient_failed", destination, ...report }, now);
    if (after.open) this.keep(messages, now);
    return this.status(now);
  }

  /** The consumer's report that a request got through after failures were reported: the run is over. */
  async delivered(now: number): Promise<void> {
    await this.apply({ kind: "delivered" }, now);
  }

  /**
   * The consumer offers a batch for a destination it can send to (settings read, token set): an
   * open circuit keeps the messages (the consumer acks them) and, if it was open for a cause the
   * consumer shows is gone (`no_token`, `unknown_destination`, `settings_unusable`), probes now; a
   * closed one keeps nothing and the consumer sends them. One call where a status read and a hold
   * would be two.
   */
  async offer(destination: string, messages: QueuedEvent[], now: number): Promise<CircuitStatus> {
    const state = await this.apply({ kind: "status_read" }, now);
    if (!state.open) return circuitStatus(state);
    this.keep(messages, now);
    await this.apply({ kind: "hold", destination, cause: undefined }, now);
    await this.apply({ kind: "settings_usable" }, now);
    return this.status(now);
  }

  /** Probes at once (the console's "retry now"). */
  async probeSoon(now: number): Promise<void> {
    await this.apply({ kind: "probe_requested" }, now);
  }

  /**
   * The consumer found the destination's settings usable, with a token, again. If the circuit
   * is open for a cause the consumer can see is gone (`no_token`, `unknown_destination`,
   * `settings_unusable`), it probes now instead of at its next wait (up to 10 minutes); once, until
   * that probe has run. A circuit open because Meta refused keeps its wait: only Meta can say.
   */
  async settingsUsable(now: number): Promise<void> {
    await this.apply({ kind: "settings_usable" }, now);
  }

  /** The probe: see the module's comment. Never throws; always leaves an alarm while events are held. */
  override async alarm(): Promise<void> {
    const now = this.deps.now();
    const destination = this.state().destination;
    try {
      if (destination === undefined) return;
      await this.expireStale(destination, now);
      const verdict = await this.probe(destination);
      const after = await this.apply(verdict, now);
      if (!after.open) await this.release(destination);
    } catch (error) {
      this.log({
        level: "error",
        outcome: "probe_failed",
        ...(destination ? { destination } : {}),
        reason: (error as Error).name,
      });
    } finally {
      await this.apply({ kind: "probe_ended" }, now);
    }
  }

  /**
   * Runs the circuit's rules (./circuitState) on `event`: stores the next state if it changed,
   * sets the alarm, writes the log line. Answers the state after.
   */
  private async apply(event: CircuitEvent, now: number): Promise<CircuitState> {
    const before = this.state();
    const step = nextCircuitState(before, event, now);
    if (step.state !== before) this.store(step.state);
    if (step.alarm) await this.setAlarm(step.alarm);
    if (step.log) this.log(step.log);
    return step.state;
  }

  private async setAlarm({ at, ifNone }: AlarmChange): Promise<void> {
    if (ifNone && (await this.ctx.storage.getAlarm()) !== null) return;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * One probe: whether the destination can be sent to now. The probe's own events, accepted by
   * Meta, are done and leave the circuit here.
   */
  private async probe(destination: string): Promise<ProbeVerdict> {
    let config;
    try {
      config = configFor(this.workerEnv());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { kind: "probe_refused", cause: { kind: "settings_unusable" } };
    }
    const target = destinationNamed(config, destination);
    if (target === undefined) return { kind: "probe_refused", cause: { kind: "unknown_destination" } };
    if (target.target === undefined) {
      // Dry-run mode (no destination has a token, or DRY_RUN=true) sends nothing: keep holding, so
      // the events go out once the relay is live again rather than being dropped unsent.
      if (config.dryRun) return { kind: "probe_refused", cause: { kind: "no_token" } };
      return { kind: "probe_refused", cause: { kind: "no_token", ...target.missingToken } };
    }
    const probeEvents = this.oldest(PROBE_EVENTS);
    if (probeEvents.length === 0) return { kind: "probe_accepted" };

    const outcome: GraphOutcome = await postEvents(
      { ...target.target, pixelId: target.pixelId },
      probeEvents.map((message) => message.event),
      { fetch: this.deps.fetch, timeoutMs: QUEUE_TIMEOUT_MS, now: this.deps.now },
    );
    if (outcome.ok) {
      await this.recordSent(destination, probeEvents, outcome.fbtraceId);
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
      return { kind: "probe_accepted" };
    }
    const scope = failureScope(outcome);
    // Meta read the request and judged the event: the configuration works (the event's own fate is the consumer's, once released).
    if (scope === "event") return { kind: "probe_accepted" };
    await this.recordFailure(destination, outcome);
    if (scope === "configuration") return { kind: "probe_refused", cause: { kind: "meta_refused", failure: outcome } };
    return { kind: "probe_transient", failure: outcome };
  }

  /**
   * Records a probe Meta refused (or did not answer) as the destination's last failure, as the
   * consumer records its own: so the console's "Last failure" and Meta's signals (a token refused,
   * …) stay current while the circuit probes through an outage. Nothing is counted: the probe's
   * event stays held.
   */
  private async recordFailure(destination: string, failure: GraphFailure): Promise<void> {
    const report = emptyReport();
    report.lastFailure = { at: this.deps.now(), ...refusalOf(failure) };
    await this.recordReport(destination, report);
  }

  /** Counts the events a probe delivered as `sent` (with their keys and latency), like the consumer's. */
  private async recordSent(destination: string, messages: QueuedEvent[], fbtraceId: string | undefined): Promise<void> {
    const now = this.deps.now();
    const report = emptyReport();
    for (const message of messages) {
      const keys = Object.keys(message.event.user_data);
      report.sent += 1;
      if (message.replays) report.recovered = (report.recovered ?? 0) + 1;
      report.latenciesMs.push(Math.max(0, now - message.acceptedAt));
      report.sentKeys.push(keys);
      report.events.push({ eventId: message.eventId, outcome: "sent", keys, ...(fbtraceId ? { fbtraceId } : {}) });
    }
    report.lastAccepted = { at: now, ...(fbtraceId ? { fbtraceId } : {}) };
    await this.recordReport(destination, report);
  }

  /** Hands a report to `deps.record`; a failed record is dropped (counts are not worth a probe). */
  private async recordReport(destination: string, report: DestinationReport): Promise<void> {
    await Promise.resolve()
      .then(() => this.deps.record(new Map([[destination, report]])))
      .catch(() => undefined);
  }

  /** Puts every held event back on the delivery queue (the circuit closed). */
  private async release(destination: string): Promise<void> {
    const queue = this.workerEnv().CAPI_QUEUE;
    const held = this.oldest(Number.MAX_SAFE_INTEGER);
    if (held.length > 0 && !queue) throw new Error("CAPI_QUEUE is not bound");
    for (const run of sendBatches(held)) {
      await queue!.sendBatch(run.map((body) => ({ body: claimedCopy(body), contentType: "json" as const })));
      for (const message of run)
        this.sql.exec("DELETE FROM held WHERE key = ?", deadLetterKey(message.destination, message.eventId));
    }
    this.log({ outcome: "circuit_closed", destination, held: held.length });
  }

  /** Dead-letters what would outlive Meta's 7-day window if it waited longer. */
  private async expireStale(destination: string, now: number): Promise<void> {
    const stale = this.oldest(Number.MAX_SAFE_INTEGER).filter((message) => isStale(message.event, now));
    if (stale.length === 0) return;
    const state = this.state();
    const dlq = this.workerEnv().CAPI_DLQ;
    const report = emptyReport();
    for (const message of stale) {
      const letter = staleLetter(state, message, now);
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
      // Each event once, however often it was re-driven before.
      if (dlq && !message.replays) report.deadLettered += 1;
      report.events.push({
        eventId: message.eventId,
        outcome: "dead_lettered",
        keys: Object.keys(message.event.user_data),
      });
    }
    await this.recordReport(destination, report);
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

  private workerEnv(): CircuitEnv {
    return this.deps.env ?? this.env;
  }

  /** The stored state and the count of held events. */
  private state(): CircuitState {
    const row = this.sql
      .exec<StateRow>(
        `SELECT destination, open, cause, since, probes, next_probe_at, last_failure,
           failing_since, failing_requests, failing_last_at FROM state WHERE id = 1`,
      )
      .one();
    const held = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM held").one().n;
    return {
      ...(row.destination !== null ? { destination: row.destination } : {}),
      open: row.open === 1,
      ...(row.cause ? { cause: row.cause as HoldCause["kind"] } : {}),
      ...(row.since !== null ? { since: row.since } : {}),
      probes: row.probes,
      ...(row.next_probe_at !== null ? { nextProbeAt: row.next_probe_at } : {}),
      ...(row.last_failure ? { lastFailure: JSON.parse(row.last_failure) as MetaRefusal } : {}),
      held,
      ...(row.failing_since !== null
        ? {
            failing: {
              since: row.failing_since,
              requests: row.failing_requests ?? 0,
              lastAt: row.failing_last_at ?? row.failing_since,
            },
          }
        : {}),
    };
  }

  private store(state: CircuitState): void {
    this.sql.exec(
      `UPDATE state SET destination = ?, open = ?, cause = ?, since = ?, probes = ?, next_probe_at = ?, last_failure = ?,
         failing_since = ?, failing_requests = ?, failing_last_at = ?
       WHERE id = 1`,
      state.destination ?? null,
      state.open ? 1 : 0,
      state.cause ?? null,
      state.since ?? null,
      state.probes,
      state.nextProbeAt ?? null,
      state.lastFailure ? JSON.stringify(state.lastFailure) : null,
      state.failing?.since ?? null,
      state.failing?.requests ?? null,
      state.failing?.lastAt ?? null,
    );
  }

  private log(fields: Omit<LogFields, "msg">): void {
    logLine(this.deps.log, { msg: "circuit", ...fields });
  }
}
