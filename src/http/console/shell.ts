/**
 * The console page as the Worker serves it for `GET /admin` to a logged-in reader: a shell with
 * the session's CSRF token, the two scripts (./script) under the CSP nonce, and the console's
 * headline numbers in plain text. The page itself is rendered in the browser from
 * `GET /admin/console.json` (../../console), so its templates and words stay out of the Worker's
 * bundle; without JavaScript the shell says so, and still shows the numbers at a glance.
 *
 * @example
 * ```ts
 * return c.body(renderShell({ nonce, csrfToken }), 200, pageHeaders(nonce));
 * ```
 */
import { html } from "hono/html";
import { pageShell } from "./layout";
import type { ConsoleModel } from "./model";
import { CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH } from "./script";

/** The title of the console page. */
export const CONSOLE_TITLE = "Meta CAPI relay · console";

/**
 * The shell of the console page.
 *
 * @param options.csrfToken the session's CSRF token (empty for a Bearer reader, who needs none)
 * @param options.glance the console's model, when it could be read: its headline numbers are
 *   written into the shell (see {@link glanceSection}), for whoever reads the page without its
 *   script (a script-less browser, `curl`, a monitor); the script replaces them with the page
 * @example
 * ```ts
 * renderShell({ nonce: "3q2+7w==", csrfToken: "kP3x…" }); // "<!doctype html>…"
 * renderShell({ nonce, csrfToken, glance: await buildConsoleModel(env, Date.now()) });
 * ```
 */
export function renderShell(options: { nonce: string; csrfToken: string; glance?: ConsoleModel }): string {
  return pageShell({
    title: CONSOLE_TITLE,
    nonce: options.nonce,
    head: html`<meta name="csrf-token" content="${options.csrfToken}">`,
    body: html`<main class="login" id="console-loading" aria-busy="true"><section><h1>Meta CAPI relay</h1>
${options.glance ? glanceSection(options.glance) : ""}<p class="muted">Reading the relay's numbers…</p>
<noscript><p class="alert bad" data-noscript>The console needs JavaScript: allow scripts for this page (they come from the relay itself), then reload.</p></noscript>
</section></main>`,
    scripts: [CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH],
  });
}

/**
 * The console at a glance, in plain text the shell carries before its script draws the page: the
 * webhooks of the last 24 hours, and each destination's mode and lead counts over the same 24
 * hours. Every value goes through Hono's escaping tag.
 */
function glanceSection(model: ConsoleModel) {
  const webhooks = model.webhooks["24h"];
  const waiting = model.deadLetters.length;
  return html`<section data-glance><p>Last 24 hours: ${webhooks.received} webhooks received, ${webhooks.unauthorized} unauthorized, ${webhooks.invalid} invalid.</p>
<ul>${model.destinations.map((d) => {
    const n = d.counts["24h"];
    return html`<li>${d.name} (pixel ${d.pixelId}, ${d.mode}): ${n.routed} routed, ${n.sent} sent, ${n.skipped} skipped, ${n.duplicate} duplicate, ${n.dead_lettered} dead-lettered, ${n.dry_run} dry run; ${d.heldNow} held now</li>`;
  })}</ul>
<p>${waiting} dead letters waiting.</p></section>
`;
}
