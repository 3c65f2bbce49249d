import { describe, expect, it } from "vitest";
import { GRAPH_TOKEN as TOKEN, graphTarget as target, serverEvent } from "../../test/queueFixtures";
import {
  DEFAULT_TIMEOUT_MS,
  classifyResponse,
  eventsRequestBody,
  eventsUrl,
  failureScope,
  type GraphFailure,
  parseRetryAfter,
  postEvents,
} from "./graph";

const event = serverEvent("qz.ses.1", 1_764_096_127);
const NOW = Date.parse("2026-11-25T20:00:00Z");
const none = new Headers();

function metaError(code: number, extra: Record<string, unknown> = {}) {
  return { error: { message: `error ${code}`, type: "OAuthException", code, fbtrace_id: "TRACE", ...extra } };
}

describe("eventsUrl", () => {
  it("builds {graphUrl}/{version}/{pixel}/events", () => {
    expect(eventsUrl(target)).toBe("https://graph.facebook.com/v24.0/1234567890/events");
  });

  it("tolerates a trailing slash and a local test server", () => {
    expect(eventsUrl({ ...target, graphUrl: "http://127.0.0.1:8787/" })).toBe(
      "http://127.0.0.1:8787/v24.0/1234567890/events",
    );
  });

  it("never carries the token", () => {
    expect(eventsUrl(target)).not.toContain(TOKEN);
    expect(eventsUrl(target)).not.toContain("access_token");
  });

  it("escapes a pixel id that would change the path", () => {
    expect(eventsUrl({ ...target, pixelId: "12/../x?y" })).toBe(
      "https://graph.facebook.com/v24.0/12%2F..%2Fx%3Fy/events",
    );
  });
});

describe("eventsRequestBody", () => {
  it("puts events and the token in the body", () => {
    expect(eventsRequestBody(target, [event])).toEqual({ data: [event], access_token: TOKEN });
  });

  it("adds test_event_code only when set", () => {
    expect(eventsRequestBody({ ...target, testEventCode: "TEST42" }, [event])).toEqual({
      data: [event],
      access_token: TOKEN,
      test_event_code: "TEST42",
    });
    expect("test_event_code" in eventsRequestBody({ ...target, testEventCode: "" }, [event])).toBe(false);
  });

  it("adds appsecret_proof only when set", () => {
    expect(eventsRequestBody({ ...target, appSecretProof: "ab12" }, [event])).toMatchObject({
      appsecret_proof: "ab12",
    });
    expect("appsecret_proof" in eventsRequestBody(target, [event])).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
  });

  it("reads an HTTP date relative to now", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 20:00:10 GMT", NOW)).toBe(10_000);
  });

  it("gives 0 for a date already past", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 19:00:00 GMT", NOW)).toBe(0);
  });

  it.each([null, "", "soon", "-5", "1.5"])("gives undefined for %j", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe("classifyResponse: success", () => {
  it("reads events_received and fbtrace_id", () => {
    expect(classifyResponse(200, none, { events_received: 1, messages: [], fbtrace_id: "AbC" }, NOW)).toEqual({
      ok: true,
      status: 200,
      eventsReceived: 1,
      fbtraceId: "AbC",
    });
  });

  it("leaves fbtraceId out when Meta gives none", () => {
    expect(classifyResponse(200, none, { events_received: 2 }, NOW)).toEqual({
      ok: true,
      status: 200,
      eventsReceived: 2,
    });
  });

  it("keeps Meta's X-Ad-Api-Version-Warning (an auto-upgraded deprecated version), bounded", () => {
    const headers = new Headers({
      "x-ad-api-version-warning": "The call has been auto-upgraded to v27.0 as v24.0 has been deprecated",
    });
    expect(classifyResponse(200, headers, { events_received: 1 }, NOW)).toMatchObject({
      ok: true,
      versionWarning: "The call has been auto-upgraded to v27.0 as v24.0 has been deprecated",
    });
    const long = new Headers({ "x-ad-api-version-warning": "w".repeat(1000) });
    expect(
      (classifyResponse(200, long, { events_received: 1 }, NOW) as { versionWarning: string }).versionWarning,
    ).toHaveLength(300);
  });

  it("treats a 2xx without events_received as transient (not Meta's answer)", () => {
    const outcome = classifyResponse(200, none, { hello: "proxy" }, NOW);
    expect(outcome).toMatchObject({ ok: false, transient: true, status: 200 });
  });
});

describe("classifyResponse: transient errors", () => {
  it.each([1, 2, 4, 17, 341, 368, 613, 80000, 80004, 80014])("retries code %i", (code) => {
    expect(classifyResponse(400, none, metaError(code), NOW)).toMatchObject({ ok: false, transient: true, code });
  });

  it.each([500, 502, 503, 504])("retries HTTP %i without a Meta error", (status) => {
    expect(classifyResponse(status, none, {}, NOW)).toMatchObject({ ok: false, transient: true, status });
  });

  it("retries HTTP 429", () => {
    expect(classifyResponse(429, none, {}, NOW)).toMatchObject({ ok: false, transient: true, status: 429 });
  });

  it("retries an unknown code flagged is_transient", () => {
    expect(classifyResponse(400, none, metaError(9999, { is_transient: true }), NOW)).toMatchObject({
      transient: true,
      code: 9999,
    });
  });

  it("reads Retry-After into retryAfterMs", () => {
    const outcome = classifyResponse(429, new Headers({ "retry-after": "7" }), metaError(4), NOW);
    expect(outcome).toMatchObject({ transient: true, retryAfterMs: 7000 });
  });

  it("reads an HTTP-date Retry-After relative to now", () => {
    const headers = new Headers({ "retry-after": "Wed, 25 Nov 2026 20:00:02 GMT" });
    expect(classifyResponse(503, headers, {}, NOW)).toMatchObject({ transient: true, retryAfterMs: 2000 });
  });

  it("leaves retryAfterMs out without the header", () => {
    expect("retryAfterMs" in classifyResponse(503, none, {}, NOW)).toBe(false);
  });

  it.each([80001, 80015])("stops the throttling range at 80014 (code %i)", (code) => {
    expect(classifyResponse(400, none, metaError(code), NOW)).toMatchObject({ transient: code === 80001 });
  });
});

describe("classifyResponse: permanent errors", () => {
  it("does not retry code 100 and carries everything Meta said", () => {
    const body = metaError(100, {
      message: "Invalid parameter",
      error_subcode: 2804003,
      error_user_title: "Event Timestamp Too Old",
      error_user_msg: "The timestamp for this event is too far in the past.",
      is_transient: false,
    });
    expect(classifyResponse(400, none, body, NOW)).toEqual({
      ok: false,
      transient: false,
      status: 400,
      code: 100,
      subcode: 2804003,
      message: "Invalid parameter",
      userMessage: "The timestamp for this event is too far in the past.",
      fbtraceId: "TRACE",
    });
  });

  it.each([190, 10, 200, 230, 299, 2635])("does not retry code %i", (code) => {
    expect(classifyResponse(400, none, metaError(code), NOW)).toMatchObject({ ok: false, transient: false, code });
  });

  it("keeps a never-retry code permanent even on HTTP 500 with is_transient", () => {
    expect(classifyResponse(500, none, metaError(190, { is_transient: true }), NOW)).toMatchObject({
      transient: false,
    });
  });

  it.each([400, 401, 403, 404, 413])("does not retry an unknown HTTP %i", (status) => {
    expect(classifyResponse(status, none, {}, NOW)).toMatchObject({ ok: false, transient: false, status });
  });

  it("does not retry an unknown code on a 4xx", () => {
    expect(classifyResponse(400, none, metaError(12345), NOW)).toMatchObject({ transient: false, code: 12345 });
  });

  it("falls back to a message naming the status", () => {
    expect(classifyResponse(404, none, "nope", NOW)).toMatchObject({ message: "Graph API answered HTTP 404" });
  });

  it("reads codes sent as strings and ignores junk fields", () => {
    const body = { error: { code: "613", error_subcode: "x", message: 5, fbtrace_id: null } };
    const outcome = classifyResponse(400, none, body, NOW);
    expect(outcome).toEqual({
      ok: false,
      transient: true,
      status: 400,
      code: 613,
      message: "Graph API answered HTTP 400",
    });
  });
});

/** A fetch that records its calls and answers from a script. */
function scriptedFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return answer(url, init ?? {});
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("postEvents", () => {
  it("POSTs JSON with the token in the body only, and reads success", async () => {
    const { fetch, calls } = scriptedFetch(() => Response.json({ events_received: 1, fbtrace_id: "T1" }));
    const outcome = await postEvents({ ...target, testEventCode: "TEST42" }, [event], { fetch, timeoutMs: 1000 });
    expect(outcome).toEqual({ ok: true, status: 200, eventsReceived: 1, fbtraceId: "T1" });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe("https://graph.facebook.com/v24.0/1234567890/events");
    expect(call?.url).not.toContain(TOKEN);
    expect(call?.init.method).toBe("POST");
    expect(new Headers(call?.init.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(call?.init.body))).toEqual({
      data: [event],
      access_token: TOKEN,
      test_event_code: "TEST42",
    });
    expect(call?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it("calls fetch unbound, as workerd's global fetch demands", async () => {
    // workerd throws "Illegal invocation" when its fetch is called with another `this`.
    const fetch = function (this: unknown) {
      if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
      return Promise.resolve(Response.json({ events_received: 1 }));
    } as unknown as typeof globalThis.fetch;
    expect(await postEvents(target, [event], { fetch })).toMatchObject({ ok: true });
  });

  it("classifies a Meta error answer", async () => {
    const { fetch } = scriptedFetch(() => Response.json(metaError(100, { error_subcode: 2804019 }), { status: 400 }));
    expect(await postEvents(target, [event], { fetch })).toMatchObject({
      ok: false,
      transient: false,
      code: 100,
      subcode: 2804019,
      fbtraceId: "TRACE",
    });
  });

  it("passes Retry-After through, relative to the injected clock", async () => {
    const { fetch } = scriptedFetch(
      () => new Response("{}", { status: 503, headers: { "retry-after": "Wed, 25 Nov 2026 20:00:04 GMT" } }),
    );
    expect(await postEvents(target, [event], { fetch, now: () => NOW })).toMatchObject({
      transient: true,
      retryAfterMs: 4000,
    });
  });

  it("turns a timeout into a transient outcome", async () => {
    const fetch = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      })) as typeof globalThis.fetch;
    const started = performance.now();
    const outcome = await postEvents(target, [event], { fetch, timeoutMs: 20 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcome).toEqual({ ok: false, transient: true, message: "Graph API did not answer within 20 ms" });
  });

  it("times out a body that stalls after the headers", async () => {
    const fetch = ((_input: RequestInfo | URL, init?: RequestInit) => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"events_rec'));
          init?.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        },
      });
      return Promise.resolve(new Response(stream, { status: 200 }));
    }) as typeof globalThis.fetch;
    expect(await postEvents(target, [event], { fetch, timeoutMs: 20 })).toMatchObject({ ok: false, transient: true });
  });

  it("turns a thrown network error into a transient outcome", async () => {
    const { fetch } = scriptedFetch(() => {
      throw new TypeError("fetch failed");
    });
    expect(await postEvents(target, [event], { fetch })).toEqual({
      ok: false,
      transient: true,
      message: "Graph API unreachable: TypeError: fetch failed",
    });
  });

  it("turns a non-JSON 502 into a transient outcome", async () => {
    const { fetch } = scriptedFetch(() => new Response("<html>Bad Gateway</html>", { status: 502 }));
    expect(await postEvents(target, [event], { fetch })).toMatchObject({ ok: false, transient: true, status: 502 });
  });

  it("treats a non-JSON 200 as transient, never as success", async () => {
    const { fetch } = scriptedFetch(() => new Response("OK", { status: 200 }));
    expect(await postEvents(target, [event], { fetch })).toMatchObject({ ok: false, transient: true, status: 200 });
  });

  it("scrubs the token from messages even when an answer echoes it", async () => {
    const { fetch } = scriptedFetch(() =>
      Response.json(metaError(190, { message: `Bad token ${TOKEN}`, error_user_msg: `Token ${TOKEN} expired` }), {
        status: 400,
      }),
    );
    const outcome = await postEvents(target, [event], { fetch });
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
    expect(outcome).toMatchObject({ message: "Bad token [redacted]", userMessage: "Token [redacted] expired" });
  });

  it("scrubs the token from a network error message", async () => {
    const { fetch } = scriptedFetch(() => {
      throw new Error(`connect failed for ${TOKEN}`);
    });
    expect(JSON.stringify(await postEvents(target, [event], { fetch }))).not.toContain(TOKEN);
  });

  it("defaults to Meta's 1.5 s timeout", () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(1500);
  });
});

describe("failureScope", () => {
  const failure = (overrides: Partial<GraphFailure>): GraphFailure => ({
    ok: false,
    transient: false,
    status: 400,
    message: "x",
    ...overrides,
  });

  it("calls transient what may succeed later", () => {
    expect(failureScope(failure({ transient: true, status: 503 }))).toBe("transient");
  });

  it.each([
    ["a revoked or expired token (190)", { code: 190, subcode: 463 }],
    ["a session key (102)", { code: 102 }],
    ["a missing access token (104)", { code: 104 }],
    ["a missing permission (10)", { code: 10 }],
    ["a permission error (200–299)", { code: 273 }],
    ["a dead API version (2635)", { code: 2635 }],
    ["a pixel that does not exist or the token cannot reach (100/33)", { code: 100, subcode: 33 }],
    ["a permanent 4xx with no code", { status: 404, code: undefined }],
  ])("calls %s the configuration: no event would get through", (_what, overrides) => {
    expect(failureScope(failure(overrides))).toBe("configuration");
  });

  it.each([
    ["an invalid parameter of an event (100/2804003)", { code: 100, subcode: 2804003 }],
    ["code 100 without a subcode", { code: 100 }],
    ["an unknown permanent code", { code: 1234 }],
  ])("calls %s the event's", (_what, overrides) => {
    expect(failureScope(failure(overrides))).toBe("event");
  });

  it("reads Meta's real answers through classifyResponse", () => {
    const wrongPixel = classifyResponse(
      400,
      none,
      {
        error: {
          message: "Unsupported post request. Object with ID '123' does not exist",
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
          fbtrace_id: "A",
        },
      },
      NOW,
    );
    expect(wrongPixel).toMatchObject({ ok: false, transient: false });
    expect(failureScope(wrongPixel as GraphFailure)).toBe("configuration");
    const session = classifyResponse(400, none, { error: { message: "Session key invalid", code: 102 } }, NOW);
    expect(session).toMatchObject({ transient: false });
  });
});
