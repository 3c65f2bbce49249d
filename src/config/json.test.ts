import { describe, expect, it } from "vitest";
import { JsonTextError, MAX_DEPTH, readJson } from "./json";

describe("readJson", () => {
  it.each([
    '{"a":[1,-2.5,3e2,true,false,null,"x\\u00e9\\n"],"b":{}}',
    "[]",
    ' [ { } , [ ] , "" , 0 ] ',
    '"only a string"',
    "-0.0e-0",
    '{"__proto__":{"polluted":1},"constructor":2}',
    '["\\"\\\\\\/\\b\\f\\n\\r\\t\\ud83d\\ude00"]',
  ])("reads %s as JSON.parse does", (text) => {
    const read = readJson(text);
    expect(JSON.stringify(read.value)).toBe(JSON.stringify(JSON.parse(text)));
    expect(read.duplicates).toEqual([]);
  });

  it.each([
    ["", "empty text"],
    ["{", "an open object"],
    ['{"a":1,}', "a trailing comma"],
    ["[1,]", "a trailing comma in an array"],
    ["{a:1}", "an unquoted key"],
    ["{'a':1}", "single quotes"],
    ["[01]", "a leading zero"],
    ["[1.]", "a bare decimal point"],
    ["[.5]", "no integer part"],
    ["[+1]", "a plus sign"],
    ["[NaN]", "NaN"],
    ['["a\tb"]', "a raw control character in a string"],
    ['["\\x41"]', "an unknown escape"],
    ["[1] [2]", "text after the value"],
    ["// c\n[]", "a comment"],
    ["[tru]", "a cut word"],
  ])("refuses %j (%s) like JSON.parse", (text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(() => readJson(text)).toThrow(JsonTextError);
  });

  it("never repeats the text in its error", () => {
    try {
      readJson('{"token":"EAAB-secret" x}');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("EAAB");
      expect(String(error)).toMatch(/offset \d+/);
    }
  });

  it("reports every key written twice in one object, with its path, keeping the last value", () => {
    const read = readJson('[{"name":"a","pixel_id":"1","pixel_id":"2"},{"m":{"t":1,"t":2,"t":3}}]');
    expect(read.duplicates).toEqual([
      { path: [0], key: "pixel_id" },
      { path: [1, "m"], key: "t" },
      { path: [1, "m"], key: "t" },
    ]);
    expect((read.value as any)[0].pixel_id).toBe("2");
  });

  it("does not count the same key in two objects as a repeat", () => {
    expect(readJson('[{"a":1},{"a":2,"b":{"a":3}}]').duplicates).toEqual([]);
  });

  it("keeps each number as written, in objects and arrays", () => {
    const read = readJson('{"pixel_id":12345678901234567,"list":[1.50,2e3],"s":"7"}');
    const value = read.value as any;
    expect(value.pixel_id).toBe(12345678901234568);
    expect(read.numberText(value, "pixel_id")).toBe("12345678901234567");
    expect(read.numberText(value.list, 0)).toBe("1.50");
    expect(read.numberText(value.list, 1)).toBe("2e3");
    expect(read.numberText(value, "s")).toBeUndefined();
    expect(read.numberText({}, "pixel_id")).toBeUndefined();
  });

  it("makes __proto__ an own key of an object without a prototype, never the object's prototype", () => {
    const value = readJson('{"__proto__":{"isAdmin":true}}').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect((value as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it("refuses nesting deeper than its limit instead of overflowing the stack", () => {
    expect(() => readJson("[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH))).not.toThrow();
    expect(() => readJson("[".repeat(MAX_DEPTH + 2) + "]".repeat(MAX_DEPTH + 2))).toThrow(/nesting/);
    expect(() => readJson("[".repeat(100_000))).toThrow(JsonTextError);
  });
});
