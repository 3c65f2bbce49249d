/**
 * The real Durable Object classes, run in node: storage.sql on node:sqlite (the same SQLite
 * engine workerd uses), one call at a time per instance like workerd's input gate, arguments and
 * answers structured-cloned like RPC.
 */
import { createRequire } from "node:module";

const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");

/** `ctx.storage.sql` over node:sqlite, with the subset of SqlStorage the classes use. */
function sqlStorage(): SqlStorage {
  const db = new DatabaseSync(":memory:");
  return {
    exec(query: string, ...bindings: unknown[]) {
      const statement = db.prepare(query);
      const params = bindings as (string | number | null)[];
      const returning = /\breturning\b/i.test(query);
      const reads = returning || /^\s*(select|with|pragma)\b/i.test(query);
      const rows = reads ? (statement.all(...params) as Record<string, SqlStorageValue>[]) : [];
      const rowsWritten = returning ? rows.length : reads ? 0 : Number(statement.run(...params).changes);
      return {
        toArray: () => rows,
        one: () => {
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
          return rows[0]!;
        },
        rowsWritten,
        rowsRead: rows.length,
        columnNames: [],
        [Symbol.iterator]: () => rows[Symbol.iterator](),
      };
    },
  } as unknown as SqlStorage;
}

/** A namespace whose stubs call `make(ctx)`'s methods one at a time per instance name. */
export function durableObjectNamespace<T extends object>(make: (ctx: DurableObjectState) => T) {
  const instances = new Map<string, { object: T; queue: Promise<unknown> }>();
  const instance = (name: string) => {
    let found = instances.get(name);
    if (!found) {
      let alarm: number | null = null;
      const ctx = {
        id: { toString: () => name, name },
        storage: {
          sql: sqlStorage(),
          getAlarm: async () => alarm,
          setAlarm: async (time: number) => void (alarm = time),
        },
      } as unknown as DurableObjectState;
      found = { object: make(ctx), queue: Promise.resolve() };
      instances.set(name, found);
    }
    return found;
  };
  const namespace = {
    idFromName: (name: string) => name,
    get: (name: string) =>
      new Proxy(
        {},
        {
          get: (_, method: string) =>
            (...args: unknown[]) => {
              const target = instance(name);
              const call = target.queue.then(async () => {
                const fn = (target.object as Record<string, (...a: unknown[]) => unknown>)[method];
                if (typeof fn !== "function") throw new Error(`no RPC method ${method}`);
                return structuredClone(await fn.apply(target.object, structuredClone(args)));
              });
              target.queue = call.catch(() => undefined);
              return call;
            },
        },
      ),
  };
  return namespace as unknown as DurableObjectNamespace<T & Rpc.DurableObjectBranded>;
}
