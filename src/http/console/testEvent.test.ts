import { describe, expect, it } from "vitest";
import { destinationNamed, parseConfig } from "../../config/settings";
import type { BatchReport } from "../../delivery/consumer";
import { sendTestEvent, syntheticLead, TEST_EVENT_CODE, TEST_PAGE_URL, TEST_USER_AGENT } from "./testEvent";

const NOW = Date.parse("2026-11-25T19:00:00Z");
const TOKEN = "EAAB-console-test-token";

const config = parseConfig({
  META_GRAPH_URL: "https://graph.test",
  META_API_VERSION: "v27.0",
  META_TOKEN_EU: TOKEN,
  DESTINATIONS: JSON.stringify([
    { name: "eu", pixel_id: "111", access_token_secret: "META_TOKEN_EU", test_event_code: "TEST4521" },
    {
      name: "quiz",
      pixel_id: "222",
      access_token_secret: "META_TOKEN_EU",
      match: { source: ["tiktok"], store_domain: ["shop.example.de"], type: ["quiz:complete"] },
      event_name: { "quiz:complete": "CompleteRegistration" },
      require_consent: true,
    },
    { name: "dry", pixel_id: "333" },
  ]),
});

interface Call {
  url: string;
  body: { data: Record<string, unknown>[]; access_token: string; test_event_code?: string };
}

/** A Graph that answers each request with the next answer (the last repeats), and records them. */
function graph(...answers: (() => Response)[]) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push({ url: request.url, body: (await request.json()) as Call["body"] });
    return (answers.length > 1 ? answers.shift()! : answers[0]!)();
  }) as typeof globalThis.fetch;
  const reports: BatchReport[] = [];
  const record = (report: BatchReport) => void reports.push(report);
  return {
    calls,
    reports,
    deps: { fetch, now: () => NOW, sleep: async () => {}, random: () => 0.5, record, log: () => {}, assets: undefined },
  };
}
const ok = () => Response.json({ events_received: 1, messages: [], fbtrace_id: "TrAcEtEsT" });

describe("syntheticLead", () => {
  it("is no one: an example.com address, test ids, no name, phone, address or IP", () => {
    const lead = syntheticLead("1a2b", "email:submit", NOW);
    expect(lead).toEqual({
      type: "email:submit",
      id: "test-1a2b",
      occurred_at: "2026-11-25T19:00:00.000Z",
      store: { domain: "example.com" },
      quiz: { id: "relay-test-event", name: "Relay test event" },
      session: { id: "test-1a2b", attempt: 1 },
      shopper: { email: "test-1a2b@example.com", customer_id: "test-1a2b", marketing_consent: true },
      context: {
        page_url: TEST_PAGE_URL,
        user_agent: TEST_USER_AGENT,
        consent: { ad_storage: "granted", ad_user_data: "granted" },
      },
    });
  });
});

describe("TEST_EVENT_CODE", () => {
  it("takes Events Manager's codes and nothing that could carry more", () => {
    for (const code of ["TEST4521", "TEST_1-a"]) expect(TEST_EVENT_CODE.test(code)).toBe(true);
    for (const code of ["", "TEST 1", "TEST\n1", "x".repeat(65), "<b>"]) expect(TEST_EVENT_CODE.test(code)).toBe(false);
  });
});

describe("sendTestEvent", () => {
  it("sends one event, built by the relay's transform, to the destination's pixel under the test code", async () => {
    const { calls, deps, reports } = graph(ok);
    const result = await sendTestEvent(config, destinationNamed(config, "eu")!, "TEST9999", deps);
    expect(calls).toHaveLength(1);
    expect(reports).toEqual([]); // an accepted test event is no lead: nothing recorded
    const call = calls[0]!;
    expect(call.url).toBe("https://graph.test/v27.0/111/events");
    expect(call.body.test_event_code).toBe("TEST9999");
    expect(call.body.access_token).toBe(TOKEN);
    expect(call.body.data).toHaveLength(1);
    const event = call.body.data[0]!;
    expect(event).toMatchObject({
      event_name: "Lead",
      action_source: "website",
      event_source_url: TEST_PAGE_URL,
      event_time: NOW / 1000,
    });
    expect(Object.keys(event.user_data as object).sort()).toEqual(["client_user_agent", "em", "external_id"]);
    expect((event.user_data as Record<string, string>).em).toMatch(/^[0-9a-f]{64}$/);
    expect(result).toEqual({
      ok: true,
      eventId: event.event_id,
      eventsReceived: 1,
      attempts: 1,
      fbtraceId: "TrAcEtEsT",
    });
    expect(result.eventId).toMatch(/^cartful\.test-[0-9a-f]{16}\.1$/);
  });

  it("makes every test event a new lead: a new event_id each time", async () => {
    const { deps } = graph(ok);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++)
      ids.add((await sendTestEvent(config, destinationNamed(config, "eu")!, "TEST1", deps)).eventId);
    expect(ids.size).toBe(5);
  });

  it("sets the destination's routing aside, and keeps its event name and consent rule", async () => {
    const { calls, deps } = graph(ok);
    const result = await sendTestEvent(config, destinationNamed(config, "quiz")!, "TEST1", deps);
    expect(result.ok).toBe(true);
    expect(calls[0]!.url).toBe("https://graph.test/v27.0/222/events");
    expect(calls[0]!.body.data[0]!.event_name).toBe("CompleteRegistration");
  });

  it("retries a transient refusal as the webhook path does, then reports the acceptance", async () => {
    const { calls, deps } = graph(
      () =>
        Response.json(
          { error: { code: 2, message: "Service temporarily unavailable", is_transient: true } },
          { status: 503 },
        ),
      ok,
    );
    const result = await sendTestEvent(config, destinationNamed(config, "eu")!, "TEST1", deps);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body.data[0]!.event_id).toBe(calls[0]!.body.data[0]!.event_id);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
  });

  it("reports Meta's refusal with its code, message and trace id", async () => {
    const refusal = () =>
      Response.json(
        {
          error: {
            type: "OAuthException",
            code: 190,
            error_subcode: 463,
            message: "Error validating access token: Session has expired",
            fbtrace_id: "TkN190",
          },
        },
        { status: 400 },
      );
    const { calls, deps, reports } = graph(refusal);
    const result = await sendTestEvent(config, destinationNamed(config, "eu")!, "TEST1", deps);
    expect(calls).toHaveLength(1);
    // Recorded as the destination's last failure (a signal follows from its code), nothing counted.
    expect(reports.map((r) => [...r.entries()])).toEqual([
      [
        [
          "eu",
          expect.objectContaining({
            sent: 0,
            retried: 0,
            events: [],
            lastFailure: expect.objectContaining({ at: NOW, code: 190, subcode: 463, fbtraceId: "TkN190" }),
          }),
        ],
      ],
    ]);
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      failure: {
        code: 190,
        subcode: 463,
        fbtraceId: "TkN190",
        message: "Error validating access token: Session has expired",
      },
    });
  });

  it("refuses a dry-run destination before building anything", async () => {
    const { calls, deps } = graph(ok);
    await expect(sendTestEvent(config, destinationNamed(config, "dry")!, "TEST1", deps)).rejects.toThrow(/runs dry/);
    expect(calls).toHaveLength(0);
  });
});
