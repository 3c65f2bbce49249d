/**
 * `fbc` and `fbp`: Meta's click id and browser id, sent unhashed, byte for byte, when they have
 * Meta's shape, and `fbc` refreshed from a new ad click, as Meta's "fbp and fbc" page says.
 *
 * Shape: `fb.{subdomain index}.{creation time ms}.{value}`, digits for the index and the time,
 * a value of visible ASCII without dots, and optionally a fifth segment that is a Parameter
 * Builder appendix (kept as it came). Anything else is malformed and left out.
 *
 * Pure functions: no I/O; the click time comes in from the caller.
 */
import { cleanText, dropped, kept, type Normalized } from "./normalize";
import { isBuilderAppendix } from "./paramBuilder";

const CLICK_ID = /^fb\.\d+\.\d+\.([\x21-\x2d\x2f-\x7e]+)(?:\.([\x21-\x2d\x2f-\x7e]+))?$/;
/** A click id from a URL that can stand as an `fbc` value: visible ASCII without dots. */
const FBCLID = /^[\x21-\x2d\x2f-\x7e]+$/;

/**
 * An `fbc` or `fbp` as Meta's shape allows it (see the module comment): the value cleaned of
 * surrounding spaces and invisible characters, otherwise exactly as it came; else `malformed`.
 *
 * @example
 * ```ts
 * readClickId("fb.1.1732560123000.IwAR2xYz");          // { ok: true, value: "fb.1.1732560123000.IwAR2xYz" }
 * readClickId("fb.1.1732560123000.IwAR2xYz.AQQCAQMC"); // { ok: true, value: "fb.1.1732560123000.IwAR2xYz.AQQCAQMC" }
 * readClickId("fb.1.1732560123000.IwAR2xYz.Ab");       // { ok: false, reason: "malformed" }
 * ```
 */
export function readClickId(raw: string): Normalized {
  const value = cleanText(raw);
  const match = CLICK_ID.exec(value);
  if (match === null || (match[2] !== undefined && !isBuilderAppendix(match[2]))) return dropped("malformed");
  return kept(value);
}

/**
 * The `fbclid` query parameter of a URL, raw (not decoded, as Meta asks), when it can stand as
 * an `fbc` value. The fragment is not the query: `#?fbclid=` does not count.
 *
 * @example
 * ```ts
 * fbclidFromUrl("https://shop.example.com/q?utm_source=fb&fbclid=IwAR2xYz"); // "IwAR2xYz"
 * fbclidFromUrl("https://shop.example.com/q?fbclid=");                       // undefined
 * ```
 */
export function fbclidFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const query = url.split("#", 1)[0]?.split("?")[1];
  if (!query) return undefined;
  for (const pair of query.split("&")) {
    const split = pair.indexOf("=");
    if (split < 0 || pair.slice(0, split) !== "fbclid") continue;
    const value = pair.slice(split + 1);
    if (FBCLID.test(value)) return value;
  }
  return undefined;
}

/** What `normalizeFbc` reads: the `_fbc` cookie value, the page and referrer URLs, and the click time. */
export interface FbcSources {
  cookie?: string;
  pageUrl?: string;
  referrerUrl?: string;
  /** Unix ms: the earliest time the relay knows the click id was seen (when the shopper submitted). */
  clickTimeMs?: number;
}

/**
 * `fbc`, following Meta's "fbp and fbc" page:
 * - the page URL carries an `fbclid` and there is no valid `_fbc` cookie, or the cookie's
 *   click id (its 4th dot-segment) differs from the page's (a new ad click): a new
 *   `fb.1.{click time ms}.{fbclid}`, the click id raw, no appendix;
 * - otherwise a valid cookie, exactly as it came (a Parameter Builder appendix kept);
 * - otherwise, with neither a valid cookie nor a page `fbclid`, the referrer URL's `fbclid`
 *   builds it the same way.
 * A malformed cookie nothing replaces is dropped as `malformed`; `undefined` when there is
 * nothing at all.
 *
 * @example
 * ```ts
 * normalizeFbc({ cookie: "fb.1.1732560123000.OldClick", pageUrl: "https://s.example/?fbclid=NewClick", clickTimeMs: 1795632127123 });
 * // { ok: true, value: "fb.1.1795632127123.NewClick" }
 * normalizeFbc({ cookie: "fb.1.1732560123000.IwAR2xYz", pageUrl: "https://s.example/?fbclid=IwAR2xYz" });
 * // { ok: true, value: "fb.1.1732560123000.IwAR2xYz" }
 * ```
 */
export function normalizeFbc(sources: FbcSources): Normalized | undefined {
  const cookieText = sources.cookie === undefined ? "" : cleanText(sources.cookie);
  const cookie = cookieText === "" ? undefined : readClickId(cookieText);
  const valid = cookie?.ok ? cookie.value : undefined;
  const time = sources.clickTimeMs;
  const pageClick = fbclidFromUrl(sources.pageUrl);
  if (pageClick !== undefined && time !== undefined && valid?.split(".")[3] !== pageClick) {
    return kept(`fb.1.${Math.floor(time)}.${pageClick}`);
  }
  if (valid !== undefined) return cookie;
  const referrerClick = pageClick === undefined ? fbclidFromUrl(sources.referrerUrl) : undefined;
  if (referrerClick !== undefined && time !== undefined) return kept(`fb.1.${Math.floor(time)}.${referrerClick}`);
  return cookie;
}

/**
 * `fbp`: the `_fbp` cookie value when it has Meta's shape (see `readClickId`), exactly as it
 * came; `undefined` when there is none. The relay never makes one up.
 *
 * @example
 * ```ts
 * normalizeFbp("fb.1.1732560000000.1098765432"); // { ok: true, value: "fb.1.1732560000000.1098765432" }
 * normalizeFbp("1098765432");                    // { ok: false, reason: "malformed" }
 * ```
 */
export function normalizeFbp(raw: string | undefined): Normalized | undefined {
  if (raw === undefined || cleanText(raw) === "") return undefined;
  return readClickId(raw);
}
