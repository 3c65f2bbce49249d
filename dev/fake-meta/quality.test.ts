import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  compositeScore,
  datasetQuality,
  type FieldTree,
  IDENTIFIERS,
  parseFields,
  selectFields,
  type StoredEvent,
} from "./quality.ts";
import type { ReceivedEvent } from "./validate.ts";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

function stored(
  userData: Record<string, unknown>,
  overrides: Partial<ReceivedEvent> = {},
  receivedAt = NOW,
  extra: Partial<StoredEvent> = {},
): StoredEvent {
  const event: ReceivedEvent = {
    event_name: "Lead",
    event_time: Math.floor(receivedAt / 1000) - 5,
    event_id: "cartful.ses.1",
    action_source: "website",
    user_data: userData,
    ...overrides,
  };
  return { event, receivedAt, ...extra };
}

const full = {
  em: sha("e"),
  ph: sha("p"),
  client_ip_address: "203.0.113.7",
  client_user_agent: "UA",
  fbc: "fb.1.1.a",
  fbp: "fb.1.1.b",
  external_id: sha("x"),
};
const all = (tree: string) => parseFields(tree) as FieldTree;
const EVERYTHING =
  "web{event_name,event_match_quality{composite_score,match_key_feedback{identifier,coverage,potential_aly_acr_increase},diagnostics}," +
  "event_coverage{percentage,goal_percentage,description},dedupe_key_feedback,data_freshness,acr}";

describe("datasetQuality", () => {
  it("answers in Meta's shape, one entry per event name, most frequent first", () => {
    const events = [stored(full), stored(full, { event_name: "Purchase" }), stored(full, { event_name: "Purchase" })];
    const answer = selectFields(datasetQuality(events, NOW), all(EVERYTHING)) as any;
    expect(answer.web.map((entry: any) => entry.event_name)).toEqual(["Purchase", "Lead"]);
    const entry = answer.web[1];
    expect(Object.keys(entry)).toEqual([
      "event_name",
      "event_match_quality",
      "event_coverage",
      "dedupe_key_feedback",
      "data_freshness",
      "acr",
    ]);
    expect(entry.event_match_quality).toEqual({
      composite_score: expect.any(Number),
      match_key_feedback: expect.arrayContaining([
        {
          identifier: "email",
          coverage: { percentage: 100 },
          potential_aly_acr_increase: { percentage: expect.any(Number), description: expect.any(String) },
        },
      ]),
      diagnostics: expect.any(Array),
    });
    expect(entry.event_coverage).toEqual({
      percentage: expect.any(Number),
      goal_percentage: 75,
      description: expect.any(String),
    });
    expect(entry.dedupe_key_feedback.map((item: any) => item.dedupe_key)).toEqual(["event_id", "external_id", "fbp"]);
    for (const item of entry.dedupe_key_feedback) {
      for (const field of [
        "browser_events_with_dedupe_key",
        "server_events_with_dedupe_key",
        "overall_browser_coverage_from_dedupe_key",
      ]) {
        expect(item[field]).toEqual({ percentage: expect.any(Number), description: expect.any(String) });
      }
    }
    expect(entry.data_freshness).toEqual({ upload_frequency: expect.any(String), description: expect.any(String) });
    expect(entry.acr).toEqual({ percentage: expect.any(Number), description: expect.stringContaining("Lead events") });
  });

  it("has no entries for a dataset without events", () => {
    expect(datasetQuality([], NOW)).toEqual({ web: [] });
  });

  it("reports each key's coverage as the share of events that carried it, in Meta's identifiers", () => {
    const events = [
      stored({ em: sha("a"), ph: sha("1") }),
      stored({ em: sha("b") }),
      stored({ em: sha("c"), ph: [] }),
      stored({ em: sha("d"), fbp: "fb.1.1.z" }),
    ];
    const feedback = datasetQuality(events, NOW).web[0]!.event_match_quality.match_key_feedback;
    expect(feedback.map(({ identifier, coverage }) => ({ identifier, coverage }))).toEqual([
      { identifier: "email", coverage: { percentage: 100 } },
      { identifier: "phone", coverage: { percentage: 25 } },
      { identifier: "fbp", coverage: { percentage: 25 } },
    ]);
  });

  it("names every user_data key with an identifier", () => {
    const everyKey = Object.fromEntries(Object.keys(IDENTIFIERS).map((key) => [key, "v"]));
    const identifiers = datasetQuality([stored(everyKey)], NOW).web[0]!.event_match_quality.match_key_feedback.map(
      (item) => item.identifier,
    );
    expect(identifiers.sort()).toEqual(Object.values(IDENTIFIERS).sort());
  });

  it("scores more keys higher, between 0 and 10", () => {
    const score = (userData: Record<string, unknown>) =>
      datasetQuality([stored(userData)], NOW).web[0]!.event_match_quality.composite_score;
    const thin = score({ client_user_agent: "UA" });
    const email = score({ em: sha("e"), client_user_agent: "UA" });
    const rich = score(full);
    expect(thin).toBeGreaterThan(0);
    expect(email).toBeGreaterThan(thin);
    expect(rich).toBeGreaterThan(email);
    expect(rich).toBeLessThanOrEqual(10);
  });

  it("scores half coverage between none and all", () => {
    const half = compositeScore({ em: 0.5 });
    expect(half).toBeGreaterThan(compositeScore({ em: 0 }));
    expect(half).toBeLessThan(compositeScore({ em: 1 }));
  });

  it("leaves out events received more than 7 days ago", () => {
    const old = stored({ em: sha("old") }, { event_name: "Old" }, NOW - 8 * 86_400_000);
    expect(datasetQuality([old, stored(full)], NOW).web.map((entry) => entry.event_name)).toEqual(["Lead"]);
  });

  it("keeps only the partner agent's events when agent_name is given", () => {
    const events = [stored(full, {}, NOW, { partnerAgent: "Cartful_Relay" }), stored(full, { event_name: "Other" })];
    expect(datasetQuality(events, NOW, "cartful_relay").web.map((entry) => entry.event_name)).toEqual(["Lead"]);
  });

  it("counts dedupe keys per event", () => {
    const events = [stored(full), stored({ em: sha("e") }, { event_id: undefined })];
    const dedupe = datasetQuality(events, NOW).web[0]!.dedupe_key_feedback;
    expect(dedupe.map((item) => [item.dedupe_key, item.server_events_with_dedupe_key.percentage])).toEqual([
      ["event_id", 50],
      ["external_id", 50],
      ["fbp", 50],
    ]);
  });

  it("calls events sent within minutes real_time and events sent a day late daily", () => {
    const late = stored(full, { event_time: Math.floor(NOW / 1000) - 86_400 });
    expect(datasetQuality([stored(full)], NOW).web[0]!.data_freshness.upload_frequency).toBe("real_time");
    expect(datasetQuality([late], NOW).web[0]!.data_freshness.upload_frequency).toBe("daily");
  });

  it("diagnoses IPv4 addresses with counts, and nothing for IPv6", () => {
    const events = [stored({ client_ip_address: "203.0.113.7" }), stored({ client_ip_address: "2001:db8::1" })];
    expect(datasetQuality(events, NOW).web[0]!.event_match_quality.diagnostics).toEqual([
      expect.objectContaining({
        name: "Update your IPv4 IP addresses to IPv6 IP addresses",
        percentage: 50,
        affected_event_count: 1,
        total_event_count: 2,
      }),
    ]);
    expect(datasetQuality([events[1]!], NOW).web[0]!.event_match_quality.diagnostics).toEqual([]);
  });
});

describe("parseFields and selectFields", () => {
  const answer = () => datasetQuality([stored(full)], NOW);

  it("reads nested fields", () => {
    expect(parseFields("web{event_name,event_match_quality{composite_score}}")).toEqual(
      new Map([
        [
          "web",
          new Map<string, unknown>([
            ["event_name", null],
            ["event_match_quality", new Map([["composite_score", null]])],
          ]),
        ],
      ]),
    );
  });

  it("asks for web with its defaults when fields is absent", () => {
    expect(parseFields(undefined)).toEqual(new Map([["web", null]]));
  });

  it("refuses the field table's misspelling dedup_key_feedback as Graph does", () => {
    expect(parseFields("web{event_name,dedup_key_feedback}")).toMatchObject({
      status: 400,
      error: {
        code: 100,
        message:
          "(#100) Tried accessing nonexisting field (dedup_key_feedback) on node type (AdsPixelCAPIIntegrationQuality)",
      },
    });
  });

  it("refuses sub-fields of a plain value and an unclosed brace", () => {
    expect(parseFields("web{event_name{x}}")).toMatchObject({ error: { code: 100 } });
    expect(parseFields("web{event_name")).toMatchObject({ error: { code: 100 } });
  });

  it("returns only the fields asked for", () => {
    expect(selectFields(answer(), all("web{event_name}"))).toEqual({ web: [{ event_name: "Lead" }] });
  });

  it("gives composite_score and match_key_feedback {identifier, coverage} for event_match_quality without sub-fields", () => {
    const quality = (selectFields(answer(), all("web{event_match_quality}")) as any).web[0].event_match_quality;
    expect(Object.keys(quality)).toEqual(["composite_score", "match_key_feedback"]);
    expect(Object.keys(quality.match_key_feedback[0])).toEqual(["identifier", "coverage"]);
  });

  it("gives diagnostics and potential_aly_acr_increase only when named", () => {
    const named = (
      selectFields(
        answer(),
        all("web{event_match_quality{diagnostics,match_key_feedback{potential_aly_acr_increase}}}"),
      ) as any
    ).web[0];
    expect(named.event_match_quality.diagnostics).toHaveLength(1);
    expect(named.event_match_quality.match_key_feedback[0].potential_aly_acr_increase.percentage).toEqual(
      expect.any(Number),
    );
  });
});
