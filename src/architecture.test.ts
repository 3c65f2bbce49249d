/**
 * The architecture of src/, checked: the folders are layers, arrows run one way (the HTTP shell
 * → observation (metrics) → delivery → settings → the pure transform → core: the log line and the
 * runtime every layer is handed), and no module imports
 * itself round a circle.
 * Type-only imports count too: a circle of types is still a circle a reader has to untangle.
 *
 * The console page's browser code (src/console, built into public/console/page.js) stands apart
 * from the Worker: no module of the Worker imports it, so its templates and words never weigh on
 * the Worker's bundle, and it imports of the Worker only the pure modules named in
 * {@link CONSOLE_SHARED} (the model's types, Hono's escaping, Meta's error table…).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = path.dirname(fileURLToPath(import.meta.url));

/** Layers, lowest first: a module may import its own layer and those below it, never above. */
const LAYERS = ["core", "transform", "config", "delivery", "observe", "http", "index.ts"] as const;
/** Folders that stand apart: the browser snippet imports nothing and nothing imports it. */
const APART = ["pixel"];
/** The console page's browser code: nothing imports it; it imports only itself and {@link CONSOLE_SHARED}. */
const CONSOLE = "console";
/**
 * The Worker's modules the console page's browser code may import: pure, with no binding, no
 * secret and nothing personal. Each one is in page.js, so a new one is a choice made here.
 */
const CONSOLE_SHARED = [
  "http/console/model.ts", // the model's types (what GET /admin/console.json answers)
  "http/console/layout.ts", // Hono's escaping fragments, the notice's body
  "http/console/script.ts", // where the page's parts and its model are served
  "http/console/metaText.ts", // Meta's failures in words, said by the Worker's "Try now" too
  "delivery/metaErrors.ts", // Meta's error codes and what each means
  "observe/incidents.ts", // an incident's scope
  "observe/datasetQuality.ts", // Meta's names of the match keys
  "transform/eventId.ts", // whether an id carries an email or phone (never shown)
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    // Tests and their sample data (`x.sample.ts`) are not modules of the relay.
    return /\.(ts|js)$/.test(entry.name) && !/\.(test|sample)\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** Relative specifiers of every `import … from`, `export … from` and `import()` in a module. */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]!);
  return found.filter((spec) => spec.startsWith("."));
}

function resolve(from: string, spec: string, files: Set<string>): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [base, `${base}.ts`, `${base}.js`, path.join(base, "index.ts")].find((candidate) => files.has(candidate));
}

function layerOf(file: string): string {
  const first = path.relative(SRC, file).split(path.sep)[0]!;
  return first;
}

const files = sourceFiles(SRC);
const fileSet = new Set(files);
const graph = new Map<string, string[]>(
  files.map((file) => {
    const targets = importSpecifiers(readFileSync(file, "utf8")).map((spec) => {
      const target = resolve(file, spec, fileSet);
      if (target === undefined)
        throw new Error(`${path.relative(SRC, file)} imports ${spec}, which is not a module of src/`);
      return target;
    });
    return [file, targets];
  }),
);

/** Every import circle, each as the list of modules round it (relative to src/). */
export function importCycles(edges: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe("the layout of src/", () => {
  it("has every module in a layer folder (or apart)", () => {
    const stray = files
      .map(layerOf)
      .filter((layer) => !(LAYERS as readonly string[]).includes(layer) && !APART.includes(layer) && layer !== CONSOLE);
    expect(stray).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles = importCycles(graph).map((cycle) => cycle.map((file) => path.relative(SRC, file)).join(" → "));
    expect(cycles).toEqual([]);
  });

  it("imports only downwards: http → observe → delivery → config → transform", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const from = layerOf(file);
        const to = layerOf(target);
        if (from === CONSOLE || to === CONSOLE) continue; // the next test's
        if (APART.includes(from) || APART.includes(to)) {
          if (from !== to) upward.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
          continue;
        }
        if (LAYERS.indexOf(to as never) > LAYERS.indexOf(from as never)) {
          upward.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps the console page's browser code apart: the Worker never imports it, it imports only what is shared", () => {
    const crossings: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const from = layerOf(file);
        const to = layerOf(target);
        const shared = CONSOLE_SHARED.includes(path.relative(SRC, target).split(path.sep).join("/"));
        if ((from !== CONSOLE && to === CONSOLE) || (from === CONSOLE && to !== CONSOLE && !shared))
          crossings.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
      }
    }
    expect(crossings).toEqual([]);
    for (const shared of CONSOLE_SHARED) expect(fileSet.has(path.join(SRC, shared))).toBe(true);
  });

  it("finds a circle when there is one (the check itself)", () => {
    const edges = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(importCycles(edges)).toEqual([["a", "b", "c", "a"]]);
    expect(
      importCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("reads static, re-exported, type-only and dynamic imports", () => {
    const text = [
      'import { a } from "./a";',
      'import type { B } from "../b";',
      'export { c } from "./c";',
      'const d = await import("./d");',
      'import "./e";',
      'import { z } from "zod";',
      '// import { f } from "./f";',
    ].join("\n");
    expect(importSpecifiers(text)).toEqual(["./a", "../b", "./c", "./d", "./e"]);
  });
});
