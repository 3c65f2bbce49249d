import { describe, expect, it } from "vitest";
import { sqlStorage } from "../../test/fault/durableObjects";
import { addColumn, migrate, type SchemaStep, schemaVersion } from "./sqlSchema";

const tables = (sql: SqlStorage) =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((row) => row.name);
const columns = (sql: SqlStorage, table: string) =>
  sql
    .exec<{ name: string }>(`PRAGMA table_info(${table})`)
    .toArray()
    .map((row) => row.name);

const NOTES = "CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, body TEXT NOT NULL)";

describe("migrate", () => {
  it("runs every step of a new object, in order, and records the version", () => {
    const sql = sqlStorage();
    const ran: number[] = [];
    const steps: SchemaStep[] = [
      [NOTES, "CREATE INDEX IF NOT EXISTS notes_body ON notes (body)"],
      (s) => (ran.push(2), addColumn(s, { table: "notes", column: "author", type: "TEXT" })),
    ];
    expect(migrate(sql, steps)).toBe(sql);
    expect(ran).toEqual([2]);
    expect(schemaVersion(sql)).toBe(2);
    expect(tables(sql)).toEqual(["notes", "schema_version"]);
    expect(columns(sql, "notes")).toEqual(["key", "body", "author"]);
  });

  it("runs each step once: a second start runs nothing, a new step runs alone", () => {
    const sql = sqlStorage();
    let first = 0;
    let second = 0;
    const steps: SchemaStep[] = [(s) => (first++, s.exec(NOTES))];
    migrate(sql, steps);
    migrate(sql, steps);
    expect([first, second]).toEqual([1, 0]);
    migrate(sql, [...steps, () => void second++]);
    migrate(sql, [...steps, () => void second++]);
    expect([first, second]).toEqual([1, 1]);
    expect(schemaVersion(sql)).toBe(2);
  });

  it("takes an object made before versions to version 1 without change, and adds a column only where missing", () => {
    const sql = sqlStorage();
    sql.exec(NOTES);
    sql.exec("INSERT INTO notes (key, body) VALUES ('k', 'kept')");
    expect(schemaVersion(sql)).toBe(0);
    migrate(sql, [[NOTES]]);
    expect(schemaVersion(sql)).toBe(1);
    expect(sql.exec<{ body: string }>("SELECT body FROM notes").one().body).toBe("kept");

    // An object that got the column from the old ad hoc check, and one that did not.
    const withColumn = sqlStorage();
    withColumn.exec(NOTES);
    withColumn.exec("ALTER TABLE notes ADD COLUMN author TEXT");
    const addAuthor: SchemaStep = (s) => addColumn(s, { table: "notes", column: "author", type: "TEXT" });
    for (const object of [sql, withColumn]) {
      migrate(object, [[NOTES], addAuthor]);
      expect(columns(object, "notes")).toEqual(["key", "body", "author"]);
      expect(schemaVersion(object)).toBe(2);
    }
  });

  it("leaves a schema newer than its steps as it is (code rolled back)", () => {
    const sql = sqlStorage();
    migrate(sql, [[NOTES], (s) => addColumn(s, { table: "notes", column: "author", type: "TEXT" })]);
    let ran = 0;
    migrate(sql, [() => void ran++]);
    expect(ran).toBe(0);
    expect(schemaVersion(sql)).toBe(2);
  });

  it("records no version for a step that throws, so the next start runs it again", () => {
    const sql = sqlStorage();
    let attempts = 0;
    const flaky: SchemaStep = (s) => {
      attempts++;
      if (attempts === 1) throw new Error("storage went away");
      s.exec(NOTES);
    };
    expect(() => migrate(sql, [flaky])).toThrow("storage went away");
    expect(schemaVersion(sql)).toBe(0);
    migrate(sql, [flaky]);
    expect([attempts, schemaVersion(sql)]).toEqual([2, 1]);
  });
});
