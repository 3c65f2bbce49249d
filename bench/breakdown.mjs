/**
 * Where the transform's time goes, stage by stage, on each canonical-shape fixture (Node, one
 * thread). Each stage is timed alone in a loop with the inputs the transform would give it, so
 * the parts need not add up exactly to the whole (shared warm caches, no allocation pressure).
 *
 * @example
 * node bench/breakdown.mjs '{"minMs":200}'   # prints one JSON line: { fixtures: {name: {stage: µs}} }
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { benchNow, loadCorpus } from "./lib/corpus.mjs";

const opts = { minMs: 200, warmMs: 300, ...JSON.parse(process.argv[2] ?? "{}") };
const file = await buildRelayForNode({ outfile: path.join(ROOT, "bench/out/stages.mjs"), entry: "bench/lib/stages-entry.ts" });
const m = await import(pathToFileURL(file).href);
const corpus = loadCorpus().filter((e) => !e.env.FIELD_MAP);
const now = benchNow(corpus);

let sink = 0;
function time(fn, minMs) {
  const t0 = performance.now();
  let n = 0;
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 20; i++) sink += fn() ? 1 : 0;
    n += 20;
    t = performance.now();
  }
  return ((t - t0) * 1000) / n;
}

const n = m.normalize;
const fixtures = {};
for (const entry of corpus) {
  const config = m.parseConfig(entry.env);
  const parsed = m.parseWebhook(entry.payload, config.fieldMap);
  if (!parsed.ok) continue;
  const w = parsed.webhook;
  const s = w.shopper;
  const country = n.countryCode(s.country) ?? config.defaultCountry;
  const client = { ip: w.context.ip, user_agent: w.context.user_agent, fbp: w.context.fbp, fbc: w.context.fbc };
  const hashedInputs = [];
  const stages = {
    "transformWebhook (whole)": () => m.transformWebhook(entry.payload, config, now),
    "parseWebhook (zod schema)": () => m.parseWebhook(entry.payload, config.fieldMap),
    eventId: () => m.eventId(w),
    consentDecision: () => m.consentDecision(w, config.requireConsent),
    "buildServerEvent (whole)": () => m.buildServerEvent(w, config, now),
    "buildUserData (whole)": () => m.buildUserData(s, client, { defaultCountry: config.defaultCountry, now }),
    buildCustomData: () => m.buildCustomData(w, config),
    "scrubUrl (page_url)": () => m.scrubUrl(w.context.page_url),
  };
  const fields = {
    normalizeEmail: [n.normalizeEmail, s.email],
    normalizePhone: [(x) => m.normalizePhone(x, country), s.phone],
    "normalizeName (first)": [n.normalizeName, s.first_name],
    "normalizeName (last)": [n.normalizeName, s.last_name],
    normalizeGender: [n.normalizeGender, s.gender],
    normalizeDateOfBirth: [(x) => m.normalizeDateOfBirth(x, country, now), s.date_of_birth],
    normalizeCity: [n.normalizeCity, s.city],
    normalizeState: [(x) => n.normalizeState(x, country), s.state],
    normalizeZip: [(x) => n.normalizeZip(x, country), s.zip],
    normalizeCountry: [n.normalizeCountry, s.country],
    normalizeExternalId: [n.normalizeExternalId, s.customer_id],
  };
  for (const [name, [fn, raw]] of Object.entries(fields)) {
    if (raw === undefined || raw === null) continue;
    const value = String(raw);
    stages[name] = () => fn(value);
    const normalized = fn(value);
    if (normalized.ok) hashedInputs.push(normalized.value);
  }
  stages[`sha256Hex × ${hashedInputs.length}`] = () => {
    for (const x of hashedInputs) sink += m.sha256Hex(x).length;
    return true;
  };
  for (const fn of Object.values(stages)) time(fn, opts.warmMs / 4);
  fixtures[entry.name] = Object.fromEntries(Object.entries(stages).map(([k, fn]) => [k, time(fn, opts.minMs)]));
}
console.log(JSON.stringify({ fixtures, sink }));
