import { describe, expect, it } from "vitest";
import { circuitName, circuitOf } from "./holds";

describe("circuitOf", () => {
  it("answers the stub of the destination's circuit, or undefined without the binding", () => {
    const DELIVERY_CIRCUIT = {
      idFromName: (name: string) => ({ name }),
      get: (id: { name: string }) => ({ instance: id.name }),
    } as unknown as Env["DELIVERY_CIRCUIT"];
    expect(circuitOf({ DELIVERY_CIRCUIT }, "eu")).toEqual({ instance: "circuit:eu" });
    expect(circuitName("eu")).toBe("circuit:eu");
    expect(circuitOf({}, "eu")).toBeUndefined();
  });
});
