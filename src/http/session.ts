/**
 * The operator console's sessions: after a person logs in with `ADMIN_SECRET`, a stateless token
 * in an `HttpOnly; Secure; SameSite=Strict; Path=/admin` cookie, and the CSRF token the page
 * sends back with every state-changing request. Nothing is stored: both are HMAC-SHA256s keyed
 * by `ADMIN_SECRET`, so rotating the secret logs everyone out, and a session ends when its
 * cookie expires (8 hours) or the browser drops it on logout.
 *
 * - Session token: `v1.{expiry, unix seconds}.{random id}.{HMAC of "session.{expiry}.{id}"}`.
 * - CSRF token: the HMAC of `"csrf.{id}"`: only the page of that session knows it (the cookie is
 *   HttpOnly and the page is `no-store`), and it dies with the session.
 * - Same origin: a state-changing request made with the cookie must also say, in
 *   `Sec-Fetch-Site` (or, from a browser without it, `Origin`), that it comes from the console's
 *   own origin.
 *
 * Cookie syntax (parsing and `Set-Cookie` attributes) is Hono's cookie helper's; the tokens are
 * Web Crypto HMACs. Token comparisons are constant-time (./auth's `equalSecretText`).
 *
 * @example
 * ```ts
 * const { token, session } = await issueSession(env.ADMIN_SECRET, Date.now());
 * c.header("set-cookie", sessionCookie(token));
 * const page = renderConsole(model, { csrfToken: await csrfToken(session, env.ADMIN_SECRET), nonce });
 * // later, on a request
 * const session = await readSession(sessionTokenOf(c.req.header("cookie")), env.ADMIN_SECRET, Date.now());
 * ```
 */
import { generateCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import { equalSecretText } from "./auth";

/** The cookie's name. `__Secure-` makes browsers refuse it unless it is `Secure` and set over https (or on localhost). */
export const SESSION_COOKIE = "__Secure-relay_admin";

/** How long a session lasts: a working day. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

/** The path the cookie is sent to: the console and its routes, nothing else of the Worker. */
export const SESSION_PATH = "/admin";

/** The header the console's script sends the CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

/** The form field a plain HTML form (the logout button) sends the CSRF token in. */
export const CSRF_FIELD = "csrf_token";

/** A valid session, as read from its token. */
export interface AdminSession {
  /** Random, base64url; names the session (and keys its CSRF token). */
  id: string;
  /** ms */
  expiresAt: number;
}

const encoder = new TextEncoder();
const TOKEN = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * A new session, valid for {@link SESSION_TTL_SECONDS} from `now`, and its token.
 *
 * @param secret `ADMIN_SECRET`
 * @param now ms
 * @example
 * ```ts
 * const { token, session } = await issueSession("s3cret", Date.parse("2026-11-25T19:00:00Z"));
 * token; // "v1.1764126000.Qm9i….kP3x…"
 * session.expiresAt; // 1764126000000
 * ```
 */
export async function issueSession(secret: string, now: number): Promise<{ token: string; session: AdminSession }> {
  const expiry = Math.floor(now / 1000) + SESSION_TTL_SECONDS;
  const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const token = `v1.${expiry}.${id}.${await mac(secret, `session.${expiry}.${id}`)}`;
  return { token, session: { id, expiresAt: expiry * 1000 } };
}

/**
 * The session a token stands for, or `undefined` when there is no token, it is malformed, its
 * HMAC is not ours (another secret, or tampered with), it has expired, or it claims to last longer
 * than any session the relay issues.
 *
 * @param now ms
 * @example
 * ```ts
 * await readSession(token, "s3cret", Date.now()); // { id: "Qm9i…", expiresAt: 1764126000000 }
 * await readSession(token, "rotated", Date.now()); // undefined
 * ```
 */
export async function readSession(
  token: string | undefined,
  secret: string,
  now: number,
): Promise<AdminSession | undefined> {
  if (!token || !secret) return undefined;
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const [, expiryText, id, presented] = match as unknown as [string, string, string, string];
  const expiresAt = Number(expiryText) * 1000;
  if (expiresAt <= now || expiresAt > now + (SESSION_TTL_SECONDS + 60) * 1000) return undefined;
  const expected = await mac(secret, `session.${expiryText}.${id}`);
  return (await equalSecretText(presented, expected)) ? { id, expiresAt } : undefined;
}

/**
 * The session cookie's token in a `Cookie` header, if any.
 *
 * @example
 * ```ts
 * sessionTokenOf("theme=dark; __Secure-relay_admin=v1.1764126000.Qm9i….kP3x…"); // "v1.1764126000.Qm9i….kP3x…"
 * sessionTokenOf(undefined); // undefined
 * ```
 */
export function sessionTokenOf(cookieHeader: string | null | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  return parse(cookieHeader, SESSION_COOKIE)[SESSION_COOKIE];
}

/**
 * The `Set-Cookie` value that starts a session: `HttpOnly; Secure; SameSite=Strict; Path=/admin`,
 * and a `Max-Age` that ends the cookie when the token expires (rounded up to the second).
 *
 * @param now ms; the cookie lives until `session.expiresAt`
 * @example
 * ```ts
 * c.header("set-cookie", sessionCookie(token, session, Date.now()));
 * // "__Secure-relay_admin=v1.…; Max-Age=28800; Path=/admin; HttpOnly; Secure; SameSite=Strict"
 * ```
 */
export function sessionCookie(token: string, session: AdminSession, now: number): string {
  const maxAge = Math.max(0, Math.ceil((session.expiresAt - now) / 1000));
  return generateCookie(SESSION_COOKIE, token, {
    path: SESSION_PATH,
    maxAge,
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
  });
}

/**
 * The `Set-Cookie` value that ends a session in the browser (same name, path and attributes, `Max-Age=0`).
 *
 * @example
 * ```ts
 * c.header("set-cookie", clearedSessionCookie());
 * ```
 */
export function clearedSessionCookie(): string {
  return generateCookie(SESSION_COOKIE, "", {
    path: SESSION_PATH,
    maxAge: 0,
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
  });
}

/**
 * The CSRF token of a session: the page embeds it, the script sends it in {@link CSRF_HEADER}.
 *
 * @example
 * ```ts
 * const token = await csrfToken(session, env.ADMIN_SECRET); // 43 base64url characters
 * ```
 */
export async function csrfToken(session: AdminSession, secret: string): Promise<string> {
  return mac(secret, `csrf.${session.id}`);
}

/**
 * Whether `presented` is this session's CSRF token (constant-time). Another session's token, a
 * token made with another secret, and no token at all are refused.
 *
 * @example
 * ```ts
 * await validCsrf(c.req.header("x-csrf-token"), session, env.ADMIN_SECRET); // true | false
 * ```
 */
export async function validCsrf(
  presented: string | undefined,
  session: AdminSession,
  secret: string,
): Promise<boolean> {
  if (!presented) return false;
  return equalSecretText(presented, await csrfToken(session, secret));
}

/**
 * Where a request comes from, by the headers browsers set and pages cannot. `Sec-Fetch-Site`
 * decides when present (every current browser sends it): `"same"` for `same-origin`, else
 * `"cross"`. Without it, `Origin`: `"same"` when it is the request's own origin, `"cross"` when
 * another or `null`. `"unknown"` when neither header came (not a browser, or a very old one).
 *
 * `Sec-Fetch-Site` comes first because the console's pages are `Referrer-Policy: no-referrer`,
 * and under that policy a browser sends `Origin: null` on its own same-origin POSTs (Fetch
 * standard, "serializing a request origin").
 *
 * @param requestUrl the URL the request was made to (its origin is the console's)
 * @example
 * ```ts
 * requestSite(new Headers({ "sec-fetch-site": "same-origin", origin: "null" }), "https://relay.example.workers.dev/admin/logout"); // "same"
 * requestSite(new Headers({ origin: "https://relay.example.workers.dev" }), "https://relay.example.workers.dev/admin/logout"); // "same"
 * requestSite(new Headers({ "sec-fetch-site": "cross-site" }), "https://relay.example.workers.dev/admin/logout"); // "cross"
 * ```
 */
export function requestSite(headers: Headers, requestUrl: string): "same" | "cross" | "unknown" {
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site.trim().toLowerCase() === "same-origin" ? "same" : "cross";
  const origin = headers.get("origin");
  if (origin === null) return "unknown";
  return origin.trim() === new URL(requestUrl).origin ? "same" : "cross";
}

async function mac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message))));
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
