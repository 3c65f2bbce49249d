/**
 * The relay exactly as src/index.ts builds it, with its billable operations counted, to show what
 * a burst of webhooks or browser events costs on Cloudflare's price list:
 *
 * - Durable Object requests: every binding (INTAKE_LEDGER, DEAD_LETTERS, DELIVERY_CIRCUIT,
 *   METRICS) is wrapped so each call on a stub (an RPC method or `fetch`) is counted, per binding
 *   and method, and per caller (the routes, the consumer, another Durable Object, the cron);
 * - SQLite rows written: each Durable Object's `ctx.storage.sql.exec` cursor's `rowsWritten`,
 *   summed per class, and alarms set (`setAlarm`, billed as a row written);
 * - queue messages: every `send` and `sendBatch` on CAPI_QUEUE and CAPI_DLQ, with each message's
 *   JSON size (a queue operation is per 64 KB of a message; write, read and delete are three);
 * - metrics store writes: `record` calls, their counter rows and recent events, and the time the
 *   store spent in them (`performance.now()`, which advances during computation in local workerd);
 * - log lines (Workers Logs bills each, beside one invocation log per Worker invocation): every
 *   `console.log` call of the Worker and its objects, by the line's `msg`.
 *
 * Counts are kept per isolate (module state); under `wrangler dev` the Worker and its Durable
 * Objects share one. `GET /__bench/counts` answers them (`BenchCounts`); each Durable Object's
 * side is read through `benchCounts()` on one stub of each class and merged.
 *
 * @example
 * // run by bench/e2e.mjs through a config generated from wrangler.jsonc (bench/out/relay-counted/)
 */
import { AsyncLocalStorage } from "node:async_hooks";
import relay, {
  DeadLetterStore as RelayDeadLetterStore,
  DeliveryCircuit as RelayDeliveryCircuit,
  IntakeLedger as RelayIntakeLedger,
  MetricsStore as RelayMetricsStore,
} from "../../src/index";
import type { MetricsBatch } from "../../src/observe/metrics";

// Any Durable Object class src/index.ts exports and this file does not count (the four below
// shadow theirs): a class added later still runs here, uncounted.
export * from "../../src/index";

/** What has been counted in this isolate since it started. */
export interface BenchCounts {
  /** `binding.method` -> calls on a stub. */
  durableObjectRequests: Record<string, number>;
  /** The same by caller: `route`, `consumer`, `object` (a Durable Object), `cron`. */
  durableObjectRequestsByCaller: Record<string, Record<string, number>>;
  /** class -> SQLite rows written (cursor `rowsWritten`), and alarms set. */
  rowsWritten: Record<string, number>;
  alarmsSet: Record<string, number>;
  /** `binding` -> messages sent, `send`/`sendBatch` calls, 64 KB units, JSON bytes. */
  queue: Record<string, { messages: number; calls: number; units64k: number; bytes: number }>;
  metrics: {
    webhookRecords: number;
    webhooks: number;
    webhookCountRows: number;
    webhookRecent: number;
    webhookRecordMs: number;
    consumerRecords: number;
    consumerSent: number;
    consumerCountRows: number;
    consumerRecent: number;
    consumerRecordMs: number;
  };
  /** Worker invocations by kind (fetch by path, queue batches by queue, with their messages). */
  invocations: Record<string, number>;
  /** `binding` -> distinct object names asked for (`idFromName`), e.g. the intake shards in use. */
  objectNames: Record<string, number>;
  /** `msg` of a JSON line (or `other`) -> `console.log` calls. */
  logLines: Record<string, number>;
}

const counts: BenchCounts = {
  durableObjectRequests: {},
  durableObjectRequestsByCaller: {},
  rowsWritten: {},
  alarmsSet: {},
  queue: {},
  metrics: {
    webhookRecords: 0,
    webhooks: 0,
    webhookCountRows: 0,
    webhookRecent: 0,
    webhookRecordMs: 0,
    consumerRecords: 0,
    consumerSent: 0,
    consumerCountRows: 0,
    consumerRecent: 0,
    consumerRecordMs: 0,
  },
  invocations: {},
  objectNames: {},
  logLines: {},
};
const namesSeen = new Map<string, Set<string>>();
const add = (record: Record<string, number>, key: string, n = 1) => (record[key] = (record[key] ?? 0) + n);

// Every line the relay writes goes through `console.log` (src/core/log.ts consoleSink): counted by its `msg`.
const writeLine = console.log.bind(console);
console.log = (...args: unknown[]) => {
  const first = args[0];
  const msg = typeof first === "string" ? /^\{[^}]*?"msg":"([a-z_]+)"/.exec(first)?.[1] : undefined;
  add(counts.logLines, msg ?? "other");
  writeLine(...args);
};

const NAMESPACES = ["INTAKE_LEDGER", "DEAD_LETTERS", "DELIVERY_CIRCUIT", "METRICS"] as const;
const QUEUES = ["CAPI_QUEUE", "CAPI_DLQ"] as const;

/** Who calls a Durable Object: the fetch routes, the queue consumer, another object, the cron. */
type Caller = "route" | "consumer" | "object" | "cron";

/**
 * Who is running: set around each handler (`route`, `consumer`, `cron`), carried through its
 * promises and timers (a route's scheduled metrics write counts as the route's); a Durable
 * Object's own calls run outside every handler: `object`.
 */
const running = new AsyncLocalStorage<Caller>();

/** A stub whose every method call is counted as one Durable Object request, for whoever makes it. */
function countedStub<T extends object>(binding: string, stub: T): T {
  return new Proxy(stub, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string" || property === "then") return value;
      return (...args: unknown[]) => {
        const caller = running.getStore() ?? "object";
        add(counts.durableObjectRequests, `${binding}.${property}`);
        add((counts.durableObjectRequestsByCaller[caller] ??= {}), `${binding}.${property}`);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function countedNamespace(binding: string, namespace: DurableObjectNamespace): DurableObjectNamespace {
  return new Proxy(namespace, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "get" || property === "getByName")
        return (...args: unknown[]) => countedStub(binding, Reflect.apply(value, target, args) as object);
      if (property === "idFromName")
        return (name: string) => {
          if (!namesSeen.has(binding)) namesSeen.set(binding, new Set());
          namesSeen.get(binding)!.add(name);
          counts.objectNames[binding] = namesSeen.get(binding)!.size;
          return target.idFromName(name);
        };
      return (...args: unknown[]) => Reflect.apply(value, target, args);
    },
  });
}

function sizeOf(body: unknown): number {
  return new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body)).length;
}

function countedQueue(binding: string, queue: Queue): Queue {
  const tally = (bodies: unknown[], calls: number) => {
    const q = (counts.queue[binding] ??= { messages: 0, calls: 0, units64k: 0, bytes: 0 });
    q.calls += calls;
    for (const body of bodies) {
      const bytes = sizeOf(body);
      q.messages++;
      q.bytes += bytes;
      q.units64k += Math.max(1, Math.ceil(bytes / 65_536));
    }
  };
  return new Proxy(queue, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "send")
        return (body: unknown, options?: QueueSendOptions) => {
          tally([body], 1);
          return target.send(body, options);
        };
      if (property === "sendBatch")
        return (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => {
          const list = [...messages];
          tally(
            list.map((m) => m.body),
            1,
          );
          return target.sendBatch(list, options);
        };
      return typeof value === "function" ? (...args: unknown[]) => Reflect.apply(value, target, args) : value;
    },
  });
}

/**
 * `env` with its Durable Object namespaces and queue producers counted, one per env object as
 * the relay gets one env per isolate (its fetch and queue handlers share it, and its per-isolate
 * state is keyed by it: a copy per caller would hide that sharing).
 */
const wrapped = new WeakMap<object, Env>();
function countedEnv(env: Env): Env {
  let out = wrapped.get(env);
  if (out === undefined) {
    const copy: Record<string, unknown> = { ...env };
    for (const name of NAMESPACES)
      if (copy[name]) copy[name] = countedNamespace(name, copy[name] as DurableObjectNamespace);
    for (const name of QUEUES) if (copy[name]) copy[name] = countedQueue(name, copy[name] as Queue);
    out = copy as unknown as Env;
    wrapped.set(env, out);
  }
  return out;
}

/** Sums `rowsWritten` of every cursor `sql.exec` returns, and counts alarms set, for `className`. */
function countStorage(className: string, ctx: DurableObjectState): void {
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  let open: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  const settle = () => {
    for (const cursor of open) add(counts.rowsWritten, className, cursor.rowsWritten);
    open = [];
  };
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    settle();
    const cursor = exec(query, ...bindings);
    open.push(cursor);
    return cursor;
  }) as typeof sql.exec;
  const setAlarm = ctx.storage.setAlarm.bind(ctx.storage);
  ctx.storage.setAlarm = ((...args: Parameters<typeof setAlarm>) => {
    add(counts.alarmsSet, className);
    return setAlarm(...args);
  }) as typeof setAlarm;
  settlers.push(settle);
}
const settlers: (() => void)[] = [];
function snapshot(): BenchCounts {
  for (const settle of settlers) settle();
  return structuredClone(counts);
}

export class IntakeLedger extends RelayIntakeLedger {
  constructor(ctx: DurableObjectState, env: Env) {
    countStorage("IntakeLedger", ctx);
    super(ctx, countedEnv(env));
  }
  async benchCounts(): Promise<BenchCounts> {
    return snapshot();
  }
}

export class DeadLetterStore extends RelayDeadLetterStore {
  constructor(ctx: DurableObjectState, env: Env) {
    countStorage("DeadLetterStore", ctx);
    super(ctx, countedEnv(env));
  }
  async benchCounts(): Promise<BenchCounts> {
    return snapshot();
  }
}

export class DeliveryCircuit extends RelayDeliveryCircuit {
  constructor(ctx: DurableObjectState, env: Env) {
    countStorage("DeliveryCircuit", ctx);
    super(ctx, countedEnv(env));
  }
  async benchCounts(): Promise<BenchCounts> {
    return snapshot();
  }
}

export class MetricsStore extends RelayMetricsStore {
  constructor(ctx: DurableObjectState, env: Env) {
    countStorage("MetricsStore", ctx);
    super(ctx, countedEnv(env));
  }

  override async record(batch: MetricsBatch): Promise<void> {
    let received = 0;
    let sent = 0;
    for (const count of batch.counts) {
      if (count.destination === "" && count.name === "received") received += count.n;
      if (count.destination !== "" && count.name === "sent") sent += count.n;
    }
    const started = performance.now();
    await super.record(batch);
    const ms = performance.now() - started;
    const m = counts.metrics;
    if (received > 0) {
      m.webhookRecords++;
      m.webhooks += received;
      m.webhookCountRows += batch.counts.length;
      m.webhookRecent += batch.recent.length;
      m.webhookRecordMs += ms;
    } else {
      m.consumerRecords++;
      m.consumerSent += sent;
      m.consumerCountRows += batch.counts.length;
      m.consumerRecent += batch.recent.length;
      m.consumerRecordMs += ms;
    }
  }

  async benchCounts(): Promise<BenchCounts> {
    return snapshot();
  }
}

/** The counts of this isolate and of the isolate of each Durable Object class (the same one under `wrangler dev`). */
async function allCounts(env: Env): Promise<{ worker: BenchCounts; objects: Record<string, BenchCounts> }> {
  const objects: Record<string, BenchCounts> = {};
  for (const name of NAMESPACES) {
    const namespace = env[name] as unknown as DurableObjectNamespace<MetricsStore>;
    if (namespace) objects[name] = await namespace.get(namespace.idFromName("__bench")).benchCounts();
  }
  return { worker: snapshot(), objects };
}

/**
 * One intake ledger object's throughput on the direct path: `concurrency` loops share `n` claims (each a claim and its
 * confirm, as a webhook makes them) against one IntakeLedger object, timed from the Worker
 * (`performance.now()`, wall time in local workerd). Answers `{ skipped }` when the ledger's
 * methods are not `claim` / `confirm` with the shapes of src/delivery/intakeLedger.ts.
 */
async function shardThroughput(env: Env, n: number, concurrency: number): Promise<Response> {
  const namespace = env.INTAKE_LEDGER as unknown as DurableObjectNamespace<RelayIntakeLedger>;
  const ledger = namespace.get(namespace.idFromName(`bench-shard-${Date.now()}`));
  const run = Date.now().toString(36);
  let next = 0;
  let calls = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < n; i = next++) {
          const keys = [`id:bench-${run}-${i}`];
          const [claim] = await ledger.claim([{ keys, eventId: `e-${run}-${i}` }], Date.now());
          calls++;
          if (claim?.outcome !== "claimed") throw new Error(`claim answered ${JSON.stringify(claim)}`);
          await ledger.confirm([{ keys, token: claim.token }]);
          calls++;
        }
      }),
    );
  } catch (error) {
    return Response.json({ skipped: `the intake ledger did not answer as expected: ${String(error)}` });
  }
  const ms = performance.now() - started;
  return Response.json({
    claims: n,
    calls,
    concurrency,
    ms,
    claimsPerSecond: (n * 1000) / ms,
    callsPerSecond: (calls * 1000) / ms,
  });
}

/**
 * One destination's intake ledger taking the consumer's batch claims: `concurrency` loops share
 * `calls` calls of `claimMessages` with `batch` single-key entries each (as the queue consumer
 * makes them, one call per destination per batch), against one IntakeLedger object, timed from
 * the Worker. Answers `{ skipped }` when the ledger has no `claimMessages` of that shape.
 */
async function ledgerBatchThroughput(env: Env, calls: number, batch: number, concurrency: number): Promise<Response> {
  const namespace = env.INTAKE_LEDGER as unknown as DurableObjectNamespace<RelayIntakeLedger>;
  const ledger = namespace.get(namespace.idFromName(`bench-ledger-${Date.now()}`));
  const run = Date.now().toString(36);
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let call = next++; call < calls; call = next++) {
          const entries = Array.from({ length: batch }, (_, i) => ({
            keys: [`id:bench-${run}-${call}-${i}`],
            eventId: `e-${run}-${call}-${i}`,
            owner: `m-${run}-${call}-${i}`,
          }));
          const results = await ledger.claimMessages(entries, Date.now());
          if (results.some((r) => r.outcome !== "claimed"))
            throw new Error(`claimMessages answered ${JSON.stringify(results[0])}`);
        }
      }),
    );
  } catch (error) {
    return Response.json({ skipped: `the intake ledger did not answer as expected: ${String(error)}` });
  }
  const ms = performance.now() - started;
  return Response.json({
    calls,
    batch,
    concurrency,
    ms,
    callsPerSecond: (calls * 1000) / ms,
    claimsPerSecond: (calls * batch * 1000) / ms,
  });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/__bench/counts") return Response.json(await allCounts(env));
    if (path === "/__bench/shard")
      return shardThroughput(env, Number(url.searchParams.get("n") ?? 1000), Number(url.searchParams.get("c") ?? 16));
    if (path === "/__bench/ledger")
      return ledgerBatchThroughput(
        env,
        Number(url.searchParams.get("calls") ?? 100),
        Number(url.searchParams.get("batch") ?? 100),
        Number(url.searchParams.get("c") ?? 5),
      );
    add(counts.invocations, `fetch ${path}`);
    return running.run("route", () => relay.fetch(request, countedEnv(env), ctx));
  },
  async queue(batch, env, ctx) {
    add(counts.invocations, `queue ${batch.queue}`);
    add(counts.invocations, `queue ${batch.queue} messages`, batch.messages.length);
    return running.run("consumer", () => relay.queue(batch, countedEnv(env), ctx));
  },
  scheduled: (controller, env, ctx) => running.run("cron", () => relay.scheduled(controller, countedEnv(env), ctx)),
} satisfies ExportedHandler<Env>;
