/**
 * How the console words things: times ("4 min ago", with the exact UTC time on hover), shares,
 * modes, Meta's failures, its health signals, and the alerts a destination raises (an open
 * circuit, a refused token, a retired API version) with what to do about each. Pure: `now` comes
 * in. Values are returned as text or escaped fragments; the page decides where they go.
 *
 * @example
 * ```ts
 * ago(now - 240_000, now); // <time datetime="…" title="2026-11-25 18:56:00 UTC">4 min ago</time>
 * destinationAlerts(destination, now).map((a) => a.kind); // ["circuit", "token"]
 * ```
 */
import { html } from "hono/html";
import type { Html } from "./layout";
import type { ConsoleDestination, HealthSignal, MetaProblem } from "./model";

/** What a badge or alert means; the stylesheet colours it. */
export type Tone = "ok" | "warn" | "bad" | "muted";

/** Something about a destination the operator must see, with what to do. */
export interface Alert {
  kind: "circuit" | "token" | "version_retired" | "dry_run";
  tone: Tone;
  title: string;
  text: Html | string;
}

/** How each of Meta's health signals is named, and how grave it is. */
export const SIGNAL_LABELS: Record<HealthSignal["kind"], { title: string; tone: Tone }> = {
  version_warning: { title: "API version warning", tone: "warn" },
  version_retired: { title: "API version retired", tone: "bad" },
  token: { title: "token refused", tone: "bad" },
  throttle: { title: "throttled", tone: "warn" },
  permission: { title: "permission missing", tone: "warn" },
};

const CIRCUIT_CAUSES: Record<NonNullable<ConsoleDestination["circuit"]>["cause"], string> = {
  meta_refused: "Meta refuses this destination's configuration (token, permission or pixel id).",
  no_token: "The destination's access token secret is not set.",
  unknown_destination: "The settings no longer name this destination.",
  settings_unusable: "The relay's settings cannot be read.",
};

/**
 * A mode as the console names it.
 *
 * @example
 * ```ts
 * modeLabel("dry_run"); // "dry run"
 * ```
 */
export function modeLabel(mode: "live" | "dry_run" | "misconfigured"): string {
  return mode === "dry_run" ? "dry run" : mode;
}

/**
 * A share clamped to 0–1 (anything not a number is 0).
 *
 * @example
 * ```ts
 * share(1.2); // 1
 * ```
 */
export function share(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/**
 * A share (0–1) as a whole percentage.
 *
 * @example
 * ```ts
 * percent(0.123); // "12 %"
 * ```
 */
export function percent(value: number): string {
  return `${Math.round(share(value) * 100)} %`;
}

/**
 * A time in UTC, to the second.
 *
 * @example
 * ```ts
 * utc(Date.parse("2026-11-25T18:56:00Z")); // "2026-11-25 18:56:00 UTC"
 * ```
 */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * How long ago `at` was (or how soon it comes, when after `now`), in the largest fitting unit.
 *
 * @example
 * ```ts
 * relative(now - 90_000, now); // "1 min ago"
 * relative(now + 4 * 60_000, now); // "in 4 min"
 * ```
 */
export function relative(at: number, now: number): string {
  const seconds = Math.round(Math.abs(now - at) / 1000);
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 48 * 3600
          ? `${Math.floor(seconds / 3600)} h`
          : `${Math.floor(seconds / 86_400)} days`;
  if (seconds < 5) return "just now";
  return at > now ? `in ${amount}` : `${amount} ago`;
}

/**
 * {@link relative} in a `<time>` element whose hover title is the exact UTC time.
 *
 * @example
 * ```ts
 * ago(now - 240_000, now);
 * ```
 */
export function ago(at: number, now: number): Html {
  return html`<time datetime="${new Date(at).toISOString()}" title="${utc(at)}">${relative(at, now)}</time>`;
}

/**
 * The model's own time, as a `<time>` element (`2026-11-25 19:00 UTC`).
 *
 * @example
 * ```ts
 * clock(model.generatedAt);
 * ```
 */
export function clock(ms: number): Html {
  return html`<time datetime="${new Date(ms).toISOString()}">${utc(ms).replace(/:\d\d UTC$/, " UTC")}</time>`;
}

/**
 * A failure of Meta's in one line: HTTP status, Meta's code (and subcode), its message.
 *
 * @example
 * ```ts
 * failureText({ status: 400, code: 190, subcode: 463, message: "Session has expired" }); // "HTTP 400 · code 190/463 · Session has expired"
 * ```
 */
export function failureText(problem: Omit<MetaProblem, "at">): string {
  const parts: string[] = [];
  if (problem.status !== undefined) parts.push(`HTTP ${problem.status}`);
  if (problem.code !== undefined)
    parts.push(`code ${problem.code}${problem.subcode !== undefined ? `/${problem.subcode}` : ""}`);
  parts.push(problem.message);
  return parts.join(" · ");
}

/**
 * The alerts of a destination, gravest first: an open circuit (why, how many events it holds,
 * when it next tries), a token Meta refuses (code 190, or a token signal), a retired API version
 * (code 2635), or a dry run.
 *
 * @example
 * ```ts
 * destinationAlerts(sampleConsoleModel(now).destinations[1]!, now).map((a) => a.kind); // ["circuit", "token"]
 * ```
 */
export function destinationAlerts(d: ConsoleDestination, now: number): Alert[] {
  const alerts: Alert[] = [];
  if (d.circuit) {
    const c = d.circuit;
    alerts.push({
      kind: "circuit",
      tone: "bad",
      title: "Circuit open:",
      text: html`${CIRCUIT_CAUSES[c.cause] ?? c.cause} <span data-held>${c.held}</span> event${c.held === 1 ? "" : "s"} held${c.since !== undefined ? html` since ${ago(c.since, now)}` : ""}${c.nextProbeAt !== undefined ? html`; next probe ${ago(c.nextProbeAt, now)}` : ""}.${c.lastFailure ? html` Meta said: ${failureText(c.lastFailure)}` : ""}`,
    });
  }
  const tokenFailure = [d.circuit?.lastFailure, d.lastFailure].find((f) => f?.code === 190);
  const tokenSignal = d.signals.find((s) => s.kind === "token");
  if (tokenFailure || tokenSignal) {
    const expired =
      tokenFailure?.subcode === 463 ||
      /expired/i.test(tokenFailure?.message ?? "") ||
      (tokenSignal?.detail ?? "").endsWith("/463");
    alerts.push({
      kind: "token",
      tone: "bad",
      title: expired ? "Access token expired:" : "Access token refused:",
      text: html`${tokenFailure ? failureText(tokenFailure) : `Meta ${tokenSignal!.detail}`}. Generate a new token (Events Manager → the dataset → Settings → Conversions API) and store it with <code>wrangler secret put</code> under the destination's secret name.`,
    });
  }
  const retired = d.signals.find((s) => s.kind === "version_retired");
  if (retired) {
    alerts.push({
      kind: "version_retired",
      tone: "bad",
      title: "API version retired:",
      text: html`Meta refuses the Graph API version (${retired.detail}). Set <code>META_API_VERSION</code> to a current version.`,
    });
  }
  if (d.mode === "dry_run") {
    alerts.push({
      kind: "dry_run",
      tone: "muted",
      title: "Dry run:",
      text: "no access token, so events are built and logged but not sent.",
    });
  }
  return alerts;
}
