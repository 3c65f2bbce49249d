import { describe, expect, it } from "vitest";
import { type ConsentSource, consentDecision } from "./consent";

function source(
  marketing?: boolean,
  consent?: { ad_storage?: "granted" | "denied"; ad_user_data?: "granted" | "denied" },
): ConsentSource {
  return { shopper: { marketing_consent: marketing }, context: { consent } };
}

describe("consentDecision", () => {
  it("sends when nothing was said and no grant is required", () => {
    expect(consentDecision(source(), false)).toEqual({ send: true });
  });

  it("sends with an explicit grant", () => {
    expect(consentDecision(source(true, { ad_storage: "granted", ad_user_data: "granted" }), true)).toEqual({
      send: true,
    });
  });

  it("skips when marketing consent is false", () => {
    expect(consentDecision(source(false), false)).toEqual({ send: false, reason: "consent_denied" });
  });

  it("skips when ad_user_data is denied", () => {
    expect(consentDecision(source(true, { ad_user_data: "denied" }), false)).toEqual({
      send: false,
      reason: "consent_denied",
    });
  });

  it("skips when ad_storage is denied", () => {
    expect(consentDecision(source(true, { ad_storage: "denied", ad_user_data: "granted" }), false)).toEqual({
      send: false,
      reason: "consent_denied",
    });
  });

  it("lets a denial win over requireConsent's grant check", () => {
    expect(consentDecision(source(false, { ad_user_data: "granted" }), true)).toEqual({
      send: false,
      reason: "consent_denied",
    });
  });

  it("skips silence when a grant is required", () => {
    expect(consentDecision(source(), true)).toEqual({ send: false, reason: "consent_not_granted" });
    expect(consentDecision(source(undefined, { ad_storage: "granted" }), true)).toEqual({
      send: false,
      reason: "consent_not_granted",
    });
  });

  it("takes ad_user_data granted as a grant when marketing consent is absent", () => {
    expect(consentDecision(source(undefined, { ad_user_data: "granted" }), true)).toEqual({ send: true });
  });

  it("tolerates a null consent object", () => {
    expect(consentDecision({ shopper: {}, context: { consent: null } }, false)).toEqual({ send: true });
  });
});
