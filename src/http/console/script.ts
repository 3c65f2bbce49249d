/**
 * Where the console page's parts are served, one constant each: the Worker's shell names them
 * (./shell), the page's browser code (../../console/main) fetches the model from the one route
 * that serves it. Pure constants: the browser bundle imports this module.
 *
 * The console page is two static assets (Workers Static Assets, `assets` in wrangler.jsonc,
 * directory `public/`), served by Cloudflare without running the Worker and without weighing on
 * its bundle, loaded by the shell under its CSP nonce, so the policy stays `default-src 'none'`
 * plus that nonce. They hold no data: the data is the model, behind the login.
 *
 * - public/console/page.js (built from src/console by `npm run build:console`): fetches the model
 *   ({@link CONSOLE_MODEL_PATH}) and renders the page from it, every value escaped as text.
 * - public/console/console.js: makes the buttons act, each through an existing JSON route with
 *   the session's CSRF token (from `<meta name="csrf-token">`) in `x-csrf-token`:
 *   - Re-drive: `POST /admin/dead-letters/replay` `{"keys": [key]}`;
 *   - Discard (after a confirmation that names the letter as the page shows it, escaped):
 *     `DELETE /admin/dead-letters/:key`;
 *   - Try now (a paused destination): `POST /admin/destinations/:name/probe`;
 *   - Send a test event: `POST /admin/destinations/:name/test-event` `{"test_event_code": …}`.
 *
 *   What each did is said beside the button that was clicked (a dead letter's card keeps its
 *   place and loses its buttons once done), never only at the top of a long page; a probe that
 *   closed the circuit reloads the page after a moment, so the alerts follow. Without a test code
 *   nothing is sent and the field asks for one. No inline handlers (the CSP forbids them): one
 *   delegated click listener on the document reads `data-` attributes, so it acts on the page
 *   whenever page.js has put it in.
 *
 * @example
 * ```ts
 * pageShell({ title, nonce, body, scripts: [CONSOLE_PAGE_PATH, CONSOLE_SCRIPT_PATH] });
 * ```
 */

/** Where the console page's renderer is served (public/console/page.js, built from src/console). */
export const CONSOLE_PAGE_PATH = "/console/page.js";
/** Where the console's buttons' script is served (public/console/console.js). */
export const CONSOLE_SCRIPT_PATH = "/console/console.js";
/** The route that answers the console's model as JSON to a logged-in reader (./routes). */
export const CONSOLE_MODEL_PATH = "/admin/console.json";
