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
 * const client = clientAddressKey(c.req.raw.headers); // "203.0.113.7" | "2001:db8:1:2::/64"
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

/** The key of a request without `CF-Connecting-IP` (a local test, never Cloudflare's edge). */
const UNKNOWN_ADDRESS = "unknown";

/**
 * The rate-limit key of a request's client: its `CF-Connecting-IP`, IPv4 as it came (also when
 * written IPv4-mapped), IPv6 as the first four groups of the address and `::/64`; `"unknown"` without the header or with one that
 * is not an address.
 *
 * @example
 * ```ts
 * clientAddressKey(new Headers({ "cf-connecting-ip": "203.0.113.7" })); // "203.0.113.7"
 * clientAddressKey(new Headers({ "cf-connecting-ip": "2001:db8:1:2:3:4:5:6" })); // "2001:db8:1:2::/64"
 * clientAddressKey(new Headers({ "cf-connecting-ip": "2001:DB8::1" })); // "2001:db8:0:0::/64"
 * clientAddressKey(new Headers({ "cf-connecting-ip": "::ffff:203.0.113.7" })); // "203.0.113.7"
 * ```
 */
export function clientAddressKey(headers: Headers): string {
  const address = headers.get("cf-connecting-ip")?.trim() ?? "";
  // An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is its IPv4 client, not one shared /64.
  const ipv4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (ipv4 !== undefined) return ipv4;
  const prefix = ipv6Prefix64(address);
  return prefix === undefined ? UNKNOWN_ADDRESS : `${prefix}::/64`;
}

/** The first four groups of an IPv6 address (lowercase, no leading zeros), or `undefined`. */
function ipv6Prefix64(address: string): string | undefined {
  if (address.length > 45 || !/^[0-9a-fA-F:.]+$/.test(address) || !address.includes(":")) return undefined;
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const groups = (text: string | undefined) => (text ? text.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  // An embedded IPv4 address (`::ffff:192.0.2.1`) stands for the last two groups.
  const last = tail.length > 0 ? tail : head;
  const tailLength = last.at(-1)?.includes(".") ? 1 : 0;
  const count = head.length + tail.length + tailLength;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array<string>(8 - count).fill("0"), ...tail];
  const first = all.slice(0, 4);
  if (!first.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return first.map((group) => group.replace(/^0+(?=.)/, "")).join(":");
}

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
