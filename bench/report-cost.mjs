/**
 * The cost sections of BENCHMARKS.md (bench/report.mjs renders the rest): this round's targets
 * (each a ratio against the bare Worker in the same run), the billable operations the counted
 * build tallied per event, the relay's own CPU by entry point, cold start before and after, the
 * bundle by part, the bill for one million leads and one million browser events, and the limits
 * that bind as traffic grows.
 *
 * Prices are constants below, each with the page it was read from; update them with the page.
 *
 * @example
 * lines.push(...costSections(results));
 */
import { fmt, summary } from "./lib/stats.mjs";

const sp = (s, d = 3, unit = "") =>
  s && Number.isFinite(s.median) ? `${fmt(s.median, d)}${unit} (${fmt(s.min, d)}–${fmt(s.max, d)})` : "n/a";
const verdict = (ok) => (ok === undefined ? "—" : ok ? "**met**" : "**missed**");
const table = (head, rows) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );
const KiB = (b) => `${(b / 1024).toFixed(1)} KiB`;
const usd = (x) => (Number.isFinite(x) ? `$${x < 1 ? x.toFixed(3) : x.toFixed(2)}` : "n/a");

/**
 * Cloudflare's published prices (Workers Paid plan, USD), read 2026-12-02 from the stored copies
 * the project's search tool returns (the copies carry no date of their own unless noted).
 */
export const PRICES = {
  workerRequestPerMillion: 0.3,
  cpuMsPerMillion: 0.02,
  doRequestPerMillion: 0.15,
  doRowsWrittenPerMillion: 1.0,
  doGbSecondPerMillion: 12.5,
  queueOperationPerMillion: 0.4,
  logEventPerMillion: 0.6,
  included:
    "Workers Paid, $5 a month: 10 M requests, 30 M CPU ms, 1 M Durable Object requests, 400,000 GB-s, 50 M rows written, 1 M queue operations, 20 M log events",
  sources: [
    [
      "Workers (requests, CPU time)",
      "https://developers.cloudflare.com/workers/platform/pricing/",
      "$0.30 per million requests, $0.02 per million CPU ms beyond 10 M / 30 M included; subrequests are not billed",
    ],
    [
      "Durable Objects (requests, duration)",
      "https://developers.cloudflare.com/durable-objects/platform/pricing",
      "$0.15 per million requests (every RPC method call on a stub is one), $12.50 per million GB-s",
    ],
    [
      "Durable Objects SQLite storage (rows written)",
      'https://developers.cloudflare.com/durable-objects/platform/pricing/#sqlite-storage-backend (table as quoted by https://www.oflight.co.jp/en/columns/cloudflare-durable-objects-2026-07; billed since 2026-01-07 per https://developers.cloudflare.com/changelog/ "Billing for SQLite Storage", Dec 12, 2025)',
      "$1.00 per million rows written beyond 50 M, $0.001 per million rows read beyond 25 B, $0.20 per GB-month beyond 5 GB; `setAlarm` is one row written",
    ],
    [
      "Queues",
      "https://developers.cloudflare.com/queues/pricing/",
      "$0.40 per million operations beyond 1 M; an operation per 64 KB written, read or deleted (a KB is 1,000 bytes, ~100 bytes of metadata per message): 3 per delivered message, +1 read per retry",
    ],
    [
      "Workers Logs (`observability` is on in wrangler.jsonc)",
      "https://developers.cloudflare.com/workers/observability/logs/workers-logs/",
      "$0.60 per million log events beyond 20 M a month; each `console.log` line is one, and each invocation's own log one more",
    ],
  ],
};

/** The consumer's Durable Object requests whose `binding.method` `pick` takes. */
function consumerCalls(c, pick) {
  return Object.entries(c.durableObjectRequestsByCaller?.consumer ?? {})
    .filter(([k]) => pick(k))
    .reduce((a, [, v]) => a + v, 0);
}

/** Counts of one burst (bench/relay-counted/), per event. */
function perEvent(burst) {
  if (!burst) return null;
  const c = burst.counts;
  // The route's own invocations, not autocannon's count: requests still in flight when the burst
  // ended were answered and delivered too, and counted here.
  const routed = Object.entries(c.invocations ?? {})
    .filter(([k]) => k === "fetch /webhooks/cartful" || k === "fetch /collect/cartful")
    .reduce((a, [, v]) => a + v, 0);
  const requests = routed || burst.requests;
  const events = requests * (burst.events / burst.requests);
  const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
  const doRequests = sum(c.durableObjectRequests);
  const rows = sum(c.rowsWritten) + sum(c.alarmsSet);
  const queue = c.queue?.CAPI_QUEUE ?? { messages: 0, units64k: 0, bytes: 0 };
  const consumerInvocations = Object.entries(c.invocations ?? {})
    .filter(([k]) => k.startsWith("queue ") && !k.endsWith(" messages"))
    .reduce((a, [, v]) => a + v, 0);
  return {
    events,
    requests,
    doRequests: doRequests / events,
    doByMethod: Object.fromEntries(Object.entries(c.durableObjectRequests).map(([k, v]) => [k, v / events])),
    rowsWritten: rows / events,
    rowsByClass: Object.fromEntries(Object.entries(c.rowsWritten).map(([k, v]) => [k, v / events])),
    alarms: sum(c.alarmsSet) / events,
    queueMessages: queue.messages / events,
    queueBytes: queue.messages ? queue.bytes / queue.messages : 0,
    queueOperations: (3 * queue.units64k) / events,
    // Workers Logs: the relay's lines, and one invocation log per Worker invocation (route and consumer).
    logLines: sum(c.logLines) / events,
    logByMsg: Object.fromEntries(Object.entries(c.logLines ?? {}).map(([k, v]) => [k, v / events])),
    logEvents: (sum(c.logLines) + requests + consumerInvocations) / events,
    workerRequests: (requests + consumerInvocations) / events,
    consumerInvocations: consumerInvocations / events,
    eventsPerBatch: consumerInvocations > 0 ? events / consumerInvocations : NaN,
    metricsWrites: (c.metrics?.webhookRecords ?? 0) + (c.metrics?.consumerRecords ?? 0),
    /** Durable Object requests per route request, per consumer batch, and by objects per event. */
    byCaller: {
      route: sum(c.durableObjectRequestsByCaller?.route) / requests,
      consumerPerBatch:
        consumerInvocations > 0 ? sum(c.durableObjectRequestsByCaller?.consumer) / consumerInvocations : 0,
      /** The consumer's intake claims (INTAKE_LEDGER), and the rest (circuits, metrics), per batch. */
      consumerClaimsPerBatch:
        consumerInvocations > 0 ? consumerCalls(c, (k) => k.startsWith("INTAKE_LEDGER.")) / consumerInvocations : 0,
      consumerOthersPerBatch:
        consumerInvocations > 0 ? consumerCalls(c, (k) => !k.startsWith("INTAKE_LEDGER.")) / consumerInvocations : 0,
      objects: sum(c.durableObjectRequestsByCaller?.object) / events,
    },
    consumerBatches: consumerInvocations,
    sameIsolate: burst.sameIsolate,
  };
}

/** Marginal price of one million events (allowances not subtracted). */
function bill(ops, cpuMs) {
  if (!ops) return null;
  const m = 1e6;
  const lines = {
    "Worker requests": [ops.workerRequests * m, (ops.workerRequests * m * PRICES.workerRequestPerMillion) / m],
    "CPU ms": [cpuMs * m, (cpuMs * m * PRICES.cpuMsPerMillion) / m],
    "Durable Object requests": [ops.doRequests * m, (ops.doRequests * m * PRICES.doRequestPerMillion) / m],
    "Durable Object rows written (incl. alarms)": [
      ops.rowsWritten * m,
      (ops.rowsWritten * m * PRICES.doRowsWrittenPerMillion) / m,
    ],
    "queue operations": [ops.queueOperations * m, (ops.queueOperations * m * PRICES.queueOperationPerMillion) / m],
    "Workers Logs events (lines + invocation logs)": [
      ops.logEvents * m,
      (ops.logEvents * m * PRICES.logEventPerMillion) / m,
    ],
  };
  const total = Object.values(lines).reduce((a, [, v]) => a + v, 0);
  return { lines, total };
}

export function costSections(r) {
  const e = r.e2e;
  const b = r.bundle;
  const ops = e?.operations;
  const webhookOps = perEvent(ops?.webhooks);
  const browserOps = perEvent(ops?.browser);
  const profWebhook = r.profiles?.webhook;
  const profBrowser = r.profiles?.browser;
  const loop = r.cpuLoop?.usPerEvent;
  const ms = (v, k) => (loop?.[v]?.[k] ? loop[v][k].median / 1000 : undefined);
  /** The relay's own CPU per event (ms): its route, plus its share of the consumer's batches. */
  const cpuWebhook =
    ms("now", "webhook") !== undefined ? ms("now", "webhook") + (ms("now", "consumer") ?? 0) : undefined;
  const browserConsumer = ms("now", "consumer, browser packs") ?? ms("now", "consumer");
  const cpuBrowser = ms("now", "browser") !== undefined ? ms("now", "browser") + (browserConsumer ?? 0) : undefined;
  const base = r.base?.commit ?? "the base";
  const L = [`## This round: cost per event (issue 19), ${base} → ${r.env.commit}`, ""];

  // ---------- targets ----------
  const rows = [];
  if (e?.vsBare.relay) {
    const v = e.vsBare.relay;
    rows.push([
      "queued webhook path ≥ 0.8× the bare Worker (wrangler.jsonc as deployed)",
      `${sp(v.rps)} × (${sp(e.sides.relay.rps, 3)} vs ${sp(e.sides.bare.rps, 3)} req/s)${e.vsBare.relayBefore ? `; before (${base}): ${sp(e.vsBare.relayBefore.rps)} ×` : ""}`,
      verdict(v.rps.median >= 0.8),
    ]);
    rows.push([
      "… added p99 < 5 ms (one connection)",
      `added p99 ${sp(v.addedP99, 2, " ms")}, p50 ${sp(v.addedP50, 2, " ms")}${e.vsBare.relayBefore ? `; before: p99 ${sp(e.vsBare.relayBefore.addedP99, 2, " ms")}` : ""}`,
      verdict(v.addedP99.median < 5),
    ]);
  }
  if (e?.vsBare.relayQuiet)
    rows.push([
      "… the same, its log lines silenced (bench/relay-nolog/: what shipping them costs under `wrangler dev`)",
      `${sp(e.vsBare.relayQuiet.rps)} × (${sp(e.sides.relayQuiet.rps, 3)} req/s); added p99 ${sp(e.vsBare.relayQuiet.addedP99, 2, " ms")}`,
      "(for reading)",
    ]);
  if (e?.vsBare.relayBrowser) {
    const v = e.vsBare.relayBrowser;
    rows.push([
      `browser path ≥ 0.8× the bare Worker (/collect/cartful, ${e.settings.browserEventsPerBody} events a body)`,
      `${sp(v.rps)} × (${sp(e.sides.relayBrowser.rps, 3)} bodies/s); added p99 ${sp(v.addedP99, 2, " ms")}`,
      verdict(v.rps.median >= 0.8),
    ]);
    if (e.vsBare.relayQuietBrowser)
      rows.push([
        "… the same, its log lines silenced",
        `${sp(e.vsBare.relayQuietBrowser.rps)} × (${sp(e.sides.relayQuietBrowser.rps, 3)} bodies/s); added p99 ${sp(e.vsBare.relayQuietBrowser.addedP99, 2, " ms")}`,
        "(for reading)",
      ]);
    if (e.vsBare.relayBrowserUnlimited)
      rows.push([
        "… the same without its rate limiting binding: under `wrangler dev` each `limit()` is a fetch to miniflare's stand-in, a Durable Object that writes the client's count to SQLite (node_modules/miniflare/dist/src/workers/ratelimit/); on Cloudflare the binding counts in its rate limiting infrastructure, no object, no write",
        `${sp(e.vsBare.relayBrowserUnlimited.rps)} × (${sp(e.sides.relayBrowserUnlimited.rps, 3)} bodies/s); added p99 ${sp(e.vsBare.relayBrowserUnlimited.addedP99, 2, " ms")}`,
        "(for reading)",
      ]);
  } else if (e) {
    rows.push([
      "browser path ≥ 0.8× the bare Worker",
      `not measured: ${e.skipped?.relayBrowser ?? "no browser target"}`,
      "—",
    ]);
  }
  if (webhookOps)
    rows.push([
      "Durable Object requests ≤ 1 per webhook",
      `${fmt(webhookOps.doRequests)} per webhook (${Object.entries(webhookOps.doByMethod)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ")})`,
      verdict(webhookOps.doRequests <= 1),
    ]);
  if (webhookOps)
    rows.push([
      "consumer: at most one Durable Object request per destination per batch (circuits, metrics; one destination here)",
      `${fmt(webhookOps.byCaller.consumerOthersPerBatch)} per batch of ${fmt(webhookOps.eventsPerBatch)} events on average (${webhookOps.consumerBatches} batches)${browserOps ? `; browser events: ${fmt(browserOps.byCaller.consumerOthersPerBatch)} per batch` : ""}`,
      verdict(webhookOps.byCaller.consumerOthersPerBatch <= 1),
    ]);
  if (webhookOps)
    rows.push([
      "… and the intake claims, moved here from the route (where the target allows one per webhook)",
      `${fmt(webhookOps.byCaller.consumerClaimsPerBatch)} per batch (one per destination), ${fmt(webhookOps.doByMethod["INTAKE_LEDGER.claimMessages"] ?? 0)} per webhook; with them the consumer makes ${fmt(webhookOps.byCaller.consumerPerBatch)} requests per batch`,
      "(for reading)",
    ]);
  if (browserOps)
    rows.push([
      "no Durable Object round trip per browser request",
      `the route: ${fmt(browserOps.byCaller.route)} per request (its buffered metrics write, after the answer, about once a second per isolate); all callers with the consumer: ${fmt(browserOps.doRequests)} per event`,
      verdict(browserOps.byCaller.route < 0.1),
    ]);
  if (browserOps)
    rows.push([
      "browser events: one request at most one queue message",
      `${fmt(browserOps.queueMessages * (browserOps.events / browserOps.requests))} messages per request; ${fmt(browserOps.queueOperations)} queue operations per event`,
      verdict(browserOps.queueMessages * (browserOps.events / browserOps.requests) <= 1.001),
    ]);
  if (cpuWebhook !== undefined)
    rows.push([
      "CPU ≤ 0.5 ms per webhook in the relay's own code (inside workerd: route + consumer share)",
      `${fmt(cpuWebhook)} ms: route ${sp(loop.now.webhook, 3, " µs")}, consumer ${sp(loop.now.consumer, 3, " µs")} per event${loop.before?.webhook ? `; before (${base}): route ${sp(loop.before.webhook, 3, " µs")}, consumer ${sp(loop.before.consumer, 3, " µs")}` : ""}`,
      verdict(cpuWebhook <= 0.5),
    ]);
  if (cpuBrowser !== undefined)
    rows.push([
      "CPU ≤ 0.2 ms per browser event in the relay's own code",
      `${fmt(cpuBrowser)} ms: route ${sp(loop.now.browser, 3, " µs")} per event (bodies of 5), consumer ${sp(loop.now["consumer, browser packs"] ?? loop.now.consumer, 3, " µs")}`,
      verdict(cpuBrowser <= 0.2),
    ]);
  else if (loop)
    rows.push(["CPU ≤ 0.2 ms per browser event in the relay's own code", "not measured: the route answered 404", "—"]);
  if (b)
    rows.push([
      "bundle < 100 KiB gzipped",
      `${KiB(b.wrangler.gzipBytes)} gzip (${KiB(b.wrangler.rawBytes)} raw)${b.base ? `; before (${b.base.commit}) ${KiB(b.base.wrangler.gzipBytes)}` : ""}`,
      verdict(b.wrangler.gzipBytes < 100 * 1024),
    ]);
  const cold = r.cold;
  if (cold?.samples?.now) {
    const s = (name, key) => summary(cold.samples[name].map((x) => x[key]));
    rows.push([
      "cold start reported before and after",
      `startup ${sp(s("now", "startupBusyMs"), 3, " ms")} busy${cold.samples.before ? ` (before ${sp(s("before", "startupBusyMs"), 3, " ms")})` : ""}; first webhook ${sp(s("now", "firstMs"), 3, " ms")}${cold.samples.before ? ` (before ${sp(s("before", "firstMs"), 3, " ms")})` : ""}`,
      "reported (below)",
    ]);
  }
  L.push(table(["target", "measured", ""], rows));
  L.push("");

  // ---------- operations ----------
  if (ops) {
    L.push("### Billable operations per event (counted build)");
    L.push("");
    L.push(
      "A burst against bench/relay-counted/ (src/index.ts with every Durable Object binding, SQLite cursor, alarm and queue producer counted, see its header), after every event reached the fake Graph and the buffered metrics were written. Per event; a webhook is one event (one destination).",
    );
    L.push("");
    const col = (o, f) => (o ? f(o) : "not measured");
    /** One row's two cells, the same figure for webhooks and browser events. */
    const both = (f) => [col(webhookOps, f), col(browserOps, f)];
    /** A per-event breakdown, its parts that are not zero: `name 0.1, other 0.02`. */
    const parts = (record) =>
      Object.entries(record)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ");
    L.push(
      table(
        ["per event", "webhook", "browser event"],
        [
          [
            "events in the burst",
            String(webhookOps?.events ?? "—"),
            col(browserOps, (o) => `${o.events} (${o.requests} bodies)`),
          ],
          ["Worker invocations (route + consumer batches)", ...both((o) => fmt(o.workerRequests))],
          ["Durable Object requests", ...both((o) => `${fmt(o.doRequests)} (${parts(o.doByMethod)})`)],
          [
            "… by caller: route per request / consumer per batch / objects per event",
            ...both(
              (o) => `${fmt(o.byCaller.route)} / ${fmt(o.byCaller.consumerPerBatch)} / ${fmt(o.byCaller.objects)}`,
            ),
          ],
          [
            "SQLite rows written (+ alarms)",
            ...both((o) => `${fmt(o.rowsWritten)} (${parts(o.rowsByClass)}; alarms ${fmt(o.alarms)})`),
          ],
          ["queue messages (CAPI_QUEUE)", ...both((o) => `${fmt(o.queueMessages)} of ${fmt(o.queueBytes)} bytes`)],
          ["queue operations (3 per 64 KB message)", ...both((o) => fmt(o.queueOperations))],
          [
            "log lines (by `msg`); Workers Logs events with one invocation log per invocation",
            ...both((o) => `${fmt(o.logLines)} (${parts(o.logByMsg)}); ${fmt(o.logEvents)} events`),
          ],
          ["metrics store writes in the burst", ...both((o) => String(o.metricsWrites))],
        ],
      ),
    );
    L.push("");
    if (ops.browserSkipped) {
      L.push(`Browser burst: ${ops.browserSkipped}.`);
      L.push("");
    }
    L.push(
      `Counted in the Worker's isolate; the Durable Objects ran in the same one (${webhookOps?.sameIsolate ? "checked: the metrics store's counts equal the Worker's" : "NOT confirmed: the Durable Objects' counts may be missing"}). Retries would add one queue read each; none happened (the fake Graph answers 200).`,
    );
    L.push("");
  }

  // ---------- CPU ----------
  if (loop) {
    L.push("### The relay's own CPU per event (inside workerd)");
    L.push("");
    L.push(
      `bench/cpu-loop.mjs: bench/relay-loop/ under \`wrangler dev\` with the deployed configuration runs the relay's handlers in a loop inside workerd (${r.cpuLoop.sizes.webhooks} webhooks, ${r.cpuLoop.sizes.bodies} browser bodies, ${r.cpuLoop.sizes.batches} consumer batches of ${r.cpuLoop.sizes.batchSize} per round, ${r.cpuLoop.rounds} rounds alternating the versions), timed with \`performance.now()\` (which advances during computation in local workerd). Its bindings are replayed: one live request first records what each Durable Object method and queue answered, then every call in the loop gets that answer at once, and \`fetch\` answers as Meta does. So the time is the relay's computation alone (Hono, auth, parsing, the transform, building messages and answers, the consumer's Graph requests), without the round trips it waits for. "quiet": its log lines are built but not shipped (under \`wrangler dev\` each crosses the inspector to wrangler's Node process, which Workers Logs do not do on Cloudflare).`,
    );
    L.push("");
    const jobs = ["webhook", "webhook, logs", "browser", "consumer", "consumer, browser packs"];
    const names = {
      webhook: "webhook route, quiet, per webhook",
      "webhook, logs": "webhook route, log lines shipped",
      browser: "browser route, quiet, per event (bodies of 5)",
      consumer: "queue consumer, per webhook event (batches of 100 messages)",
      "consumer, browser packs": "queue consumer, per browser event (batches of 100 messages of 5 events)",
    };
    L.push(
      table(
        ["µs per event", `now (${r.env.commit})`, ...(loop.before ? [`before (${base})`] : [])],
        jobs.map((k) => [
          names[k],
          loop.now?.[k] ? sp(loop.now[k], 3) : "not measured",
          ...(loop.before ? [loop.before[k] ? sp(loop.before[k], 3) : "not measured"] : []),
        ]),
      ),
    );
    L.push("");
    if (Object.keys(r.cpuLoop.skipped ?? {}).length)
      L.push(
        `Skipped: ${Object.entries(r.cpuLoop.skipped)
          .map(([k, v]) => `${k} (${v})`)
          .join("; ")}.`,
        "",
      );
  }
  if (profWebhook || profBrowser) {
    L.push(
      "Where it goes: bench/profile-workerd.mjs profiles the deployed configuration (not minified) under load through the inspector, until the consumer has delivered everything, and charges each sample to the first entry point on its stack (Durable Objects and the consumer run in the same isolate locally). The profiler slows the isolate several times over and samples irregularly, so only shares of samples are shown:",
    );
    L.push("");
    const entries = [
      ...new Set([...Object.keys(profWebhook?.byEntry ?? {}), ...Object.keys(profBrowser?.byEntry ?? {})]),
    ];
    L.push(
      table(
        ["entry point", "webhooks: share of busy samples", "browser bodies: share"],
        entries.map((k) => [
          k,
          profWebhook?.byEntry?.[k] ? `${profWebhook.byEntry[k].pct} %` : "—",
          profBrowser?.byEntry?.[k] ? `${profBrowser.byEntry[k].pct} %` : "—",
        ]),
      ),
    );
    L.push("");
    if (profWebhook?.byFunction) {
      L.push(
        `Top functions by self time (webhooks): ${profWebhook.byFunction
          .slice(0, 12)
          .map((f) => `${f.name} ${f.selfPct} %`)
          .join("; ")}.`,
      );
      L.push("");
    }
    if (profBrowser?.skipped) {
      L.push(`Browser profile: ${profBrowser.skipped}.`);
      L.push("");
    }
  }

  // ---------- cold start ----------
  if (cold?.samples?.now) {
    L.push("### Cold start");
    L.push("");
    L.push(
      `bench/cold-workerd.mjs, ${cold.runs} run(s) per version, alternating. Startup: \`wrangler check startup\` (the Worker built as \`wrangler deploy\` builds it, its startup phase profiled in local workerd; busy = samples that are not idle). First webhook: a fresh \`wrangler dev\` of the deployed configuration, the latency of its first and second webhook (fixtures/canonical.json, country "US").`,
    );
    L.push("");
    const s = (name, key) => sp(summary(cold.samples[name].map((x) => x[key])), 3, " ms");
    L.push(
      table(
        ["", "startup, busy", "startup, span", "first webhook", "second webhook"],
        Object.keys(cold.samples).map((name) => [
          name === "now" ? `now (${r.env.commit})` : `before (${base})`,
          s(name, "startupBusyMs"),
          s(name, "startupSpanMs"),
          s(name, "firstMs"),
          s(name, "secondMs"),
        ]),
      ),
    );
    L.push("");
    const c = r.workerd?.countries;
    L.push(
      `The transform's data tables (the phone metadata and every country name: public/data/) are static assets, read through the \`ASSETS\` binding by an isolate's first webhook and parsed once (src/http/dataAssets.ts): that read is in the first webhook's latency above; the Worker's startup no longer parses them, and no name is read from \`Intl.DisplayNames\` at runtime (reading ICU's locales took 30 to 40 ms of CPU at an isolate's first country name, more than the Free plan's 10 ms).${c?.current ? ` Inside workerd (bench/workerd.mjs, a fresh isolate, one sample, the tables installed first): the first \`findCountry("Deutschland")\` took ${fmt(c.current.firstMs)} ms (building the name map)${c.base ? `, ${fmt(c.base.firstMs)} ms before (${base}: its whole table parsed from the bundle)` : ""}, the first name in another script (\`"Россия"\`) ${fmt(c.current.secondMs)} ms more${c.base ? ` (before: ${fmt(c.base.secondMs)} ms)` : ""}; a warm lookup ${fmt(c.current.warmUsPerCall)} µs. The clock inside workerd has 1 ms resolution.` : ""}`,
    );
    L.push("");
  }

  // ---------- bundle by part ----------
  if (b) {
    L.push("### Bundle by part");
    L.push("");
    const w = b.whatIf;
    const parts = [
      [
        "operator console, its Worker side (login, sessions, the page's shell, test event, data)",
        w.noConsole?.gzipSaved,
      ],
      ["zod's English messages (`zod/v4/locales`)", w.noZodLocales?.gzipSaved],
      ...b.packages.map((p) => [`package ${p.name}`, p.gzipSaved]),
    ];
    L.push(
      table(
        ["part", "gzip bytes it adds"],
        parts.filter(([, v]) => v !== undefined).map(([k, v]) => [k, KiB(v)]),
      ),
    );
    L.push("");
    L.push(
      `Total ${KiB(b.wrangler.gzipBytes)} gzipped${b.base ? ` (before: ${KiB(b.base.wrangler.gzipBytes)})` : ""}. Each part is measured by rebuilding without it (esbuild, wrangler's settings), so the parts overlap a little and do not add up to the total. ${b.staticAssets ? `Workers Static Assets (${b.staticAssets.directory}/: ${b.staticAssets.files} files, ${KiB(b.staticAssets.gzipBytes)} gzipped) are served beside the Worker, not in its bundle.` : "No Workers Static Assets directory is configured in wrangler.jsonc on this source (the console's fixed CSS and JS are still in the bundle)."}`,
    );
    L.push("");
    const over = b.wrangler.gzipBytes - 100 * 1024;
    const data = b.dataTables
      ? ` Of those assets, the transform's data tables (${b.dataTables.directory}/: the phone metadata and the country table, ${KiB(b.dataTables.gzipBytes)} gzipped) are read by the Worker through its \`ASSETS\` binding once per isolate, at the first webhook (src/http/dataAssets.ts); a webhook that finds them unreadable is answered 503 with \`Retry-After\`, never transformed without them.`
      : "";
    L.push(
      over > 0
        ? `To reach 100 KiB, ${KiB(over)} more must go.${data}`
        : `Under 100 KiB by ${KiB(-over)}. Taken this round (each measured on the deploy bundle as it was taken): the phone metadata's number formats (unused by parsing and \`isValid()\`: \`npm run generate:phone\`), Hono's tiny preset (its PatternRouter: 2.6 KiB), the console's page drawn in the browser from \`GET /admin/console.json\` (src/console, built into public/console/page.js: 12.4 KiB), and the data tables as static assets (about 42 KiB).${data} zod's English messages stay (the 422 answers' wording comes from them); \`min\` phone metadata is no alternative (it checks lengths, not number ranges).`,
      "",
    );
  }

  // ---------- the bill ----------
  L.push("### The bill for one million events");
  L.push("");
  const cpuW = cpuWebhook ?? e?.vsBare.relay?.addedCpuMs?.median;
  const cpuB = cpuBrowser;
  const lead = bill(webhookOps, cpuW ?? NaN);
  const browser = bill(browserOps, cpuB ?? NaN);
  if (lead) {
    L.push(
      "Cloudflare operations the bench counted, per million, priced at the marginal rates (the Workers Paid plan's $5 a month and its allowances not subtracted: " +
        PRICES.included +
        "). Durable Object duration is not counted: each request keeps an object active for milliseconds (1 M requests × 5 ms × 128 MB = 625 GB-s, inside the 400,000 GB-s included).",
    );
    L.push("");
    const keys = Object.keys(lead.lines);
    L.push(
      table(
        ["one million …", "leads (webhooks): count", "cost", "browser events: count", "cost"],
        [
          ...keys.map((k) => [
            k,
            fmt(lead.lines[k][0]),
            usd(lead.lines[k][1]),
            browser ? fmt(browser.lines[k][0]) : "not measured",
            browser ? usd(browser.lines[k][1]) : "—",
          ]),
          ["**total (marginal)**", "", `**${usd(lead.total)}**`, "", browser ? `**${usd(browser.total)}**` : "—"],
        ],
      ),
    );
    L.push("");
    L.push(
      `CPU ms per event: ${cpuWebhook !== undefined ? `the relay's own code (route + consumer share, quiet), ${fmt(cpuW)} ms per webhook` : `the whole-process proxy (relay − bare), ${fmt(cpuW)} ms per webhook`}${cpuB !== undefined ? `, ${fmt(cpuB)} ms per browser event` : ""}. On Cloudflare, CPU time is billed per invocation; local workerd on this VM is not Cloudflare's hardware.`,
    );
    L.push("");
  }
  L.push("Prices, from Cloudflare's price lists (stored copies read 2026-12-02):");
  L.push("");
  L.push(
    table(
      ["product", "page", "prices used"],
      PRICES.sources.map(([a, b2, c]) => [a, b2, c]),
    ),
  );
  L.push("");
  L.push(
    'The same volume elsewhere. **Meta\'s Conversions API Gateway** runs in the advertiser\'s own AWS (App Runner, ECS Express or EKS) or GCP (Cloud Run) account; Meta says "the only cost of the Conversions API Gateway is the associated cloud resource fees" (https://developers.facebook.com/docs/marketing-api/conversions-api/guides/gateway-aws-app-runner), and its App Runner setup keeps one container for data and control plane by default, with DynamoDB, Timestream, EventBridge Scheduler and managed Prometheus beside it (…/gateway-aws-app-runner/architecture). Meta calls the App Runner setup "a lower fixed monthly cost" and points accounts above 2.4 billion events a month to EKS. That is a fixed monthly bill for always-on containers and managed services whatever the volume, not a price per event; Meta\'s pages give no dollar figure, and no public estimate of the Gateway\'s own bill was found in the stored pages this round, so none is quoted. For the nearest self-hosted alternative, server-side Google Tag Manager, a public guide puts Google Cloud\'s default setup at about $120 a month (https://pixellogicteam.com/docs/ecosystem/how-stape-works, "a ~$120/month GCP default"). **Stape** bills its server-GTM hosting per container by monthly request quota (Free, Pro, Business, Enterprise, Custom tiers; over the quota the container pauses unless auto-upgrade is on) and its Meta CAPI Gateway per gateway by the number of pixels or domains (https://stape.io/helpdesk/documentation/plan-tiers-and-limits, updated Jun 5, 2026; prices on https://stape.io/price, not in the stored copy). A browser event through sGTM is at least one request against that quota (every hit counts, script loads too: https://stape.io/helpdesk/knowledgebase/what-is-a-request).',
  );
  L.push("");

  // ---------- what dominates ----------
  const dominant = (b2, ops2, label) => {
    if (!b2 || !ops2) return null;
    const [item, [, cost]] = Object.entries(b2.lines).sort((x, y) => y[1][1] - x[1][1])[0];
    const rows = Object.entries(ops2.rowsByClass)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ");
    return `${label}: ${item} is ${fmt((100 * cost) / b2.total, 2)} % of the ${usd(b2.total)}; SQLite rows written per event ${fmt(ops2.rowsWritten)} (${rows}; alarms ${fmt(ops2.alarms)})`;
  };
  const findings = [dominant(lead, webhookOps, "Leads"), dominant(browser, browserOps, "Browser events")].filter(
    Boolean,
  );
  if (findings.length) {
    L.push(
      `**What the bill is made of.** ${findings.join(". ")}. SQLite rows written are counted as the cursors report them (\`rowsWritten\`, which includes index entries, as billing does); a Durable Object request costs $0.15 a million, a row written $1.00: a design that trades one request for several rows loses. This round took the rows down (the bench's run on 325f568, before these changes, counted 7.97 rows written per lead and 1.23 per browser event): the metrics store writes a few rows per write rather than a row per event (an hour's counters in one row, recent events and refusals in rings of JSON chunks: src/observe/metricsStore.ts, schema step 5), and the intake ledger one row per key claimed (a table clustered on its key, no index on expiry: schema steps 3 and 4). Workers Logs count each line and each invocation: a queued webhook's and a browser body's own line are now summed with the others of their second in each isolate (src/core/logSummary.ts), so what is left is about one invocation log per request. What is left is mostly the queue: three operations per message (write, read, delete), one message per webhook and per browser request. Fewer would mean several webhooks in one message, which the route cannot do without waiting for company (a webhook is answered once its message is durable).`,
    );
    L.push("");
  }

  // ---------- scale ----------
  L.push("### Scale: which limit binds first");
  L.push("");
  /** Intake ledger requests per webhook, whatever its methods are called. */
  const ledgerCalls = webhookOps
    ? Object.entries(webhookOps.doByMethod)
        .filter(([k]) => k.startsWith("INTAKE_LEDGER."))
        .reduce((a, [, v]) => a + v, 0)
    : 0;
  /** Intake ledger objects the burst touched: one per destination now (16 Studio-id shards before). */
  const ledgers = ops?.webhooks?.counts?.objectNames?.INTAKE_LEDGER ?? 1;
  const shard = ops?.shard?.["16"];
  const shard1 = ops?.shard?.["1"];
  const batches = ops?.ledgerBatches;
  const measuredBatches = batches && !batches.skipped;
  const direct =
    shard && !shard.skipped
      ? `one ledger object took ${fmt(shard.claimsPerSecond)} direct-path claims a second (${fmt(shard.callsPerSecond)} Durable Object calls, claim and confirm) from 16 callers at once, ${shard1 && !shard1.skipped ? fmt(shard1.claimsPerSecond) : "n/a"} from one caller`
      : `direct-path claims not measured${shard?.skipped ? ` (${shard.skipped})` : ""}`;
  const consumer = measuredBatches
    ? `${fmt(batches.callsPerSecond)} consumer batch claims a second of ${batches.batch} entries each (${fmt(batches.claimsPerSecond)} claims a second) from ${batches.concurrency} callers`
    : `batch claims not measured${batches?.skipped ? ` (${batches.skipped})` : ""}`;
  const measured = `measured locally under \`wrangler dev\` on this VM: ${consumer}; ${direct}`;
  /** Webhooks a second one destination's ledger takes: the soft limit on calls, or what one object did locally, whichever is lower. */
  const perCallLimit = ledgerCalls > 0 ? (ledgers * 1000) / ledgerCalls : Infinity;
  const ledgerLimit = measuredBatches ? Math.min(perCallLimit, batches.claimsPerSecond * ledgers) : perCallLimit;
  L.push(
    table(
      ["load", "first limit it meets", "what the relay does"],
      [
        [
          "100 webhooks/s",
          `none: a queue takes 5,000 messages/s; each destination's intake ledger sees ~${fmt((100 * (ledgerCalls || 0.01)) / ledgers, 2)} requests/s (one call per consumer batch; a Durable Object's soft limit is ~1,000 requests/s)`,
          "nothing to do",
        ],
        [
          "1,000 webhooks/s",
          `Meta's side: one pixel's events arrive in consumer batches of up to 100 (1,000 events/s = 10 Graph requests/s per pixel at most 5 concurrent consumers); Meta's rate limits count Graph API calls, which batching keeps few; the bench cannot measure them (the fake Graph has none). A destination's ledger: ~${fmt((1000 * (ledgerCalls || 0.01)) / ledgers, 2)} requests/s (${measured})`,
          "batches of 100 events per Graph request; `max_concurrency: 5` bounds the requests in flight; raise it",
        ],
        [
          "10,000 webhooks/s",
          (() => {
            const queueLimit = 5000 / (webhookOps?.queueMessages || 1);
            const ledger = `a destination's intake ledger: one object, ${fmt(ledgerCalls)} requests per webhook (one per consumer batch), so ~${Number.isFinite(ledgerLimit) ? fmt(ledgerLimit, 2) : "no limit"} webhooks/s a destination${measuredBatches ? ` (the lower of ~1,000 requests/s and the ${fmt(batches.claimsPerSecond)} claims a second one object did locally: its SQL, one statement per key, is the work)` : ""}`;
            const queue = `the queue: 5,000 messages/s per queue at ${fmt(webhookOps?.queueMessages ?? 1)} message per webhook is ~${fmt(queueLimit, 2)} webhooks/s`;
            return ledgerLimit < queueLimit ? `${ledger} first; then ${queue}` : `${queue} first; then ${ledger}`;
          })(),
          "more queues (one producer binding per queue, picked by a hash of the event id, each with its own consumer) or several events per message; a destination's ledger split in a few objects by a hash of the Studio id if it binds (a call per object per batch; moving keys forgets 48 h of ids, Meta still keeps one copy by `event_id`)",
        ],
        [
          "direct path (no queue bound), any load",
          `two ledger calls per webhook (claim, then confirm or release) on the destination's one object: ~500 webhooks/s a destination at the soft limit (${direct})`,
          "bind the queue (the default): the direct path is for relays without one",
        ],
        [
          "100,000 browser events/s",
          `the queue at 5,000 messages/s unless bodies are packed: at ${browserOps ? fmt(browserOps.queueMessages * (browserOps.events / browserOps.requests)) : "one"} message per body of ~5 events, 20,000 bodies/s is 20,000 messages/s: 4 queues or more events per message (a message holds 128 KB); no Durable Object on this path; Worker subrequests are not involved (one queue send per request)`,
          "shard browser traffic across queues; the consumer sends up to 1,000 events per Graph request (Meta's limit per request) instead of 100",
        ],
      ],
    ),
  );
  L.push("");
  L.push(
    "Limits quoted: Queues: 5,000 messages/s per queue (beyond it `send()` and `sendBatch()` throw Too Many Requests: the webhook then gets an error answer and Studio redelivers, the intake ledger keeping it once), 128 KB per message, at most 100 messages or 256 KB per `sendBatch`, 250 concurrent consumer invocations (the relay asks for 5) (https://developers.cloudflare.com/queues/platform/limits/); a Durable Object's soft limit of 1,000 requests/s, each object single-threaded (https://developers.cloudflare.com/durable-objects/reference/faq/); 10,000 subrequests per invocation on Workers Paid (https://developers.cloudflare.com/workers/platform/limits/): a consumer batch of 100 events makes one Graph request per destination, far below it. Consumer invocations are counted as Worker requests in the bill above (conservative: the price lists do not say; at batches of up to 100 they are about 1 % of requests).",
  );
  L.push("");
  return L;
}
