/**
 * What every console page shares: the HTML shell, the stylesheet, the security headers and the
 * per-response CSP nonce. No build step, no CDN, nothing fetched: the CSS and the one script are
 * inline, allowed by the nonce and nothing else (`default-src 'none'`). System fonts; one column
 * on a phone, more on a laptop; dark when the device is.
 *
 * HTML is written with Hono's `html` tagged template, which escapes every interpolated value
 * (`& < > " '`), so a string from the model or from Meta cannot become markup; only this
 * module's own constants go in through `raw`.
 *
 * @example
 * ```ts
 * const nonce = newNonce();
 * return new Response(pageShell({ title: "Log in", nonce, body: html`<p>…</p>` }), { headers: pageHeaders(nonce) });
 * ```
 */
import { html, raw } from "hono/html";

/** A fragment of escaped HTML (what Hono's `html` tag returns). */
export type Html = ReturnType<typeof html>;

/**
 * A fresh nonce for one response's CSP (128 random bits, base64).
 *
 * @example
 * ```ts
 * newNonce(); // "3q2+7w…=="
 * ```
 */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * The Content-Security-Policy of a console page: nothing but its own nonce'd style and script,
 * `data:` images, fetches to itself, forms posting to itself, never framed.
 *
 * @example
 * ```ts
 * contentSecurityPolicy("abc"); // "default-src 'none'; script-src 'nonce-abc'; …"
 * ```
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/**
 * The headers of every console page: HTML, the CSP, never cached, never sniffed, no referrer.
 *
 * @example
 * ```ts
 * return c.html(page, 200, pageHeaders(nonce));
 * ```
 */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": contentSecurityPolicy(nonce),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}

/**
 * A whole page: doctype, viewport, the stylesheet and (optionally) a script, both under `nonce`.
 *
 * @param script trusted source text (a constant of this folder), never model data
 * @example
 * ```ts
 * pageShell({ title: "Console", nonce, body: html`<main>…</main>`, head: html`<meta name="csrf-token" content="${token}">` });
 * ```
 */
export function pageShell(options: { title: string; nonce: string; body: Html; head?: Html; script?: string }): string {
  const { title, nonce, body, head, script } = options;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${title}</title>
${head}
<style nonce="${nonce}">${raw(CSS)}</style>
</head>
<body>
${body}
${script === undefined ? "" : html`<script nonce="${nonce}">${raw(script)}</script>`}
</body>
</html>
`;
  return htmlText(page);
}

/**
 * The text of a finished fragment. The console's fragments never hold a promise; one that did
 * would be a programming error, not a page to serve half-made.
 *
 * @example
 * ```ts
 * htmlText(html`<b>${name}</b>`); // "<b>&lt;script&gt;</b>" for name "<script>"
 * ```
 */
export function htmlText(fragment: Html): string {
  if (fragment instanceof Promise) throw new Error("a console fragment must not be asynchronous");
  return fragment.toString();
}

/**
 * The stylesheet: system fonts, a fluid grid, colours by meaning (ok, warn, bad, muted). On a
 * phone the chart keeps a readable width and scrolls sideways, starting at its newest hours (the
 * frame is right-to-left, the chart inside it left-to-right).
 */
const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1b1f24;--muted:#5b6570;--line:#dde1e6;
--ok:#17803d;--ok-bg:#e7f5ec;--warn:#a15c00;--warn-bg:#fff4e0;--bad:#c0262d;--bad-bg:#fdecec;--accent:#2456c9;
--sent:#2e8b57;--retried:#e0a100;--held:#7b61c9;--dead:#d0343c;--grid:#e3e6ea}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1a1f25;--fg:#e6e9ed;--muted:#9aa4ae;--line:#2c333b;
--ok:#4cc27a;--ok-bg:#14301f;--warn:#f0b45a;--warn-bg:#33260f;--bad:#ff6b6b;--bad-bg:#3a1719;--accent:#7aa2ff;--grid:#2a3038}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:anywhere}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.8rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
header.top h1{font-size:1.15rem;margin:0;flex:1 1 auto}
main{max-width:1200px;margin:0 auto;padding:1rem;display:grid;gap:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;min-width:0}
section>h2{font-size:1.05rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:.2rem 0 .5rem}
h4{font-size:.9rem;margin:.8rem 0 .3rem;color:var(--muted);font-weight:600}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(min(300px,100%),1fr))}
.card{border:1px solid var(--line);border-radius:8px;padding:.8rem;min-width:0}
.card.is-bad{border-color:var(--bad)}.card.is-warn{border-color:var(--warn)}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:.8rem;font-weight:600;white-space:nowrap;background:var(--bg);color:var(--muted);border:1px solid var(--line)}
.badge.ok{background:var(--ok-bg);color:var(--ok);border-color:transparent}
.badge.warn{background:var(--warn-bg);color:var(--warn);border-color:transparent}
.badge.bad{background:var(--bad-bg);color:var(--bad);border-color:transparent}
.alert{border-radius:6px;padding:.5rem .7rem;margin:.5rem 0;background:var(--warn-bg);color:var(--fg);border-left:4px solid var(--warn)}
.alert.bad{background:var(--bad-bg);border-left-color:var(--bad)}
.alert.bad strong{color:var(--bad)}
.alert.info{background:var(--bg);border-left-color:var(--accent)}
.alert.ok{background:var(--ok-bg);border-left-color:var(--ok)}.alert.ok strong{color:var(--ok)}
.alert small{display:block;margin-top:.2rem}
code.command{display:inline-block;padding:.05rem .3rem;border-radius:4px;background:var(--card);border:1px solid var(--line);user-select:all}
.headline{margin:.3rem 0;font-size:1.02rem}
a.clause{text-decoration:none;border-bottom:1px dotted currentColor;color:var(--fg)}
a.clause.ok{color:var(--ok)}a.clause.warn{color:var(--warn)}a.clause.bad{color:var(--bad);font-weight:600}
.counts tfoot th,.counts tfoot td{border-top:2px solid var(--line);font-weight:600}
table.apart{margin-top:.4rem}
.signals{padding-left:1.1rem}.signals li.past{opacity:.75}
details{margin:.5rem 0}summary{cursor:pointer;color:var(--muted)}
.incidents ol{padding-left:1.2rem;margin:.3rem 0}
ul.letters{list-style:none;padding:0;margin:0;display:grid;gap:.6rem}
.letter p{margin:.3rem 0}
.letter .actions button{white-space:normal;text-align:left}
.reasons{padding-left:1.1rem}
.muted,small{color:var(--muted)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:fit-content(45%) minmax(0,1fr);gap:.2rem .8rem;margin:.4rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:break-word}
th{color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.stats{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:0}
.stats div{min-width:6rem}.stats dt{color:var(--muted);font-size:.85rem}.stats dd{margin:0;font-size:1.4rem;font-weight:600;font-variant-numeric:tabular-nums}
button,input{font:inherit}
button{cursor:pointer;border:1px solid var(--line);background:var(--card);color:var(--fg);border-radius:6px;padding:.3rem .7rem}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{color:var(--bad);border-color:var(--bad)}
button:disabled{opacity:.5;cursor:not-allowed}
input[type=text],input[type=password]{border:1px solid var(--line);border-radius:6px;padding:.35rem .5rem;background:var(--bg);color:var(--fg);min-width:0}
.row{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
.test-event{margin-top:.8rem;padding-top:.6rem;border-top:1px dashed var(--line)}
.test-event input{width:11rem}
.status{margin:0}.status.bad{color:var(--bad)}#status:empty{display:none}
#status{padding:.5rem .7rem;border-radius:6px;background:var(--card);border:1px solid var(--line)}
meter{width:100%;height:.8rem}
.keys td:first-child{min-width:7rem}.keys td.bar{width:45%}
.hint{background:var(--bg);border-radius:6px;padding:.4rem .6rem}
.chart-toggle{display:flex;gap:.3rem;margin-bottom:.4rem}
.chart-toggle label{border:1px solid var(--line);border-radius:6px;padding:.15rem .6rem;cursor:pointer}
#range-24h:checked~.chart-toggle label[for=range-24h],#range-7d:checked~.chart-toggle label[for=range-7d]{background:var(--accent);color:#fff;border-color:var(--accent)}
#range-24h:focus-visible~.chart-toggle label[for=range-24h],#range-7d:focus-visible~.chart-toggle label[for=range-7d]{outline:2px solid var(--accent)}
#range-24h:checked~.chart-7d,#range-7d:checked~.chart-24h{display:none}
.range-input{position:absolute;opacity:0;pointer-events:none}
figure{margin:0}.chart-frame{overflow-x:auto}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{fill:var(--muted);font-size:12px}
svg.chart .gridline{stroke:var(--grid)}
.s-sent{fill:var(--sent)}.s-retried{fill:var(--retried)}.s-held{fill:var(--held)}.s-dead{fill:var(--dead)}
.line{fill:none;stroke:var(--retried);stroke-width:2.5;stroke-linejoin:round}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:.4rem 0 0;padding:0;list-style:none;font-size:.9rem}
.legend svg{width:.8rem;height:.8rem;vertical-align:-.1rem;margin-right:.3rem}
.login{max-width:420px;margin:10vh auto;padding:0 1rem}
.login form{display:grid;gap:.6rem}
footer{max-width:1200px;margin:0 auto;padding:0 1rem 2rem;font-size:.85rem;color:var(--muted)}
@media (max-width:600px){table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.3rem 0}
table.stack td{display:flex;gap:.6rem;border:0;padding:.1rem 0}table.stack td::before{content:attr(data-label);color:var(--muted);flex:0 0 6.5rem}
.keys .bar{display:none}
main{padding:.5rem}section{padding:.7rem}.stats dd{font-size:1.2rem}svg.chart{min-width:800px;direction:ltr}.chart-frame{direction:rtl}}
`;
