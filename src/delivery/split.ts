/**
 * Isolating the event Meta refuses, pure: one invalid event sinks the whole Conversions API
 * request it rides in, so a refused request of several is split in halves down to the bad event
 * ({@link settle}), and what an interrupted split learned is remembered for the next delivery
 * ({@link SplitMemory}). No I/O of its own: `settle` is handed the `post` to call and the `sleep`.
 *
 * @example
 * ```ts
 * const memory = new SplitMemory();
 * const fates = await settle(items, { post, policy: QUEUE_DELIVERY_POLICY, random: Math.random, sleep, memory, now: Date.now() });
 * ```
 */
import type { ServerEvent } from "../transform/capi";
import { failureScope, type GraphOutcome } from "./graph";
import { type DeliveryPolicy, type Fate, failureFate, isThrottle } from "./policy";

/** A message as the pure core sees it. */
export interface Deliverable {
  attempts: number;
  event: ServerEvent;
}

/** How long a remembered group is kept, ms: longer than a message's usual wait between deliveries. */
export const SPLIT_MEMORY_TTL_MS = 3_600_000;
/** How many groups are remembered at most (the oldest go first). */
export const SPLIT_MEMORY_LIMIT = 1_000;

/**
 * Groups of events (by `event_id`) that Meta refused together for an event-level reason and
 * whose split was cut short (a throttle, an outage), so one of them is bad and none of them has
 * been accepted. On the next delivery of the whole group, {@link settle} sends it as a request of
 * its own and splits it without sending it whole again: the split goes on where it stopped instead
 * of starting over from a new batch of up to 100. A hint only, kept per Worker isolate: lost, the
 * split starts over; wrong, it costs a request, never a dead letter (only Meta's own refusal of a
 * single event dead-letters it).
 *
 * @example
 * ```ts
 * memory.remember(["a", "b", "c"], now);
 * memory.take(["x", "a", "c", "b"], now); // [["a", "b", "c"]]
 * ```
 */
export class SplitMemory {
  /** Group key (sorted ids) → the group and when it was remembered. */
  readonly #groups = new Map<string, { ids: string[]; at: number }>();
  /** event_id → the key of its group. */
  readonly #groupOf = new Map<string, string>();

  constructor(
    private readonly ttlMs = SPLIT_MEMORY_TTL_MS,
    private readonly limit = SPLIT_MEMORY_LIMIT,
  ) {}

  get size(): number {
    return this.#groups.size;
  }

  /** Remembers that one of `ids` is refused; an event's older group is forgotten. */
  remember(ids: readonly string[], now: number): void {
    const unique = [...new Set(ids)];
    if (unique.length < 2) return;
    for (const id of unique) this.#forget(this.#groupOf.get(id));
    const key = [...unique].sort().join("\n");
    this.#groups.set(key, { ids: unique, at: now });
    for (const id of unique) this.#groupOf.set(id, key);
    for (const [oldest] of this.#groups) {
      if (this.#groups.size <= this.limit) break;
      this.#forget(oldest);
    }
  }

  /**
   * The remembered groups whose every event is among `ids`, each once; every group that any of
   * `ids` belongs to is forgotten (used or broken up by the batching), and so are expired ones.
   */
  take(ids: readonly string[], now: number): string[][] {
    for (const [key, group] of this.#groups) if (now - group.at > this.ttlMs) this.#forget(key);
    const present = new Set(ids);
    const whole: string[][] = [];
    for (const id of ids) {
      const key = this.#groupOf.get(id);
      if (key === undefined) continue;
      const group = this.#groups.get(key)!;
      if (group.ids.every((member) => present.has(member))) whole.push(group.ids);
      this.#forget(key);
    }
    return whole;
  }

  #forget(key: string | undefined): void {
    const group = key === undefined ? undefined : this.#groups.get(key);
    if (!group) return;
    this.#groups.delete(key!);
    for (const id of group.ids) this.#groupOf.delete(id);
  }
}

/**
 * Sends `items` in one request through `post` and settles each one's fate. When Meta rejects a
 * request of several events for an event-level reason, the request is split in halves and each
 * half sent again, down to the single bad event: good batchmates are delivered, only the bad one
 * is dead-lettered (about 2·log2(n) extra requests per bad event). A half that fails transiently
 * is sent again in place (`policy.splitRetries`, waiting through `sleep`), so one passing fault
 * does not throw the split's progress away; a split cut short all the same (a throttle) is
 * remembered in `memory` (its events all told to wait as long as the longest of them, so they come
 * back together), and a remembered group met again is split at once. A refusal of the
 * configuration is never split: every event would be refused alike.
 *
 * @example
 * ```ts
 * const fates = await settle(items, {
 *   post: (events) => postEvents(target, events, deps), policy: QUEUE_DELIVERY_POLICY, random: Math.random,
 *   sleep: (ms) => scheduler.wait(ms), memory, now: Date.now(),
 * });
 * fates[i]; // fate of items[i]
 * ```
 */
export async function settle<M extends Deliverable>(items: readonly M[], settling: Settling): Promise<Fate[]> {
  const context: Required<Settling> = { memory: new SplitMemory(), now: 0, ...settling };
  const { memory, now } = context;
  const fates: Fate[] = [];
  const indexOf = new Map(items.map((item, i) => [item.event.event_id, i]));
  const grouped = new Set<number>();
  // Remembered groups first, each a request of its own that is known to be refused.
  for (const ids of memory.take([...indexOf.keys()], now)) {
    const indexes = ids.map((id) => indexOf.get(id)!);
    indexes.forEach((i) => grouped.add(i));
    const group = indexes.map((i) => items[i]!);
    const groupFates = (group.length > 1 ? await splitRequest(group, context) : await settleRequest(group, context))
      .fates;
    indexes.forEach((i, k) => (fates[i] = groupFates[k]!));
  }
  const rest = items.flatMap((item, i) => (grouped.has(i) ? [] : [{ item, i }]));
  const restFates = (
    await settleRequest(
      rest.map((r) => r.item),
      context,
    )
  ).fates;
  rest.forEach((r, k) => (fates[r.i] = restFates[k]!));
  return fates;
}

/** What {@link settle} works with, besides the items. */
export interface Settling {
  /** Sends one request (the consumer's, behind its throttle guard). */
  post: (events: ServerEvent[]) => Promise<GraphOutcome>;
  policy: DeliveryPolicy;
  random: () => number;
  /** Resolves after the given ms (the consumer's timer; tests pass their own clock). */
  sleep: (ms: number) => Promise<void>;
  /** What cut-short splits learned; a fresh one (nothing remembered) by default. */
  memory?: SplitMemory;
  /** ms, for `memory`. */
  now?: number;
}

/** The fates of a request, and whether a group was remembered inside it (then the callers up the split have nothing smaller to add). */
interface Settled {
  fates: Fate[];
  remembered: boolean;
}

/**
 * One request's fates: `items` sent together through `send` (the consumer's post, or a half's
 * {@link postHalf}), then split when Meta refused an event among several.
 */
async function settleRequest<M extends Deliverable>(
  items: readonly M[],
  context: Required<Settling>,
  send: (events: ServerEvent[]) => Promise<GraphOutcome> = context.post,
): Promise<Settled> {
  if (items.length === 0) return { fates: [], remembered: false };
  const outcome = await send(items.map((item) => item.event));
  if (outcome.ok) {
    const sent: Fate = {
      kind: "sent",
      batchSize: items.length,
      ...(outcome.fbtraceId ? { fbtraceId: outcome.fbtraceId } : {}),
      ...(outcome.versionWarning ? { versionWarning: outcome.versionWarning } : {}),
    };
    return { fates: items.map(() => sent), remembered: false };
  }
  if (failureScope(outcome) !== "event" || items.length === 1) {
    return {
      fates: items.map((item) => failureFate(outcome, item.attempts, context.policy, context.random)),
      remembered: false,
    };
  }
  return splitRequest(items, context);
}

/**
 * The fates of a request of several that Meta refused for an event in it: each half settled in
 * turn; when the split is cut short with every event either accepted or waiting, the waiting ones
 * (the bad event among them) are remembered as a group and told to wait alike.
 */
async function splitRequest<M extends Deliverable>(items: readonly M[], context: Required<Settling>): Promise<Settled> {
  const events = items.map((item) => item.event);
  const half = (part: ServerEvent[]) => postHalf(part, context);
  const middle = Math.ceil(items.length / 2);
  const first = await settleRequest(items.slice(0, middle), context, half);
  const second = await settleRequest(items.slice(middle), context, half);
  const fates = [...first.fates, ...second.fates];
  if (first.remembered || second.remembered) return { fates, remembered: true };
  // The bad event is among those left to retry when every other was accepted: remember them.
  const left = fates.flatMap((fate, i) => (fate.kind === "retry" ? [events[i]!.event_id] : []));
  const cleanCut = left.length > 1 && fates.every((fate) => fate.kind === "retry" || fate.kind === "sent");
  if (!cleanCut) return { fates, remembered: false };
  context.memory.remember(left, context.now);
  // One wait for the whole group (the longest of theirs), so that it comes back in one batch.
  const delaySeconds = Math.max(...fates.map((fate) => (fate.kind === "retry" ? fate.delaySeconds : 0)));
  return { fates: fates.map((fate) => (fate.kind === "retry" ? { ...fate, delaySeconds } : fate)), remembered: true };
}

/**
 * Sends a half of a split; one that fails transiently (not a throttle) is sent again in place,
 * `policy.splitRetries` times at doubling waits: Meta has just answered, and waiting for the next
 * delivery would start the split over.
 */
async function postHalf(events: ServerEvent[], context: Required<Settling>): Promise<GraphOutcome> {
  const { attempts, delayMs } = context.policy.splitRetries;
  let outcome = await context.post(events);
  for (
    let retry = 0;
    retry < attempts && !outcome.ok && failureScope(outcome) === "transient" && !isThrottle(outcome);
    retry++
  ) {
    await context.sleep(delayMs * 2 ** retry);
    outcome = await context.post(events);
  }
  return outcome;
}
