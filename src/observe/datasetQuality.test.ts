import { describe, expect, it } from "vitest";
import {
  DATASET_QUALITY_FIELDS,
  datasetQualityUrl,
  isPermissionFailure,
  parseDatasetQuality,
  readDatasetQuality,
} from "./datasetQuality";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const TOKEN = "EAAB-quality-token";
const target = { graphUrl: "https://graph.test/", apiVersion: "v27.0", pixelId: "1234567890", token: TOKEN };

/** Meta's own example answer (Dataset Quality API page), trimmed to one event. */
const META_EXAMPLE = {
  web: [
    {
      event_name: "Lead",
      event_match_quality: {
        composite_score: 7.2,
        match_key_feedback: [
          {
            identifier: "email",
            coverage: { percentage: 100 },
            potential_aly_acr_increase: { percentage: 58.96, description: "…" },
          },
          { identifier: "ip_address", coverage: { percentage: 99.9 } },
          { identifier: "some_new_key", coverage: { percentage: "12.5" } },
        ],
        diagnostics: [
          {
            name: "Update your IPv4 IP addresses to IPv6",
            description: "…",
            solution: "Support IPv6.",
            percentage: 59.5,
            affected_event_count: 18930,
          },
        ],
      },
      event_coverage: { percentage: 34.1, goal_percentage: 75 },
      dedupe_key_feedback: [
        {
          dedupe_key: "event_id",
          browser_events_with_dedupe_key: { percentage: 100 },
          server_events_with_dedupe_key: { percentage: 100 },
          overall_browser_coverage_from_dedupe_key: { percentage: 14.8 },
        },
      ],
      data_freshness: { upload_frequency: "real_time" },
      acr: { percentage: 37.9, description: "In the last 7 days…" },
    },
  ],
};

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; headers: Headers }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers) });
    return Response.json(body, { status });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("datasetQualityUrl", () => {
  it("asks for the pixel's web feedback, field by field, and never carries the token", () => {
    const url = new URL(datasetQualityUrl(target));
    expect(url.origin + url.pathname).toBe("https://graph.test/v27.0/dataset_quality");
    expect(url.searchParams.get("dataset_id")).toBe("1234567890");
    expect(url.searchParams.get("fields")).toBe(DATASET_QUALITY_FIELDS);
    expect(DATASET_QUALITY_FIELDS).toContain("dedupe_key_feedback");
    expect(url.toString()).not.toContain(TOKEN);
  });
});

describe("parseDatasetQuality", () => {
  it("reads Meta's example answer", () => {
    expect(parseDatasetQuality(META_EXAMPLE, NOW)).toEqual({
      fetchedAt: NOW,
      events: [
        {
          eventName: "Lead",
          compositeScore: 7.2,
          matchKeyFeedback: [
            { identifier: "email", coverage: 100 },
            { identifier: "ip_address", coverage: 99.9 },
            { identifier: "some_new_key", coverage: 12.5 },
          ],
          dedupeKeyFeedback: [{ dedupeKey: "event_id", serverCoverage: 100, browserCoverage: 100, dedupedShare: 14.8 }],
          eventCoverage: 34.1,
          dataFreshness: "real_time",
          acr: 37.9,
          diagnostics: [
            {
              name: "Update your IPv4 IP addresses to IPv6",
              description: "…",
              solution: "Support IPv6.",
              percentage: 59.5,
            },
          ],
        },
      ],
    });
  });

  it("takes the field table's spelling dedup_key_feedback too, and leaves out what is not a number", () => {
    const parsed = parseDatasetQuality(
      {
        web: [
          { event_name: "Lead", dedup_key_feedback: [{ dedupe_key: "fbp" }], event_coverage: { percentage: "n/a" } },
        ],
      },
      NOW,
    );
    expect(parsed.events[0]).toEqual({
      eventName: "Lead",
      matchKeyFeedback: [],
      dedupeKeyFeedback: [{ dedupeKey: "fbp" }],
      diagnostics: [],
    });
  });

  it("reads nothing out of nonsense", () => {
    expect(parseDatasetQuality("nope", NOW)).toEqual({ fetchedAt: NOW, events: [] });
    expect(parseDatasetQuality({ web: [null, 3] }, NOW).events).toHaveLength(2);
  });
});

describe("isPermissionFailure", () => {
  it.each([
    [{ code: 10, message: "(#10) Application does not have permission for this action" }, true],
    [{ code: 200, message: "(#200) Missing Permissions" }, true],
    [{ code: 100, subcode: 33, message: "Object … does not exist, cannot be loaded due to missing permissions" }, true],
    [{ code: 100, message: "Unsupported get request … cannot be loaded due to missing permissions" }, true],
    [{ code: 190, message: "Error validating access token" }, false],
    [{ code: 100, message: "Invalid parameter" }, false],
  ])("%j: %s", (failure, expected) => {
    expect(isPermissionFailure(failure)).toBe(expected);
  });
});

describe("readDatasetQuality", () => {
  it("reads with the token in a header and answers ok", async () => {
    const graph = fakeFetch(200, META_EXAMPLE);
    const state = await readDatasetQuality(target, { fetch: graph.fetch, now: () => NOW });
    expect(state).toMatchObject({ state: "ok", quality: { fetchedAt: NOW, events: [{ compositeScore: 7.2 }] } });
    expect(graph.calls[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(graph.calls[0]?.url).not.toContain(TOKEN);
  });

  it("calls a missing permission what it is, not a failure of the relay", async () => {
    const graph = fakeFetch(403, {
      error: {
        message: "(#10) Application does not have permission for this action",
        type: "OAuthException",
        code: 10,
      },
    });
    expect(await readDatasetQuality(target, { fetch: graph.fetch, now: () => NOW })).toEqual({
      state: "permission",
      at: NOW,
      code: 10,
      message: "(#10) Application does not have permission for this action",
    });
  });

  it("reports other refusals as failed, with Meta's code and without the token", async () => {
    const graph = fakeFetch(400, { error: { message: `Invalid OAuth access token ${TOKEN}`, code: 190 } });
    const state = await readDatasetQuality(target, { fetch: graph.fetch, now: () => NOW });
    expect(state).toMatchObject({ state: "failed", code: 190 });
    expect(JSON.stringify(state)).not.toContain(TOKEN);
  });

  it("never throws: a network error or a timeout is a failed read", async () => {
    const down = (async () => {
      throw new TypeError("connection refused");
    }) as typeof fetch;
    expect(await readDatasetQuality(target, { fetch: down, now: () => NOW })).toMatchObject({
      state: "failed",
      message: "Meta unreachable: TypeError",
    });
    const hang = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
      )) as typeof fetch;
    expect(await readDatasetQuality(target, { fetch: hang, now: () => NOW, timeoutMs: 5 })).toMatchObject({
      state: "failed",
      message: "Meta did not answer in time",
    });
  });
});
