/**
 * A request's `waitUntil`: what keeps the Worker alive after the answer for a buffered write (the
 * metrics, a summary log line). Hono throws when a request has no execution context (a test
 * calling the app directly): then there is none, and the write goes out unawaited.
 *
 * @example
 * ```ts
 * recordLater(c.env, batch, waitUntilOf(c));
 * ```
 */
import type { Context } from "hono";

export function waitUntilOf(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}
