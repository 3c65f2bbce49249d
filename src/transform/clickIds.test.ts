import { describe, expect, it } from "vitest";
import { fbclidFromUrl, normalizeFbc, normalizeFbp, readClickId } from "./clickIds";
import { dropped, kept } from "./normalize";

const T = 1795632127123;

describe("readClickId", () => {
  it.each([
    "fb.1.1732560123000.IwAR2xYz",
    "fb.0.1732560123000.IwAR2xYz",
    "fb.2.1732560000000.554433221",
    "fb.1.1732560123000.IwAR_Mixed-Case",
    "fb.1.1732560123000.IwAR2xYz.AQQCAQMC",
    "fb.1.1732560123000.IwAR2xYz.BA",
    "fb.1.1.abc=def",
    "fb.1.1.AbC%2Dx_Y",
  ])("keeps %s exactly", (value) => {
    expect(readClickId(value)).toEqual(kept(value));
  });
  it("trims spaces and invisible characters around it, and nothing else", () => {
    expect(readClickId(" \u200Bfb.1.1732560123000.IwAR2xYz\uFEFF ")).toEqual(kept("fb.1.1732560123000.IwAR2xYz"));
  });
  it.each([
    ["a fifth segment that is no builder appendix", "fb.1.1732560123000.IwAR_Mixed-Case.Ab"],
    ["six segments", "fb.1.1732560123000.IwAR2xYz.AQQCAQMC.AQQCAQMC"],
    ["three segments", "fb.1.1732560123000"],
    ["an empty value", "fb.1.1732560123000."],
    ["another prefix", "FB.1.1732560123000.IwAR2xYz"],
    ["a subdomain index that is not digits", "fb.x.1732560123000.IwAR2xYz"],
    ["a time that is not digits", "fb.1.17325601230e3.IwAR2xYz"],
    ["a bare click id", "IwAR2xYz"],
    ["a bare browser id", "1098765432"],
    ["a space inside", "fb.1.1732560123000.IwAR 2xYz"],
    ["a non-ASCII character", "fb.1.1732560123000.IwAR2xYzé"],
    ["an empty segment", "fb..1732560123000.IwAR2xYz"],
  ])("refuses %s", (_why, value) => {
    expect(readClickId(value)).toEqual(dropped("malformed"));
  });
});

describe("fbclidFromUrl", () => {
  it("finds fbclid among other parameters", () => {
    expect(fbclidFromUrl("https://s.example/q?a=1&fbclid=IwAR2xYz&b=2")).toBe("IwAR2xYz");
  });
  it("keeps the click id byte for byte, case and encoding included", () => {
    expect(fbclidFromUrl("https://s.example/?fbclid=AbC%2Dx_Y")).toBe("AbC%2Dx_Y");
  });
  it("keeps a click id that holds '='", () => {
    expect(fbclidFromUrl("https://s.example/?fbclid=abc=def&x=1")).toBe("abc=def");
  });
  it("ignores the fragment, similar names, and values that cannot stand in an fbc", () => {
    expect(fbclidFromUrl("https://s.example/#?fbclid=x")).toBeUndefined();
    expect(fbclidFromUrl("https://s.example/?xfbclid=x")).toBeUndefined();
    expect(fbclidFromUrl("https://s.example/?fbclid=")).toBeUndefined();
    expect(fbclidFromUrl("https://s.example/?fbclid=a.b")).toBeUndefined();
    expect(fbclidFromUrl("https://s.example/?fbclid=a b")).toBeUndefined();
    expect(fbclidFromUrl(undefined)).toBeUndefined();
  });
  it("takes the first usable fbclid", () => {
    expect(fbclidFromUrl("https://s.example/?fbclid=&fbclid=second")).toBe("second");
  });
});

describe("normalizeFbc", () => {
  const page = (fbclid: string) => `https://shop.example.com/quiz?utm_source=fb&fbclid=${fbclid}`;

  it("keeps a valid cookie when the page has no click id", () => {
    expect(
      normalizeFbc({ cookie: "fb.1.1732560123000.IwAR2xYz", pageUrl: "https://s.example/q", clickTimeMs: T }),
    ).toEqual(kept("fb.1.1732560123000.IwAR2xYz"));
  });
  it("keeps a valid cookie whose click id is the page's (the canonical webhook)", () => {
    expect(normalizeFbc({ cookie: "fb.1.1732560123000.IwAR2xYz", pageUrl: page("IwAR2xYz"), clickTimeMs: T })).toEqual(
      kept("fb.1.1732560123000.IwAR2xYz"),
    );
  });
  it("keeps a cookie's builder appendix when its click id is the page's", () => {
    const cookie = "fb.1.1732560123000.IwAR2xYz.AQQCAQMC";
    expect(normalizeFbc({ cookie, pageUrl: page("IwAR2xYz"), clickTimeMs: T })).toEqual(kept(cookie));
  });
  it("builds a new fbc when the page's click id differs from the cookie's (a new ad click)", () => {
    expect(normalizeFbc({ cookie: "fb.1.1732560123000.OldClick", pageUrl: page("NewClick"), clickTimeMs: T })).toEqual(
      kept(`fb.1.${T}.NewClick`),
    );
  });
  it("compares the page's click id with the cookie's 4th segment, not its appendix", () => {
    expect(
      normalizeFbc({ cookie: "fb.1.1732560123000.OldClick.AQQCAQMC", pageUrl: page("AQQCAQMC"), clickTimeMs: T }),
    ).toEqual(kept(`fb.1.${T}.AQQCAQMC`));
  });
  it("builds fbc from the page when there is no cookie, or only a malformed one", () => {
    expect(normalizeFbc({ pageUrl: page("IwAR2xYz"), clickTimeMs: T })).toEqual(kept(`fb.1.${T}.IwAR2xYz`));
    expect(normalizeFbc({ cookie: "garbage", pageUrl: page("IwAR2xYz"), clickTimeMs: T })).toEqual(
      kept(`fb.1.${T}.IwAR2xYz`),
    );
  });
  it("floors a fractional click time", () => {
    expect(normalizeFbc({ pageUrl: page("x"), clickTimeMs: 1.9 })).toEqual(kept("fb.1.1.x"));
  });
  it("falls back to the referrer's click id when neither the cookie nor the page has one", () => {
    const referrerUrl = "https://l.facebook.com/l.php?u=x&fbclid=FromReferrer";
    expect(normalizeFbc({ pageUrl: "https://s.example/q", referrerUrl, clickTimeMs: T })).toEqual(
      kept(`fb.1.${T}.FromReferrer`),
    );
    expect(normalizeFbc({ cookie: "garbage", referrerUrl, clickTimeMs: T })).toEqual(kept(`fb.1.${T}.FromReferrer`));
  });
  it("ignores the referrer when the cookie or the page has a click id", () => {
    const referrerUrl = "https://l.facebook.com/?fbclid=FromReferrer";
    expect(normalizeFbc({ cookie: "fb.1.1732560123000.Cookie", referrerUrl, clickTimeMs: T })).toEqual(
      kept("fb.1.1732560123000.Cookie"),
    );
    expect(normalizeFbc({ pageUrl: page("FromPage"), referrerUrl, clickTimeMs: T })).toEqual(
      kept(`fb.1.${T}.FromPage`),
    );
  });
  it("builds nothing without a click time", () => {
    expect(normalizeFbc({ pageUrl: page("IwAR2xYz") })).toBeUndefined();
    expect(normalizeFbc({ cookie: "fb.1.1.Old", pageUrl: page("New") })).toEqual(kept("fb.1.1.Old"));
  });
  it("reports a malformed cookie nothing replaces", () => {
    expect(normalizeFbc({ cookie: "fb.1.1732560123000.IwAR_Mixed-Case.Ab", clickTimeMs: T })).toEqual(
      dropped("malformed"),
    );
  });
  it("is undefined when there is nothing at all", () => {
    expect(normalizeFbc({ clickTimeMs: T })).toBeUndefined();
    expect(normalizeFbc({ cookie: " ", pageUrl: "https://s.example/", clickTimeMs: T })).toBeUndefined();
  });
});

describe("normalizeFbp", () => {
  it("keeps a valid fbp exactly, builder appendix included", () => {
    expect(normalizeFbp("fb.1.1732560000000.1098765432")).toEqual(kept("fb.1.1732560000000.1098765432"));
    expect(normalizeFbp("fb.1.1732560000000.1098765432.AQQCAQMC")).toEqual(
      kept("fb.1.1732560000000.1098765432.AQQCAQMC"),
    );
  });
  it("refuses a malformed fbp", () => {
    expect(normalizeFbp("1098765432")).toEqual(dropped("malformed"));
    expect(normalizeFbp("fb.1.1732560000000.1098765432.x")).toEqual(dropped("malformed"));
  });
  it("is undefined without a value", () => {
    expect(normalizeFbp(undefined)).toBeUndefined();
    expect(normalizeFbp("\u200B")).toBeUndefined();
  });
});
