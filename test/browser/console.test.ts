/**
 * The operator console in a real headless Chromium: the Worker's own Hono app (createApp) served
 * on 127.0.0.1 with a fake Graph, a recording queue pair and the real Durable Object classes on
 * node:sqlite. Studio's traffic goes through the real webhook route and queue consumer first: good
 * leads, two that Meta refuses as invalid (they become dead letters of `eu`), an invalid and an
 * unauthorized webhook, while Meta refuses `us`'s token. Then a person logs in through the form,
 * reads the numbers of the model the page was given (`buildConsoleModel` on the same env, so
 * whatever ./data assembles), switches the chart, re-drives and discards a dead letter with the
 * buttons, sends a test event, and logs out; the page must never log a console error.
 *
 * `UPDATE_SCREENSHOTS=1` also writes docs/console.png (1280 px wide) for the README; without it
 * the screenshot is taken and checked but not written, so a test run leaves the tree clean.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import canonical from "../../fixtures/canonical.json";
import { DeadLetterStore } from "../../src/delivery/deadLetterStore";
import { DeliveryCircuit } from "../../src/delivery/circuit";
import { deadLetterStore } from "../../src/delivery/deadLetters";
import { handleQueueBatch } from "../../src/delivery/consumer";
import { IntakeLedger } from "../../src/delivery/intakeLedger";
import { DEAD_LETTER_QUEUE_NAME, type QueuedEvent, QUEUE_NAME } from "../../src/delivery/messages";
import { createApp } from "../../src/http/app";
import { chartTotals } from "../../src/http/console/chart";
import { buildConsoleModel } from "../../src/http/console/data";
import type { ConsoleModel } from "../../src/http/console/model";
import { percent } from "../../src/http/console/words";
import { consumerBatch } from "../../src/observe/metrics";
import { MetricsStore } from "../../src/observe/metricsStore";
import { recordNow } from "../../src/observe/recorder";
import { hourlyRound } from "../../src/observe/scheduled";
import { durableObjectNamespace } from "../fault/durableObjects";
import { fakeBatch, fakeQueue } from "../queueFakes";
import { launchChromium } from "./chromium";
import { type PageProblems, watchPage } from "./console";
import { serve, type Served } from "./server";

const ADMIN_SECRET = "console-browser-test-admin-secret";
const WEBHOOK_SECRET = "console-browser-test-webhook-secret";
const GRAPH_URL = "https://graph.test";
const PIXELS = { eu: "111111111111111", us: "222222222222222", test: "333333333333333" };
/** Leads Meta refuses as invalid: their events end as dead letters of `eu` (`cartful.ses_bad.1@eu`, …). */
const POISONED_SESSIONS = ["ses_bad", "ses_worse"];
const SCREENSHOT = fileURLToPath(new URL("../../docs/console.png", import.meta.url));

/** What the test reads of the page's window (this project compiles without the DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { borderLeftColor: string };
}

interface GraphCall {
  url: string;
  body: { data: { event_id: string }[]; test_event_code?: string };
}

/**
 * Meta, as the test needs it: `us`'s token has expired, the poisoned events are invalid, the rest
 * accepted; its Dataset Quality answers for `eu` and refuses `us`'s token the permission.
 */
function fakeMeta() {
  const calls: GraphCall[] = [];
  const poisoned = new Set(POISONED_SESSIONS.map((session) => `cartful.${session}.1`));
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.method === "GET" && request.url.includes("/dataset_quality")) {
      if (new URL(request.url).searchParams.get("dataset_id") === PIXELS.us) {
        return Response.json(
          {
            error: {
              message: "(#10) Application does not have permission for this action",
              type: "OAuthException",
              code: 10,
            },
          },
          { status: 403 },
        );
      }
      return Response.json({
        web: [
          {
            event_name: "Lead",
            event_match_quality: {
              composite_score: 6.8,
              match_key_feedback: [
                { identifier: "email", coverage: { percentage: 100 } },
                { identifier: "phone", coverage: { percentage: 92.4 } },
                { identifier: "ip_address", coverage: { percentage: 99.1 } },
                { identifier: "fbc", coverage: { percentage: 41.7 } },
              ],
            },
            event_coverage: { percentage: 71.2 },
            dedupe_key_feedback: [
              {
                dedupe_key: "event_id",
                server_events_with_dedupe_key: { percentage: 100 },
                browser_events_with_dedupe_key: { percentage: 96.3 },
                overall_browser_coverage_from_dedupe_key: { percentage: 88.9 },
              },
            ],
            data_freshness: { upload_frequency: "real_time" },
          },
        ],
      });
    }
    const body = (await request.json()) as GraphCall["body"];
    calls.push({ url: request.url, body });
    if (request.url.includes(`/${PIXELS.us}/`)) {
      const error = {
        type: "OAuthException",
        code: 190,
        error_subcode: 463,
        message: "Error validating access token: Session has expired",
        fbtrace_id: "TkN190",
      };
      return Response.json({ error }, { status: 400 });
    }
    if (body.data.some((event) => poisoned.has(event.event_id))) {
      const error = {
        type: "OAuthException",
        code: 100,
        error_subcode: 2804019,
        message: "Invalid parameter",
        error_user_msg: "The parameter em is not a valid hash",
        fbtrace_id: "Bad100",
      };
      return Response.json({ error }, { status: 400 });
    }
    return Response.json({ events_received: body.data.length, messages: [], fbtrace_id: "AbCdEf123" });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

const graph = fakeMeta();
const queue = fakeQueue<QueuedEvent>();
const deadLetterQueue = fakeQueue<unknown>();
const quiet = () => {};
const env: Record<string, unknown> = {
  ADMIN_SECRET,
  WEBHOOK_SECRET,
  META_GRAPH_URL: GRAPH_URL,
  META_API_VERSION: "v27.0",
  META_TOKEN_EU: "EAAB-console-eu-token",
  META_TOKEN_US: "EAAB-console-us-token",
  DESTINATIONS: JSON.stringify([
    { name: "eu", pixel_id: PIXELS.eu, access_token_secret: "META_TOKEN_EU", test_event_code: "TEST4521" },
    { name: "us", pixel_id: PIXELS.us, access_token_secret: "META_TOKEN_US" },
    { name: "test", pixel_id: PIXELS.test },
  ]),
  CAPI_QUEUE: queue.queue,
  CAPI_DLQ: deadLetterQueue.queue,
  INTAKE_LEDGER: durableObjectNamespace((ctx) => new IntakeLedger(ctx, {})),
  DEAD_LETTERS: durableObjectNamespace((ctx) => new DeadLetterStore(ctx, {})),
  DELIVERY_CIRCUIT: durableObjectNamespace((ctx) => new DeliveryCircuit(ctx, env)),
  METRICS: durableObjectNamespace((ctx) => new MetricsStore(ctx, {})),
};
const app = createApp({ fetch: graph.fetch, sleep: async () => {}, log: quiet });

/** Studio's webhooks through the real route, then the queue consumer as Cloudflare would run it. */
async function studioTraffic(): Promise<void> {
  const post = (body: unknown, secret = WEBHOOK_SECRET) =>
    app.request(
      "https://relay.example.workers.dev/webhooks/cartful",
      {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
        body: JSON.stringify(body),
      },
      env,
    );
  const lead = (session: string) => ({
    ...structuredClone(canonical),
    id: `evt_${session}`,
    session: { id: session, attempt: 1 },
    occurred_at: new Date(Date.now() - 60_000).toISOString(),
  });
  for (const session of ["ses_one", "ses_two", "ses_three", ...POISONED_SESSIONS])
    expect((await post(lead(session))).status).toBe(202);
  expect((await post({ ...lead("ses_invalid"), shopper: { email: "not an email" } })).status).toBe(422);
  expect((await post(lead("ses_intruder"), "wrong-secret")).status).toBe(401);

  const consumer = {
    fetch: graph.fetch,
    log: quiet,
    random: () => 0.5,
    record: (report: Parameters<typeof consumerBatch>[0]) => recordNow(env, consumerBatch(report, Date.now())),
  };
  const ctx = {} as ExecutionContext;
  while (queue.sent.length > 0)
    await handleQueueBatch(fakeBatch(QUEUE_NAME, queue.sent.splice(0)).batch, env, ctx, consumer);
  await handleQueueBatch(fakeBatch(DEAD_LETTER_QUEUE_NAME, deadLetterQueue.sent.splice(0)).batch, env, ctx, consumer);
  // The hourly round: Meta's Dataset Quality for each destination with a token.
  await hourlyRound(env, { fetch: graph.fetch, now: Date.now, log: quiet });
}

const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("the operator console in headless Chromium", () => {
  let server: Served;
  let page: Page;
  let problems: PageProblems;
  const replays: unknown[] = [];
  const discards: string[] = [];
  /** The model as the page has it now: built from the same env, as the route builds it. */
  const currentModel = (): Promise<ConsoleModel> => buildConsoleModel(env as never, Date.now());
  const consoleUrl = () => new URL("/admin", server.url).href;

  beforeAll(async () => {
    await studioTraffic();
    server = await serve(async (request) => {
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === "/admin/dead-letters/replay")
        replays.push(await request.clone().json());
      if (request.method === "DELETE" && path.startsWith("/admin/dead-letters/"))
        discards.push(decodeURIComponent(path.slice("/admin/dead-letters/".length)));
      return app.fetch(request, env);
    });
    page = await chromium.browser!.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchPage(page);
  });

  // A page problem (console error, failed request) fails the test it happened in; cleared first, so
  // it does not fail every test after it too.
  afterEach(() => {
    const seen = problems.list();
    problems.clear();
    if (seen.length > 0) throw new Error(`The page reported problems: ${JSON.stringify(seen)}`);
  });

  afterAll(async () => {
    await page?.close();
    await chromium.browser?.close();
    await server?.close();
  });

  it("shows the login form, not the data, and refuses a wrong secret with the form again", async () => {
    await page.goto(consoleUrl());
    expect(await page.locator('form[action="/admin/login"]').count()).toBe(1);
    expect(await page.locator("article[data-destination]").count()).toBe(0);
    await page.fill("#secret", `${ADMIN_SECRET}-wrong`);
    await Promise.all([page.waitForURL("**/admin/login"), page.click('button[type="submit"]')]);
    expect(await page.locator("[data-login-problem]").innerText()).toContain("That is not the ADMIN_SECRET");
    expect(await page.context().cookies()).toEqual([]);
    // The 401 is the answer we meant; Chromium reports any 4xx page load as a console error too.
    expect(problems.list()).toEqual([
      `HTTP 401: ${new URL("/admin/login", server.url).href}`,
      "console.error: Failed to load resource: the server responded with a status of 401 (Unauthorized)",
    ]);
    problems.clear();
  });

  it("logs in with ADMIN_SECRET: an HttpOnly, Secure, SameSite=Strict cookie on /admin, and the console", async () => {
    await page.fill("#secret", ADMIN_SECRET);
    await Promise.all([page.waitForURL(consoleUrl()), page.click('button[type="submit"]')]);
    await page.locator("#destinations").waitFor();
    const cookies = await page.context().cookies();
    expect(
      cookies.map((c) => ({
        name: c.name,
        httpOnly: c.httpOnly,
        secure: c.secure,
        sameSite: c.sameSite,
        path: c.path,
      })),
    ).toEqual([{ name: "__Secure-relay_admin", httpOnly: true, secure: true, sameSite: "Strict", path: "/admin" }]);
    expect(await page.evaluate<string>("document.cookie")).toBe("");
  });

  it("counts what the test's own traffic did: the webhooks, and per destination what was sent, held, dead-lettered, run dry", async () => {
    const model = await currentModel();
    const leads = 3 + POISONED_SESSIONS.length;
    expect(model.webhooks["24h"]).toEqual({ received: leads + 2, unauthorized: 1, invalid: 1, anonymous: 0 });
    const [eu, us, test] = model.destinations;
    expect(eu?.counts["24h"]).toMatchObject({
      routed: leads,
      sent: 3,
      dead_lettered: POISONED_SESSIONS.length,
      held: 0,
    });
    expect(eu?.lastAccepted?.fbtraceId).toBe("AbCdEf123");
    expect(eu?.matchKeys).toMatchObject({ em: 1, ph: 1, client_ip_address: 1, fbp: 1 });
    expect(us?.counts["24h"]).toMatchObject({ routed: leads, sent: 0, held: leads });
    expect(us).toMatchObject({ mode: "misconfigured", circuit: { cause: "meta_refused", held: leads } });
    expect(us?.signals.map((signal) => signal.kind)).toEqual(["token"]);
    expect(test?.counts["24h"]).toMatchObject({ routed: leads, dry_run: leads, sent: 0 });
    expect(model.hours.at(-1)).toMatchObject({ sent: 3, dead_lettered: POISONED_SESSIONS.length, held: leads });
    expect(eu?.quality).toMatchObject({
      state: "ok",
      quality: { events: [{ eventName: "Lead", compositeScore: 6.8 }] },
    });
    expect(us?.quality).toMatchObject({ state: "permission", code: 10 });
    expect(test?.quality).toMatchObject({ state: "none" });
  });

  it("shows the numbers of the model the page was given", async () => {
    const model = await currentModel();
    // The checks below that depend on a destination's state run only where the model has it: the
    // traffic must give them one of each, or they would check nothing.
    const has = (test: (d: ConsoleModel["destinations"][number]) => unknown) => model.destinations.some(test);
    expect(has((d) => d.circuit)).toBe(true);
    expect(has((d) => d.quality.state === "permission")).toBe(true);
    expect(has((d) => d.quality.state === "ok")).toBe(true);
    const textOf = (selector: string) => page.locator(selector).first().innerText();
    for (const window of ["24h", "7d"] as const) {
      for (const key of ["received", "unauthorized", "invalid"] as const) {
        expect(await textOf(`[data-webhooks="${window}"] [data-count="${key}"]`)).toBe(
          String(model.webhooks[window][key]),
        );
      }
    }
    for (const d of model.destinations) {
      const card = `article[data-destination="${d.name}"]`;
      expect(await page.locator(`${card} [data-mode]`).getAttribute("data-mode")).toBe(d.mode);
      for (const row of ["routed", "sent", "skipped", "retried", "dead_lettered", "held", "dry_run"] as const) {
        expect(await page.locator(`${card} tr[data-row="${row}"] td.num`).allInnerTexts()).toEqual([
          String(d.counts["24h"][row]),
          String(d.counts["7d"][row]),
        ]);
      }
      if (d.circuit) {
        expect(await textOf(`${card} [data-alert="circuit"] [data-held]`)).toBe(String(d.circuit.held));
        const red = await page
          .locator(`${card} [data-alert="circuit"]`)
          .evaluate((element) => (globalThis as unknown as BrowserWindow).getComputedStyle(element).borderLeftColor);
        expect(red).toBe("rgb(192, 38, 45)");
      }
      for (const [key, share] of Object.entries(d.matchKeys).filter(([, share]) => share > 0)) {
        expect(await textOf(`table[data-coverage="${d.name}"] tr[data-key="${key}"] td.num`)).toBe(percent(share));
      }
      // The traffic leaves no destination short of a key, so this mostly checks that no hint shows.
      expect(await page.locator(`[data-hint="${d.name}"]`).count()).toBe(d.hint ? 1 : 0);
      if (d.hint) expect(await textOf(`[data-hint="${d.name}"]`)).toContain(d.hint);
      const block = `[data-quality-for="${d.name}"]`;
      if (d.quality.state === "permission")
        expect(await textOf(`${block} [data-quality="permission"]`)).toContain("ads_read");
      if (d.quality.state === "ok") {
        const scores = d.quality.quality.events.flatMap((e) =>
          e.compositeScore === undefined ? [] : [String(e.compositeScore)],
        );
        expect(await page.locator(`${block} [data-emq]`).allInnerTexts()).toEqual(scores);
      }
    }
    for (const [range, points] of [
      ["24h", model.hours.slice(-24)],
      ["7d", model.hours.slice(-168)],
    ] as const) {
      const totals = chartTotals(points);
      for (const [series, total] of Object.entries(totals)) {
        expect(await page.locator(`figure.chart-${range} li[data-series="${series}"] strong`).innerText()).toBe(
          String(total),
        );
      }
    }
    expect(await page.locator("tr[data-event]").count()).toBe(model.recent.length);
    expect(await page.locator("tr[data-dead-letter]").count()).toBe(model.deadLetters.length);
  });

  it("switches the chart between 24 hours and 7 days without JavaScript's help or a reload", async () => {
    expect(await page.locator("figure.chart-24h").isVisible()).toBe(true);
    expect(await page.locator("figure.chart-7d").isVisible()).toBe(false);
    await page.click('label[for="range-7d"]');
    expect(await page.locator("figure.chart-7d").isVisible()).toBe(true);
    expect(await page.locator("figure.chart-24h").isVisible()).toBe(false);
    await page.click('label[for="range-24h"]');
    expect(await page.locator("figure.chart-24h").isVisible()).toBe(true);
  });

  it("fits a phone's width: nothing but the chart and tables scrolls sideways", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("makes a screenshot for the README (docs/console.png with UPDATE_SCREENSHOTS=1)", async () => {
    await page.evaluate("window.scrollTo(0, 0)");
    const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2200 } });
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1280);
    if (process.env.UPDATE_SCREENSHOTS === "1") writeFileSync(SCREENSHOT, png);
  });

  it("re-drives a dead letter with its button: the replay route is called, the event queued again, the page refreshed", async () => {
    const model = await currentModel();
    const letter = model.deadLetters.find((l) => l.replayable)!;
    const [stored] = await deadLetterStore(env.DEAD_LETTERS as never).get([letter.key]);
    expect(stored?.message?.eventId).toBe(letter.eventId);
    const queuedBefore = queue.sent.length;
    await Promise.all([
      page.waitForEvent("load", { timeout: 10_000 }),
      page.click(`tr[data-dead-letter="${letter.key}"] button[data-action="redrive"]`),
    ]);
    expect(replays).toEqual([{ keys: [letter.key] }]);
    expect(queue.sent.slice(queuedBefore).map((m) => `${m.eventId}@${m.destination}`)).toEqual([letter.key]);
    expect(await page.locator("#status").innerText()).toBe(`Re-driven ${letter.key}: it is back on the queue to Meta.`);
  });

  it("discards a dead letter with its button, after confirming", async () => {
    const model = await currentModel();
    const letter = model.deadLetters.at(-1)!;
    page.once("dialog", (dialog) => void dialog.accept());
    await Promise.all([
      page.waitForEvent("load", { timeout: 10_000 }),
      page.click(`tr[data-dead-letter="${letter.key}"] button[data-action="discard"]`),
    ]);
    expect(discards).toEqual([letter.key]);
    expect(await deadLetterStore(env.DEAD_LETTERS as never).get([letter.key])).toEqual([]);
    expect(await page.locator("#status").innerText()).toBe(`Discarded ${letter.key}.`);
  });

  it("sends a test event with the destination's test code: Meta gets one event under it", async () => {
    const model = await currentModel();
    const d = model.destinations.find((x) => x.mode !== "dry_run" && x.testEventCode)!;
    expect(await page.inputValue(`#test-code-${d.name}`)).toBe(d.testEventCode);
    const before = graph.calls.length;
    await page.click(`button[data-action="test-event"][data-destination="${d.name}"]`);
    const result = page.locator(`[data-result="${d.name}"]`);
    await expect.poll(() => result.innerText()).toContain("Sent with");
    const calls = graph.calls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`${GRAPH_URL}/v27.0/${d.pixelId}/events`);
    expect(calls[0]!.body.test_event_code).toBe(d.testEventCode);
    expect(calls[0]!.body.data).toHaveLength(1);
    expect(await result.innerText()).toContain(`event_id ${calls[0]!.body.data[0]!.event_id}, fbtrace_id AbCdEf123`);
  });

  it("asks for a test code instead of sending without one", async () => {
    const model = await currentModel();
    const d = model.destinations.find((x) => x.mode !== "dry_run" && !x.testEventCode)!;
    expect(await page.inputValue(`#test-code-${d.name}`)).toBe("");
    const before = graph.calls.length;
    await page.click(`button[data-action="test-event"][data-destination="${d.name}"]`);
    expect(await page.locator(`[data-result="${d.name}"]`).innerText()).toContain("Enter the test event code");
    expect(graph.calls.length).toBe(before);
    expect(await page.evaluate<string | undefined>("document.activeElement?.id")).toBe(`test-code-${d.name}`);
  });

  it("logs out: back to the login form, the cookie gone", async () => {
    await Promise.all([page.waitForURL(consoleUrl()), page.click('form[action="/admin/logout"] button')]);
    expect(await page.locator('form[action="/admin/login"]').count()).toBe(1);
    expect(await page.locator("article[data-destination]").count()).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
  });
});
