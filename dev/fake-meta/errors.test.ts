import { describe, expect, it } from "vitest";
import {
  deadVersion,
  eventTooOld,
  fbtraceId,
  insufficientCustomerInformation,
  metaDate,
  paramPath,
  permissionDenied,
  seeded,
  THROTTLE_CODES,
  throttled,
  tokenExpired,
  transientError,
  unknownObject,
} from "./errors.ts";

describe("paramPath", () => {
  it("writes Meta's bracket notation", () => {
    expect(paramPath(["data", 12, "user_data", "em", 0])).toBe("$['data'][12]['user_data']['em'][0]");
  });
});

describe("metaDate", () => {
  it("writes Pacific time the way Meta's token errors do, in winter and in summer", () => {
    expect(metaDate(Date.parse("2015-12-10T12:00:00Z"))).toBe("Thursday, 10-Dec-15 04:00:00 PST");
    expect(metaDate(Date.parse("2026-07-01T19:30:05Z"))).toBe("Wednesday, 01-Jul-26 12:30:05 PDT");
  });
});

describe("fbtraceId", () => {
  it("draws 23 base64url characters starting with A, the same for the same seed", () => {
    const first = fbtraceId(seeded(3));
    expect(first).toMatch(/^A[A-Za-z0-9_-]{22}$/);
    expect(fbtraceId(seeded(3))).toBe(first);
    expect(fbtraceId(seeded(4))).not.toBe(first);
  });
});

describe("seeded", () => {
  it("draws in [0, 1), repeatably", () => {
    const a = seeded(9);
    const b = seeded(9);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 1000 }, () => b())).toEqual(draws);
    expect(new Set(draws).size).toBeGreaterThan(990);
  });
});

describe("Meta's errors", () => {
  it("2804003 keeps Meta's own title and text", () => {
    expect(eventTooOld(0).error).toMatchObject({
      code: 100,
      error_subcode: 2804003,
      error_user_title: "Event Timestamp Too Old",
      error_user_msg: expect.stringContaining(
        "Events need to be sent from your server within 7 days of when they occurred.",
      ),
    });
  });

  it("2804050 names the event's user_data", () => {
    expect(insufficientCustomerInformation(3).error.error_user_msg).toContain("$['data'][3]['user_data']");
  });

  it("throttling carries Retry-After, Graph's usage header and is_transient, for each code", () => {
    for (const code of THROTTLE_CODES) {
      const answer = throttled(code, 400, 12);
      expect(answer.error).toMatchObject({
        code,
        is_transient: true,
        message: expect.stringMatching(new RegExp(`^\\(#${code}\\) `)),
      });
      expect(answer.headers).toMatchObject({ "retry-after": "12" });
      expect(JSON.parse(answer.headers!["x-app-usage"]!)).toEqual({
        call_count: 100,
        total_cputime: 100,
        total_time: 100,
      });
    }
  });

  it("transient errors say so", () => {
    expect(transientError(503)).toMatchObject({ status: 503, error: { code: 2, is_transient: true } });
    expect(transientError(500, 1).error).toMatchObject({ code: 1, message: "An unknown error occurred" });
  });

  it("an expired token says when it expired and what time it is now", () => {
    const message = tokenExpired(Date.parse("2026-11-20T20:00:00Z"), Date.parse("2026-11-25T20:00:00Z")).error.message;
    expect(message).toBe(
      "Error validating access token: Session has expired on Friday, 20-Nov-26 12:00:00 PST. The current time is Wednesday, 25-Nov-26 12:00:00 PST.",
    );
  });

  it("an unknown object names the method and the id", () => {
    expect(unknownObject("get", "42").error.message).toMatch(
      /^Unsupported get request\. Object with ID '42' does not exist/,
    );
  });

  it("a dead version names the latest one", () => {
    expect(deadVersion("v28.0").error.message).toBe(
      "(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v28.0.",
    );
  });

  it("permission errors are OAuthExceptions with code 10 or 200", () => {
    expect(permissionDenied(10).error).toMatchObject({ code: 10, type: "OAuthException" });
    expect(permissionDenied(200).error).toMatchObject({ code: 200, type: "OAuthException" });
  });
});
