import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/settings";
import { isTooOld, transformWebhook } from "./transformWebhook";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const DAY = 86_400_000;
const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));

describe("transformWebhook", () => {
  for (const name of ["canonical", "minimal", "international", "messy"]) {
    it(`maps fixtures/${name}.json to an event`, () => {
      const result = transformWebhook(fixture(name), parseConfig({}), NOW);
      expect(result.outcome).toBe("event");
      if (result.outcome !== "event") return;
      expect(result.event.event_id).toBe(result.eventId);
      expect(result.event.user_data.em).toMatch(/^[0-9a-f]{64}$/);
      expect(result.match.sent).toEqual(Object.keys(result.event.user_data));
      expect(result.match.dropped).toEqual({});
    });
  }

  it("maps the alternative shape with its field map", () => {
    const config = parseConfig({
      FIELD_MAP: readFileSync(new URL("../../fixtures/alternative.fieldmap.json", import.meta.url), "utf8"),
    });
    const result = transformWebhook(fixture("alternative"), config, NOW);
    expect(result).toMatchObject({ outcome: "event", eventId: "cartful.ses_es_20ab.3" });
  });

  it("returns the issues of an invalid webhook", () => {
    expect(transformWebhook({}, parseConfig({}), NOW)).toMatchObject({ outcome: "invalid" });
  });

  it("refuses a malformed email", () => {
    const payload = { ...fixture("minimal"), shopper: { email: "not-an-email" } };
    expect(transformWebhook(payload, parseConfig({}), NOW)).toEqual({
      outcome: "invalid",
      issues: [{ path: "shopper.email", message: "Not a valid email address" }],
    });
  });

  it("takes an email hashed upstream", () => {
    const hashed = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
    const result = transformWebhook({ ...fixture("minimal"), shopper: { email: hashed } }, parseConfig({}), NOW);
    expect(result).toMatchObject({ outcome: "event", event: { user_data: { em: hashed } } });
  });

  it("takes an email hashed by Meta's Parameter Builder, exactly as it came", () => {
    const builderValue = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.AQQCAQMC";
    const result = transformWebhook({ ...fixture("minimal"), shopper: { email: ` ${builderValue}` } }, parseConfig({}), NOW);
    expect(result).toMatchObject({ outcome: "event", event: { user_data: { em: builderValue } } });
  });

  it("refuses an email whose hash carries something that is not a builder appendix", () => {
    const payload = { ...fixture("minimal"), shopper: { email: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.Ab" } };
    expect(transformWebhook(payload, parseConfig({}), NOW)).toMatchObject({ outcome: "invalid", issues: [{ path: "shopper.email" }] });
  });

  it("reports which user_data keys the event carries and why others were dropped", () => {
    const payload = fixture("canonical");
    payload.shopper.phone = "12345";
    payload.context.fbp = "not-a-cookie";
    const result = transformWebhook(payload, parseConfig({}), NOW);
    expect(result.outcome).toBe("event");
    if (result.outcome !== "event") return;
    expect(result.match).toEqual({
      sent: ["em", "fn", "ln", "db", "ge", "ct", "st", "zp", "country", "external_id", "client_ip_address", "client_user_agent", "fbc"],
      dropped: { ph: "not a valid number for US", fbp: "malformed" },
    });
    expect(Object.keys(result.event.user_data).sort()).toEqual([...result.match.sent].sort());
  });

  it("skips a consent denial, with the event_id it would have had and its match report", () => {
    const payload = fixture("canonical");
    payload.shopper.marketing_consent = false;
    payload.shopper.gender = "other";
    const result = transformWebhook(payload, parseConfig({}), NOW);
    expect(result).toEqual({
      outcome: "skipped",
      reason: "consent_denied",
      eventId: "cartful.ses_5f1c9a7e2b.2",
      studioEventId: payload.id,
      match: {
        sent: ["em", "ph", "fn", "ln", "db", "ct", "st", "zp", "country", "external_id", "client_ip_address", "client_user_agent", "fbc", "fbp"],
        dropped: { ge: "not f or m" },
      },
    });
  });

  it("skips a type the configuration does not relay", () => {
    const result = transformWebhook({ ...fixture("canonical"), type: "quiz:start" }, parseConfig({}), NOW);
    expect(result).toMatchObject({ outcome: "skipped", reason: "event_type_filtered", match: { dropped: {} } });
    const allowed = transformWebhook(
      { ...fixture("canonical"), type: "quiz:start" },
      parseConfig({ STUDIO_EVENT_TYPES: "quiz:start" }),
      NOW,
    );
    expect(allowed.outcome).toBe("event");
  });

  it("refuses an event older than 7 days and takes one just inside", () => {
    const old = { ...fixture("minimal"), occurred_at: NOW - 7 * DAY - 1 };
    expect(transformWebhook(old, parseConfig({}), NOW)).toMatchObject({
      outcome: "invalid",
      issues: [{ path: "occurred_at" }],
    });
    const atTheMargin = { ...fixture("minimal"), occurred_at: NOW - 7 * DAY + 4 * 60_000 };
    expect(transformWebhook(atTheMargin, parseConfig({}), NOW).outcome).toBe("invalid");
    const inside = { ...fixture("minimal"), occurred_at: NOW - 7 * DAY + 6 * 60_000 };
    expect(transformWebhook(inside, parseConfig({}), NOW).outcome).toBe("event");
  });

  it("refuses a time more than a day ahead and stamps a little ahead as now", () => {
    const far = { ...fixture("minimal"), occurred_at: NOW + DAY + 1000 };
    expect(transformWebhook(far, parseConfig({}), NOW)).toMatchObject({ outcome: "invalid" });
    const near = { ...fixture("minimal"), occurred_at: NOW + 5000 };
    expect(transformWebhook(near, parseConfig({}), NOW)).toMatchObject({
      outcome: "event",
      event: { event_time: NOW / 1000 },
    });
  });
});

describe("isTooOld", () => {
  it("is Meta's 7-day window", () => {
    expect(isTooOld(NOW - 7 * DAY, NOW)).toBe(false);
    expect(isTooOld(NOW - 7 * DAY - 1, NOW)).toBe(true);
  });
});
