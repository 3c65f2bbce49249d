import { describe, expect, it } from "vitest";
import { signalOf } from "../observe/metrics";
import { classifyResponse, failureScope, type GraphFailure } from "./graph";
import {
  isPermanentCode,
  isTransientCode,
  META_ERRORS,
  type MetaErrorEntry,
  metaErrorOf,
  refusalCodes,
  refusalLogFields,
  refusalOf,
  traceIdOf,
} from "./metaErrors";
import { isThrottle } from "./policy";

const NOW = Date.parse("2026-11-25T20:00:00Z");

/** Every code a row covers that a test can name: the code, or a range's ends and middle. */
function codesOf(entry: MetaErrorEntry): number[] {
  if (typeof entry.code === "number") return [entry.code];
  const [from, to] = entry.code;
  return [from, Math.floor((from + to) / 2), to];
}

/** Meta's answer with this code, as the relay reads it (status 400, no `is_transient`). */
function answer(code: number, subcode?: number): GraphFailure {
  const body = { error: { message: "x", code, ...(subcode === undefined ? {} : { error_subcode: subcode }) } };
  const outcome = classifyResponse(400, new Headers(), body, NOW);
  if (outcome.ok) throw new Error("a refusal was read as a success");
  return outcome;
}

const rows = META_ERRORS.flatMap((entry) => codesOf(entry).map((code) => ({ entry, code })));

describe("META_ERRORS, through every predicate", () => {
  it.each(rows.map(({ entry, code }) => [code, entry.subcode ?? "-", entry]))(
    "code %s (subcode %s) means what its row says everywhere",
    (code, _subcode, entry) => {
      const failure = answer(code as number, entry.subcode);
      const transient = entry.scope === "transient";
      expect(metaErrorOf(code as number, entry.subcode)).toMatchObject({ scope: entry.scope, name: entry.name });
      // Retried or not: the request's reading, and the two code predicates.
      expect(failure.transient).toBe(transient);
      if (entry.subcode === undefined) {
        expect(isTransientCode(code as number)).toBe(transient);
        expect(isPermanentCode(code as number)).toBe(!transient);
      }
      expect(isPermanentCode(code as number, entry.subcode)).toBe(!transient);
      // What it is about, whether Meta is throttling, and which signal the console shows.
      expect(failureScope(failure)).toBe(entry.scope);
      expect(isThrottle(failure)).toBe(entry.throttle);
      expect(signalOf(failure)?.kind).toBe(entry.signal);
    },
  );

  it("is consistent: a throttle is transient and signals a throttle; a signal of setup is the configuration's", () => {
    const setup = new Set(["token", "permission", "version_retired"]);
    const wrong = META_ERRORS.filter(
      (entry) =>
        (entry.throttle && (entry.scope !== "transient" || entry.signal !== "throttle")) ||
        (entry.signal !== undefined && setup.has(entry.signal) && entry.scope !== "configuration") ||
        (entry.scope === "event" && (entry.throttle || entry.signal !== undefined)),
    );
    expect(wrong).toEqual([]);
  });

  it("has no code covered twice (a subcode row refines its code's row, nothing else overlaps)", () => {
    const plain = META_ERRORS.filter((entry) => entry.subcode === undefined);
    for (const entry of plain)
      for (const code of codesOf(entry))
        expect(plain.filter((other) => other !== entry && codesOf(other).includes(code))).toEqual([]);
  });

  it.each([
    ["32, a page-level limit (it was permanent for the request)", 32],
    ["341, Meta's application limit (it was not a throttle for the consumer)", 341],
    ["80007, a business-use-case limit", 80007],
  ])("decides %s: transient and a throttle", (_what, code) => {
    const failure = answer(code);
    expect([failure.transient, isThrottle(failure), signalOf(failure)?.kind]).toEqual([true, true, "throttle"]);
  });

  it("decides 368 (a temporary policy block): retried, not a throttle, no signal", () => {
    const failure = answer(368);
    expect([failure.transient, isThrottle(failure), signalOf(failure)]).toEqual([true, false, undefined]);
  });
});

describe("codes not in the table", () => {
  it.each([3, 99, 199, 300, 1234, 79999, 80015, 2804003])(
    "leaves code %s to the answer's status and is_transient",
    (code) => {
      expect(metaErrorOf(code)).toBeUndefined();
      expect([isTransientCode(code), isPermanentCode(code)]).toEqual([false, false]);
      const refused = answer(code);
      expect([refused.transient, failureScope(refused), isThrottle(refused), signalOf(refused)]).toEqual([
        false,
        "event",
        false,
        undefined,
      ]);
      const down = classifyResponse(503, new Headers(), { error: { message: "x", code } }, NOW) as GraphFailure;
      expect([down.transient, failureScope(down), isThrottle(down)]).toEqual([true, "transient", false]);
      const flagged = classifyResponse(400, new Headers(), { error: { code, is_transient: true } }, NOW);
      expect(flagged).toMatchObject({ ok: false, transient: true });
    },
  );

  it("reads a 100 with another subcode as the event's, and without a code falls back on the status", () => {
    expect(metaErrorOf(100, 2804003)?.scope).toBe("event");
    expect(metaErrorOf(undefined)).toBeUndefined();
    const noCode = classifyResponse(429, new Headers(), {}, NOW) as GraphFailure;
    expect([noCode.transient, isThrottle(noCode), signalOf(noCode)?.kind]).toEqual([true, true, "throttle"]);
  });
});

describe("traceIdOf", () => {
  it("keeps Meta's trace ids as they are", () => {
    expect(traceIdOf("AbC_12-x/+=")).toBe("AbC_12-x/+=");
  });

  it("escapes anything else, bounds the length, and drops what is not text", () => {
    expect(traceIdOf('a\n<b>"')).toBe("a\\u000a\\u003cb\\u003e\\u0022");
    expect(traceIdOf("x".repeat(1000))).toHaveLength(64);
    expect([traceIdOf(""), traceIdOf(12), traceIdOf(undefined)]).toEqual([undefined, undefined, undefined]);
  });
});

describe("a refusal's two projections", () => {
  const failure: GraphFailure = {
    ok: false,
    transient: false,
    status: 400,
    code: 190,
    subcode: 463,
    fbtraceId: "A1\n",
    message: "Error validating access token",
    userMessage: "x".repeat(400),
  };

  it("keeps codes, an escaped trace id and Meta's words for people, bounded, for the console and dead letters", () => {
    expect(refusalOf(failure)).toEqual({
      status: 400,
      code: 190,
      subcode: 463,
      fbtraceId: "A1\\u000a",
      message: "x".repeat(300),
    });
    expect(refusalOf({ ok: false, transient: true, message: "did not answer" } as GraphFailure)).toEqual({
      message: "did not answer",
    });
    expect(refusalOf(refusalOf(failure))).toEqual(refusalOf(failure));
  });

  it("gives a log line the codes under the log's names, never Meta's words", () => {
    expect(refusalLogFields(failure)).toEqual({
      status: 400,
      meta_code: 190,
      meta_subcode: 463,
      fbtrace_id: "A1\\u000a",
    });
    expect(refusalLogFields(undefined)).toEqual({});
    expect(refusalCodes({ code: 2 })).toEqual({ code: 2 });
  });
});
