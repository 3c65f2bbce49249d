import { describe, expect, it } from "vitest";
import { DEAD_LETTER_STORE_NAME, deadLetterStoreOf, INTAKE_SHARDS, intakeLedgerOf, intakeShard } from "./instances";

/** A namespace whose stubs say which instance name they were got for. */
function namespace<T>() {
  return {
    idFromName: (name: string) => ({ name }),
    get: (id: { name: string }) => ({ instance: id.name }),
  } as unknown as T;
}

describe("intakeShard", () => {
  it("puts a Studio event in one stable shard of INTAKE_SHARDS", () => {
    expect(intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X")).toBe("intake-7");
    const shards = new Set(Array.from({ length: 500 }, (_, i) => intakeShard(`evt_${i}`)));
    expect(shards.size).toBe(INTAKE_SHARDS);
  });
});

describe("intakeLedgerOf / deadLetterStoreOf", () => {
  it("answer the stub of the event's shard and of the one dead-letter store", () => {
    const env = { INTAKE_LEDGER: namespace<Env["INTAKE_LEDGER"]>(), DEAD_LETTERS: namespace<Env["DEAD_LETTERS"]>() };
    expect(intakeLedgerOf(env, "evt_01JD8W3Q9X7K2M4N6P8R0T2V4X")).toEqual({ instance: "intake-7" });
    expect(deadLetterStoreOf(env)).toEqual({ instance: DEAD_LETTER_STORE_NAME });
  });

  it("answer undefined when the binding is absent", () => {
    expect(intakeLedgerOf({}, "evt_1")).toBeUndefined();
    expect(deadLetterStoreOf({})).toBeUndefined();
  });
});
