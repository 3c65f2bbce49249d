/**
 * The operator console, `GET /admin`: a {@link ConsoleModel} rendered as one HTML page an
 * operator reads at a glance, on a laptop or a phone. Pure: the model and the clock's reading in
 * it (`generatedAt`) decide everything; the route adds the session's CSRF token and the CSP nonce.
 *
 * Top to bottom: the relay and its webhooks; each destination's health (mode, circuit, last
 * acceptance and failure with Meta's code, Meta's health signals, a test-event button); the
 * delivery chart (24 h / 7 d, switched by CSS alone); per destination what the relay sent
 * (match-key coverage and its hint) beside what Meta says of it (Event Match Quality, per-key and
 * dedup feedback, diagnostics); recent events; dead letters with re-drive and discard buttons.
 * Whatever is wrong is in red, words first (a colour is never the only sign).
 *
 * Every model string goes through Hono's escaping `html` tag; ids reach the script only through
 * escaped `data-` attributes. Nothing personal exists in the model to show.
 *
 * @example
 * ```ts
 * const page = renderConsole(sampleConsoleModel(Date.now()), { csrfToken, nonce });
 * ```
 */
import { html } from "hono/html";
import { hourChart } from "./chart";
import { CONSOLE_SCRIPT } from "./script";
import { type Html, pageShell } from "./layout";
import {
  type ConsoleDeadLetter,
  type ConsoleDestination,
  type ConsoleModel,
  type DatasetQuality,
  type DestinationCounts,
  type HealthSignal,
  MATCH_KEYS,
  type MatchKey,
  type MetaProblem,
  type RecentEvent,
} from "./model";
import {
  ago,
  clock,
  destinationAlerts,
  failureText,
  modeLabel,
  percent,
  share,
  SIGNAL_LABELS,
  type Tone,
} from "./words";

/** What the route adds to the model: the session's CSRF token (empty for a Bearer reader) and the CSP nonce. */
export interface RenderOptions {
  csrfToken: string;
  nonce: string;
}

/** How the console names each `user_data` key. */
export const KEY_LABELS: Record<MatchKey, string> = {
  em: "email",
  ph: "phone",
  fn: "first name",
  ln: "last name",
  ge: "gender",
  db: "date of birth",
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

const COUNT_ROWS: { key: keyof DestinationCounts; label: string }[] = [
  { key: "routed", label: "routed" },
  { key: "sent", label: "sent" },
  { key: "skipped", label: "skipped (consent, filters)" },
  { key: "retried", label: "retried" },
  { key: "dead_lettered", label: "dead-lettered" },
  { key: "held", label: "held" },
  { key: "dry_run", label: "dry run (not sent)" },
];

const OUTCOME_TONES: Record<RecentEvent["outcome"], Tone> = {
  sent: "ok",
  queued: "muted",
  retry: "warn",
  held: "warn",
  dry_run: "muted",
  skipped: "muted",
  dead_lettered: "bad",
  failed: "bad",
};

/**
 * The console page for `model`.
 *
 * @example
 * ```ts
 * renderConsole(model, { csrfToken: "kP3x…", nonce: "3q2+7w==" }); // "<!doctype html>…"
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
<p id="status" class="status" role="status" aria-live="polite"></p>
${model.relay.problem ? html`<div class="alert bad"><strong>The settings cannot be read:</strong> ${model.relay.problem}</div>` : ""}
${webhooksSection(model)}
<section id="destinations"><h2>Destinations</h2><div class="grid">${model.destinations.map((d) => destinationCard(d, now))}</div></section>
${chartSection(model)}
<section id="match-quality"><h2>Match quality: what the relay sent, and what Meta says</h2>${model.destinations.map((d) => qualityBlock(d, now))}</section>
${recentSection(model.recent, now)}
${deadLettersSection(model.deadLetters, now)}
</main>
<footer>Times are UTC (hover for the exact time). This page shows ids, counts and Meta's own words only: nothing personal.</footer>`;
  return pageShell({
    title: "Meta CAPI relay · console",
    nonce: options.nonce,
    head: html`<meta name="csrf-token" content="${options.csrfToken}">`,
    body,
    script: CONSOLE_SCRIPT,
  });
}

function modeTone(mode: ConsoleModel["relay"]["mode"]): Tone {
  return mode === "live" ? "ok" : mode === "misconfigured" ? "bad" : "muted";
}

function webhooksSection(model: ConsoleModel): Html {
  const stats = (window: "24h" | "7d") => {
    const w = model.webhooks[window];
    return html`<dl class="stats" data-webhooks="${window}">
<div><dt>received</dt><dd data-count="received">${w.received}</dd></div>
<div><dt>unauthorized</dt><dd data-count="unauthorized">${w.unauthorized}</dd></div>
<div><dt>invalid</dt><dd data-count="invalid">${w.invalid}</dd></div></dl>`;
  };
  return html`<section id="webhooks"><h2>Webhooks from Studio</h2>
<div class="grid"><div><h4>Last 24 hours</h4>${stats("24h")}</div><div><h4>Last 7 days</h4>${stats("7d")}</div></div></section>`;
}

function destinationCard(d: ConsoleDestination, now: number): Html {
  const alerts = destinationAlerts(d, now);
  const bad = alerts.some((a) => a.tone === "bad");
  return html`<article class="card${bad ? " is-bad" : ""}" data-destination="${d.name}">
<div class="row"><h3>${d.name}</h3><span class="badge ${modeTone(d.mode)}" data-mode="${d.mode}">${modeLabel(d.mode)}</span></div>
<small>pixel <code>${d.pixelId}</code></small>
${alerts.map((a) => html`<div class="alert${a.tone === "bad" ? " bad" : a.tone === "muted" ? " info" : ""}" data-alert="${a.kind}"><strong>${a.title}</strong> ${a.text}</div>`)}
<dl class="facts">
<dt>Last accepted</dt><dd data-fact="last-accepted">${d.lastAccepted ? html`${ago(d.lastAccepted.at, now)}${d.lastAccepted.fbtraceId ? html` · fbtrace_id <code>${d.lastAccepted.fbtraceId}</code>` : ""}` : html`<span class="muted">none</span>`}</dd>
<dt>Last failure</dt><dd data-fact="last-failure">${d.lastFailure ? problem(d.lastFailure, now) : html`<span class="muted">none</span>`}</dd>
${d.latencyMs ? html`<dt>To Meta</dt><dd>p50 ${seconds(d.latencyMs.p50)} · p95 ${seconds(d.latencyMs.p95)} <small>(${d.latencyMs.count} events, 24 h)</small></dd>` : ""}
<dt>Dead letters</dt><dd data-fact="dead-letters">${d.deadLettersWaiting > 0 ? html`<a href="#dead-letters">${d.deadLettersWaiting} waiting</a>` : html`<span class="muted">none</span>`}</dd>
</dl>
${d.signals.length > 0 ? html`<h4>Signals from Meta</h4><ul>${d.signals.map((s) => signal(s, now))}</ul>` : ""}
<div class="scroll"><table data-counts="${d.name}"><thead><tr><th></th><th class="num">24 h</th><th class="num">7 days</th></tr></thead><tbody>
${COUNT_ROWS.map((row) => html`<tr data-row="${row.key}"><td>${row.label}</td><td class="num">${d.counts["24h"][row.key]}</td><td class="num">${d.counts["7d"][row.key]}</td></tr>`)}
</tbody></table></div>
${testEvent(d)}
</article>`;
}

function problem(p: MetaProblem | Omit<MetaProblem, "at">, now: number): Html {
  return html`${"at" in p ? html`${ago(p.at, now)} · ` : ""}${failureText(p)}${p.fbtraceId ? html` · fbtrace_id <code>${p.fbtraceId}</code>` : ""}`;
}

function signal(s: HealthSignal, now: number): Html {
  const label = SIGNAL_LABELS[s.kind];
  return html`<li data-signal="${s.kind}"><span class="badge ${label.tone}">${label.title}</span> ${s.detail} <small>(${s.count}× since ${ago(s.firstAt, now)}, last ${ago(s.lastAt, now)})</small></li>`;
}

function testEvent(d: ConsoleDestination): Html {
  if (d.mode === "dry_run") {
    return html`<div class="test-event muted">Test events need a token: this destination runs dry and sends nothing.</div>`;
  }
  const id = `test-code-${d.name}`;
  return html`<div class="test-event" data-test-event="${d.name}">
<div class="row"><label for="${id}">Test event code</label><input type="text" id="${id}" name="test_event_code" value="${d.testEventCode ?? ""}" placeholder="TEST12345" autocomplete="off" spellcheck="false" maxlength="64">
<button type="button" class="primary" data-action="test-event" data-destination="${d.name}" data-input="${id}">Send a test event</button></div>
<p class="status" data-result="${d.name}" aria-live="polite">${d.testEventCode ? "" : "Copy the code from Events Manager → Test events: a test event without one would count as a real lead."}</p>
</div>`;
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
  const sentAny = Object.keys(d.matchKeys).length > 0;
  const listed = MATCH_KEYS.filter((key) => LISTED_KEYS.includes(key) || (d.matchKeys[key] ?? 0) > 0);
  const never = MATCH_KEYS.filter((key) => !listed.includes(key));
  const coverage = sentAny
    ? html`<table class="keys" data-coverage="${d.name}"><tbody>${listed.map((key) => {
        const value = d.matchKeys[key] ?? 0;
        return html`<tr data-key="${key}"><td>${KEY_LABELS[key]} <small><code>${key}</code></small></td><td class="bar"><meter min="0" max="1" low="0.5" high="0.8" optimum="1" value="${share(value)}">${percent(value)}</meter></td><td class="num">${percent(value)}</td></tr>`;
      })}</tbody></table>
${never.length > 0 ? html`<p class="muted" data-never-sent="${d.name}">Never sent: ${never.map((key) => KEY_LABELS[key]).join(", ")}.</p>` : ""}`
    : html`<p class="muted">No event sent in the last 24 hours.</p>`;
  return html`<div class="grid" data-quality-for="${d.name}">
<div><h3>${d.name}: what the relay sent <small>(share of events sent in 24 h)</small></h3>
${d.hint ? html`<p class="hint" data-hint="${d.name}"><strong>Hint:</strong> ${d.hint}</p>` : ""}
${coverage}</div>
<div><h3>What Meta says</h3>${metaFeedback(d.quality, now)}</div>
</div>`;
}

function metaFeedback(state: ConsoleDestination["quality"], now: number): Html {
  switch (state.state) {
    case "permission":
      return html`<div class="alert" data-quality="permission"><strong>Meta does not let the relay read this feedback.</strong> Give the token <code>ads_read</code> (or set <code>META_DATASET_QUALITY_TOKEN</code> to a token that has it, with the dataset shared with its system user). This is a permission of the quality read, not a delivery failure: events are still sent. <small>Meta said ${ago(state.at, now)}: ${state.code !== undefined ? html`code ${state.code}: ` : ""}${state.message}</small></div>`;
    case "failed":
      return html`<div class="alert" data-quality="failed"><strong>Meta's feedback could not be read</strong> ${ago(state.at, now)}: ${state.code !== undefined ? html`code ${state.code}: ` : ""}${state.message}. Delivery is not affected; the next read will try again.</div>`;
    case "none":
      return html`<p class="muted" data-quality="none">No feedback from Meta yet (${state.reason}).</p>`;
    case "ok":
      return datasetQuality(state.quality, now);
  }
}

function datasetQuality(quality: DatasetQuality, now: number): Html {
  if (quality.events.length === 0)
    return html`<p class="muted" data-quality="ok">Meta has no web events to grade yet (read ${ago(quality.fetchedAt, now)}).</p>`;
  return html`<div data-quality="ok"><small>Dataset Quality API, read ${ago(quality.fetchedAt, now)}</small>
${quality.events.map(
  (e) => html`<div class="card" data-quality-event="${e.eventName}">
<h4>${e.eventName}</h4>
${e.compositeScore !== undefined ? html`<p>Event Match Quality <strong data-emq>${e.compositeScore}</strong>/10 <meter min="0" max="10" low="4" high="6" optimum="10" value="${e.compositeScore}">${e.compositeScore}/10</meter></p>` : html`<p class="muted">No Event Match Quality score yet.</p>`}
${e.matchKeyFeedback.length > 0 ? html`<table class="keys"><tbody>${e.matchKeyFeedback.map((k) => html`<tr><td>${k.identifier}</td><td class="num">${k.coverage === undefined ? "—" : `${round1(k.coverage)} %`}</td></tr>`)}</tbody></table>` : ""}
<dl class="facts">
${e.dedupeKeyFeedback.map((k) => html`<dt>Dedup by <code>${k.dedupeKey}</code></dt><dd>${[k.serverCoverage !== undefined ? `server ${round1(k.serverCoverage)} %` : "", k.browserCoverage !== undefined ? `browser ${round1(k.browserCoverage)} %` : "", k.dedupedShare !== undefined ? `deduplicated ${round1(k.dedupedShare)} %` : ""].filter(Boolean).join(" · ") || "—"}</dd>`)}
${e.eventCoverage !== undefined ? html`<dt>Event coverage</dt><dd>${round1(e.eventCoverage)} % of Pixel events also came from the relay</dd>` : ""}
${e.acr !== undefined ? html`<dt>Additional conversions</dt><dd>${round1(e.acr)} %</dd>` : ""}
${e.dataFreshness ? html`<dt>Freshness</dt><dd>${e.dataFreshness}</dd>` : ""}
</dl>
${e.diagnostics.length > 0 ? html`<h4>Meta's diagnostics</h4><ul>${e.diagnostics.map((g) => html`<li><strong>${g.name}</strong>${g.percentage !== undefined ? html` <small>(${round1(g.percentage)} % of events)</small>` : ""}${g.description ? html`: ${g.description}` : ""}${g.solution ? html` <em>${g.solution}</em>` : ""}</li>`)}</ul>` : ""}
</div>`,
)}</div>`;
}

function recentSection(recent: RecentEvent[], now: number): Html {
  const rows = recent.map(
    (e) =>
      html`<tr data-event="${e.eventId}"><td>${ago(e.at, now)}</td><td><code>${e.eventId}</code></td><td>${e.destination}</td><td><span class="badge ${OUTCOME_TONES[e.outcome] ?? "muted"}">${e.outcome.replace("_", " ")}</span></td><td><small>${e.keys.join(", ") || "—"}</small></td><td>${e.fbtraceId ? html`<code>${e.fbtraceId}</code>` : "—"}</td></tr>`,
  );
  return html`<section id="recent"><h2>Recent events</h2>
${recent.length === 0 ? html`<p class="muted">No event yet.</p>` : html`<div class="scroll"><table><thead><tr><th>when</th><th>event id</th><th>destination</th><th>outcome</th><th>keys sent</th><th>fbtrace_id</th></tr></thead><tbody>${rows}</tbody></table></div>`}
</section>`;
}

function deadLettersSection(letters: ConsoleDeadLetter[], now: number): Html {
  const rows = letters.map(
    (
      l,
    ) => html`<tr data-dead-letter="${l.key}"><td><code>${l.key}</code></td><td>${l.destination}</td><td>${l.reason}${l.code !== undefined ? html` <small>(code ${l.code})</small>` : ""}<br><small>${l.detail}</small></td><td>${l.fbtraceId ? html`<code>${l.fbtraceId}</code>` : "—"}</td><td>${ago(l.deadLetteredAt, now)}</td>
<td><div class="row"><button type="button" data-action="redrive" data-key="${l.key}"${l.replayable ? "" : html` disabled title="Meta would refuse it now (past its 7 days), or it holds no event"`}>Re-drive</button><button type="button" class="danger" data-action="discard" data-key="${l.key}">Discard</button></div></td></tr>`,
  );
  return html`<section id="dead-letters"><h2>Dead letters <small>(${letters.length} waiting)</small></h2>
${letters.length === 0 ? html`<p class="muted">None: every event reached Meta or is still on its way.</p>` : html`<p class="muted">Re-drive sends an event again with its own event_id (Meta deduplicates); discard forgets it.</p><div class="scroll"><table><thead><tr><th>key</th><th>destination</th><th>why</th><th>fbtrace_id</th><th>when</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`}
</section>`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${round1(ms / 1000)} s`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
