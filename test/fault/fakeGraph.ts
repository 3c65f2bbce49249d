/**
 * A fake Graph API on loopback (127.0.0.1 only) that fails at random, from a seeded generator:
 * 5xx, 429 with code 17 or 613 and Retry-After, requests left hanging past the client's timeout,
 * connections dropped, and, like Meta, a whole request refused with code 100 when it carries the
 * poisoned event. It knows each pixel with the one token that may send to it, and refuses what
 * Meta refuses for a broken configuration: a revoked token (code 190, subcode 463) and a pixel
 * that does not exist (code 100, subcode 33). It records what it accepted, per pixel and
 * event_id, which acceptances the client can never have learned of (answer delayed past the
 * timeout, or connection dropped after accepting): those are the only honest source of duplicate
 * sends. And it keeps a log of every request (when, which pixel and token, who sent it, which
 * events, what it answered), so a test can count what reached it while it refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | "ok"
  | "http_500"
  | "http_503"
  | "throttle_17"
  | "throttle_613"
  | "hang"
  | "drop"
  | "accept_then_hang"
  | "accept_then_drop";

/** What the fake Graph answered a request: a fault, or a refusal of an event or of the configuration. */
export type GraphAnswer = Fault | "poisoned" | "token_revoked" | "unknown_pixel";

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

export const NO_FAULTS: FaultRates = {
  http_500: 0,
  http_503: 0,
  throttle_17: 0,
  throttle_613: 0,
  hang: 0,
  drop: 0,
  accept_then_hang: 0,
  accept_then_drop: 0,
};

/** Header a test's fetch adds to say who sent a request (the consumer, a probe), and which invocation. */
export const ORIGIN_HEADER = "x-fault-origin";
export const INVOCATION_HEADER = "x-fault-invocation";

export interface FakeGraphOptions {
  /** The pixels Meta knows, each with the one token that may send to it (several pixels may share one). */
  pixels: Record<string, string>;
  apiVersion: string;
  /** Fault rates, per pixel if a function (asked at every request, so they can change over a run). */
  rates: FaultRates | ((pixelId: string) => FaultRates);
  random: () => number;
  /** How long a hanging answer is held (longer than the client's timeout). */
  hangMs: number;
  /** Event ids refused with code 100 (subcode 2804003). */
  poisoned: Set<string>;
  /** Tokens Meta has revoked (answered 190/463); the test adds and removes them. */
  revoked?: Set<string>;
  /** The clock the request log uses (ms); the simulated one in the fault tests. */
  now?: () => number;
  /** Told of every request as it arrives, before it is answered (a test can act while it is in flight). */
  onRequest?: (request: { pixelId: string; token: string; origin: string | undefined; ids: string[] }) => void;
}

/** One request as the fake Graph saw it. */
export interface GraphRequest {
  at: number;
  pixelId: string;
  token: string;
  origin: string | undefined;
  invocation: string | undefined;
  ids: string[];
  answer: GraphAnswer;
}

export interface FakeGraph {
  url: string;
  /** Acceptances per {@link acceptanceKey} (pixel and event_id). */
  accepted: Map<string, number>;
  /** When each key was first accepted (the `now` clock). */
  firstAcceptedAt: Map<string, number>;
  /** Acceptances per key whose answer the client never got. */
  ambiguous: Map<string, number>;
  /** Every key the fake Graph was sent, accepted or not. */
  seen: Set<string>;
  /** Per pixel: the event names and test event codes its requests carried. */
  eventNames: Map<string, Set<string>>;
  testEventCodes: Map<string, Set<string>>;
  faults: Record<GraphAnswer, number>;
  requests: number;
  log: GraphRequest[];
  /** Problems with a request itself (token in URL, another pixel's token…), which tests assert are none. */
  protocolErrors: string[];
  close(): Promise<void>;
}

/** The key of an event at one pixel: the same event_id goes to every destination a webhook reached. */
export function acceptanceKey(pixelId: string, eventId: string): string {
  return `${pixelId}/${eventId}`;
}

/** `mulberry32`: a small seeded PRNG, uniform in [0, 1); the local Meta's own. */
export { seeded } from "../../dev/fake-meta/errors";

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const accepted = new Map<string, number>();
  const firstAcceptedAt = new Map<string, number>();
  const ambiguous = new Map<string, number>();
  const seen = new Set<string>();
  const eventNames = new Map<string, Set<string>>();
  const testEventCodes = new Map<string, Set<string>>();
  const faults: Record<GraphAnswer, number> = {
    ok: 0,
    http_500: 0,
    http_503: 0,
    throttle_17: 0,
    throttle_613: 0,
    hang: 0,
    drop: 0,
    accept_then_hang: 0,
    accept_then_drop: 0,
    poisoned: 0,
    token_revoked: 0,
    unknown_pixel: 0,
  };
  const protocolErrors: string[] = [];
  const log: GraphRequest[] = [];
  const state = { requests: 0 };
  const now = options.now ?? Date.now;
  const tokens = new Set(Object.values(options.pixels));
  const pathPattern = new RegExp(`^/${options.apiVersion.replace(/\./g, "\\.")}/(\\d+)/events$`);
  let trace = 0;

  const pickFault = (pixelId: string): Fault => {
    const rates = typeof options.rates === "function" ? options.rates(pixelId) : options.rates;
    let roll = options.random();
    for (const [fault, rate] of Object.entries(rates) as [Fault, number][]) {
      if (roll < rate) return fault;
      roll -= rate;
    }
    return "ok";
  };
  const add = (keys: string[], into: Map<string, number>) => {
    for (const key of keys) into.set(key, (into.get(key) ?? 0) + 1);
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const metaError = (code: number, message: string, extra: Record<string, unknown> = {}) => ({
    error: { message, type: "OAuthException", code, fbtrace_id: `FT${++trace}`, ...extra },
  });
  const note = (map: Map<string, Set<string>>, pixelId: string, value: string | undefined) => {
    if (value === undefined) return;
    const set = map.get(pixelId) ?? new Set<string>();
    set.add(value);
    map.set(pixelId, set);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.requests++;
      const pixelId = pathPattern.exec(req.url ?? "")?.[1];
      if (req.method !== "POST" || pixelId === undefined) {
        protocolErrors.push(`unexpected ${req.method} ${req.url}`);
        return json(res, 400, metaError(100, "Unknown path"));
      }
      let body: {
        data?: { event_id?: string; event_name?: string }[];
        access_token?: string;
        test_event_code?: string;
      };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        protocolErrors.push("body is not JSON");
        return json(res, 400, metaError(100, "Invalid JSON"));
      }
      const token = body.access_token ?? "";
      if (!token) protocolErrors.push("missing access_token");
      const events = body.data ?? [];
      if (events.length < 1 || events.length > 1000) protocolErrors.push(`request with ${events.length} events`);
      const ids = events.map((e) => String(e.event_id));
      const keys = ids.map((id) => acceptanceKey(pixelId, id));
      for (const key of keys) seen.add(key);
      for (const event of events) note(eventNames, pixelId, event.event_name);
      note(testEventCodes, pixelId, body.test_event_code);
      const origin = header(req, ORIGIN_HEADER);
      const invocation = header(req, INVOCATION_HEADER);
      options.onRequest?.({ pixelId, token, origin, ids });
      const record = (answer: GraphAnswer) => {
        faults[answer]++;
        log.push({ at: now(), pixelId, token, origin, invocation, ids, answer });
      };

      const fault = pickFault(pixelId);
      switch (fault) {
        case "http_500":
          record(fault);
          return json(
            res,
            500,
            metaError(2, "An unexpected error has occurred. Please retry your request later.", { is_transient: true }),
          );
        case "http_503":
          record(fault);
          res.writeHead(503, { "content-type": "text/html" });
          return res.end("<html>Service Unavailable</html>");
        case "throttle_17":
          record(fault);
          return json(res, 429, metaError(17, "User request limit reached", { is_transient: true }), {
            "retry-after": "2",
          });
        case "throttle_613":
          record(fault);
          return json(res, 400, metaError(613, "Calls to this api have exceeded the rate limit."), {
            "retry-after": "1",
          });
        case "hang":
          record(fault);
          return void setTimeout(() => res.destroyed || json(res, 503, metaError(2, "late")), options.hangMs);
        case "drop":
          record(fault);
          return void req.socket.destroy();
      }
      // Meta reads the token before anything else, then the pixel, then the events.
      if (options.revoked?.has(token)) {
        record("token_revoked");
        return json(
          res,
          400,
          metaError(190, "Error validating access token: Session has expired on Wednesday, 25-Nov-26 12:00:00 PST.", {
            error_subcode: 463,
          }),
        );
      }
      if (token && !tokens.has(token)) {
        protocolErrors.push(`unknown access_token sent to pixel ${pixelId}`);
        record("token_revoked");
        return json(res, 400, metaError(190, "Invalid OAuth access token - Cannot parse access token"));
      }
      if (options.pixels[pixelId] !== token) {
        // A pixel that does not exist, or one this token cannot reach: Meta answers the same.
        if (options.pixels[pixelId] !== undefined)
          protocolErrors.push(`another pixel's token sent to pixel ${pixelId}`);
        record("unknown_pixel");
        return json(res, 400, {
          error: {
            message: `Unsupported post request. Object with ID '${pixelId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
            type: "GraphMethodException",
            code: 100,
            error_subcode: 33,
            fbtrace_id: `FT${++trace}`,
          },
        });
      }
      if (ids.some((id) => options.poisoned.has(id))) {
        record("poisoned");
        return json(
          res,
          400,
          metaError(100, "Invalid parameter", {
            error_subcode: 2804003,
            error_user_msg: "The event has an invalid parameter.",
          }),
        );
      }
      record(fault);
      add(keys, accepted);
      for (const key of keys) if (!firstAcceptedAt.has(key)) firstAcceptedAt.set(key, now());
      if (fault === "accept_then_hang") {
        add(keys, ambiguous);
        return void setTimeout(() => res.destroyed || json(res, 200, { events_received: ids.length }), options.hangMs);
      }
      if (fault === "accept_then_drop") {
        add(keys, ambiguous);
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
    firstAcceptedAt,
    ambiguous,
    seen,
    eventNames,
    testEventCodes,
    faults,
    get requests() {
      return state.requests;
    },
    log,
    protocolErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
