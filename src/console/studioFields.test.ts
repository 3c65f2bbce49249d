import { describe, expect, it } from "vitest";
import { refusedForItsData, STUDIO_FIELDS, studioFix } from "./studioFields";

describe("studioFix", () => {
  it.each([
    [
      "The parameter $['data'][0]['event_source_url'] is required.",
      "This lead had no page URL, so Meta refused it. Map context.page_url (or store.domain) in the Studio integration.",
    ],
    [
      "The parameter $['data'][0]['user_data']['client_user_agent'] is required.",
      "This lead had no browser user agent, so Meta refused it. Map context.user_agent in the Studio integration.",
    ],
    [
      "Invalid parameter em: not a valid hash",
      "This lead had no usable email, so Meta refused it. Map shopper.email in the Studio integration.",
    ],
  ])("names the Studio field for %s", (detail, text) => {
    expect(studioFix({ code: 100, subcode: 2804019, detail })?.text).toBe(text);
  });

  it("reads what a subcode says without a parameter", () => {
    expect(studioFix({ code: 100, subcode: 2804003, detail: "" })?.text).toContain("occurred_at");
    expect(studioFix({ code: 100, subcode: 2804050, detail: "" })?.text).toContain("shopper.email");
  });

  it("says nothing it does not know: another code, or a parameter not in the table", () => {
    expect(studioFix({ code: 190, detail: "['event_source_url']" })).toBeUndefined();
    expect(studioFix({ code: 100, subcode: 2804019, detail: "['__proto__'] is required" })).toBeUndefined();
    expect(studioFix({ code: 100, detail: "['constructor']" })).toBeUndefined();
    expect(Object.keys(STUDIO_FIELDS)).toContain("event_source_url");
  });
});

describe("refusedForItsData", () => {
  it("is true for Meta's refusals of the event, not of the pixel", () => {
    expect(refusedForItsData({ code: 100, subcode: 2804019 })).toBe(true);
    expect(refusedForItsData({ code: 100, subcode: 33 })).toBe(false);
    expect(refusedForItsData({ code: 2 })).toBe(false);
  });
});
