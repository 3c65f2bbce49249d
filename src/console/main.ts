/**
 * The console page's script, public/console/page.js (built from here by `npm run build:console`):
 * runs in the shell the Worker serves for `GET /admin` (../http/console/shell), reads the model
 * from `GET /admin/console.json` and puts the page (./page) in place of the shell's body. Every
 * value of the model reaches the page through Hono's escaping `html` tag, as text, never markup;
 * no inline script or style, so the shell's strict CSP holds.
 *
 * A session that ended meanwhile (401) or any other failure is said in the page, with a link back
 * to `/admin` (./page `pageBody`).
 *
 * @example
 * ```html
 * <script src="/console/page.js" nonce="…"></script>
 * ```
 */
import type { ConsoleModel } from "../http/console/model";
import { CONSOLE_MODEL_PATH } from "../http/console/script";
import { type ModelAnswer, pageBody } from "./page";

/**
 * The slice of the browser's DOM this script uses. The project is type-checked with the Worker's
 * runtime types (the model's types reach into the Worker's modules), which have no DOM; this
 * module says what it expects of the browser instead of mixing the two sets of globals.
 */
interface ShellElement {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}
interface ShellBody {
  innerHTML: string;
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): Iterable<ShellElement>;
}
interface Browser {
  document: {
    readyState: string;
    body: ShellBody;
    querySelector(selector: string): ShellElement | null;
    addEventListener(type: "DOMContentLoaded", listener: () => void, options: { once: boolean }): void;
  };
  fetch(path: string, init: { credentials: "same-origin"; headers: Record<string, string> }): Promise<Response>;
}
const browser = globalThis as unknown as Browser;
const { document } = browser;

async function readModel(): Promise<ModelAnswer> {
  let response: Response;
  try {
    response = await browser.fetch(CONSOLE_MODEL_PATH, {
      credentials: "same-origin",
      headers: { accept: "application/json" },
    });
  } catch {
    return { failed: "The relay could not be reached." };
  }
  if (response.status === 401) return { ended: true };
  if (!response.ok) return { failed: `Reload in a moment; the relay's log has the error (HTTP ${response.status}).` };
  return { model: (await response.json()) as ConsoleModel };
}

/** Adds the reader's own clock to each time's hover text (the page says UTC). */
function localTimes(root: ShellBody): void {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const local = new Date(time.getAttribute("datetime") ?? "");
    if (Number.isNaN(local.getTime())) continue;
    const title = time.getAttribute("title");
    time.setAttribute("title", `${title ? `${title} · ` : ""}${local.toLocaleString()} your time`);
  }
}

/** Once the shell is parsed (its scripts included), so nothing of it is replaced while loading. */
function parsed(): Promise<void> {
  if (document.readyState !== "loading") return Promise.resolve();
  return new Promise((resolve) => document.addEventListener("DOMContentLoaded", () => resolve(), { once: true }));
}

async function show(): Promise<void> {
  const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const [answer] = await Promise.all([readModel(), parsed()]);
  document.body.innerHTML = pageBody(answer, csrfToken);
  localTimes(document.body);
  document.body.dataset.console = "model" in answer ? "ready" : "ended" in answer ? "ended" : "failed";
}

void show();
