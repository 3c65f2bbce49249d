/**
 * A deployment over storage written before the schemas had versions (src/core/sqlSchema): each of
 * the four real Durable Object classes, built on node:sqlite holding the tables (and rows) the
 * deployment before left, migrates to its current version and reads what was there. The DDL below
 * is that deployment's, verbatim: it is what objects in the field hold.
 */
import { describe, expect, it } from "vitest";
import { DeliveryCircuit } from "../../src/delivery/circuit";
import { DeadLetterStore } from "../../src/delivery/deadLetterStore";
import { IntakeLedger } from "../../src/delivery/intakeLedger";
import type { DeadLetter } from "../../src/delivery/messages";
import { schemaVersion } from "../../src/core/sqlSchema";
import { MetricsStore } from "../../src/observe/metricsStore";
import { HOUR_MS } from "../../src/observe/metrics";
import { queuedEvent } from "../queueFixtures";
import { sqlStorage } from "./durableObjects";

const NOW = 1_764_096_127_000;

/** An object's state over `sql`, as workerd hands it to the constructor (alarms unused here). */
function stateOver(sql: SqlStorage): DurableObjectState {
  return {
    storage: { sql, getAlarm: async () => null, setAlarm: async () => {} },
  } as unknown as DurableObjectState;
}

/** Storage as the deployment before left it: `statements`, then no version. */
function oldStorage(...statements: string[]): SqlStorage {
  const sql = sqlStorage();
  for (const statement of statements) sql.exec(statement);
  return sql;
}

const OLD_DEAD_LETTERS = `CREATE TABLE IF NOT EXISTS dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, reason TEXT NOT NULL,
  dead_lettered_at INTEGER NOT NULL, times INTEGER NOT NULL, replayed_at INTEGER, body TEXT NOT NULL)`;

function oldLetter(key: string): DeadLetter {
  return {
    v: 1,
    kind: "dead_letter",
    key,
    message: queuedEvent({ id: key, eventTime: NOW / 1000 - 60 }),
    reason: "rejected",
    detail: "Invalid parameter",
    attempts: 1,
    deadLetteredAt: NOW,
  };
}

/** The metrics store's schema step 1, verbatim. */
const METRICS_STEP_1 = [
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
];

/** Its steps 2 to 4, verbatim: ended sessions, counts per Meta event name, refusals and incidents. */
const METRICS_STEPS_2_TO_4 = [
  `CREATE TABLE IF NOT EXISTS ended_sessions (
     id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS event_counts (
     hour INTEGER NOT NULL, destination TEXT NOT NULL, origin TEXT NOT NULL, event_name TEXT NOT NULL,
     name TEXT NOT NULL, n INTEGER NOT NULL,
     PRIMARY KEY (hour, destination, origin, event_name, name)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS refusals (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, code TEXT NOT NULL, status INTEGER NOT NULL,
     issues TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS incidents (
     destination TEXT NOT NULL, started_at INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (destination, started_at))`,
];

describe("Durable Objects over storage from before versioned schemas", () => {
  it("dead-letter store: adds the destination column where it is missing, keeps it where the old check added it, and the first time", async () => {
    const insert = (sql: SqlStorage, key: string) =>
      sql.exec(
        "INSERT INTO dead_letters (key, reason, dead_lettered_at, times, body) VALUES (?, 'rejected', ?, 1, ?)",
        key,
        NOW,
        JSON.stringify(oldLetter(key)),
      );
    const before = oldStorage(OLD_DEAD_LETTERS);
    insert(before, "a");
    const checked = oldStorage(OLD_DEAD_LETTERS, "ALTER TABLE dead_letters ADD COLUMN destination TEXT");
    insert(checked, "b");
    for (const [sql, key] of [
      [before, "a"],
      [checked, "b"],
    ] as const) {
      const store = new DeadLetterStore(stateOver(sql), {});
      expect(schemaVersion(sql)).toBe(3);
      // An old row has no destination: it is the default destination's. Nor a first time: its latest is read.
      expect((await store.list({ limit: 10, destination: "default" })).letters).toEqual([
        expect.objectContaining({ key, times: 1, firstDeadLetteredAt: NOW }),
      ]);
      // Refused again: its count grows, its first time stays.
      await store.put([{ ...oldLetter(key), deadLetteredAt: NOW + 60_000 }]);
      expect(await store.get([key])).toEqual([
        expect.objectContaining({ times: 2, deadLetteredAt: NOW + 60_000, firstDeadLetteredAt: NOW }),
      ]);
      await store.put([
        { ...oldLetter("new@eu"), message: queuedEvent({ id: "new", eventTime: NOW / 1000 - 60, destination: "eu" }) },
      ]);
      expect((await store.list({ limit: 10, destination: "eu" })).letters.map((l) => l.key)).toEqual(["new@eu"]);
    }
  });

  it("circuit: an open circuit and its held events stay as they were", async () => {
    const held = queuedEvent({ id: "h1", eventTime: NOW / 1000 - 60, pixelId: "555", destination: "eu" });
    const sql = oldStorage(
      `CREATE TABLE IF NOT EXISTS held (
         key TEXT PRIMARY KEY, seq INTEGER NOT NULL, event_time INTEGER NOT NULL, held_at INTEGER NOT NULL, body TEXT NOT NULL)`,
      "CREATE INDEX IF NOT EXISTS held_seq ON held (seq)",
      `CREATE TABLE IF NOT EXISTS state (
         id INTEGER PRIMARY KEY CHECK (id = 1), destination TEXT, open INTEGER NOT NULL, cause TEXT, since INTEGER,
         probes INTEGER NOT NULL, next_probe_at INTEGER, last_failure TEXT)`,
      `INSERT INTO state (id, destination, open, cause, since, probes, next_probe_at) VALUES (1, 'eu', 1, 'no_token', ${NOW}, 3, ${NOW + 240_000})`,
    );
    sql.exec(
      "INSERT INTO held (key, seq, event_time, held_at, body) VALUES ('h1@eu', 1, ?, ?, ?)",
      held.event.event_time,
      NOW,
      JSON.stringify(held),
    );
    const circuit = new DeliveryCircuit(stateOver(sql), {});
    // Step 2 added the outage run's columns (empty: no run counted).
    expect(schemaVersion(sql)).toBe(2);
    expect(await circuit.status(NOW)).toEqual({
      open: true,
      cause: "no_token",
      since: NOW,
      held: 1,
      probes: 3,
      nextProbeAt: NOW + 240_000,
    });
  });

  it("intake ledger: a claim made before is still a duplicate, for the direct path and the consumer", async () => {
    const sql = oldStorage(
      `CREATE TABLE IF NOT EXISTS claims (
         key TEXT PRIMARY KEY, event_id TEXT NOT NULL, state TEXT NOT NULL, token TEXT NOT NULL,
         claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
      "CREATE INDEX IF NOT EXISTS claims_expires_at ON claims (expires_at)",
      `INSERT INTO claims VALUES ('id:evt_1', 'cartful.ses_1.1', 'queued', 't', ${NOW - 1000}, ${NOW + HOUR_MS})`,
    );
    const ledger = new IntakeLedger(stateOver(sql), {});
    expect(schemaVersion(sql)).toBe(4);
    // Step 4 copied the claims into claim_keys (clustered on the key: one row written per claim).
    expect(sql.exec("SELECT key FROM claim_keys").toArray()).toEqual([{ key: "id:evt_1" }]);
    // Step 3 dropped the index on expires_at (a row written per key claimed); the sweep scans instead.
    expect(
      sql.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'claims_expires_at'").toArray(),
    ).toEqual([]);
    expect(await ledger.claim([{ keys: ["id:evt_1"], eventId: "cartful.ses_1.2" }], NOW)).toEqual([
      { outcome: "duplicate", eventId: "cartful.ses_1.1" },
    ]);
    // Step 2 added the consumer's owner column; the consumer sees the old claim too.
    expect(await ledger.claimMessages([{ keys: ["id:evt_1"], eventId: "cartful.ses_1.2", owner: "m1" }], NOW)).toEqual([
      { outcome: "duplicate", eventId: "cartful.ses_1.1" },
    ]);
    expect(sql.exec<{ owner: string | null }>("SELECT owner FROM claim_keys").one().owner).toBeNull();
  });

  it("metrics store: counts recorded before are still summed", async () => {
    const hour = Math.floor(NOW / HOUR_MS) * HOUR_MS;
    const sql = oldStorage(
      `CREATE TABLE IF NOT EXISTS counts (
         hour INTEGER NOT NULL, destination TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
         PRIMARY KEY (hour, destination, name)) WITHOUT ROWID`,
      `INSERT INTO counts VALUES (${hour}, 'eu', 'sent', 4)`,
    );
    const store = new MetricsStore(stateOver(sql), {});
    // Every step ran: the tables it lacked, ended_sessions (logout), event_counts (browser events),
    // refusals and incidents (the console), and step 5's rows of counters and lists (the bill).
    expect(schemaVersion(sql)).toBe(5);
    expect(await store.windowCounts("1h", NOW)).toEqual({ eu: { sent: 4 } });
    expect(await store.recent(10)).toEqual([]); // the tables it lacked were created
    expect(await store.sessionEnded("a-session")).toBe(false);
    await store.endSession("a-session", NOW + HOUR_MS, NOW);
    expect(await store.sessionEnded("a-session")).toBe(true);
    expect(await store.windowEventNames("1h", NOW)).toEqual([]);
    expect(await store.refusals(10)).toEqual([]);
    expect(await store.incidents(10)).toEqual({});
  });

  it("metrics store: one made before browser events gains their table, its counts kept", async () => {
    const hour = Math.floor(NOW / HOUR_MS) * HOUR_MS;
    const sql = oldStorage(
      `CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`,
      "INSERT INTO schema_version VALUES (1, 1)",
      ...METRICS_STEP_1,
      `INSERT INTO counts VALUES (${hour}, 'eu', 'sent', 4)`,
    );
    const store = new MetricsStore(stateOver(sql), {});
    expect(schemaVersion(sql)).toBe(5);
    await store.record({
      at: NOW,
      counts: [],
      eventNames: [{ destination: "eu", origin: "browser", eventName: "AddToCart", name: "sent", n: 3 }],
      recent: [],
      accepted: [],
      failures: [],
      signals: [],
    });
    expect(await store.windowCounts("1h", NOW)).toEqual({ eu: { sent: 4 } });
    expect(await store.windowEventNames("1h", NOW)).toEqual([
      { destination: "eu", eventName: "AddToCart", name: "sent", n: 3 },
    ]);
  });
  it("metrics store: one at version 4 keeps its counts, recent events and refusals in step 5's rows", async () => {
    const hour = Math.floor(NOW / HOUR_MS) * HOUR_MS;
    const sql = oldStorage(
      `CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`,
      "INSERT INTO schema_version VALUES (1, 4)",
      ...METRICS_STEP_1,
      ...METRICS_STEPS_2_TO_4,
      `INSERT INTO counts VALUES (${hour}, 'eu', 'sent', 4), (${hour}, 'eu', 'key:em', 3), (${hour - HOUR_MS}, '', 'received', 9)`,
      `INSERT INTO event_counts VALUES (${hour}, 'eu', 'browser', 'AddToCart', 'sent', 2)`,
      `INSERT INTO recent (at, destination, event_id, outcome, keys, fbtrace_id) VALUES
         (${NOW - 2000}, 'eu', 'e1', 'queued', 'em,ph', NULL), (${NOW - 1000}, 'eu', 'e1', 'sent', 'em,ph', 'T1'),
         (${NOW - 500}, 'eu', 'e2', 'skipped', '', NULL)`,
      `INSERT INTO refusals (at, code, status, issues) VALUES (${NOW - 3000}, 'unauthorized', 401, '[]'),
         (${NOW - 100}, 'invalid_webhook', 422, '["shopper.email: Not a valid email address"]')`,
    );
    const store = new MetricsStore(stateOver(sql), {});
    expect(schemaVersion(sql)).toBe(5);
    expect(await store.windowCounts("24h", NOW)).toEqual({ eu: { sent: 4, "key:em": 3 }, "": { received: 9 } });
    expect(await store.windowEventNames("24h", NOW)).toEqual([
      { destination: "eu", eventName: "AddToCart", name: "sent", n: 2 },
    ]);
    expect(await store.recent(10)).toEqual([
      { at: NOW - 500, destination: "eu", eventId: "e2", outcome: "skipped", keys: [] },
      { at: NOW - 1000, destination: "eu", eventId: "e1", outcome: "sent", keys: ["em", "ph"], fbtraceId: "T1" },
      { at: NOW - 2000, destination: "eu", eventId: "e1", outcome: "queued", keys: ["em", "ph"] },
    ]);
    expect(await store.refusals(10)).toEqual([
      { at: NOW - 100, code: "invalid_webhook", status: 422, issues: ["shopper.email: Not a valid email address"] },
      { at: NOW - 3000, code: "unauthorized", status: 401, issues: [] },
    ]);
    // What comes next adds to what was copied, newest first.
    await store.record({
      at: NOW,
      counts: [{ destination: "eu", name: "sent", n: 1 }],
      recent: [{ at: NOW, destination: "eu", eventId: "e3", outcome: "sent", keys: ["em"] }],
      accepted: [],
      failures: [],
      signals: [],
      refusals: [{ at: NOW, code: "unauthorized", status: 401, issues: [] }],
    });
    expect((await store.windowCounts("1h", NOW)).eu).toEqual({ sent: 5, "key:em": 3 });
    expect((await store.recent(2)).map((e) => e.eventId)).toEqual(["e3", "e2"]);
    expect((await store.refusals(10)).map((r) => r.at)).toEqual([NOW, NOW - 100, NOW - 3000]);
  });
});
