/**
 * Differential test of ./webhook `readStudioWebhook`, the fast reader of the webhook, against
 * `studioWebhookSchema` (zod), the source of truth: over the fixtures and some 31,000 webhooks
 * mutated field by field, whenever the reader answers, zod accepts the same webhook and answers
 * the same, key for key (undefined keys and key order too) and prototype for prototype. Run
 * twice: with zod's compiled objects (Node allows `eval`) and without (as in workerd).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as z from "zod/mini";
import { seeded } from "../../dev/fake-meta/errors";
import * as fastReader from "./fastReader";
import * as webhook from "./webhook";

const { applyFieldMap, FIELD_LIMITS, MAX_RECOMMENDATIONS, parseWebhook, studioWebhookSchema } = webhook;

afterEach(() => {
  vi.restoreAllMocks();
});

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));

/** The fixtures as the reader sees them: after their field map. */
function fixtures(): Record<string, unknown>[] {
  const alternative = applyFieldMap(fixture("alternative"), fixture("alternative.fieldmap") as webhook.FieldMap);
  return [...["canonical", "minimal", "messy", "international"].map(fixture), alternative as Record<string, unknown>];
}

/** A webhook naming every field the schema reads, each in a common form. */
function fullWebhook(): Record<string, unknown> {
  const canonical = fixture("canonical");
  const context = canonical.context as Record<string, unknown>;
  return { ...canonical, context: { ...context, ipv6: "2001:db8::7" } };
}

const text = (length: number) => "x".repeat(length);
const BOUNDS = [...new Set(Object.values(FIELD_LIMITS))];

/** What a field may hold in the corpus: common and odd values, at and past every bound. */
const VALUES: unknown[] = [
  null,
  undefined,
  "",
  " ",
  " \t\n",
  "x",
  " x ",
  "email:submit",
  "jane@example.com",
  "é",
  "😀".repeat(33),
  "\u0000",
  ...BOUNDS.flatMap((bound) => [text(bound), text(bound + 1), ` ${text(bound)} `, ` ${text(bound + 1)}`]),
  0,
  -0,
  1,
  -1,
  1.5,
  2,
  24,
  1e21,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Infinity,
  1795632127,
  1795632127.5,
  1795632127123,
  99999999999,
  100000000000,
  8.64e15,
  8.64e15 + 1,
  " 3 ",
  "2.0",
  "-3",
  "1e3",
  "0",
  "abc",
  "1795632127",
  " 1795632127123 ",
  "1795632127.5",
  "2026-11-25T18:42:07.123Z",
  "2026-11-25 18:42:07+01:00",
  "2026-11-25T18:42:07+0100",
  "2026-11-25",
  "2026-02-30T10:00:00Z",
  "2026-13-45T99:99:99Z",
  "Nov 25 2026",
  true,
  false,
  "yes",
  "No",
  " TRUE ",
  "1",
  " GRANTED ",
  "granted",
  "denied",
  "maybe",
  [],
  [1],
  [{}],
  {},
  { id: "x" },
  { product_id: "81", price: "2" },
  new Date(0),
  new Map(),
  Object.assign(Object.create(null) as object, { id: "x" }),
  new (class Shopper {
    email = "a@b.co";
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

/** `body` with keys no schema names added to every object: they must be kept (or dropped) as zod does. */
function withExtraKeys(body: unknown): unknown {
  return JSON.parse(
    JSON.stringify(body).replaceAll("{", '{"__proto__":{"id":"evil"},"constructor":{"x":1},"extra":[1],"0":null,'),
  );
}

function bases(): unknown[] {
  return [fullWebhook(), ...fixtures()];
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
  // Absent objects, and objects where text was meant, at every level the schema names.
  for (const key of ["store", "quiz", "session", "shopper", "context", "recommendations"]) {
    bodies.push(mutated(fullWebhook(), [key], undefined), mutated(fullWebhook(), [key], { value: null }));
  }
  const many = (count: number) => Array.from({ length: count }, (_, i) => ({ product_id: `p${i}`, price: i }));
  for (const count of [MAX_RECOMMENDATIONS, MAX_RECOMMENDATIONS + 1]) {
    bodies.push({ ...fullWebhook(), recommendations: many(count) });
    bodies.push({ ...fullWebhook(), recommendations: [...many(count), { price: "x" }] });
  }
  // Several changes at once, at random (seeded).
  const random = seeded(31);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const all = bases();
  for (let round = 0; round < 3000; round++) {
    let body = pick(all);
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

/**
 * ./webhook as built without `eval`, as in workerd: zod decides when it builds a schema whether
 * to compile its objects, so the module is imported afresh with `jitless` set.
 */
async function webhookWithoutEval(): Promise<Modules> {
  vi.resetModules();
  z.config({ jitless: true });
  try {
    // The same zod (a module of node_modules, not reset), so `jitless` holds for the new schemas.
    expect(await import("zod/mini")).toBe(z);
    return { webhook: await import("./webhook"), fastReader: await import("./fastReader") };
  } finally {
    z.config({ jitless: false });
    vi.resetModules();
  }
}

/** ./webhook and the module of its `UNREAD` (imported afresh, it is another symbol). */
interface Modules {
  webhook: typeof webhook;
  fastReader: typeof fastReader;
}

/** The corpus through both readers: how many webhooks the reader read, and how many zod refused. */
function differ({ webhook: module, fastReader: { UNREAD } }: Modules) {
  const bodies = corpus();
  let read = 0;
  let refused = 0;
  for (const body of bodies) {
    const fast = module.readStudioWebhook(body);
    const zod = module.studioWebhookSchema.safeParse(body);
    if (!zod.success) refused++;
    if (fast === UNREAD) continue;
    read++;
    // The reader never answers for a webhook zod refuses: its issues are zod's alone.
    expect(zod.success).toBe(true);
    expect(fast).toStrictEqual(zod.data);
    // Key order too: a planner or a log line may walk the keys.
    expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
    expectSamePrototypes(fast, zod.data);
  }
  return { bodies: bodies.length, read, refused };
}

describe("readStudioWebhook, the fast path of parseWebhook", () => {
  it("answers every webhook of the corpus as the schema does, with zod's compiled objects", () => {
    const { bodies, read, refused } = differ({ webhook, fastReader });
    // The corpus exercises both readers: many webhooks read fast, many refused or left to zod.
    expect(read).toBeGreaterThan(bodies / 4);
    expect(refused).toBeGreaterThan(bodies / 10);
    expect(bodies - read - refused).toBeGreaterThan(100);
  });

  it("answers every webhook of the corpus as the schema does, without `eval` (as in workerd)", async () => {
    const module = await webhookWithoutEval();
    expect(module.webhook.studioWebhookSchema).not.toBe(studioWebhookSchema);
    const { bodies, read } = differ(module);
    expect(read).toBeGreaterThan(bodies / 4);
  });

  it("reads every fixture without zod", () => {
    const safeParse = vi.spyOn(studioWebhookSchema, "safeParse");
    for (const name of ["canonical", "minimal", "messy", "international"])
      expect(parseWebhook(fixture(name), {})).toMatchObject({ ok: true });
    const map = fixture("alternative.fieldmap") as webhook.FieldMap;
    expect(parseWebhook(fixture("alternative"), map)).toMatchObject({ ok: true });
    expect(safeParse).not.toHaveBeenCalled();
  });

  it("leaves what it does not read to zod, whose issues parseWebhook answers", () => {
    const safeParse = vi.spyOn(studioWebhookSchema, "safeParse");
    const body = { ...fixture("minimal"), shopper: { email: null } };
    expect(parseWebhook(body, {})).toStrictEqual({
      ok: false,
      issues: [{ path: "shopper.email", message: expect.any(String) }],
    });
    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it("has a corpus naming every field of the webhook (a new one needs its reader)", () => {
    const shapeKeys = (schema: { def: { shape: object } }) => Object.keys(schema.def.shape).sort();
    const full = fullWebhook();
    const shape = studioWebhookSchema.def.shape;
    const inner = (field: { def: { in: { def: { innerType: { def: { innerType: unknown } } } } } }) =>
      field.def.in.def.innerType.def.innerType as { def: { shape: object } };
    // Every key the schema names (the fixture's own extra keys beside them).
    const names = (value: unknown, keys: string[]) =>
      expect(Object.keys(value as object)).toEqual(expect.arrayContaining(keys));
    names(full, shapeKeys(studioWebhookSchema));
    names(full.shopper, shapeKeys(shape.shopper));
    for (const key of ["store", "quiz", "session", "context"] as const)
      names(full[key], shapeKeys(inner(shape[key] as never)));
  });
});
