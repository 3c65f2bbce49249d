import { describe, expect, it } from "vitest";
import { countingRateLimit } from "../../test/helpers";
import { ADMIN_AUTH_PERIOD_SECONDS, FailedAuthLimit } from "./authLimit";

describe("FailedAuthLimit", () => {
  const NOW = Date.parse("2026-11-25T19:00:00Z");

  it("counts failures in the binding and limits the client past the limit, for a period", async () => {
    const binding = countingRateLimit(2);
    const limit = new FailedAuthLimit();
    expect(await limit.fail(binding, "a", NOW)).toBeUndefined();
    expect(limit.retryAfter("a", NOW)).toBeUndefined();
    expect(await limit.fail(binding, "a", NOW)).toBeUndefined();
    expect(await limit.fail(binding, "a", NOW)).toBe(ADMIN_AUTH_PERIOD_SECONDS);
    expect(limit.retryAfter("a", NOW + 1)).toBe(ADMIN_AUTH_PERIOD_SECONDS);
    expect(limit.retryAfter("a", NOW + 59_500)).toBe(1);
    expect(limit.retryAfter("a", NOW + 60_000)).toBeUndefined();
    expect(limit.retryAfter("b", NOW)).toBeUndefined();
  });

  it("asks nothing of the binding to say whether a client is limited", () => {
    const binding = countingRateLimit();
    new FailedAuthLimit().retryAfter("a", NOW);
    expect(binding.counts.size).toBe(0);
  });

  it("limits nothing without a binding", async () => {
    const limit = new FailedAuthLimit();
    for (let i = 0; i < 50; i++) expect(await limit.fail(undefined, "a", NOW)).toBeUndefined();
    expect(limit.retryAfter("a", NOW)).toBeUndefined();
  });
});
