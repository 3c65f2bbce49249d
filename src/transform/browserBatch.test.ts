import { afterEach, describe, expect, it, vi } from "vitest";
import { browserBatchSchema } from "./browserBatch";
import { MAX_BROWSER_EVENTS, parseBrowserBatch } from "./browserEvents";
import { seeded } from "../../dev/fake-meta/errors";
import { UNREAD } from "./fastReader";
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

const text = (length: number) => "x".repeat(length);
const BOUNDS = [...new Set(Object.values(FIELD_LIMITS))];

/** What a field may hold in the corpus: common and odd values, at and past every bound. */
const VALUES: unknown[] = [
  null,
  undefined,
  "",
  " ",
  "x",
  "product:view",
  "a b",
  "jane@example.com",
  "é",
  "😀".repeat(33),
  "\u0000",
  ...BOUNDS.flatMap((bound) => [text(bound), text(bound + 1)]),
  0,
  -0,
  1,
  -1,
  1.5,
  24,
  1e21,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Infinity,
  1795632127,
  1795632127123,
  " 3 ",
  "2.0",
  "-3",
  "1e3",
  "abc",
  "1795632127",
  "2026-12-02T10:00:00Z",
  "2026-12-02 10:00:00+01:00",
  "2026-02-30T10:00:00Z",
  "Nov 25 2026",
  true,
  false,
  "yes",
  "No",
  " GRANTED ",
  "granted",
  "denied",
  "maybe",
  [],
  [1],
  [{}],
  {},
  { id: "x" },
  new Date(0),
  new Map(),
  Object.assign(Object.create(null) as object, { id: "x" }),
  new (class Product {
    product_id = "81";
  })(),
  JSON.parse('{"__proto__":{"type":"quiz:complete"},"constructor":{"prototype":{"x":1}},"id":"p"}'),
];

type Path = (string | number)[];

/** Every path to a value in `value` (objects and arrays), the root's children first. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf((value as Record<string, unknown>)[key], path)];
  });
}

/** `body` with the value at `path` replaced (`change` undefined: left out), the rest as it was. */
function mutated(body: unknown, path: Path, change: { value: unknown } | undefined): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (change === undefined) delete target[last];
  else target[last] = change.value;
  return copy;
}

/** `body` with keys no schema names added to every object: they must be dropped or kept as zod does. */
function withExtraKeys(body: unknown): unknown {
  return JSON.parse(
    JSON.stringify(body).replaceAll("{", '{"__proto__":{"id":"evil"},"constructor":{"x":1},"extra":[1],'),
  );
}

function bases(): unknown[] {
  const full = { ...typicalBody(), events: [fullEvent()], fbc: "fb.1.1732560000000.IwAR0" };
  return [typicalBody(), full];
}

/** The corpus: each base, then each of its values replaced by each of {@link VALUES} or left out. */
function corpus(): unknown[] {
  const bodies: unknown[] = [];
  for (const base of bases()) {
    bodies.push(base, withExtraKeys(base));
    for (const path of pathsOf(base)) {
      bodies.push(mutated(base, path, undefined));
      for (const value of VALUES) bodies.push(mutated(base, path, { value }));
    }
  }
  const event = fullEvent();
  for (const count of [0, 1, MAX_BROWSER_EVENTS, MAX_BROWSER_EVENTS + 1])
    bodies.push({ ...typicalBody(), events: Array.from({ length: count }, () => event) });
  const many = (count: number) => Array.from({ length: count }, (_, i) => ({ product_id: `p${i}`, price: i }));
  for (const count of [MAX_RECOMMENDATIONS, MAX_RECOMMENDATIONS + 1]) {
    bodies.push({ ...typicalBody(), events: [{ ...event, recommendations: many(count) }] });
    bodies.push({ ...typicalBody(), events: [{ ...event, recommendations: [...many(count), { price: "x" }] }] });
  }
  // Several changes at once, at random (seeded), as the hostile-bodies test of browserEvents.
  const random = seeded(27);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let round = 0; round < 2000; round++) {
    let body = pick(bases());
    for (let change = 0; change < 3; change++) {
      const path = pick(pathsOf(body));
      body = mutated(body, path, random() < 0.1 ? undefined : { value: pick(VALUES) });
    }
    bodies.push(body);
  }
  return bodies;
}

/** Every object's prototype by path: an output must never take one from the body (`__proto__`). */
function prototypes(value: unknown, path = "", found = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value !== "object" || value === null) return found;
  found.set(path, Object.getPrototypeOf(value));
  for (const key of Object.keys(value)) prototypes((value as Record<string, unknown>)[key], `${path}.${key}`, found);
  return found;
}

function expectSamePrototypes(actual: unknown, expected: unknown): void {
  const want = prototypes(expected);
  const got = prototypes(actual);
  expect([...got.keys()]).toEqual([...want.keys()]);
  expect([...got].filter(([path, prototype]) => prototype !== want.get(path)).map(([path]) => path)).toEqual([]);
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
  it("answers every body of the corpus as the schema alone does", () => {
    const bodies = corpus();
    let refused = 0;
    fastPath.reads = 0;
    for (const body of bodies) {
      const { fast, zod } = bothWays(body);
      expect(fast).toStrictEqual(zod);
      // Key order too: a planner or a log line may walk the keys.
      expect(JSON.stringify(fast)).toBe(JSON.stringify(zod));
      expectSamePrototypes(fast, zod);
      if (!zod.ok) refused++;
    }
    // The corpus exercises both readers: many bodies read fast, many refused or left to zod.
    expect(fastPath.reads).toBeGreaterThan(bodies.length / 4);
    expect(refused).toBeGreaterThan(bodies.length / 4);
    expect(bodies.length - fastPath.reads - refused).toBeGreaterThan(100);
  });

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
