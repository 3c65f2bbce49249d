/**
 * A list of the newest items (the console's recent events, the webhooks refused on arrival) kept in
 * a table of its own as a ring of chunks: each row holds a JSON array of items, the newest row
 * takes what is appended until it holds `chunk` items, then the next slot of the ring is
 * overwritten. Appending costs one row written however many items come (a row per item, its
 * AUTOINCREMENT sequence and the delete that trimmed it cost three); reading the newest items
 * reads a few rows. Cloudflare bills SQLite rows written a thousand times rows read.
 *
 * What it keeps: every item of the newest `chunks - 1` full chunks and of the chunk being filled,
 * so at least {@link keptOf} items once that many came (a chunk can hold more than `chunk`: a
 * batch is appended whole to the chunk being filled).
 *
 * @example
 * ```ts
 * const RECENT: BoundedList = { table: "recent_events", chunk: 50, chunks: 11 }; // keeps 500 at least
 * sql.exec(boundedListTable(RECENT));
 * appendToList(sql, RECENT, [{ at: Date.now(), eventId: "e1" }]);
 * newestOfList(sql, RECENT, 10); // [{ at: …, eventId: "e1" }]
 * ```
 */

/** A list's table and the shape of its ring. */
export interface BoundedList {
  table: string;
  /** Items the newest chunk takes before the next one starts. */
  chunk: number;
  /** Slots of the ring: chunks kept. */
  chunks: number;
}

/** What a list holds: JSON, with the time (ms) it happened. */
export interface Dated {
  at: number;
}

/** Items a list keeps at least (once that many came): its full chunks but the oldest. */
export function keptOf(list: BoundedList): number {
  return (list.chunks - 1) * list.chunk;
}

/**
 * The list's table: `slot` (seq modulo `chunks`, so a new chunk overwrites the oldest in place),
 * `seq` (the chunk's number, growing), `n` (its items), `last_at` (ms, its newest item's time),
 * `items` (a JSON array, oldest first). The primary key is the rowid: no index to write. Schema
 * steps create tables with it: a change of shape is a new step (../core/sqlSchema), not an edit here.
 */
export function boundedListTable(list: BoundedList): string {
  return `CREATE TABLE IF NOT EXISTS ${list.table} (
    slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, n INTEGER NOT NULL, last_at INTEGER NOT NULL, items TEXT NOT NULL)`;
}

type ChunkRow = {
  slot: number;
  seq: number;
  n: number;
  items: string;
};

/** Appends `items` (oldest first) in one row written: to the newest chunk while it has room, else as the next one. */
export function appendToList(sql: SqlStorage, list: BoundedList, items: readonly Dated[]): void {
  if (items.length === 0) return;
  const lastAt = Math.max(...items.map((item) => item.at));
  const head = sql
    .exec<ChunkRow>(`SELECT slot, seq, n, items FROM ${list.table} ORDER BY seq DESC LIMIT 1`)
    .toArray()[0];
  if (head !== undefined && head.n < list.chunk) {
    const merged = [...(JSON.parse(head.items) as Dated[]), ...items];
    sql.exec(
      `UPDATE ${list.table} SET n = ?, last_at = MAX(last_at, ?), items = ? WHERE slot = ?`,
      merged.length,
      lastAt,
      JSON.stringify(merged),
      head.slot,
    );
    return;
  }
  const seq = head === undefined ? 0 : head.seq + 1;
  sql.exec(
    `INSERT INTO ${list.table} (slot, seq, n, last_at, items) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, n = excluded.n, last_at = excluded.last_at, items = excluded.items`,
    seq % list.chunks,
    seq,
    items.length,
    lastAt,
    JSON.stringify(items),
  );
}

/** The newest `limit` items, newest first. */
export function newestOfList<T extends Dated>(sql: SqlStorage, list: BoundedList, limit: number): T[] {
  const out: T[] = [];
  for (const row of sql.exec<{ items: string }>(`SELECT items FROM ${list.table} ORDER BY seq DESC`)) {
    const items = JSON.parse(row.items) as T[];
    for (let i = items.length - 1; i >= 0 && out.length < limit; i--) out.push(items[i]!);
    if (out.length >= limit) break;
  }
  return out;
}

/** Forgets the items older than `cutoff` (ms): a chunk of only older ones goes, one with some is rewritten. */
export function dropFromListBefore(sql: SqlStorage, list: BoundedList, cutoff: number): void {
  sql.exec(`DELETE FROM ${list.table} WHERE last_at < ?`, cutoff);
  for (const row of sql.exec<ChunkRow>(`SELECT slot, seq, n, items FROM ${list.table}`).toArray()) {
    const items = JSON.parse(row.items) as Dated[];
    const kept = items.filter((item) => item.at >= cutoff);
    if (kept.length < items.length)
      sql.exec(`UPDATE ${list.table} SET n = ?, items = ? WHERE slot = ?`, kept.length, JSON.stringify(kept), row.slot);
  }
}
