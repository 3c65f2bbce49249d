/**
 * The relay as deployed, simulated around the production code: the real webhook and browser routes
 * (`createApp`), the real consumer (`handleQueueBatch`) on a simulated queue and its dead-letter
 * queue, and the real Durable Object classes (intake ledger, dead-letter store, delivery circuit,
 * its alarms on the simulated clock), all seeing the same settings (vars and secrets).
 *
 * A deployment (`deploy`) is what `wrangler deploy` or `wrangler secret put/delete` does: a new
 * version with its own `env` object (so the settings are read again), Durable Objects built
 * again from their storage, and the consumer invocations in flight ended without their acks
 * (their messages come back; whatever they would still do — a request, a hold, a log line — never
 * happens). Requests to the webhook route finish on the version they started on.
 */
import { createApp } from "../../src/http/app";
import { DeliveryCircuit } from "../../src/delivery/circuit";
import { handleQueueBatch } from "../../src/delivery/consumer";
import { DeadLetterStore } from "../../src/delivery/deadLetterStore";
import { circuitName } from "../../src/delivery/holds";
import { IntakeLedger } from "../../src/delivery/intakeLedger";
import type { QueueBindings } from "../../src/delivery/bindings";
import {
  DEAD_LETTER_QUEUE_NAME,
  type DeliveryMessage,
  isQueuedEvent,
  type PackMessage,
  QUEUE_NAME,
  type QueuedEvent,
  readPack,
} from "../../src/delivery/messages";
import type { DeliveryPolicy } from "../../src/delivery/policy";
import type { CircuitStatus } from "../../src/delivery/holds";
import { type AlarmClock, simNamespace, type SimNamespace } from "./durableObjects";
import { INVOCATION_HEADER, ORIGIN_HEADER } from "./fakeGraph";
import { SimQueue, type SimQueueOptions } from "./simQueue";

/** The simulated clock: one simulated second lasts `msPerSecond` real ms. */
export interface SimClock extends AlarmClock {
  sleepSeconds(seconds: number): Promise<void>;
  /** Simulated seconds since the clock started. */
  elapsedSeconds(): number;
  /** Real seconds since the clock started. */
  realSeconds(): number;
}

/** The simulated run starts at this instant. */
export const BASE = Date.parse("2026-11-25T19:00:00Z");

export function simClock(msPerSecond: number, base = BASE): SimClock {
  const t0 = performance.now();
  const now = () => base + Math.round(((performance.now() - t0) * 1000) / msPerSecond);
  return {
    now,
    msPerSecond,
    sleepSeconds: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * msPerSecond)),
    elapsedSeconds: () => (now() - base) / 1000,
    realSeconds: () => (performance.now() - t0) / 1000,
  };
}

/** Vars and secrets, as `env` carries them. */
export type Settings = Record<string, unknown>;

/** A log line with the simulated time it was written. */
export interface Logged {
  at: number;
  line: string;
  fields: Record<string, unknown>;
}

export interface RelayOptions {
  clock: SimClock;
  settings: Settings;
  /** The delivery queue's consumer settings (wrangler.jsonc's, scaled down). */
  queue: Pick<
    SimQueueOptions,
    "maxBatchSize" | "maxBatchTimeout" | "maxRetries" | "retryDelay" | "maxConcurrency" | "lostAckRate"
  >;
  policy: DeliveryPolicy;
  /** The consumer's Graph timeout, real ms. */
  timeoutMs: number;
  random: () => number;
  queueRandom: () => number;
  /** The producer's own faults: the queue refuses this share of sends; this share of claim releases fail. */
  producerFaults?: { sendFailureRate: number; releaseFailureRate: number };
}

interface Generation {
  id: number;
  dead: boolean;
  env: QueueBindings & Settings;
}

export class SimRelay {
  readonly queue: SimQueue;
  readonly deadLetterQueue: SimQueue;
  readonly ledger: SimNamespace<IntakeLedger>;
  readonly deadLetters: SimNamespace<DeadLetterStore>;
  readonly circuits: SimNamespace<DeliveryCircuit>;
  readonly logged: Logged[] = [];
  /**
   * Every event the routes queued (a browser request's pack opened into its events), and how often
   * per Studio event and destination (webhooks only: browser events claim nothing at intake).
   */
  readonly enqueued: QueuedEvent[] = [];
  readonly queueSends = new Map<string, number>();
  /** Pack messages `/collect/cartful` queued (one per accepted browser request). */
  readonly packsSent: PackMessage[] = [];
  /** What the Worker's own side queued (the consumer's re-queued packs, a circuit's release, a replay). */
  readonly requeued: DeliveryMessage[] = [];
  readonly stats = { deploys: 0, abandonedMessages: 0 };
  readonly app: ReturnType<typeof createApp>;
  settings: Settings;
  private generation: Generation;
  private readonly clock: SimClock;

  constructor(private readonly options: RelayOptions) {
    const { clock } = options;
    this.clock = clock;
    this.settings = options.settings;
    this.deadLetterQueue = new SimQueue({
      name: DEAD_LETTER_QUEUE_NAME,
      maxBatchSize: 100,
      maxBatchTimeout: 1,
      maxRetries: 100,
      retryDelay: 1,
      maxConcurrency: 1,
      msPerSecond: clock.msPerSecond,
    });
    this.queue = new SimQueue({
      name: QUEUE_NAME,
      ...options.queue,
      deadLetterQueue: this.deadLetterQueue,
      msPerSecond: clock.msPerSecond,
      random: options.queueRandom,
    });
    this.ledger = simNamespace((ctx) => new IntakeLedger(ctx, {}), clock);
    this.deadLetters = simNamespace((ctx) => new DeadLetterStore(ctx, {}), clock);
    this.circuits = simNamespace((ctx) => {
      const circuit = new DeliveryCircuit(ctx, {});
      const currentEnv = () => this.generation.env;
      circuit.deps = {
        fetch: taggedFetch("probe"),
        now: clock.now,
        log: this.sink,
        record: () => undefined,
        // The Worker's env as the current version has it (settings, secrets, queues).
        get env() {
          return currentEnv();
        },
      };
      return circuit;
    }, clock);
    this.generation = this.newGeneration(0);

    const ctx = {} as ExecutionContext;
    for (const queue of [this.queue, this.deadLetterQueue]) {
      queue.consume((batch, invocation) => {
        const generation = this.generation;
        const alive = () => !invocation.abandoned && !generation.dead;
        return handleQueueBatch(batch, generation.env, ctx, {
          fetch: taggedFetch("consumer", invocationName(queue, invocation.id), alive),
          now: clock.now,
          random: options.random,
          sleep: (ms) => clock.sleepSeconds(ms / 1000),
          log: (line) => alive() && this.sink(line),
          timeoutMs: options.timeoutMs,
          policy: options.policy,
        });
      });
    }
    this.app = createApp({
      now: clock.now,
      log: this.sink,
      fetch: () => Promise.reject(new Error("the queue path never calls Meta from the route")),
    });
  }

  /** The log sink every part writes to (route, consumer, circuit). */
  readonly sink = (line: string): void => {
    this.logged.push({ at: this.clock.now(), line, fields: JSON.parse(line) as Record<string, unknown> });
  };

  /** The invocations a deployment abandoned, as the fake Graph's log names them. */
  get deadInvocations(): Set<string> {
    return new Set([this.queue, this.deadLetterQueue].flatMap((q) => q.abandoned.map((id) => invocationName(q, id))));
  }

  /** The current version's env, as the consumer and the circuit see it. */
  get env(): QueueBindings & Settings {
    return this.generation.env;
  }

  /** A webhook through the real route, on the current settings (`overrides` for this request only). */
  request(path: string, init: RequestInit, overrides: Settings = {}): Promise<Response> {
    return Promise.resolve(
      this.app.request(path, init, { ...this.settings, ...overrides, ...this.producerBindings() }),
    );
  }

  /** `GET /healthz` on the current settings. */
  async healthz(): Promise<{
    mode: string;
    destinations: { name: string; mode: string; held?: number; reason?: string }[];
  }> {
    const res = await this.app.request("/healthz", {}, { ...this.settings, ...this.producerBindings() });
    return (await res.json()) as {
      mode: string;
      destinations: { name: string; mode: string; held?: number; reason?: string }[];
    };
  }

  /**
   * A new deployment, with new settings or the same ones: consumer invocations in flight are
   * abandoned (their messages delivered again), the env object is new, Durable Objects restart.
   */
  deploy(settings: Settings = this.settings): void {
    this.stats.deploys++;
    this.stats.abandonedMessages += this.queue.abandonInFlight() + this.deadLetterQueue.abandonInFlight();
    this.generation.dead = true;
    this.settings = settings;
    this.generation = this.newGeneration(this.generation.id + 1);
    for (const namespace of [this.ledger, this.deadLetters, this.circuits]) namespace.restart();
  }

  /** A destination's circuit, as the consumer and `/healthz` ask it. */
  circuitStatus(destination: string): Promise<CircuitStatus> {
    return this.circuits.binding
      .get(this.circuits.binding.idFromName(circuitName(destination)))
      .status(this.clock.now());
  }

  /**
   * Resolves once both queues are idle together and no circuit of `destinations` holds or is
   * open, the queues read again after the circuits: a circuit that closes releases what it held
   * into the queue, so a closed circuit read after an idle queue does not mean an idle queue
   * (seen once in a full run: skin's released events still queued, stopped by `close`, "lost").
   */
  async settled(destinations: readonly string[] = []): Promise<void> {
    const queuesIdle = () => [this.queue, this.deadLetterQueue].every((queue) => queue.isIdle());
    for (;;) {
      for (const queue of [this.queue, this.deadLetterQueue]) await queue.idle();
      await this.clock.sleepSeconds(2);
      if (!queuesIdle()) continue;
      const statuses = await Promise.all(destinations.map((name) => this.circuitStatus(name)));
      if (statuses.every((status) => !status.open && status.held === 0) && queuesIdle()) return;
      await this.clock.sleepSeconds(5);
    }
  }

  close(): void {
    this.queue.stop();
    this.deadLetterQueue.stop();
    for (const namespace of [this.ledger, this.deadLetters, this.circuits]) namespace.close();
  }

  private newGeneration(id: number): Generation {
    const generation: Generation = { id, dead: false, env: {} as QueueBindings & Settings };
    const guard = guardFor(generation);
    generation.env = {
      ...this.settings,
      CAPI_QUEUE: guard.queue(recording(this.queue.binding as Queue<DeliveryMessage>, this.requeued)),
      CAPI_DLQ: guard.queue(this.deadLetterQueue.binding),
      INTAKE_LEDGER: guard.namespace(this.ledger.binding),
      DEAD_LETTERS: guard.namespace(this.deadLetters.binding),
      DELIVERY_CIRCUIT: guard.namespace(this.circuits.binding),
    };
    return generation;
  }

  /** What the route is bound to: the queue and Durable Objects, with the producer's own faults. */
  private producerBindings(): QueueBindings {
    const faults = this.options.producerFaults ?? { sendFailureRate: 0, releaseFailureRate: 0 };
    const random = this.options.random;
    const queue = this.queue;
    const ledger = this.ledger.binding;
    return {
      CAPI_QUEUE: {
        ...queue.binding,
        sendBatch: async (messages: MessageSendRequest<DeliveryMessage>[], options?: QueueSendBatchOptions) => {
          await this.clock.sleepSeconds(random()); // a send takes time: a concurrent redelivery may find the claim pending
          if (random() < faults.sendFailureRate) throw new Error("queue send failed (injected)");
          await queue.binding.sendBatch(messages, options);
          for (const { body } of messages) {
            if (readPack(body)) {
              this.packsSent.push(body as PackMessage);
              this.enqueued.push(...(body as PackMessage).events);
              continue;
            }
            if (!isQueuedEvent(body)) throw new Error("the route queued something that is neither an event nor a pack");
            this.enqueued.push(body);
            const key = `${body.studioEventId}@${body.destination}`;
            this.queueSends.set(key, (this.queueSends.get(key) ?? 0) + 1);
          }
          return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
        },
      } as Queue<DeliveryMessage>,
      CAPI_DLQ: this.deadLetterQueue.binding,
      INTAKE_LEDGER: {
        idFromName: (name: string) => ledger.idFromName(name),
        get: (id: DurableObjectId) => {
          const stub = ledger.get(id);
          return {
            claim: (...a: Parameters<IntakeLedger["claim"]>) => stub.claim(...a),
            confirm: (...a: Parameters<IntakeLedger["confirm"]>) => stub.confirm(...a),
            // A Worker dying between claim and send leaves the claim behind.
            release: (...a: Parameters<IntakeLedger["release"]>) =>
              random() < faults.releaseFailureRate
                ? Promise.reject(new Error("object unreachable (injected)"))
                : stub.release(...a),
          };
        },
      } as unknown as QueueBindings["INTAKE_LEDGER"],
      DEAD_LETTERS: this.deadLetters.binding,
      DELIVERY_CIRCUIT: this.circuits.binding,
    };
  }
}

/** A queue that also notes every body sent through it. */
function recording(queue: Queue<DeliveryMessage>, into: DeliveryMessage[]): Queue<DeliveryMessage> {
  return {
    ...queue,
    send: (body, options) => {
      into.push(body);
      return queue.send(body, options);
    },
    sendBatch: (messages, options) => {
      for (const m of messages) into.push(m.body);
      return queue.sendBatch(messages, options);
    },
  } as Queue<DeliveryMessage>;
}

function invocationName(queue: SimQueue, id: number): string {
  return `${queue.options.name}#${id}`;
}

/** Bindings that stop answering once their version is replaced (the isolate is gone). */
function guardFor(generation: Generation) {
  const gone = () => Promise.reject(new Error("the isolate was replaced by a new deployment"));
  return {
    queue: <T>(queue: Queue<T>): Queue<T> =>
      ({
        send: (...a: Parameters<Queue<T>["send"]>) => (generation.dead ? gone() : queue.send(...a)),
        sendBatch: (...a: Parameters<Queue<T>["sendBatch"]>) => (generation.dead ? gone() : queue.sendBatch(...a)),
        metrics: () => queue.metrics(),
      }) as Queue<T>,
    namespace: <T extends Rpc.DurableObjectBranded>(namespace: DurableObjectNamespace<T>): DurableObjectNamespace<T> =>
      ({
        idFromName: (name: string) => namespace.idFromName(name),
        get: (id: DurableObjectId) => {
          const stub = namespace.get(id) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
          return new Proxy(
            {},
            {
              get:
                (_, method: string) =>
                (...args: unknown[]) =>
                  generation.dead ? gone() : stub[method]!(...args),
            },
          );
        },
      }) as unknown as DurableObjectNamespace<T>,
  };
}

/**
 * `fetch` that says who sends (the consumer, a probe) and from which invocation, in a header the
 * fake Graph records; it fails once `alive()` turns false (the isolate is gone).
 */
function taggedFetch(origin: string, invocation?: string, alive: () => boolean = () => true): typeof fetch {
  return (input, init) => {
    if (!alive()) return Promise.reject(new TypeError("fetch failed: the isolate was replaced by a new deployment"));
    const headers = new Headers(init?.headers);
    headers.set(ORIGIN_HEADER, origin);
    if (invocation) headers.set(INVOCATION_HEADER, invocation);
    return globalThis.fetch(input, { ...init, headers });
  };
}
