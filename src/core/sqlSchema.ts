/**
 * The schema of a SQLite-backed Durable Object, versioned. Each object lists its schema as steps,
 * oldest first, and calls {@link migrate} as it is built: an object created today runs every
 * step; one created before runs only the steps it has not run yet. The version is kept in a table
 * of its own, `schema_version`, so the object's tables keep their names and nothing else reads it.
 *
 * Rules for steps, since objects made by every earlier deployment migrate with them:
 * - never edit or remove a deployed step; add one;
 * - write each step so that running it again changes nothing (`IF NOT EXISTS`, a column looked up
 *   before it is added): its version is written just after it, and an object deployed before this
 *   helper existed ran the first steps without a version;
 * - only add (tables, columns, indexes): code rolled back to an older deployment still reads a
 *   newer schema, and {@link migrate} leaves a schema newer than its steps as it is.
 *
 * Pure SQL on `ctx.storage.sql`, synchronous: no call reaches the object while its constructor
 * runs. Tested in Node on node:sqlite, the engine workerd uses.
 *
 * @example
 * ```ts
 * const SCHEMA: SchemaStep[] = [
 *   ["CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, body TEXT NOT NULL)"],
 *   (sql) => addColumn(sql, { table: "notes", column: "author", type: "TEXT" }),
 * ];
 * class Notes extends DurableObject {
 *   private readonly sql = migrate(this.ctx.storage.sql, SCHEMA); // runs as the object is built
 * }
 * ```
 */

/** One change to a schema: statements run in order, or a function for a change that must look first. */
export type SchemaStep = readonly string[] | ((sql: SqlStorage) => void);

/** The table that keeps the schema's version: one row, the number of steps run. */
export const SCHEMA_VERSION_TABLE = "schema_version";

/**
 * Brings `sql`'s schema up to date: runs, in order, each of `steps` not run yet, and records the
 * version after each. Answers `sql`, so an object keeps it in one line (a field initialiser, run
 * as the object is built, before any call reaches it).
 *
 * @example
 * ```ts
 * const sql = migrate(ctx.storage.sql, [["CREATE TABLE IF NOT EXISTS held (key TEXT PRIMARY KEY)"]]);
 * schemaVersion(sql); // 1
 * ```
 */
export function migrate(sql: SqlStorage, steps: readonly SchemaStep[]): SqlStorage {
  sql.exec(
    `CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSION_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`,
  );
  for (let version = schemaVersion(sql); version < steps.length; version++) {
    const step = steps[version]!;
    if (typeof step === "function") step(sql);
    else for (const statement of step) sql.exec(statement);
    sql.exec(
      `INSERT INTO ${SCHEMA_VERSION_TABLE} (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
      version + 1,
    );
  }
  return sql;
}

/**
 * How many steps of its schema `sql` has run (0: none, or no version kept yet).
 *
 * @example
 * ```ts
 * schemaVersion(ctx.storage.sql); // 2
 * ```
 */
export function schemaVersion(sql: SqlStorage): number {
  const exists = sql
    .exec<{ n: number }>(
      "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
      SCHEMA_VERSION_TABLE,
    )
    .one().n;
  if (exists === 0) return 0;
  const row = sql.exec<{ version: number }>(`SELECT version FROM ${SCHEMA_VERSION_TABLE} WHERE id = 1`).toArray()[0];
  return row?.version ?? 0;
}

/** A column to add to an existing table. */
export interface NewColumn {
  table: string;
  column: string;
  /** Its SQL type and constraints, e.g. `TEXT` or `INTEGER NOT NULL DEFAULT 0`. */
  type: string;
}

/**
 * Adds a column unless the table has it already: a step that is safe to run again on an object
 * that got the column some other way (before its schema had versions).
 *
 * @example
 * ```ts
 * const SCHEMA: SchemaStep[] = [[CREATE_LETTERS], (sql) => addColumn(sql, { table: "dead_letters", column: "destination", type: "TEXT" })];
 * ```
 */
export function addColumn(sql: SqlStorage, { table, column, type }: NewColumn): void {
  const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
  if (!columns.some((existing) => existing.name === column))
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}
