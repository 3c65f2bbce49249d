/**
 * What every console page shares: the HTML shell, the security headers and the per-response CSP
 * nonce. No CDN: the stylesheet and the scripts are the Worker's own static assets
 * (public/console/, Workers Static Assets), loaded from the same origin under the page's nonce
 * and nothing else (`default-src 'none'`). System fonts; one column on a phone, more on a
 * laptop; dark when the device is.
 *
 * HTML is written with Hono's `html` tagged template, which escapes every interpolated value
 * (`& < > " '`), so a string from the model or from Meta cannot become markup. The console
 * page's browser code (../../console) shares `Html`, `htmlText` and `noticeBody` from here: pure,
 * Hono's escaping and nothing of the Worker's.
 *
 * @example
 * ```ts
 * const nonce = newNonce();
 * return new Response(pageShell({ title: "Log in", nonce, body: html`<p>…</p>` }), { headers: pageHeaders(nonce) });
 * ```
 */
import { html } from "hono/html";

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
 * A whole page: doctype, viewport, the stylesheet and (optionally) scripts, all under `nonce`.
 *
 * @param scripts the paths of scripts among the console's static assets (constants of ./script), run in this order; never model data
 * @example
 * ```ts
 * pageShell({ title: "Console", nonce, body: html`<main>…</main>`, head: html`<meta name="csrf-token" content="${token}">` });
 * ```
 */
export function pageShell(options: {
  title: string;
  nonce: string;
  body: Html;
  head?: Html;
  scripts?: readonly string[];
}): string {
  const { title, nonce, body, head, scripts = [] } = options;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${title}</title>
${head}
<link rel="stylesheet" href="${CONSOLE_STYLESHEET_PATH}" nonce="${nonce}">
</head>
<body>
${body}
${scripts.map((script) => html`<script src="${script}" nonce="${nonce}"></script>\n`)}
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
 * The body of a page that only says something (the console switched off, its data unreadable):
 * `text` is one paragraph of plain text, or a fragment of the console's own escaped HTML.
 *
 * @example
 * ```ts
 * noticeBody({ title: "The console is off", text: "Set the ADMIN_SECRET secret." }); // <main class="login">…
 * ```
 */
export function noticeBody(options: { title: string; text: string | Html }): Html {
  const text = typeof options.text === "string" ? html`<p>${options.text}</p>` : options.text;
  return html`<main class="login"><section><h1>${options.title}</h1>${text}</section></main>`;
}

/** Where the console's stylesheet is served (public/console/console.css, a Workers Static Asset). */
export const CONSOLE_STYLESHEET_PATH = "/console/console.css";
