import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/settings";
import { classifyResponse, postEvents } from "../../src/delivery/graph";
import type { ServerEvent } from "../../src/transform/capi";
import { transformWebhook } from "../../src/transform/transformWebhook";
import { MAX_EVENT_AGE_SECONDS } from "./errors.ts";
import { MODE_KINDS } from "./modes.ts";
import { type FakeMeta, type RequestRecord, startFakeMeta } from "./server.ts";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const TOKEN = "EAAB-fake-meta-test-token-never-shown";
const PIXEL = "1234567890";
const OTHER = "9876543210";
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

let clock = NOW;
let meta: FakeMeta;

beforeAll(async () => {
  meta = await startFakeMeta({ seed: 7, now: () => clock });
});
afterAll(async () => {
  await meta.close();
});
afterEach(() => {
  clock = NOW;
  meta.reset();
});

function event(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    event_name: "Lead",
    event_time: Math.floor(clock / 1000) - 30,
    event_id: `cartful.ses_${Math.random().toString(36).slice(2, 8)}.1`,
    action_source: "website",
    event_source_url: "https://shop.example.com/pages/skin-quiz",
    user_data: {
      em: sha("jane@example.com"),
      client_user_agent: "Mozilla/5.0",
      client_ip_address: "203.0.113.7",
      fbp: "fb.1.1732560000000.1098765432",
    },
    ...overrides,
  };
}

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

async function post(
  pixel: string,
  body: unknown,
  init: { version?: string; headers?: Record<string, string>; query?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${meta.url}/${init.version ?? "v27.0"}/${pixel}/events${init.query ?? ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

const send = (pixel = PIXEL, events = [event()], extra: Record<string, unknown> = {}) =>
  post(pixel, { data: events, access_token: TOKEN, ...extra });

async function quality(query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${meta.url}/v27.0/dataset_quality?${query}`, { headers });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function control(query: string): Promise<Answer> {
  const response = await fetch(`${meta.url}/_control?${query}`);
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describe("POST /{version}/{pixel}/events", () => {
  it("accepts good events like Meta: events_received, messages, fbtrace_id (also in x-fb-trace-id)", async () => {
    const answer = await send(PIXEL, [event(), event()]);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      events_received: 2,
      messages: [],
      fbtrace_id: expect.stringMatching(/^A[A-Za-z0-9_-]{22}$/),
    });
    expect(answer.headers.get("x-fb-trace-id")).toBe(answer.json.fbtrace_id);
    expect(meta.received(PIXEL)).toHaveLength(2);
  });

  it("refuses a bad event with Meta's error envelope and an fbtrace_id, and keeps none of the request's events", async () => {
    const answer = await send(PIXEL, [
      event(),
      event({ event_time: Math.floor(clock / 1000) - MAX_EVENT_AGE_SECONDS - 10 }),
    ]);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      code: 100,
      error_subcode: 2804003,
      type: "OAuthException",
      fbtrace_id: expect.stringMatching(/^A/),
    });
    expect(answer.json.error.error_user_msg).toContain("$['data'][1]['event_time']");
    expect(meta.received(PIXEL)).toHaveLength(0);
  });

  it("counts the events Meta would drop as duplicates (same event_name and event_id within 48 hours)", async () => {
    const lead = event();
    await send(PIXEL, [lead]);
    await send(PIXEL, [lead, { ...lead, event_name: "Contact" }, event()]);
    clock += 48 * 3_600_000 + 1000;
    await send(PIXEL, [{ ...lead, event_time: Math.floor(clock / 1000) - 5 }]);
    expect(meta.requests.map((r) => [r.outcome, r.duplicates])).toEqual([
      ["accepted", undefined],
      ["accepted", 1],
      ["accepted", undefined],
    ]);
    expect(meta.received(PIXEL)).toHaveLength(5);
  });

  it("refuses a body that is not JSON", async () => {
    const answer = await post(PIXEL, "{not json", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.json.error).toMatchObject({
      code: 100,
      message: "(#100) The request body is not valid JSON",
      fbtrace_id: expect.any(String),
    });
  });

  it("takes a form body whose data is JSON, as Graph does", async () => {
    const body = new URLSearchParams({ access_token: TOKEN, data: JSON.stringify([event()]) }).toString();
    const answer = await post(PIXEL, body, { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(answer.json.events_received).toBe(1);
  });

  it("answers an unknown path with code 2500", async () => {
    const response = await fetch(`${meta.url}/v27.0/${PIXEL}/nonsense`, { method: "POST", body: "{}" });
    expect(await response.json()).toMatchObject({ error: { code: 2500, fbtrace_id: expect.any(String) } });
  });

  it("refuses a pixel id that is not a number with code 100 / 33", async () => {
    const answer = await send("my-pixel");
    expect(answer.json.error).toMatchObject({ code: 100, error_subcode: 33, type: "GraphMethodException" });
  });
});

describe("the access token", () => {
  it("is required: code 104", async () => {
    const answer = await post(PIXEL, { data: [event()] });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      code: 104,
      type: "OAuthException",
      message: "An access token is required to request this resource.",
    });
  });

  it("is read from the body, an Authorization: Bearer header or the query string (which is flagged)", async () => {
    expect((await post(PIXEL, { data: [event()] }, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
    expect((await post(PIXEL, { data: [event()] }, { query: `?access_token=${TOKEN}` })).status).toBe(200);
    expect(meta.requests.map((r) => r.token_in_url ?? false)).toEqual([false, true]);
  });

  it("must be the configured one when the fake has one: code 190", async () => {
    const strict = await startFakeMeta({ token: "right" });
    try {
      const response = await fetch(`${strict.url}/v27.0/${PIXEL}/events`, {
        method: "POST",
        body: JSON.stringify({ data: [event()], access_token: "wrong" }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: { code: 190, message: "Invalid OAuth access token - Cannot parse access token" },
      });
    } finally {
      await strict.close();
    }
  });

  it("never appears in /_requests, the page or the in-process records", async () => {
    await send();
    await post(PIXEL, { data: [event()] }, { query: `?access_token=${TOKEN}` });
    await quality(`dataset_id=${PIXEL}&access_token=${TOKEN}`);
    await control("mode=revoked_token");
    await send();
    const seen = [
      await (await fetch(`${meta.url}/_requests`)).text(),
      await (await fetch(`${meta.url}/`)).text(),
      JSON.stringify(meta.requests),
    ];
    expect(meta.requests).toHaveLength(4);
    for (const text of seen) expect(text).not.toContain(TOKEN);
  });

  it("is checked against appsecret_proof when the fake knows the app secret", async () => {
    const strict = await startFakeMeta({ appSecret: "app-secret", now: () => clock });
    try {
      const proof = createHmac("sha256", "app-secret").update(TOKEN).digest("hex");
      const sendWith = async (appsecret_proof: string) =>
        (
          await fetch(`${strict.url}/v27.0/${PIXEL}/events`, {
            method: "POST",
            body: JSON.stringify({ data: [event()], access_token: TOKEN, appsecret_proof }),
          })
        ).json();
      expect(await sendWith(proof)).toMatchObject({ events_received: 1 });
      expect(await sendWith("0".repeat(64))).toMatchObject({
        error: { code: 100, message: "Invalid appsecret_proof provided in the API argument" },
      });
    } finally {
      await strict.close();
    }
  });
});

describe("misbehaviour", () => {
  it("transient: HTTP 500, code 2, is_transient", async () => {
    meta.control({ mode: "transient" });
    const answer = await send();
    expect(answer.status).toBe(500);
    expect(answer.json.error).toMatchObject({ code: 2, is_transient: true, fbtrace_id: expect.any(String) });
  });

  it("transient: HTTP 503 when asked", async () => {
    meta.control({ mode: "transient", status: 503 });
    expect((await send()).status).toBe(503);
  });

  it("throttle: code 17 on HTTP 429 with Retry-After", async () => {
    meta.control({ mode: "throttle", retry_after: 7 });
    const answer = await send();
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("7");
    expect(answer.json.error).toMatchObject({ code: 17, message: "(#17) User request limit reached" });
  });

  it("throttle: code 613 on HTTP 400", async () => {
    meta.control({ mode: "throttle", code: 613 });
    const answer = await send();
    expect([answer.status, answer.json.error.code]).toEqual([400, 613]);
    expect(answer.headers.get("retry-after")).toBe("10");
  });

  it("expired_token: code 190, subcode 463, saying when", async () => {
    meta.control({ mode: "expired_token" });
    const answer = await send();
    expect(answer.json.error).toMatchObject({ code: 190, error_subcode: 463, type: "OAuthException" });
    expect(answer.json.error.message).toMatch(
      /^Error validating access token: Session has expired on \w+day, 25-Nov-26 /,
    );
  });

  it("revoked_token: code 190, subcode 460", async () => {
    meta.control({ mode: "revoked_token" });
    expect((await send()).json.error).toMatchObject({ code: 190, error_subcode: 460 });
  });

  it("wrong_pixel: code 100, subcode 33, naming the object", async () => {
    meta.control({ mode: "wrong_pixel", pixel: PIXEL });
    const answer = await send();
    expect(answer.json.error).toMatchObject({ code: 100, error_subcode: 33, type: "GraphMethodException" });
    expect(answer.json.error.message).toMatch(
      new RegExp(`^Unsupported post request\\. Object with ID '${PIXEL}' does not exist`),
    );
    expect((await send(OTHER)).status).toBe(200);
  });

  it("dead_version: code 2635 for every version, or only the one named", async () => {
    meta.control({ mode: "dead_version" });
    expect((await send()).json.error).toMatchObject({
      code: 2635,
      message: expect.stringMatching(/^\(#2635\) You are calling a deprecated version/),
    });
    meta.control({ mode: "dead_version", version: "v24.0" });
    expect((await post(PIXEL, { data: [event()], access_token: TOKEN }, { version: "v24.0" })).json.error.code).toBe(
      2635,
    );
    expect((await send()).status).toBe(200);
  });

  it("version_warning: success with X-Ad-Api-Version-Warning", async () => {
    meta.control({ mode: "version_warning" });
    const answer = await send();
    expect(answer.json.events_received).toBe(1);
    expect(answer.headers.get("x-ad-api-version-warning")).toBe(
      "The call has been auto-upgraded to v28.0 as v27.0 will be deprecated.",
    );
  });

  it("slow: answers after the delay", async () => {
    meta.control({ mode: "slow", delay: 300 });
    const started = performance.now();
    expect((await send()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(meta.requests.at(-1)).toMatchObject({ delay_ms: 300, outcome: "accepted" });
  });

  it("slow past the client's timeout: keeps the events and records that the client was gone", async () => {
    meta.control({ mode: "slow", delay: 300 });
    const sending = fetch(`${meta.url}/v27.0/${PIXEL}/events`, {
      method: "POST",
      body: JSON.stringify({ data: [event()], access_token: TOKEN }),
      signal: AbortSignal.timeout(50),
    });
    await expect(sending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(meta.requests.at(-1)).toMatchObject({ outcome: "accepted", client_gone: true, delay_ms: 300 });
    expect(meta.received(PIXEL)).toHaveLength(1);
  });

  it("drop: closes the connection without an answer and keeps nothing", async () => {
    meta.control({ mode: "drop" });
    await expect(send()).rejects.toThrow();
    expect(meta.received(PIXEL)).toHaveLength(0);
    expect(meta.requests.at(-1)).toMatchObject({ outcome: "dropped", mode: "drop", status: 0 });
  });

  it("drop after: keeps the events, then closes the connection (the ambiguous case)", async () => {
    meta.control({ mode: "drop", phase: "after" });
    await expect(send()).rejects.toThrow();
    expect(meta.received(PIXEL)).toHaveLength(1);
  });

  it("draws fresh trace ids on each start unless seeded", async () => {
    const traces = async (options: { seed?: number }) => {
      const fake = await startFakeMeta({ ...options, now: () => clock });
      try {
        const response = await fetch(`${fake.url}/v27.0/${PIXEL}/events`, {
          method: "POST",
          body: JSON.stringify({ data: [event()], access_token: TOKEN }),
        });
        return ((await response.json()) as { fbtrace_id: string }).fbtrace_id;
      } finally {
        await fake.close();
      }
    };
    expect(await traces({ seed: 3 })).toBe(await traces({ seed: 3 }));
    expect(await traces({})).not.toBe(await traces({}));
  });

  it("fail_rate: fails about the given share of requests, the same ones for the same seed", async () => {
    const outcomes = async (fake: FakeMeta) => {
      fake.control({ mode: "fail_rate", rate: 0.5, fail: "throttle" });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const response = await fetch(`${fake.url}/v27.0/${PIXEL}/events`, {
          method: "POST",
          body: JSON.stringify({ data: [event()], access_token: TOKEN }),
        });
        statuses.push(response.status);
      }
      return statuses;
    };
    const first = await outcomes(meta);
    const twin = await startFakeMeta({ seed: 7, now: () => clock });
    try {
      expect(await outcomes(twin)).toEqual(first);
    } finally {
      await twin.close();
    }
    const failed = first.filter((status) => status === 429).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
    expect(first.filter((status) => status === 200).length).toBe(40 - failed);
    expect(meta.requests.filter((r) => r.mode === "fail_rate")).toHaveLength(failed);
  });

  it("applies a pixel's mode to that pixel only", async () => {
    meta.control({ mode: "transient", pixel: OTHER });
    expect((await send(PIXEL)).status).toBe(200);
    expect((await send(OTHER)).status).toBe(500);
  });

  it("ends a mode after its duration", async () => {
    meta.control({ mode: "transient", for: 60 });
    expect((await send()).status).toBe(500);
    clock += 60_000;
    expect((await send()).status).toBe(200);
  });

  it("applies modes in order: a dead version before a bad token before throttling", async () => {
    meta.control({ mode: "throttle" });
    meta.control({ mode: "expired_token" });
    expect((await send()).json.error.code).toBe(190);
    meta.control({ mode: "dead_version" });
    expect((await send()).json.error.code).toBe(2635);
  });
});

describe("GET /{version}/dataset_quality", () => {
  const FIELDS =
    "web{event_name,event_match_quality{composite_score,match_key_feedback{identifier,coverage}},event_coverage,dedupe_key_feedback,data_freshness,acr}";

  it("answers Meta's shape from the events accepted for the dataset", async () => {
    await send(PIXEL, [event(), event({ user_data: { em: sha("a"), ph: sha("1"), client_user_agent: "UA" } })]);
    await send(OTHER, [event({ event_name: "Purchase", custom_data: { value: 1, currency: "USD" } })]);
    const answer = await quality(`dataset_id=${PIXEL}&fields=${encodeURIComponent(FIELDS)}&access_token=${TOKEN}`);
    expect(answer.status).toBe(200);
    expect(answer.json.web).toHaveLength(1);
    const [entry] = answer.json.web;
    expect(entry.event_name).toBe("Lead");
    expect(entry.event_match_quality.composite_score).toBeGreaterThan(0);
    expect(entry.event_match_quality.match_key_feedback).toContainEqual({
      identifier: "phone",
      coverage: { percentage: 50 },
    });
    expect(entry.event_match_quality.match_key_feedback).toContainEqual({
      identifier: "email",
      coverage: { percentage: 100 },
    });
    expect(Object.keys(entry)).toEqual([
      "event_name",
      "event_match_quality",
      "event_coverage",
      "dedupe_key_feedback",
      "data_freshness",
      "acr",
    ]);
    expect(answer.headers.get("x-fb-trace-id")).toMatch(/^A/);
  });

  it("takes the token as Authorization: Bearer", async () => {
    expect((await quality(`dataset_id=${PIXEL}`, { authorization: `Bearer ${TOKEN}` })).json).toEqual({ web: [] });
  });

  it("requires a token and a dataset_id", async () => {
    expect((await quality(`dataset_id=${PIXEL}`)).json.error.code).toBe(104);
    expect((await quality(`access_token=${TOKEN}`)).json.error).toMatchObject({
      code: 100,
      message: "(#100) The parameter dataset_id is required",
    });
  });

  it("refuses a field the node does not have", async () => {
    const answer = await quality(`dataset_id=${PIXEL}&access_token=${TOKEN}&fields=web{dedup_key_feedback}`);
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain("nonexisting field (dedup_key_feedback)");
  });

  it("no_permission: code 200 (or 10), OAuthException, with an fbtrace_id", async () => {
    meta.control({ mode: "no_permission" });
    const answer = await quality(`dataset_id=${PIXEL}&access_token=${TOKEN}`);
    expect(answer.status).toBe(403);
    expect(answer.json.error).toMatchObject({
      code: 200,
      type: "OAuthException",
      message: "(#200) Permissions error",
      fbtrace_id: expect.any(String),
    });
    meta.control({ mode: "no_permission", code: 10 });
    expect((await quality(`dataset_id=${PIXEL}&access_token=${TOKEN}`)).json.error.code).toBe(10);
    expect((await send()).status).toBe(200);
  });

  it("wrong_pixel: an unsupported get request", async () => {
    meta.control({ mode: "wrong_pixel" });
    expect((await quality(`dataset_id=${PIXEL}&access_token=${TOKEN}`)).json.error.message).toMatch(
      /^Unsupported get request\. Object with ID '1234567890'/,
    );
  });
});

describe("the control endpoint and page", () => {
  it("sets a mode from the query string and lists the modes", async () => {
    const answer = await control(`mode=throttle&pixel=${PIXEL}&for=60&code=613&retry_after=5`);
    expect(answer.json.modes).toEqual([
      {
        kind: "throttle",
        pixel: PIXEL,
        code: 613,
        status: 400,
        retryAfter: 5,
        since: new Date(NOW).toISOString(),
        until: new Date(NOW + 60_000).toISOString(),
      },
    ]);
    expect((await send()).json.error.code).toBe(613);
  });

  it("sets a mode from a JSON body", async () => {
    await fetch(`${meta.url}/_control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "transient", status: 503 }),
    });
    expect((await send()).status).toBe(503);
  });

  it("sets a mode from the page's form and goes back to the page", async () => {
    const response = await fetch(`${meta.url}/_control`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "mode=revoked_token&pixel=&for=",
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/?notice=${encodeURIComponent("Set revoked_token.")}`);
    expect((await send()).json.error.error_subcode).toBe(460);
  });

  it("clears one mode, or a scope with mode=none", async () => {
    await control("mode=transient");
    await control(`mode=slow&delay=1&pixel=${PIXEL}`);
    await control("clear=transient");
    expect((await control("")).json.modes.map((m: { kind: string }) => m.kind)).toEqual(["slow"]);
    await control(`mode=none&pixel=${PIXEL}`);
    expect((await control("")).json.modes).toEqual([]);
  });

  it("refuses a bad mode with the reason", async () => {
    const answer = await control("mode=throttle&code=99");
    expect(answer.status).toBe(400);
    expect(answer.json.error).toContain("code must be one of");
  });

  it("resets everything", async () => {
    await send();
    await control("mode=transient");
    await fetch(`${meta.url}/_reset`, { method: "POST" });
    expect([meta.requests.length, meta.modes().length, meta.received(PIXEL).length]).toEqual([0, 0, 0]);
  });

  it("lists recent requests newest first with pixel, event ids and outcome, filtered by pixel", async () => {
    const first = event();
    await send(PIXEL, [first]);
    await send(OTHER);
    meta.control({ mode: "throttle" });
    await send(PIXEL);
    const { requests } = (await (await fetch(`${meta.url}/_requests?pixel=${PIXEL}`)).json()) as {
      requests: RequestRecord[];
    };
    expect(requests.map((r) => [r.pixel, r.outcome, r.mode, r.code])).toEqual([
      [PIXEL, "error", "throttle", 17],
      [PIXEL, "accepted", undefined, undefined],
    ]);
    expect(requests[1]).toMatchObject({
      event_ids: [first.event_id],
      user_data_keys: ["client_ip_address", "client_user_agent", "em", "fbp"],
      status: 200,
    });
    expect(
      ((await (await fetch(`${meta.url}/_requests?limit=1`)).json()) as { requests: RequestRecord[] }).requests,
    ).toHaveLength(1);
  });

  it("offers every mode in the page's form", async () => {
    const html = await (await fetch(`${meta.url}/`)).text();
    for (const kind of MODE_KINDS) expect(html).toContain(`<option value="${kind}">`);
  });

  it("serves one self-contained page with the modes, pixels and requests, escaping what it shows", async () => {
    await send();
    meta.control({ mode: "throttle", pixel: PIXEL });
    const response = await fetch(`${meta.url}/?notice=${encodeURIComponent("<script>alert(1)</script>")}`);
    const html = await response.text();
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(html).toContain("<td>throttle</td>");
    expect(html).toContain(`${PIXEL}: 1 events accepted`);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe("the relay against the fake", () => {
  const target = () => ({ graphUrl: meta.url, apiVersion: "v27.0", pixelId: PIXEL, accessToken: TOKEN });

  /** The relay's event for a fixture, stamped a minute ago, sent to the fake. */
  async function relayFixture(name: string) {
    const payload = JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));
    payload.occurred_at = new Date(clock - 60_000).toISOString();
    const config = parseConfig({ META_ACCESS_TOKEN: TOKEN, META_PIXEL_ID: PIXEL });
    const result = transformWebhook(payload, config, config.destinations, clock);
    const routed = result.outcome === "routed" ? result.results[0] : undefined;
    if (routed?.outcome !== "event") throw new Error(`no event for ${name}: ${JSON.stringify(result)}`);
    return postEvents(target(), [routed.event], { fetch, timeoutMs: 2000, now: () => clock });
  }

  it.each(["canonical", "minimal", "international", "messy"])(
    "sends fixtures/%s.json in a shape the fake accepts",
    async (name) => {
      expect(await relayFixture(name)).toMatchObject({ ok: true, eventsReceived: 1 });
    },
  );

  it("reads the fake's throttling as transient with its Retry-After, and its token error as permanent", async () => {
    meta.control({ mode: "throttle", code: 613, retry_after: 4 });
    expect(await postEvents(target(), [event() as ServerEvent], { fetch, now: () => clock })).toMatchObject({
      ok: false,
      transient: true,
      code: 613,
      retryAfterMs: 4000,
    });
    meta.control({ mode: "expired_token" });
    expect(await postEvents(target(), [event() as ServerEvent], { fetch, now: () => clock })).toMatchObject({
      ok: false,
      transient: false,
      code: 190,
      subcode: 463,
    });
  });

  it("reads a refused event as permanent with Meta's message for people", async () => {
    const response = await fetch(`${meta.url}/v27.0/${PIXEL}/events`, {
      method: "POST",
      body: JSON.stringify({ data: [event({ action_source: "web" })], access_token: TOKEN }),
    });
    const outcome = classifyResponse(response.status, response.headers, await response.json(), clock);
    expect(outcome).toMatchObject({
      ok: false,
      transient: false,
      code: 100,
      subcode: 2804019,
      userMessage: expect.stringContaining("['action_source']"),
    });
  });
});
