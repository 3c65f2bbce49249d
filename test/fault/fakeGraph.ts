/**
 * A fake Graph API on loopback (127.0.0.1 only) that fails at random, from a seeded generator:
 * 5xx, 429 with code 17 or 613 and Retry-After, requests left hanging past the client's timeout,
 * connections dropped, and, like Meta, a whole request refused with code 100 when it carries the
 * poisoned event. It records what it accepted, per event_id, and which acceptances the client
 * can never have learned of (answer delayed past the timeout, or connection dropped after
 * accepting): those are the only honest source of duplicate sends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "ok" | "http_500" | "http_503" | "throttle_17" | "throttle_613" | "hang" | "drop" | "accept_then_hang" | "accept_then_drop";

/** Per-request probabilities; what is left is "ok". */
export interface FaultRates {
  http_500: number;
  http_503: number;
  throttle_17: number;
  throttle_613: number;
  hang: number;
  drop: number;
  accept_then_hang: number;
  accept_then_drop: number;
}

export interface FakeGraphOptions {
  token: string;
  pixelIds: string[];
  apiVersion: string;
  rates: FaultRates;
  random: () => number;
  /** How long a hanging answer is held (longer than the client's timeout). */
  hangMs: number;
  /** Event ids refused with code 100. */
  poisoned: Set<string>;
}

export interface FakeGraph {
  url: string;
  /** Acceptances per event_id. */
  accepted: Map<string, number>;
  /** Acceptances per event_id whose answer the client never got. */
  ambiguous: Map<string, number>;
  /** Every event_id the fake Graph was sent, accepted or not. */
  seen: Set<string>;
  faults: Record<Fault | "poisoned", number>;
  requests: number;
  /** Problems with a request itself (token in URL, wrong pixel…), which the test asserts are none. */
  protocolErrors: string[];
  close(): Promise<void>;
}

/** `mulberry32`: a small seeded PRNG, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const accepted = new Map<string, number>();
  const ambiguous = new Map<string, number>();
  const seen = new Set<string>();
  const faults = { ok: 0, http_500: 0, http_503: 0, throttle_17: 0, throttle_613: 0, hang: 0, drop: 0, accept_then_hang: 0, accept_then_drop: 0, poisoned: 0 };
  const protocolErrors: string[] = [];
  const state = { requests: 0 };
  let trace = 0;

  const pickFault = (): Fault => {
    let roll = options.random();
    for (const [fault, rate] of Object.entries(options.rates) as [Fault, number][]) {
      if (roll < rate) return fault;
      roll -= rate;
    }
    return "ok";
  };
  const accept = (ids: string[], into: Map<string, number>) => {
    for (const id of ids) into.set(id, (into.get(id) ?? 0) + 1);
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const metaError = (code: number, message: string, extra: Record<string, unknown> = {}) => ({
    error: { message, type: "OAuthException", code, fbtrace_id: `FT${++trace}`, ...extra },
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.requests++;
      const paths = options.pixelIds.map((pixelId) => `/${options.apiVersion}/${pixelId}/events`);
      if (req.method !== "POST" || !paths.includes(req.url ?? "")) protocolErrors.push(`unexpected ${req.method} ${req.url}`);
      let body: { data?: { event_id?: string; event_time?: number }[]; access_token?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        protocolErrors.push("body is not JSON");
        return json(res, 400, metaError(100, "Invalid JSON"));
      }
      if (body.access_token !== options.token) protocolErrors.push("wrong or missing access_token");
      const events = body.data ?? [];
      if (events.length < 1 || events.length > 1000) protocolErrors.push(`request with ${events.length} events`);
      const ids = events.map((e) => String(e.event_id));
      for (const id of ids) seen.add(id);

      const fault = pickFault();
      faults[fault]++;
      switch (fault) {
        case "http_500":
          return json(res, 500, metaError(2, "An unexpected error has occurred. Please retry your request later.", { is_transient: true }));
        case "http_503":
          res.writeHead(503, { "content-type": "text/html" });
          return res.end("<html>Service Unavailable</html>");
        case "throttle_17":
          return json(res, 429, metaError(17, "User request limit reached", { is_transient: true }), { "retry-after": "2" });
        case "throttle_613":
          return json(res, 400, metaError(613, "Calls to this api have exceeded the rate limit."), { "retry-after": "1" });
        case "hang":
          return void setTimeout(() => res.destroyed || json(res, 503, metaError(2, "late")), options.hangMs);
        case "drop":
          return void req.socket.destroy();
      }
      if (ids.some((id) => options.poisoned.has(id))) {
        faults.poisoned++;
        return json(res, 400, metaError(100, "Invalid parameter", { error_subcode: 2804003, error_user_msg: "The event has an invalid parameter." }));
      }
      accept(ids, accepted);
      if (fault === "accept_then_hang") {
        accept(ids, ambiguous);
        return void setTimeout(() => res.destroyed || json(res, 200, { events_received: ids.length }), options.hangMs);
      }
      if (fault === "accept_then_drop") {
        accept(ids, ambiguous);
        return void req.socket.destroy();
      }
      json(res, 200, { events_received: ids.length, messages: [], fbtrace_id: `FT${++trace}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    ambiguous,
    seen,
    faults,
    get requests() {
      return state.requests;
    },
    protocolErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
