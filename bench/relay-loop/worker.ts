/**
 * The relay's own CPU per event, timed inside workerd: its handlers run in a loop against
 * bindings that answer at once, so the loop's time is the relay's computation and nothing else
 * (no Durable Object round trip, no queue, no network, no other request interleaved).
 *
 * The bindings are replayed, not hand-written: one real request first runs against the real
 * bindings (Durable Objects, queues) with every stub call's answer recorded; in the loop each
 * stub method answers what it answered then, each queue send resolves at once (its messages
 * kept for the consumer's loop), and `fetch` answers as Meta does. So the loop follows the same
 * path through the relay as a live request, whatever the Durable Objects' methods are.
 *
 * The relay under test is the module aliased as `relay-under-test` (the generated wrangler
 * config points it at src/index.ts, or at the base's), so the same loop times both versions.
 *
 * POST /__bench/loop with JSON { kind: "webhook" | "browser" | "consumer", n, headers, bodies, path,
 * quiet, batchSize, source } answers { n, events, ms, usPerEvent } (the consumer's events are those
 * it sent to Meta, counted in an untimed batch first): `quiet` replaces console.log by a no-op during
 * the loop (under `wrangler dev` every line crosses the inspector to wrangler's Node process,
 * which Workers Logs on Cloudflare does not do).
 * `performance.now()` advances during computation in local workerd (bench/workerd.mjs checks).
 *
 * @example
 * // run by bench/cpu-loop.mjs through a config generated from wrangler.jsonc (bench/out/relay-loop*)
 */
// @ts-expect-error: resolved by the generated wrangler config's `alias` (src/index.ts or the base's)
import * as relayModule from "relay-under-test";

const relay = (relayModule as { default: ExportedHandler<Env> }).default;
// Its Durable Object classes, whichever it has (a star export never re-exports `default`).
// @ts-expect-error: as above
export * from "relay-under-test";

const NAMESPACES = ["INTAKE_LEDGER", "DEAD_LETTERS", "DELIVERY_CIRCUIT", "METRICS"];
const QUEUES = ["CAPI_QUEUE", "CAPI_DLQ"];

interface Recording {
  /** `binding.method` -> the last answer. */
  answers: Map<string, unknown>;
  /** Queue message bodies sent, per binding. */
  sent: Map<string, unknown[]>;
  /** Other bindings' methods that answered with a promise. */
  promised: Set<string>;
}

/** `env` whose stubs and queues record (`replay: false`) or answer from `rec` at once (`replay: true`). */
function boundEnv(env: Env, rec: Recording, replay: boolean): Env {
  const copy: Record<string, unknown> = { ...env };
  for (const name of NAMESPACES) {
    const namespace = copy[name] as DurableObjectNamespace | undefined;
    if (!namespace) continue;
    const stubFor = (real: (() => object) | undefined) =>
      new Proxy(
        {},
        {
          get(_target, method) {
            if (typeof method !== "string" || method === "then") return undefined;
            const key = `${name}.${method}`;
            if (replay) return async () => structuredClone(rec.answers.get(key));
            return async (...args: unknown[]) => {
              const stub = real!() as Record<string, (...a: unknown[]) => Promise<unknown>>;
              const answer = await stub[method]!(...args);
              rec.answers.set(key, answer);
              return answer;
            };
          },
        },
      );
    copy[name] = new Proxy(namespace, {
      get(target, property) {
        if (property === "get")
          return (id: DurableObjectId) => stubFor(replay ? undefined : () => target.get(id) as unknown as object);
        if (property === "getByName")
          return (n: string) => stubFor(replay ? undefined : () => target.getByName(n) as unknown as object);
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }
  // Any other binding (the rate limiter, …): its methods' answers recorded and replayed the same
  // way, when they can be copied; an answer that cannot (a Response, a stream) is asked for again.
  for (const [name, value] of Object.entries(copy)) {
    if (NAMESPACES.includes(name) || QUEUES.includes(name)) continue;
    if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
    if (Object.getPrototypeOf(value) === Object.prototype) continue; // a JSON var, not a binding
    const binding = value as Record<string, unknown>;
    copy[name] = new Proxy(binding, {
      get(target, method) {
        const real = Reflect.get(target, method);
        if (typeof real !== "function" || typeof method !== "string") return real;
        const key = `${name}.${method}`;
        const keep = (answer: unknown) => {
          try {
            rec.answers.set(key, structuredClone(answer));
          } catch {
            // not copyable: asked for again each time
          }
          return answer;
        };
        return (...args: unknown[]) => {
          if (replay && rec.answers.has(key)) {
            const copy = structuredClone(rec.answers.get(key));
            return rec.promised.has(key) ? Promise.resolve(copy) : copy;
          }
          const answer: unknown = Reflect.apply(real, target, args);
          if (answer instanceof Promise) {
            rec.promised.add(key);
            return answer.then(keep);
          }
          return keep(answer);
        };
      },
    });
  }
  for (const name of QUEUES) {
    // Kept, never sent: the live Worker's own consumer must not deliver (and claim) them first.
    if (!copy[name]) continue;
    const keep = (bodies: unknown[]) => {
      if (!rec.sent.has(name)) rec.sent.set(name, []);
      rec.sent.get(name)!.push(...bodies);
    };
    copy[name] = {
      send: async (body: unknown) => {
        keep([body]);
      },
      sendBatch: async (messages: Iterable<MessageSendRequest>) => {
        const list = [...messages];
        keep(list.map((m) => m.body));
      },
    };
  }
  return copy as unknown as Env;
}

/** An execution context whose `waitUntil` promises are kept, to be awaited outside the timing. */
function context(): { ctx: ExecutionContext; settle: () => Promise<void> } {
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p.catch(() => undefined)),
    passThroughOnException: () => undefined,
    props: {},
  } as unknown as ExecutionContext;
  return { ctx, settle: async () => void (await Promise.all(pending.splice(0))) };
}

/**
 * A fresh Studio `id` (webhooks, and the consumer's first webhook) or fresh `event_id`s (browser
 * bodies) for iteration `i` of loop `run`: a repeated id would be answered as a redelivery, and
 * the loop would replay that shorter path.
 */
function fresh(body: string, kind: string, run: string, i: number): string {
  if (kind === "browser") return body.replaceAll("cartful.ses_", `cartful.ses_${run}${i}_`);
  const payload = JSON.parse(body) as { id?: string };
  return JSON.stringify({ ...payload, id: `${payload.id ?? "evt"}-loop-${run}-${i}` });
}

const GRAPH_ANSWER = JSON.stringify({ events_received: 1, messages: [], fbtrace_id: "AbCdEfLoop" });

interface Job {
  kind: "webhook" | "browser" | "consumer";
  n: number;
  path: string;
  headers: Record<string, string>;
  bodies: string[];
  quiet?: boolean;
  /** consumer: messages per batch. */
  batchSize?: number;
  /** consumer: what its first request is, whose queued messages make the batches (default webhook). */
  source?: "webhook" | "browser";
}

async function loop(job: Job, env: Env, base: string): Promise<Response> {
  const rec: Recording = { answers: new Map(), sent: new Map(), promised: new Set() };
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const request = (body: string) =>
    new Request(`${base}${job.path}`, { method: "POST", headers: job.headers, body }) as Request<
      unknown,
      IncomingRequestCfProperties
    >;
  // 1. One real request, its bindings' answers recorded.
  const live = context();
  const first = await relay.fetch!(
    request(fresh(job.bodies[0]!, job.kind === "consumer" ? (job.source ?? "webhook") : job.kind, run, 0)),
    boundEnv(env, rec, false),
    live.ctx,
  );
  const firstText = await first.text();
  await live.settle();
  if (first.status === 404) return Response.json({ skipped: `${job.path} answered 404` });
  // The loop must replay the path of a new event, queued: not a redelivery, not a refusal.
  if (first.status !== 202 || !/"queued"/.test(firstText))
    return Response.json({ error: `first request answered ${first.status}: ${firstText}` });
  if (job.kind === "consumer") {
    // The consumer's batch: as many distinct messages as it holds, each from a live request.
    // Their work after the answer (a metrics write about a second later) is awaited once, at the end.
    const source = job.source ?? "webhook";
    const more = context();
    for (let i = 1; i < (job.batchSize ?? 100); i++) {
      const res = await relay.fetch!(
        request(fresh(job.bodies[i % job.bodies.length]!, source, run, i)),
        boundEnv(env, rec, false),
        more.ctx,
      );
      await res.text();
    }
    await more.settle();
  }
  const replayEnv = boundEnv(env, rec, true);
  const realFetch = globalThis.fetch;
  const realLog = console.log;
  const { ctx, settle } = context();
  let events = 0;
  let ms = 0;
  try {
    globalThis.fetch = async () => new Response(GRAPH_ANSWER, { headers: { "content-type": "application/json" } });
    if (job.quiet) console.log = () => undefined;
    if (job.kind === "consumer") {
      // The messages the route queued, as one batch of `batchSize`, delivered `n` times.
      const bodies = rec.sent.get("CAPI_QUEUE") ?? [];
      if (bodies.length === 0) return Response.json({ error: "the first request queued nothing" });
      const size = job.batchSize ?? 100;
      const messages = Array.from({ length: size }, (_, i) => bodies[i % bodies.length]);
      const batch = () =>
        ({
          queue: "cartful-capi-events",
          messages: messages.map((body, i) => ({
            id: `m${i}`,
            timestamp: new Date(),
            body: structuredClone(body),
            attempts: 1,
            ack: () => undefined,
            retry: () => undefined,
          })),
          ackAll: () => undefined,
          retryAll: () => undefined,
        }) as unknown as MessageBatch;
      // One live batch against the real bindings records what the consumer asks them (its
      // Durable Objects: claims, circuits, metrics), and counts the events a batch delivers (a
      // message may carry several: a browser pack). Then one replayed batch to warm.
      let perBatch = 0;
      globalThis.fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
        perBatch += (JSON.parse(String(init?.body ?? "{}")) as { data?: unknown[] }).data?.length ?? 0;
        return new Response(GRAPH_ANSWER, { headers: { "content-type": "application/json" } });
      };
      const recording = context();
      await relay.queue!(batch(), boundEnv(env, rec, false), recording.ctx);
      await recording.settle();
      globalThis.fetch = async () => new Response(GRAPH_ANSWER, { headers: { "content-type": "application/json" } });
      await relay.queue!(batch(), replayEnv, ctx);
      if (perBatch === 0) return Response.json({ error: "the consumer sent no event to Meta" });
      const t0 = performance.now();
      for (let i = 0; i < job.n; i++) await relay.queue!(batch(), replayEnv, ctx);
      ms = performance.now() - t0;
      events = job.n * perBatch;
    } else {
      const prepared = Array.from({ length: job.n }, (_, i) =>
        fresh(job.bodies[i % job.bodies.length]!, job.kind, run, i + 1),
      );
      for (let i = 0; i < Math.min(20, job.n); i++)
        await (await relay.fetch!(request(prepared[i]!), replayEnv, ctx)).text(); // warm
      const t0 = performance.now();
      for (const body of prepared) await (await relay.fetch!(request(body), replayEnv, ctx)).text();
      ms = performance.now() - t0;
      const perBody = job.kind === "browser" ? (JSON.parse(job.bodies[0]!) as { events: unknown[] }).events.length : 1;
      events = job.n * perBody;
    }
  } finally {
    globalThis.fetch = realFetch;
    console.log = realLog;
  }
  await settle();
  return Response.json({ n: job.n, events, ms, usPerEvent: (ms * 1000) / events, answers: [...rec.answers.keys()] });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/loop") return loop((await request.json()) as Job, env, url.origin);
    return relay.fetch!(request, env, ctx);
  },
  queue: (batch, env, ctx) => relay.queue!(batch, env, ctx),
} satisfies ExportedHandler<Env>;
