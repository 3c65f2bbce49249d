import { describe, expect, it } from "vitest";
import { GRAPH_TOKEN as TOKEN, graphTarget as target, serverEvent } from "../../test/queueFixtures";
import type { GraphOutcome } from "./graph";
import { DEFAULT_RETRY_POLICY, backoffDelay, deliver, isTransient, type RetryPolicy } from "./retry";

const event = serverEvent("qz.ses.1", 1_764_096_127);
const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000, deadlineMs: 8000 };

const ok = () => Response.json({ events_received: 1, fbtrace_id: "OK" });
const metaError =
  (code: number, status = 400, headers: Record<string, string> = {}) =>
  () =>
    Response.json({ error: { message: `error ${code}`, code, fbtrace_id: "T" } }, { status, headers });

type Step = () => Response | Promise<Response>;

/**
 * A fake world: a clock that only moves when slept on (or when a step advances it), a fetch
 * answering from a script, and a record of every call and wait.
 */
function world(script: Step[], options: { latencyMs?: number; random?: number } = {}) {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const requests: { url: string; body: unknown }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(input), body: JSON.parse(String(init?.body)) });
    clock += options.latencyMs ?? 100;
    const step = script[requests.length - 1];
    if (!step) throw new Error(`unscripted request #${requests.length}`);
    return step();
  }) as typeof globalThis.fetch;
  const deps = {
    fetch,
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => options.random ?? 0.5,
  };
  return { deps, sleeps, requests, elapsed: () => clock - 1_000_000 };
}

describe("backoffDelay", () => {
  it("doubles the jitter window per attempt", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, policy, top))).toEqual([199, 399, 799, 1599]);
  });

  it("caps the window at maxDelayMs", () => {
    expect(backoffDelay(5, policy, () => 0.999_999)).toBe(1999);
    expect(backoffDelay(60, policy, () => 0.999_999)).toBe(1999);
    expect(backoffDelay(5000, policy, () => 0.999_999)).toBe(1999);
  });

  it("applies full jitter: anywhere from 0 to the window", () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.25)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
  });

  it("stays within [0, window) for a misbehaving random", () => {
    expect(backoffDelay(1, policy, () => -3)).toBe(0);
    expect(backoffDelay(1, policy, () => 7)).toBe(200);
  });

  it("treats attempt 0 or less like the first", () => {
    expect(backoffDelay(0, policy, () => 0.5)).toBe(100);
    expect(backoffDelay(-2, policy, () => 0.5)).toBe(100);
  });

  it("uses Retry-After as a floor", () => {
    expect(backoffDelay(1, policy, () => 0.5, 1500)).toBe(1500);
    expect(backoffDelay(4, policy, () => 0.999_999, 50)).toBe(1599);
  });

  it("does not cap Retry-After by maxDelayMs", () => {
    expect(backoffDelay(1, policy, () => 0.5, 30_000)).toBe(30_000);
  });

  it("returns whole milliseconds", () => {
    expect(Number.isInteger(backoffDelay(2, policy, () => 0.123_456_7))).toBe(true);
  });
});

describe("isTransient", () => {
  it("is true only for transient failures", () => {
    const outcomes: [GraphOutcome, boolean][] = [
      [{ ok: true, status: 200, eventsReceived: 1 }, false],
      [{ ok: false, transient: true, message: "timeout" }, true],
      [{ ok: false, transient: false, code: 100, message: "bad" }, false],
    ];
    for (const [outcome, expected] of outcomes) expect(isTransient(outcome)).toBe(expected);
  });
});

describe("DEFAULT_RETRY_POLICY", () => {
  it("fits four timed-out attempts and their worst backoff inside the deadline", () => {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs } = DEFAULT_RETRY_POLICY;
    let worst = maxAttempts * 1500;
    for (let a = 1; a < maxAttempts; a++) worst += Math.min(maxDelayMs, baseDelayMs * 2 ** (a - 1));
    expect(worst).toBeLessThanOrEqual(deadlineMs);
    expect(deadlineMs).toBeLessThan(10_000);
  });

  it("cannot be changed by accident", () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
  });
});

describe("deliver", () => {
  it("succeeds on the first try without sleeping", async () => {
    const w = world([ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result).toEqual({ outcome: { ok: true, status: 200, eventsReceived: 1, fbtraceId: "OK" }, attempts: 1 });
    expect(w.sleeps).toEqual([]);
  });

  it("retries a transient failure, then succeeds", async () => {
    const w = world([() => new Response("oops", { status: 503 }), metaError(2, 500), ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result.outcome.ok).toBe(true);
    expect(result.attempts).toBe(3);
    expect(w.sleeps).toEqual([100, 200]); // random 0.5 of windows 200 and 400
  });

  it("sends the same request every time", async () => {
    const w = world([metaError(1, 500), ok]);
    await deliver(target, [event], w.deps, policy);
    expect(w.requests).toHaveLength(2);
    expect(w.requests[1]).toEqual(w.requests[0]);
    expect(w.requests[0]?.body).toEqual({ data: [event], access_token: TOKEN });
  });

  it("honours Retry-After on a 429", async () => {
    const w = world([metaError(4, 429, { "retry-after": "2" }), ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result.attempts).toBe(2);
    expect(w.sleeps).toEqual([2000]);
  });

  it.each([613, 17, 80004])("retries throttling code %i", async (code) => {
    const w = world([metaError(code), ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result).toMatchObject({ outcome: { ok: true }, attempts: 2 });
  });

  it.each([100, 190, 2635, 10, 200])("does not retry code %i", async (code) => {
    const w = world([metaError(code), ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result).toMatchObject({ outcome: { ok: false, transient: false, code }, attempts: 1 });
    expect(w.sleeps).toEqual([]);
  });

  it("does not retry an unknown 4xx", async () => {
    const w = world([() => new Response("{}", { status: 404 }), ok]);
    expect(await deliver(target, [event], w.deps, policy)).toMatchObject({ attempts: 1, outcome: { status: 404 } });
  });

  it("stops after maxAttempts with the last outcome", async () => {
    const w = world([metaError(1, 500), metaError(2, 500), metaError(4), metaError(17), ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result).toMatchObject({ attempts: 4, outcome: { ok: false, transient: true, code: 17 } });
    expect(w.sleeps).toHaveLength(3);
  });

  it("stops when the next wait plus an attempt would pass the deadline", async () => {
    // Each attempt takes 1.5 s (a timeout's worth) and the jitter is at its top.
    const w = world(
      Array.from({ length: 4 }, () => metaError(1, 500)),
      { latencyMs: 1500, random: 0.999_999 },
    );
    const tight: RetryPolicy = { ...policy, deadlineMs: 5000 };
    const result = await deliver(target, [event], { ...w.deps, timeoutMs: 1500 }, tight);
    expect(result.attempts).toBe(2); // 1.5 + 0.2 + 1.5 = 3.2 ok; 3.2 + 0.4 + 1.5 = 5.1 > 5
    expect(w.elapsed()).toBeLessThanOrEqual(tight.deadlineMs);
  });

  it("stops at once when Retry-After exceeds the remaining deadline", async () => {
    const w = world([metaError(4, 429, { "retry-after": "30" }), ok]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result).toMatchObject({ attempts: 1, outcome: { transient: true, retryAfterMs: 30_000 } });
    expect(w.sleeps).toEqual([]);
  });

  it("with the default policy, never outlasts the deadline even when every attempt times out", async () => {
    const w = world(
      Array.from({ length: 10 }, () => metaError(1, 500)),
      { latencyMs: 1500, random: 0.999_999 },
    );
    const result = await deliver(target, [event], w.deps);
    expect(result.attempts).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(w.elapsed()).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.deadlineMs);
  });

  it("treats a timeout as transient and retries it", async () => {
    let calls = 0;
    const fetch = ((_input: RequestInfo | URL, init?: RequestInit) => {
      calls++;
      if (calls > 1) return Promise.resolve(ok());
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      });
    }) as typeof globalThis.fetch;
    const w = world([]);
    const result = await deliver(target, [event], { ...w.deps, fetch, timeoutMs: 20 }, policy);
    expect(result).toMatchObject({ attempts: 2, outcome: { ok: true } });
  });

  it("gives a timeout back as a transient outcome when attempts run out", async () => {
    const fetch = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      })) as typeof globalThis.fetch;
    const w = world([]);
    const result = await deliver(target, [event], { ...w.deps, fetch, timeoutMs: 10 }, { ...policy, maxAttempts: 2 });
    expect(result).toEqual({
      attempts: 2,
      outcome: { ok: false, transient: true, message: "Graph API did not answer within 10 ms" },
    });
  });

  it("treats a thrown network error as transient", async () => {
    const w = world([
      () => {
        throw new TypeError("fetch failed");
      },
      ok,
    ]);
    expect(await deliver(target, [event], w.deps, policy)).toMatchObject({ attempts: 2, outcome: { ok: true } });
  });

  it("retries a non-JSON 502", async () => {
    const w = world([() => new Response("<h1>502 Bad Gateway</h1>", { status: 502 }), ok]);
    expect(await deliver(target, [event], w.deps, policy)).toMatchObject({ attempts: 2, outcome: { ok: true } });
  });

  it("keeps the token out of every URL and outcome message", async () => {
    const w = world([
      metaError(1, 500),
      () => Response.json({ error: { message: `token ${TOKEN} rejected`, code: 190 } }, { status: 400 }),
    ]);
    const result = await deliver(target, [event], w.deps, policy);
    expect(result.attempts).toBe(2);
    expect(w.requests).toHaveLength(2);
    for (const request of w.requests) {
      expect(request.url).toBe("https://graph.facebook.com/v24.0/1234567890/events");
      expect(request.url).not.toContain(TOKEN);
    }
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("makes a single attempt under maxAttempts 1", async () => {
    const w = world([metaError(1, 500), ok]);
    expect(await deliver(target, [event], w.deps, { ...policy, maxAttempts: 1 })).toMatchObject({ attempts: 1 });
  });
});
