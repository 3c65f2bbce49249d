/**
 * The operator console in a real headless Chromium, as its two readers use it: the Worker's own
 * Hono app (createApp) served on 127.0.0.1 with a fake Meta whose moods the test sets, a
 * recording queue pair and the real Durable Object classes on node:sqlite (the circuits with
 * alarms on the real clock, so "Try now" probes as in production); the stylesheet and script from
 * public/, as Workers Static Assets serve them. Studio's traffic goes through the real webhook
 * route and queue consumer.
 *
 * - The marketer: a headline per destination whose numbers add up, leads refused on arrival with
 *   their reasons and an amber alert, dead letters that say which Studio field to map, one row per
 *   lead, nothing claimed "sent" for a shopper who declined.
 * - The operator: a transient outage shows (amber, leads waiting, nothing to do yet) and then its
 *   recovery; an expired token pauses a destination with the command to paste, "Try now" says
 *   Meta's answer in the alert, and after recovery no token alert stays; a re-drive's result shows
 *   beside the button; on a phone the dead-letter buttons are on screen.
 * - Safety: a 5,000-character unbroken string from Meta never makes the page wider than the
 *   viewport (1,280 and 390 px); an id with a bidirectional override is shown escaped, in the
 *   discard confirmation too. The page never logs a console error.
 *
 * `UPDATE_SCREENSHOTS=1` also writes docs/console.png (1280 px wide) for the README; without it
 * the screenshot is taken and checked but not written, so a test run leaves the tree clean.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import canonical from "../../fixtures/canonical.json";
import { defaultRuntime } from "../../src/core/runtime";
import { DeadLetterStore } from "../../src/delivery/deadLetterStore";
import { DeliveryCircuit } from "../../src/delivery/circuit";
import { deadLetterStore } from "../../src/delivery/deadLetters";
import { handleQueueBatch } from "../../src/delivery/consumer";
import { IntakeLedger } from "../../src/delivery/intakeLedger";
import { DEAD_LETTER_QUEUE_NAME, type QueuedEvent, QUEUE_NAME } from "../../src/delivery/messages";
import { createApp } from "../../src/http/app";
import { chartTotals } from "../../src/console/chart";
import { buildConsoleModel } from "../../src/http/console/data";
import type { ConsoleModel } from "../../src/http/console/model";
import { headline, leadParts, percent } from "../../src/console/words";
import { consumerBatch } from "../../src/observe/metrics";
import { MetricsStore } from "../../src/observe/metricsStore";
import { recordNow } from "../../src/observe/recorder";
import { hourlyRound } from "../../src/observe/scheduled";
import { durableObjectNamespace, simNamespace } from "../fault/durableObjects";
import { fakeBatch, fakeQueue } from "../queueFakes";
import { launchChromium } from "./chromium";
import { consoleAssets, type PageProblems, rendered, watchPage } from "./console";
import { serve, type Served } from "./server";

const ADMIN_SECRET = "console-browser-test-admin-secret";
const WEBHOOK_SECRET = "console-browser-test-webhook-secret";
const GRAPH_URL = "https://graph.test";
const PIXELS = { eu: "111111111111111", us: "222222222222222", test: "333333333333333" };
/** Leads without a page URL Meta refuses (2804019): dead letters of `eu`; one id carries a bidirectional override. */
const POISONED_SESSIONS = ["ses_bad", "ses_\u202egnp"];
const LONG = "W".repeat(5000);
const SCREENSHOT = fileURLToPath(new URL("../../docs/console.png", import.meta.url));

interface GraphCall {
  url: string;
  body: { data: { event_id: string }[]; test_event_code?: string };
}

/** Meta, as the test sets it: `eu` up or down (HTTP 500), `us`'s token expired or fine. */
function fakeMeta() {
  const calls: GraphCall[] = [];
  const mood = { eu: "up" as "up" | "down", us: "token_expired" as "token_expired" | "fine" };
  const poisoned = new Set(POISONED_SESSIONS.map((session) => `cartful.${session}.1`));
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.method === "GET" && request.url.includes("/dataset_quality")) {
      if (new URL(request.url).searchParams.get("dataset_id") === PIXELS.us) {
        const error = { message: "(#10) Application does not have permission for this action", code: 10 };
        return Response.json({ error }, { status: 403 });
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
              ],
              diagnostics: [{ name: "Unbroken", description: LONG, solution: LONG, percentage: 10 }],
            },
            event_coverage: { percentage: 71.2 },
            data_freshness: { upload_frequency: LONG },
          },
        ],
      });
    }
    const body = (await request.json()) as GraphCall["body"];
    calls.push({ url: request.url, body });
    if (request.url.includes(`/${PIXELS.us}/`) && mood.us === "token_expired") {
      const error = {
        type: "OAuthException",
        code: 190,
        error_subcode: 463,
        message:
          "Error validating access token: Session has expired on Tuesday, 01-Dec-26 22:53:11 PST. The current time is Wednesday, 02-Dec-26 00:10:00 PST.",
        fbtrace_id: "TkN190",
      };
      return Response.json({ error }, { status: 400 });
    }
    if (request.url.includes(`/${PIXELS.eu}/`) && mood.eu === "down") {
      const error = {
        code: 2,
        message: "An unexpected error has occurred. Please retry your request later.",
        is_transient: true,
      };
      return Response.json({ error }, { status: 500 });
    }
    if (body.data.some((event) => poisoned.has(event.event_id))) {
      const error = {
        type: "OAuthException",
        code: 100,
        error_subcode: 2804019,
        message: "Invalid parameter",
        error_user_msg: `The parameter $['data'][0]['event_source_url'] is required. ${LONG}`,
        fbtrace_id: "Bad100",
      };
      return Response.json({ error }, { status: 400 });
    }
    return Response.json({ events_received: body.data.length, messages: [], fbtrace_id: "AbCdEf123" });
  }) as typeof globalThis.fetch;
  return { calls, fetch, mood };
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
  METRICS: durableObjectNamespace((ctx) => new MetricsStore(ctx, {})),
};
// The circuits' alarms run on the real clock, so "Try now" probes Meta as it would deployed.
const circuits = simNamespace(
  (ctx) => {
    const circuit = new DeliveryCircuit(ctx, env as never);
    circuit.deps = { ...defaultRuntime(), fetch: graph.fetch, log: quiet, env: env as never, record: () => undefined };
    return circuit;
  },
  { now: Date.now, msPerSecond: 1000 },
);
env.DELIVERY_CIRCUIT = circuits.binding;
const app = createApp({
  fetch: graph.fetch,
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
  log: quiet,
});

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

/** Runs the consumer over what waits on the queue (and the dead-letter queue); answers the messages it retried. */
async function consume(): Promise<QueuedEvent[]> {
  const consumer = {
    fetch: graph.fetch,
    log: quiet,
    random: () => 0.5,
    sleep: async () => {},
    record: (report: Parameters<typeof consumerBatch>[0]) => recordNow(env, consumerBatch(report, Date.now())),
  };
  const ctx = {} as ExecutionContext;
  const retried: QueuedEvent[] = [];
  while (queue.sent.length > 0) {
    const bodies = queue.sent.splice(0);
    const { batch, state } = fakeBatch(QUEUE_NAME, bodies);
    await handleQueueBatch(batch, env, ctx, consumer);
    bodies.forEach((body, i) => state(i).retried && retried.push(body));
  }
  await handleQueueBatch(fakeBatch(DEAD_LETTER_QUEUE_NAME, deadLetterQueue.sent.splice(0)).batch, env, ctx, consumer);
  return retried;
}

/** Studio's traffic: good leads, two Meta refuses, one declined, one repeated, refused ones. */
async function studioTraffic(): Promise<void> {
  for (const session of ["ses_one", "ses_two", "ses_three"]) expect((await post(lead(session))).status).toBe(202);
  for (const session of POISONED_SESSIONS) expect((await post(lead(session))).status).toBe(202);
  const declined = lead("ses_declined");
  declined.context.consent = { ad_user_data: "denied", ad_storage: "denied" } as never;
  expect((await post(declined)).status).toBe(200);
  expect((await post(lead("ses_one"))).status).toBeLessThan(300); // Studio's redelivery
  expect((await post({ ...lead("ses_invalid"), shopper: { email: "not an email" } })).status).toBe(422);
  expect((await post({ ...lead("ses_noemail"), shopper: {} })).status).toBe(422);
  expect(
    (await post({ ...lead("ses_old"), occurred_at: new Date(Date.now() - 9 * 86_400_000).toISOString() })).status,
  ).toBe(422);
  expect((await post(lead("ses_intruder"), "wrong-secret")).status).toBe(401);
  await consume();
  await hourlyRound(env, { fetch: graph.fetch, now: Date.now, log: quiet });
}

const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("the operator console in headless Chromium", () => {
  let server: Served;
  let page: Page;
  let problems: PageProblems;
  const replays: unknown[] = [];
  const discards: string[] = [];
  const currentModel = (): Promise<ConsoleModel> => buildConsoleModel(env as never, Date.now());
  const consoleUrl = () => new URL("/admin", server.url).href;
  const card = (name: string) => `article[data-destination="${name}"]`;
  /** Reloads the console and waits for its script to render it from the model. */
  const reload = async () => {
    await page.reload();
    await rendered(page);
  };
  const scrollWidth = () => page.evaluate<number>("document.documentElement.scrollWidth");

  beforeAll(async () => {
    await studioTraffic();
    // The console's static assets, as Workers Static Assets serve them before the Worker runs.
    const assets = consoleAssets();
    server = await serve(async (request) => {
      const path = new URL(request.url).pathname;
      if (path.startsWith("/console/")) return assets(request);
      if (request.method === "POST" && path === "/admin/dead-letters/replay")
        replays.push(await request.clone().json());
      if (request.method === "DELETE" && path.startsWith("/admin/dead-letters/"))
        discards.push(decodeURIComponent(path.slice("/admin/dead-letters/".length)));
      return app.fetch(request, env);
    });
    page = await chromium.browser!.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchPage(page);
  });

  afterEach(() => problems.throwIfAny());

  afterAll(async () => {
    circuits.close();
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

  it("logs in with the console password (ADMIN_SECRET): an HttpOnly, Secure, SameSite=Strict cookie on /admin, and the console", async () => {
    expect(await page.locator('label[for="secret"]').innerText()).toBe("Console password (ADMIN_SECRET)");
    await page.fill("#secret", ADMIN_SECRET);
    await Promise.all([page.waitForURL(consoleUrl()), page.click('button[type="submit"]')]);
    await page.locator("#summary").waitFor();
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

  describe("the marketer", () => {
    it("reads a headline per destination first, its numbers those of the model, each clause a link to its detail", async () => {
      const model = await currentModel();
      const top = await page.locator("section").first().getAttribute("id");
      expect(top).toBe("summary");
      for (const d of model.destinations) {
        const clauses = await page.locator(`[data-headline="${d.name}"] a[data-clause]`).allInnerTexts();
        expect(clauses).toEqual(headline(d).map((c) => c.text));
        for (const href of await page
          .locator(`[data-headline="${d.name}"] a[data-clause]`)
          .evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
          expect(await page.locator(href!).count()).toBe(1);
        }
      }
      const eu = model.destinations.find((d) => d.name === "eu")!;
      expect(eu.counts["24h"]).toMatchObject({ sent: 3, skipped: 1, dead_lettered: POISONED_SESSIONS.length });
      expect(await page.locator('[data-headline="eu"]').innerText()).toContain("3 of ");
      expect(await page.locator('[data-headline="eu"]').innerText()).toContain(
        "1 not sent because the shopper declined",
      );
      expect(await page.locator('[data-headline="eu"]').innerText()).toContain(`${POISONED_SESSIONS.length} need you`);
    });

    it("sees numbers that add up: the rows of each destination sum to what was routed", async () => {
      const model = await currentModel();
      for (const d of model.destinations) {
        const values = await page.locator(`table[data-counts="${d.name}"] tbody td.num`).allInnerTexts();
        const day = values.filter((_, i) => i % 2 === 0).map(Number);
        const week = values.filter((_, i) => i % 2 === 1).map(Number);
        const total = await page.locator(`table[data-counts="${d.name}"] tr[data-row="routed"] td.num`).allInnerTexts();
        expect(day.reduce((a, b) => a + b, 0)).toBe(Number(total[0]));
        expect(week.reduce((a, b) => a + b, 0)).toBe(Number(total[1]));
        expect(Number(total[0])).toBe(d.counts["24h"].routed);
        const sent = leadParts(d.counts["24h"], d.heldNow).find((p) => p.key === "sent")!.value;
        expect(
          await page.locator(`table[data-counts="${d.name}"] tr[data-row="sent"] td.num`).first().innerText(),
        ).toBe(String(sent));
        expect(await page.locator(`table[data-apart="${d.name}"] tr[data-row="retried"]`).innerText()).toContain(
          "Retry attempts",
        );
      }
      // Attempts are a line in the chart, leads the bars; the legend's totals are the model's.
      const totals = chartTotals(model.hours.slice(-24));
      for (const [series, total] of Object.entries(totals))
        expect(await page.locator(`figure.chart-24h li[data-series="${series}"] strong`).innerText()).toBe(
          String(total),
        );
      expect(await page.locator('figure.chart-24h li[data-series="retried"]').innerText()).toContain("retry attempts");
    });

    it("sees the webhooks refused on arrival with their reasons, and an amber alert for their share", async () => {
      const model = await currentModel();
      expect(model.webhooks["24h"]).toMatchObject({ unauthorized: 1, invalid: 3 });
      const reasons = await page.locator("[data-refusal-reasons]").innerText();
      expect(reasons).toContain("shopper.email: Not a valid email address");
      expect(reasons).toContain("occurred_at: Event is older than the 7 days Meta accepts");
      expect(reasons).toContain("wrong or missing secret");
      expect(reasons).not.toContain("not an email");
      expect(await page.locator('[data-intake-alert="invalid"]').innerText()).toContain("Check the field mapping");
      for (const key of ["received", "unauthorized", "invalid", "anonymous"] as const)
        expect(await page.locator(`[data-webhooks="24h"] [data-count="${key}"]`).innerText()).toBe(
          String(model.webhooks["24h"][key]),
        );
    });

    it("reads which Studio field to map for a lead Meta refused, and an escaped id that cannot pass for another", async () => {
      const letters = page.locator("li[data-dead-letter]");
      expect(await letters.count()).toBe(POISONED_SESSIONS.length);
      expect(await letters.first().locator("[data-fix]").innerText()).toBe(
        "This lead had no page URL, so Meta refused it. Map context.page_url (or store.domain) in the Studio integration.",
      );
      const keys = await page.locator("li[data-dead-letter] code.key").allInnerTexts();
      expect(keys).toContain("cartful.ses_\\u202egnp.1@eu");
      expect(keys.join("")).not.toContain("\u202e");
      expect(await page.locator("li[data-dead-letter] button[data-action=redrive]").first().innerText()).toContain(
        "Meta will refuse it again",
      );
    });

    it("sees one row per lead in its latest state, and 'nothing sent' for a shopper who declined", async () => {
      // Each lead goes to three destinations: one row per lead and destination.
      const leads = await page
        .locator("#recent tr[data-event]")
        .evaluateAll((rows) =>
          rows.map((r) => `${r.getAttribute("data-event")} ${r.querySelectorAll("td")[2]?.textContent}`),
        );
      expect(leads.length).toBeGreaterThan(0);
      expect(new Set(leads).size).toBe(leads.length);
      const declined = page.locator("#recent tr[data-event]", { hasText: "nothing sent: the shopper declined" });
      expect(await declined.count()).toBeGreaterThan(0);
      expect(await declined.first().innerText()).not.toMatch(/\bkeys\b/);
    });

    it("never gets a page wider than the window, with 5,000 unbroken characters from Meta on it (1,280 and 390 px)", async () => {
      expect(await page.content()).toContain("W".repeat(300));
      expect(await scrollWidth()).toBeLessThanOrEqual(1280);
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await scrollWidth()).toBeLessThanOrEqual(390);
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  });

  describe("the operator", () => {
    it("sees a paused destination for an expired token: in plain words, the command to paste, Meta's words once", async () => {
      const alert = page.locator(`${card("us")} [data-alert="paused"]`);
      const words = await alert.innerText();
      expect(words).toContain("Paused: Meta refuses the token (expired).");
      expect(words).toContain("npx wrangler secret put META_TOKEN_US");
      expect(words).not.toContain("PST");
      expect(words.split("Session has expired").length - 1).toBe(1);
      expect(await page.locator(`${card("us")} [data-mode]`).innerText()).toBe("paused");
      expect(await page.locator(card("us")).innerText()).not.toContain("misconfigured");
      expect(await page.locator(`${card("test")} [data-alert="held"]`).innerText()).toContain(
        "npx wrangler secret put META_ACCESS_TOKEN",
      );
    });

    it("tries now while the token is still refused: Meta's answer shows in the alert", async () => {
      await page.click(`${card("us")} button[data-action="probe"]`);
      const result = page.locator(`[data-probe-result="us"]`);
      await expect.poll(() => result.innerText(), { timeout: 15_000 }).toContain("Still refused");
      expect(await result.innerText()).toContain("code 190/463");
    });

    it("sees a transient outage in amber with leads waiting and nothing to do, then its recovery", async () => {
      graph.mood.eu = "down";
      for (const session of ["ses_four", "ses_five"]) expect((await post(lead(session))).status).toBe(202);
      const waiting = await consume();
      await reload();
      const alert = page.locator(`${card("eu")} [data-alert="unavailable"]`);
      expect(await alert.innerText()).toContain("Meta unavailable");
      expect(await alert.innerText()).toContain("Nothing to do yet");
      const eu = (await currentModel()).destinations.find((d) => d.name === "eu")!;
      const onItsWay = leadParts(eu.counts["24h"], eu.heldNow).find((p) => p.key === "on_its_way")!.value;
      expect(onItsWay).toBeGreaterThanOrEqual(2); // the two leads Meta could not take (and any repeat not yet counted apart)
      expect(await alert.locator("[data-waiting]").innerText()).toBe(String(onItsWay));
      expect(await page.locator(`${card("eu")} [data-mode]`).innerText()).toBe("live");

      graph.mood.eu = "up";
      queue.sent.push(...waiting);
      await consume();
      await reload();
      expect(await page.locator(`${card("eu")} [data-alert="unavailable"]`).count()).toBe(0);
      expect(await page.locator(`${card("eu")} [data-alert="recovered"]`).innerText()).toContain("Recovered");
    });

    it("fixes the token and tries now: the destination recovers, and no token alert stays", async () => {
      graph.mood.us = "fine";
      await page.click(`${card("us")} button[data-action="probe"]`);
      await expect
        .poll(() => page.locator(`[data-probe-result="us"]`).innerText(), { timeout: 15_000 })
        .toContain("Meta accepted the lead");
      await page.waitForEvent("load", { timeout: 10_000 }); // the page reloads itself
      await rendered(page); // and reads its model again
      await consume(); // the released leads go out
      await reload();
      const us = page.locator(card("us"));
      expect(await us.locator("[data-mode]").innerText()).toBe("live");
      expect(await us.locator('[data-alert="paused"]').count()).toBe(0);
      expect(await us.innerText()).not.toContain("wrangler secret put META_TOKEN_US");
      expect(await us.locator('[data-alert="recovered"]').innerText()).toContain("delivered since");
      expect(await us.locator("[data-incident]").first().textContent()).toContain("Token refused");
      expect(await us.locator('[data-signal="token"]').getAttribute("class")).toBe("past");
    });

    it("re-drives a dead letter: the result shows beside the button clicked, in view", async () => {
      const model = await currentModel();
      const letter = model.deadLetters.find((l) => l.replayable)!;
      const [stored] = await deadLetterStore(env.DEAD_LETTERS as never).get([letter.key]);
      expect(stored?.message?.eventId).toBe(letter.eventId);
      const queuedBefore = queue.sent.length;
      const item = page.locator(`li[data-dead-letter="${letter.key}"]`);
      await item.locator('button[data-action="redrive"]').click();
      const result = item.locator("[data-letter-result]");
      await expect.poll(() => result.innerText()).toContain("it is back on the queue to Meta");
      expect(replays).toEqual([{ keys: [letter.key] }]);
      expect(queue.sent.slice(queuedBefore).map((m) => `${m.eventId}@${m.destination}`)).toEqual([letter.key]);
      const box = (await result.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(900);
    });

    it("discards a dead letter after a confirmation that names it escaped", async () => {
      const model = await currentModel();
      const letter = model.deadLetters.find((l) => l.key.includes("\u202e"))!;
      let asked = "";
      page.once("dialog", (dialog) => {
        asked = dialog.message();
        void dialog.accept();
      });
      const item = page.locator(`li[data-dead-letter="${letter.key}"]`);
      await item.locator('button[data-action="discard"]').click();
      await expect.poll(() => item.locator("[data-letter-result]").innerText()).toContain("Discarded");
      expect(asked).toContain("cartful.ses_\\u202egnp.1@eu");
      expect(asked).not.toContain("\u202e");
      expect(discards).toEqual([letter.key]);
      expect(await deadLetterStore(env.DEAD_LETTERS as never).get([letter.key])).toEqual([]);
    });

    it("on a phone, sees dead letters as cards with their buttons on screen, and no sideways page", async () => {
      await reload();
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await scrollWidth()).toBeLessThanOrEqual(390);
      const buttons = page.locator("li[data-dead-letter] button");
      expect(await buttons.count()).toBeGreaterThan(0);
      for (const button of await buttons.all()) {
        const box = (await button.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(390);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  });

  it("sends a test event with the destination's test code: Meta gets one event under it", async () => {
    const model = await currentModel();
    const d = model.destinations.find((x) => x.mode === "live" && x.testEventCode)!;
    const before = graph.calls.length;
    await page.click(`button[data-action="test-event"][data-destination="${d.name}"]`);
    const result = page.locator(`[data-result="${d.name}"]`);
    await expect.poll(() => result.innerText()).toContain("Sent with");
    const calls = graph.calls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.test_event_code).toBe(d.testEventCode);
  });

  it("shows coverage beside what Meta matched, in the model's numbers", async () => {
    const model = await currentModel();
    const eu = model.destinations.find((d) => d.name === "eu")!;
    for (const [key, share] of Object.entries(eu.matchKeys).filter(([, share]) => share > 0))
      expect(await page.locator(`table[data-coverage="eu"] tr[data-key="${key}"] td[data-sent]`).innerText()).toBe(
        percent(share),
      );
    expect(await page.locator('table[data-coverage="eu"] tr[data-key="ph"] td[data-matched]').innerText()).toBe(
      "92.4 %",
    );
  });

  it("makes a screenshot for the README (docs/console.png with UPDATE_SCREENSHOTS=1)", async () => {
    await page.evaluate("window.scrollTo(0, 0)");
    const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2200 } });
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1280);
    if (process.env.UPDATE_SCREENSHOTS === "1") writeFileSync(SCREENSHOT, png);
  });

  it("logs out: back to the login form, the cookie gone", async () => {
    await Promise.all([page.waitForURL(consoleUrl()), page.click('form[action="/admin/logout"] button')]);
    expect(await page.locator('form[action="/admin/login"]').count()).toBe(1);
    expect(await page.context().cookies()).toEqual([]);
  });
});
