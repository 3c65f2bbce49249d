import { describe, expect, it, vi } from "vitest";
import { EM, IP, queuedEvent } from "../../test/queueFixtures";
import type { StoredDeadLetter } from "./deadLetterStore";
import { deadLetterView, dryRunReport, planReplay, replay, replayRefusal, toDeadLetter } from "./deadLetters";
import type { QueuedEvent } from "./messages";

const NOW = Date.parse("2026-11-25T20:00:00Z");
const NOW_S = Math.floor(NOW / 1000);

function letter(id: string, overrides: Partial<StoredDeadLetter> = {}): StoredDeadLetter {
  return {
    v: 1,
    kind: "dead_letter",
    key: id,
    message: queuedEvent({ id, eventTime: NOW_S - 3600 }),
    reason: "rejected",
    detail: "bad",
    attempts: 1,
    deadLetteredAt: NOW,
    times: 1,
    firstDeadLetteredAt: NOW,
    ...overrides,
  };
}

describe("toDeadLetter", () => {
  it("keeps the consumer's own letters as they are", () => {
    const own = letter("a");
    const { times: _, ...body } = own;
    expect(toDeadLetter({ id: "m1", attempts: 1, body }, NOW)).toBe(body);
  });

  it("wraps a queued event Cloudflare moved after the consumer kept failing", () => {
    expect(
      toDeadLetter({ id: "m2", attempts: 21, body: queuedEvent({ id: "b", eventTime: NOW_S - 3600 }) }, NOW),
    ).toMatchObject({
      key: "b",
      reason: "handler_failure",
      attempts: 21,
      deadLetteredAt: NOW,
      message: { eventId: "b" },
    });
  });

  it("keeps a malformed body out, keyed by the message id", () => {
    expect(toDeadLetter({ id: "m3", attempts: 1, body: { email: "jane@example.com" } }, NOW)).toEqual({
      v: 1,
      kind: "dead_letter",
      key: "message:m3",
      message: null,
      reason: "malformed",
      detail: "message body is not a queued event",
      attempts: 1,
      deadLetteredAt: NOW,
    });
  });

  it("does not trust a letter with an unknown reason or a broken message", () => {
    const { times: _, ...body } = letter("c");
    expect(toDeadLetter({ id: "m4", attempts: 1, body: { ...body, reason: "whatever" } }, NOW).reason).toBe(
      "malformed",
    );
    expect(toDeadLetter({ id: "m5", attempts: 1, body: { ...body, message: { v: 1 } } }, NOW).reason).toBe("malformed");
  });
});

describe("replayRefusal", () => {
  it("allows an event still inside Meta's window", () => {
    expect(replayRefusal(letter("a"), NOW)).toBeUndefined();
  });

  it("refuses an event Meta would refuse (7 days, with the safety margin)", () => {
    expect(
      replayRefusal(letter("a", { message: queuedEvent({ id: "a", eventTime: NOW_S - 7 * 86_400 + 60 }) }), NOW),
    ).toBe("stale");
  });

  it("refuses a letter without an event", () => {
    expect(replayRefusal(letter("a", { message: null }), NOW)).toBe("malformed");
  });
});

describe("deadLetterView", () => {
  it("names user_data fields and shows no value, not even a hash or the IP", () => {
    const view = deadLetterView(letter("a", { fbtraceId: "TR", code: 100 }));
    expect(view).toMatchObject({ key: "a", eventId: "a", pixelId: "111", code: 100, fbtraceId: "TR", replays: 0 });
    expect(view.event?.user_data).toEqual(["client_ip_address", "client_user_agent", "em"]);
    expect(view.event).toMatchObject({ event_time: NOW_S - 3600, custom_data: { value: 62.5 } });
    const text = JSON.stringify(view);
    expect(text).not.toContain(IP);
    expect(text).not.toContain(EM);
  });

  it("shows a malformed letter without an event", () => {
    expect(deadLetterView(letter("a", { message: null })).event).toBeNull();
  });
});

describe("planReplay, then replay", () => {
  /** Bindings whose store hands each key to one replay, as the Durable Object does. */
  function bindings(options: { failSend?: boolean; replayedBefore?: string[] } = {}) {
    const sendBatch = vi.fn(async () => {
      if (options.failSend) throw new Error("queue down");
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    });
    const claimedAt = new Map<string, number>((options.replayedBefore ?? []).map((key) => [key, NOW - 1000]));
    const claimReplay = vi.fn(async (keys: string[], now: number) => {
      const claimed = keys.filter((key) => !claimedAt.has(key));
      for (const key of claimed) claimedAt.set(key, now);
      return claimed;
    });
    const releaseReplay = vi.fn(async (keys: string[], at: number) => {
      for (const key of keys) if (claimedAt.get(key) === at) claimedAt.delete(key);
    });
    return {
      sendBatch,
      claimReplay,
      releaseReplay,
      claimedAt,
      env: {
        CAPI_QUEUE: { sendBatch } as unknown as Queue<QueuedEvent>,
        DEAD_LETTERS: {
          idFromName: (n: string) => n,
          get: () => ({ claimReplay, releaseReplay }),
        } as unknown as DurableObjectNamespace<never>,
      },
    };
  }

  it("re-queues the original events with a replay count, claims them, logs each", async () => {
    const { env, sendBatch, claimReplay } = bindings();
    const lines: string[] = [];
    const report = await replay(
      env,
      planReplay(
        [letter("a"), letter("b", { message: { ...queuedEvent({ id: "b", eventTime: NOW_S - 3600 }), replays: 2 } })],
        ["a", "b", "zz"],
        NOW,
      ),
      NOW,
      { log: (l) => lines.push(l) },
    );
    expect(report).toEqual({ dryRun: false, replayed: ["a", "b"], refused: [], notFound: ["zz"] });
    expect(sendBatch).toHaveBeenCalledWith([
      { body: { ...queuedEvent({ id: "a", eventTime: NOW_S - 3600 }), replays: 1 }, contentType: "json" },
      { body: { ...queuedEvent({ id: "b", eventTime: NOW_S - 3600 }), replays: 3 }, contentType: "json" },
    ]);
    expect(claimReplay).toHaveBeenCalledWith(["a", "b"], NOW);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { outcome: "replayed", event_id: "a", destination: "default", replays: 1 },
      { outcome: "replayed", event_id: "b", replays: 3 },
    ]);
    expect(lines.join("")).not.toContain(IP);
  });

  it("re-drives another destination's letter to that destination", async () => {
    const { env, sendBatch } = bindings();
    const eu = queuedEvent({ id: "a", eventTime: NOW_S - 3600, pixelId: "222", destination: "eu" });
    const report = await replay(env, planReplay([letter("a@eu", { message: eu })], ["a@eu"], NOW), NOW, {
      log: () => {},
    });
    expect(report.replayed).toEqual(["a@eu"]);
    expect(sendBatch).toHaveBeenCalledWith([{ body: { ...eu, replays: 1 }, contentType: "json" }]);
  });

  it("re-drives a letter once: a second replay is refused as already_replayed", async () => {
    const { env, sendBatch } = bindings();
    await replay(env, planReplay([letter("a")], ["a"], NOW), NOW, { log: () => {} });
    const second = await replay(env, planReplay([letter("a")], ["a"], NOW + 1000), NOW + 1000, { log: () => {} });
    expect(second).toEqual({
      dryRun: false,
      replayed: [],
      refused: [{ key: "a", reason: "already_replayed" }],
      notFound: [],
    });
    expect(sendBatch).toHaveBeenCalledTimes(1);
  });

  it("gives one of two concurrent replays of a letter the letter, the other nothing", async () => {
    const { env, sendBatch } = bindings();
    const [first, second] = await Promise.all([
      replay(env, planReplay([letter("a")], ["a"], NOW), NOW, { log: () => {} }),
      replay(env, planReplay([letter("a")], ["a"], NOW), NOW, { log: () => {} }),
    ]);
    expect([first.replayed, second.replayed].flat()).toEqual(["a"]);
    expect(sendBatch).toHaveBeenCalledTimes(1);
  });

  it("refuses a letter re-driven already (as the store knows it) without asking the store to claim it", async () => {
    const { env, claimReplay } = bindings({ replayedBefore: ["a"] });
    const report = await replay(env, planReplay([letter("a", { replayedAt: NOW - 1000 })], ["a"], NOW), NOW, {
      log: () => {},
    });
    expect(report.refused).toEqual([{ key: "a", reason: "already_replayed" }]);
    expect(claimReplay).not.toHaveBeenCalled();
  });

  it("gives the claims back when the queue refuses, so the letter can be re-driven again", async () => {
    const { env, claimedAt } = bindings({ failSend: true });
    await expect(replay(env, planReplay([letter("a")], ["a"], NOW), NOW, { log: () => {} })).rejects.toThrow(
      "queue down",
    );
    expect(claimedAt.has("a")).toBe(false);
  });

  it("sends in chunks of 100 (Cloudflare's sendBatch limit)", async () => {
    const { env, sendBatch } = bindings();
    const letters = Array.from({ length: 250 }, (_, i) => letter(`k${i}`));
    await replay(env, planReplay(letters, [], NOW), NOW, { log: () => {} });
    expect(sendBatch.mock.calls.map((call) => (call as unknown as [unknown[]])[0].length)).toEqual([100, 100, 50]);
  });

  it("plans, purely: stale and malformed letters refused, the others with one replay more (the dry run)", () => {
    const letters = [
      letter("ok", { message: { ...queuedEvent({ id: "ok", eventTime: NOW_S - 3600 }), replays: 1 } }),
      letter("old", { message: queuedEvent({ id: "old", eventTime: NOW_S - 8 * 86_400 }) }),
      letter("message:m1", { message: null }),
      letter("again", { replayedAt: NOW - 1000 }),
    ];
    const plan = planReplay(letters, ["ok", "gone"], NOW);
    expect(plan).toEqual({
      toReplay: [{ key: "ok", message: { ...queuedEvent({ id: "ok", eventTime: NOW_S - 3600 }), replays: 2 } }],
      refused: [
        { key: "old", reason: "stale" },
        { key: "message:m1", reason: "malformed" },
        { key: "again", reason: "already_replayed" },
      ],
      notFound: ["gone"],
    });
    expect(letters[0]!.message!.replays).toBe(1);
    expect(dryRunReport(plan)).toEqual({
      dryRun: true,
      replayed: ["ok"],
      refused: plan.refused,
      notFound: ["gone"],
    });
  });
});
