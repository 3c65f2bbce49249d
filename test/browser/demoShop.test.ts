/**
 * The local Meta's demo shop (dev/demo-shop, started by `npm run dev:meta`) end to end in a real
 * headless Chromium: the launcher's parts, each on its own port (the fake Meta, the relay under
 * `wrangler dev` with its own `--persist-to` and dev registry and `BROWSER_ORIGINS` the shop's
 * origin, the demo shop), a quiz played by clicking its buttons, with the Pixel stand-in and then
 * with it blocked (one click, as an ad blocker would: `fbq` missing). Checks that the fake Meta
 * received from the server each event the Pixel reported, with the same `event_id` and
 * `event_name` (deduplicated pairs), the lead from the webhook among them, and with the Pixel
 * blocked the server copies alone. Every process it starts is stopped in afterAll.
 *
 * Slow by nature (wrangler dev starts in 5–30 s, the queue delivers in batches of up to 5 s), so
 * its hooks and tests have their own timeouts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoShop, startDemoShop } from "../../dev/demo-shop/server.ts";
import {
  DEV_PIXEL,
  DEV_TOKEN,
  freePort,
  type RelayProcess,
  startRelay,
  waitForLive,
  WEBHOOK_SECRET,
} from "../../dev/dev-meta.ts";
import { type FakeMeta, startFakeMeta } from "../../dev/fake-meta/server.ts";
import { DEFAULT_BROWSER_EVENTS } from "../../src/transform/browserEventNames";
import { launchChromium } from "./chromium";
import { watchPage, type PageProblems } from "./console";

/** One entry of the quiz's `window.demoLog`. */
interface LogEntry {
  type: string;
  result: {
    fired: boolean;
    reason?: string;
    eventID?: string;
    events?: { command: string; pixelId?: string; eventName: string }[];
    collected?: true;
  };
  webhook?: { status: number; answer: { status?: string; event_id?: string } };
}

/** An event as both sides should carry it. */
interface Expected {
  event_id: string;
  event_name: string;
}

/** Events the quiz below fires: start, two steps, lead, complete, recommendations, view and add of two products. */
const QUIZ_EVENTS = 10;

const chromium = await launchChromium();

describe.skipIf(!chromium.browser)("the demo shop against the relay under wrangler dev, in headless Chromium", () => {
  let meta: FakeMeta;
  let shop: DemoShop;
  let relay: RelayProcess | undefined;
  let relayUrl: string;
  let page: Page;
  let problems: PageProblems;
  let output = "";
  /** The relay's state and dev registry: a fresh directory, removed afterwards. */
  let state: string | undefined;

  beforeAll(async () => {
    state = mkdtempSync(path.join(tmpdir(), "demo-shop-relay-"));
    meta = await startFakeMeta({ token: DEV_TOKEN });
    const relayPort = await freePort(0);
    relayUrl = `http://127.0.0.1:${relayPort}`;
    shop = await startDemoShop({ relayUrl, metaUrl: meta.url, pixel: DEV_PIXEL, webhookSecret: WEBHOOK_SECRET });
    relay = startRelay(
      {
        relayPort,
        inspectorPort: await freePort(0),
        metaUrl: meta.url,
        pixel: DEV_PIXEL,
        stateDir: state,
        browserOrigins: shop.url,
      },
      ["ignore", "pipe", "pipe"],
    );
    // Kept for a failure's message, the last 20,000 characters.
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    relay.child.stdout!.on("data", keep);
    relay.child.stderr!.on("data", keep);
    if (!(await waitForLive(relayUrl, 100_000, () => relay!.running)))
      throw new Error(`the relay did not go live on ${relayUrl}:\n${output}`);
    page = await chromium.browser!.newPage();
    problems = watchPage(page);
  }, 150_000);

  afterAll(async () => {
    await page?.close();
    await chromium.browser?.close();
    await relay?.stop();
    await Promise.all([meta?.close(), shop?.close()]);
    if (state) rmSync(state, { recursive: true, force: true });
  }, 30_000);

  /** Clicks through the whole quiz and returns what the snippet did for each event. */
  async function playQuiz(): Promise<LogEntry[]> {
    await page.click("#start-quiz");
    await page.click("#step-skin-type button >> nth=0");
    await page.click("#step-concern button >> nth=1");
    await page.click("#submit-email");
    await page.waitForSelector("#products:not([hidden])");
    for (const button of await page.$$("#products button")) await button.click();
    await page.waitForFunction(
      (count) => (globalThis as unknown as { demoLog: unknown[] }).demoLog.length >= count,
      QUIZ_EVENTS,
    );
    expect(await page.$$("#log li.failed")).toEqual([]);
    return page.evaluate(() => (globalThis as unknown as { demoLog: LogEntry[] }).demoLog);
  }

  /** What the server should send for each event the quiz fired: the lead by the webhook, the rest by /collect/cartful. */
  function expectedServerCopies(log: LogEntry[]): Expected[] {
    return log.flatMap((entry): Expected[] => {
      if (entry.type === "email:submit") {
        expect(entry.webhook).toMatchObject({ status: 202, answer: { status: "queued" } });
        return [{ event_id: entry.webhook!.answer.event_id!, event_name: "Lead" }];
      }
      const name = DEFAULT_BROWSER_EVENTS.get(entry.type);
      if (name === undefined) {
        // quiz:start and step:enter are not among the default browser_events: neither side sends them.
        expect(entry.result).toEqual({ fired: false, reason: "no_event_name" });
        return [];
      }
      expect(entry.result).toMatchObject({ fired: true, collected: true });
      return [{ event_id: entry.result.eventID!, event_name: name }];
    });
  }

  /** Waits until the fake Meta accepted a server copy of each expected event; returns them all. */
  async function serverCopies(expected: Expected[]): Promise<Expected[]> {
    const copies = () =>
      meta.received(DEV_PIXEL).map(({ event }) => ({ event_id: String(event.event_id), event_name: event.event_name }));
    await expect
      .poll(() => expected.filter((e) => !copies().some((c) => c.event_id === e.event_id)), {
        timeout: 45_000,
        interval: 500,
      })
      .toEqual([]);
    return copies();
  }

  function pageProblems(): string[] {
    // A keepalive request outlives its document: leaving the page may report it aborted while it
    // still reaches the relay (the checks below read what the fake Meta received).
    const aborted = `request failed: ${relayUrl}/collect/cartful (net::ERR_ABORTED)`;
    const left = problems.list().filter((line) => line !== aborted);
    problems.clear();
    return left;
  }

  it("with the Pixel: every event the Pixel reports also comes from the server, same event_id and event_name", async () => {
    await page.goto(`${shop.url}/`);
    expect(await page.textContent("#pixel-state")).toContain("Pixel loaded");
    const log = await playQuiz();
    expect(log).toHaveLength(QUIZ_EVENTS);
    const expected = expectedServerCopies(log);
    expect(expected.map((e) => e.event_name).sort()).toEqual(
      ["AddToCart", "AddToCart", "Lead", "QuizComplete", "RecommendationsLoaded", "ViewContent", "ViewContent"].sort(),
    );
    for (const entry of log.filter((e) => e.result.fired))
      expect(entry.result.events).toEqual([
        expect.objectContaining({
          pixelId: DEV_PIXEL,
          eventName: expected.find((e) => e.event_id === entry.result.eventID)!.event_name,
        }),
      ]);

    // The Pixel's copies, as the stand-in reported them to the fake Meta: exactly the expected ones.
    await expect
      .poll(() => meta.pixelHits.map((hit) => ({ event_id: hit.event_id, event_name: hit.event_name })).length)
      .toBe(expected.length);
    const browser = meta.pixelHits.map((hit) => ({ event_id: hit.event_id!, event_name: hit.event_name }));
    expect(sorted(browser)).toEqual(sorted(expected));
    expect(meta.pixelHits.every((hit) => hit.pixel === DEV_PIXEL && hit.user_data_keys.includes("external_id"))).toBe(
      true,
    );

    // The server's copies: one for each, with the same event_id and event_name.
    const server = await serverCopies(expected);
    for (const copy of expected) expect(server).toContainEqual(copy);
    // As website events of the shop's page, with the same hashed external_id the Pixel got.
    const reports = await page.evaluate(
      () => (globalThis as unknown as { fbq: { reports: { url: string }[] } }).fbq.reports,
    );
    const pixelExternalIds = new Set(reports.map((r) => new URL(r.url).searchParams.get("ud[external_id]")));
    expect(pixelExternalIds.size).toBe(1);
    const [externalId] = pixelExternalIds;
    expect(externalId).toMatch(/^[0-9a-f]{64}$/);
    const events = meta.received(DEV_PIXEL).filter((e) => expected.some((x) => x.event_id === e.event.event_id));
    expect(events).toHaveLength(expected.length);
    for (const { event } of events) {
      expect(event).toMatchObject({ action_source: "website", event_source_url: `${shop.url}/` });
      expect(event.user_data).toMatchObject({ external_id: externalId });
      expect(Object.keys(event.user_data)).toEqual(expect.arrayContaining(["client_user_agent", "fbp"]));
    }
    const pairs = meta.pairs(DEV_PIXEL);
    for (const copy of expected)
      expect(pairs).toContainEqual(expect.objectContaining({ ...copy, browser: 1, server: 1, deduplicated: true }));
    expect(pageProblems()).toEqual([]);
  }, 120_000);

  it("with the Pixel blocked (one click): fbq is missing, and the server copies still arrive", async () => {
    const hitsBefore = meta.pixelHits.length;
    await page.click("#toggle-pixel");
    await page.waitForURL(/\?pixel=blocked$/);
    expect(await page.evaluate(() => typeof (globalThis as unknown as { fbq?: unknown }).fbq)).toBe("undefined");
    expect(await page.textContent("#pixel-state")).toContain("Pixel blocked");
    const log = await playQuiz();
    const lead = log.find((entry) => entry.type === "email:submit")!;
    expect(lead.result).toEqual({ fired: false, reason: "no_fbq" });
    for (const entry of log.filter((e) => e.result.fired)) expect(entry.result.events).toEqual([]);
    const expected = expectedServerCopies(log);
    expect(expected).toHaveLength(7);

    const server = await serverCopies(expected);
    for (const copy of expected) expect(server).toContainEqual(copy);
    // Nothing from the browser: the stand-in never loaded.
    expect(meta.pixelHits.length).toBe(hitsBefore);
    const pairs = meta.pairs(DEV_PIXEL);
    for (const copy of expected)
      expect(pairs).toContainEqual(
        expect.objectContaining({
          ...copy,
          browser: 0,
          server: 1,
          deduplicated: false,
          verdict: "server only (Pixel blocked?)",
        }),
      );
    expect(pageProblems()).toEqual([]);
  }, 120_000);
});

function sorted(list: Expected[]): Expected[] {
  return [...list].sort((a, b) => a.event_id.localeCompare(b.event_id) || a.event_name.localeCompare(b.event_name));
}
