import { describe, expect, it } from "vitest";
import {
  ConfigError,
  contentTypeFor,
  readBoolean,
  readDryRun,
  readEventName,
  readEventValue,
  readLimitedDataUse,
  readOneOf,
  readPixelId,
  readPositiveInteger,
  refusePrototypeKey,
  text,
} from "./values";

describe("text", () => {
  it("trims text and reads numbers and booleans as their text; empty, null, objects are unset", () => {
    expect(text("  a ")).toBe("a");
    expect(text(5)).toBe("5");
    expect(text(true)).toBe("true");
    for (const unset of ["", "   ", null, undefined, { a: 1 }, ["a"]]) expect(text(unset)).toBeUndefined();
  });
});

describe("the readers", () => {
  it("read booleans in their common words", () => {
    for (const yes of ["true", "TRUE", "1", "yes", "on", true]) expect(readBoolean(yes, "X")).toBe(true);
    for (const no of ["false", "0", "no", "off", false]) expect(readBoolean(no, "X")).toBe(false);
    expect(readBoolean(undefined, "X")).toBeUndefined();
  });

  it("read positive integers, pixel ids, choices and event names", () => {
    expect(readPositiveInteger("2000", "X")).toBe(2000);
    expect(readPixelId(" 123 ", "X")).toBe("123");
    expect(readOneOf("sku", "X", ["product_id", "sku"])).toBe("sku");
    expect(readEventName("Lead", "X")).toBe("Lead");
    expect(readEventName("Quiz Complete-2", "X")).toBe("Quiz Complete-2");
  });

  it("read Limited Data Use as off, geolocated or explicit", () => {
    expect(readLimitedDataUse("no", "X")).toBe("off");
    expect(readLimitedDataUse("true", "X")).toEqual({ country: 0, state: 0 });
    expect(readLimitedDataUse("1,1000", "X")).toEqual({ country: 1, state: 1000 });
    expect(readLimitedDataUse(undefined, "X")).toBeUndefined();
  });

  it("read the event value as none, the recommendations' total or an amount (a number too)", () => {
    expect(readEventValue("none", "X")).toEqual({ kind: "none" });
    expect(readEventValue("recommendations", "X")).toEqual({ kind: "recommendations" });
    expect(readEventValue("12.50", "X")).toEqual({ kind: "fixed", amount: 12.5 });
    expect(readEventValue(7, "X")).toEqual({ kind: "fixed", amount: 7 });
  });

  const refusals: Array<[string, () => unknown, string]> = [
    ["a boolean", () => readBoolean("maybe", "LABEL"), "LABEL must be true or false"],
    ["an integer", () => readPositiveInteger("-1", "LABEL"), "LABEL must be a positive integer"],
    ["a pixel id", () => readPixelId("px", "LABEL"), "LABEL must be the numeric dataset / pixel id"],
    ["a choice", () => readOneOf("title", "LABEL", ["sku"]), "LABEL must be one of sku"],
    ["an LDU", () => readLimitedDataUse("CA", "LABEL"), "LABEL must be true, false"],
    ["a value", () => readEventValue("lots", "LABEL"), 'LABEL must be "none"'],
    ["an event name with symbols", () => readEventName("Lead!", "LABEL"), "LABEL must be a Meta event name"],
    [
      "an event name over 50 characters",
      () => readEventName("L".repeat(51), "LABEL"),
      "LABEL must be a Meta event name",
    ],
  ];
  for (const [what, read, message] of refusals) {
    it(`refuse an unreadable ${what} with a ConfigError naming the label, never the value`, () => {
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(message);
    });
  }
});

describe("contentTypeFor", () => {
  it("calls a parent product id a product group, variants and SKUs products (Meta's Custom Data page)", () => {
    expect(contentTypeFor("product_id")).toBe("product_group");
    expect(contentTypeFor("variant_id")).toBe("product");
    expect(contentTypeFor("sku")).toBe("product");
  });
});

describe("readPixelId", () => {
  it("takes digits as text, and a number only when it is an exact, non-negative integer", () => {
    expect(readPixelId(" 12345678901234567 ", "X")).toBe("12345678901234567");
    expect(readPixelId(1234567890, "X")).toBe("1234567890");
    expect(readPixelId(Number.MAX_SAFE_INTEGER, "X")).toBe("9007199254740991");
    for (const inexact of [2 ** 53, 12345678901234568, 1.5, -1, Number.NaN, Infinity]) {
      expect(() => readPixelId(inexact, "X")).toThrow('X must be written as a string of digits ("123…")');
    }
  });
});

describe("readDryRun", () => {
  it("is true only for true, false for false or unset, and refuses anything else", () => {
    expect([readDryRun("true"), readDryRun(" True "), readDryRun(true)]).toEqual([true, true, true]);
    expect([readDryRun("false"), readDryRun(false), readDryRun(undefined), readDryRun("")]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    for (const other of ["yes", "1", "0", "no", "dry"]) expect(() => readDryRun(other)).toThrow(ConfigError);
  });
});

describe("refusePrototypeKey", () => {
  it("refuses every name Object.prototype answers to, and nothing else", () => {
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"]) {
      expect(() => refusePrototypeKey(key, "L")).toThrow("L must not be");
    }
    for (const key of ["email:submit", "eu", "proto", "Constructor", ""]) {
      expect(() => refusePrototypeKey(key, "L")).not.toThrow();
    }
  });
});
