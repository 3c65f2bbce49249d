/**
 * The metrics store: one SQLite-backed Durable Object that keeps the relay's counters in hourly
 * buckets for 8 days (and browser events' counts per Meta event name), the last 500 events'
 * outcomes (or a few more), each destination's last acceptance and last failure, Meta's health signals, the last
 * Dataset Quality answer per destination, the last 100 webhooks refused on arrival and each
 * destination's last 10 incidents (./incidents). Strongly
 * consistent, runs under `wrangler dev` and in tests; the console and `/admin/metrics` read it.
 *
 * Writes come in batches (./metrics `MetricsBatch`): one per consumer batch, and one per second
 * or so from each isolate's webhook route (./recorder), never one round trip per webhook. And a
 * batch writes a few rows, never one per event (rows written are most of what the relay costs on
 * Cloudflare): an hour's counters are one row (a JSON list), the recent events and refusals are
 * lists of JSON chunks (./boundedList), the rest is a row per destination.
 * A signal is logged at most once an hour per destination and kind, however often it comes.
 *
 * @example
 * ```ts
 * const store = metricsStoreOf(env)!; // ./instances
 * await store.record(batch);
 * await store.windowCounts("24h", Date.now()); // { "": { received: 14 }, default: { sent: 10, … } }
 * ```
 */
import { DurableObject } from "cloudflare:workers";
import { consoleSink, logLine } from "../core/log";
import type { Runtime } from "../core/runtime";
import { migrate, type SchemaStep } from "../core/sqlSchema";
import {
  appendToList,
  type BoundedList,
  boundedListTable,
  dropFromListBefore,
  keptOf,
  newestOfList,
} from "./boundedList";
import { type Incident, type IncidentEvent, type IntakeRefusal, MAX_INTAKE_REFUSALS, nextIncident } from "./incidents";
import {
  EVENT_NAME_COUNTERS,
  type EventNameCounter,
  type HealthSignal,
  HOUR_MS,
  hourOf,
  MAX_RECENT,
  type MetaProblem,
  type MetricsBatch,
  type MetricsWindow,
  type RecentEvent,
  RETENTION_MS,
  type SignalKind,
  WINDOWS,
  type WindowEventNameCounts,
} from "./metrics";

/** Recent events kept (500 at least): chunks of 50, the newest 10 full ones and the one being filled. */
const RECENT_EVENTS: BoundedList = { table: "recent_events", chunk: 50, chunks: 11 };
const RECENT_KEPT = keptOf(RECENT_EVENTS);
/** Webhooks refused on arrival kept ({@link MAX_INTAKE_REFUSALS} at least). */
const INTAKE_REFUSALS: BoundedList = { table: "intake_refusals", chunk: 20, chunks: 6 };
/** A signal is logged again after this long at the earliest. */
const SIGNAL_LOG_INTERVAL_MS = HOUR_MS;

/** The store's tables, oldest step first (see core/sqlSchema: never edit a deployed step, add one). */
const SCHEMA: SchemaStep[] = [
  [
    `CREATE TABLE IF NOT EXISTS counts (
       hour INTEGER NOT NULL, destination TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
       PRIMARY KEY (hour, destination, name)) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS recent (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, destination TEXT NOT NULL, event_id TEXT NOT NULL,
       outcome TEXT NOT NULL, keys TEXT NOT NULL, fbtrace_id TEXT)`,
    `CREATE TABLE IF NOT EXISTS latest (
       destination TEXT PRIMARY KEY, accepted_at INTEGER, accepted_trace TEXT, failure TEXT)`,
    `CREATE TABLE IF NOT EXISTS signals (
       destination TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, first_at INTEGER NOT NULL,
       last_at INTEGER NOT NULL, count INTEGER NOT NULL, logged_at INTEGER, PRIMARY KEY (destination, kind))`,
    "CREATE TABLE IF NOT EXISTS quality (destination TEXT PRIMARY KEY, at INTEGER NOT NULL, state TEXT NOT NULL)",
  ],
  // Console sessions ended by a logout before their expiry (src/http/sessionEnd.ts).
  [
    `CREATE TABLE IF NOT EXISTS ended_sessions (
       id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  ],
  // Browser events per destination and Meta event name (./metrics EventNameCount).
  [
    `CREATE TABLE IF NOT EXISTS event_counts (
       hour INTEGER NOT NULL, destination TEXT NOT NULL, origin TEXT NOT NULL, event_name TEXT NOT NULL,
       name TEXT NOT NULL, n INTEGER NOT NULL,
       PRIMARY KEY (hour, destination, origin, event_name, name)) WITHOUT ROWID`,
  ],
  // The console's "refused on arrival" and incident history (./incidents).
  [
    `CREATE TABLE IF NOT EXISTS refusals (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, code TEXT NOT NULL, status INTEGER NOT NULL,
       issues TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS incidents (
       destination TEXT NOT NULL, started_at INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (destination, started_at))`,
  ],
  // Fewer rows written (Cloudflare bills each): an hour's counters in one row, recent events and
  // refusals in rings of chunks (./boundedList). What the tables before held is copied
  // (copyBefore5); they are written no more, and the alarm empties them as what they hold ages.
  (sql) => {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS hour_counts (hour INTEGER PRIMARY KEY, counts TEXT NOT NULL, event_counts TEXT NOT NULL)",
    );
    sql.exec(boundedListTable(RECENT_EVENTS));
    sql.exec(boundedListTable(INTAKE_REFUSALS));
    copyBefore5(sql);
  },
];

/** Incidents kept per destination (the newest). */
const INCIDENTS_KEPT = 10;

/** Each destination's last acceptance and failure. */
export interface DestinationLatest {
  lastAccepted?: { at: number; fbtraceId?: string };
  lastFailure?: MetaProblem;
}

/** One hour's delivery counts (all destinations, or one). */
export interface HourCounts {
  hour: number;
  sent: number;
  retried: number;
  dead_lettered: number;
  held: number;
}

export class MetricsStore extends DurableObject<Pick<Env, never>> {
  // Pick<Env, never>: it reads no binding of the Worker's env.
  private readonly sql = migrate(this.ctx.storage.sql, SCHEMA);
  /** Where signals are logged; replaced in tests (through `runInDurableObject`). */
  deps: Pick<Runtime, "log"> = { log: consoleSink };

  /**
   * Adds a batch: counts into its hour, events, last acceptance and failure, signals. Rows written
   * (what Cloudflare bills): one for the hour's counters, one for the recent events, one for the
   * refusals, and per destination one for its last acceptance and one for its last failure, one
   * per signal kind, and its incident when it changed.
   */
  async record(batch: MetricsBatch): Promise<void> {
    this.addCounts(batch);
    appendToList(
      this.sql,
      RECENT_EVENTS,
      batch.recent.slice(-MAX_RECENT).map((e) => ({
        at: e.at,
        destination: e.destination,
        eventId: e.eventId,
        outcome: e.outcome,
        keys: e.keys,
        ...(e.fbtraceId ? { fbtraceId: e.fbtraceId } : {}),
      })),
    );
    this.recordLatest(batch);
    for (const s of signalsOf(batch)) this.signal(s);
    appendToList(
      this.sql,
      INTAKE_REFUSALS,
      (batch.refusals ?? [])
        .slice(-MAX_INTAKE_REFUSALS)
        .map((r) => ({ at: r.at, code: r.code, status: r.status, issues: r.issues })),
    );
    this.recordIncidents(batch);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 24 * HOUR_MS);
  }

  /** Counters summed over the window ending at `now`, by destination (`""`: webhook-level). */
  async windowCounts(window: MetricsWindow, now: number): Promise<Record<string, Record<string, number>>> {
    const rows = this.sql
      .exec<{ destination: string; name: string; n: number }>(
        `SELECT c.value ->> 0 AS destination, c.value ->> 1 AS name, SUM(c.value ->> 2) AS n
         FROM hour_counts, json_each(hour_counts.counts) AS c WHERE hour > ? GROUP BY 1, 2`,
        hourOf(now) - WINDOWS[window],
      )
      .toArray();
    const out: Record<string, Record<string, number>> = {};
    for (const row of rows) (out[row.destination] ??= {})[row.name] = row.n;
    return out;
  }

  /** Browser events' counts per destination and Meta event name, summed over the window ending at `now`. */
  async windowEventNames(window: MetricsWindow, now: number): Promise<WindowEventNameCounts> {
    return this.sql
      .exec<{ destination: string; event_name: string; name: string; n: number }>(
        `SELECT c.value ->> 0 AS destination, c.value ->> 2 AS event_name, c.value ->> 3 AS name, SUM(c.value ->> 4) AS n
         FROM hour_counts, json_each(hour_counts.event_counts) AS c
         WHERE hour > ? AND c.value ->> 1 = 'browser' GROUP BY 1, 2, 3`,
        hourOf(now) - WINDOWS[window],
      )
      .toArray()
      .filter((row) => (EVENT_NAME_COUNTERS as readonly string[]).includes(row.name))
      .map((row) => ({
        destination: row.destination,
        eventName: row.event_name,
        name: row.name as EventNameCounter,
        n: row.n,
      }));
  }

  /** Delivery counts per hour, oldest first, over the `hours` hours ending with the current one; one destination or all. */
  async hourly(hours: number, now: number, destination?: string): Promise<HourCounts[]> {
    const last = hourOf(now);
    const first = last - (hours - 1) * HOUR_MS;
    const rows = this.sql
      .exec<{ hour: number; name: string; n: number }>(
        `SELECT hour, c.value ->> 1 AS name, SUM(c.value ->> 2) AS n FROM hour_counts, json_each(hour_counts.counts) AS c
         WHERE hour >= ? AND c.value ->> 1 IN ('sent', 'retried', 'dead_lettered', 'held')
           AND (? IS NULL OR c.value ->> 0 = ?)
         GROUP BY 1, 2`,
        first,
        destination ?? null,
        destination ?? null,
      )
      .toArray();
    const points = Array.from({ length: hours }, (_, i): HourCounts => ({
      hour: first + i * HOUR_MS,
      sent: 0,
      retried: 0,
      dead_lettered: 0,
      held: 0,
    }));
    for (const row of rows) {
      const point = points[(row.hour - first) / HOUR_MS];
      if (point) point[row.name as "sent"] = row.n;
    }
    return points;
  }

  /** The latest events' outcomes, newest first. */
  async recent(limit: number): Promise<RecentEvent[]> {
    return newestOfList<RecentEvent>(this.sql, RECENT_EVENTS, Math.max(1, Math.min(RECENT_KEPT, limit)));
  }

  /** Each destination's last acceptance and failure. */
  async latest(): Promise<Record<string, DestinationLatest>> {
    const out: Record<string, DestinationLatest> = {};
    for (const row of this.sql
      .exec<{ destination: string; accepted_at: number | null; accepted_trace: string | null; failure: string | null }>(
        "SELECT destination, accepted_at, accepted_trace, failure FROM latest",
      )
      .toArray()) {
      out[row.destination] = {
        ...(row.accepted_at !== null
          ? { lastAccepted: { at: row.accepted_at, ...(row.accepted_trace ? { fbtraceId: row.accepted_trace } : {}) } }
          : {}),
        ...(row.failure ? { lastFailure: JSON.parse(row.failure) as MetaProblem } : {}),
      };
    }
    return out;
  }

  /** Meta's health signals seen within `sinceMs` of `now`, per destination. */
  async signals(now: number, sinceMs = 24 * HOUR_MS): Promise<Record<string, HealthSignal[]>> {
    const out: Record<string, HealthSignal[]> = {};
    for (const row of this.sql
      .exec<{ destination: string; kind: string; detail: string; first_at: number; last_at: number; count: number }>(
        "SELECT destination, kind, detail, first_at, last_at, count FROM signals WHERE last_at > ? ORDER BY last_at DESC",
        now - sinceMs,
      )
      .toArray()) {
      (out[row.destination] ??= []).push({
        kind: row.kind as SignalKind,
        detail: row.detail,
        firstAt: row.first_at,
        lastAt: row.last_at,
        count: row.count,
      });
    }
    return out;
  }

  /** Keeps a destination's last Dataset Quality read (any JSON the console knows how to show). */
  async putQuality(destination: string, at: number, state: unknown): Promise<void> {
    this.sql.exec(
      "INSERT INTO quality (destination, at, state) VALUES (?, ?, ?) ON CONFLICT (destination) DO UPDATE SET at = excluded.at, state = excluded.state",
      destination,
      at,
      JSON.stringify(state),
    );
  }

  /** The last Dataset Quality read of each destination. */
  async quality(): Promise<Record<string, { at: number; state: unknown }>> {
    const out: Record<string, { at: number; state: unknown }> = {};
    for (const row of this.sql
      .exec<{ destination: string; at: number; state: string }>("SELECT destination, at, state FROM quality")
      .toArray()) {
      out[row.destination] = { at: row.at, state: JSON.parse(row.state) };
    }
    return out;
  }

  /** The latest webhooks refused on arrival, newest first. */
  async refusals(limit: number): Promise<(IntakeRefusal & { at: number })[]> {
    return newestOfList<IntakeRefusal & { at: number }>(
      this.sql,
      INTAKE_REFUSALS,
      Math.max(1, Math.min(MAX_INTAKE_REFUSALS, limit)),
    );
  }

  /** Each destination's latest incidents, newest first. */
  async incidents(limit: number): Promise<Record<string, Incident[]>> {
    const out: Record<string, Incident[]> = {};
    for (const row of this.sql
      .exec<{ destination: string; body: string; rank: number }>(
        `SELECT destination, body FROM (
           SELECT destination, body, started_at, ROW_NUMBER() OVER (PARTITION BY destination ORDER BY started_at DESC) AS rank
           FROM incidents) WHERE rank <= ? ORDER BY destination, started_at DESC`,
        Math.max(1, Math.min(INCIDENTS_KEPT, limit)),
      )
      .toArray()) {
      (out[row.destination] ??= []).push(JSON.parse(row.body) as Incident);
    }
    return out;
  }

  /**
   * Ends a console session (a logout): its id is refused until it would have expired anyway, then
   * forgotten. Only a logged-in session can log out, so the table holds at most one row per
   * session issued in the last 8 hours.
   *
   * @param expiresAt ms, the session's own expiry
   * @param now ms
   */
  async endSession(id: string, expiresAt: number, now: number): Promise<void> {
    this.sql.exec("DELETE FROM ended_sessions WHERE expires_at <= ?", now);
    this.sql.exec(
      "INSERT INTO ended_sessions (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
      id,
      expiresAt,
    );
  }

  /** Whether a console session was ended by a logout. */
  async sessionEnded(id: string): Promise<boolean> {
    return this.sql.exec("SELECT 1 FROM ended_sessions WHERE id = ?", id).toArray().length > 0;
  }

  /** Deletes what is past retention; comes back daily. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM hour_counts WHERE hour < ?", hourOf(now) - RETENTION_MS);
    this.sql.exec("DELETE FROM signals WHERE last_at < ?", now - RETENTION_MS);
    dropFromListBefore(this.sql, INTAKE_REFUSALS, now - RETENTION_MS);
    this.sql.exec("DELETE FROM incidents WHERE started_at < ? AND body LIKE '%\"endedAt\"%'", now - RETENTION_MS);
    // The tables step 5 copied from: written no more, emptied as what they hold ages.
    this.sql.exec("DELETE FROM counts WHERE hour < ?", hourOf(now) - RETENTION_MS);
    this.sql.exec("DELETE FROM event_counts WHERE hour < ?", hourOf(now) - RETENTION_MS);
    this.sql.exec("DELETE FROM recent WHERE at < ?", now - RETENTION_MS);
    this.sql.exec("DELETE FROM refusals WHERE at < ?", now - RETENTION_MS);
    await this.ctx.storage.setAlarm(now + 24 * HOUR_MS);
  }

  /** Adds the batch's counters (those above zero) into its hour's row: one row written. */
  private addCounts(batch: MetricsBatch): void {
    const counts = batch.counts.filter((c) => c.n > 0).map((c): Tally => [c.destination, c.name, c.n]);
    const eventCounts = (batch.eventNames ?? [])
      .filter((c) => c.n > 0)
      .map((c): Tally => [c.destination, c.origin, c.eventName, c.name, c.n]);
    if (counts.length === 0 && eventCounts.length === 0) return;
    const hour = hourOf(batch.at);
    const row = this.sql
      .exec<{ counts: string; event_counts: string }>(
        "SELECT counts, event_counts FROM hour_counts WHERE hour = ?",
        hour,
      )
      .toArray()[0];
    this.sql.exec(
      `INSERT INTO hour_counts (hour, counts, event_counts) VALUES (?, ?, ?)
       ON CONFLICT (hour) DO UPDATE SET counts = excluded.counts, event_counts = excluded.event_counts`,
      hour,
      JSON.stringify(addTallies(row ? (JSON.parse(row.counts) as Tally[]) : [], counts)),
      JSON.stringify(addTallies(row ? (JSON.parse(row.event_counts) as Tally[]) : [], eventCounts)),
    );
  }

  /** Each destination's newest acceptance, and its last failure in the batch: a row written for each. */
  private recordLatest(batch: MetricsBatch): void {
    const accepted = new Map<string, MetricsBatch["accepted"][number]>();
    for (const a of batch.accepted) {
      const known = accepted.get(a.destination);
      if (known === undefined || known.at <= a.at) accepted.set(a.destination, a);
    }
    for (const a of accepted.values()) {
      this.sql.exec(
        `INSERT INTO latest (destination, accepted_at, accepted_trace) VALUES (?, ?, ?)
         ON CONFLICT (destination) DO UPDATE SET accepted_at = excluded.accepted_at, accepted_trace = excluded.accepted_trace
         WHERE latest.accepted_at IS NULL OR latest.accepted_at <= excluded.accepted_at`,
        a.destination,
        a.at,
        a.fbtraceId ?? null,
      );
    }
    const failures = new Map<string, MetaProblem>();
    for (const { destination, ...failure } of batch.failures) failures.set(destination, failure);
    for (const [destination, failure] of failures) {
      this.sql.exec(
        `INSERT INTO latest (destination, failure) VALUES (?, ?)
         ON CONFLICT (destination) DO UPDATE SET failure = excluded.failure`,
        destination,
        JSON.stringify(failure),
      );
    }
  }

  /**
   * Runs the batch through each destination's latest incident (./incidents): failures first, then
   * what was held, then acceptances (which close it), then what was sent (delivered after it).
   */
  private recordIncidents(batch: MetricsBatch): void {
    const events = new Map<string, IncidentEvent[]>();
    const add = (destination: string, event: IncidentEvent) => {
      if (destination === "") return;
      const list = events.get(destination);
      if (list) list.push(event);
      else events.set(destination, [event]);
    };
    for (const { destination, at, ...refusal } of batch.failures) add(destination, { kind: "failure", at, refusal });
    for (const c of batch.counts) if (c.name === "held") add(c.destination, { kind: "held", n: c.n });
    for (const a of batch.accepted) add(a.destination, { kind: "accepted", at: a.at });
    for (const c of batch.counts) if (c.name === "sent") add(c.destination, { kind: "sent", n: c.n });
    for (const [destination, list] of events) {
      const row = this.sql
        .exec<{ body: string }>(
          "SELECT body FROM incidents WHERE destination = ? ORDER BY started_at DESC LIMIT 1",
          destination,
        )
        .toArray()[0];
      const before = row ? (JSON.parse(row.body) as Incident) : undefined;
      let after = before;
      for (const event of list) after = nextIncident(after, event);
      if (after === undefined || after === before) continue;
      this.sql.exec(
        `INSERT INTO incidents (destination, started_at, body) VALUES (?, ?, ?)
         ON CONFLICT (destination, started_at) DO UPDATE SET body = excluded.body`,
        destination,
        after.startedAt,
        JSON.stringify(after),
      );
      if (before === undefined || after.startedAt !== before.startedAt) {
        this.sql.exec(
          `DELETE FROM incidents WHERE destination = ? AND started_at NOT IN (
             SELECT started_at FROM incidents WHERE destination = ? ORDER BY started_at DESC LIMIT ?)`,
          destination,
          destination,
          INCIDENTS_KEPT,
        );
      }
    }
  }

  /** Adds a signal's sightings of the batch: one row written. */
  private signal({ destination, kind, detail, firstAt, lastAt, count }: SignalSightings): void {
    const row = this.sql
      .exec<{ logged_at: number | null }>(
        "SELECT logged_at FROM signals WHERE destination = ? AND kind = ?",
        destination,
        kind,
      )
      .toArray()[0];
    const log = row === undefined || row.logged_at === null || lastAt - row.logged_at >= SIGNAL_LOG_INTERVAL_MS;
    this.sql.exec(
      `INSERT INTO signals (destination, kind, detail, first_at, last_at, count, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (destination, kind) DO UPDATE SET detail = excluded.detail, last_at = MAX(last_at, excluded.last_at),
         count = count + excluded.count, logged_at = COALESCE(excluded.logged_at, logged_at)`,
      destination,
      kind,
      detail.slice(0, 300),
      firstAt,
      lastAt,
      count,
      log ? lastAt : null,
    );
    // Once an hour at most, and never Meta's free text: the kind and, for refusals, the codes.
    if (log) {
      logLine(this.deps.log, {
        msg: "signal",
        level: kind === "throttle" || kind === "version_warning" ? "warn" : "error",
        outcome: kind,
        destination,
        ...(kind === "version_warning" ? {} : { reason: detail.slice(0, 40) }),
      });
    }
  }
}

/**
 * A counter as an hour's row keeps it: its key (destination and name; for a count per Meta event
 * name, destination, origin, event name and name), then its count. A list of them, not an object
 * keyed by names that come from the settings.
 */
type Tally = [...key: (string | number)[], n: number];

/** `known` with `more` added: counts of the same key summed, new keys after the known ones. */
function addTallies(known: readonly Tally[], more: readonly Tally[]): Tally[] {
  const keyOf = (tally: Tally) => JSON.stringify(tally.slice(0, -1));
  const byKey = new Map(known.map((tally): [string, Tally] => [keyOf(tally), [...tally]]));
  for (const tally of more) {
    const sum = byKey.get(keyOf(tally));
    if (sum) sum[sum.length - 1] = (sum.at(-1) as number) + (tally.at(-1) as number);
    else byKey.set(keyOf(tally), [...tally]);
  }
  return [...byKey.values()];
}

/** One signal's sightings in a batch (a destination and kind): Meta's last words, when, how often. */
interface SignalSightings {
  destination: string;
  kind: SignalKind;
  detail: string;
  firstAt: number;
  lastAt: number;
  count: number;
}

/** The batch's signals, one per destination and kind. */
function signalsOf(batch: MetricsBatch): SignalSightings[] {
  const byKey = new Map<string, SignalSightings>();
  for (const { destination, kind, detail, at } of batch.signals) {
    const key = JSON.stringify([destination, kind]);
    const known = byKey.get(key);
    if (known === undefined) byKey.set(key, { destination, kind, detail, firstAt: at, lastAt: at, count: 1 });
    else
      byKey.set(key, {
        ...known,
        detail,
        firstAt: Math.min(known.firstAt, at),
        lastAt: Math.max(known.lastAt, at),
        count: known.count + 1,
      });
  }
  return [...byKey.values()];
}

/**
 * Schema step 5's copy of what the tables before it hold: each hour's counters (`counts`,
 * `event_counts`) into its row, the recent events (`recent`) and the refusals (`refusals`) into
 * their lists, each list as one chunk. Run again, it changes nothing.
 */
function copyBefore5(sql: SqlStorage): void {
  const hours = new Map<number, { counts: Tally[]; eventCounts: Tally[] }>();
  const hourRow = (hour: number) => {
    const known = hours.get(hour);
    if (known) return known;
    const row = { counts: [], eventCounts: [] };
    hours.set(hour, row);
    return row;
  };
  for (const r of sql.exec<{ hour: number; destination: string; name: string; n: number }>(
    "SELECT hour, destination, name, n FROM counts",
  ))
    hourRow(r.hour).counts.push([r.destination, r.name, r.n]);
  for (const r of sql.exec<{
    hour: number;
    destination: string;
    origin: string;
    event_name: string;
    name: string;
    n: number;
  }>("SELECT hour, destination, origin, event_name, name, n FROM event_counts"))
    hourRow(r.hour).eventCounts.push([r.destination, r.origin, r.event_name, r.name, r.n]);
  for (const [hour, { counts, eventCounts }] of hours) {
    sql.exec(
      "INSERT INTO hour_counts (hour, counts, event_counts) VALUES (?, ?, ?) ON CONFLICT (hour) DO NOTHING",
      hour,
      JSON.stringify(counts),
      JSON.stringify(eventCounts),
    );
  }
  const recent = sql
    .exec<{
      at: number;
      destination: string;
      event_id: string;
      outcome: string;
      keys: string;
      fbtrace_id: string | null;
    }>("SELECT at, destination, event_id, outcome, keys, fbtrace_id FROM recent ORDER BY seq")
    .toArray()
    .map((row): RecentEvent => ({
      at: row.at,
      destination: row.destination,
      eventId: row.event_id,
      outcome: row.outcome as RecentEvent["outcome"],
      keys: row.keys === "" ? [] : row.keys.split(","),
      ...(row.fbtrace_id ? { fbtraceId: row.fbtrace_id } : {}),
    }));
  if (newestOfList(sql, RECENT_EVENTS, 1).length === 0) appendToList(sql, RECENT_EVENTS, recent);
  const refusals = sql
    .exec<{ at: number; code: string; status: number; issues: string }>(
      "SELECT at, code, status, issues FROM refusals ORDER BY seq",
    )
    .toArray()
    .map((row) => ({ at: row.at, code: row.code, status: row.status, issues: JSON.parse(row.issues) as string[] }));
  if (newestOfList(sql, INTAKE_REFUSALS, 1).length === 0) appendToList(sql, INTAKE_REFUSALS, refusals);
}
