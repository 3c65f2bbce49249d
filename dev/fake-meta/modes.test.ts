import { describe, expect, it } from "vitest";
import { MODE_KINDS, ModeBook, ModeError, parseMode } from "./modes.ts";

const NOW = Date.parse("2026-11-25T19:00:00Z");

describe("parseMode", () => {
  it("reads every mode with its defaults", () => {
    for (const kind of MODE_KINDS) expect(parseMode({ mode: kind }, NOW)).toMatchObject({ kind, since: NOW });
  });

  it("throttles with code 17 on HTTP 429 and code 613 on HTTP 400 unless told otherwise", () => {
    expect(parseMode({ mode: "throttle" }, NOW)).toMatchObject({ code: 17, status: 429, retryAfter: 10 });
    expect(parseMode({ mode: "throttle", code: "613", retry_after: "3" }, NOW)).toMatchObject({
      code: 613,
      status: 400,
      retryAfter: 3,
    });
    expect(parseMode({ mode: "throttle", code: 17, status: 400 }, NOW)).toMatchObject({ code: 17, status: 400 });
  });

  it("fails transiently with code 2 on HTTP 500 unless told 503 or code 1", () => {
    expect(parseMode({ mode: "transient" }, NOW)).toMatchObject({ status: 500, code: 2 });
    expect(parseMode({ mode: "transient", status: "503", code: "1" }, NOW)).toMatchObject({ status: 503, code: 1 });
  });

  it("gives fail_rate its rate, the kind it fails as, and that kind's parameters", () => {
    expect(parseMode({ mode: "fail_rate" }, NOW)).toMatchObject({ rate: 0.2, fail: "transient", status: 500 });
    expect(parseMode({ mode: "fail_rate", rate: "0.5", fail: "throttle", code: "613" }, NOW)).toMatchObject({
      rate: 0.5,
      fail: "throttle",
      code: 613,
      status: 400,
    });
  });

  it("expires after `for` seconds", () => {
    expect(parseMode({ mode: "transient", for: "90" }, NOW).until).toBe(NOW + 90_000);
    expect(parseMode({ mode: "transient" }, NOW).until).toBeUndefined();
  });

  it.each([
    [{ mode: "explode" }, /unknown mode/],
    [{ mode: "throttle", code: "99" }, /code must be one of 4, 17, 613/],
    [{ mode: "transient", status: "502" }, /status must be one of 500, 503/],
    [{ mode: "slow", delay: "-1" }, /delay -1 is out of range/],
    [{ mode: "fail_rate", rate: "2" }, /rate 2 is out of range/],
    [{ mode: "fail_rate", fail: "wrong_pixel" }, /fail must be one of/],
    [{ mode: "drop", phase: "during" }, /phase must be one of before, after/],
    [{ mode: "transient", pixel: "abc" }, /pixel must be digits/],
    [{ mode: "dead_version", version: "27" }, /version must look like v27.0/],
    [{ mode: "transient", for: "-5" }, /for -5 is out of range/],
  ])("refuses %j", (input, reason) => {
    expect(() => parseMode(input, NOW)).toThrow(ModeError);
    expect(() => parseMode(input, NOW)).toThrow(reason);
  });
});

describe("ModeBook", () => {
  it("applies a global mode to every pixel and a pixel's mode to that pixel only", () => {
    const book = new ModeBook();
    book.set(parseMode({ mode: "slow" }, NOW));
    book.set(parseMode({ mode: "transient", pixel: "123" }, NOW));
    expect(book.forPixel("123", NOW).map((m) => m.kind)).toEqual(["slow", "transient"]);
    expect(book.forPixel("456", NOW).map((m) => m.kind)).toEqual(["slow"]);
  });

  it("lets a pixel's mode win over the global one of the same kind", () => {
    const book = new ModeBook();
    book.set(parseMode({ mode: "throttle", code: 17 }, NOW));
    book.set(parseMode({ mode: "throttle", code: 613, pixel: "123" }, NOW));
    expect(book.forPixel("123", NOW)).toEqual([expect.objectContaining({ code: 613 })]);
    expect(book.forPixel("456", NOW)).toEqual([expect.objectContaining({ code: 17 })]);
  });

  it("replaces a mode of the same kind and scope", () => {
    const book = new ModeBook();
    book.set(parseMode({ mode: "slow", delay: 100 }, NOW));
    book.set(parseMode({ mode: "slow", delay: 200 }, NOW));
    expect(book.active(NOW)).toEqual([expect.objectContaining({ delay: 200 })]);
  });

  it("forgets a mode once it expires", () => {
    const book = new ModeBook();
    book.set(parseMode({ mode: "transient", for: 60 }, NOW));
    expect(book.forPixel("1", NOW + 59_999)).toHaveLength(1);
    expect(book.forPixel("1", NOW + 60_000)).toHaveLength(0);
    expect(book.active(NOW)).toHaveLength(0);
  });

  it("clears one kind or a whole scope, leaving the others", () => {
    const book = new ModeBook();
    book.set(parseMode({ mode: "slow" }, NOW));
    book.set(parseMode({ mode: "transient" }, NOW));
    book.set(parseMode({ mode: "transient", pixel: "123" }, NOW));
    book.clear({ kind: "transient" });
    expect(book.active(NOW).map((m) => [m.kind, m.pixel])).toEqual([
      ["slow", undefined],
      ["transient", "123"],
    ]);
    book.clear({ pixel: "123" });
    expect(book.active(NOW).map((m) => m.kind)).toEqual(["slow"]);
    book.clear();
    expect(book.active(NOW)).toEqual([]);
  });
});
