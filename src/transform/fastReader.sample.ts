/**
 * Test data for the differential tests of the fast readers (./webhookReader.test.ts for the
 * webhook, ./browserBatch.test.ts for a browser body): bodies mutated field by field from a few
 * bases, and the check that an output takes no prototype from its body. Each reader is an
 * optimisation of its zod schema, so both tests ask the same question of the same kind of corpus:
 * it lives here once. Not imported by the Worker.
 *
 * @example
 * ```ts
 * const bodies = mutationCorpus({ bases: [body], values: oddValues(bounds), seed: 31, rounds: 3000 });
 * expect(prototypeMismatches(fast, zod.data)).toEqual([]);
 * ```
 */
import { seeded } from "../../dev/fake-meta/errors";

/**
 * The time a corpus test may take: tens of thousands of bodies through both readers take 3 to 5 s
 * on a loaded 2-core machine, around vitest's default of 5 s. A limit, not a measure.
 */
export const CORPUS_TEST_TIMEOUT_MS = 60_000;

/** Where a value sits in a body: keys and array indexes, outermost first. */
export type Path = (string | number)[];

const text = (length: number) => "x".repeat(length);

/**
 * What a field may hold in a corpus: common and odd values of every JSON type (and a few no JSON
 * can carry, for a caller that hands the reader objects), text at and past every bound.
 *
 * @param bounds the lengths the schemas bound text to (`FIELD_LIMITS`)
 */
export function oddValues(bounds: readonly number[]): unknown[] {
  return [
    null,
    undefined,
    "",
    " ",
    " \t\n",
    "x",
    " x ",
    "email:submit",
    "product:view",
    "a b",
    "jane@example.com",
    "é",
    "😀".repeat(33),
    "\u0000",
    ...[...new Set(bounds)].flatMap((bound) => [
      text(bound),
      text(bound + 1),
      ` ${text(bound)} `,
      ` ${text(bound + 1)}`,
    ]),
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
    "2026-12-02T10:00:00Z",
    "2026-12-02 10:00:00+01:00",
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
    new (class Product {
      product_id = "81";
    })(),
    JSON.parse('{"__proto__":{"type":"quiz:complete"},"constructor":{"prototype":{"x":1}},"id":"p"}'),
  ];
}

/** Every path to a value in `value` (objects and arrays), the root's children first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf((value as Record<string, unknown>)[key], path)];
  });
}

/** `body` with the value at `path` replaced (`change` undefined: left out), the rest as it was. */
export function mutated(body: unknown, path: Path, change: { value: unknown } | undefined): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (change === undefined) delete target[last];
  else target[last] = change.value;
  return copy;
}

/**
 * `body` with keys no schema names added to every object, `__proto__` and `constructor` among
 * them (as `JSON.parse` makes them: own keys): a reader must drop or keep them as zod does.
 */
export function withExtraKeys(body: unknown): unknown {
  return JSON.parse(
    JSON.stringify(body).replaceAll("{", '{"__proto__":{"id":"evil"},"constructor":{"x":1},"extra":[1],"0":null,'),
  );
}

/**
 * The corpus of a reader: each base as it is and with {@link withExtraKeys}, each base with each
 * of its values left out or replaced by each of `values`, then `rounds` bodies changed in three
 * places at random (seeded: the same corpus on every run).
 */
export function mutationCorpus({
  bases,
  values,
  seed,
  rounds,
}: {
  bases: readonly unknown[];
  values: readonly unknown[];
  seed: number;
  rounds: number;
}): unknown[] {
  const bodies: unknown[] = [];
  for (const base of bases) {
    bodies.push(base, withExtraKeys(base));
    for (const path of pathsOf(base)) {
      bodies.push(mutated(base, path, undefined));
      for (const value of values) bodies.push(mutated(base, path, { value }));
    }
  }
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let round = 0; round < rounds; round++) {
    let body = pick(bases);
    for (let change = 0; change < 3; change++) {
      const path = pick(pathsOf(body));
      body = mutated(body, path, random() < 0.1 ? undefined : { value: pick(values) });
    }
    bodies.push(body);
  }
  return bodies;
}

/** Every object's prototype by path. */
function prototypes(value: unknown, path = "", found = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value !== "object" || value === null) return found;
  found.set(path, Object.getPrototypeOf(value));
  for (const key of Object.keys(value)) prototypes((value as Record<string, unknown>)[key], `${path}.${key}`, found);
  return found;
}

/**
 * The paths where `actual` has an object `expected` has not (or the other way round), or one with
 * another prototype: an output must never take one from the body (`__proto__`). Empty when alike.
 */
export function prototypeMismatches(actual: unknown, expected: unknown): string[] {
  const want = prototypes(expected);
  const got = prototypes(actual);
  const paths = new Set([...want.keys(), ...got.keys()]);
  return [...paths].filter((path) => !want.has(path) || !got.has(path) || got.get(path) !== want.get(path));
}
