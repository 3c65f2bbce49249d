/**
 * A simulated Cloudflare Queue with the documented semantics the consumer relies on:
 *
 * - at-least-once: a message is redelivered until acked; optionally an ack is "lost" at random
 *   and the message delivered again (Cloudflare: "messages may be delivered more than once");
 * - batches of up to `maxBatchSize`, a partial batch waits up to `maxBatchTimeout` seconds;
 * - `attempts` starts at 1 and grows with each delivery;
 * - `message.retry({ delaySeconds })` redelivers after the delay (default `retryDelay`);
 * - when the handler returns, messages neither acked nor retried are acked (implicit ack);
 *   when it throws, every message not explicitly acked is retried;
 * - a message to be retried after `maxRetries` retries goes, body unchanged, to the dead-letter
 *   queue if there is one (else it is deleted);
 * - at most `maxConcurrency` handler invocations at once;
 * - bodies are JSON round-tripped, as with `contentType: "json"`;
 * - a new deployment may end the invocations in flight ({@link SimQueue.abandonInFlight}): their
 *   acks never land, so every message of theirs is delivered again (the worst case: the isolate
 *   died before anything was acknowledged).
 *
 * Time is scaled: one simulated second lasts `msPerSecond` real milliseconds.
 */
export interface SimQueueOptions {
  name: string;
  maxBatchSize: number;
  maxBatchTimeout: number;
  maxRetries: number;
  retryDelay: number;
  maxConcurrency: number;
  deadLetterQueue?: SimQueue;
  msPerSecond: number;
  lostAckRate?: number;
  random?: () => number;
}

/** One handler invocation; `abandoned` turns true when a deployment ends it. */
export interface Invocation {
  readonly id: number;
  abandoned: boolean;
}

type Handler = (batch: MessageBatch<unknown>, invocation: Invocation) => Promise<void>;

interface Pending {
  id: string;
  body: unknown;
  attempts: number;
  visibleAt: number;
}

export class SimQueue {
  readonly stats = {
    sent: 0,
    deliveries: 0,
    invocations: 0,
    retries: 0,
    lostAcks: 0,
    movedToDeadLetter: 0,
    handlerErrors: 0,
    abandonedInvocations: 0,
  };
  /** Bodies of messages redelivered after an ack was lost, for the duplicate accounting. */
  readonly redeliveredAfterAck: unknown[] = [];
  /** Bodies of messages redelivered because a deployment abandoned their invocation. */
  readonly redeliveredAfterAbandon: unknown[] = [];
  /** Ids of the invocations a deployment abandoned. */
  readonly abandoned: number[] = [];
  private readonly pending: Pending[] = [];
  private readonly running = new Map<Invocation, Pending[]>();
  private inFlight = 0;
  private nextId = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private paused = false;
  private waiters: (() => void)[] = [];

  constructor(readonly options: SimQueueOptions) {}

  /** The producer binding (`env.X.send` / `sendBatch`). */
  get binding(): Queue<unknown> {
    return {
      send: async (body: unknown, options?: QueueSendOptions) => {
        this.enqueue(body, 1, options?.delaySeconds ?? 0);
        return { metadata: { metrics: { backlogCount: this.pending.length, backlogBytes: 0 } } };
      },
      sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>, options?: QueueSendBatchOptions) => {
        for (const m of messages) this.enqueue(m.body, 1, m.delaySeconds ?? options?.delaySeconds ?? 0);
        return { metadata: { metrics: { backlogCount: this.pending.length, backlogBytes: 0 } } };
      },
      metrics: async () => ({ backlogCount: this.pending.length, backlogBytes: 0 }),
    } as unknown as Queue<unknown>;
  }

  /** Starts delivering batches to `handler`. */
  consume(handler: Handler): void {
    this.timer = setInterval(() => this.pump(handler), 2);
  }

  /** Holds back deliveries until `resume()` (messages still arrive), e.g. to fill one batch. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * A new deployment: the invocations in flight are abandoned (their handlers may run on, but
   * nothing they ack or retry counts) and each of their messages is delivered again after
   * `retryDelay`, its attempts counted. Returns how many messages that was.
   */
  abandonInFlight(): number {
    let messages = 0;
    for (const [invocation, taken] of this.running) {
      invocation.abandoned = true;
      this.abandoned.push(invocation.id);
      this.running.delete(invocation);
      this.inFlight--;
      this.stats.abandonedInvocations++;
      for (const m of taken) {
        messages++;
        this.redeliveredAfterAbandon.push(m.body);
        void this.settleUnacked(m, undefined);
      }
    }
    return messages;
  }

  /** Resolves once nothing is pending or in flight. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      if (this.isIdle()) resolve();
      else this.waiters.push(resolve);
    });
  }

  isIdle(): boolean {
    return this.pending.length === 0 && this.inFlight === 0;
  }

  private enqueue(body: unknown, attempts: number, delaySeconds: number, id = `msg-${this.nextId++}`): void {
    if (attempts === 1) this.stats.sent++;
    const copy = JSON.parse(JSON.stringify(body)) as unknown;
    this.pending.push({
      id,
      body: copy,
      attempts,
      visibleAt: performance.now() + delaySeconds * this.options.msPerSecond,
    });
  }

  private pump(handler: Handler): void {
    const now = performance.now();
    while (!this.paused && this.inFlight < this.options.maxConcurrency) {
      const visible = this.pending.filter((m) => m.visibleAt <= now).sort((a, b) => a.visibleAt - b.visibleAt);
      if (visible.length === 0) break;
      const waitedEnough = now - visible[0]!.visibleAt >= this.options.maxBatchTimeout * this.options.msPerSecond;
      if (visible.length < this.options.maxBatchSize && !waitedEnough) break;
      const taken = visible.slice(0, this.options.maxBatchSize);
      for (const m of taken) this.pending.splice(this.pending.indexOf(m), 1);
      void this.invoke(taken, handler);
    }
    if (this.isIdle()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async invoke(taken: Pending[], handler: Handler): Promise<void> {
    const invocation: Invocation = { id: this.stats.invocations, abandoned: false };
    this.running.set(invocation, taken);
    this.inFlight++;
    this.stats.invocations++;
    this.stats.deliveries += taken.length;
    const decisions = new Map<string, { kind: "ack" } | { kind: "retry"; delaySeconds?: number }>();
    const messages = taken.map((m) => ({
      id: m.id,
      timestamp: new Date(),
      body: m.body,
      attempts: m.attempts,
      ack: () => void decisions.set(m.id, { kind: "ack" }),
      retry: (options?: QueueRetryOptions) =>
        void decisions.set(m.id, {
          kind: "retry",
          ...(options?.delaySeconds !== undefined ? { delaySeconds: options.delaySeconds } : {}),
        }),
    }));
    const batch = {
      queue: this.options.name,
      messages,
      metadata: { metrics: { backlogCount: this.pending.length, backlogBytes: 0 } },
      ackAll: () => messages.forEach((m) => m.ack()),
      retryAll: (options?: QueueRetryOptions) => messages.forEach((m) => m.retry(options)),
    } as unknown as MessageBatch<unknown>;
    let threw = false;
    try {
      await handler(batch, invocation);
    } catch {
      threw = true;
      if (!invocation.abandoned) this.stats.handlerErrors++;
    }
    if (invocation.abandoned) return; // already redelivered; what it decided never lands
    this.running.delete(invocation);
    const random = this.options.random ?? Math.random;
    for (const m of taken) {
      const decision = decisions.get(m.id) ?? (threw ? { kind: "retry" as const } : { kind: "ack" as const });
      if (decision.kind === "ack") {
        if (this.options.lostAckRate && random() < this.options.lostAckRate) {
          this.stats.lostAcks++;
          this.redeliveredAfterAck.push(m.body);
          this.enqueue(m.body, m.attempts + 1, 0, m.id);
        }
        continue;
      }
      await this.settleUnacked(m, decision.delaySeconds);
    }
    this.inFlight--;
  }

  /** A message not acked: delivered again after the delay, or moved to the dead-letter queue. */
  private async settleUnacked(m: Pending, delaySeconds: number | undefined): Promise<void> {
    if (m.attempts > this.options.maxRetries) {
      this.stats.movedToDeadLetter++;
      if (this.options.deadLetterQueue) await this.options.deadLetterQueue.binding.send(m.body);
      return;
    }
    this.stats.retries++;
    this.enqueue(m.body, m.attempts + 1, delaySeconds ?? this.options.retryDelay, m.id);
  }
}
