/**
 * The console page as the Worker serves it for `GET /admin` to a logged-in reader: a shell with
 * the session's CSRF token and the two scripts (./script) under the CSP nonce, and no data. The
 * page itself is rendered in the browser from `GET /admin/console.json` (../../console), so its
 * templates and words stay out of the Worker's bundle; without JavaScript the shell says so.
 *
 * @example
 * ```ts
 * return c.body(renderShell({ nonce, csrfToken }), 200, pageHeaders(nonce));
 * ```
 */
import { html } from "hono/html";
import { pageShell } from "./layout";
import { CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH } from "./script";

/** The title of the console page. */
export const CONSOLE_TITLE = "Meta CAPI relay · console";

/**
 * The shell of the console page.
 *
 * @param options.csrfToken the session's CSRF token (empty for a Bearer reader, who needs none)
 * @example
 * ```ts
 * renderShell({ nonce: "3q2+7w==", csrfToken: "kP3x…" }); // "<!doctype html>…"
 * ```
 */
export function renderShell(options: { nonce: string; csrfToken: string }): string {
  return pageShell({
    title: CONSOLE_TITLE,
    nonce: options.nonce,
    head: html`<meta name="csrf-token" content="${options.csrfToken}">`,
    body: html`<main class="login" id="console-loading" aria-busy="true"><section><h1>Meta CAPI relay</h1>
<p class="muted">Reading the relay's numbers…</p>
<noscript><p class="alert bad" data-noscript>The console needs JavaScript: allow scripts for this page (they come from the relay itself), then reload.</p></noscript>
</section></main>`,
    scripts: [CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH],
  });
}
