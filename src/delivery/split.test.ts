import { describe, expect, it, vi } from "vitest";
import { serverEvent } from "../../test/queueFixtures";
import type { ServerEvent } from "../transform/capi";
import type { GraphFailure, GraphOutcome } from "./graph";
import { QUEUE_DELIVERY_POLICY } from "./policy";
import { settle, SPLIT_MEMORY_TTL_MS, SplitMemory } from "./split";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);
const fail = (overrides: Partial<GraphFailure> = {}): GraphFailure => ({
  ok: false,
  transient: true,
  status: 503,
  message: "Service unavailable",
  ...overrides,
});
const poisoned = (overrides: Partial<GraphFailure> = {}) =>
  fail({
    transient: false,
    status: 400,
    code: 100,
    subcode: 2804003,
    message: "Invalid parameter",
    fbtraceId: "TRACE-BAD",
    ...overrides,
  });
const accepted = (n: number): GraphOutcome => ({ ok: true, status: 200, eventsReceived: n, fbtraceId: "TRACE-OK" });
const noWait = async () => undefined;

describe("settle", () => {
  const items = (n: number, attempts = 1) =>
    Array.from({ length: n }, (_, i) => ({ attempts, event: serverEvent(`e${i}`, NOW_S - 60) }));
  const rejecting =
    (bad: Set<string>, posts: string[][] = []) =>
    async (events: ServerEvent[]) => {
      posts.push(events.map((e) => e.event_id));
      return events.some((e) => bad.has(e.event_id)) ? poisoned() : accepted(events.length);
    };

  it("sends all in one request when Meta accepts", async () => {
    const posts: string[][] = [];
    const fates = await settle(items(5), {
      post: rejecting(new Set(), posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
    });
    expect(posts).toHaveLength(1);
    expect(fates.every((f) => f.kind === "sent" && f.fbtraceId === "TRACE-OK" && f.batchSize === 5)).toBe(true);
  });

  it("isolates one rejected event: batchmates sent, only it dead-lettered, few requests", async () => {
    const posts: string[][] = [];
    const fates = await settle(items(100), {
      post: rejecting(new Set(["e37"]), posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
    });
    expect(fates.filter((f) => f.kind === "sent")).toHaveLength(99);
    expect(fates[37]).toMatchObject({
      kind: "dead_letter",
      reason: "rejected",
      failure: { code: 100, fbtraceId: "TRACE-BAD" },
    });
    expect(posts.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(100)));
    const sentIds = posts.filter((ids) => !ids.includes("e37")).flat();
    expect(new Set(sentIds).size).toBe(sentIds.length); // no good event sent twice
  });

  it("isolates two rejected events", async () => {
    const fates = await settle(items(16), {
      post: rejecting(new Set(["e0", "e15"])),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
    });
    expect(fates.map((f) => f.kind === "dead_letter")).toEqual(
      Array.from({ length: 16 }, (_, i) => i === 0 || i === 15),
    );
  });

  it.each([
    ["a token error (190)", { code: 190, message: "Invalid OAuth access token" }],
    ["a pixel that does not exist (100/33)", { code: 100, subcode: 33, message: "Object with ID '1' does not exist" }],
  ])("does not bisect %s: one request, every event held", async (_what, overrides) => {
    const post = vi.fn(async () => fail({ transient: false, status: 400, ...overrides }));
    const fates = await settle(items(100), { post, policy: QUEUE_DELIVERY_POLICY, random: () => 0, sleep: noWait });
    expect(post).toHaveBeenCalledTimes(1);
    expect(fates.every((f) => f.kind === "hold")).toBe(true);
  });

  it("retries a whole request on a transient failure", async () => {
    const post = vi.fn(async () => fail({ status: 429, code: 17, retryAfterMs: 60_000 }));
    const fates = await settle(items(3, 2), { post, policy: QUEUE_DELIVERY_POLICY, random: () => 0, sleep: noWait });
    expect(fates).toEqual(Array(3).fill(expect.objectContaining({ kind: "retry", delaySeconds: 60 })));
  });

  it("retries a whole request that fails transiently on the next delivery, not in place", async () => {
    const post = vi.fn(async () => fail({ status: 503 }));
    const waits: number[] = [];
    const fates = await settle(items(100), {
      post,
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(post).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
    expect(fates.every((f) => f.kind === "retry")).toBe(true);
  });

  /** Refuses requests with e3, and fails the `failing` calls (1-based) with `failure`. */
  const hiccuping =
    (failing: number[], failure: GraphOutcome, posts: string[][] = []) =>
    async (events: ServerEvent[]) => {
      posts.push(events.map((e) => e.event_id));
      if (failing.includes(posts.length)) return failure;
      return events.some((e) => e.event_id === "e3") ? poisoned() : accepted(events.length);
    };

  it("sends a half again in place when it meets a transient failure while isolating, after a wait", async () => {
    const posts: string[][] = [];
    const waits: number[] = [];
    const fates = await settle(items(4), {
      post: hiccuping([2], fail({ status: 500 }), posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(fates.map((f) => f.kind)).toEqual(["sent", "sent", "sent", "dead_letter"]);
    expect(posts).toEqual([["e0", "e1", "e2", "e3"], ["e0", "e1"], ["e0", "e1"], ["e2", "e3"], ["e2"], ["e3"]]);
    expect(waits).toEqual([QUEUE_DELIVERY_POLICY.splitRetries.delayMs]);
  });

  it("keeps the split going on the other half when one half fails past its retries in place", async () => {
    const posts: string[][] = [];
    const waits: number[] = [];
    const fates = await settle(items(4), {
      post: hiccuping([2, 3, 4], fail({ status: 500 }), posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(fates.map((f) => f.kind)).toEqual(["retry", "retry", "sent", "dead_letter"]);
    expect(posts.slice(1, 4)).toEqual([
      ["e0", "e1"],
      ["e0", "e1"],
      ["e0", "e1"],
    ]);
    expect(waits).toEqual([1_000, 2_000]);
  });

  it("does not send a throttled half again in place: it waits for Meta's Retry-After", async () => {
    const posts: string[][] = [];
    const waits: number[] = [];
    const throttle = fail({ status: 429, code: 17, retryAfterMs: 60_000 });
    const fates = await settle(items(4), {
      post: hiccuping([3], throttle, posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(fates.map((f) => f.kind)).toEqual(["sent", "sent", "retry", "retry"]);
    expect(fates[2]).toMatchObject({ delaySeconds: 60 });
    expect(waits).toEqual([]);
  });

  it("does nothing for no items", async () => {
    const post = vi.fn();
    expect(await settle([], { post, policy: QUEUE_DELIVERY_POLICY, random: () => 0, sleep: noWait })).toEqual([]);
    expect(post).not.toHaveBeenCalled();
  });
});

describe("settle with a memory of cut-short splits", () => {
  const item = (id: string, attempts = 1) => ({ attempts, event: serverEvent(id, NOW_S - 60) });
  const ids = (...names: string[]) => names.map((name) => item(name));
  /** Refuses requests carrying a bad id, throttles the `throttled` calls (1-based); records posts. */
  const meta =
    (bad: Set<string>, throttled: number[] = [], posts: string[][] = []) =>
    async (events: ServerEvent[]) => {
      posts.push(events.map((e) => e.event_id));
      if (throttled.includes(posts.length)) return fail({ status: 429, code: 17, retryAfterMs: 60_000 });
      return events.some((e) => bad.has(e.event_id)) ? poisoned() : accepted(events.length);
    };

  it("remembers the smallest refused group left when a throttle cuts the split short", async () => {
    const memory = new SplitMemory();
    // 8 events, e5 bad: [e0…e7] refused, [e0…e3] accepted, [e4…e7] refused, [e4 e5] throttled, [e6 e7] accepted.
    const fates = await settle(ids("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"), {
      post: meta(new Set(["e5"]), [4]),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory,
      now: NOW,
    });
    expect(fates.map((f) => f.kind)).toEqual(["sent", "sent", "sent", "sent", "retry", "retry", "sent", "sent"]);
    expect(memory.take(["e4", "e5"], NOW)).toEqual([["e4", "e5"]]);
  });

  it("tells a remembered group's events to wait alike, the longest of their waits, so they come back in one batch", async () => {
    const memory = new SplitMemory();
    const batch = [item("e0"), item("e1"), item("e2", 5), item("e3")];
    let call = 0;
    const post = async (events: ServerEvent[]) => {
      call++;
      if (call === 1) return poisoned();
      if (call === 2) return accepted(events.length);
      return fail({ status: 500 }); // [e2 e3] keeps failing, in place too
    };
    let r = 0;
    const fates = await settle(batch, {
      post,
      policy: QUEUE_DELIVERY_POLICY,
      random: () => [0.9, 0.1][r++ % 2]!,
      sleep: noWait,
      memory,
      now: NOW,
    });
    const waits = fates.map((f) => (f.kind === "retry" ? f.delaySeconds : null));
    expect(waits[0]).toBeNull();
    expect(waits[2]).toBe(waits[3]);
    expect(waits[2]).toBeGreaterThanOrEqual(120); // the 5th delivery's backoff (2–4 min), not the 1st's (10–20 s)
    expect(memory.take(["e2", "e3"], NOW)).toEqual([["e2", "e3"]]);
  });

  it("goes on with a remembered group on its next delivery: a request of its own, not sent whole again", async () => {
    const memory = new SplitMemory();
    memory.remember(["e4", "e5"], NOW);
    const posts: string[][] = [];
    const batch = [item("n0"), item("e4", 2), item("n1"), item("e5", 2), item("n2")];
    const fates = await settle(batch, {
      post: meta(new Set(["e5"]), [], posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory,
      now: NOW + 60_000,
    });
    expect(posts).toEqual([["e4"], ["e5"], ["n0", "n1", "n2"]]);
    expect(fates.map((f) => f.kind)).toEqual(["sent", "sent", "sent", "dead_letter", "sent"]);
    expect(fates[3]).toMatchObject({ reason: "rejected", failure: { code: 100 } });
    expect(memory.size).toBe(0);
  });

  it("without the memory the same delivery starts the split over from the whole batch", async () => {
    const posts: string[][] = [];
    const batch = [item("n0"), item("e4", 2), item("n1"), item("e5", 2), item("n2")];
    await settle(batch, {
      post: meta(new Set(["e5"]), [], posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory: new SplitMemory(),
      now: NOW,
    });
    expect(posts[0]).toEqual(["n0", "e4", "n1", "e5", "n2"]);
    expect(posts.length).toBeGreaterThan(3);
  });

  it("a wrong memory costs requests, never a dead letter: only Meta's refusal of one event makes one", async () => {
    const memory = new SplitMemory();
    memory.remember(["a", "b", "c"], NOW);
    const posts: string[][] = [];
    const fates = await settle(ids("a", "b", "c"), {
      post: meta(new Set(), [], posts),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory,
      now: NOW,
    });
    expect(fates.every((f) => f.kind === "sent")).toBe(true);
    expect(posts).toEqual([["a", "b"], ["c"]]);
  });

  it("remembers nothing when the split found the bad event, or when nothing was split", async () => {
    const memory = new SplitMemory();
    await settle(ids("a", "b", "c", "d"), {
      post: meta(new Set(["c"])),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory,
      now: NOW,
    });
    await settle(ids("e", "f"), {
      post: async () => fail({ status: 429, code: 17 }),
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory,
      now: NOW,
    });
    expect(memory.size).toBe(0);
  });

  it("remembers nothing when a half was held (a configuration refusal says nothing about the bad event)", async () => {
    const memory = new SplitMemory();
    let call = 0;
    const post = async (_events: ServerEvent[]) => {
      call++;
      if (call === 1) return poisoned();
      if (call === 2) return fail({ transient: false, status: 400, code: 190, message: "token expired" });
      return fail({ status: 429, code: 17 });
    };
    const fates = await settle(ids("a", "b", "c", "d"), {
      post,
      policy: QUEUE_DELIVERY_POLICY,
      random: () => 0,
      sleep: noWait,
      memory,
      now: NOW,
    });
    expect(fates.map((f) => f.kind)).toEqual(["hold", "hold", "retry", "retry"]);
    expect(memory.size).toBe(0);
  });
});

describe("SplitMemory", () => {
  it("gives back a group only when the whole of it is delivered together, and only once", () => {
    const memory = new SplitMemory();
    memory.remember(["a", "b", "c"], NOW);
    expect(memory.take(["x", "c", "a"], NOW)).toEqual([]);
    expect(memory.size).toBe(0); // broken up by the batching: forgotten
    memory.remember(["a", "b", "c"], NOW);
    expect(memory.take(["x", "c", "b", "a"], NOW)).toEqual([["a", "b", "c"]]);
    expect(memory.take(["a", "b", "c"], NOW)).toEqual([]);
  });

  it("forgets a group after its time", () => {
    const memory = new SplitMemory();
    memory.remember(["a", "b"], NOW);
    expect(memory.take(["a", "b"], NOW + SPLIT_MEMORY_TTL_MS + 1)).toEqual([]);
    memory.remember(["a", "b"], NOW);
    expect(memory.take(["a", "b"], NOW + SPLIT_MEMORY_TTL_MS)).toEqual([["a", "b"]]);
  });

  it("keeps an event in one group: its newest", () => {
    const memory = new SplitMemory();
    memory.remember(["a", "b", "c", "d"], NOW);
    memory.remember(["c", "d"], NOW + 1);
    expect(memory.size).toBe(1);
    expect(memory.take(["a", "b", "c", "d"], NOW + 2)).toEqual([["c", "d"]]);
  });

  it("keeps at most its limit of groups, forgetting the oldest", () => {
    const memory = new SplitMemory(SPLIT_MEMORY_TTL_MS, 2);
    memory.remember(["a", "b"], NOW);
    memory.remember(["c", "d"], NOW + 1);
    memory.remember(["e", "f"], NOW + 2);
    expect(memory.size).toBe(2);
    expect(memory.take(["a", "b", "c", "d", "e", "f"], NOW + 3)).toEqual([
      ["c", "d"],
      ["e", "f"],
    ]);
  });

  it("does not remember a group of one (it is sent to learn Meta's refusal anyway); duplicates count once", () => {
    const memory = new SplitMemory();
    memory.remember(["a"], NOW);
    memory.remember(["b", "b"], NOW);
    expect(memory.size).toBe(0);
  });
});
