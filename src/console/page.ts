/**
 * The operator console's page: a {@link ConsoleModel} (the JSON of `GET /admin/console.json`)
 * rendered as one HTML page for two readers, on a laptop or a phone. Browser code (built into
 * public/console/page.js by `npm run build:console`, never in the Worker's bundle); pure: the
 * model and the clock's reading in it (`generatedAt`) decide everything; ./main adds the
 * session's CSRF token from the shell the Worker serves for `GET /admin`.
 *
 * Top to bottom: one headline per destination for the marketer ("226 of 241 leads reached Meta
 * in 24 h; 5 not sent because the shopper declined; 4 need you"), each clause a link to its
 * detail; each destination's card for the operator (its current state's alerts with the fix and
 * a "Try now" button on a paused destination, the counts as a sum that adds up, how fast leads
 * reach Meta, Meta's signals, the last incidents, a test-event button); the webhooks refused on
 * arrival with their reasons (paths and codes, never values); the delivery chart (24 h / 7 d,
 * switched by CSS alone; attempts drawn as a line, not stacked with leads); per destination one
 * table of what the relay sent beside what Meta matched; recent leads, one row each in its
 * latest state; dead letters as cards with their buttons and, beside them, what the buttons did.
 * Whatever is wrong is in red or amber, words first (a colour is never the only sign); plain
 * words first, the engineer's term after them in small type.
 *
 * Every model string goes through Hono's escaping `html` tag; ids are shown through `shownId`
 * (escaped bidirectional and control characters; an id that carries an email or phone never
 * shown) and reach the script only through escaped `data-` attributes. Long unbroken text wraps.
 *
 * @example
 * ```ts
 * const body = renderConsole(sampleConsoleModel(Date.now()), { csrfToken }); // ../http/console/model.sample
 * ```
 */
import { html } from "hono/html";
import { DATASET_QUALITY_IDENTIFIERS } from "../observe/datasetQuality";
import { hourChart } from "./chart";
import { type Html, htmlText, noticeBody } from "../http/console/layout";
import type {
  ConsoleDeadLetter,
  ConsoleDestination,
  ConsoleModel,
  DatasetQuality,
  HealthSignal,
  Incident,
  MatchKey,
  RecentEvent,
} from "../http/console/model";
import { refusedForItsData, studioFix } from "./studioFields";
import {
  ago,
  clock,
  currentRefusal,
  deadLettersFiling,
  destinationAlerts,
  destinationHint,
  failureText,
  headline,
  HIDDEN_ID,
  incidentCause,
  incidentRecovery,
  intakeAlerts,
  latencyWords,
  leadParts,
  metaWords,
  modeLabel,
  modeTone,
  percent,
  REFUSAL_CODES,
  refusalReasons,
  share,
  shownId,
  SIGNAL_LABELS,
  type Tone,
} from "./words";

/** What the page adds to the model: the session's CSRF token (from the shell's `<meta name="csrf-token">`; empty for a Bearer reader). */
export interface RenderOptions {
  csrfToken: string;
}

/**
 * How the console names each `user_data` key, in the Worker's order of them (`MATCH_KEYS`, a
 * test checks): the table is the page's list of keys, so the browser bundle does not carry the
 * Worker's user_data module for the list alone.
 */
export const KEY_LABELS: Record<MatchKey, string> = {
  em: "email",
  ph: "phone",
  fn: "first name",
  ln: "last name",
  db: "date of birth",
  ge: "gender",
  ct: "city",
  st: "state",
  zp: "zip",
  country: "country",
  external_id: "external id",
  client_ip_address: "IP address",
  client_user_agent: "user agent",
  fbc: "click id (fbc)",
  fbp: "browser id (fbp)",
};

/** Every `user_data` key, in the Worker's order. */
const MATCH_KEYS = Object.keys(KEY_LABELS) as MatchKey[];

/** Recent leads shown before "more". */
const RECENT_SHOWN = 10;
/** The longest text from Meta's Dataset Quality answers shown (they are not bounded upstream). */
const META_TEXT_MAX = 300;
/** The longest refusal text in a card's facts (the dead letter or the alert has it whole). */
const FACT_MAX = 160;

const OUTCOME_WORDS: Record<RecentEvent["outcome"], { label: string; tone: Tone }> = {
  sent: { label: "delivered", tone: "ok" },
  queued: { label: "will send", tone: "muted" },
  retry: { label: "retrying", tone: "warn" },
  held: { label: "waiting for a fix", tone: "warn" },
  dry_run: { label: "dry run", tone: "muted" },
  skipped: { label: "not sent", tone: "muted" },
  filtered: { label: "not sent", tone: "muted" },
  dead_lettered: { label: "refused by Meta", tone: "bad" },
  failed: { label: "failed", tone: "bad" },
};

/**
 * The console page's body for `model`: its header, main and footer, as escaped HTML text that
 * ./main puts into the shell the Worker serves.
 *
 * @example
 * ```ts
 * renderConsole(model, { csrfToken: "kP3x…" }); // "<header class=\"top\">…</footer>"
 * ```
 */
export function renderConsole(model: ConsoleModel, options: RenderOptions): string {
  const now = model.generatedAt;
  const body = html`<header class="top">
<h1>Meta CAPI relay</h1>
<span class="badge ${modeTone(model.relay.mode)}" data-relay-mode="${model.relay.mode}">${modeLabel(model.relay.mode)}</span>
<small>${model.relay.apiVersion ? html`Graph API <code>${model.relay.apiVersion}</code> · ` : ""}${model.relay.queued ? "durable queue" : "direct (no queue bound)"} · as of ${clock(now)}</small>
<form method="post" action="/admin/logout"><input type="hidden" name="csrf_token" value="${options.csrfToken}"><button type="submit">Log out</button></form>
</header>
<main>
${model.relay.problem ? html`<div class="alert bad"><strong>The settings cannot be read:</strong> ${model.relay.problem}</div>` : ""}
${summarySection(model)}
<section id="destinations"><h2>Destinations</h2><div class="grid">${model.destinations.map((d) => destinationCard(d, now))}</div></section>
${refusedSection(model, now)}
${chartSection(model)}
<section id="match-quality"><h2>Match quality: what the relay sent, and what Meta matched</h2>${model.destinations.map((d) => qualityBlock(d, now))}</section>
${recentSection(model.recent, now)}
${deadLettersSection(model, now)}
${glossary()}
</main>
<footer>Times are UTC (hover for the exact time and yours). This page shows ids, counts and Meta's own words only: nothing personal; an id that carries an email or phone number is not shown.</footer>`;
  return htmlText(body);
}

/** What ./main read from `GET /admin/console.json`: the model, a session that ended meanwhile (401), or a failure. */
export type ModelAnswer = { model: ConsoleModel } | { ended: true } | { failed: string };

/**
 * The page's body for what ./main read: the console, or a notice saying why it is not there and
 * a link back to `/admin` (the login form, for a session that ended; never a reload of its own,
 * which could loop).
 *
 * @example
 * ```ts
 * pageBody({ failed: "The relay could not be reached." }, ""); // <main class="login">…
 * ```
 */
export function pageBody(answer: ModelAnswer, csrfToken: string): string {
  if ("model" in answer) return renderConsole(answer.model, { csrfToken });
  if ("ended" in answer) {
    const text = html`<p>Log in again to see the console.</p><p><a href="/admin">Log in</a></p>`;
    return htmlText(noticeBody({ title: "Your session has ended", text }));
  }
  const text = html`<p>${answer.failed}</p><p><a href="/admin">Reload</a></p>`;
  return htmlText(noticeBody({ title: "The console's data could not be read", text }));
}

function summarySection(model: ConsoleModel): Html {
  const intake = intakeAlerts(model.webhooks["24h"]);
  return html`<section id="summary"><h2>Are leads reaching Meta?</h2>
${model.destinations.length === 0 ? html`<p class="muted">No destination is configured.</p>` : ""}
${model.destinations.map((d) => {
  const clauses = headline(d);
  return html`<p class="headline" data-headline="${d.name}"><strong>${d.name}</strong> <span class="badge ${modeTone(d.mode)}">${modeLabel(d.mode)}</span> ${clauses.map((c, i) => html`${i > 0 ? "; " : ""}<a class="clause ${c.tone}" href="${c.href}" data-clause>${c.text}</a>`)}${d.lastAccepted ? html`; last one ${ago(d.lastAccepted.at, model.generatedAt)}` : ""}.</p>`;
})}
${intake.map((a) => html`<div class="alert" data-intake-alert="${a.kind}"><strong>Leads refused on arrival:</strong> ${a.text} <a href="#refused">Details</a></div>`)}
</section>`;
}

function destinationCard(d: ConsoleDestination, now: number): Html {
  const alerts = destinationAlerts(d, now);
  const bad = alerts.some((a) => a.tone === "bad");
  const warn = alerts.some((a) => a.tone === "warn");
  const current = currentRefusal(d);
  return html`<article class="card${bad ? " is-bad" : warn ? " is-warn" : ""}" id="destination-${d.name}" data-destination="${d.name}">
<div class="row"><h3>${d.name}</h3><span class="badge ${modeTone(d.mode)}" data-mode="${d.mode}">${modeLabel(d.mode)}</span></div>
<small>pixel <code>${d.pixelId}</code></small>
<div id="destination-${d.name}-alerts">
${alerts.map((a) => html`<div class="alert ${toneClass(a.tone)}" data-alert="${a.kind}"><strong>${a.title}</strong> ${a.text}${a.kind === "paused" || (a.kind === "unavailable" && d.circuit) ? probeButton(d) : ""}</div>`)}
</div>
<dl class="facts">
<dt>Last delivered</dt><dd data-fact="last-accepted">${d.lastAccepted ? html`${ago(d.lastAccepted.at, now)}${d.lastAccepted.fbtraceId ? html` <small>· Meta support reference (fbtrace_id) <code>${d.lastAccepted.fbtraceId}</code></small>` : ""}` : html`<span class="muted">none yet</span>`}</dd>
${d.lastFailure && d.lastFailure !== current && !(d.circuit && d.circuit.lastFailure) ? html`<dt>Last refusal</dt><dd data-fact="last-failure">${ago(d.lastFailure.at, now)} · ${failureText({ ...d.lastFailure, message: cut(d.lastFailure.message, FACT_MAX) })}</dd>` : ""}
${d.latencyMs ? html`<dt>Speed</dt><dd data-fact="latency">${latencyWords(d.latencyMs)} <small>(${d.latencyMs.count} leads, 24 h; p50/p95)</small></dd>` : ""}
<dt>Need you</dt><dd data-fact="dead-letters">${d.deadLettersWaiting > 0 ? html`<a href="#dead-letters">${d.deadLettersWaiting} refused by Meta, kept for review</a>` : html`<span class="muted">none</span>`}</dd>
</dl>
${countsTable(d)}
${browserTable(d)}
${signalsList(d, now)}
${incidentsList(d.incidents, now)}
${testEvent(d)}
</article>`;
}

function toneClass(tone: Tone): string {
  return tone === "bad" ? "bad" : tone === "ok" ? "ok" : tone === "muted" ? "info" : "";
}

function probeButton(d: ConsoleDestination): Html {
  return html`<div class="row probe"><button type="button" class="primary" data-action="probe" data-destination="${d.name}">Try now</button> <small>asks the relay to send one waiting lead to Meta at once (a probe), to check a fix</small></div>
<p class="status" data-probe-result="${d.name}" aria-live="polite"></p>`;
}

function countsTable(d: ConsoleDestination): Html {
  const day = leadParts(d.counts["24h"], d.heldNow);
  const week = leadParts(d.counts["7d"], d.heldNow);
  const rows = day
    .map((part, i) => ({ part, week: week[i]! }))
    .filter(({ part, week }) => part.value > 0 || week.value > 0 || part.key === "sent");
  return html`<div class="scroll" id="destination-${d.name}-counts"><table class="counts" data-counts="${d.name}"><thead><tr><th>Leads routed to ${d.name}</th><th class="num">24 h</th><th class="num">7 days</th></tr></thead><tbody>
${rows.map(({ part, week }) => html`<tr data-row="${part.key}"><td>${part.label} <small>(${part.term})</small></td><td class="num">${part.value}</td><td class="num">${week.value}</td></tr>`)}
</tbody><tfoot>
<tr data-row="routed"><th>= Routed to this destination <small>(routed)</small></th><td class="num">${d.counts["24h"].routed}</td><td class="num">${d.counts["7d"].routed}</td></tr>
</tfoot></table>
<table class="counts apart" data-apart="${d.name}"><tbody>
<tr data-row="held_now"><td>Waiting for a fix now <small>(held now)</small></td><td class="num" colspan="2">${d.heldNow}</td></tr>
<tr data-row="held"><td>Ever moved to wait for a fix <small>(held, total)</small></td><td class="num">${d.counts["24h"].held}</td><td class="num">${d.counts["7d"].held}</td></tr>
<tr data-row="retried"><td>Retry attempts <small>(retried: attempts, not leads)</small></td><td class="num">${d.counts["24h"].retried}</td><td class="num">${d.counts["7d"].retried}</td></tr>
</tbody></table></div>`;
}

function browserTable(d: ConsoleDestination): Html {
  if (d.browserEvents.length === 0) return html``;
  return html`<div class="scroll"><table class="counts" data-browser-events="${d.name}"><thead><tr><th>Browser events from the Pixel snippet, 24 h</th><th class="num">routed</th><th class="num">delivered</th><th class="num">not sent</th><th class="num">refused</th></tr></thead><tbody>
${d.browserEvents.map((e) => html`<tr data-event-name="${e.eventName}"><td>${e.eventName}</td><td class="num">${e.routed}</td><td class="num">${e.sent}</td><td class="num">${e.skipped + e.dry_run}</td><td class="num">${e.dead_lettered}</td></tr>`)}
</tbody></table></div>`;
}

function signalsList(d: ConsoleDestination, now: number): Html {
  if (d.signals.length === 0) return html``;
  const recovered = (s: HealthSignal) => d.lastAccepted !== undefined && d.lastAccepted.at > s.lastAt;
  return html`<h4>Signals from Meta <small>(24 h)</small></h4><ul class="signals">${d.signals.map((s) => {
    const label = SIGNAL_LABELS[s.kind];
    const past = recovered(s);
    return html`<li data-signal="${s.kind}"${past ? html` class="past"` : ""}><span class="badge ${past ? "muted" : label.tone}">${label.title}</span> ${s.detail} <small>(${s.count}× from ${ago(s.firstAt, now)} to ${ago(s.lastAt, now)}${past ? "; delivered since" : ""})</small></li>`;
  })}</ul>`;
}

function incidentsList(incidents: Incident[], now: number): Html {
  if (incidents.length === 0) return html``;
  return html`<details class="incidents" data-incidents><summary>Incident history <small>(${incidents.length})</small></summary><ol>${incidents.map(
    (i) =>
      html`<li data-incident="${i.endedAt === undefined ? "open" : "closed"}"><strong>${incidentCause(i)}</strong> from ${ago(i.startedAt, now)} <small>(${i.failures} refused ${i.failures === 1 ? "request" : "requests"}${i.held > 0 ? html`, ${i.held} leads held` : ""}; ${failureText(i.refusal)})</small>: ${i.endedAt === undefined ? html`<span class="badge warn">still going</span>` : html`recovered ${incidentRecovery(i, now)}`}</li>`,
  )}</ol></details>`;
}

function testEvent(d: ConsoleDestination): Html {
  if (d.mode === "dry_run") {
    return html`<div class="test-event muted">Test events need a token: the relay runs dry and sends nothing.</div>`;
  }
  if (d.mode === "held" && !d.circuit) {
    return html`<div class="test-event muted">Test events need a token: set <code>${d.tokenSecret}</code> first.</div>`;
  }
  const id = `test-code-${d.name}`;
  return html`<div class="test-event" data-test-event="${d.name}">
<div class="row"><label for="${id}">Test event code</label><input type="text" id="${id}" name="test_event_code" value="${d.testEventCode ?? ""}" placeholder="TEST12345" autocomplete="off" spellcheck="false" maxlength="64">
<button type="button" class="primary" data-action="test-event" data-destination="${d.name}" data-input="${id}">Send a test event</button></div>
<p class="status" data-result="${d.name}" aria-live="polite">${d.testEventCode ? "" : "Copy the code from Events Manager → Test events: a test event without one would count as a real lead."}</p>
</div>`;
}

function refusedSection(model: ConsoleModel, now: number): Html {
  const stats = (window: "24h" | "7d") => {
    const w = model.webhooks[window];
    return html`<dl class="stats" data-webhooks="${window}">
<div><dt>Webhooks received <small>(received)</small></dt><dd data-count="received">${w.received}</dd></div>
<div><dt>No or wrong secret <small>(unauthorized)</small></dt><dd data-count="unauthorized">${w.unauthorized}</dd></div>
<div><dt>…of which no credential at all: internet noise <small>(anonymous)</small></dt><dd data-count="anonymous">${w.anonymous}</dd></div>
<div><dt>Refused as unreadable or incomplete <small>(invalid)</small></dt><dd data-count="invalid">${w.invalid}</dd></div></dl>`;
  };
  const reasons = refusalReasons(model.refusals);
  const browser = model.browser["24h"];
  const browserLine =
    browser.requests > 0
      ? html`<p data-browser-intake>Browser events (the Pixel snippet), 24 h: ${browser.requests} requests carrying ${browser.events} events; refused: ${browser.refused} from a page not in BROWSER_ORIGINS <small>(refused)</small>, ${browser.rate_limited} over the rate limit <small>(rate_limited)</small>, ${browser.invalid} unreadable <small>(invalid)</small>; ${browser.bots} from bots, not sent <small>(bots)</small>.</p>`
      : "";
  return html`<section id="refused"><h2>Refused on arrival <small>(webhooks from Studio the relay did not take: Studio does not send them again)</small></h2>
<div class="grid"><div><h4>Last 24 hours</h4>${stats("24h")}</div><div><h4>Last 7 days</h4>${stats("7d")}</div></div>
${browserLine}
${
  model.refusals.length === 0
    ? html`<p class="muted" data-refusals="none">No webhook refused recently.</p>`
    : html`<h4>Why, for the last ${model.refusals.length}</h4><ul class="reasons" data-refusal-reasons>${reasons.map((r) => html`<li><strong>${r.count} ×</strong> <code>${r.reason}</code></li>`)}</ul>
<details><summary>Each refusal</summary><div class="scroll"><table class="stack" data-refusals><thead><tr><th>when</th><th>answer</th><th>what was wrong (paths, never values)</th></tr></thead><tbody>${model.refusals.map(
        (r) =>
          html`<tr data-refusal><td data-label="when">${ago(r.at, now)}</td><td data-label="answer">${r.status} <small>${REFUSAL_CODES.get(r.code) ?? r.code} (<code>${r.code}</code>)</small></td><td data-label="what was wrong">${r.issues.length > 0 ? r.issues.map((issue, i) => html`${i > 0 ? html`<br>` : ""}<code>${issue}</code>`) : html`<span class="muted">—</span>`}</td></tr>`,
      )}</tbody></table></div></details>`
}
</section>`;
}

function chartSection(model: ConsoleModel): Html {
  return html`<section id="chart"><h2>Delivery per hour</h2>
<input type="radio" name="range" id="range-24h" class="range-input" checked>
<input type="radio" name="range" id="range-7d" class="range-input">
<div class="chart-toggle" role="group" aria-label="Chart period"><label for="range-24h">24 hours</label><label for="range-7d">7 days</label></div>
${hourChart(model.hours.slice(-24), "24h")}
${hourChart(model.hours.slice(-168), "7d")}
</section>`;
}

/**
 * The keys always listed, sent or not: those Meta weighs most for a website lead. The others
 * (gender, birth date, address) are listed when some event carried them, else named on one line.
 */
const LISTED_KEYS: readonly MatchKey[] = [
  "em",
  "ph",
  "fn",
  "ln",
  "external_id",
  "client_ip_address",
  "client_user_agent",
  "fbc",
  "fbp",
];

function qualityBlock(d: ConsoleDestination, now: number): Html {
  const hint = destinationHint(d);
  const sentAny = Object.keys(d.matchKeys).length > 0;
  const matched = metaMatched(d.quality);
  const listed = MATCH_KEYS.filter(
    (key) => LISTED_KEYS.includes(key) || (d.matchKeys[key] ?? 0) > 0 || matched.has(DATASET_QUALITY_IDENTIFIERS[key]),
  );
  const never = MATCH_KEYS.filter((key) => !listed.includes(key));
  const known = new Set(Object.values(DATASET_QUALITY_IDENTIFIERS));
  const othersMatched = [...matched].filter(([identifier]) => !known.has(identifier));
  const coverage = html`<div class="scroll"><table class="keys" data-coverage="${d.name}"><thead><tr><th>key</th><th class="bar">we sent <small>(share of leads delivered, 24 h)</small></th><th class="num"></th><th class="num">Meta matched</th></tr></thead><tbody>${listed.map(
    (key) => {
      const value = d.matchKeys[key] ?? 0;
      const meta = matched.get(DATASET_QUALITY_IDENTIFIERS[key]);
      return html`<tr data-key="${key}"><td>${KEY_LABELS[key]} <small><code>${key}</code></small></td><td class="bar">${sentAny ? html`<meter min="0" max="1" low="0.5" high="0.8" optimum="1" value="${share(value)}">${percent(value)}</meter>` : ""}</td><td class="num" data-sent>${sentAny ? percent(value) : "—"}</td><td class="num" data-matched>${meta === undefined ? "—" : `${round1(meta)} %`}</td></tr>`;
    },
  )}${othersMatched.map(([identifier, value]) => html`<tr><td><code>${cut(identifier)}</code></td><td></td><td class="num">—</td><td class="num">${value === undefined ? "—" : `${round1(value)} %`}</td></tr>`)}</tbody></table></div>
${never.length > 0 ? html`<p class="muted" data-never-sent="${d.name}">Never sent: ${never.map((key) => KEY_LABELS[key]).join(", ")}.</p>` : ""}
${sentAny ? "" : html`<p class="muted">No lead delivered in the last 24 hours.</p>`}`;
  return html`<div class="quality" data-quality-for="${d.name}">
<h3>${d.name}</h3>
${hint ? html`<p class="hint" data-hint="${d.name}"><strong>Hint:</strong> ${hint}</p>` : ""}
<div class="grid"><div>${coverage}</div>
<div><h4>What Meta says</h4>${metaFeedback(d.quality, now)}</div></div>
</div>`;
}

/** Meta's matched share (0–100) per Dataset Quality identifier, over its events. */
function metaMatched(state: ConsoleDestination["quality"]): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  if (state.state !== "ok") return out;
  for (const e of state.quality.events)
    for (const k of e.matchKeyFeedback)
      if (!out.has(k.identifier) || k.coverage !== undefined) out.set(k.identifier, k.coverage);
  return out;
}

function metaFeedback(state: ConsoleDestination["quality"], now: number): Html {
  switch (state.state) {
    case "permission":
      return html`<div class="alert" data-quality="permission"><strong>Meta does not let the relay read this feedback.</strong> Give the token <code>ads_read</code> (or set <code>META_DATASET_QUALITY_TOKEN</code> to a token that has it, with the dataset shared with its system user). This is a permission of the quality read, not a delivery failure: leads are still sent. <small>Meta said ${ago(state.at, now)}: ${state.code !== undefined ? html`code ${state.code}: ` : ""}${cut(metaWords(state.message))}</small></div>`;
    case "failed":
      return html`<div class="alert" data-quality="failed"><strong>Meta's feedback could not be read</strong> ${ago(state.at, now)}: ${state.code !== undefined ? html`code ${state.code}: ` : ""}${cut(metaWords(state.message))}. Delivery is not affected; the next read will try again.</div>`;
    case "none":
      return html`<p class="muted" data-quality="none">No feedback from Meta yet (${state.reason}).</p>`;
    case "ok":
      return datasetQuality(state.quality, now);
  }
}

function datasetQuality(quality: DatasetQuality, now: number): Html {
  if (quality.events.length === 0)
    return html`<p class="muted" data-quality="ok">Meta has no web events to grade yet (read ${ago(quality.fetchedAt, now)}).</p>`;
  return html`<div data-quality="ok"><small>Meta's Dataset Quality, read ${ago(quality.fetchedAt, now)}</small>
${quality.events.map(
  (e) => html`<div class="card" data-quality-event="${cut(e.eventName)}">
<h4>${cut(e.eventName)}</h4>
${e.compositeScore !== undefined ? html`<p>Event Match Quality <strong data-emq>${e.compositeScore}</strong>/10 <meter min="0" max="10" low="4" high="6" optimum="10" value="${e.compositeScore}">${e.compositeScore}/10</meter></p>` : html`<p class="muted">No Event Match Quality score yet.</p>`}
<dl class="facts">
${e.dedupeKeyFeedback.map((k) => html`<dt>Matched with the Pixel's copy <small>(dedup by <code>${cut(k.dedupeKey)}</code>)</small></dt><dd>${[k.serverCoverage !== undefined ? `server ${round1(k.serverCoverage)} %` : "", k.browserCoverage !== undefined ? `browser ${round1(k.browserCoverage)} %` : "", k.dedupedShare !== undefined ? `deduplicated ${round1(k.dedupedShare)} %` : ""].filter(Boolean).join(" · ") || "—"}</dd>`)}
${e.eventCoverage !== undefined ? html`<dt>Event coverage</dt><dd>${round1(e.eventCoverage)} % of Pixel events also came from the relay</dd>` : ""}
${e.acr !== undefined ? html`<dt>Additional conversions</dt><dd>${round1(e.acr)} %</dd>` : ""}
${e.dataFreshness ? html`<dt>Freshness</dt><dd>${cut(e.dataFreshness)}</dd>` : ""}
</dl>
${e.diagnostics.length > 0 ? html`<details class="diagnostics"><summary>Meta's diagnostics <small>(for your developer)</small></summary><ul>${e.diagnostics.map((g) => html`<li><strong>${cut(g.name)}</strong>${g.percentage !== undefined ? html` <small>(${round1(g.percentage)} % of events)</small>` : ""}${g.description ? html`: ${cut(g.description)}` : ""}${g.solution ? html` <em>${cut(g.solution)}</em>` : ""}</li>`)}</ul></details>` : ""}
</div>`,
)}</div>`;
}

/** Recent events, one per lead and destination, in the latest state (the list is newest first). */
function latestPerLead(recent: RecentEvent[]): { latest: RecentEvent; steps: RecentEvent[] }[] {
  const leads = new Map<string, { latest: RecentEvent; steps: RecentEvent[] }>();
  for (const e of recent) {
    const key = `${e.destination}\u0000${e.eventId}`;
    const known = leads.get(key);
    if (known) known.steps.push(e);
    else leads.set(key, { latest: e, steps: [e] });
  }
  return [...leads.values()];
}

function keysCell(e: RecentEvent): Html {
  const list = e.keys.join(", ");
  const count = html`<span title="${list}">${e.keys.length} ${e.keys.length === 1 ? "key" : "keys"}</span>`;
  switch (e.outcome) {
    case "sent":
      return html`sent ${count}`;
    case "queued":
    case "retry":
    case "held":
      return html`will send ${count}`;
    case "skipped":
      return html`nothing sent: the shopper declined <small>(consent: ad_user_data, ad_storage or marketing consent)</small>`;
    case "filtered":
      return html`nothing sent: the relay does not relay this Studio event type <small>(STUDIO_EVENT_TYPES)</small>`;
    case "dry_run":
      return html`nothing sent: dry run`;
    default:
      return html`nothing sent`;
  }
}

function recentSection(recent: RecentEvent[], now: number): Html {
  const leads = latestPerLead(recent);
  const row = ({ latest: e, steps }: { latest: RecentEvent; steps: RecentEvent[] }) => {
    const words = OUTCOME_WORDS[e.outcome] ?? { label: e.outcome, tone: "muted" as Tone };
    const id = shownId(e.eventId);
    const history =
      steps.length > 1
        ? html` <small title="${steps.map((s) => `${OUTCOME_WORDS[s.outcome]?.label ?? s.outcome} ${new Date(s.at).toISOString().slice(11, 19)}`).join(" ← ")}">(${steps.length} steps)</small>`
        : "";
    return html`<tr data-event="${id ?? "hidden"}"><td data-label="when">${ago(e.at, now)}</td><td data-label="lead">${id ? html`<code>${id}</code>` : html`<span class="muted">${HIDDEN_ID}</span>`}</td><td data-label="destination">${e.destination}</td><td data-label="latest state"><span class="badge ${words.tone}">${words.label}</span>${history}</td><td data-label="what was sent">${keysCell(e)}</td><td data-label="Meta reference">${e.fbtraceId ? html`<code>${e.fbtraceId}</code>` : "—"}</td></tr>`;
  };
  const head = html`<thead><tr><th>when</th><th>lead <small>(event_id)</small></th><th>destination</th><th>latest state</th><th>what was sent</th><th>Meta support reference <small>(fbtrace_id)</small></th></tr></thead>`;
  return html`<section id="recent"><h2>Recent leads <small>(one row per lead, in its latest state)</small></h2>
${
  leads.length === 0
    ? html`<p class="muted">No lead yet.</p>`
    : html`<div class="scroll"><table class="stack">${head}<tbody>${leads.slice(0, RECENT_SHOWN).map(row)}</tbody></table></div>
${leads.length > RECENT_SHOWN ? html`<details><summary>${leads.length - RECENT_SHOWN} more</summary><div class="scroll"><table class="stack">${head}<tbody>${leads.slice(RECENT_SHOWN).map(row)}</tbody></table></div></details>` : ""}`
}
</section>`;
}

function deadLettersSection(model: ConsoleModel, now: number): Html {
  const letters = model.deadLetters;
  const filing = model.destinations.reduce((sum, d) => sum + deadLettersFiling(d, now), 0);
  const empty =
    filing > 0
      ? html`<p class="alert" data-dead-letters="filing">${filing} refused by Meta, being filed (up to 30 s): reload in a moment.</p>`
      : html`<p class="muted" data-dead-letters="none">None waiting: every lead Meta refused has been re-driven or discarded, or none was refused.</p>`;
  return html`<section id="dead-letters"><h2>Refused by Meta, kept for review <small>(dead letters: ${letters.length} waiting)</small></h2>
${
  letters.length === 0
    ? empty
    : html`<p class="muted">Re-drive sends a lead again with its own event_id (Meta keeps one copy); discard forgets it. What a button did shows beside it.</p>
<ul class="letters">${letters.map((l) => deadLetterCard(l, now))}</ul>`
}
</section>`;
}

function deadLetterCard(l: ConsoleDeadLetter, now: number): Html {
  const key = shownId(l.key);
  const fix = studioFix(l);
  const again = refusedForItsData(l);
  if (key === undefined) {
    return html`<li class="letter card" data-dead-letter="hidden"><p class="muted">${HIDDEN_ID}. Manage it with <code>GET /admin/dead-letters?destination=${l.destination}</code>.</p></li>`;
  }
  return html`<li class="letter card" data-dead-letter="${l.key}">
<div class="row"><code class="key">${key}</code> <span class="badge muted">${l.destination}</span>${l.times > 1 ? html` <span class="badge warn" data-times="${l.times}">refused ${l.times}× since ${ago(l.firstDeadLetteredAt, now)}</span>` : ""}</div>
<p>${fix ? html`<strong data-fix>${fix.text}</strong><br>` : ""}<small>${l.reason}${l.code !== undefined ? html` (code ${l.code}${l.subcode !== undefined ? html`/${l.subcode}` : ""})` : ""}: ${cut(metaWords(l.detail))} · ${l.times > 1 ? "last refused" : "refused"} ${ago(l.deadLetteredAt, now)}${l.fbtraceId ? html` · support reference <code>${l.fbtraceId}</code>` : ""}</small></p>
<div class="row actions"><button type="button" data-action="redrive" data-key="${l.key}" data-label="${key}"${l.replayable ? "" : html` disabled title="Meta would refuse it now (past its 7 days), or it holds no event"`}>${again ? "Re-drive (Meta will refuse it again until the data is fixed)" : "Re-drive"}</button><button type="button" class="danger" data-action="discard" data-key="${l.key}" data-label="${key}">Discard</button></div>
<p class="status" data-letter-result aria-live="polite"></p>
</li>`;
}

/** The engineer's words the page puts in small type, in plain words, for whoever meets them in a log or `/admin/metrics`. */
const GLOSSARY: readonly [term: string, meaning: string][] = [
  ["routed", "a lead (webhook) or browser event that went to this destination"],
  ["sent", "Meta accepted it"],
  ["skipped", "not sent: the shopper declined consent, or the relay does not relay its Studio event type"],
  ["filtered", "of the skipped, those of a Studio event type the relay does not relay (STUDIO_EVENT_TYPES)"],
  ["duplicate", "Studio sent the same lead again; it was delivered once"],
  ["dead letter", "Meta refused the lead for good; kept for review, to re-drive or discard"],
  ["held", "waiting in the destination's circuit until its settings work again (nothing is lost)"],
  [
    "circuit, probe",
    "while Meta refuses a destination's settings, the relay stops sending and tries one waiting lead at growing intervals (a probe); Try now probes at once",
  ],
  ["retried", "a delivery attempt that failed and was tried again (attempts, not leads)"],
  ["p50 / p95", "half / 95 % of the leads reached Meta within that time"],
  ["fbtrace_id", "Meta's reference for a request, to quote to Meta's support"],
  ["dry run", "built and logged, not sent: the relay has no token, or DRY_RUN is set"],
];

function glossary(): Html {
  return html`<section id="glossary"><details><summary>What the words in small type mean</summary><dl class="facts">${GLOSSARY.map(([term, meaning]) => html`<dt><code>${term}</code></dt><dd>${meaning}</dd>`)}</dl></details></section>`;
}

/** Outside text cut to a length the page can hold (it wraps as well). */
function cut(text: string, max = META_TEXT_MAX): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
