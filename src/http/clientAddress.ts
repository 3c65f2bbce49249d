/**
 * The rate limiters' key for a request's client: its `CF-Connecting-IP` (Cloudflare's edge sets
 * it; `wrangler dev` passes a client's own through). One key per client, so both limiters (the
 * browser route's and the failed admin logins') count the same way:
 *
 * - an IPv4 address as it is, also when written IPv4-mapped (`::ffff:203.0.113.7`);
 * - an IPv6 address by its /64: one subscriber's whole network, which a client could otherwise
 *   rotate through by the billion;
 * - no header, or one that is not an address: one shared key, `"unknown"`.
 *
 * The key is a key of the binding and of an isolate's memory only: never logged, shown or counted.
 *
 * @example
 * ```ts
 * clientAddressKey(new Headers({ "cf-connecting-ip": "203.0.113.7" }));          // "203.0.113.7"
 * clientAddressKey(new Headers({ "cf-connecting-ip": "2001:db8:1:2:aa:bb:cc:dd" })); // "2001:db8:1:2::/64"
 * clientAddressKey(new Headers({ "cf-connecting-ip": "2001:DB8::1" }));          // "2001:db8:0:0::/64"
 * clientAddressKey(new Headers());                                                // "unknown"
 * ```
 */

/** The key of a request without a usable `CF-Connecting-IP` (a local test, never Cloudflare's edge). */
export const UNKNOWN_ADDRESS = "unknown";

export function clientAddressKey(headers: Headers): string {
  const text = headers.get("cf-connecting-ip")?.trim().toLowerCase() ?? "";
  // An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is its IPv4 client, not one shared /64.
  const ipv4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)?.[1];
  if (ipv4 !== undefined) return ipv4;
  const prefix = ipv6Prefix64(text);
  return prefix === undefined ? UNKNOWN_ADDRESS : `${prefix}::/64`;
}

/** The first four groups of an IPv6 address (zone dropped), each without leading zeros; undefined if it is none. */
function ipv6Prefix64(text: string): string | undefined {
  if (text.length > 64 || !text.includes(":")) return undefined;
  const address = text.split("%", 1)[0]!;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined) => (part ? part.split(":") : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  // An embedded IPv4 address (::ffff:1.2.3.4) counts as two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const missing = 8 - width(head) - width(tail);
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const first = groups.slice(0, 4);
  if (first.length < 4 || !first.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return first.map((g) => Number.parseInt(g, 16).toString(16)).join(":");
}
