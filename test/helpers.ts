/**
 * Test helpers for driving the real routes inside workerd: fixtures, signed requests, the fake
 * Graph endpoint that records what it was sent (the queue tests' and the unit tests' too), and a
 * log sink that records every line.
 */
import canonical from "../fixtures/canonical.json";
import international from "../fixtures/international.json";
import messy from "../fixtures/messy.json";
import minimal from "../fixtures/minimal.json";
import alternative from "../fixtures/alternative.json";
import alternativeFieldMap from "../fixtures/alternative.fieldmap.json";
import { createApp } from "../src/http/app";
import { ADMIN_AUTH_FAILURES } from "../src/http/authLimit";

export const fixtures = { canonical, international, messy, minimal, alternative, alternativeFieldMap };

/** The clock of every test: a few minutes after the canonical webhook's `occurred_at`. */
export const NOW = Date.parse("2026-11-25T19:00:00Z");
export const SECRET = "test-secret";
export const TOKEN = "EAAB-test-token-do-not-log";
export const PIXEL_ID = "1234567890";
export const GRAPH_URL = "https://graph.test";

export const liveEnv = {
  WEBHOOK_SECRET: SECRET,
  META_ACCESS_TOKEN: TOKEN,
  META_PIXEL_ID: PIXEL_ID,
  META_GRAPH_URL: GRAPH_URL,
  META_API_VERSION: "v24.0",
};

export function copy<T>(value: T): T {
  return structuredClone(value);
}

export interface GraphCall {
  url: string;
  body: Record<string, unknown> & { data: Array<Record<string, unknown>> };
}

/** One request as the queue tests read it: where it went, the event ids it carried, its body. */
export interface GraphRequest {
  url: string;
  ids: string[];
  body: GraphCall["body"];
}

/** An answer chosen per request, from its event ids and URL. */
type Answer = (ids: string[], url: string) => Response | Promise<Response>;
type Scripted = Response | Error | Answer;

/**
 * The in-process fake Graph endpoint of the tests: answers each call with the next scripted
 * answer (the last one repeats), or with what an {@link Answer} picks from the request's event
 * ids; records the URL and JSON body of every call (`calls`), and the same as `requests` with the
 * event ids read out (what the queue tests compare).
 *
 * @example
 * ```ts
 * const graph = fakeGraph((ids) => (ids.includes("bad") ? graphError(400, { code: 100 }) : graphOk()));
 * graph.requests.map((r) => r.ids); // [["a", "bad"], ["a"], ["bad"]]
 * ```
 */
export function fakeGraph(...answers: Scripted[]) {
  const calls: GraphCall[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const call: GraphCall = { url: request.url, body: (await request.json()) as GraphCall["body"] };
    calls.push(call);
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next instanceof Error) throw next;
    if (typeof next === "function") return next(idsOf(call), call.url);
    return (next ?? graphOk()).clone();
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    calls,
    /** The calls so far, with their event ids. */
    get requests(): GraphRequest[] {
      return calls.map((call) => ({ url: call.url, ids: idsOf(call), body: call.body }));
    },
  };
}

function idsOf(call: GraphCall): string[] {
  return call.body.data.map((event) => String(event.event_id));
}

export function graphOk(fbtraceId = "AbCdEfGh123"): Response {
  return Response.json({ events_received: 1, messages: [], fbtrace_id: fbtraceId });
}

export function graphError(
  status: number,
  error: { code: number; message?: string; error_subcode?: number; is_transient?: boolean; error_user_msg?: string },
  headers: Record<string, string> = {},
): Response {
  return Response.json(
    { error: { type: "OAuthException", message: "Error", fbtrace_id: "TrAcE42", ...error } },
    { status, headers },
  );
}

/** The relay's app with a fake Graph, a frozen clock, no real sleeping and a recorded log. */
export function relay(graph: Pick<ReturnType<typeof fakeGraph>, "fetch" | "calls"> = fakeGraph(graphOk())) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  let clock = NOW;
  const app = createApp({
    fetch: graph.fetch,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    log: (line) => lines.push(line),
  });
  return { app, graph, lines, sleeps };
}

export function jsonRequest(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** Standard Webhooks headers for `body`, signed with `secret` (a `whsec_` base64 secret). */
export async function signedHeaders(
  body: string,
  secret: string,
  timestampSeconds = Math.floor(NOW / 1000),
  id = "msg_2Kp9",
): Promise<Record<string, string>> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`));
  const signature = btoa(String.fromCharCode(...new Uint8Array(mac)));
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}

/** Every raw personal value of a fixture, as it came in (for "never leaks" checks). */
export const PERSONAL_VALUES = [
  "Jane.Doe@Example.COM",
  "jane.doe@example.com",
  "+1 (415) 555-0123",
  "14155550123",
  "Jane",
  "Doe",
  "San Francisco",
  "94103",
  "1990-02-14",
  "19900214",
  "shopify:7712345",
];
export const IP = "203.0.113.7";

/**
 * A stand-in for Cloudflare's rate limiting binding in Node tests: counts calls per key, refuses
 * past `limit`, never forgets (the tests stay within one period).
 *
 * @example
 * ```ts
 * const ADMIN_AUTH_RATE_LIMIT = countingRateLimit();
 * ```
 */
export function countingRateLimit(limit = ADMIN_AUTH_FAILURES): RateLimit & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    async limit({ key }) {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return { success: n <= limit };
    },
  };
}
