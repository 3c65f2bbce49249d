/**
 * Logout ends a console session on the server, not only in the browser. A session's token is
 * stateless (./session: an HMAC keyed by `ADMIN_SECRET`), so a copy of the cookie and its CSRF
 * token would otherwise keep working until the cookie's expiry (8 hours). Logout writes the
 * session's random id into a small table of the metrics store (the Durable Object the console
 * already reads on every page), kept until the session would have expired; every request made
 * with a session cookie asks the store whether its session was ended.
 *
 * Cost: one Durable Object call per request made with a session cookie (the console's page reads
 * the same store several times anyway); none for `Authorization: Bearer` requests, which have no
 * session. Should the store not answer, the session is refused (the person logs in again; Bearer
 * keeps working). Without a `METRICS` binding there is nowhere to write: logout then only clears
 * the cookie, as the deployment docs say.
 *
 * @example
 * ```ts
 * await endSession(c.env, session, runtime.now()); // logout
 * if (await sessionEnded(c.env, session, now, runtime.log)) return loginForm(); // every session request
 * ```
 */
import { logLine } from "../core/log";
import type { Runtime } from "../core/runtime";
import { metricsStoreOf } from "../observe/instances";
import type { AdminSession } from "./session";

/**
 * Whether the session was ended by a logout (or by its expiry); `true` too when the store cannot
 * say (refused rather than trusted), `false` without a metrics store.
 *
 * @param now ms; a session past its expiry is refused before this is asked
 * @example
 * ```ts
 * await sessionEnded(env, session, Date.now(), runtime.log); // false until logout
 * ```
 */
export async function sessionEnded(
  env: Partial<Pick<Env, "METRICS">>,
  session: AdminSession,
  now: number,
  log: Runtime["log"],
): Promise<boolean> {
  // Past its expiry a session is over whatever the store says (./session refuses it first).
  if (session.expiresAt <= now) return true;
  const store = metricsStoreOf(env);
  if (store === undefined) return false;
  try {
    return await store.sessionEnded(session.id);
  } catch (error) {
    logLine(log, {
      msg: "admin",
      level: "error",
      route: "session",
      outcome: "session_unknown",
      reason: (error as Error).name,
    });
    return true;
  }
}

/**
 * Ends the session on the server until its expiry: its cookie and CSRF token are refused from
 * then on, wherever they are copied. Throws when the store cannot write it (the logout then
 * fails visibly rather than pretending).
 *
 * @param now ms
 * @example
 * ```ts
 * await endSession(c.env, credential.session, runtime.now());
 * ```
 */
export async function endSession(
  env: Partial<Pick<Env, "METRICS">>,
  session: AdminSession,
  now: number,
): Promise<void> {
  await metricsStoreOf(env)?.endSession(session.id, session.expiresAt, now);
}
