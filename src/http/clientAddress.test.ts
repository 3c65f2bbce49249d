import { describe, expect, it } from "vitest";
import { clientAddressKey } from "./clientAddress";

const at = (ip: string) => new Headers({ "cf-connecting-ip": ip });

describe("clientAddressKey", () => {
  it("keys IPv4 by the address", () => {
    expect(clientAddressKey(at("203.0.113.7"))).toBe("203.0.113.7");
  });

  it.each([
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:0db8:0001:0002::", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:3:4:192.0.2.1", "2001:db8:1:2::/64"],
  ])("keys IPv6 %s by its /64", (ip, key) => {
    expect(clientAddressKey(at(ip))).toBe(key);
  });

  it("keys an IPv4-mapped address by its IPv4 client, not one /64 for every such client", () => {
    expect(clientAddressKey(at("::ffff:192.0.2.1"))).toBe("192.0.2.1");
    expect(clientAddressKey(at("::FFFF:192.0.2.2"))).toBe("192.0.2.2");
  });

  it("gives one /64 one budget: two addresses of a subscriber share a key", () => {
    expect(clientAddressKey(at("2001:db8:1:2::a"))).toBe(clientAddressKey(at("2001:db8:1:2:ffff:ffff:ffff:ffff")));
    expect(clientAddressKey(at("2001:db8:1:3::a"))).not.toBe(clientAddressKey(at("2001:db8:1:2::a")));
  });

  it.each([[""], ["not an ip"], ["1:2:3"], ["1::2::3"], ["1:2:3:4:5:6:7:8:9"], ["12345::1"]])(
    "keys %j (no usable address) as unknown",
    (ip) => {
      expect(clientAddressKey(at(ip))).toBe("unknown");
    },
  );

  it("keys a request without the header as unknown", () => {
    expect(clientAddressKey(new Headers())).toBe("unknown");
  });
  it("drops an IPv6 zone, and reads groups written with leading zeros or in capitals", () => {
    expect(clientAddressKey(at("fe80::1%eth0"))).toBe("fe80:0:0:0::/64");
    expect(clientAddressKey(at("2001:DB8:0001:0002::ff"))).toBe("2001:db8:1:2::/64");
  });

  it.each([["g::1"], ["x".repeat(100)]])("keys %j (no usable address) as unknown too", (ip) => {
    expect(clientAddressKey(at(ip))).toBe("unknown");
  });
});
