/**
 * Test helpers for driving the real routes inside workerd: fixtures, signed requests, a fake
 * Graph endpoint that records what it was sent, and a log sink that records every line.
 */
import canonical from "../fixtures/canonical.json";
import international from "../fixtures/international.json";
import messy from "../fixtures/messy.json";
import minimal from "../fixtures/minimal.json";
import alternative from "../fixtures/alternative.json";
import alternativeFieldMap from "../fixtures/alternative.fieldmap.json";
import { createApp } from "../src/http/app";

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

type Scripted = Response | Error | (() => Response | Promise<Response>);

/**
 * A fake Graph endpoint: answers each call with the next scripted answer (the last one
 * repeats) and records the URL and JSON body of every call.
 */
export function fakeGraph(...answers: Scripted[]) {
  const calls: GraphCall[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    calls.push({ url: request.url, body: (await request.json()) as GraphCall["body"] });
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next instanceof Error) throw next;
    if (typeof next === "function") return next();
    return (next ?? graphOk()).clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
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
export function relay(graph = fakeGraph(graphOk())) {
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
