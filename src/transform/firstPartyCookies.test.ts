import { describe, expect, it } from "vitest";
import { firstPartyCookies, readFbCookies } from "./firstPartyCookies";

const NOW = 1_795_632_127_123;
const ATTRIBUTES = "Domain=example.com; Path=/; Max-Age=7776000; SameSite=Lax; Secure";
const base = {
  cookieDomain: "example.com",
  cookies: {},
  pageUrl: undefined,
  fbp: undefined,
  now: NOW,
  random: () => 0.5,
};

describe("readFbCookies", () => {
  it("reads _fbp and _fbc only, the first of each", () => {
    expect(
      readFbCookies("_ga=GA1.1.1; _fbp=fb.1.1732560000000.1098765432; _fbc=fb.1.1732560123000.IwAR; _fbp=fb.1.2.3"),
    ).toEqual({ fbp: "fb.1.1732560000000.1098765432", fbc: "fb.1.1732560123000.IwAR" });
    expect(readFbCookies(null)).toEqual({});
    expect(readFbCookies("__proto__=x; constructor=y")).toEqual({});
  });

  it("ignores an endless value", () => {
    expect(readFbCookies(`_fbp=fb.1.1.${"x".repeat(2000)}`)).toEqual({});
  });
});

describe("firstPartyCookies", () => {
  it("sets nothing without COOKIE_DOMAIN", () => {
    const decided = firstPartyCookies({ ...base, cookieDomain: undefined, pageUrl: "https://s.example/?fbclid=New" });
    expect(decided).toEqual({ cookies: {}, setCookie: [] });
  });

  it("sets a new _fbp when the request has none, as the Parameter Builder draws it", () => {
    const decided = firstPartyCookies(base);
    const fbp = `fb.1.${NOW}.${Math.floor(0.5 * 2147483647)}`;
    expect(decided.cookies).toEqual({ fbp });
    expect(decided.setCookie).toEqual([`_fbp=${fbp}; ${ATTRIBUTES}`]);
  });

  it("keeps the Pixel's browser id: a missing cookie takes the body's valid fbp", () => {
    const fbp = "fb.1.1732560000000.1098765432";
    expect(firstPartyCookies({ ...base, fbp }).setCookie).toEqual([`_fbp=${fbp}; ${ATTRIBUTES}`]);
    expect(firstPartyCookies({ ...base, fbp: "nonsense" }).cookies.fbp).toMatch(/^fb\.1\.\d+\.\d+$/);
  });

  it("leaves a valid _fbp cookie alone, and replaces a malformed one", () => {
    const fbp = "fb.1.1732560000000.1098765432";
    expect(firstPartyCookies({ ...base, cookies: { fbp } })).toEqual({ cookies: { fbp }, setCookie: [] });
    expect(firstPartyCookies({ ...base, cookies: { fbp: "garbage" } }).setCookie).toHaveLength(1);
  });

  it("sets _fbc when page_url carries a new fbclid, and not for the one the cookie already has", () => {
    const fbp = "fb.1.1732560000000.1098765432";
    const fresh = firstPartyCookies({
      ...base,
      cookies: { fbp },
      pageUrl: "https://shop.example.com/q?fbclid=IwAR2New",
    });
    expect(fresh.cookies.fbc).toBe(`fb.1.${NOW}.IwAR2New`);
    expect(fresh.setCookie).toEqual([`_fbc=fb.1.${NOW}.IwAR2New; ${ATTRIBUTES}`]);

    const replaced = firstPartyCookies({
      ...base,
      cookies: { fbp, fbc: "fb.1.1732560123000.IwAR2Old" },
      pageUrl: "https://shop.example.com/q?fbclid=IwAR2New",
    });
    expect(replaced.cookies.fbc).toBe(`fb.1.${NOW}.IwAR2New`);

    const same = firstPartyCookies({
      ...base,
      cookies: { fbp, fbc: "fb.1.1732560123000.IwAR2New" },
      pageUrl: "https://shop.example.com/q?fbclid=IwAR2New",
    });
    expect(same).toEqual({ cookies: { fbp, fbc: "fb.1.1732560123000.IwAR2New" }, setCookie: [] });
  });

  it("counts the subdomain index from COOKIE_DOMAIN's labels", () => {
    const decided = firstPartyCookies({
      ...base,
      cookieDomain: "example.co.uk",
      pageUrl: "https://s.example.co.uk/?fbclid=X",
    });
    expect(decided.cookies.fbp).toMatch(/^fb\.2\./);
    expect(decided.cookies.fbc).toBe(`fb.2.${NOW}.X`);
    expect(decided.setCookie[0]).toContain("Domain=example.co.uk;");
  });

  it("never writes a click id that would break out of the cookie value", () => {
    const decided = firstPartyCookies({
      ...base,
      cookies: { fbp: "fb.1.1732560000000.1098765432" },
      pageUrl: 'https://s.example/?fbclid=a;Domain=evil.example,"x"',
    });
    expect(decided.setCookie).toEqual([]);
    expect(decided.cookies.fbc).toBeUndefined();
  });
});
