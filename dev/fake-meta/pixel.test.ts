import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEDUP_WINDOW_MS, eventPairs, MAX_PIXEL_HITS, MAX_PIXEL_URL, type PixelHit, readPixelHit } from "./pixel.ts";
import { type FakeMeta, startFakeMeta } from "./server.ts";

const PIXEL = "100000000000001";
const EXTERNAL_ID = "a".repeat(64);
const STAND_IN = readFileSync(new URL("./fbevents.js", import.meta.url), "utf8");

const tr = (query: string) => new URL(`http://127.0.0.1:1/tr?${query}`);
const hit = (overrides: Partial<PixelHit> = {}): PixelHit => ({
  pixel: PIXEL,
  event_name: "AddToCart",
  event_id: "cartful.ses_a.1.product:addToCart.8012345",
  at: 0,
  custom_data_keys: [],
  user_data_keys: [],
  ...overrides,
});

describe("readPixelHit", () => {
  it("keeps the pixel, event name and id, the page without its query, and only the names of cd and ud", () => {
    const read = readPixelHit(
      tr(
        `id=${PIXEL}&ev=AddToCart&eid=cartful.ses_a.1.product%3AaddToCart.8012345&dl=${encodeURIComponent("http://127.0.0.1:8790/?fbclid=IwAR2&x=1#top")}` +
          `&cd[value]=34&cd[currency]=USD&ud[external_id]=${EXTERNAL_ID}&ts=1`,
      ),
      42,
    );
    expect(read).toEqual({
      pixel: PIXEL,
      event_name: "AddToCart",
      event_id: "cartful.ses_a.1.product:addToCart.8012345",
      at: 42,
      page: "http://127.0.0.1:8790/",
      custom_data_keys: ["currency", "value"],
      user_data_keys: ["external_id"],
    });
    expect(JSON.stringify(read)).not.toContain(EXTERNAL_ID);
  });

  it("refuses a report without a numeric pixel id or an event name, too long, or with an oversized event id", () => {
    expect(readPixelHit(tr("ev=Lead"), 0)).toEqual({ error: "id must be the pixel's numeric id" });
    expect(readPixelHit(tr("id=abc&ev=Lead"), 0)).toHaveProperty("error");
    expect(readPixelHit(tr(`id=${PIXEL}`), 0)).toEqual({ error: "ev must be an event name" });
    expect(readPixelHit(tr(`id=${PIXEL}&ev=${"<script>"}`), 0)).toHaveProperty("error");
    expect(readPixelHit(tr(`id=${PIXEL}&ev=Lead&eid=${"e".repeat(257)}`), 0)).toHaveProperty("error");
    expect(readPixelHit(tr(`id=${PIXEL}&ev=Lead&cd[x]=${"v".repeat(MAX_PIXEL_URL)}`), 0)).toHaveProperty("error");
  });

  it("keeps at most 50 key names, each a plain name (prototype keys are inert text), and no page that is not http(s)", () => {
    const letters = (i: number) => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
    const keys = Array.from({ length: 80 }, (_, i) => `cd[k${letters(i)}]=1`);
    const many = readPixelHit(tr(`id=${PIXEL}&ev=Lead&${keys.join("&")}&cd[Bad-Key]=1&dl=javascript:alert(1)`), 0);
    expect((many as PixelHit).custom_data_keys).toHaveLength(50);
    expect((many as PixelHit).page).toBeUndefined();
    const proto = readPixelHit(tr(`id=${PIXEL}&ev=Lead&cd[__proto__]=1&ud[constructor]=1`), 0) as PixelHit;
    expect(proto.custom_data_keys).toEqual(["__proto__"]);
    expect(proto.user_data_keys).toEqual(["constructor"]);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });
});

describe("eventPairs", () => {
  it("pairs a browser and a server copy with the same pixel, event name and event id: deduplicated", () => {
    const [pair] = eventPairs(
      [hit({ at: 1000 })],
      [{ pixel: PIXEL, event_name: "AddToCart", event_id: hit().event_id!, at: 6000 }],
      10,
    );
    expect(pair).toEqual({
      pixel: PIXEL,
      event_name: "AddToCart",
      event_id: hit().event_id,
      browser: 1,
      server: 1,
      deduplicated: true,
      verdict: "deduplicated: Meta keeps one",
      last_at: 6000,
    });
  });

  it("keeps apart copies that differ in event name or pixel, and says which side is alone", () => {
    const pairs = eventPairs(
      [hit({ at: 1 }), hit({ at: 2, event_name: "ViewContent" })],
      [
        { pixel: PIXEL, event_name: "Lead", event_id: "cartful.ses_a.1", at: 3 },
        { pixel: "2", event_name: "AddToCart", event_id: hit().event_id!, at: 4 },
      ],
      10,
    );
    expect(pairs.map((p) => [p.pixel, p.event_name, p.verdict])).toEqual([
      ["2", "AddToCart", "server only (Pixel blocked?)"],
      [PIXEL, "Lead", "server only (Pixel blocked?)"],
      [PIXEL, "ViewContent", "browser only (server copy on its way?)"],
      [PIXEL, "AddToCart", "browser only (server copy on its way?)"],
    ]);
    expect(pairs.every((p) => !p.deduplicated)).toBe(true);
  });

  it("counts copies more than 48 hours apart twice, leaves out copies without an event id, and stops at the limit", () => {
    const late = eventPairs(
      [hit({ at: 0 })],
      [{ pixel: PIXEL, event_name: "AddToCart", event_id: hit().event_id!, at: DEDUP_WINDOW_MS + 1 }],
      10,
    );
    expect(late[0]).toMatchObject({ browser: 1, server: 1, deduplicated: false });
    const { event_id: _, ...withoutId } = hit();
    expect(eventPairs([withoutId], [{ pixel: PIXEL, event_name: "PageView", at: 0 }], 10)).toEqual([]);
    const many = Array.from({ length: 30 }, (_, i) => hit({ event_id: `cartful.s.1.x.${i}`, at: i }));
    const limited = eventPairs(many, [], 5);
    expect(limited.map((p) => p.event_id)).toEqual([29, 28, 27, 26, 25].map((i) => `cartful.s.1.x.${i}`));
  });
});

/** The stand-in in a small browser-like context: the Image requests it makes, the cookie it sets. */
function standIn(base = "http://127.0.0.1:8789") {
  const images: string[] = [];
  const window: Record<string, any> = {};
  const document = { cookie: "", currentScript: { src: `${base}/fbevents.js` } };
  class Image {
    set src(url: string) {
      images.push(url);
    }
  }
  const context = { window, document, Image, location: { href: "http://127.0.0.1:8790/?x=1#frag" } };
  runInNewContext(STAND_IN, context);
  return { fbq: window.fbq as ((...args: unknown[]) => void) & { reports: unknown[] }, images, document };
}

describe("the Pixel stand-in (fbevents.js)", () => {
  it("reports trackSingle to the fake Meta it came from, as Meta's Pixel does: id, ev, eid, dl, cd[…], ud[…]", () => {
    const { fbq, images, document } = standIn();
    fbq("init", PIXEL, { external_id: EXTERNAL_ID });
    fbq(
      "trackSingle",
      PIXEL,
      "AddToCart",
      { value: 34, currency: "USD", content_ids: ["8012345"] },
      { eventID: "e.1" },
    );
    expect(images).toHaveLength(1);
    const url = new URL(images[0]!);
    expect(url.origin + url.pathname).toBe("http://127.0.0.1:8789/tr");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      id: PIXEL,
      ev: "AddToCart",
      eid: "e.1",
      dl: "http://127.0.0.1:8790/?x=1",
      "cd[value]": "34",
      "cd[currency]": "USD",
      "cd[content_ids]": '["8012345"]',
      "ud[external_id]": EXTERNAL_ID,
    });
    expect(document.cookie).toMatch(/^_fbp=fb\.1\.\d{13}\.\d{10}; path=\/; max-age=7776000; SameSite=Lax$/);
    expect(fbq.reports).toHaveLength(1);
  });

  it("sends nothing for a pixel the page never initialised, and track goes to every initialised pixel", () => {
    const { fbq, images } = standIn();
    fbq("trackSingle", PIXEL, "Lead", {}, { eventID: "e" });
    fbq("track", "Lead", {}, { eventID: "e" });
    expect(images).toEqual([]);
    fbq("init", PIXEL);
    fbq("init", "2");
    fbq("init", "not-a-pixel");
    fbq("trackCustom", "QuizComplete", {}, { eventID: "q" });
    expect(images.map((url) => new URL(url).searchParams.get("id"))).toEqual([PIXEL, "2"]);
    fbq("consent", "revoke");
    fbq("trackSingle", PIXEL, 42);
    expect(images).toHaveLength(2);
  });

  it("is bounded: at most 200 reports a page, each URL at most 2,000 characters", () => {
    const { fbq, images } = standIn();
    fbq("init", PIXEL, { external_id: EXTERNAL_ID });
    fbq(
      "trackSingle",
      PIXEL,
      "ViewContent",
      { content_name: "x".repeat(400), b: "y".repeat(400), c: "z".repeat(400), d: "w".repeat(400) },
      { eventID: "big" },
    );
    fbq("trackSingle", PIXEL, "ViewContent", {}, { eventID: "i".repeat(300) });
    expect(images[0]!.length).toBeLessThanOrEqual(2000);
    expect(new URL(images[0]!).searchParams.get("eid")).toBe("big");
    expect(new URL(images[0]!).searchParams.get("ud[external_id]")).toBe(EXTERNAL_ID);
    expect(new URL(images[1]!).searchParams.has("eid")).toBe(false);
    for (let i = 0; i < 300; i++) fbq("trackSingle", PIXEL, "ViewContent", {}, { eventID: `e.${i}` });
    expect(images).toHaveLength(200);
    expect(fbq.reports).toHaveLength(200);
  });

  it("leaves an fbq already on the page alone", () => {
    const window: Record<string, unknown> = { fbq: () => "the page's own" };
    runInNewContext(STAND_IN, {
      window,
      document: { cookie: "", currentScript: null },
      Image: class {},
      location: { href: "" },
    });
    expect((window.fbq as () => string)()).toBe("the page's own");
  });
});

describe("the fake Meta's browser side", () => {
  let meta: FakeMeta;
  beforeAll(async () => {
    meta = await startFakeMeta({ token: "T" });
  });
  afterAll(() => meta.close());
  afterEach(() => meta.reset());

  it("serves the stand-in at /fbevents.js, as it is", async () => {
    const response = await fetch(`${meta.url}/fbevents.js`);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await response.text()).toBe(STAND_IN);
  });

  it("takes the stand-in's reports at /tr with an image, pairs them with the server's copies, and shows them", async () => {
    const { fbq, images } = standIn(meta.url);
    fbq("init", PIXEL, { external_id: EXTERNAL_ID });
    fbq(
      "trackSingle",
      PIXEL,
      "AddToCart",
      { value: 34, currency: "USD" },
      { eventID: "cartful.ses_a.1.product:addToCart.8" },
    );
    fbq("trackSingle", PIXEL, "ViewContent", {}, { eventID: "cartful.ses_a.1.product:view.8" });
    for (const url of images) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/gif");
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const served = await fetch(`${meta.url}/v27.0/${PIXEL}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        access_token: "T",
        data: [
          {
            event_name: "AddToCart",
            event_time: Math.floor(Date.now() / 1000),
            event_id: "cartful.ses_a.1.product:addToCart.8",
            action_source: "website",
            event_source_url: "http://127.0.0.1:8790/",
            user_data: { external_id: EXTERNAL_ID, client_user_agent: "Mozilla/5.0" },
          },
        ],
      }),
    });
    expect(served.status).toBe(200);
    expect(meta.pixelHits.map((h) => h.event_name)).toEqual(["AddToCart", "ViewContent"]);
    const { pairs } = (await (await fetch(`${meta.url}/_pairs?pixel=${PIXEL}`)).json()) as { pairs: any[] };
    expect(pairs.map((p) => [p.event_name, p.browser, p.server, p.deduplicated])).toEqual([
      ["AddToCart", 1, 1, true],
      ["ViewContent", 1, 0, false],
    ]);
    const page = await (await fetch(`${meta.url}/`)).text();
    expect(page).toContain("Browser and server copies, by event_id");
    expect(page).toContain("cartful.ses_a.1.product:addToCart.8");
    expect(page).toContain("deduplicated: Meta keeps one");
    expect(page).toContain("browser only (server copy on its way?)");
    expect(page).not.toContain(EXTERNAL_ID);
    const { hits } = (await (await fetch(`${meta.url}/_pixel`)).json()) as { hits: PixelHit[] };
    expect(hits[0]).toMatchObject({ event_name: "ViewContent", user_data_keys: ["external_id"] });
    expect(JSON.stringify(hits)).not.toContain(EXTERNAL_ID);
  });

  it("refuses a bad report, keeps the last 1,000, and forgets them on reset", async () => {
    expect((await fetch(`${meta.url}/tr?ev=Lead`)).status).toBe(400);
    expect(meta.pixelHits).toEqual([]);
    for (let i = 0; i < MAX_PIXEL_HITS + 5; i++) await fetch(`${meta.url}/tr?id=${PIXEL}&ev=Lead&eid=e.${i}`);
    expect(meta.pixelHits).toHaveLength(MAX_PIXEL_HITS);
    expect(meta.pixelHits[0]!.event_id).toBe("e.5");
    expect((await fetch(`${meta.url}/_reset`, { method: "POST" })).status).toBe(200);
    expect(meta.pixelHits).toEqual([]);
  });
});
