/**
 * Where the transform's time goes, stage by stage, on each canonical-shape fixture (Node, one
 * thread). Each stage is timed alone in a loop with the inputs the transform would give it, so
 * the parts need not add up exactly to the whole (shared warm caches, no allocation pressure).
 * With `stagesEntry` (bench/lib/base.mjs), the stages the relay before this round had too are
 * timed there as well, under the same names, right after the current ones.
 *
 * @example
 * node bench/breakdown.mjs '{"minMs":200}'   # prints one JSON line: { fixtures: {name: {stage: µs}}, before: {…} }
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, buildRelayForNode } from "./lib/build.mjs";
import { benchNow, loadCorpus } from "./lib/corpus.mjs";

const opts = { minMs: 200, warmMs: 300, ...JSON.parse(process.argv[2] ?? "{}") };
const file = await buildRelayForNode({
  outfile: path.join(ROOT, "bench/out/stages.mjs"),
  entry: "bench/lib/stages-entry.ts",
});
const m = await import(pathToFileURL(file).href);
const base = opts.stagesEntry
  ? await import(
      pathToFileURL(
        await buildRelayForNode({ outfile: path.join(ROOT, "bench/out/stages-base.mjs"), entry: opts.stagesEntry }),
      ).href
    )
  : null;
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

const fixtures = {};
const before = {};
/** Every stage of the current API (bench/lib/stages-entry.ts) of module `m` on one fixture, or null. */
function stagesOf(m, entry) {
  const n = m.normalize;
  const config = m.parseConfig(entry.env);
  const destination = config.destinations[0];
  const parsed = m.parseWebhook(entry.payload, config.fieldMap);
  if (!parsed.ok) return null;
  const w = parsed.webhook;
  const s = w.shopper;
  const c = w.context;
  const country = n.countryCode(s.country) ?? config.defaultCountry;
  const { userData } = m.webhookUserData(w, config, now);
  const hashedInputs = [];
  const stages = {
    "transformWebhook (whole)": () => m.transformWebhook(entry.payload, config, config.destinations, now),
    "parseWebhook (zod schema)": () => m.parseWebhook(entry.payload, config.fieldMap),
    eventId: () => m.eventId(w),
    "routesFor (1 destination)": () => m.routesFor(w, undefined, config.destinations),
    consentDecision: () => m.consentDecision(w, destination.requireConsent),
    "webhookUserData (whole: user data + match report)": () => m.webhookUserData(w, config, now),
    "buildServerEvent (one destination)": () => m.buildServerEvent(w, userData, "Lead", destination, now),
    buildCustomData: () => m.buildCustomData(w, destination),
    "scrubUrl (page_url)": () => m.scrubUrl(c.page_url),
    normalizeClientIp: () => m.normalizeClientIp(c.ip, c.ipv6),
    normalizeFbc: () =>
      m.normalizeFbc({ cookie: c.fbc, pageUrl: c.page_url, referrerUrl: c.referrer_url, clickTimeMs: now }),
    normalizeFbp: () => m.normalizeFbp(c.fbp),
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
    if (normalized.ok && m.preHashed(n.cleanText(value)) === undefined) hashedInputs.push(normalized.value);
  }
  stages[`sha256Hex × ${hashedInputs.length}`] = () => {
    for (const x of hashedInputs) sink += m.sha256Hex(x).length;
    return true;
  };
  return { stages, w, s, config, destination };
}

for (const entry of corpus) {
  const current = stagesOf(m, entry);
  if (current === null) continue;
  const { stages, w, s, config, destination } = current;
  for (const fn of Object.values(stages)) time(fn, opts.warmMs / 4);
  fixtures[entry.name] = Object.fromEntries(Object.entries(stages).map(([k, fn]) => [k, time(fn, opts.minMs)]));

  if (base && opts.baseApi === "current") {
    // A base with the same API: the same stages, hers.
    const old = stagesOf(base, entry)?.stages;
    if (!old) continue;
    for (const fn of Object.values(old)) time(fn, opts.warmMs / 4);
    before[entry.name] = Object.fromEntries(Object.entries(old).map(([k, fn]) => [k, time(fn, opts.minMs)]));
  } else if (base) {
    // The same stages in the relay before this round, where it had them (its own signatures).
    const bConfig = base.parseConfig(entry.env);
    const bParsed = base.parseWebhook(entry.payload, bConfig.fieldMap);
    if (!bParsed.ok) continue;
    const bw = bParsed.webhook;
    const bn = base.normalize;
    const bCountry = bw.shopper.country
      ? (bn.normalizeCountry(bw.shopper.country) ?? bConfig.defaultCountry)
      : bConfig.defaultCountry;
    const bc = bw.context;
    const old = {
      "transformWebhook (whole)": () => base.transformWebhook(entry.payload, bConfig, now),
      "parseWebhook (zod schema)": () => base.parseWebhook(entry.payload, bConfig.fieldMap),
      "webhookUserData (whole: user data + match report)": () =>
        base.buildUserData(
          bw.shopper,
          { ip: bc.ip, user_agent: bc.user_agent, fbp: bc.fbp, fbc: bc.fbc },
          { defaultCountry: bConfig.defaultCountry, now },
        ),
      "user data + server event": () => base.buildServerEvent(bw, bConfig, now),
    };
    const oldFields = {
      normalizeEmail: [bn.normalizeEmail, s.email],
      normalizePhone: [(x) => bn.normalizePhone(x, bCountry), s.phone],
      "normalizeName (first)": [bn.normalizeName, s.first_name],
      normalizeDateOfBirth: [(x) => bn.normalizeDateOfBirth(x, now), s.date_of_birth],
      normalizeState: [(x) => bn.normalizeState(x, bCountry), s.state],
      normalizeCountry: [bn.normalizeCountry, s.country],
    };
    for (const [name, [fn, raw]] of Object.entries(oldFields))
      if (raw !== undefined && raw !== null) old[name] = () => fn(String(raw));
    // Its pair for "user data + server event", timed here with the current code.
    const pair = () => m.buildServerEvent(w, m.webhookUserData(w, config, now).userData, "Lead", destination, now);
    for (const fn of [...Object.values(old), pair]) time(fn, opts.warmMs / 4);
    before[entry.name] = Object.fromEntries(Object.entries(old).map(([k, fn]) => [k, time(fn, opts.minMs)]));
    fixtures[entry.name]["user data + server event"] = time(pair, opts.minMs);
  }
}
console.log(JSON.stringify({ fixtures, ...(base ? { before } : {}), sink }));
