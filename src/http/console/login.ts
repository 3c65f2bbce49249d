/**
 * The console's other pages: the login form `GET /admin` shows without a session (never any
 * data), and the notice it shows when the console is switched off (`ADMIN_SECRET` unset). No
 * script; the form posts `secret` to `POST /admin/login`.
 *
 * @example
 * ```ts
 * renderLogin({ nonce }); // the form
 * renderLogin({ nonce, problem: "That is not the ADMIN_SECRET." }); // the form again, with why
 * ```
 */
import { html } from "hono/html";
import { type Html, noticeBody, pageShell } from "./layout";
import { SESSION_TTL_SECONDS } from "../session";

/** The form field the secret is posted in. */
export const SECRET_FIELD = "secret";

/**
 * The login page.
 *
 * @param options.problem why the last try failed (our words, never what was typed)
 * @example
 * ```ts
 * return new Response(renderLogin({ nonce }), { status: 200, headers: pageHeaders(nonce) });
 * ```
 */
export function renderLogin(options: { nonce: string; problem?: string }): string {
  const body = html`<main class="login">
<section>
<h1>Meta CAPI relay</h1>
<p>Log in to the operator console with its password, the relay's <code>ADMIN_SECRET</code>.</p>
${options.problem ? html`<div class="alert bad" role="alert" data-login-problem>${options.problem}</div>` : ""}
<form method="post" action="/admin/login">
<input type="text" name="username" value="admin" autocomplete="username" hidden>
<label for="secret">Console password <small>(ADMIN_SECRET)</small></label>
<input type="password" id="secret" name="${SECRET_FIELD}" autocomplete="current-password" required autofocus>
<button type="submit" class="primary">Log in</button>
</form>
<p><small>The session lasts ${SESSION_TTL_SECONDS / 3600} hours in this browser only. Rotating <code>ADMIN_SECRET</code> logs everyone out. Scripts can skip this and send <code>Authorization: Bearer &lt;ADMIN_SECRET&gt;</code>.</small></p>
</section>
</main>`;
  return pageShell({ title: "Log in · Meta CAPI relay", nonce: options.nonce, body });
}

/**
 * A page that only says something (the console switched off, its data unreadable): `text` is
 * one paragraph of plain text, or a fragment of this folder's own escaped HTML.
 *
 * @example
 * ```ts
 * renderNotice({ nonce, title: "The console is off", text: "Set the ADMIN_SECRET secret." });
 * ```
 */
export function renderNotice(options: { nonce: string; title: string; text: string | Html }): string {
  const body = noticeBody(options);
  return pageShell({ title: `${options.title} · Meta CAPI relay`, nonce: options.nonce, body });
}
