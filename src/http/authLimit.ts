/**
 * Failed admin authentications, limited per client address, so that `ADMIN_SECRET` cannot be
 * guessed fast: a wrong `Authorization: Bearer` on any `/admin` route, or a wrong secret in the
 * console's login form, counts one failure against the client's address in Cloudflare's rate
 * limiting binding `ADMIN_AUTH_RATE_LIMIT` (wrangler.jsonc: {@link ADMIN_AUTH_FAILURES} failures
 * per {@link ADMIN_AUTH_PERIOD_SECONDS} seconds). Past the limit, the client is answered 429 with
 * `Retry-After` before its secret is compared, so a guesser learns nothing either way, right
 * secret included.
 *
 * Only failures count: the operator's scripts and sessions, however busy, never move the count,
 * and another address's guesses never touch it (each address has its own budget).
 *
 * The binding can only count (each `limit()` call adds one; there is no "peek"), so a client's
 * "limited until" is remembered in this isolate when a failure goes over the limit, and checked
 * first on its next attempt. Another isolate learns it on that client's next failure there (which
 * the binding refuses too): a guesser spread over isolates gets at most one comparison per
 * isolate and window past the limit, and that comparison is answered 429 when wrong.
 *
 * A client's address is `CF-Connecting-IP`, an IPv6 address reduced to its /64 (one subscriber's
 * whole network, which a guesser would otherwise rotate through). The address is a key of the
 * binding and of the isolate's memory only; it is never logged.
 *
 * @example
 * ```ts
 * const client = clientAddressKey(c.req.raw.headers); // ./clientAddress: "203.0.113.7" | "2001:db8:1:2::/64"
 * const wait = failedAuthLimit.retryAfter(client, now);
 * if (wait !== undefined) throw new ApiError("rate_limited", "Too many wrong secrets", { retryAfter: wait });
 * // … compare the secret; when it is wrong:
 * const limited = await failedAuthLimit.fail(c.env.ADMIN_AUTH_RATE_LIMIT, client, now);
 * ```
 */

/** Failed authentications an address may make per period (wrangler.jsonc's `ADMIN_AUTH_RATE_LIMIT`). */
export const ADMIN_AUTH_FAILURES = 10;

/** The binding's period, in seconds (Cloudflare allows 10 or 60). */
export const ADMIN_AUTH_PERIOD_SECONDS = 60;

/** Addresses remembered as limited in one isolate; the oldest go first past this. */
const REMEMBERED = 10_000;

/**
 * The limit on failed admin authentications: which clients are known to be over it (this
 * isolate's memory), and the count of a failure (the binding's). One per isolate
 * ({@link failedAuthLimit}); tests make their own.
 */
export class FailedAuthLimit {
  /** Client key → ms until which it is refused; insertion order is age. */
  private readonly limitedUntil = new Map<string, number>();

  /**
   * Seconds until the client may try again when it is known to be over the limit, else
   * `undefined`. Counts nothing: it is asked before the secret is compared.
   *
   * @param now ms
   * @example
   * ```ts
   * limit.retryAfter("203.0.113.7", Date.now()); // undefined, or 1 to 60
   * ```
   */
  retryAfter(client: string, now: number): number | undefined {
    const until = this.limitedUntil.get(client);
    if (until === undefined) return undefined;
    if (until <= now) {
      this.limitedUntil.delete(client);
      return undefined;
    }
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  /**
   * Counts one failed authentication of the client. Over the limit, the client is remembered as
   * limited for a period and the seconds to wait are returned; under it, `undefined`. Without the
   * binding (a test of the routes alone), nothing is counted and nothing limited.
   *
   * @param now ms
   * @example
   * ```ts
   * const wait = await limit.fail(env.ADMIN_AUTH_RATE_LIMIT, "203.0.113.7", Date.now());
   * if (wait !== undefined) throw new ApiError("rate_limited", "…", { retryAfter: wait });
   * ```
   */
  async fail(binding: RateLimit | undefined, client: string, now: number): Promise<number | undefined> {
    if (binding === undefined) return undefined;
    const { success } = await binding.limit({ key: client });
    if (success) return undefined;
    this.limitedUntil.delete(client);
    this.limitedUntil.set(client, now + ADMIN_AUTH_PERIOD_SECONDS * 1000);
    if (this.limitedUntil.size > REMEMBERED) {
      const oldest = this.limitedUntil.keys().next().value;
      if (oldest !== undefined) this.limitedUntil.delete(oldest);
    }
    return ADMIN_AUTH_PERIOD_SECONDS;
  }
}

/**
 * This isolate's limit, shared by the console's login and every `/admin` route.
 *
 * @example
 * ```ts
 * failedAuthLimit.retryAfter(clientAddressKey(headers), Date.now());
 * ```
 */
export const failedAuthLimit = new FailedAuthLimit();
