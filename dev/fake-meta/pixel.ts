/**
 * The browser side of the fake Meta: what its Pixel stand-in (fbevents.js beside this file,
 * served at `GET /fbevents.js`) reports to `GET /tr`, read and bounded here, and the pairs Meta
 * would deduplicate: a browser event and a server event sent to the same pixel with the same
 * `event_name` and `event_id` within 48 hours (Meta's "Deduplicate Pixel and Server Events").
 *
 * Meta's own Pixel reports each event as `GET https://www.facebook.com/tr?id=…&ev=…&eid=…&dl=…`
 * with `cd[…]` (custom data) and `ud[…]` (advanced matching) parameters; the stand-in uses the
 * same names. Only names are kept of `cd` and `ud`, and of the page its origin and path: a value
 * never reaches a record, a page or `/_pixel`.
 */

/** At most this many characters of a `/tr` request's URL are read (the stand-in sends less). */
export const MAX_PIXEL_URL = 4096;
/** The browser reports the fake keeps, newest last. */
export const MAX_PIXEL_HITS = 1000;
/** Meta keeps one of a browser and a server event with the same event_name and event_id within 48 hours. */
export const DEDUP_WINDOW_MS = 48 * 3_600_000;

const PIXEL_ID = /^\d{1,20}$/;
const EVENT_NAME = /^[A-Za-z0-9_ -]{1,100}$/;
const MAX_EVENT_ID = 256;
const MAX_KEYS = 50;
const KEY_NAME = /^[a-z_]{1,40}$/;

/** One Pixel report, as kept. */
export interface PixelHit {
  pixel: string;
  event_name: string;
  /** Absent when the page gave none (such an event cannot be deduplicated). */
  event_id?: string;
  /** Epoch ms. */
  at: number;
  /** The page's origin and path (no query, no fragment). */
  page?: string;
  custom_data_keys: string[];
  user_data_keys: string[];
}

/** A `/tr` report the fake refuses, with why. */
export interface PixelRefusal {
  error: string;
}

/**
 * Reads one `GET /tr` report; a refusal when it is too long or lacks a numeric pixel id or an
 * event name Meta would take.
 *
 * @example
 * ```ts
 * readPixelHit(new URL("http://x/tr?id=1&ev=AddToCart&eid=cartful.s.1.product:addToCart.8&cd[value]=34"), 0);
 * // { pixel: "1", event_name: "AddToCart", event_id: "cartful.s.1.product:addToCart.8", at: 0,
 * //   custom_data_keys: ["value"], user_data_keys: [] }
 * ```
 */
export function readPixelHit(url: URL, now: number): PixelHit | PixelRefusal {
  if (url.href.length > MAX_PIXEL_URL) return { error: `the report is longer than ${MAX_PIXEL_URL} characters` };
  const params = url.searchParams;
  const pixel = params.get("id") ?? "";
  const name = params.get("ev") ?? "";
  const eventId = params.get("eid") ?? "";
  if (!PIXEL_ID.test(pixel)) return { error: "id must be the pixel's numeric id" };
  if (!EVENT_NAME.test(name)) return { error: "ev must be an event name" };
  if (eventId.length > MAX_EVENT_ID) return { error: `eid is longer than ${MAX_EVENT_ID} characters` };
  const keys = (prefix: "cd" | "ud") => {
    const names = new Set<string>();
    for (const key of params.keys()) {
      const match = /^(cd|ud)\[([^\]]*)\]$/.exec(key);
      if (match?.[1] === prefix && KEY_NAME.test(match[2]!) && names.size < MAX_KEYS) names.add(match[2]!);
    }
    return [...names].sort();
  };
  return {
    pixel,
    event_name: name,
    ...(eventId ? { event_id: eventId } : {}),
    at: now,
    ...(pageOf(params.get("dl")) ? { page: pageOf(params.get("dl"))! } : {}),
    custom_data_keys: keys("cd"),
    user_data_keys: keys("ud"),
  };
}

function pageOf(location: string | null): string | undefined {
  if (!location) return undefined;
  try {
    const url = new URL(location);
    return url.protocol === "http:" || url.protocol === "https:"
      ? `${url.origin}${url.pathname}`.slice(0, 512)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A server event as the pairs read it. */
export interface ServerCopy {
  pixel: string;
  event_name: string;
  event_id?: string;
  /** Epoch ms. */
  at: number;
}

/** The browser and server copies of one event (one pixel, event name and event id). */
export interface EventPair {
  pixel: string;
  event_name: string;
  event_id: string;
  /** How many copies came from the Pixel, and from the Conversions API. */
  browser: number;
  server: number;
  /** Both sides sent it within 48 hours: Meta keeps one. */
  deduplicated: boolean;
  /** What the fake's page says of it (see {@link pairVerdict}). */
  verdict: string;
  /** Epoch ms of the latest copy. */
  last_at: number;
}

/**
 * Groups browser and server copies by pixel, event name and event id, newest first, at most
 * `limit`. Copies without an `event_id` cannot pair and are left out.
 *
 * @example
 * ```ts
 * eventPairs([{ pixel: "1", event_name: "AddToCart", event_id: "e", at: 0, custom_data_keys: [], user_data_keys: [] }],
 *            [{ pixel: "1", event_name: "AddToCart", event_id: "e", at: 5000 }], 100);
 * // [{ pixel: "1", event_name: "AddToCart", event_id: "e", browser: 1, server: 1, deduplicated: true,
 * //    verdict: "deduplicated: Meta keeps one", last_at: 5000 }]
 * ```
 */
export function eventPairs(browser: readonly PixelHit[], server: readonly ServerCopy[], limit: number): EventPair[] {
  const pairs = new Map<string, EventPair & { browserAt: number[]; serverAt: number[] }>();
  const add = (copy: ServerCopy, side: "browser" | "server") => {
    if (!copy.event_id) return;
    const key = JSON.stringify([copy.pixel, copy.event_name, copy.event_id]);
    const pair = pairs.get(key) ?? {
      pixel: copy.pixel,
      event_name: copy.event_name,
      event_id: copy.event_id,
      browser: 0,
      server: 0,
      deduplicated: false,
      verdict: "",
      last_at: copy.at,
      browserAt: [],
      serverAt: [],
    };
    pair[side]++;
    (side === "browser" ? pair.browserAt : pair.serverAt).push(copy.at);
    pair.last_at = Math.max(pair.last_at, copy.at);
    pairs.set(key, pair);
  };
  for (const hit of browser) add(hit, "browser");
  for (const copy of server) add(copy, "server");
  return [...pairs.values()]
    .map(({ browserAt, serverAt, ...pair }) => {
      const deduplicated = browserAt.some((b) => serverAt.some((s) => Math.abs(b - s) <= DEDUP_WINDOW_MS));
      return { ...pair, deduplicated, verdict: pairVerdict({ ...pair, deduplicated }) };
    })
    .sort((a, b) => b.last_at - a.last_at)
    .slice(0, limit);
}

/**
 * What a pair's row says: both copies (Meta keeps one), or which side alone.
 *
 * @example
 * ```ts
 * pairVerdict({ browser: 0, server: 1, deduplicated: false }); // "server only (Pixel blocked?)"
 * ```
 */
export function pairVerdict(pair: Pick<EventPair, "browser" | "server" | "deduplicated">): string {
  if (pair.deduplicated) return "deduplicated: Meta keeps one";
  if (pair.browser > 0 && pair.server > 0) return "both, over 48 h apart: counted twice";
  return pair.server > 0 ? "server only (Pixel blocked?)" : "browser only (server copy on its way?)";
}
