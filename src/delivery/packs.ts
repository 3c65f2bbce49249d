/**
 * Packs in the consumer: a {@link PackMessage} (one browser request's events in one queue message)
 * is opened into one stand-in message per event, so everything downstream (grouping per pixel,
 * splitting, holds, dead letters) works on single events as it does for webhooks; once the batch
 * is done, each pack is settled as a whole from what its events asked for:
 *
 * - every event finished (sent, dead-lettered or held): the message is acked;
 * - none finished, every one waiting for a retry: the message is retried, after the longest of
 *   their delays (one queue operation, and the events keep their shared delivery count);
 * - some finished, some not: the message is acked and the unfinished events are sent again as
 *   one new pack, delayed as the longest of their delays, carrying the deliveries so far. If that
 *   send fails, the whole message is retried instead: the finished events go to Meta a second
 *   time, with the same `event_id`, and Meta keeps one copy.
 *
 * {@link planPackSettlement} decides (pure); {@link settlePacks} acts.
 *
 * @example
 * ```ts
 * const opened = openPacks(batch.messages);  // stand-ins for packs, the rest as they came
 * for (const message of opened.messages) deliver(message);  // ack() / retry() as for any message
 * await settlePacks(opened.packs, env.CAPI_QUEUE);
 * ```
 */
import { MAX_DELAY_SECONDS } from "./policy";
import { type PackMessage, packEvents, type Queues, type QueuedEvent, readPack, readQueuedEvent } from "./messages";

/** Wait of a stand-in retried without a delay: the consumer's `retry_delay` in wrangler.jsonc. */
export const DEFAULT_RETRY_DELAY_SECONDS = 30;

/** What one event of a pack asked for. */
export type ItemState = { kind: "pending" } | { kind: "done" } | { kind: "retry"; delaySeconds: number };

/** What becomes of a pack's message. */
export type PackSettlement =
  | { kind: "ack" }
  | { kind: "retry"; delaySeconds: number }
  /** Ack, and send the unfinished events (by index) as one new pack after `delaySeconds`. */
  | { kind: "resend"; indexes: number[]; delaySeconds: number };

/**
 * How a pack's message is settled, from what each of its events asked for. An event that asked
 * for nothing (it should not happen) counts as waiting for a retry with the default delay: nothing
 * is acked that is not finished.
 *
 * @example
 * ```ts
 * planPackSettlement([{ kind: "done" }, { kind: "done" }]);                       // { kind: "ack" }
 * planPackSettlement([{ kind: "retry", delaySeconds: 30 }, { kind: "retry", delaySeconds: 60 }]); // { kind: "retry", delaySeconds: 60 }
 * planPackSettlement([{ kind: "done" }, { kind: "retry", delaySeconds: 30 }]);    // { kind: "resend", indexes: [1], delaySeconds: 30 }
 * ```
 */
export function planPackSettlement(states: readonly ItemState[]): PackSettlement {
  const waiting: number[] = [];
  let delaySeconds = 0;
  states.forEach((state, i) => {
    if (state.kind === "done") return;
    waiting.push(i);
    delaySeconds = Math.max(delaySeconds, state.kind === "retry" ? state.delaySeconds : DEFAULT_RETRY_DELAY_SECONDS);
  });
  delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
  if (waiting.length === 0) return { kind: "ack" };
  if (waiting.length === states.length) return { kind: "retry", delaySeconds };
  return { kind: "resend", indexes: waiting, delaySeconds };
}

/** A pack being delivered: its queue message, its events, and what each asked for so far. */
export interface OpenPack {
  message: Message<unknown>;
  /** Deliveries before this message's own (carried by a re-sent pack). */
  carried: number;
  events: unknown[];
  states: ItemState[];
}

/** A batch's messages with packs opened: stand-ins in place of each pack, and the packs to settle. */
export interface OpenedBatch {
  messages: Message<unknown>[];
  packs: OpenPack[];
}

/**
 * Opens the packs of a batch: each {@link PackMessage} becomes one stand-in message per event
 * (its `attempts` the pack's carried count plus the message's own, its `ack` and `retry` noted
 * for {@link settlePacks}); every other message is passed on as it came.
 *
 * @example
 * ```ts
 * const { messages, packs } = openPacks(batch.messages);
 * messages.map((m) => m.id); // ["msg-1#0", "msg-1#1", "msg-2"]
 * ```
 */
export function openPacks(messages: readonly Message<unknown>[]): OpenedBatch {
  const opened: OpenedBatch = { messages: [], packs: [] };
  for (const message of messages) {
    const read = readPack(message.body);
    if (!read) {
      opened.messages.push(message);
      continue;
    }
    const pack: OpenPack = {
      message,
      carried: read.attempts,
      events: read.events,
      states: read.events.map(() => ({ kind: "pending" })),
    };
    opened.packs.push(pack);
    read.events.forEach((body, i) => opened.messages.push(standIn(pack, body, i)));
  }
  return opened;
}

/** One event of a pack, as a message: acking or retrying it notes what it asked for. */
function standIn(pack: OpenPack, body: unknown, index: number): Message<unknown> {
  const { message } = pack;
  return {
    id: `${message.id}#${index}`,
    timestamp: message.timestamp,
    body,
    attempts: pack.carried + message.attempts,
    ack: () => {
      pack.states[index] = { kind: "done" };
    },
    retry: (options?: QueueRetryOptions) => {
      // A later ack of the same event (it cannot happen today) wins: it is finished.
      if (pack.states[index]?.kind === "done") return;
      pack.states[index] = { kind: "retry", delaySeconds: options?.delaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS };
    },
  };
}

/**
 * Settles each pack's message (see the module comment): ack, retry, or ack and one `sendBatch` of
 * the unfinished parts of every pack that needs it (per delay). A send that fails retries those
 * packs' whole messages instead.
 *
 * @example
 * ```ts
 * await settlePacks(opened.packs, env.CAPI_QUEUE);
 * ```
 */
export async function settlePacks(packs: readonly OpenPack[], queue: Queues["CAPI_QUEUE"]): Promise<void> {
  const resends: { pack: OpenPack; body: PackMessage; delaySeconds: number }[] = [];
  for (const pack of packs) {
    const plan = planPackSettlement(pack.states);
    if (plan.kind === "ack") pack.message.ack();
    else if (plan.kind === "retry" || !queue) pack.message.retry({ delaySeconds: plan.delaySeconds });
    else {
      const unfinished = plan.indexes.map((i) => readQueuedEvent(pack.events[i])).filter(isQueuedEvent);
      const carried = pack.carried + pack.message.attempts;
      // The unfinished part of one pack is smaller than the pack: one message.
      for (const body of packEvents(unfinished, carried)) resends.push({ pack, body, delaySeconds: plan.delaySeconds });
    }
  }
  if (resends.length === 0 || !queue) return;
  try {
    await queue.sendBatch(
      resends.map(({ body, delaySeconds }) => ({ body, contentType: "json" as const, delaySeconds })),
    );
  } catch {
    for (const pack of new Set(resends.map((r) => r.pack))) {
      pack.message.retry({ delaySeconds: planPackSettlementDelay(resends, pack) });
    }
    return;
  }
  for (const pack of new Set(resends.map((r) => r.pack))) pack.message.ack();
}

function planPackSettlementDelay(resends: readonly { pack: OpenPack; delaySeconds: number }[], pack: OpenPack): number {
  return Math.max(...resends.filter((r) => r.pack === pack).map((r) => r.delaySeconds));
}

function isQueuedEvent(body: QueuedEvent | undefined): body is QueuedEvent {
  return body !== undefined;
}
