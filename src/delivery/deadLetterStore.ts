/**
 * The dead-letter store: the dead-letter queue's consumer writes every dead letter here, where
 * the admin routes (../http/admin, with ./deadLetters) list, inspect, re-drive and discard them.
 * A Cloudflare queue cannot be browsed, hence this copy. One SQLite-backed Durable Object
 * instance (./instances' `deadLetterStoreOf`); dead letters are few.
 *
 * Rows hold the queued event as it would go to Meta (user data hashed, IP and user agent plain),
 * and are deleted {@link DEAD_LETTER_RETENTION_MS} after they were dead-lettered: by then Meta
 * refuses the event anyway (7-day window).
 */
import { DurableObject } from "cloudflare:workers";
import { addColumn, migrate, type SchemaStep } from "../core/sqlSchema";
import { sqlMarks } from "./intakeLedger";
import type { DeadLetter, DeadLetterReason } from "./messages";

/** Durable Object SQLite binds at most 100 parameters a statement; one may be a timestamp. */
export const KEYS_PER_STATEMENT = 99;

/** `keys` in runs of at most {@link KEYS_PER_STATEMENT}. */
function* keyChunks(keys: string[]): Generator<string[]> {
  for (let start = 0; start < keys.length; start += KEYS_PER_STATEMENT) {
    yield keys.slice(start, start + KEYS_PER_STATEMENT);
  }
}

/** 14 days. */
export const DEAD_LETTER_RETENTION_MS = 14 * 86_400_000;

/**
 * A stored dead letter: how many times it was dead-lettered, when first (ms; `deadLetteredAt` is
 * the latest), when it was last re-driven. So a letter re-driven and refused again shows as the
 * same letter refused twice since its first time, not as a new one.
 */
export interface StoredDeadLetter extends DeadLetter {
  times: number;
  /** ms; for a letter stored before the store kept it (schema version 2), its latest time. */
  firstDeadLetteredAt: number;
  replayedAt?: number;
}

export interface DeadLetterQuery {
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  reason?: DeadLetterReason;
  /** Only this destination's letters. */
  destination?: string;
  /** Include letters already re-driven (default: only those waiting). */
  includeReplayed?: boolean;
}

/** The store's tables, oldest step first (see core/sqlSchema: never edit a deployed step, add one). */
const SCHEMA: SchemaStep[] = [
  [
    `CREATE TABLE IF NOT EXISTS dead_letters (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, reason TEXT NOT NULL,
       dead_lettered_at INTEGER NOT NULL, times INTEGER NOT NULL, replayed_at INTEGER, body TEXT NOT NULL)`,
    "CREATE INDEX IF NOT EXISTS dead_letters_at ON dead_letters (dead_lettered_at)",
  ],
  // Added with several destinations. Stores made before versions may have it already (an ad hoc
  // check added it), hence addColumn, which looks first.
  (sql) => addColumn(sql, { table: "dead_letters", column: "destination", type: "TEXT" }),
  // When a letter was first dead-lettered (dead_lettered_at is the latest time). Null on rows
  // stored before: read as their latest time, the earliest the store knows of.
  (sql) => addColumn(sql, { table: "dead_letters", column: "first_dead_lettered_at", type: "INTEGER" }),
];

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  body: string;
  times: number;
  first_dead_lettered_at: number | null;
  replayed_at: number | null;
}

/** The columns a {@link StoredDeadLetter} is read from. */
const ROW_COLUMNS = "seq, body, times, first_dead_lettered_at, replayed_at";

/**
 * @example
 * ```ts
 * const store = deadLetterStoreOf(env)!; // ./instances
 * await store.put([letter]);
 * const { letters, cursor } = await store.list({ limit: 50, reason: "rejected" });
 * ```
 */
export class DeadLetterStore extends DurableObject<Pick<Env, never>> {
  // Pick<Env, never>: it reads no binding of the Worker's env.
  private readonly sql = migrate(this.ctx.storage.sql, SCHEMA);

  /**
   * Stores letters; a key seen before is updated (latest reason and time), its count grows, it
   * keeps its first time, and it waits for replay again.
   */
  async put(letters: DeadLetter[]): Promise<void> {
    for (const letter of letters) {
      this.sql.exec(
        `INSERT INTO dead_letters (key, reason, destination, dead_lettered_at, first_dead_lettered_at, times, replayed_at, body)
         VALUES (?, ?, ?, ?, ?, 1, NULL, ?)
         ON CONFLICT (key) DO UPDATE SET reason = excluded.reason, destination = excluded.destination,
           first_dead_lettered_at = COALESCE(first_dead_lettered_at, dead_lettered_at),
           dead_lettered_at = excluded.dead_lettered_at, times = times + 1, replayed_at = NULL, body = excluded.body`,
        letter.key,
        letter.reason,
        letter.message?.destination ?? null,
        letter.deadLetteredAt,
        letter.deadLetteredAt,
        JSON.stringify(letter),
      );
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 86_400_000);
  }

  /** A page of letters, oldest first. */
  async list(query: DeadLetterQuery): Promise<{ letters: StoredDeadLetter[]; cursor?: string }> {
    const after = Number(query.cursor ?? 0) || 0;
    const limit = Math.max(1, Math.min(1000, Math.floor(query.limit)));
    const rows = this.sql
      .exec<Row>(
        `SELECT ${ROW_COLUMNS} FROM dead_letters
         WHERE seq > ? AND (? IS NULL OR reason = ?) AND (? IS NULL OR COALESCE(destination, 'default') = ?)
           AND (? = 1 OR replayed_at IS NULL)
         ORDER BY seq LIMIT ?`,
        after,
        query.reason ?? null,
        query.reason ?? null,
        query.destination ?? null,
        query.destination ?? null,
        query.includeReplayed ? 1 : 0,
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { letters: page.map(stored), ...(rows.length > limit && last ? { cursor: String(last.seq) } : {}) };
  }

  /** The letters with these keys (those that exist). */
  async get(keys: string[]): Promise<StoredDeadLetter[]> {
    const rows: Row[] = [];
    for (const chunk of keyChunks(keys)) {
      rows.push(
        ...this.sql
          .exec<Row>(`SELECT ${ROW_COLUMNS} FROM dead_letters WHERE key IN (${sqlMarks(chunk)})`, ...chunk)
          .toArray(),
      );
    }
    return rows.sort((a, b) => a.seq - b.seq).map(stored);
  }

  /**
   * Claims letters for one re-drive: marks re-driven at `now` those of `keys` not re-driven since
   * they last came back, and answers those keys. Atomic, so of two concurrent replays of a letter
   * only one gets it.
   */
  async claimReplay(keys: string[], now: number): Promise<string[]> {
    const claimed: string[] = [];
    for (const chunk of keyChunks(keys)) {
      const rows = this.sql
        .exec<{ key: string }>(
          `UPDATE dead_letters SET replayed_at = ? WHERE replayed_at IS NULL AND key IN (${sqlMarks(chunk)}) RETURNING key`,
          now,
          ...chunk,
        )
        .toArray();
      claimed.push(...rows.map((row) => row.key));
    }
    return claimed;
  }

  /** Gives back claims of a re-drive whose send failed (only those made at `claimedAt`). */
  async releaseReplay(keys: string[], claimedAt: number): Promise<void> {
    for (const chunk of keyChunks(keys)) {
      this.sql.exec(
        `UPDATE dead_letters SET replayed_at = NULL WHERE replayed_at = ? AND key IN (${sqlMarks(chunk)})`,
        claimedAt,
        ...chunk,
      );
    }
  }

  /** Deletes letters; answers how many there were. */
  async remove(keys: string[]): Promise<number> {
    let removed = 0;
    for (const chunk of keyChunks(keys)) {
      removed += this.sql.exec(`DELETE FROM dead_letters WHERE key IN (${sqlMarks(chunk)})`, ...chunk).rowsWritten;
    }
    return removed;
  }

  /** Deletes letters past retention; comes back daily while any remain. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM dead_letters WHERE dead_lettered_at <= ?", now - DEAD_LETTER_RETENTION_MS);
    const left = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dead_letters").one().n;
    if (left > 0) await this.ctx.storage.setAlarm(now + 86_400_000);
  }
}

function stored(row: Row): StoredDeadLetter {
  const letter = JSON.parse(row.body) as DeadLetter;
  return {
    ...letter,
    times: row.times,
    firstDeadLetteredAt: row.first_dead_lettered_at ?? letter.deadLetteredAt,
    ...(row.replayed_at !== null ? { replayedAt: row.replayed_at } : {}),
  };
}
