/**
 * The real Durable Object classes, run in node: storage.sql on node:sqlite (the same SQLite
 * engine workerd uses), one call at a time per instance like workerd's input gate, arguments and
 * answers structured-cloned like RPC.
 *
 * Alarms run on the simulated clock when the namespace is given one: `setAlarm(t)` (simulated
 * ms) fires `alarm()` when the clock reaches `t`, queued behind the instance's calls like any
 * other (one at a time per instance). As on Cloudflare: one alarm per instance, a later
 * `setAlarm` replaces it; `getAlarm()` answers null while `alarm()` runs unless it set a new one;
 * an `alarm()` that throws is retried, 2 s after the first failure then doubling, at most 6
 * times. `restart()` is a new deployment: each object is built again from its storage (SQLite
 * and alarm kept) before its next call.
 */
import { createRequire } from "node:module";

const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");

/**
 * `ctx.storage.sql` over a fresh in-memory node:sqlite database, with the subset of SqlStorage the
 * classes use. One statement per `exec`, as the classes write them.
 */
export function sqlStorage(): SqlStorage {
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

/** The simulated clock alarms run on. */
export interface AlarmClock {
  /** Simulated ms. */
  now(): number;
  /** Real ms per simulated second. */
  msPerSecond: number;
}

/** Cloudflare retries a throwing `alarm()` at most this many times, 2 s after the first failure, doubling. */
const ALARM_RETRIES = 6;

interface Instance<T> {
  ctx: DurableObjectState;
  object: T | undefined;
  queue: Promise<unknown>;
  alarm: number | null;
  timer: ReturnType<typeof setTimeout> | undefined;
  alarmRetries: number;
}

/** A simulated namespace and its controls. */
export interface SimNamespace<T extends object> {
  binding: DurableObjectNamespace<T & Rpc.DurableObjectBranded>;
  /** A new deployment: every object is built again (storage and alarm kept) before its next call. */
  restart(): void;
  /** Stops every alarm timer (end of a test). */
  close(): void;
  readonly stats: { alarmsFired: number; alarmErrors: number; restarts: number };
}

/**
 * A namespace whose stubs call `make(ctx)`'s methods one at a time per instance name, and whose
 * alarms fire on `clock` (never, without one).
 */
export function simNamespace<T extends object>(
  make: (ctx: DurableObjectState) => T,
  clock?: AlarmClock,
): SimNamespace<T> {
  const instances = new Map<string, Instance<T>>();
  const stats = { alarmsFired: 0, alarmErrors: 0, restarts: 0 };
  let closed = false;

  const objectOf = (found: Instance<T>): T => (found.object ??= make(found.ctx));
  /** Runs `work` after the instance's calls so far, and before any later one. */
  const serially = <R>(found: Instance<T>, work: () => Promise<R>): Promise<R> => {
    const call = found.queue.then(work);
    found.queue = call.catch(() => undefined);
    return call;
  };
  const schedule = (found: Instance<T>) => {
    if (found.timer) clearTimeout(found.timer);
    found.timer = undefined;
    if (closed || !clock || found.alarm === null) return;
    const scheduled = found.alarm;
    const delay = Math.max(0, ((scheduled - clock.now()) * clock.msPerSecond) / 1000);
    found.timer = setTimeout(() => {
      found.timer = undefined;
      void serially(found, () => fire(found, scheduled));
    }, delay);
  };
  const fire = async (found: Instance<T>, scheduled: number) => {
    if (closed || found.alarm !== scheduled) return; // replaced or deleted meanwhile
    found.alarm = null;
    stats.alarmsFired++;
    const object = objectOf(found) as {
      alarm?: (info: { retryCount: number; isRetry: boolean }) => Promise<void> | void;
    };
    try {
      await object.alarm?.({ retryCount: found.alarmRetries, isRetry: found.alarmRetries > 0 });
      found.alarmRetries = 0;
    } catch {
      stats.alarmErrors++;
      if (found.alarm === null && found.alarmRetries < ALARM_RETRIES) {
        found.alarm = clock!.now() + 2000 * 2 ** found.alarmRetries;
        found.alarmRetries++;
      } else found.alarmRetries = 0;
    }
    schedule(found);
  };

  const instance = (name: string): Instance<T> => {
    let found = instances.get(name);
    if (!found) {
      const created: Instance<T> = {
        ctx: undefined as unknown as DurableObjectState,
        object: undefined,
        queue: Promise.resolve(),
        alarm: null,
        timer: undefined,
        alarmRetries: 0,
      };
      created.ctx = {
        id: { toString: () => name, name },
        storage: {
          sql: sqlStorage(),
          getAlarm: async () => created.alarm,
          setAlarm: async (time: number | Date) => {
            created.alarm = typeof time === "number" ? time : time.getTime();
            schedule(created);
          },
          deleteAlarm: async () => {
            created.alarm = null;
            schedule(created);
          },
        },
      } as unknown as DurableObjectState;
      instances.set(name, (found = created));
    }
    return found;
  };
  const binding = {
    idFromName: (name: string) => name,
    get: (name: string) =>
      new Proxy(
        {},
        {
          get:
            (_, method: string) =>
            (...args: unknown[]) => {
              const target = instance(name);
              return serially(target, async () => {
                const fn = (objectOf(target) as Record<string, (...a: unknown[]) => unknown>)[method];
                if (typeof fn !== "function") throw new Error(`no RPC method ${method}`);
                return structuredClone(await fn.apply(target.object, structuredClone(args)));
              });
            },
        },
      ),
  };
  return {
    binding: binding as unknown as DurableObjectNamespace<T & Rpc.DurableObjectBranded>,
    restart() {
      stats.restarts++;
      for (const found of instances.values()) {
        void serially(found, async () => {
          found.object = undefined;
        });
      }
    },
    close() {
      closed = true;
      for (const found of instances.values()) schedule(found);
    },
    stats,
  };
}

/** A namespace whose stubs call `make(ctx)`'s methods one at a time per instance name (no alarms). */
export function durableObjectNamespace<T extends object>(make: (ctx: DurableObjectState) => T) {
  return simNamespace(make).binding;
}
