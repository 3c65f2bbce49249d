import { describe, expect, it } from "vitest";
import { METRICS_STORE_NAME, metricsStoreOf } from "./instances";

describe("metricsStoreOf", () => {
  it("answers the stub of the one metrics store, or undefined without the binding", () => {
    const METRICS = {
      idFromName: (name: string) => ({ name }),
      get: (id: { name: string }) => ({ instance: id.name }),
    } as unknown as Env["METRICS"];
    expect(metricsStoreOf({ METRICS })).toEqual({ instance: METRICS_STORE_NAME });
    expect(METRICS_STORE_NAME).toBe("metrics");
    expect(metricsStoreOf({})).toBeUndefined();
  });
});
