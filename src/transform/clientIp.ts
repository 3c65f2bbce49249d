/**
 * `client_ip_address`: one valid public IPv4 or IPv6 address, or none. Meta asks for the
 * address of the shopper's browser, unhashed, as a single valid address without spaces or
 * ports (a forwarded list `a, b` is not an address), and prefers IPv6 for shoppers who have it.
 *
 * Pure functions: no I/O.
 */
import { cleanText, dropped, kept, type Normalized } from "./normalize";
import { splitBuilderAppendix } from "./paramBuilder";

/** One address read from an entry: its canonical text, its version, and whether it is public. */
interface Address {
  text: string;
  version: 4 | 6;
  isPublic: boolean;
}

const IPV4_OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** Dotted decimal, four octets 0-255, no leading zeros (`010` could be read as octal elsewhere). */
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const IPV4_WITH_PORT = /^([\d.]+):\d{1,5}$/;
const BRACKETED = /^\[([^\]]*)\](?::\d{1,5})?$/;
const IPV6_CHARACTERS = /^[0-9a-fA-F:.]+$/;

/**
 * IPv4 blocks that are not a shopper's public address: "this network" 0/8, private 10/8,
 * 172.16/12 and 192.168/16, carrier-grade NAT 100.64/10, loopback 127/8, link-local
 * 169.254/16, IETF protocol assignments 192.0.0/24, benchmarking 198.18/15, multicast 224/4,
 * and reserved 240/4 (which holds the broadcast address). The documentation blocks
 * (192.0.2/24, 198.51.100/24, 203.0.113/24) are deliberately absent: the contract's own
 * example webhook uses 203.0.113.7, so test traffic built on it must keep its address.
 */
const IPV4_NOT_PUBLIC: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0000000, 24],
  [0xc0a80000, 16],
  [0xc6120000, 15],
  [0xe0000000, 4],
  [0xf0000000, 4],
];

function ipv4Number(octets: number[]): number {
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function inBlock(address: number, [base, prefix]: readonly [number, number]): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0 === base;
}

function ipv4Address(octets: number[]): Address {
  const number = ipv4Number(octets);
  return { text: octets.join("."), version: 4, isPublic: !IPV4_NOT_PUBLIC.some((block) => inBlock(number, block)) };
}

/** The eight 16-bit groups of a canonical (RFC 5952) IPv6 text. */
function ipv6Groups(canonical: string): number[] {
  const [head = "", tail] = canonical.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16));
}

/**
 * An IPv6 address in its canonical form (RFC 5952: lowercase, leading zeros dropped, the first
 * longest run of zero groups as `::`), which is how WHATWG URL serializes an IPv6 host; an
 * IPv4-mapped address (`::ffff:1.2.3.4`) is read as the IPv4 address it carries.
 */
function ipv6Address(text: string): Address | undefined {
  if (!IPV6_CHARACTERS.test(text) || !text.includes(":")) return undefined;
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname;
  } catch {
    return undefined;
  }
  const canonical = host.slice(1, -1);
  const groups = ipv6Groups(canonical);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return ipv4Address([groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff]);
  }
  const first = groups[0]!;
  const unspecifiedOrLoopback = groups.slice(0, 7).every((group) => group === 0) && groups[7]! <= 1;
  const uniqueLocal = (first & 0xfe00) === 0xfc00;
  const linkLocal = (first & 0xffc0) === 0xfe80;
  const multicast = (first & 0xff00) === 0xff00;
  return { text: canonical, version: 6, isPublic: !(unspecifiedOrLoopback || uniqueLocal || linkLocal || multicast) };
}

/**
 * One entry of a forwarded list read as an address: trimmed (with invisible characters), a
 * Parameter Builder appendix (`8.8.8.8.AQQAAQMC`) removed, then brackets and a port
 * (`[2001:db8::1]:443`, `1.2.3.4:80`) and an IPv6 zone id (`fe80::1%eth0`).
 */
function readAddress(entry: string): Address | undefined {
  let text = splitBuilderAppendix(cleanText(entry)).core;
  const bracketed = BRACKETED.exec(text);
  if (bracketed !== null) text = bracketed[1]!;
  else text = IPV4_WITH_PORT.exec(text)?.[1] ?? text;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (IPV4.test(text)) return ipv4Address(text.split(".").map(Number));
  return ipv6Address(text);
}

function addresses(list: string | undefined): Address[] {
  if (list === undefined) return [];
  return list.split(",").flatMap((entry) => readAddress(entry) ?? []);
}

/**
 * `client_ip_address` from Studio's `context.ip` (possibly a forwarded list, `client, proxy`)
 * and its optional `context.ipv6`: a valid public IPv6 address from `ipv6` if there is one,
 * else the first valid public address of `ip`, else (rarely) a public IPv4 address given in
 * `ipv6`. Each entry is read as `readAddress` says; IPv4 is sent in dotted decimal (leading
 * zeros refused), IPv6 in its RFC 5952 canonical form. Not public, so never sent: private,
 * carrier-grade NAT, loopback, link-local, unspecified, multicast, broadcast and reserved IPv4
 * blocks (see `IPV4_NOT_PUBLIC`); IPv6 `::`, `::1`, unique local fc00::/7, link-local
 * fe80::/10 and multicast ff00::/8. Documentation blocks are accepted. `undefined` when neither
 * field holds anything.
 *
 * @example
 * ```ts
 * normalizeClientIp("203.0.113.7, 10.0.0.1");             // { ok: true, value: "203.0.113.7" }
 * normalizeClientIp("[2001:DB8::0:1]:443");                // { ok: true, value: "2001:db8::1" }
 * normalizeClientIp("203.0.113.7", "2001:db8::7");         // { ok: true, value: "2001:db8::7" }
 * normalizeClientIp("192.168.1.20");                       // { ok: false, reason: "not a public IP address" }
 * normalizeClientIp("unknown");                            // { ok: false, reason: "not an IP address" }
 * ```
 */
export function normalizeClientIp(ip: string | undefined, ipv6?: string): Normalized | undefined {
  // Every event of a browser body carries the request's one address: read it once.
  if (lastRead !== undefined && lastRead.ip === ip && lastRead.ipv6 === ipv6) return lastRead.answer;
  const answer = readClientIp(ip, ipv6);
  lastRead = { ip, ipv6, answer: answer && Object.freeze(answer) };
  return answer;
}

/** The last {@link normalizeClientIp} answer and what it was asked: the function is pure, so it holds for the same question. */
let lastRead: { ip: string | undefined; ipv6: string | undefined; answer: Normalized | undefined } | undefined;

function readClientIp(ip: string | undefined, ipv6: string | undefined): Normalized | undefined {
  const fromIpv6 = addresses(ipv6);
  const fromIp = addresses(ip);
  const best =
    fromIpv6.find((address) => address.version === 6 && address.isPublic) ??
    fromIp.find((address) => address.isPublic) ??
    fromIpv6.find((address) => address.isPublic);
  if (best !== undefined) return kept(best.text);
  if (fromIpv6.length > 0 || fromIp.length > 0) return dropped("not a public IP address");
  const given = [ip, ipv6].some((field) => field !== undefined && cleanText(field) !== "");
  return given ? dropped("not an IP address") : undefined;
}
