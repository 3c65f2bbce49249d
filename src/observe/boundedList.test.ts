import { describe, expect, it } from "vitest";
import { sqlStorage } from "../../test/fault/durableObjects";
import {
  appendToList,
  type BoundedList,
  boundedListTable,
  dropFromListBefore,
  keptOf,
  newestOfList,
} from "./boundedList";

const LIST: BoundedList = { table: "items", chunk: 5, chunks: 4 };

function listOver(): SqlStorage {
  const sql = sqlStorage();
  sql.exec(boundedListTable(LIST));
  return sql;
}

/** Items numbered `from` to `to` (included), each at its number. */
const items = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ at: from + i }));
const ats = (list: { at: number }[]) => list.map((item) => item.at);
const rows = (sql: SqlStorage) => sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM items").one().n;

describe("a bounded list", () => {
  it("answers the newest items first, across chunks, up to the limit", () => {
    const sql = listOver();
    appendToList(sql, LIST, items(1, 3));
    appendToList(sql, LIST, items(4, 9)); // the chunk being filled takes the batch whole
    appendToList(sql, LIST, items(10, 10)); // it is full: the next chunk starts
    expect(ats(newestOfList(sql, LIST, 4))).toEqual([10, 9, 8, 7]);
    expect(ats(newestOfList(sql, LIST, 100))).toEqual(
      items(1, 10)
        .reverse()
        .map((item) => item.at),
    );
    expect(rows(sql)).toBe(2);
  });

  it("writes one row an append, however many items it brings", () => {
    const sql = listOver();
    const written = (batch: { at: number }[]) => {
      let total = 0;
      const exec = sql.exec.bind(sql);
      const counting = Object.assign(Object.create(sql) as SqlStorage, {
        exec: (query: string, ...bindings: unknown[]) => {
          const cursor = exec(query, ...bindings);
          total += cursor.rowsWritten;
          return cursor;
        },
      });
      appendToList(counting, LIST, batch);
      return total;
    };
    expect(written(items(1, 2))).toBe(1);
    expect(written(items(3, 40))).toBe(1);
    expect(written([])).toBe(0);
  });

  it("keeps at least its full chunks but the oldest, overwriting the oldest chunk in place", () => {
    const sql = listOver();
    for (let at = 1; at <= 1000; at++) appendToList(sql, LIST, items(at, at));
    expect(rows(sql)).toBe(LIST.chunks);
    const kept = ats(newestOfList(sql, LIST, 1000));
    expect(kept.length).toBeGreaterThanOrEqual(keptOf(LIST));
    expect(kept.length).toBeLessThanOrEqual(LIST.chunks * LIST.chunk);
    expect(kept).toEqual(
      items(1000 - kept.length + 1, 1000)
        .reverse()
        .map((item) => item.at),
    );
  });

  it("forgets what is older than a cutoff, a chunk at a time or within one, and goes on after", () => {
    const sql = listOver();
    appendToList(sql, LIST, items(1, 5));
    appendToList(sql, LIST, items(6, 10));
    appendToList(sql, LIST, items(11, 12));
    dropFromListBefore(sql, LIST, 8);
    expect(ats(newestOfList(sql, LIST, 100))).toEqual([12, 11, 10, 9, 8]);
    expect(rows(sql)).toBe(2);
    appendToList(sql, LIST, items(13, 13));
    dropFromListBefore(sql, LIST, 100);
    expect(newestOfList(sql, LIST, 100)).toEqual([]);
    appendToList(sql, LIST, items(200, 201));
    expect(ats(newestOfList(sql, LIST, 100))).toEqual([201, 200]);
  });
});
