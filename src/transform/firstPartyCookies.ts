/**
 * Meta's first-party cookies `_fbp` and `_fbc` as the browser route reads and sets them, the way
 * Meta's Parameter Builder (capi-param-builder) does on a shop's own server: cookies set by a
 * server in its answer outlive the 7-day cap Safari and Firefox put on cookies written by script,
 * so the Pixel's browser id and click id last their full 90 days.
 *
 * - `_fbp`, when the request has no valid one: the body's `fbp` (the Pixel's own id, so the
 *   Pixel and the server keep one browser id), else a new `fb.{index}.{now}.{random}`, the random
 *   part an integer below 2^31 - 1 as the Parameter Builder draws it.
 * - `_fbc`, when `page_url` carries an `fbclid` that the `_fbc` cookie does not (a new ad click):
 *   `fb.{index}.{now}.{fbclid}`, the click id raw (not decoded), as Meta asks.
 * - `{index}` is the subdomain index of `COOKIE_DOMAIN`: its number of labels less one
 *   (`example.com` → 1, `example.co.uk` → 2), as the Parameter Builder computes it from the
 *   registrable domain.
 * - Attributes: `Domain={COOKIE_DOMAIN}; Path=/; Max-Age=7776000; SameSite=Lax; Secure` (90 days).
 *   No `HttpOnly`: the Pixel reads these cookies in the page.
 * - Unlike the Parameter Builder, no appendix is added: an appendix names Meta's builder and its
 *   language, and this relay is not it.
 *
 * The values the route sends to Meta are the same: it passes {@link FirstPartyCookies.cookies} on
 * as the request's cookies (./browserEvents `BrowserRequest.cookies`).
 *
 * @example
 * ```ts
 * const cookies = readFbCookies(request.headers.get("cookie"));
 * const decided = firstPartyCookies({ cookieDomain: "example.com", cookies, pageUrl, fbp: batch.fbp, now, random: Math.random });
 * for (const value of decided.setCookie) headers.append("set-cookie", value);
 * planBrowserEvents(batch, { ip, userAgent, cookies: decided.cookies }, destinations, now);
 * ```
 */
import type { BrowserCookies } from "./browserEvents";
import { fbclidFromUrl, readClickId } from "./clickIds";
import { FIELD_LIMITS } from "./webhook";

/** 90 days, in seconds: the `_fbp` / `_fbc` lifetime of Meta's Pixel and Parameter Builder. */
export const FB_COOKIE_MAX_AGE = 7_776_000;

/** The Parameter Builder's `_fbp` random part: `Math.floor(Math.random() * 2147483647)`. */
const FBP_RANDOM_BOUND = 2_147_483_647;

/** RFC 6265 cookie-octets: what a cookie value may hold without quoting. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/**
 * `_fbp` and `_fbc` from a `Cookie` header; the first of each name wins (browsers send the most
 * specific first). A value longer than a browser value may be is ignored. Nothing else of the
 * header is kept.
 *
 * @example
 * ```ts
 * readFbCookies("_ga=1; _fbp=fb.1.1732560000000.1098765432"); // { fbp: "fb.1.1732560000000.1098765432" }
 * readFbCookies(null); // {}
 * ```
 */
export function readFbCookies(header: string | null | undefined): BrowserCookies {
  const cookies: BrowserCookies = {};
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const split = pair.indexOf("=");
    if (split < 0) continue;
    const name = pair.slice(0, split).trim();
    const value = pair.slice(split + 1).trim();
    if (value === "" || value.length > FIELD_LIMITS.browserValue) continue;
    if (name === "_fbp" && cookies.fbp === undefined) cookies.fbp = value;
    else if (name === "_fbc" && cookies.fbc === undefined) cookies.fbc = value;
  }
  return cookies;
}

/** What {@link firstPartyCookies} reads. */
export interface FirstPartyCookieInputs {
  /** `COOKIE_DOMAIN`; undefined: no cookie is set. */
  cookieDomain: string | undefined;
  /** The request's `_fbp` / `_fbc` ({@link readFbCookies}). */
  cookies: BrowserCookies;
  /** The body's `page_url`, raw. */
  pageUrl: string | undefined;
  /** The body's `fbp` (the Pixel's), used for a missing `_fbp` cookie when it is valid. */
  fbp: string | undefined;
  /** Unix ms. */
  now: number;
  /** A number in [0, 1) (Runtime's `random`). */
  random: () => number;
}

/** The cookies to read the request with from now on, and the `Set-Cookie` values that make them last. */
export interface FirstPartyCookies {
  /** The request's cookies with what was set in their place: pass these to `planBrowserEvents`. */
  cookies: BrowserCookies;
  /** `Set-Cookie` header values, one per cookie set; empty when nothing changes or without `COOKIE_DOMAIN`. */
  setCookie: string[];
}

/**
 * Which first-party cookies the browser route sets (see the module comment).
 *
 * @example
 * ```ts
 * firstPartyCookies({ cookieDomain: "example.com", cookies: {}, pageUrl: "https://shop.example.com/?fbclid=IwAR2", fbp: undefined, now: 1795632127123, random: () => 0.5 });
 * // { cookies: { fbp: "fb.1.1795632127123.1073741823", fbc: "fb.1.1795632127123.IwAR2" },
 * //   setCookie: ["_fbp=fb.1.1795632127123.1073741823; Domain=example.com; Path=/; Max-Age=7776000; SameSite=Lax; Secure", "_fbc=…"] }
 * ```
 */
export function firstPartyCookies(inputs: FirstPartyCookieInputs): FirstPartyCookies {
  const { cookieDomain, now } = inputs;
  const cookies: BrowserCookies = { ...inputs.cookies };
  const setCookie: string[] = [];
  if (cookieDomain === undefined) return { cookies, setCookie };
  const index = cookieDomain.split(".").length - 1;
  const time = Math.floor(now);

  const set = (name: "_fbp" | "_fbc", value: string): boolean => {
    if (!COOKIE_VALUE.test(value)) return false;
    setCookie.push(
      `${name}=${value}; Domain=${cookieDomain}; Path=/; Max-Age=${FB_COOKIE_MAX_AGE}; SameSite=Lax; Secure`,
    );
    return true;
  };

  if (!isClickId(cookies.fbp)) {
    const fromBody = isClickId(inputs.fbp) ? inputs.fbp!.trim() : undefined;
    const fbp = fromBody ?? `fb.${index}.${time}.${Math.floor(inputs.random() * FBP_RANDOM_BOUND)}`;
    if (set("_fbp", fbp)) cookies.fbp = fbp;
  }

  const click = fbclidFromUrl(inputs.pageUrl);
  const cookieClick = isClickId(cookies.fbc) ? cookies.fbc!.split(".")[3] : undefined;
  if (click !== undefined && click !== cookieClick) {
    const fbc = `fb.${index}.${time}.${click}`;
    if (set("_fbc", fbc)) cookies.fbc = fbc;
  }
  return { cookies, setCookie };
}

function isClickId(value: string | undefined): boolean {
  return value !== undefined && readClickId(value).ok;
}
