import { describe, expect, it } from "vitest";
import { DEAD_LETTER_STORE_NAME, deadLetterStoreOf, intakeLedgerName, intakeLedgerOf } from "./instances";

/** A namespace whose stubs say which instance name they were got for. */
function namespace<T>() {
  return {
    idFromName: (name: string) => ({ name }),
    get: (id: { name: string }) => ({ instance: id.name }),
  } as unknown as T;
}

describe("intakeLedgerName", () => {
  it("names one ledger per destination, apart from the sixteen Studio-id shards of 0.1 (`intake-N`)", () => {
    expect(intakeLedgerName("default")).toBe("intake:default");
    expect(intakeLedgerName("eu")).toBe("intake:eu");
    expect(intakeLedgerName("7")).not.toBe("intake-7");
  });
});

describe("intakeLedgerOf / deadLetterStoreOf", () => {
  it("answer the stub of the destination's ledger and of the one dead-letter store", () => {
    const env = { INTAKE_LEDGER: namespace<Env["INTAKE_LEDGER"]>(), DEAD_LETTERS: namespace<Env["DEAD_LETTERS"]>() };
    expect(intakeLedgerOf(env, "eu")).toEqual({ instance: "intake:eu" });
    expect(deadLetterStoreOf(env)).toEqual({ instance: DEAD_LETTER_STORE_NAME });
  });

  it("answer undefined when the binding is absent", () => {
    expect(intakeLedgerOf({}, "default")).toBeUndefined();
    expect(deadLetterStoreOf({})).toBeUndefined();
  });
});
