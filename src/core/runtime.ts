/**
 * The outside world as the relay's components see it: one type, one set of defaults. Every
 * component takes a `Pick<Runtime, …>` of what it uses (plus its own options), so a test replaces
 * exactly the clock, the network or the log it needs and nothing else.
 *
 * The words are fixed here: `fetch`, `now` (milliseconds), `sleep`, `random`, `log` (one JSON line
 * a call, see ./log). Components do not rename them (no `wait`, no `sink`).
 *
 * @example
 * ```ts
 * const runtime = defaultRuntime();
 * await runtime.sleep(1000);
 * // a test: a frozen clock and a fake Graph, the rest real
 * const test = defaultRuntime({ now: () => 1764096127000, fetch: fakeGraph });
 * ```
 */
import { consoleSink, type LogSink } from "./log";

export interface Runtime {
  /** The network (Meta's Graph API). Late-bound by default, so a test that stubs `globalThis.fetch` is honoured. */
  fetch: typeof fetch;
  /** The clock, in milliseconds since the epoch. */
  now: () => number;
  /** Resolves after `ms` milliseconds. */
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1), for jitter. */
  random: () => number;
  /** Where log lines go (Workers Logs read stdout). */
  log: LogSink;
}

/**
 * The Workers runtime's own world, with any part replaced.
 *
 * @example
 * ```ts
 * defaultRuntime({ sleep: async () => {} }).now(); // Date.now()
 * ```
 */
export function defaultRuntime(overrides: Partial<Runtime> = {}): Runtime {
  return {
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log: consoleSink,
    ...overrides,
  };
}
