/// <reference types="node" />
import { BlockList, isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { normalizeClientIp } from "./clientIp";
import { dropped, kept } from "./normalize";

const ip = (raw: string, ipv6?: string) => normalizeClientIp(raw, ipv6);

describe("normalizeClientIp: one address", () => {
  it("keeps a public IPv4 address (the contract's example, a documentation address)", () => {
    expect(ip("203.0.113.7")).toEqual(kept("203.0.113.7"));
    expect(ip("8.8.8.8")).toEqual(kept("8.8.8.8"));
  });
  it("accepts all three IPv4 documentation blocks", () => {
    for (const address of ["192.0.2.1", "198.51.100.23", "203.0.113.255"]) expect(ip(address)).toEqual(kept(address));
  });
  it("accepts the IPv6 documentation block", () => {
    expect(ip("2001:db8:85a3::8a2e:370:7334")).toEqual(kept("2001:db8:85a3::8a2e:370:7334"));
  });
  it("trims spaces and invisible characters", () => {
    expect(ip(" 8.8.8.8\u200B ")).toEqual(kept("8.8.8.8"));
  });
  it("refuses IPv4 with leading zeros or out-of-range octets", () => {
    for (const bad of ["008.8.8.8", "8.8.8.08", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.-4"]) {
      expect(ip(bad), bad).toEqual(dropped("not an IP address"));
    }
  });
  it("refuses what is not an address", () => {
    for (const bad of ["unknown", "localhost", "2001:db8:::1", "12345::", "g::1", "1.2.3.4/24"]) {
      expect(ip(bad), bad).toEqual(dropped("not an IP address"));
    }
  });
  it("is undefined when nothing was given", () => {
    expect(normalizeClientIp(undefined)).toBeUndefined();
    expect(normalizeClientIp("  ", "")).toBeUndefined();
  });
});

describe("normalizeClientIp: brackets, ports, zones, appendix", () => {
  it.each([
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["8.8.8.8:80", "8.8.8.8"],
    ["2001:db8::1%eth0", "2001:db8::1"],
    ["[2001:db8::1%25en0]:8080", "2001:db8::1"],
    ["8.8.8.8.AQQAAQMC", "8.8.8.8"],
    ["2001:db8::1.AQQCAQMC", "2001:db8::1"],
    ["8.8.8.8:443.BA", "8.8.8.8"],
  ])("%s -> %s", (raw, expected) => {
    expect(ip(raw)).toEqual(kept(expected));
  });
});

describe("normalizeClientIp: IPv6 canonical form (RFC 5952, section 4)", () => {
  it.each([
    ["2001:0db8::0001", "2001:db8::1"],
    ["2001:db8:0:0:0:0:2:1", "2001:db8::2:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:DB8::ABCD", "2001:db8::abcd"],
    ["2001:db8::1.2.3.4", "2001:db8::102:304"],
  ])("%s -> %s", (raw, expected) => {
    expect(ip(raw)).toEqual(kept(expected));
  });
  it("reads an IPv4-mapped address as IPv4", () => {
    expect(ip("::ffff:8.8.8.8")).toEqual(kept("8.8.8.8"));
    expect(ip("::FFFF:808:808")).toEqual(kept("8.8.8.8"));
    expect(ip("::ffff:192.168.0.1")).toEqual(dropped("not a public IP address"));
  });
});

describe("normalizeClientIp: not public", () => {
  it.each([
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "169.254.1.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.168.1.20",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "febf::1",
    "ff02::1",
  ])("%s", (address) => {
    expect(ip(address)).toEqual(dropped("not a public IP address"));
  });
  it.each([
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "fec0::1",
    "2606:4700::1111",
  ])("%s, just outside a block, is public", (address) => {
    expect(ip(address)).toMatchObject({ ok: true });
  });
  it("agrees with node's BlockList on the IPv4 blocks, across each block's edges", () => {
    const blocked = new BlockList();
    for (const [base, prefix] of [
      ["0.0.0.0", 8],
      ["10.0.0.0", 8],
      ["100.64.0.0", 10],
      ["127.0.0.0", 8],
      ["169.254.0.0", 16],
      ["172.16.0.0", 12],
      ["192.0.0.0", 24],
      ["192.168.0.0", 16],
      ["198.18.0.0", 15],
      ["224.0.0.0", 4],
      ["240.0.0.0", 4],
    ] as const) {
      blocked.addSubnet(base, prefix, "ipv4");
    }
    for (let first = 0; first < 256; first++) {
      for (const rest of [
        "0.0.0",
        "63.255.255",
        "64.0.0",
        "127.255.255",
        "128.0.0",
        "168.1.1",
        "254.1.1",
        "255.255.255",
        "18.0.0",
        "20.0.0",
        "16.0.0",
        "32.0.0",
      ]) {
        const address = `${first}.${rest}`;
        expect(ip(address)?.ok, address).toBe(!blocked.check(address, "ipv4"));
      }
    }
  });
  it("agrees with node on what is an IPv6 address", () => {
    for (const candidate of [
      "1::",
      "::1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      ":1::",
      "2001:db8::1.2.3.4",
      "2001:db8::1.2.3",
      "::ffff:1.2.3.256",
    ]) {
      const result = ip(candidate);
      expect(result?.ok === true || result?.reason === "not a public IP address", candidate).toBe(
        isIP(candidate) === 6,
      );
    }
  });
});

describe("normalizeClientIp: lists and the IPv6 field", () => {
  it("takes the first valid public address of a forwarded list", () => {
    expect(ip("203.0.113.7, 10.0.0.1")).toEqual(kept("203.0.113.7"));
    expect(ip("10.0.0.1, 203.0.113.7, 8.8.8.8")).toEqual(kept("203.0.113.7"));
    expect(ip("unknown, [2001:db8::5]:443")).toEqual(kept("2001:db8::5"));
    expect(ip("2001:db8::5, 8.8.8.8")).toEqual(kept("2001:db8::5"));
  });
  it("drops a list without any public address", () => {
    expect(ip("10.0.0.1, 192.168.0.1")).toEqual(dropped("not a public IP address"));
    expect(ip("unknown, nonsense")).toEqual(dropped("not an IP address"));
  });
  it("prefers a valid public IPv6 from the ipv6 field", () => {
    expect(ip("203.0.113.7", "2001:db8::7")).toEqual(kept("2001:db8::7"));
    expect(ip("203.0.113.7", "[2001:DB8::7]:443")).toEqual(kept("2001:db8::7"));
  });
  it("falls back to ip when the ipv6 field is not a public IPv6", () => {
    expect(ip("203.0.113.7", "fe80::1")).toEqual(kept("203.0.113.7"));
    expect(ip("203.0.113.7", "nonsense")).toEqual(kept("203.0.113.7"));
    expect(ip("203.0.113.7", "8.8.8.8")).toEqual(kept("203.0.113.7"));
  });
  it("takes a public IPv4 from the ipv6 field only when ip has none", () => {
    expect(ip("10.0.0.1", "8.8.8.8")).toEqual(kept("8.8.8.8"));
    expect(normalizeClientIp(undefined, "2001:db8::9")).toEqual(kept("2001:db8::9"));
  });
  it("reports an address that is not public over text that is none", () => {
    expect(ip("nonsense", "fe80::1")).toEqual(dropped("not a public IP address"));
  });
});

describe("normalizeClientIp: asked again", () => {
  it("answers each question as its own, however they alternate (the last answer is kept for a repeat)", () => {
    const questions: [string | undefined, string | undefined][] = [
      ["203.0.113.7", undefined],
      ["203.0.113.7", undefined],
      ["203.0.113.7", "2001:db8::7"],
      ["10.0.0.1", undefined],
      ["203.0.113.7", undefined],
      [undefined, undefined],
    ];
    expect(questions.map(([ip, ipv6]) => normalizeClientIp(ip, ipv6))).toEqual([
      { ok: true, value: "203.0.113.7" },
      { ok: true, value: "203.0.113.7" },
      { ok: true, value: "2001:db8::7" },
      { ok: false, reason: "not a public IP address" },
      { ok: true, value: "203.0.113.7" },
      undefined,
    ]);
  });

  it("gives an answer no caller can change for the next one", () => {
    const answer = normalizeClientIp("198.51.100.9");
    expect(Object.isFrozen(answer)).toBe(true);
    expect(normalizeClientIp("198.51.100.9")).toEqual({ ok: true, value: "198.51.100.9" });
  });
});
