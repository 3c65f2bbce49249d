/**
 * SQLite rows a Durable Object writes, as Cloudflare bills them: the sum of `rowsWritten` of
 * every cursor `ctx.storage.sql.exec` returns while `act` runs (bench/relay-counted/ counts the
 * same way under load). For tests that hold a store to its rows per event.
 *
 * @example
 * ```ts
 * const rows = await runInDurableObject(stub, (instance, state) =>
 *   rowsWrittenBy(state.storage.sql, () => instance.record(batch)));
 * ```
 */
export async function rowsWrittenBy(sql: SqlStorage, act: () => Promise<unknown>): Promise<number> {
  const exec = sql.exec.bind(sql);
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    const cursor = exec(query, ...bindings);
    cursors.push(cursor);
    return cursor;
  }) as typeof sql.exec;
  try {
    await act();
  } finally {
    sql.exec = exec;
  }
  // A cursor's count is final once it is read through: read what the store left unread.
  return cursors.reduce((sum, cursor) => (cursor.toArray(), sum + cursor.rowsWritten), 0);
}
