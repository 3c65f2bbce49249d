/**
 * Differential test of ./webhook `readStudioWebhook`, the fast reader of the webhook, against
 * `studioWebhookSchema` (zod), the source of truth: over the fixtures and some 33,000 webhooks
 * mutated field by field, whenever the reader answers, zod accepts the same webhook and answers
 * the same, key for key (undefined keys and key order too) and prototype for prototype. Run
 * twice: with zod's compiled objects (Node allows `eval`) and without (as in workerd).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as z from "zod/mini";
import * as fastReader from "./fastReader";
import { CORPUS_TEST_TIMEOUT_MS, mutated, mutationCorpus, oddValues, prototypeMismatches } from "./fastReader.sample";
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

const BOUNDS = Object.values(FIELD_LIMITS);

function bases(): unknown[] {
  return [fullWebhook(), ...fixtures()];
}

/** The corpus (./fastReader.sample), and odd shapes at the levels the schema names. */
function corpus(): unknown[] {
  const bodies = mutationCorpus({ bases: bases(), values: oddValues(BOUNDS), seed: 31, rounds: 3000 });
  // Absent objects, and objects where text was meant, at every level the schema names.
  for (const key of ["store", "quiz", "session", "shopper", "context", "recommendations"]) {
    bodies.push(mutated(fullWebhook(), [key], undefined), mutated(fullWebhook(), [key], { value: null }));
  }
  const many = (count: number) => Array.from({ length: count }, (_, i) => ({ product_id: `p${i}`, price: i }));
  for (const count of [MAX_RECOMMENDATIONS, MAX_RECOMMENDATIONS + 1]) {
    bodies.push({ ...fullWebhook(), recommendations: many(count) });
    bodies.push({ ...fullWebhook(), recommendations: [...many(count), { price: "x" }] });
  }
  return bodies;
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
    expect(prototypeMismatches(fast, zod.data)).toEqual([]);
  }
  return { bodies: bodies.length, read, refused };
}

describe("readStudioWebhook, the fast path of parseWebhook", () => {
  it(
    "answers every webhook of the corpus as the schema does, with zod's compiled objects",
    () => {
      const { bodies, read, refused } = differ({ webhook, fastReader });
      // The corpus exercises both readers: many webhooks read fast, many refused or left to zod.
      expect(read).toBeGreaterThan(bodies / 4);
      expect(refused).toBeGreaterThan(bodies / 10);
      expect(bodies - read - refused).toBeGreaterThan(100);
    },
    CORPUS_TEST_TIMEOUT_MS,
  );

  it(
    "answers every webhook of the corpus as the schema does, without `eval` (as in workerd)",
    async () => {
      const module = await webhookWithoutEval();
      expect(module.webhook.studioWebhookSchema).not.toBe(studioWebhookSchema);
      const { bodies, read } = differ(module);
      expect(read).toBeGreaterThan(bodies / 4);
    },
    CORPUS_TEST_TIMEOUT_MS,
  );

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
