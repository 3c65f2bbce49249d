import { afterEach, describe, expect, it, vi } from "vitest";
import { browserBatchSchema } from "./browserBatch";
import { MAX_BROWSER_EVENTS, parseBrowserBatch } from "./browserEvents";
import { UNREAD } from "./fastReader";
import { CORPUS_TEST_TIMEOUT_MS, mutationCorpus, oddValues, prototypeMismatches } from "./fastReader.sample";
import { FIELD_LIMITS, MAX_RECOMMENDATIONS, recommendation } from "./webhook";

// parseBrowserBatch with its fast path on, or off (the schema alone reads every body): the fast
// path is an optimisation only, so the two must answer alike, key for key and issue for issue.
const fastPath = vi.hoisted(() => ({ on: true, reads: 0 }));
vi.mock("./browserBatch", async (importOriginal) => {
  const original = await importOriginal<typeof import("./browserBatch")>();
  return {
    ...original,
    readBrowserBatch: (body: unknown) => {
      if (!fastPath.on) return UNREAD;
      const read = original.readBrowserBatch(body);
      if (read !== UNREAD) fastPath.reads++;
      return read;
    },
  };
});

afterEach(() => {
  fastPath.on = true;
  vi.restoreAllMocks();
});

/** The body the Pixel snippet sends (bench/e2e.mjs `browserBodies`): five events, every one common. */
function typicalBody(n = 1): Record<string, unknown> {
  const types = ["product:view", "product:addToCart", "recommendations:loaded", "product:view", "quiz:complete"];
  const session = `ses_bench${n}`;
  return {
    events: types.map((type, i) => {
      const product = `81234567${i}${n % 10}`;
      return {
        type,
        id: `evt_bench_${n}_${i}`,
        occurred_at: "2026-12-02T10:00:00.123Z",
        event_id: `cartful.${session}.1.${type}.${type.startsWith("product") ? product : i}`,
        quiz: { id: "quiz_bench" },
        session: { id: session, attempt: 1 },
        ...(type.startsWith("product")
          ? { product: { product_id: product, variant_id: `4${product}`, sku: `SKU-${i}`, price: 24, quantity: 1 } }
          : {}),
        recommendations: [],
        store: { currency: "USD", domain: "shop.bench.example" },
        user_data: { external_id: "a1b2c3d4".repeat(8), em: "0f1e2d3c".repeat(8) },
      };
    }),
    page_url: `https://shop.example.com/pages/skin-quiz?fbclid=IwAR0bench${n}`,
    referrer: "https://www.facebook.com/",
    fbp: "fb.1.1732560000000.1234567890",
    consent: { ad_user_data: "granted", ad_storage: "granted" },
  };
}

/** An event naming every field the schema reads, each in a common form. */
function fullEvent(): Record<string, unknown> {
  return {
    type: "recommendations:loaded",
    id: "evt_full",
    occurred_at: 1795632127,
    event_id: "cartful.ses_full.2.recommendations:loaded.1",
    quiz: { id: "quiz_1", name: "Skin Care Finder" },
    session: { id: "ses_full", attempt: 2 },
    product: { product_id: "81", variant_id: "4455", sku: "SKU-1", title: "Serum", price: "24.50", quantity: 2 },
    step: { id: "step_3" },
    recommendations: [
      { product_id: "81", variant_id: 4455, sku: null, title: 7, price: 24, quantity: "1", handle: "serum" },
      { product_id: "82", price: null, image: { src: "https://cdn.example/x.png" } },
    ],
    store: { currency: "usd", domain: "shop.example.com" },
    user_data: { em: "0f1e2d3c".repeat(8), ph: "", external_id: null },
    consent: { ad_storage: " Granted ", ad_user_data: "DENIED" },
    marketing_consent: false,
  };
}

const BOUNDS = Object.values(FIELD_LIMITS);

function bases(): unknown[] {
  const full = { ...typicalBody(), events: [fullEvent()], fbc: "fb.1.1732560000000.IwAR0" };
  return [typicalBody(), full];
}

/** The corpus (./fastReader.sample), and bodies at and past the limits on events and products. */
function corpus(): unknown[] {
  const bodies = mutationCorpus({ bases: bases(), values: oddValues(BOUNDS), seed: 27, rounds: 2000 });
  const event = fullEvent();
  for (const count of [0, 1, MAX_BROWSER_EVENTS, MAX_BROWSER_EVENTS + 1])
    bodies.push({ ...typicalBody(), events: Array.from({ length: count }, () => event) });
  const many = (count: number) => Array.from({ length: count }, (_, i) => ({ product_id: `p${i}`, price: i }));
  for (const count of [MAX_RECOMMENDATIONS, MAX_RECOMMENDATIONS + 1]) {
    bodies.push({ ...typicalBody(), events: [{ ...event, recommendations: many(count) }] });
    bodies.push({ ...typicalBody(), events: [{ ...event, recommendations: [...many(count), { price: "x" }] }] });
  }
  return bodies;
}

/** zod's own outputs and issues, kept as they are (toStrictEqual: an undefined key is a key). */
function bothWays(body: unknown) {
  fastPath.on = true;
  const fast = parseBrowserBatch(body);
  fastPath.on = false;
  const zod = parseBrowserBatch(body);
  fastPath.on = true;
  return { fast, zod };
}

describe("readBrowserBatch, the fast path of parseBrowserBatch", () => {
  it(
    "answers every body of the corpus as the schema alone does",
    () => {
      const bodies = corpus();
      let refused = 0;
      fastPath.reads = 0;
      for (const body of bodies) {
        const { fast, zod } = bothWays(body);
        expect(fast).toStrictEqual(zod);
        // Key order too: a planner or a log line may walk the keys.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod));
        expect(prototypeMismatches(fast, zod)).toEqual([]);
        if (!zod.ok) refused++;
      }
      // The corpus exercises both readers: many bodies read fast, many refused or left to zod.
      expect(fastPath.reads).toBeGreaterThan(bodies.length / 4);
      expect(refused).toBeGreaterThan(bodies.length / 4);
      expect(bodies.length - fastPath.reads - refused).toBeGreaterThan(100);
    },
    CORPUS_TEST_TIMEOUT_MS,
  );

  it("reads the typical body without zod", () => {
    const safeParse = vi.spyOn(browserBatchSchema, "safeParse");
    for (let n = 0; n < 3; n++) expect(parseBrowserBatch(typicalBody(n))).toMatchObject({ ok: true });
    expect(parseBrowserBatch(JSON.parse(JSON.stringify(bases()[1])))).toMatchObject({ ok: true });
    expect(safeParse).not.toHaveBeenCalled();
  });

  it("leaves what it does not read to zod", () => {
    const safeParse = vi.spyOn(browserBatchSchema, "safeParse");
    const body = typicalBody();
    (body.events as Record<string, unknown>[])[0]!.marketing_consent = "yes";
    const parsed = parseBrowserBatch(body);
    expect(parsed.ok && parsed.batch.events[0]!.marketing_consent).toBe(true);
    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it("has a corpus naming every field of the event, the product and the body (a new one needs its reader)", () => {
    const shapeKeys = (schema: { def: { shape: object } }) => Object.keys(schema.def.shape).sort();
    const event = fullEvent();
    expect(Object.keys(event).sort()).toEqual(shapeKeys(browserBatchSchema.def.shape.events.def.element));
    expect(Object.keys(event.product as object).sort()).toEqual(shapeKeys(recommendation));
    expect(Object.keys(bases()[1] as object).sort()).toEqual(shapeKeys(browserBatchSchema));
  });
});
