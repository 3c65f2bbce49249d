/**
 * The fake's own control page (`GET /`): the modes in force with a button to clear each, a form
 * to set one, the pixels it has events for, each event's browser and server copies by `event_id`
 * (deduplicated when both came), and the recent requests, both refreshed every 2 seconds.
 * One HTML document, no external assets; it works without JavaScript (forms post to /_control
 * and come back here), the script only refreshes the request list.
 */
import { MODE_HELP, type ActiveMode, FAIL_KINDS, type ModeKind } from "./modes.ts";
import type { EventPair } from "./pixel.ts";

/** The modes in the form, most common first (the server applies them in MODE_KINDS order). */
const FORM_ORDER: ModeKind[] = [
  "transient",
  "throttle",
  "expired_token",
  "revoked_token",
  "wrong_pixel",
  "dead_version",
  "version_warning",
  "slow",
  "drop",
  "fail_rate",
  "no_permission",
];

/** One line of `GET /_requests`, as the page shows it. */
export interface RequestLine {
  at: string;
  endpoint: string;
  pixel?: string;
  events: number;
  event_ids: string[];
  status: number;
  outcome: string;
  mode?: string;
  code?: number;
  subcode?: number;
  fbtrace_id?: string;
  duplicates?: number;
}

export interface PageState {
  modes: ActiveMode[];
  pixels: Array<{ pixel: string; events: number }>;
  requests: RequestLine[];
  /** Browser and server copies by event id, newest first. */
  pairs?: EventPair[];
  now: number;
  notice?: string;
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`<a href="x">`); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function describeMode(mode: ActiveMode, now: number): string {
  const params = [
    mode.status && `status ${mode.status}`,
    mode.code && `code ${mode.code}`,
    mode.retryAfter !== undefined && `Retry-After ${mode.retryAfter} s`,
    mode.delay !== undefined && `delay ${mode.delay} ms`,
    mode.rate !== undefined && `rate ${mode.rate} as ${mode.fail}`,
    mode.phase && `phase ${mode.phase}`,
    mode.version && `version ${mode.version}`,
  ].filter(Boolean);
  const left =
    mode.until === undefined ? "until cleared" : `${Math.max(0, Math.ceil((mode.until - now) / 1000))} s left`;
  return `${params.join(", ") || "—"} (${left})`;
}

function requestRows(requests: RequestLine[]): string {
  return requests
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.at.slice(11, 19))}</td><td>${escapeHtml(r.endpoint)}</td><td>${escapeHtml(r.pixel ?? "")}</td>` +
        `<td>${r.events}</td><td>${escapeHtml(r.event_ids.slice(0, 3).join(" ") + (r.event_ids.length > 3 ? " …" : ""))}</td>` +
        `<td class="${r.status < 300 ? "ok" : "bad"}">${r.status}</td><td>${escapeHtml(r.outcome + (r.mode ? ` (${r.mode})` : "") + (r.duplicates ? `, ${r.duplicates} duplicate` : ""))}</td>` +
        `<td>${r.code ?? ""}${r.subcode ? ` / ${r.subcode}` : ""}</td><td><code>${escapeHtml(r.fbtrace_id ?? "")}</code></td></tr>`,
    )
    .join("");
}

function pairRows(pairs: EventPair[]): string {
  return pairs
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.event_id)}</code></td><td>${escapeHtml(p.event_name)}</td><td>${escapeHtml(p.pixel)}</td>` +
        `<td class="${p.browser ? "ok" : ""}">${p.browser ? `browser ×${p.browser}` : "—"}</td>` +
        `<td class="${p.server ? "ok" : ""}">${p.server ? `server ×${p.server}` : "—"}</td>` +
        `<td class="${p.deduplicated ? "ok" : ""}">${escapeHtml(p.verdict)}</td></tr>`,
    )
    .join("");
}

const SCRIPT = `
const rows = document.getElementById("requests");
function cell(tr, text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.append(td); }
async function refresh() {
  try {
    const { requests } = await (await fetch("/_requests?limit=50")).json();
    rows.replaceChildren(...requests.map((r) => {
      const tr = document.createElement("tr");
      cell(tr, r.at.slice(11, 19)); cell(tr, r.endpoint); cell(tr, r.pixel ?? ""); cell(tr, String(r.events));
      cell(tr, r.event_ids.slice(0, 3).join(" ") + (r.event_ids.length > 3 ? " …" : ""));
      cell(tr, String(r.status), r.status < 300 ? "ok" : "bad"); cell(tr, r.outcome + (r.mode ? " (" + r.mode + ")" : "") + (r.duplicates ? ", " + r.duplicates + " duplicate" : ""));
      cell(tr, (r.code ?? "") + (r.subcode ? " / " + r.subcode : "")); cell(tr, r.fbtrace_id ?? "");
      return tr;
    }));
  } catch {}
}
const pairRows = document.getElementById("pairs");
async function refreshPairs() {
  try {
    const { pairs } = await (await fetch("/_pairs")).json();
    pairRows.replaceChildren(...pairs.slice(0, 50).map((p) => {
      const tr = document.createElement("tr");
      cell(tr, p.event_id); cell(tr, p.event_name); cell(tr, p.pixel);
      cell(tr, p.browser ? "browser ×" + p.browser : "—", p.browser ? "ok" : "");
      cell(tr, p.server ? "server ×" + p.server : "—", p.server ? "ok" : "");
      cell(tr, p.verdict, p.deduplicated ? "ok" : "");
      return tr;
    }));
  } catch {}
}
setInterval(() => { refresh(); refreshPairs(); }, 2000);
`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem; max-width: 72rem; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .25rem .4rem; text-align: left; }
.ok { color: #176317; } .bad { color: #b00020; font-weight: 600; } .notice { background: #fff4c2; padding: .4rem .6rem; }
form.inline { display: inline; } fieldset { border: 1px solid #ccc; } label { display: inline-block; margin: .2rem .6rem .2rem 0; }
input[type=text], input[type=number] { width: 7rem; } code { font-size: 12px; }
@media (max-width: 40rem) { td:nth-child(5), td:nth-child(9), th:nth-child(5), th:nth-child(9) { display: none; } }
`;

/**
 * The whole page.
 *
 * @example
 * ```ts
 * response.end(renderPage({ modes: book.active(now), pixels, requests, now }));
 * ```
 */
export function renderPage(state: PageState): string {
  const modes = state.modes.length
    ? `<table><tr><th>mode</th><th>pixel</th><th>parameters</th><th></th></tr>${state.modes
        .map(
          (m) =>
            `<tr><td>${m.kind}</td><td>${escapeHtml(m.pixel ?? "every pixel")}</td><td>${escapeHtml(describeMode(m, state.now))}</td>` +
            `<td><form class="inline" method="post" action="/_control"><input type="hidden" name="clear" value="${m.kind}">` +
            `<input type="hidden" name="pixel" value="${escapeHtml(m.pixel ?? "")}"><button>clear</button></form></td></tr>`,
        )
        .join("")}</table>`
    : "<p>None: every request is answered as Meta would answer a good one.</p>";
  const pixels = state.pixels.length
    ? `<ul>${state.pixels
        .map(
          (p) =>
            `<li>${escapeHtml(p.pixel)}: ${p.events} events accepted — <a href="/_quality?dataset_id=${encodeURIComponent(p.pixel)}">Dataset Quality</a></li>`,
        )
        .join("")}</ul>`
    : "<p>No events accepted yet.</p>";
  const options = FORM_ORDER.map(
    (kind) => `<option value="${kind}">${kind}: ${escapeHtml(MODE_HELP[kind])}</option>`,
  ).join("");
  const failOptions = FAIL_KINDS.map((kind) => `<option>${kind}</option>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fake Meta Graph API</title><style>${STYLE}</style></head><body>
<h1>Fake Meta Graph API</h1>
<p>Answers <code>POST /{version}/{pixel}/events</code> and <code>GET /{version}/dataset_quality</code> the way Meta documents them.
JSON: <a href="/_requests">/_requests</a>, <a href="/_control">/_control</a>.</p>
${state.notice ? `<p class="notice">${escapeHtml(state.notice)}</p>` : ""}
<h2>Misbehaviour in force</h2>${modes}
<form method="post" action="/_control"><fieldset><legend>Set a mode</legend>
<label>mode <select name="mode">${options}</select></label><br>
<label>pixel <input type="text" name="pixel" placeholder="every pixel" inputmode="numeric"></label>
<label>for (s) <input type="number" name="for" min="0" placeholder="until cleared"></label>
<label>status <input type="number" name="status" placeholder="default"></label>
<label>code <input type="number" name="code" placeholder="default"></label>
<label>Retry-After (s) <input type="number" name="retry_after" min="0" placeholder="10"></label>
<label>delay (ms) <input type="number" name="delay" min="0" placeholder="3000"></label>
<label>rate <input type="number" name="rate" min="0" max="1" step="0.05" placeholder="0.2"></label>
<label>fail as <select name="fail">${failOptions}</select></label>
<label>phase <select name="phase"><option>before</option><option>after</option></select></label>
<label>version <input type="text" name="version" placeholder="any"></label>
<button>set</button></fieldset></form>
<form class="inline" method="post" action="/_control"><input type="hidden" name="mode" value="none"><button>clear global modes</button></form>
<form class="inline" method="post" action="/_reset"><button>reset everything</button></form>
<h2>Pixels</h2>${pixels}
<h2 id="pairs-heading">Browser and server copies, by event_id</h2>
<p>Each event the Pixel (<code>/fbevents.js</code>, the stand-in the demo shop loads) and the Conversions API sent: Meta keeps one copy of a pair with the same pixel, <code>event_name</code> and <code>event_id</code>. JSON: <a href="/_pairs">/_pairs</a>.</p>
<table><thead><tr><th>event_id</th><th>event name</th><th>pixel</th><th>browser</th><th>server</th><th>deduplicated</th></tr></thead>
<tbody id="pairs">${pairRows(state.pairs ?? [])}</tbody></table>
<h2>Recent requests</h2>
<table><thead><tr><th>time</th><th>endpoint</th><th>pixel</th><th>events</th><th>event ids</th><th>status</th><th>outcome</th><th>code</th><th>fbtrace_id</th></tr></thead>
<tbody id="requests">${requestRows(state.requests)}</tbody></table>
<script>${SCRIPT}</script>
</body></html>`;
}
