/**
 * Several destinations through the real routes inside workerd: routing by source, store domain
 * and quiz, event names per Studio type, one request per destination, per-destination answers,
 * isolation of a failing destination, and redelivery across destinations (the direct path with
 * the real intake ledger, and the queued path with the real queue binding).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { copy, fakeGraph, fixtures, GRAPH_URL, graphError, graphOk, jsonRequest, NOW, relay, SECRET } from "./helpers";

const TOKENS = {
  META_ACCESS_TOKEN_EU: "EAAB-eu-token",
  META_ACCESS_TOKEN_SKIN: "EAAB-skin-token",
  META_ACCESS_TOKEN_TEST: "EAAB-test-token",
};
/** The worked example of docs/configuration.md: a region by store domain, a second pixel for one quiz, a test pixel fed from a {source} route. */
const DESTINATIONS = [
  {
    name: "eu",
    pixel_id: "1111",
    access_token_secret: "META_ACCESS_TOKEN_EU",
    match: { store_domain: ["shop.example.de", "*.example.fr"] },
  },
  {
    name: "skin",
    pixel_id: "2222",
    access_token_secret: "META_ACCESS_TOKEN_SKIN",
    match: { quiz_id: ["qz_skin_finder"] },
    event_name: { "email:submit": "Lead", "quiz:complete": "QuizComplete" },
  },
  {
    name: "test",
    pixel_id: "3333",
    access_token_secret: "META_ACCESS_TOKEN_TEST",
    match: { source: "staging" },
    test_event_code: "TEST777",
  },
];
const several = {
  WEBHOOK_SECRET: SECRET,
  META_GRAPH_URL: GRAPH_URL,
  ...TOKENS,
  DESTINATIONS: JSON.stringify(DESTINATIONS),
};

/** The canonical webhook from a store, with a fresh Studio id and session. */
function webhook(tag: string, overrides: { domain?: string; quiz?: string; type?: string } = {}) {
  const w = copy(fixtures.canonical) as any;
  w.id = `evt_dest_${tag}`;
  w.session = { id: `ses_dest_${tag}`, attempt: 1 };
  w.occurred_at = new Date(NOW - 60_000).toISOString();
  if (overrides.domain) w.store.domain = overrides.domain;
  if (overrides.quiz) w.quiz.id = overrides.quiz;
  if (overrides.type) w.type = overrides.type;
  return w;
}

async function post(
  r: ReturnType<typeof relay>,
  path: string,
  body: unknown,
  bindings: Record<string, unknown> = several,
) {
  const res = await r.app.request(path, jsonRequest(body), bindings);
  return { res, json: (await res.json()) as any };
}

/** Which pixels got which events, with which token and event name. */
const sentTo = (r: ReturnType<typeof relay>) =>
  r.graph.calls.map((call) => ({
    pixel: call.url.split("/").at(-2),
    token: call.body.access_token,
    event_name: call.body.data[0]!.event_name,
    event_id: call.body.data[0]!.event_id,
    test_event_code: call.body.test_event_code,
  }));

describe("routing to several destinations", () => {
  it("sends a webhook to every destination whose match holds, each with its pixel, token and event name, one event_id", async () => {
    const r = relay();
    const { res, json } = await post(r, "/webhooks/cartful/staging", webhook("a", { domain: "shop.example.de" }));
    expect(res.status).toBe(200);
    expect(sentTo(r)).toEqual([
      {
        pixel: "1111",
        token: "EAAB-eu-token",
        event_name: "Lead",
        event_id: "cartful.ses_dest_a.1",
        test_event_code: undefined,
      },
      {
        pixel: "2222",
        token: "EAAB-skin-token",
        event_name: "Lead",
        event_id: "cartful.ses_dest_a.1",
        test_event_code: undefined,
      },
      {
        pixel: "3333",
        token: "EAAB-test-token",
        event_name: "Lead",
        event_id: "cartful.ses_dest_a.1",
        test_event_code: "TEST777",
      },
    ]);
    expect(json).toMatchObject({
      status: "sent",
      event_id: "cartful.ses_dest_a.1",
      destinations: [
        { name: "eu", status: "sent" },
        { name: "skin", status: "sent" },
        { name: "test", status: "sent" },
      ],
    });
  });

  it("matches a store by a *. pattern, and leaves the source-fed test pixel out of the plain route", async () => {
    const r = relay();
    await post(r, "/webhooks/cartful", webhook("b", { domain: "boutique.example.fr", quiz: "qz_other" }));
    expect(sentTo(r).map((s) => s.pixel)).toEqual(["1111"]);
  });

  it("names the event per Studio type", async () => {
    const r = relay();
    const bindings = { ...several, STUDIO_EVENT_TYPES: "email:submit,quiz:complete" };
    await post(r, "/webhooks/cartful", webhook("c", { type: "quiz:complete", domain: "shop.example.it" }), bindings);
    expect(sentTo(r)).toMatchObject([
      { pixel: "2222", event_name: "QuizComplete", event_id: "cartful.ses_dest_c.1.quiz:complete" },
    ]);
  });

  it("answers skipped no_destination when nothing matches, and sends nothing", async () => {
    const r = relay();
    const { res, json } = await post(
      r,
      "/webhooks/cartful",
      webhook("d", { domain: "shop.example.it", quiz: "qz_other" }),
    );
    expect(res.status).toBe(200);
    expect(json).toEqual({ status: "skipped", reason: "no_destination", event_id: "cartful.ses_dest_d.1" });
    expect(r.graph.calls).toEqual([]);
  });

  it("answers a Studio type the relay does not relay skipped event_type_filtered, naming the destinations its match routes it to", async () => {
    const r = relay();
    const skipped = (names: string[]) => ({
      status: "skipped",
      reason: "event_type_filtered",
      event_id: expect.any(String),
      destinations: names.map((name) => ({ name, status: "skipped", reason: "event_type_filtered" })),
    });
    // The canonical quiz (skin's), from a German store, on the staging route: all three.
    const all = await post(
      r,
      "/webhooks/cartful/staging",
      webhook("t", { type: "quiz:start", domain: "shop.example.de" }),
    );
    expect(all.res.status).toBe(200);
    expect(all.json).toEqual(skipped(["eu", "skin", "test"]));
    // The canonical webhook's own store and quiz: skin's alone.
    expect((await post(r, "/webhooks/cartful", webhook("u", { type: "quiz:start" }))).json).toEqual(skipped(["skin"]));
    // No destination's match holds: that is the reason given, whatever the type.
    const none = await post(r, "/webhooks/cartful", webhook("v", { type: "quiz:start", quiz: "qz_other" }));
    expect(none.json).toEqual({ status: "skipped", reason: "event_type_filtered", event_id: expect.any(String) });
    expect(r.graph.calls).toEqual([]);
  });

  it("previews one request per destination, tokens redacted, with the match report", async () => {
    const r = relay();
    const { json } = await post(r, "/webhooks/cartful/staging/preview", webhook("e", { domain: "shop.example.de" }));
    expect(r.graph.calls).toEqual([]);
    expect(json.destinations.map((d: any) => [d.name, d.request.url, d.request.body.access_token])).toEqual([
      ["eu", `${GRAPH_URL}/v27.0/1111/events`, "[REDACTED]"],
      ["skin", `${GRAPH_URL}/v27.0/2222/events`, "[REDACTED]"],
      ["test", `${GRAPH_URL}/v27.0/3333/events`, "[REDACTED]"],
    ]);
    expect(json.match).toEqual({ sent: expect.arrayContaining(["em", "ph", "client_ip_address"]), dropped: {} });
    expect(JSON.stringify(json)).not.toMatch(/EAAB-/);
  });

  it("keeps the preview's route word out of the source names, and refuses a source that is not a route segment", async () => {
    const r = relay();
    expect((await r.app.request("/webhooks/cartful/Bad.Source", jsonRequest(webhook("f")), several)).status).toBe(404);
    expect((await r.app.request("/webhooks/cartful/preview/preview", jsonRequest(webhook("f")), several)).status).toBe(
      404,
    );
  });

  it("logs one line per webhook naming each destination's outcome, and one line per dry-run destination", async () => {
    const r = relay();
    const bindings = { ...several, DRY_RUN: "true" };
    await post(r, "/webhooks/cartful", webhook("g", { domain: "shop.example.de" }), bindings);
    const lines = r.lines.map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.msg === "capi_event").map((l) => [l.outcome, l.destination])).toEqual([
      ["dry_run", "eu"],
      ["dry_run", "skin"],
    ]);
    expect(lines.find((l) => l.msg === "webhook")).toMatchObject({
      outcome: "dry_run",
      destinations: [
        { name: "eu", outcome: "dry_run" },
        { name: "skin", outcome: "dry_run" },
      ],
    });
    expect(r.graph.calls).toEqual([]);
  });

  it("answers 503 on the direct path for a destination whose secret is unset while another is live, naming the secret in an error line", async () => {
    const r = relay();
    const bindings = { ...several, META_ACCESS_TOKEN_SKIN: "" };
    const { res, json } = await post(r, "/webhooks/cartful", webhook("g2", { domain: "shop.example.de" }), bindings);
    expect(res.status).toBe(503);
    expect(json.error).toMatchObject({ code: "relay_misconfigured", destination: "skin" });
    expect(json.destinations).toEqual([
      expect.objectContaining({ name: "eu", status: "sent" }),
      { name: "skin", status: "failed", error: "relay_misconfigured", reason: "no_token" },
    ]);
    expect(r.graph.calls.map((call) => call.url.split("/").at(-2))).toEqual(["1111"]);
    const lines = r.lines.map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "capi_event")).toMatchObject({
      level: "error",
      outcome: "no_token",
      destination: "skin",
      secret: "META_ACCESS_TOKEN_SKIN",
    });
    expect(r.lines.join("\n")).not.toMatch(/EAAB-/);
  });
});

describe("a failing destination", () => {
  it("never holds back another: the healthy one is sent, the answer is 503 naming the failing one", async () => {
    const graph = fakeGraph(() => Promise.resolve(graphOk()));
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input).includes("/2222/") ? graphError(503, { code: 2, is_transient: true }) : graph.fetch(input, init);
    const r = relay({ fetch: fetch as typeof globalThis.fetch, calls: graph.calls });
    const { res, json } = await post(r, "/webhooks/cartful", webhook("h", { domain: "shop.example.de" }));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(300);
    expect(json.error).toMatchObject({ code: "meta_unavailable", destination: "skin" });
    expect(json.destinations).toMatchObject([
      { name: "eu", status: "sent" },
      { name: "skin", status: "failed", error: "meta_unavailable" },
    ]);
  });

  it("is sent alone on Studio's redelivery: the ledger remembers what went through", async () => {
    let skinDown = true;
    const calls: string[] = [];
    const fetch = async (input: RequestInfo | URL) => {
      const url = String(input);
      calls.push(url.split("/").at(-2)!);
      if (skinDown && url.includes("/2222/")) return graphError(503, { code: 2, is_transient: true });
      return graphOk();
    };
    const r = relay({ fetch: fetch as typeof globalThis.fetch, calls: [] });
    const bindings = { ...several, INTAKE_LEDGER: env.INTAKE_LEDGER };
    const body = webhook("i", { domain: "shop.example.de" });
    expect((await post(r, "/webhooks/cartful", body, bindings)).res.status).toBe(503);
    skinDown = false;
    calls.length = 0;
    const again = await post(r, "/webhooks/cartful", body, bindings);
    expect(again.res.status).toBe(200);
    expect(calls).toEqual(["2222"]);
    expect(again.json.destinations).toMatchObject([
      { name: "eu", status: "duplicate" },
      { name: "skin", status: "sent" },
    ]);
  });

  it("answers 502 when Meta refuses a destination's configuration (a wrong pixel: 100/33), without retrying", async () => {
    const r = relay(
      fakeGraph(
        graphError(400, {
          code: 100,
          error_subcode: 33,
          message: "Unsupported post request. Object with ID '1111' does not exist",
        }),
      ),
    );
    const { res, json } = await post(
      r,
      "/webhooks/cartful",
      webhook("j", { domain: "shop.example.de", quiz: "qz_other" }),
    );
    expect(res.status).toBe(502);
    expect(json.error).toMatchObject({ code: "meta_rejected_configuration", meta_code: 100, meta_subcode: 33 });
    expect(r.graph.calls).toHaveLength(1);
  });

  it("tells Studio to come back within 5 minutes at most, in whole seconds, whatever Meta's Retry-After", async () => {
    const r = relay(fakeGraph(graphError(429, { code: 17 }, { "retry-after": "99999999999999999999999999" })));
    const { res } = await post(r, "/webhooks/cartful", webhook("k", { domain: "shop.example.de", quiz: "qz_other" }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("300");
  });
});

describe("the queued path with several destinations", () => {
  const queued = { ...several, CAPI_QUEUE: env.CAPI_QUEUE, INTAKE_LEDGER: env.INTAKE_LEDGER };

  it("queues one message per destination, each marked for the consumer's intake claim, without asking the ledger", async () => {
    const r = relay();
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const body = webhook("q", { domain: "shop.example.de" });
    const first = await post(r, "/webhooks/cartful/staging", body, queued);
    expect(first.res.status).toBe(202);
    expect(first.json.destinations).toEqual([
      { name: "eu", status: "queued" },
      { name: "skin", status: "queued" },
      { name: "test", status: "queued" },
    ]);
    const messages = send.mock.calls.flatMap((call) =>
      (call[0] as { body: { destination: string; pixelId: string } }[]).map((m) => [
        m.body.destination,
        m.body.pixelId,
      ]),
    );
    expect(messages).toEqual([
      ["eu", "1111"],
      ["skin", "2222"],
      ["test", "3333"],
    ]);
    // The route asks no Durable Object: a redelivery is queued again, and the consumer's intake
    // claim acks it unsent (test/consumer.test.ts).
    const again = await post(r, "/webhooks/cartful/staging", body, queued);
    expect(again.json).toMatchObject({ status: "queued" });
    expect(send).toHaveBeenCalledTimes(2);
    expect(
      send.mock.calls.flatMap((call) => (call[0] as { body: { unclaimed?: true } }[]).map((m) => m.body.unclaimed)),
    ).toEqual([true, true, true, true, true, true]);
    send.mockRestore();
  });

  it("queues a destination whose secret is unset like a live one (the consumer holds it), never a dry run", async () => {
    const r = relay();
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const bindings = { ...queued, META_ACCESS_TOKEN_TEST: "" };
    const { res, json } = await post(
      r,
      "/webhooks/cartful/staging",
      webhook("r", { domain: "shop.example.de" }),
      bindings,
    );
    expect(res.status).toBe(202);
    expect(json).toMatchObject({ status: "queued" });
    expect(json.destinations).toEqual([
      { name: "eu", status: "queued" },
      { name: "skin", status: "queued" },
      { name: "test", status: "queued" },
    ]);
    const destinations = send.mock.calls.flatMap((call) =>
      (call[0] as { body: { destination: string } }[]).map((m) => m.body.destination),
    );
    expect(destinations).toEqual(["eu", "skin", "test"]);
    send.mockRestore();
  });

  it("queues nothing in dry-run mode (DRY_RUN=true), whatever tokens are set", async () => {
    const r = relay();
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const { res, json } = await post(r, "/webhooks/cartful/staging", webhook("r2", { domain: "shop.example.de" }), {
      ...queued,
      DRY_RUN: "true",
    });
    expect(res.status).toBe(200);
    expect(json.destinations.map((d: { status: string }) => d.status)).toEqual(["dry_run", "dry_run", "dry_run"]);
    expect(send).not.toHaveBeenCalled();
    send.mockRestore();
  });
});

describe("/healthz with several destinations", () => {
  it("reports each destination's mode without a secret: one whose secret is unset while others are live is misconfigured", async () => {
    const r = relay();
    const res = await r.app.request("/healthz", {}, { ...several, META_ACCESS_TOKEN_TEST: "" });
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      status: "ok",
      mode: "misconfigured",
      destinations: [
        { name: "eu", mode: "live" },
        { name: "skin", mode: "live" },
        { name: "test", mode: "misconfigured", reason: "no_token" },
      ],
    });
    expect(text).not.toMatch(/EAAB-/);
  });

  it("names the broken setting, not its value, when DESTINATIONS cannot be read", async () => {
    const r = relay();
    const res = await r.app.request(
      "/healthz",
      {},
      { ...several, DESTINATIONS: '[{"name":"eu","pixel_id":"not-a-pixel"}]' },
    );
    const json = (await res.json()) as any;
    expect(json).toMatchObject({
      mode: "misconfigured",
      reason: expect.stringContaining('DESTINATIONS "eu": pixel_id'),
    });
    expect(JSON.stringify(json)).not.toContain("not-a-pixel");
  });
});
