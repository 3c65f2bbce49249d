/**
 * A local stand-in for the Graph API endpoints the relay uses, on 127.0.0.1, in Node's standard
 * library only: `POST /{version}/{pixel_id}/events` (checked rule by rule, validate.ts) and
 * `GET /{version}/dataset_quality` (quality.ts), answering in Meta's shapes (errors.ts), with
 * misbehaviour on demand (modes.ts) set from its page (`GET /`, page.ts), from `/_control`, or
 * in-process. `GET /_requests` shows what it was sent: pixels, event ids, outcomes, never a
 * token or a user_data value. For the browser side it serves a Pixel stand-in
 * (`GET /fbevents.js`, which defines `fbq`), takes its reports at `GET /tr` (pixel.ts), and pairs
 * them with the server's copies by `event_id` (`GET /_pairs`, and on the page), as Meta
 * deduplicates them; the demo shop (dev/demo-shop) plays a quiz against both.
 *
 * Run alone: `node dev/fake-meta/server.ts [--port 8789] [--seed 1] [--token T]`; or let
 * `npm run dev:meta` (dev/dev-meta.ts) start it in front of the relay. README.md beside it says more.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import {
  badAppSecretProof,
  deadVersion,
  fbtraceId,
  LATEST_VERSION,
  type MetaError,
  missingParameter,
  permissionDenied,
  seeded,
  throttled,
  tokenExpired,
  tokenInvalid,
  tokenMissing,
  tokenRevoked,
  transientError,
  unknownObject,
  unknownPath,
} from "./errors.ts";
import { type ActiveMode, type ModeInput, type ModeKind, MODE_KINDS, ModeBook, ModeError, parseMode } from "./modes.ts";
import { BodyTooLarge, parseBody, readBody, userDataKeys, versionWarning } from "./http.ts";
import { renderPage } from "./page.ts";
import { type EventPair, eventPairs, MAX_PIXEL_HITS, type PixelHit, readPixelHit, type ServerCopy } from "./pixel.ts";
import { datasetQuality, parseFields, selectFields, type StoredEvent } from "./quality.ts";
import { validateEventsBody } from "./validate.ts";

export interface FakeMetaOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Seeds `fail_rate`'s draws (1 when absent) and the trace ids (fresh on each start when
   * absent, so two sessions never share an `fbtrace_id`).
   */
  seed?: number;
  /** The only token accepted (code 190 for any other); any token when absent. */
  token?: string;
  /** When set, `appsecret_proof` must be the HMAC-SHA256 of the token keyed by it. */
  appSecret?: string;
  /** Epoch ms; `Date.now` by default. */
  now?: () => number;
}

/** What `GET /_requests` shows of one Graph request. */
export interface RequestRecord {
  id: number;
  at: string;
  method: string;
  /** The path, without its query (which may hold a token). */
  path: string;
  endpoint: "events" | "dataset_quality" | "unknown";
  api_version?: string;
  pixel?: string;
  events: number;
  event_ids: string[];
  /** The `user_data` keys the events carried (names only). */
  user_data_keys: string[];
  test_event_code?: string;
  status: number;
  outcome: "accepted" | "answered" | "rejected" | "error" | "dropped";
  /** The mode that decided the answer, if one did. */
  mode?: ModeKind;
  code?: number;
  subcode?: number;
  fbtrace_id?: string;
  delay_ms?: number;
  /** The token came in the URL (works with Meta, but URLs end up in logs). */
  token_in_url?: boolean;
  /**
   * Accepted events Meta would drop as duplicates: same `event_name` and `event_id` as an event
   * this pixel accepted within 48 hours (Meta's "Deduplicate Pixel and Server Events").
   */
  duplicates?: number;
  /** The client had gone before the answer was ready (e.g. its timeout fired during `slow`). */
  client_gone?: true;
}

export interface FakeMeta {
  url: string;
  /** Recent Graph requests, oldest first (the last 1,000). */
  readonly requests: RequestRecord[];
  /** Puts the fake in a mode (or clears a scope with `mode: "none"`); throws on a bad mode. */
  control(input: ModeInput): ActiveMode | undefined;
  /** Clears modes: of one kind or all, of one pixel or the global ones. */
  clear(kind?: ModeKind, pixel?: string): void;
  modes(): ActiveMode[];
  /** The events accepted for a pixel, with when and how they came. */
  received(pixel: string): StoredEvent[];
  /** What the Pixel stand-in (`/fbevents.js`) reported to `/tr`, oldest first (the last 1,000). */
  readonly pixelHits: PixelHit[];
  /** Browser and server copies by pixel, event name and event id, newest first (pixel: one pixel's). */
  pairs(pixel?: string): EventPair[];
  /** Forgets modes, requests and events, and restarts the seeded draws. */
  reset(): void;
  close(): Promise<void>;
}

const MAX_REQUESTS = 1000;
/** Meta keeps one of two events with the same event_name and event_id within 48 hours. */
const DEDUP_WINDOW_MS = 48 * 3_600_000;
const EVENTS_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/events\/?$/;
const QUALITY_PATH = /^\/(v\d+\.\d+)\/dataset_quality\/?$/;
/** The Pixel stand-in, read once: the demo shop's pages load it from here, as Meta's from connect.facebook.net. */
const FBEVENTS = readFileSync(new URL("./fbevents.js", import.meta.url), "utf8");
/** A transparent 1×1 GIF: what `/tr` answers, as Meta's does, so the report's image loads cleanly. */
const PIXEL_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
const MAX_PAIRS = 200;

/**
 * Starts the fake on 127.0.0.1.
 *
 * @example
 * ```ts
 * const meta = await startFakeMeta({ seed: 7 });
 * meta.control({ mode: "throttle", pixel: "123", for: 60 });
 * // … point META_GRAPH_URL at meta.url …
 * await meta.close();
 * ```
 */
export async function startFakeMeta(options: FakeMetaOptions = {}): Promise<FakeMeta> {
  const now = options.now ?? Date.now;
  const seed = options.seed ?? 1;
  const traceSeed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const book = new ModeBook();
  const requests: RequestRecord[] = [];
  const received = new Map<string, StoredEvent[]>();
  const pixelHits: PixelHit[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let traceRandom = seeded(traceSeed);
  let failRandom = seeded(seed + 1);
  let nextId = 1;

  const record = (entry: Omit<RequestRecord, "id" | "at">) => {
    requests.push({ id: nextId++, at: new Date(now()).toISOString(), ...entry });
    if (requests.length > MAX_REQUESTS) requests.splice(0, requests.length - MAX_REQUESTS);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });

  /** Sends a JSON answer; false when the client had already gone (timed out, closed). */
  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): boolean => {
    if (res.destroyed || !res.socket || res.socket.destroyed) return false;
    res.writeHead(status, {
      "content-type": "application/json; charset=UTF-8",
      "cache-control": "no-store",
      ...headers,
    });
    res.end(JSON.stringify(body));
    return true;
  };
  /** Sends Meta's error envelope; returns what the request record needs. */
  const sendError = (res: ServerResponse, metaError: MetaError, extraHeaders: Record<string, string> = {}) => {
    const trace = fbtraceId(traceRandom);
    const sent = sendJson(
      res,
      metaError.status,
      { error: { ...metaError.error, fbtrace_id: trace } },
      { ...metaError.headers, ...extraHeaders, "x-fb-trace-id": trace },
    );
    const subcode = metaError.error.error_subcode;
    return {
      status: metaError.status,
      code: metaError.error.code,
      ...(subcode === undefined ? {} : { subcode }),
      fbtrace_id: trace,
      ...(sent ? {} : { client_gone: true as const }),
    };
  };

  async function graph(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const events = req.method === "POST" ? EVENTS_PATH.exec(url.pathname) : null;
    const quality = req.method === "GET" ? QUALITY_PATH.exec(url.pathname) : null;
    const endpoint = events ? "events" : quality ? "dataset_quality" : "unknown";
    const version = events?.[1] ?? quality?.[1];
    const pixel = events ? decodeURIComponent(events[2]!) : (url.searchParams.get("dataset_id") ?? undefined);
    const raw = req.method === "POST" ? await readBody(req) : "";
    const base: Pick<RequestRecord, "method" | "path" | "endpoint" | "api_version" | "pixel"> = {
      method: req.method ?? "GET",
      path: url.pathname,
      endpoint,
      ...(version ? { api_version: version } : {}),
      ...(pixel ? { pixel } : {}),
    };
    const parsed = parseBody(raw, req.headers["content-type"]);
    const body = parsed ?? {};
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const queryToken = url.searchParams.get("access_token") ?? undefined;
    const token = (typeof body.access_token === "string" && body.access_token) || queryToken || bearer || undefined;
    const data = Array.isArray(body.data) ? body.data : [];
    const context: Omit<RequestRecord, "id" | "at" | "status" | "outcome"> = {
      ...base,
      events: data.length,
      event_ids: data.map((event) => String((event as { event_id?: unknown } | null)?.event_id ?? "")),
      user_data_keys: userDataKeys(data),
      ...(typeof body.test_event_code === "string" ? { test_event_code: body.test_event_code } : {}),
      ...(queryToken ? { token_in_url: true } : {}),
    };

    let delayed: { delay_ms?: number } = {};
    /** Refuses the request itself (no mode decided it). */
    const refuse = (metaError: MetaError) =>
      record({ ...context, ...delayed, outcome: "rejected", ...sendError(res, metaError) });
    /** Fails it because of a mode; `fail_rate` when that mode was drawn by the failure rate. */
    const failWith = (metaError: MetaError, kind: ModeKind, decided?: ActiveMode) =>
      record({
        ...context,
        ...delayed,
        outcome: "error",
        mode: decided && decided === drawn ? "fail_rate" : kind,
        ...sendError(res, metaError),
      });

    if (endpoint === "unknown") return void refuse(unknownPath(url.pathname));

    const modes = book.forPixel(pixel, now());
    const mode = (kind: ModeKind) => modes.find((m) => m.kind === kind);
    const failRate = mode("fail_rate");
    const drawn = failRate && failRandom() < failRate.rate! ? { ...failRate, kind: failRate.fail! } : undefined;
    const pick = (kind: ModeKind) => (drawn?.kind === kind ? drawn : mode(kind));

    const drop = pick("drop");
    if (drop?.phase === "before") {
      record({ ...context, status: 0, outcome: "dropped", mode: drawn === drop ? "fail_rate" : "drop" });
      return void req.socket.destroy();
    }
    const delay = (mode("slow")?.delay ?? 0) + (drawn?.kind === "slow" ? drawn.delay! : 0);
    if (delay > 0) {
      await sleep(delay);
      delayed = { delay_ms: delay };
    }

    const dead = mode("dead_version");
    if (dead && (!dead.version || dead.version === version))
      return void failWith(deadVersion(LATEST_VERSION), "dead_version");
    if (!token) return void refuse(tokenMissing());
    if (options.token !== undefined && token !== options.token) return void refuse(tokenInvalid());
    const expired = mode("expired_token");
    if (expired) return void failWith(tokenExpired(expired.since, now()), "expired_token");
    if (mode("revoked_token")) return void failWith(tokenRevoked(), "revoked_token");
    const proof =
      typeof body.appsecret_proof === "string" ? body.appsecret_proof : url.searchParams.get("appsecret_proof");
    if (
      options.appSecret !== undefined &&
      proof !== createHmac("sha256", options.appSecret).update(token).digest("hex")
    ) {
      return void refuse(badAppSecretProof());
    }
    const method = events ? "post" : "get";
    if (quality && !pixel) return void refuse(missingParameter("dataset_id"));
    if (mode("wrong_pixel")) return void failWith(unknownObject(method, pixel!), "wrong_pixel");
    if (!/^\d+$/.test(pixel!)) return void refuse(unknownObject(method, pixel!));
    const throttle = pick("throttle");
    if (throttle)
      return void failWith(throttled(throttle.code!, throttle.status!, throttle.retryAfter!), "throttle", throttle);
    const transient = pick("transient");
    if (transient) return void failWith(transientError(transient.status!, transient.code), "transient", transient);

    const warning = mode("version_warning");
    const warned = warning !== undefined && (!warning.version || warning.version === version);
    /** Answers 200 with Meta's trace id (and the version warning when in force). */
    const succeed = (
      body: Record<string, unknown> | ((trace: string) => Record<string, unknown>),
      outcome: "accepted" | "answered",
    ) => {
      const trace = fbtraceId(traceRandom);
      const headers: Record<string, string> = {
        "x-fb-trace-id": trace,
        ...(warned ? { "x-ad-api-version-warning": versionWarning(version!) } : {}),
      };
      const sent = sendJson(res, 200, typeof body === "function" ? body(trace) : body, headers);
      record({
        ...context,
        ...delayed,
        status: 200,
        outcome,
        fbtrace_id: trace,
        ...(warned ? { mode: "version_warning" as const } : {}),
        ...(sent ? {} : { client_gone: true as const }),
      });
    };

    if (quality) {
      const permission = mode("no_permission");
      if (permission) return void failWith(permissionDenied(permission.code as 10 | 200), "no_permission");
      const fields = parseFields(url.searchParams.get("fields"));
      if (!(fields instanceof Map)) return void refuse(fields);
      const agentName = url.searchParams.get("agent_name") ?? undefined;
      return void succeed(
        selectFields(datasetQuality(received.get(pixel!) ?? [], now(), agentName), fields) as Record<string, unknown>,
        "answered",
      );
    }

    if (parsed === undefined) {
      return void refuse({
        status: 400,
        error: { message: "(#100) The request body is not valid JSON", type: "OAuthException", code: 100 },
      });
    }
    const result = validateEventsBody(body, Math.floor(now() / 1000));
    if (!result.ok) return void refuse(result.error);

    const stored = received.get(pixel!) ?? [];
    const partnerAgent = typeof body.partner_agent === "string" ? body.partner_agent : undefined;
    let duplicates = 0;
    for (const event of result.events) {
      const seen = (item: StoredEvent) =>
        event.event_id !== undefined &&
        item.event.event_id === event.event_id &&
        item.event.event_name === event.event_name &&
        item.receivedAt > now() - DEDUP_WINDOW_MS;
      if (stored.some(seen)) duplicates++;
      stored.push({
        event,
        receivedAt: now(),
        ...(result.testEventCode ? { testEventCode: result.testEventCode } : {}),
        ...(partnerAgent ? { partnerAgent } : {}),
      });
    }
    received.set(pixel!, stored.slice(-10_000));
    if (duplicates > 0) context.duplicates = duplicates;
    if (drop?.phase === "after") {
      record({ ...context, ...delayed, status: 0, outcome: "dropped", mode: drawn === drop ? "fail_rate" : "drop" });
      return void req.socket.destroy();
    }
    succeed((trace) => ({ events_received: result.events.length, messages: [], fbtrace_id: trace }), "accepted");
  }

  const control = (input: ModeInput): ActiveMode | undefined => {
    if (input.mode === "none") {
      book.clear(input.pixel === undefined || input.pixel === "" ? {} : { pixel: String(input.pixel) });
      return undefined;
    }
    const mode = parseMode(input, now());
    book.set(mode);
    return mode;
  };
  const reset = () => {
    book.reset();
    requests.length = 0;
    received.clear();
    pixelHits.length = 0;
    traceRandom = seeded(traceSeed);
    failRandom = seeded(seed + 1);
  };
  const pairs = (pixel?: string): EventPair[] => {
    const server: ServerCopy[] = [];
    for (const [id, list] of received) {
      if (pixel && id !== pixel) continue;
      for (const item of list)
        server.push({
          pixel: id,
          event_name: item.event.event_name,
          ...(item.event.event_id === undefined ? {} : { event_id: String(item.event.event_id) }),
          at: item.receivedAt,
        });
    }
    return eventPairs(
      pixelHits.filter((hit) => !pixel || hit.pixel === pixel),
      server,
      MAX_PAIRS,
    );
  };
  /** `GET /tr`: one report of the Pixel stand-in, kept (bounded) and answered with an image. */
  const pixelReport = (res: ServerResponse, url: URL) => {
    const hit = readPixelHit(url, now());
    if ("error" in hit) return void sendJson(res, 400, { error: hit.error });
    pixelHits.push(hit);
    if (pixelHits.length > MAX_PIXEL_HITS) pixelHits.splice(0, pixelHits.length - MAX_PIXEL_HITS);
    res.writeHead(200, { "content-type": "image/gif", "cache-control": "no-store" });
    res.end(PIXEL_GIF);
  };

  const modesJson = () => ({
    modes: book.active(now()).map((m) => ({
      ...m,
      since: new Date(m.since).toISOString(),
      ...(m.until ? { until: new Date(m.until).toISOString() } : {}),
    })),
  });

  async function controlRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const form = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    const raw = req.method === "POST" ? await readBody(req) : "";
    const input: Record<string, string> = Object.fromEntries(url.searchParams);
    if (raw)
      Object.assign(
        input,
        form ? Object.fromEntries(new URLSearchParams(raw)) : (parseBody(raw, "application/json") ?? {}),
      );
    let notice: string;
    try {
      if (url.pathname === "/_reset") {
        reset();
        notice = "Reset: no modes, requests or events.";
      } else if (input.clear) {
        const kind = input.clear as ModeKind;
        if (!MODE_KINDS.includes(kind)) throw new ModeError(`unknown mode ${input.clear}`);
        book.clear({ kind, ...(input.pixel ? { pixel: input.pixel } : {}) });
        notice = `Cleared ${kind}${input.pixel ? ` for ${input.pixel}` : ""}.`;
      } else if (input.mode) {
        const set = control(input as unknown as ModeInput);
        notice = set
          ? `Set ${set.kind}${set.pixel ? ` for ${set.pixel}` : ""}.`
          : `Cleared the ${input.pixel ? `modes of ${input.pixel}` : "global modes"}.`;
      } else {
        notice = "";
      }
    } catch (error) {
      if (!(error instanceof ModeError)) throw error;
      if (form) return void redirect(res, error.message);
      return void sendJson(res, 400, { error: error.message });
    }
    if (form) return void redirect(res, notice);
    sendJson(res, 200, modesJson());
  }

  function redirect(res: ServerResponse, notice: string): void {
    res.writeHead(303, { location: notice ? `/?notice=${encodeURIComponent(notice)}` : "/" });
    res.end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-meta.local");
    const route = async () => {
      if (url.pathname === "/" && req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return void res.end(
          renderPage({
            modes: book.active(now()),
            pixels: [...received.entries()].map(([id, list]) => ({ pixel: id, events: list.length })),
            requests: requests.slice(-50).reverse(),
            pairs: pairs().slice(0, 50),
            now: now(),
            ...(url.searchParams.get("notice") ? { notice: url.searchParams.get("notice")! } : {}),
          }),
        );
      }
      if (url.pathname === "/_requests" && req.method === "GET") {
        const pixel = url.searchParams.get("pixel");
        const limit = Math.max(1, Math.min(MAX_REQUESTS, Number(url.searchParams.get("limit")) || 100));
        return void sendJson(res, 200, {
          requests: requests
            .filter((r) => !pixel || r.pixel === pixel)
            .slice(-limit)
            .reverse(),
        });
      }
      if ((url.pathname === "/tr" || url.pathname === "/tr/") && req.method === "GET") return pixelReport(res, url);
      if (url.pathname === "/fbevents.js" && req.method === "GET") {
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
        return void res.end(FBEVENTS);
      }
      if (url.pathname === "/_pairs" && req.method === "GET")
        return void sendJson(res, 200, { pairs: pairs(url.searchParams.get("pixel") || undefined) });
      if (url.pathname === "/_pixel" && req.method === "GET")
        return void sendJson(res, 200, { hits: pixelHits.slice(-100).reverse() });
      if (url.pathname === "/_control" || (url.pathname === "/_reset" && req.method === "POST"))
        return controlRoute(req, res, url);
      if (url.pathname === "/_quality" && req.method === "GET") {
        const fields = parseFields(url.searchParams.get("fields"));
        const id = url.searchParams.get("dataset_id") ?? "";
        if (!(fields instanceof Map)) return void sendJson(res, 400, { error: fields.error });
        return void sendJson(res, 200, selectFields(datasetQuality(received.get(id) ?? [], now()), fields));
      }
      if (url.pathname === "/favicon.ico") return void res.writeHead(404).end();
      return graph(req, res, url);
    };
    route().catch((error: unknown) => {
      if (error instanceof BodyTooLarge)
        return void sendJson(res, 413, {
          error: { message: "Request body too large", type: "OAuthException", code: 1 },
        });
      sendJson(res, 500, {
        error: {
          message: `fake Meta failed: ${error instanceof Error ? error.message : String(error)}`,
          type: "FakeMetaError",
          code: 1,
        },
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    get requests() {
      return requests;
    },
    control,
    clear: (kind, pixel) => book.clear({ ...(kind ? { kind } : {}), ...(pixel ? { pixel } : {}) }),
    modes: () => book.active(now()),
    received: (pixel) => received.get(pixel) ?? [],
    get pixelHits() {
      return pixelHits;
    },
    pairs,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8789" },
      host: { type: "string" },
      seed: { type: "string" },
      token: { type: "string" },
    },
  });
  const meta = await startFakeMeta({
    port: Number(values.port),
    ...(values.host ? { host: values.host } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.token ? { token: values.token } : {}),
  });
  console.log(`Fake Meta Graph API on ${meta.url} (control page: ${meta.url}/)`);
  const stop = () => void meta.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
