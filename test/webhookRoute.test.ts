/**
 * The real routes, inside workerd, against a fake Graph endpoint: what a Studio sender and
 * Meta see of the relay (docs/api.md).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/http/app";
import type { WebhookRecord } from "../src/observe/metrics";
import {
  copy,
  fakeGraph,
  fixtures,
  GRAPH_URL,
  graphError,
  graphOk,
  IP,
  jsonRequest,
  liveEnv,
  NOW,
  PERSONAL_VALUES,
  PIXEL_ID,
  relay,
  SECRET,
  signedHeaders,
  TOKEN,
} from "./helpers";

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

async function post(r: ReturnType<typeof relay>, body: unknown, env: Record<string, unknown> = liveEnv, init = {}) {
  const res = await r.app.request("/webhooks/cartful", { ...jsonRequest(body), ...init }, env);
  return { res, json: (await res.json()) as Record<string, any> };
}

describe("POST /webhooks/cartful, delivered", () => {
  it("sends the canonical webhook as one Lead event and names the event_id", async () => {
    const r = relay();
    const { res, json } = await post(r, fixtures.canonical);
    expect(res.status).toBe(200);
    expect(json).toEqual({
      status: "sent",
      event_id: "cartful.ses_5f1c9a7e2b.2",
      events_received: 1,
      attempts: 1,
      fbtrace_id: "AbCdEfGh123",
      destinations: [{ name: "default", status: "sent", events_received: 1, attempts: 1, fbtrace_id: "AbCdEfGh123" }],
    });
    expect(r.graph.calls).toHaveLength(1);
    const call = r.graph.calls[0]!;
    expect(call.url).toBe(`${GRAPH_URL}/v24.0/${PIXEL_ID}/events`);
    expect(call.url).not.toContain(TOKEN);
    expect(call.body.access_token).toBe(TOKEN);
    expect(call.body).not.toHaveProperty("test_event_code");
    const event = call.body.data[0]!;
    expect(event).toMatchObject({
      event_name: "Lead",
      event_time: Math.floor(Date.parse("2026-11-25T18:42:07.123Z") / 1000),
      event_id: "cartful.ses_5f1c9a7e2b.2",
      action_source: "website",
      event_source_url: fixtures.canonical.context.page_url,
      referrer_url: "https://www.facebook.com/",
      custom_data: {
        content_ids: ["8012345", "8012399"],
        content_type: "product_group",
        currency: "USD",
        content_name: "Skin Care Finder",
      },
    });
    expect(event.custom_data).not.toHaveProperty("value");
    expect(event.user_data).toEqual({
      em: await sha256("jane.doe@example.com"),
      ph: await sha256("14155550123"),
      fn: await sha256("jane"),
      ln: await sha256("doe"),
      ge: await sha256("f"),
      db: await sha256("19900214"),
      ct: await sha256("sanfrancisco"),
      st: await sha256("ca"),
      zp: await sha256("94103"),
      country: "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
      external_id: await sha256("shopify:7712345"),
      client_ip_address: IP,
      client_user_agent: fixtures.canonical.context.user_agent,
      fbc: fixtures.canonical.context.fbc,
      fbp: fixtures.canonical.context.fbp,
    });
  });

  it("sends no personal data in plain text and logs none, nor the IP, token or secret", async () => {
    const r = relay();
    await post(r, fixtures.canonical);
    const sent = JSON.stringify({ ...r.graph.calls[0]!.body.data[0], user_data: undefined });
    const logged = r.lines.join("\n");
    for (const value of PERSONAL_VALUES) {
      expect(sent).not.toContain(value);
      expect(logged).not.toContain(value);
    }
    for (const secret of [IP, TOKEN, SECRET]) expect(logged).not.toContain(secret);
  });

  it("writes one structured log line per webhook with outcome, event_id, attempts, latency and fbtrace_id", async () => {
    const r = relay();
    await post(r, fixtures.canonical);
    expect(r.lines).toHaveLength(1);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({
      level: "info",
      msg: "webhook",
      outcome: "sent",
      status: 200,
      event_id: "cartful.ses_5f1c9a7e2b.2",
      studio_event_id: fixtures.canonical.id,
      attempts: 1,
      latency_ms: expect.any(Number),
      fbtrace_id: "AbCdEfGh123",
    });
  });

  it("says in the log line which user_data keys went and why a given one was dropped, never a value", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical);
    webhook.shopper.phone = "12345";
    await post(r, webhook);
    const line = JSON.parse(r.lines[0]!);
    expect(line.keys).toEqual(expect.arrayContaining(["em", "fn", "client_ip_address", "fbc", "fbp"]));
    expect(line.keys).not.toContain("ph");
    expect(line.dropped).toEqual({ ph: "not a valid number for US" });
    expect(r.lines[0]).not.toContain("12345");
  });

  it("gives a redelivery the same event_id and a retake a new one", async () => {
    const r = relay(fakeGraph(graphOk()));
    await post(r, fixtures.canonical);
    await post(r, fixtures.canonical);
    const retake = copy(fixtures.canonical);
    retake.id = "evt_retake";
    retake.session.attempt = 3;
    await post(r, retake);
    const ids = r.graph.calls.map((call) => call.body.data[0]!.event_id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe("cartful.ses_5f1c9a7e2b.3");
  });

  it("sends test_event_code when configured", async () => {
    const r = relay();
    await post(r, fixtures.canonical, { ...liveEnv, META_TEST_EVENT_CODE: "TEST4321" });
    expect(r.graph.calls[0]!.body.test_event_code).toBe("TEST4321");
  });

  it("builds fbc from the page URL's fbclid when no _fbc cookie came", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical) as any;
    delete webhook.context.fbc;
    await post(r, webhook);
    expect(r.graph.calls[0]!.body.data[0]!.user_data).toMatchObject({
      fbc: `fb.1.${Date.parse(webhook.occurred_at)}.IwAR2xYz`,
    });
  });

  it("never sends an event_time after now", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical);
    webhook.occurred_at = "2026-11-25T20:00:00Z"; // an hour ahead of the relay's clock
    await post(r, webhook);
    expect(r.graph.calls[0]!.body.data[0]!.event_time).toBe(Math.floor(NOW / 1000));
  });

  it("takes occurred_at as epoch seconds and epoch milliseconds", async () => {
    const r = relay();
    const seconds = { ...copy(fixtures.canonical), occurred_at: 1795632127 };
    const millis = { ...copy(fixtures.canonical), occurred_at: 1795632127123 };
    await post(r, seconds);
    await post(r, millis);
    expect(r.graph.calls.map((c) => c.body.data[0]!.event_time)).toEqual([1795632127, 1795632127]);
  });

  it("sends appsecret_proof when META_APP_SECRET is set, and the preview redacts it", async () => {
    const r = relay();
    const env = { ...liveEnv, META_APP_SECRET: "app-secret" };
    await post(r, fixtures.canonical, env);
    expect(r.graph.calls[0]!.body.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
    const preview = await r.app.request("/webhooks/cartful/preview", jsonRequest(fixtures.canonical), env);
    expect(((await preview.json()) as any).request.body.appsecret_proof).toBe("[REDACTED]");
  });

  it("switches Limited Data Use on by configuration", async () => {
    const r = relay();
    await post(r, fixtures.canonical, { ...liveEnv, META_LIMITED_DATA_USE: "1,1000" });
    expect(r.graph.calls[0]!.body.data[0]).toMatchObject({
      data_processing_options: ["LDU"],
      data_processing_options_country: 1,
      data_processing_options_state: 1000,
    });
  });

  it("relays another payload shape through FIELD_MAP", async () => {
    const r = relay();
    const env = {
      ...liveEnv,
      FIELD_MAP: JSON.stringify(fixtures.alternativeFieldMap),
      META_EVENT_VALUE: "recommendations",
    };
    const { res, json } = await post(r, fixtures.alternative, env);
    expect(res.status).toBe(200);
    expect(json.event_id).toBe("cartful.ses_es_20ab.3");
    const event = r.graph.calls[0]!.body.data[0]!;
    expect(event).toMatchObject({
      event_time: Math.floor(Date.parse("2026-11-25T18:42:07+01:00") / 1000),
      event_source_url: "https://tienda.example.es/quiz",
      user_data: {
        em: await sha256("ana.garcia@example.es"),
        ph: await sha256("34612345678"),
        fn: await sha256("ana"),
        ln: await sha256("garcía"),
        country: await sha256("es"),
        client_ip_address: "192.0.2.44",
        fbp: "fb.1.1732560000000.77665544",
      },
      custom_data: { content_ids: ["es-55", "es-77"], currency: "EUR", value: 43.99 },
    });
  });
});

describe("POST /webhooks/cartful, Meta's answers", () => {
  it("retries a transient failure, then answers sent", async () => {
    const r = relay(fakeGraph(graphError(500, { code: 2, is_transient: true }), graphOk()));
    const { res, json } = await post(r, fixtures.canonical);
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ status: "sent", attempts: 2 });
    expect(r.graph.calls).toHaveLength(2);
    expect(r.graph.calls[0]!.body).toEqual(r.graph.calls[1]!.body);
  });

  it("honours Retry-After on a 429", async () => {
    const r = relay(fakeGraph(graphError(429, { code: 17 }, { "retry-after": "2" }), graphOk()));
    const { json } = await post(r, fixtures.canonical);
    expect(json).toMatchObject({ status: "sent", attempts: 2 });
    expect(r.sleeps).toEqual([2000]);
  });

  it("retries a network error", async () => {
    const r = relay(fakeGraph(new TypeError("connection reset"), graphOk()));
    const { json } = await post(r, fixtures.canonical);
    expect(json).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("answers 503 with Retry-After when Meta stays unavailable", async () => {
    const r = relay(fakeGraph(graphError(503, { code: 2, is_transient: true })));
    const { res, json } = await post(r, fixtures.canonical);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(json.error).toMatchObject({ code: "meta_unavailable", event_id: "cartful.ses_5f1c9a7e2b.2" });
    expect(r.graph.calls.length).toBeGreaterThan(1);
    expect(JSON.parse(r.lines.at(-1)!)).toMatchObject({ outcome: "meta_unavailable", attempts: json.error.attempts });
  });

  it("answers 422 with Meta's message and fbtrace_id when Meta refuses the event (code 100), without retrying", async () => {
    const r = relay(
      fakeGraph(
        graphError(400, {
          code: 100,
          error_subcode: 2804003,
          message: "Invalid parameter",
          error_user_msg: "The event time is too far in the past.",
        }),
      ),
    );
    const { res, json } = await post(r, fixtures.canonical);
    expect(res.status).toBe(422);
    expect(json.error).toMatchObject({
      code: "meta_rejected_event",
      message: "The event time is too far in the past.",
      meta_message: "Invalid parameter",
      fbtrace_id: "TrAcE42",
      meta_code: 100,
      meta_subcode: 2804003,
    });
    expect(r.graph.calls).toHaveLength(1);
  });

  it("answers 502 without retrying when Meta refuses the token (code 190)", async () => {
    const r = relay(fakeGraph(graphError(401, { code: 190, message: "Invalid OAuth access token." })));
    const { res, json } = await post(r, fixtures.canonical);
    expect(res.status).toBe(502);
    expect(json.error).toMatchObject({ code: "meta_rejected_configuration", meta_code: 190, fbtrace_id: "TrAcE42" });
    expect(r.graph.calls).toHaveLength(1);
    expect(r.lines.join("\n")).not.toContain(TOKEN);
  });

  it("answers 502 for a dead Graph version (code 2635)", async () => {
    const r = relay(fakeGraph(graphError(400, { code: 2635 })));
    const { res } = await post(r, fixtures.canonical);
    expect(res.status).toBe(502);
    expect(r.graph.calls).toHaveLength(1);
  });
});

describe("POST /webhooks/cartful, nothing sent", () => {
  it("skips an explicit consent denial and names the reason", async () => {
    for (const denial of [
      (w: any) => (w.shopper.marketing_consent = false),
      (w: any) => (w.context.consent.ad_user_data = "denied"),
      (w: any) => (w.context.consent.ad_storage = "denied"),
    ]) {
      const r = relay();
      const webhook = copy(fixtures.canonical);
      denial(webhook);
      const { res, json } = await post(r, webhook);
      expect(res.status).toBe(200);
      expect(json).toEqual({
        status: "skipped",
        reason: "consent_denied",
        event_id: "cartful.ses_5f1c9a7e2b.2",
        destinations: [{ name: "default", status: "skipped", reason: "consent_denied" }],
      });
      expect(r.graph.calls).toHaveLength(0);
    }
  });

  it("requires an explicit grant when REQUIRE_CONSENT is on", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical) as any;
    delete webhook.shopper.marketing_consent;
    delete webhook.context.consent;
    const { json } = await post(r, webhook, { ...liveEnv, REQUIRE_CONSENT: "true" });
    expect(json).toMatchObject({ status: "skipped", reason: "consent_not_granted" });
    expect(r.graph.calls).toHaveLength(0);
    const granted = await post(r, fixtures.canonical, { ...liveEnv, REQUIRE_CONSENT: "true" });
    expect(granted.json.status).toBe("sent");
  });

  it("skips Studio event types the configuration filters out, naming the destination, queued path or not, and in the preview", async () => {
    const r = relay();
    const quiz = { ...copy(fixtures.canonical), type: "quiz:complete" };
    const skipped = {
      status: "skipped",
      reason: "event_type_filtered",
      event_id: "cartful.ses_5f1c9a7e2b.2.quiz:complete",
      destinations: [{ name: "default", status: "skipped", reason: "event_type_filtered" }],
    };
    for (const bindings of [liveEnv, { ...liveEnv, CAPI_QUEUE: env.CAPI_QUEUE }]) {
      const { res, json } = await post(r, quiz, bindings);
      expect(res.status).toBe(200);
      expect(json).toEqual(skipped);
    }
    const preview = await r.app.request("/webhooks/cartful/preview", jsonRequest(quiz), liveEnv);
    expect(await preview.json()).toMatchObject(skipped);
    expect(r.graph.calls).toHaveLength(0);
  });

  it("runs dry without META_ACCESS_TOKEN: builds, logs without the IP, sends nothing", async () => {
    const r = relay();
    const { META_ACCESS_TOKEN: _token, ...env } = liveEnv;
    const { res, json } = await post(r, fixtures.canonical, env);
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ status: "dry_run", event_id: "cartful.ses_5f1c9a7e2b.2" });
    expect(json.message).toMatch(/^No access token is set \(META_ACCESS_TOKEN/);
    expect(r.graph.calls).toHaveLength(0);
    const line = JSON.parse(r.lines[0]!);
    expect(line).toMatchObject({ outcome: "dry_run", event: { event_id: "cartful.ses_5f1c9a7e2b.2" } });
    expect(line.event.user_data.em).toBe(await sha256("jane.doe@example.com"));
    expect(r.lines[0]).not.toContain(IP);
    for (const value of PERSONAL_VALUES) expect(r.lines[0]).not.toContain(value);
  });
});

describe("POST /webhooks/cartful, a destination without its token", () => {
  const twoPixels = {
    WEBHOOK_SECRET: SECRET,
    META_GRAPH_URL: GRAPH_URL,
    META_ACCESS_TOKEN_US: TOKEN,
    DESTINATIONS: JSON.stringify([
      { name: "us", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN_US" },
      { name: "eu", pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN_EU" },
    ]),
  };

  it("runs dry when DRY_RUN=true, though a token is set", async () => {
    const r = relay();
    const { res, json } = await post(r, fixtures.canonical, { ...liveEnv, DRY_RUN: "true" });
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ status: "dry_run" });
    // The reason is DRY_RUN, not a missing token: the message must not send the operator hunting for one.
    expect(json.message).toMatch(/^DRY_RUN is true\b/);
    expect(json.message).not.toContain("access token");
    expect(r.graph.calls).toHaveLength(0);
  });

  it("queues its event while another destination is live (answer queued): the consumer holds it, nothing is dropped", async () => {
    const r = relay();
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const { res, json } = await post(r, fixtures.canonical, { ...twoPixels, CAPI_QUEUE: env.CAPI_QUEUE });
    expect(res.status).toBe(202);
    expect(json).toMatchObject({
      status: "queued",
      destinations: [
        { name: "us", status: "queued" },
        { name: "eu", status: "queued" },
      ],
    });
    const queued = send.mock.calls.flatMap((call) =>
      (call[0] as { body: { destination: string } }[]).map((m) => m.body.destination),
    );
    expect(queued).toEqual(["us", "eu"]);
    expect(r.lines.join("\n")).not.toContain("dry_run");
    send.mockRestore();
  });

  it("answers 503 for it without a queue (nothing durable can hold it), logging the secret's name, never a value", async () => {
    const r = relay();
    const { res, json } = await post(r, fixtures.canonical, twoPixels);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("300");
    expect(json.error).toMatchObject({ code: "relay_misconfigured", destination: "eu" });
    expect(r.graph.calls.map((call) => call.url)).toEqual([`${GRAPH_URL}/v27.0/111/events`]);
    const line = r.lines.map((l) => JSON.parse(l)).find((l) => l.outcome === "no_token");
    expect(line).toMatchObject({ level: "error", destination: "eu", secret: "META_ACCESS_TOKEN_EU" });
    expect(r.lines.join("\n")).not.toContain(TOKEN);
  });
});

describe("POST /webhooks/cartful, the queued path", () => {
  it("asks no Durable Object: one queue send, answered queued, a redelivery too (the consumer claims)", async () => {
    const r = relay();
    const asked: string[] = [];
    const ledger = {
      idFromName: (name: string) => (asked.push(name), env.INTAKE_LEDGER.idFromName(name)),
      get: () => {
        throw new Error("the queued path must not call the intake ledger");
      },
    };
    const send = vi.spyOn(env.CAPI_QUEUE, "sendBatch");
    const bindings = { ...liveEnv, CAPI_QUEUE: env.CAPI_QUEUE, INTAKE_LEDGER: ledger };
    for (let i = 0; i < 2; i++) {
      const { res, json } = await post(r, fixtures.canonical, bindings);
      expect(res.status).toBe(202);
      expect(json).toMatchObject({ status: "queued", event_id: "cartful.ses_5f1c9a7e2b.2" });
    }
    expect(asked).toEqual([]);
    expect(send).toHaveBeenCalledTimes(2);
    send.mockRestore();
  });
});

describe("POST /webhooks/cartful/preview", () => {
  it("returns the exact request it would send, token redacted, and sends nothing", async () => {
    const r = relay();
    const res = await r.app.request("/webhooks/cartful/preview", jsonRequest(fixtures.canonical), {
      ...liveEnv,
      META_TEST_EVENT_CODE: "TEST4321",
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(r.graph.calls).toHaveLength(0);
    expect(json).toMatchObject({
      status: "preview",
      event_id: "cartful.ses_5f1c9a7e2b.2",
      request: {
        method: "POST",
        url: `${GRAPH_URL}/v24.0/${PIXEL_ID}/events`,
        body: { access_token: "[REDACTED]", test_event_code: "TEST4321" },
      },
    });
    expect(JSON.stringify(json)).not.toContain(TOKEN);
    expect(json.request.body.data[0].user_data.em).toBe(await sha256("jane.doe@example.com"));
    // The match report: which keys go, and why a key given was dropped (names, never values).
    expect(json.match).toEqual({
      sent: [
        "em",
        "ph",
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
        "fbp",
      ],
      dropped: {},
    });
    // The same event the live route sends.
    const live = relay();
    await post(live, fixtures.canonical);
    expect(json.request.body.data).toEqual(live.graph.calls[0]!.body.data);
  });

  it("authenticates and validates like the webhook route", async () => {
    const r = relay();
    const unauth = await r.app.request(
      "/webhooks/cartful/preview",
      jsonRequest(fixtures.canonical, { authorization: "Bearer nope" }),
      liveEnv,
    );
    expect(unauth.status).toBe(401);
    const invalid = await r.app.request("/webhooks/cartful/preview", jsonRequest({ id: "x" }), liveEnv);
    expect(invalid.status).toBe(422);
  });

  it("works in dry run too", async () => {
    const r = relay();
    const res = await r.app.request("/webhooks/cartful/preview", jsonRequest(fixtures.canonical), {
      WEBHOOK_SECRET: SECRET,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).request.url).toMatch(/^https:\/\/graph\.facebook\.com\/v\d+\.\d+\/.+\/events$/);
  });
});

describe("authentication", () => {
  it("refuses a request with no credentials, and sends nothing", async () => {
    const r = relay();
    const { res, json } = await post(r, fixtures.canonical, liveEnv, {
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(401);
    expect(json.error.code).toBe("unauthorized");
    expect(r.graph.calls).toHaveLength(0);
  });

  it("refuses a wrong bearer secret", async () => {
    const r = relay();
    const { res } = await post(r, fixtures.canonical, liveEnv, {
      headers: { "content-type": "application/json", authorization: "Bearer test-secreT" },
    });
    expect(res.status).toBe(401);
    expect(r.graph.calls).toHaveLength(0);
  });

  it("refuses everything when WEBHOOK_SECRET is not configured", async () => {
    const r = relay();
    const { WEBHOOK_SECRET: _s, ...env } = liveEnv;
    const { res } = await post(r, fixtures.canonical, env);
    expect(res.status).toBe(401);
  });

  describe("Standard Webhooks signatures", () => {
    const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const env = { ...liveEnv, WEBHOOK_SECRET: whsec };
    const body = JSON.stringify(fixtures.canonical);
    const send = async (headers: Record<string, string>, text = body) => {
      const r = relay();
      const res = await r.app.request("/webhooks/cartful", { method: "POST", headers, body: text }, env);
      return { res, r };
    };

    it("accepts a valid signature", async () => {
      const { res, r } = await send(await signedHeaders(body, whsec));
      expect(res.status).toBe(200);
      expect(JSON.parse(r.lines[0]!)).toMatchObject({ auth: "signature" });
    });

    it("accepts when one of several signatures is valid", async () => {
      const headers = await signedHeaders(body, whsec);
      headers["webhook-signature"] = `v1,Zm9vYmFy ${headers["webhook-signature"]} v1a,whatever`;
      expect((await send(headers)).res.status).toBe(200);
    });

    it("refuses a tampered body", async () => {
      const headers = await signedHeaders(body, whsec);
      expect((await send(headers, body.replace("Jane", "Joan"))).res.status).toBe(401);
    });

    it("refuses a timestamp more than 5 minutes old or ahead", async () => {
      const old = await signedHeaders(body, whsec, Math.floor(NOW / 1000) - 301);
      const ahead = await signedHeaders(body, whsec, Math.floor(NOW / 1000) + 301);
      expect((await send(old)).res.status).toBe(401);
      expect((await send(ahead)).res.status).toBe(401);
      const edge = await signedHeaders(body, whsec, Math.floor(NOW / 1000) - 299);
      expect((await send(edge)).res.status).toBe(200);
    });

    it("refuses a signature made with another secret", async () => {
      const headers = await signedHeaders(body, "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY");
      const { res } = await send(headers);
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).not.toContain(whsec);
    });
  });
});

describe("bad input: a clear 4xx, never a 500, no personal data echoed", () => {
  it("answers 400 to a body that is not JSON", async () => {
    const r = relay();
    const { res, json } = await post(r, "{not json");
    expect(res.status).toBe(400);
    expect(json.error).toEqual({ code: "invalid_json", message: expect.any(String) });
  });

  it("answers 415 to a non-JSON content type", async () => {
    const r = relay();
    const res = await r.app.request(
      "/webhooks/cartful",
      jsonRequest(fixtures.canonical, { "content-type": "text/plain" }),
      liveEnv,
    );
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error.code).toBe("unsupported_media_type");
  });

  it("accepts application/json with a charset", async () => {
    const r = relay();
    const res = await r.app.request(
      "/webhooks/cartful",
      jsonRequest(fixtures.canonical, { "content-type": "application/json; charset=utf-8" }),
      liveEnv,
    );
    expect(res.status).toBe(200);
  });

  it("answers 413 to a body over 64 KiB, declared or streamed", async () => {
    const r = relay();
    const big = JSON.stringify({ ...fixtures.canonical, padding: "x".repeat(64 * 1024) });
    const declared = await r.app.request("/webhooks/cartful", jsonRequest(big), liveEnv);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as any).error.code).toBe("payload_too_large");
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await r.app.request(
      "/webhooks/cartful",
      { ...jsonRequest(""), body: stream, duplex: "half" } as RequestInit,
      liveEnv,
    );
    expect(streamed.status).toBe(413);
    expect(r.graph.calls).toHaveLength(0);
  });

  it("reads a body of declared length (as senders send it) as a streamed one, and refuses one declared over 64 KiB", async () => {
    const r = relay();
    const raw = JSON.stringify(fixtures.canonical);
    const init = jsonRequest(raw);
    const length = String(new TextEncoder().encode(raw).byteLength);
    const declared = await r.app.request(
      "/webhooks/cartful",
      { ...init, headers: { ...(init.headers as Record<string, string>), "content-length": length } },
      liveEnv,
    );
    const streamed = await r.app.request("/webhooks/cartful", jsonRequest(raw), liveEnv);
    expect(declared.status).toBe(200);
    expect(await declared.json()).toEqual(await streamed.json());
    const over = await r.app.request(
      "/webhooks/cartful",
      { ...init, headers: { ...(init.headers as Record<string, string>), "content-length": String(64 * 1024 + 1) } },
      liveEnv,
    );
    expect(over.status).toBe(413);
  });

  describe("a body over 64 KiB, refused before it is read", () => {
    const big = JSON.stringify({ ...fixtures.canonical, padding: "x".repeat(64 * 1024) });
    function counted() {
      const records: WebhookRecord[] = [];
      const lines: string[] = [];
      const app = createApp({
        now: () => NOW,
        log: (line) => void lines.push(line),
        metrics: (_env, record) => void records.push(record),
      });
      return { app, records, lines };
    }

    it("counts invalid only when a valid Bearer authenticated it", async () => {
      const { app, records, lines } = counted();
      const res = await app.request("/webhooks/cartful", jsonRequest(big), liveEnv);
      expect(res.status).toBe(413);
      expect(records.map((r) => r.outcome)).toEqual(["invalid"]);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: "warn", outcome: "too_large", status: 413, auth: "bearer" });
    });

    it.each([
      ["without any credential: anonymous", { authorization: "" }, 413, "anonymous"],
      ["with a wrong Bearer: unauthorized", { authorization: "Bearer wrong" }, 413, "unauthorized"],
      [
        "signed (the signature cannot be checked without the body): unauthorized",
        {
          authorization: "",
          "webhook-id": "msg_1",
          "webhook-timestamp": String(NOW / 1000),
          "webhook-signature": "v1,AAAA",
        },
        413,
        "unauthorized",
      ],
    ])(
      "answers 413 but never counts a request that did not authenticate as invalid: %s",
      async (_, headers, status, outcome) => {
        const { app, records } = counted();
        const init = jsonRequest(big, headers);
        const plain = new Headers(init.headers);
        if (plain.get("authorization") === "") plain.delete("authorization");
        const res = await app.request("/webhooks/cartful", { ...init, headers: plain }, liveEnv);
        expect(res.status).toBe(status);
        expect(records.map((r) => r.outcome)).toEqual([outcome]);
      },
    );
  });

  it("answers a body that broke off 400 (not 500), counted invalid with a valid Bearer, anonymous without a credential", async () => {
    const records: WebhookRecord[] = [];
    const app = createApp({ now: () => NOW, log: () => {}, metrics: (_env, record) => void records.push(record) });
    const broken = () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"id":'));
          controller.error(new Error("client went away"));
        },
      });
    const send = (headers: Headers) =>
      app.request(
        "/webhooks/cartful",
        { method: "POST", headers, body: broken(), duplex: "half" } as RequestInit,
        liveEnv,
      );
    const withBearer = new Headers(jsonRequest("").headers);
    const res = await send(withBearer);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe("unreadable_body");
    const anonymous = new Headers(withBearer);
    anonymous.delete("authorization");
    expect((await send(anonymous)).status).toBe(400);
    expect(records.map((r) => r.outcome)).toEqual(["invalid", "anonymous"]);
  });

  it("counts a small webhook without any credential as anonymous, one with a wrong secret as unauthorized", async () => {
    const records: WebhookRecord[] = [];
    const app = createApp({ now: () => NOW, log: () => {}, metrics: (_env, record) => void records.push(record) });
    const anonymous = new Headers(jsonRequest(fixtures.canonical).headers);
    anonymous.delete("authorization");
    expect(
      (await app.request("/webhooks/cartful", { ...jsonRequest(fixtures.canonical), headers: anonymous }, liveEnv))
        .status,
    ).toBe(401);
    const wrong = jsonRequest(fixtures.canonical, { authorization: "Bearer wrong" });
    expect((await app.request("/webhooks/cartful", wrong, liveEnv)).status).toBe(401);
    expect(records.map((r) => r.outcome)).toEqual(["anonymous", "unauthorized"]);
  });

  it("answers 422 with the paths at fault when the email is missing", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical) as any;
    delete webhook.shopper.email;
    const { res, json } = await post(r, webhook);
    expect(res.status).toBe(422);
    expect(json.error.code).toBe("invalid_webhook");
    expect(json.error.issues).toEqual([{ path: "shopper.email", message: "Required" }]);
    expect(json.issues).toEqual(json.error.issues);
  });

  it("answers 422 to a malformed email without echoing it", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical);
    webhook.shopper.email = "jane.doe-at-example.com";
    const { res, json } = await post(r, webhook);
    expect(res.status).toBe(422);
    expect(json.error.issues).toEqual([{ path: "shopper.email", message: "Not a valid email address" }]);
    expect(JSON.stringify(json)).not.toContain("jane.doe-at-example.com");
    expect(r.lines.join("\n")).not.toContain("jane.doe-at-example.com");
  });

  it("answers 422 to an event older than Meta's 7 days", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical);
    webhook.occurred_at = new Date(NOW - 7 * 86_400_000 - 1000).toISOString();
    const { res, json } = await post(r, webhook);
    expect(res.status).toBe(422);
    expect(json.error.issues[0].path).toBe("occurred_at");
    expect(r.graph.calls).toHaveLength(0);
  });

  it("answers 422 to an unreadable timestamp", async () => {
    const r = relay();
    const { res, json } = await post(r, { ...copy(fixtures.canonical), occurred_at: "last Tuesday" });
    expect(res.status).toBe(422);
    expect(json.error.issues[0].path).toBe("occurred_at");
  });

  it("answers 422 naming context.page_url to a website lead with neither a page URL nor a store domain", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical) as any;
    delete webhook.context.page_url;
    delete webhook.store.domain;
    const { res, json } = await post(r, webhook);
    expect(res.status).toBe(422);
    expect(json.error.issues).toEqual([{ path: "context.page_url", message: expect.stringContaining("store.domain") }]);
    expect(r.graph.calls).toHaveLength(0);
  });

  it("sends fixtures/minimal.json with the store's address as event_source_url", async () => {
    const r = relay();
    const { res } = await post(r, { ...copy(fixtures.minimal), occurred_at: new Date(NOW - 60_000).toISOString() });
    expect(res.status).toBeLessThan(300);
    expect(r.graph.calls[0]!.body.data[0]).toMatchObject({ event_source_url: "https://shop.example.com/" });
  });

  it("never answers 500 to odd JSON", async () => {
    const odd: unknown[] = [
      null,
      [],
      42,
      "text",
      true,
      {},
      { shopper: null },
      { id: {}, occurred_at: [], shopper: { email: ["a@b.co"] } },
      { ...fixtures.canonical, recommendations: "none" },
      { ...fixtures.canonical, recommendations: [null, 5] },
      { ...fixtures.canonical, session: { id: 5, attempt: -1 } },
      { ...fixtures.canonical, context: { consent: "denied" } },
      { ...fixtures.canonical, shopper: { ...fixtures.canonical.shopper, phone: { n: 1 } } },
      { ...fixtures.canonical, occurred_at: 1e300 },
    ];
    for (const body of odd) {
      const r = relay();
      const { res, json } = await post(r, body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      expect(json.error.code).toBeTypeOf("string");
      expect(JSON.stringify(json)).not.toContain("Jane");
    }
  });

  it("answers 503 naming the setting when the configuration is unusable", async () => {
    const r = relay();
    const { res, json } = await post(r, fixtures.canonical, { ...liveEnv, FIELD_MAP: "{oops" });
    expect(res.status).toBe(503);
    expect(json.error).toMatchObject({ code: "relay_misconfigured" });
    expect(json.error.message).toContain("FIELD_MAP");
  });

  it("answers 401, not the configuration's state, to a caller without the secret", async () => {
    const r = relay();
    const { res, json } = await post(
      r,
      fixtures.canonical,
      { ...liveEnv, FIELD_MAP: "{oops" },
      {
        headers: { "content-type": "application/json", authorization: "Bearer wrong" },
      },
    );
    expect(res.status).toBe(401);
    expect(JSON.stringify(json)).not.toContain("FIELD_MAP");
  });

  it("reads a deeply nested body through a field map without a 500", async () => {
    const r = relay();
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const env = { ...liveEnv, FIELD_MAP: '{"shopper.email":"shopper.email"}' };
    const { res } = await post(r, { ...copy(fixtures.canonical), x: deep }, env);
    expect(res.status).toBe(200);
  });

  it("answers 405 to another method and 404 elsewhere", async () => {
    const r = relay();
    expect((await r.app.request("/webhooks/cartful", {}, liveEnv)).status).toBe(405);
    expect((await r.app.request("/nope", {}, liveEnv)).status).toBe(404);
  });
});

describe("ids the sender controls", () => {
  const ADDRESS = "quiz.taker@example.org";
  const personal = () => {
    const webhook = copy(fixtures.canonical) as any;
    webhook.id = `evt-${ADDRESS}`;
    webhook.session.id = ADDRESS;
    return webhook;
  };
  const clear = /quiz\.taker(@|%40)example/i;

  it("never logs or answers an id that carries an email address in clear: its hash stands in", async () => {
    const r = relay();
    const { res, json } = await post(r, personal());
    expect(res.status).toBe(200);
    expect(json.event_id).toMatch(/^cartful\.h[0-9a-f]{16}\.2$/);
    expect([JSON.stringify(json), ...r.lines, JSON.stringify(r.graph.calls)].join("\n")).not.toMatch(clear);
    const line = JSON.parse(r.lines.at(-1)!);
    expect(line.studio_event_id).toMatch(/^h[0-9a-f]{16}$/);
  });

  it("says so in the preview's match report", async () => {
    const r = relay();
    const res = await r.app.request("/webhooks/cartful/preview", jsonRequest(personal()), liveEnv);
    const json = (await res.json()) as any;
    expect(JSON.stringify(json)).not.toMatch(clear);
    expect(json.match.warnings.map((w: { field: string }) => w.field)).toEqual(
      expect.arrayContaining(["event_id", "id"]),
    );
  });

  it("keeps a signed webhook's webhook-id hashed in the queue message when it carries an email", async () => {
    const secret = `whsec_${btoa("a-signing-key-of-32-bytes-length")}`;
    const sent: any[] = [];
    const queue = {
      send: async (body: unknown) => void sent.push(body),
      sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => m.body)),
    };
    const body = JSON.stringify(personal());
    const headers = await signedHeaders(body, secret, Math.floor(NOW / 1000), `msg-${ADDRESS}`);
    const r = relay();
    const res = await r.app.request(
      "/webhooks/cartful",
      { method: "POST", headers, body },
      { ...liveEnv, WEBHOOK_SECRET: secret, CAPI_QUEUE: queue },
    );
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(1);
    expect(sent[0].webhookId).toMatch(/^h[0-9a-f]{16}$/);
    expect(sent[0].studioEventId).toMatch(/^h[0-9a-f]{16}$/);
    expect(JSON.stringify(sent[0])).not.toMatch(clear);
    expect(r.lines.join("\n")).not.toMatch(clear);
  });

  it("escapes direction-changing and invisible characters of an id in the answer and the log", async () => {
    const r = relay();
    const webhook = copy(fixtures.canonical) as any;
    webhook.id = "evt_\u202E1\u200B";
    webhook.session.id = "ses_\u2066a\u2069";
    const raw = await r.app.request("/webhooks/cartful", jsonRequest(webhook), liveEnv);
    expect(raw.status).toBe(200);
    const text = await raw.text();
    expect(text).not.toMatch(/[\u202E\u200B\u2066\u2069]/);
    // The same id once parsed: JSON's own escapes.
    expect(JSON.parse(text).event_id).toBe("cartful.ses_\u2066a\u2069.2");
    expect(r.lines.join("\n")).not.toMatch(/[\u202E\u200B\u2066\u2069]/);
  });
});
