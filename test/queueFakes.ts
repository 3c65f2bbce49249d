/**
 * Fakes of Cloudflare's queue objects for the Node unit tests of src/delivery: a message batch
 * whose acks and retries can be read back, a queue that records what was sent, and delivery
 * circuits that remember what they hold. The fake Graph is ./helpers `fakeGraph`.
 */
import { vi } from "vitest";
import type { CircuitStatus, HoldCause } from "../src/delivery/holds";
import type { QueuedEvent } from "../src/delivery/messages";

export interface Settled {
  acked: boolean;
  retried?: { delaySeconds?: number };
}

export function fakeBatch(queue: string, bodies: unknown[], attempts = 1) {
  const state = new Map<string, Settled>();
  const messages = bodies.map((body, i) => {
    const id = `m${i}`;
    state.set(id, { acked: false });
    return {
      id,
      timestamp: new Date(),
      body,
      attempts,
      ack: () => state.set(id, { acked: true }),
      retry: (options?: { delaySeconds?: number }) => state.set(id, { acked: false, retried: options ?? {} }),
    };
  });
  const batch = {
    queue,
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: () => messages.forEach((m) => m.ack()),
    retryAll: (options?: { delaySeconds?: number }) => messages.forEach((m) => m.retry(options)),
  } as unknown as MessageBatch<unknown>;
  return { batch, state: (i: number) => state.get(`m${i}`)! };
}

export function fakeQueue<T>(fails = false) {
  const sent: T[] = [];
  return {
    sent,
    queue: {
      send: vi.fn(async (body: T) => {
        if (fails) throw new Error("queue unavailable");
        sent.push(structuredClone(body));
        return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
      }),
      sendBatch: vi.fn(async (messages: { body: T }[]) => {
        if (fails) throw new Error("queue unavailable");
        for (const message of messages) sent.push(structuredClone(message.body));
        return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
      }),
      metrics: vi.fn(),
    } as unknown as Queue<T>,
  };
}

/**
 * A `DELIVERY_CIRCUIT` namespace whose circuits remember what they hold and how they were opened
 * (by circuit name); `open(name)` opens one as a refusal elsewhere would have.
 */
export function fakeCircuits(fails = false) {
  const circuits = new Map<
    string,
    {
      open: boolean;
      held: QueuedEvent[];
      causes: (HoldCause["kind"] | undefined)[];
      cause?: HoldCause["kind"];
      settingsUsable: number[];
      transientReports?: number;
      /** Set by a test: the next transient report finds the outage sustained. */
      opensOnReport?: boolean;
    }
  >();
  const of = (name: string) => {
    let circuit = circuits.get(name);
    if (!circuit) circuits.set(name, (circuit = { open: false, held: [], causes: [], settingsUsable: [] }));
    return circuit;
  };
  const namespace = {
    idFromName: (name: string) => name,
    get: (name: string) => ({
      status: vi.fn(async (): Promise<CircuitStatus> => {
        const circuit = of(name);
        return {
          open: circuit.open,
          held: circuit.held.length,
          probes: 0,
          ...(circuit.cause ? { cause: circuit.cause } : {}),
        };
      }),
      hold: vi.fn(async (_destination: string, messages: QueuedEvent[], cause: HoldCause | undefined) => {
        if (fails) throw new Error("circuit unreachable");
        const circuit = of(name);
        circuit.open = true;
        circuit.held.push(...structuredClone(messages));
        circuit.causes.push(cause?.kind);
        circuit.cause = cause?.kind ?? circuit.cause;
        return { open: true, held: circuit.held.length, probes: 0 };
      }),
      settingsUsable: vi.fn(async (now: number) => void of(name).settingsUsable.push(now)),
      offer: vi.fn(async (_destination: string, messages: QueuedEvent[], now: number) => {
        if (fails) throw new Error("circuit unreachable");
        const circuit = of(name);
        if (circuit.open) {
          circuit.held.push(...structuredClone(messages));
          circuit.causes.push(undefined);
          // As the real one: only a cause the consumer can see is gone has it probe now.
          if (circuit.cause !== "meta_refused" && circuit.cause !== "meta_unavailable")
            circuit.settingsUsable.push(now);
        }
        return {
          open: circuit.open,
          held: circuit.held.length,
          probes: 0,
          ...(circuit.cause ? { cause: circuit.cause } : {}),
        };
      }),
      // The sustained-outage rule itself is the real circuit's (test/circuit.test.ts): this one
      // opens when told to (`open`), and keeps what it is told while open.
      transientFailed: vi.fn(async (_destination: string, messages: QueuedEvent[]) => {
        if (fails) throw new Error("circuit unreachable");
        const circuit = of(name);
        circuit.transientReports = (circuit.transientReports ?? 0) + 1;
        if (circuit.opensOnReport) Object.assign(circuit, { open: true, cause: "meta_unavailable" });
        if (circuit.open) circuit.held.push(...structuredClone(messages));
        return { open: circuit.open, held: circuit.held.length, probes: 0 };
      }),
      delivered: vi.fn(async () => undefined),
    }),
  } as unknown as DurableObjectNamespace<never>;
  return {
    namespace,
    circuit: of,
    open: (name: string, cause: HoldCause["kind"] = "meta_refused") => {
      of(name).open = true;
      of(name).cause = cause;
    },
  };
}
