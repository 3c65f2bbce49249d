/**
 * The console page's one script, served as a static asset (public/console/console.js) and
 * loaded under the page's CSP nonce. The page reads fine without it;
 * it only makes the buttons act, each through an existing JSON route with the session's CSRF
 * token (from `<meta name="csrf-token">`) in `x-csrf-token`:
 *
 * - Re-drive: `POST /admin/dead-letters/replay` `{"keys": [key]}`;
 * - Discard (after a confirmation that names the letter as the page shows it, escaped):
 *   `DELETE /admin/dead-letters/:key`;
 * - Try now (a paused destination): `POST /admin/destinations/:name/probe`;
 * - Send a test event: `POST /admin/destinations/:name/test-event` `{"test_event_code": …}`.
 *
 * What each did is said beside the button that was clicked (a dead letter's card keeps its
 * place and loses its buttons once done), never only at the top of a long page; a probe that
 * closed the circuit reloads the page after a moment, so the alerts follow. Without a test code
 * nothing is sent and the field asks for one. No inline handlers (the CSP forbids them): one
 * delegated click listener reads `data-` attributes.
 *
 * The script and the stylesheet are Workers Static Assets (`assets` in wrangler.jsonc,
 * directory `public/`): served by Cloudflare without running the Worker and without weighing on
 * its bundle; the page loads them with its CSP nonce, so the policy stays `default-src 'none'`
 * plus that nonce. They hold no data: the data is in the page, behind the login.
 *
 * @example
 * ```ts
 * pageShell({ title, nonce, body, script: CONSOLE_SCRIPT_PATH });
 * ```
 */
/** Where the console's script is served (public/console/console.js). */
export const CONSOLE_SCRIPT_PATH = "/console/console.js";
