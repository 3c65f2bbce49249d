/**
 * The benchmark corpus: every fixtures/*.json webhook, with the relay configuration it needs.
 *
 * A fixture file is a webhook body. `<name>.fieldmap.json` beside it is its FIELD_MAP (passed as
 * the JSON text a wrangler var would hold), `<name>.env.json` any other vars; both are merged
 * over BENCH_ENV.
 *
 * @example
 * const corpus = loadCorpus(); // [{ name, payload, text, env }]
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./build.mjs";

/** Vars for parseConfig: a dummy token so the relay really builds a request to send. */
export const BENCH_ENV = {
  META_PIXEL_ID: "1234567890",
  META_ACCESS_TOKEN: "bench-dummy-token",
  WEBHOOK_SECRET: "bench-secret",
  META_API_VERSION: "v24.0",
  META_GRAPH_URL: "http://127.0.0.1:9",
};

/**
 * Three destinations (`DESTINATIONS`), each taking every webhook, each its own pixel, all with
 * the bench token: the "several destinations" case (user data built once, one event and one
 * Graph request per destination). As a JSON array, the way wrangler.jsonc's vars may hold it.
 */
export const THREE_DESTINATIONS = [
  { name: "d1", pixel_id: "1111111111", access_token_secret: "META_ACCESS_TOKEN" },
  { name: "d2", pixel_id: "2222222222", access_token_secret: "META_ACCESS_TOKEN" },
  { name: "d3", pixel_id: "3333333333", access_token_secret: "META_ACCESS_TOKEN" },
];

/** `env` with the three destinations set (as the JSON text a `--var` or secret would hold). */
export function withThreeDestinations(env) {
  return { ...env, DESTINATIONS: JSON.stringify(THREE_DESTINATIONS) };
}

export const CANONICAL_EXAMPLE = path.join(ROOT, "fixtures/canonical.json");

/** The canonical Studio webhook (docs/api.md "The webhook"). */
export function contractExample() {
  return {
    file: path.relative(ROOT, CANONICAL_EXAMPLE),
    payload: JSON.parse(fs.readFileSync(CANONICAL_EXAMPLE, "utf8")),
  };
}

export function loadCorpus(dir = path.join(ROOT, "fixtures")) {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json") && !/\.(env|fieldmap)\.json$/.test(f))
        .sort()
    : [];
  const corpus = [];
  for (const file of files) {
    const full = path.join(dir, file);
    let data;
    try {
      data = JSON.parse(fs.readFileSync(full, "utf8"));
    } catch {
      continue;
    }
    const payload = data;
    let env = { ...BENCH_ENV };
    const fieldMapFile = full.replace(/\.json$/, ".fieldmap.json");
    if (fs.existsSync(fieldMapFile)) env.FIELD_MAP = fs.readFileSync(fieldMapFile, "utf8");
    const envFile = full.replace(/\.json$/, ".env.json");
    if (fs.existsSync(envFile)) env = { ...env, ...JSON.parse(fs.readFileSync(envFile, "utf8")) };
    corpus.push({ name: path.basename(file, ".json"), payload, text: JSON.stringify(payload), env });
  }
  if (corpus.length === 0) {
    const { payload } = contractExample();
    corpus.push({ name: "webhook-example (contract)", payload, text: JSON.stringify(payload), env: { ...BENCH_ENV } });
  }
  return corpus;
}

/** A clock just after the newest `occurred_at` in the corpus, so no event is "too old". */
export function benchNow(corpus) {
  let newest = 0;
  for (const { payload } of corpus) {
    const t = payload?.occurred_at;
    const ms = typeof t === "string" ? Date.parse(t) : typeof t === "number" ? (t < 1e12 ? t * 1000 : t) : NaN;
    if (Number.isFinite(ms) && ms > newest) newest = ms;
  }
  return (newest || Date.parse("2026-11-25T19:00:00Z")) + 60_000;
}
