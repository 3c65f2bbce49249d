import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/settings";
import { INTAKE_MARGIN_MS, isTooOld, transformWebhook } from "./transformWebhook";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const DAY = 86_400_000;
const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));

/** Transforms under these settings, for their destinations. */
function transform(payload: unknown, env: Record<string, unknown> = {}, source?: string, now = NOW) {
  const config = parseConfig(env);
  return transformWebhook(payload, config, config.destinations, now, source);
}
/** The events of a routed result, by destination name. */
function events(result: ReturnType<typeof transform>) {
  if (result.outcome !== "routed") throw new Error(`not routed: ${JSON.stringify(result)}`);
  return Object.fromEntries(
    result.results.map((r) => [r.destination.name, r.outcome === "event" ? r.event : r.reason]),
  );
}

const threeDestinations = {
  META_ACCESS_TOKEN_EU: "EAAB-eu",
  DESTINATIONS: JSON.stringify([
    {
      name: "eu",
      pixel_id: "111",
      access_token_secret: "META_ACCESS_TOKEN_EU",
      match: { store_domain: ["shop.example.de"] },
    },
    {
      name: "skin",
      pixel_id: "222",
      match: { quiz_id: ["qz_skin_finder"] },
      event_name: { "email:submit": "SkinLead" },
      content_id: "sku",
    },
    { name: "test", pixel_id: "333", match: { source: "staging" }, require_consent: true },
  ]),
};

describe("transformWebhook", () => {
  for (const name of ["canonical", "minimal", "international", "messy"]) {
    it(`maps fixtures/${name}.json to an event for the default destination`, () => {
      const result = transform(fixture(name));
      expect(result).toMatchObject({
        outcome: "routed",
        results: [{ destination: { name: "default" }, outcome: "event" }],
      });
      const event = events(result).default as { event_id: string; user_data: object & { em?: string } };
      expect(event.event_id).toBe(result.outcome === "routed" ? result.eventId : "");
      expect(event.user_data.em).toMatch(/^[0-9a-f]{64}$/);
      if (result.outcome !== "routed") return;
      expect(result.match.sent).toEqual(Object.keys(event.user_data));
      expect(result.match.dropped).toEqual({});
    });
  }

  it("maps the alternative shape with its field map", () => {
    const result = transform(fixture("alternative"), {
      FIELD_MAP: readFileSync(new URL("../../fixtures/alternative.fieldmap.json", import.meta.url), "utf8"),
    });
    expect(result).toMatchObject({ outcome: "routed", eventId: "cartful.ses_es_20ab.3" });
  });

  it("returns the issues of an invalid webhook", () => {
    expect(transform({})).toMatchObject({ outcome: "invalid" });
  });

  it("refuses a malformed email", () => {
    expect(transform({ ...fixture("minimal"), shopper: { email: "not-an-email" } })).toEqual({
      outcome: "invalid",
      issues: [{ path: "shopper.email", message: "Not a valid email address" }],
    });
  });

  it("takes an address with a quoted local part or an address literal (RFC 5321) instead of answering 422", () => {
    for (const [email, sent] of [
      ['"John Doe"@Example.com', '"john doe"@example.com'],
      ['"a@b"@example.com', '"a@b"@example.com'],
      ["user@[192.0.2.1]", "user@[192.0.2.1]"],
    ]) {
      expect(events(transform({ ...fixture("minimal"), shopper: { email } })).default).toMatchObject({
        user_data: { em: createHash("sha256").update(sent!).digest("hex") },
      });
    }
  });

  it("takes an email hashed upstream", () => {
    const hashed = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
    expect(events(transform({ ...fixture("minimal"), shopper: { email: hashed } })).default).toMatchObject({
      user_data: { em: hashed },
    });
  });

  it("takes an email hashed by Meta's Parameter Builder, exactly as it came", () => {
    const builderValue = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.AQQCAQMC";
    expect(events(transform({ ...fixture("minimal"), shopper: { email: ` ${builderValue}` } })).default).toMatchObject({
      user_data: { em: builderValue },
    });
  });

  it("refuses an email whose hash carries something that is not a builder appendix", () => {
    const payload = {
      ...fixture("minimal"),
      shopper: { email: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.Ab" },
    };
    expect(transform(payload)).toMatchObject({ outcome: "invalid", issues: [{ path: "shopper.email" }] });
  });

  it("reports which user_data keys the events carry and why others were dropped, never a value", () => {
    const payload = fixture("canonical");
    payload.shopper.phone = "12345";
    payload.context.fbp = "not-a-cookie";
    const result = transform(payload);
    if (result.outcome !== "routed") throw new Error("not routed");
    expect(result.match).toEqual({
      sent: [
        "em",
        "fn",
        "ln",
        "db",
        "ge",
        "ct",
        "st",
        "zp",
        "country",
        "external_id",
        "client_ip_address",
        "client_user_agent",
        "fbc",
      ],
      dropped: { ph: "not a valid number for US", fbp: "malformed" },
    });
    expect(Object.keys((events(result).default as { user_data: object }).user_data).sort()).toEqual(
      [...result.match.sent].sort(),
    );
  });

  it("reports the match of a webhook it skips too", () => {
    const payload = fixture("canonical");
    payload.shopper.marketing_consent = false;
    payload.shopper.gender = "other";
    expect(transform(payload)).toMatchObject({
      outcome: "routed",
      match: {
        sent: [
          "em",
          "ph",
          "fn",
          "ln",
          "db",
          "ct",
          "st",
          "zp",
          "country",
          "external_id",
          "client_ip_address",
          "client_user_agent",
          "fbc",
          "fbp",
        ],
        dropped: { ge: "not f or m" },
      },
    });
    expect(transform({ ...fixture("canonical"), type: "quiz:start" })).toMatchObject({
      outcome: "skipped",
      match: { dropped: {} },
    });
  });

  it("skips a consent denial for every destination, with the event_id it would have had", () => {
    const payload = fixture("canonical");
    payload.shopper.marketing_consent = false;
    expect(transform(payload)).toMatchObject({
      outcome: "routed",
      eventId: "cartful.ses_5f1c9a7e2b.2",
      studioEventId: payload.id,
      results: [{ destination: { name: "default" }, outcome: "skipped", reason: "consent_denied" }],
    });
  });

  it("keeps Studio's id hashed and warns in the match report when ids carry an email address", () => {
    const payload = fixture("canonical");
    payload.id = "evt-quiz.taker@example.org";
    payload.session.id = "quiz.taker@example.org";
    const result = transform(payload);
    if (result.outcome !== "routed") throw new Error(result.outcome);
    expect(result.studioEventId).toMatch(/^h[0-9a-f]{16}$/);
    expect(result.eventId).toMatch(/^cartful\.h[0-9a-f]{16}\.2$/);
    expect(result.match.warnings?.map((w) => w.field)).toEqual(expect.arrayContaining(["event_id", "id"]));
    expect(JSON.stringify(result.match)).not.toContain("quiz.taker");
  });

  it("warns about nothing and keeps ids as they came when they carry no personal data", () => {
    const result = transform(fixture("canonical"));
    if (result.outcome !== "routed") throw new Error(result.outcome);
    expect(result.studioEventId).toBe(fixture("canonical").id);
    expect(result.match.warnings?.map((w) => w.field) ?? []).not.toContain("id");
    expect(result.match.warnings?.map((w) => w.field) ?? []).not.toContain("event_id");
  });

  it("does not judge the time of a webhook no destination will send", () => {
    const payload = { ...fixture("canonical"), occurred_at: NOW - 30 * DAY };
    payload.shopper = { ...payload.shopper, marketing_consent: false };
    expect(transform(payload)).toMatchObject({
      outcome: "routed",
      results: [{ outcome: "skipped", reason: "consent_denied" }],
    });
  });

  it("skips a type the configuration does not relay", () => {
    expect(transform({ ...fixture("canonical"), type: "quiz:start" })).toMatchObject({
      outcome: "skipped",
      reason: "event_type_filtered",
      destinations: [{ name: "default" }],
    });
    expect(
      transform({ ...fixture("canonical"), type: "quiz:start" }, { STUDIO_EVENT_TYPES: "quiz:start" }).outcome,
    ).toBe("routed");
  });

  it("skips a webhook no destination takes, naming why", () => {
    expect(
      transform(
        { ...fixture("canonical"), store: { domain: "shop.example.it" }, quiz: { id: "qz_other" } },
        threeDestinations,
      ),
    ).toMatchObject({
      outcome: "skipped",
      reason: "no_destination",
      eventId: "cartful.ses_5f1c9a7e2b.2",
      destinations: [],
    });
  });

  it("builds one event per destination that takes the webhook, with the same event_id, its own name and custom data", () => {
    const payload = { ...fixture("canonical"), store: { domain: "shop.example.de", currency: "EUR" } };
    const result = transform(payload, threeDestinations, "staging");
    const byName = events(result);
    expect(Object.keys(byName)).toEqual(["eu", "skin", "test"]);
    const eu = byName.eu as any;
    const skin = byName.skin as any;
    expect(eu.event_id).toBe("cartful.ses_5f1c9a7e2b.2");
    expect(skin.event_id).toBe(eu.event_id);
    expect([eu.event_name, skin.event_name]).toEqual(["Lead", "SkinLead"]);
    expect(eu.custom_data.content_ids).toEqual(["8012345", "8012399"]);
    expect(skin.custom_data.content_ids).toEqual(["SER-VC-30", "MST-HY-50"]);
    expect(skin.user_data).toEqual(eu.user_data);
  });

  it("hashes user data once for every destination", () => {
    const payload = { ...fixture("canonical"), store: { domain: "shop.example.de" } };
    const result = transform(payload, threeDestinations, "staging");
    if (result.outcome !== "routed") throw new Error("not routed");
    const [a, b] = result.results.map((r) => (r.outcome === "event" ? r.event.user_data : undefined));
    expect(a).toBe(b);
  });

  it("asks each destination's own consent requirement", () => {
    const payload = { ...fixture("canonical"), store: { domain: "shop.example.de" } };
    payload.shopper = { ...payload.shopper, marketing_consent: undefined };
    payload.context = { ...payload.context, consent: undefined };
    const byName = events(transform(payload, threeDestinations, "staging"));
    expect(byName.test).toBe("consent_not_granted");
    expect(byName.eu).toMatchObject({ event_name: "Lead" });
  });

  it("refuses an event older than 7 days less the intake margin, and takes one just inside", () => {
    const old = { ...fixture("minimal"), occurred_at: NOW - 7 * DAY - 1 };
    expect(transform(old)).toMatchObject({ outcome: "invalid", issues: [{ path: "occurred_at" }] });
    const atTheMargin = { ...fixture("minimal"), occurred_at: NOW - 7 * DAY + INTAKE_MARGIN_MS - 1000 };
    expect(transform(atTheMargin).outcome).toBe("invalid");
    const inside = { ...fixture("minimal"), occurred_at: NOW - 7 * DAY + INTAKE_MARGIN_MS + 1000 };
    expect(transform(inside).outcome).toBe("routed");
  });

  it("keeps an hour's margin at intake", () => {
    expect(INTAKE_MARGIN_MS).toBe(3_600_000);
  });

  it("refuses a time more than a day ahead and stamps a little ahead as now", () => {
    expect(transform({ ...fixture("minimal"), occurred_at: NOW + DAY + 1000 })).toMatchObject({ outcome: "invalid" });
    expect(events(transform({ ...fixture("minimal"), occurred_at: NOW + 5000 })).default).toMatchObject({
      event_time: NOW / 1000,
    });
  });
});

describe("transformWebhook: the fields Meta requires of a website event", () => {
  const USER_AGENT = fixture("canonical").context.user_agent;
  /** An email lead with only these store and context fields. */
  const lead = (store: object, context: object) => ({ ...fixture("minimal"), store, context });

  it("takes fixtures/minimal.json: the store's address stands in for the page URL, with a warning", () => {
    const result = transform(fixture("minimal"));
    expect(events(result).default).toMatchObject({
      action_source: "website",
      event_source_url: "https://shop.example.com/",
      user_data: { client_user_agent: USER_AGENT },
    });
    expect(result).toMatchObject({
      match: { warnings: [{ field: "event_source_url", message: expect.stringContaining("context.page_url") }] },
    });
    if (result.outcome === "routed") expect(result.match.warnings).toHaveLength(1);
  });

  it("refuses a webhook with neither a page URL nor a store domain, naming the Studio field to map", () => {
    // Meta's Server Event Parameters page: event_source_url is required for website events, and
    // Graph refuses the event for good without it; a 422 now beats a dead letter later.
    const result = transform(lead({}, { user_agent: USER_AGENT }));
    expect(result).toEqual({
      outcome: "invalid",
      issues: [{ path: "context.page_url", message: expect.stringContaining("event_source_url") }],
    });
    if (result.outcome === "invalid") expect(result.issues[0]!.message).toContain("store.domain");
  });

  it("names store.domain too when it is no host name, and a page URL that is not http(s)", () => {
    expect(transform(lead({ domain: "not a domain" }, {}))).toMatchObject({
      outcome: "invalid",
      issues: [
        { path: "context.page_url" },
        { path: "store.domain", message: "Not a host name (e.g. shop.example.com)" },
      ],
    });
    expect(transform(lead({}, { page_url: "javascript:alert(1)" }))).toMatchObject({
      outcome: "invalid",
      issues: [{ path: "context.page_url", message: expect.stringContaining("Not an http(s) URL") }],
    });
  });

  it("never echoes the value in the issue", () => {
    const result = transform(lead({ domain: "jane.doe@example.com" }, { page_url: "jane.doe@example.com" }));
    expect(result.outcome).toBe("invalid");
    expect(JSON.stringify(result)).not.toContain("jane.doe");
  });

  it("prefers the page URL, and warns about nothing when the page URL and user agent came", () => {
    const result = transform(
      lead({ domain: "shop.example.com" }, { page_url: "https://shop.example.com/quiz", user_agent: USER_AGENT }),
    );
    expect(events(result).default).toMatchObject({ event_source_url: "https://shop.example.com/quiz" });
    expect(result).toMatchObject({ outcome: "routed" });
    if (result.outcome === "routed") expect(result.match).not.toHaveProperty("warnings");
  });

  it("sends a lead without a user agent and warns: Meta lists client_user_agent for website events but Graph accepts one without it", () => {
    // Decision (Meta's Server Event Parameters page and the Parameters overview): event_source_url
    // is refused without, so it is required; client_user_agent is listed, but Graph accepts the
    // event and the relay cannot derive the shopper's browser honestly, so it is a warning.
    const result = transform(lead({}, { page_url: "https://shop.example.com/quiz" }));
    expect(events(result).default).not.toHaveProperty("user_data.client_user_agent");
    expect(result).toMatchObject({
      outcome: "routed",
      match: { warnings: [{ field: "client_user_agent", message: expect.stringContaining("context.user_agent") }] },
    });
  });

  it("does not refuse a webhook that sends nothing to Meta (consent denied)", () => {
    const payload = lead({}, {});
    payload.shopper = { ...payload.shopper, marketing_consent: false };
    expect(transform(payload)).toMatchObject({ outcome: "routed", results: [{ outcome: "skipped" }] });
  });
});

describe("isTooOld", () => {
  it("is Meta's 7-day window", () => {
    expect(isTooOld(NOW - 7 * DAY, NOW)).toBe(false);
    expect(isTooOld(NOW - 7 * DAY - 1, NOW)).toBe(true);
  });
});
