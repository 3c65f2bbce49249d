/**
 * How the console words things, for its two readers: a marketer (are my leads reaching Meta, is
 * anything wrong?) and an operator on call (what is failing, since when, what do I do). Plain
 * words first, the engineer's term after them in small type. Times ("4 min ago", the exact UTC
 * time on hover), shares, modes, durations; each destination's headline sentence; its counts as
 * a sum that adds up; Meta's failures and messages (once, cleaned); the alerts of its current
 * state with what to do about each (a command to paste); intake refusals and when they are too
 * many; ids shown safely. Pure: `now` comes in. Values are returned as text or escaped fragments;
 * the page decides where they go.
 *
 * @example
 * ```ts
 * ago(now - 240_000, now); // <time datetime="…" title="2026-11-25 18:56:00 UTC">4 min ago</time>
 * destinationAlerts(destination, now).map((a) => a.kind); // ["paused"]
 * headline(destination).map((c) => c.text); // ["226 of 241 leads reached Meta in 24 h", "5 not sent: the shopper declined", …]
 * ```
 */
import { html } from "hono/html";
import { failureText } from "../http/console/metaText";
import { metaErrorOf } from "../delivery/metaErrors";
import { type RefusalScope, refusalScope } from "../observe/incidents";
import { isPersonalId } from "../transform/eventId";
import type { Html } from "../http/console/layout";
import type {
  ConsoleDestination,
  ConsoleModel,
  DestinationCounts,
  DestinationMode,
  HealthSignal,
  Incident,
  MetaRefusal,
  WebhookCounts,
} from "../http/console/model";

/**
 * How long the queue waits before its first retry of a lead Meta could not take: the Worker's
 * `QUEUE_RETRY_POLICY.baseDelayMs` (src/delivery/policy.ts; words.test.ts checks they agree),
 * written here so the browser bundle does not carry the delivery policy's module for one number.
 */
export const FIRST_RETRY_DELAY_MS = 20_000;

/** What a badge or alert means; the stylesheet colours it. */
export type Tone = "ok" | "warn" | "bad" | "muted";

/** Something about a destination the reader must see, with what to do. */
export interface Alert {
  kind:
    | "paused"
    | "held"
    | "unavailable"
    | "throttled"
    | "recovered"
    | "version_retired"
    | "dry_run"
    | "dead_letters_filing";
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

/**
 * A destination's mode as the console names it: plain words, never "misconfigured" for a token
 * Meta stopped taking (nobody changed anything).
 *
 * @example
 * ```ts
 * modeLabel("dry_run"); // "dry run"
 * modeLabel("paused");  // "paused"
 * ```
 */
export function modeLabel(mode: DestinationMode | ConsoleModel["relay"]["mode"]): string {
  switch (mode) {
    case "dry_run":
      return "dry run";
    case "misconfigured":
      return "action needed";
    case "waiting":
      return "waiting for Meta";
    default:
      return mode;
  }
}

/**
 * The tone of a mode's badge.
 *
 * @example
 * ```ts
 * modeTone("paused"); // "bad"
 * ```
 */
export function modeTone(mode: DestinationMode | ConsoleModel["relay"]["mode"]): Tone {
  switch (mode) {
    case "live":
      return "ok";
    case "dry_run":
      return "muted";
    case "waiting":
      return "warn";
    default:
      return "bad";
  }
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
 * A duration in words, in its two largest units.
 *
 * @example
 * ```ts
 * duration(216_000); // "3 min 36 s"
 * duration(900_000); // "15 min"
 * ```
 */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/**
 * How long leads take to reach Meta, in words. The figures are the upper bounds of histogram
 * ranges, so they read "within".
 *
 * @example
 * ```ts
 * latencyWords({ p50: 120_000, p95: 900_000, count: 127 });
 * // "Half of the leads reached Meta within 2 min, almost all (95 %) within 15 min"
 * ```
 */
export function latencyWords(latency: { p50: number; p95: number }): string {
  return `Half of the leads reached Meta within ${shortDuration(latency.p50)}, almost all (95 %) within ${shortDuration(latency.p95)}`;
}

function shortDuration(ms: number): string {
  return ms < 1000 ? "a second" : duration(ms);
}

/**
 * The hint of a destination: the weakest key's, and for the phone, which part of the gap can be
 * fixed. A shopper who gave no phone is nobody's mistake; one who gave a phone the relay could
 * not read (most often without its country code) is fixed by a country in the quiz or
 * `DEFAULT_COUNTRY`.
 *
 * @example
 * ```ts
 * destinationHint({ hint: "ph on 74 %: …", matchKeys: { ph: 0.74 }, unusableKeys: { ph: 0.07 } });
 * // "Phone on 74 % of delivered leads: 7 % of shoppers gave one Meta can't use (…); 19 % gave none."
 * ```
 */
export function destinationHint(
  d: Pick<ConsoleDestination, "hint" | "matchKeys" | "unusableKeys">,
): string | undefined {
  if (!d.hint?.startsWith("ph ")) return d.hint;
  const on = share(d.matchKeys.ph ?? 0);
  const unusable = Math.min(1 - on, share(d.unusableKeys.ph ?? 0));
  const none = Math.max(0, 1 - on - unusable);
  const parts = [
    ...(unusable > 0
      ? [
          `${percent(unusable)} of shoppers gave one Meta can't use (most often without a country code: add a country to the quiz, or set DEFAULT_COUNTRY)`,
        ]
      : []),
    `${percent(none)} gave none${unusable > 0 ? "" : " (nothing to fix, unless the quiz asks for a phone Studio does not map: shopper.phone)"}`,
  ];
  return `Phone on ${percent(on)} of delivered leads: ${parts.join("; ")}.`;
}

// ── Meta's words ──

// Meta's failures in one line: said by the Worker too ("Try now"), so they live beside its routes.
export { failureCodes, failureText, metaWords } from "../http/console/metaText";

/**
 * The command that stores a destination's token, to paste.
 *
 * @example
 * ```ts
 * secretCommand("META_ACCESS_TOKEN"); // "npx wrangler secret put META_ACCESS_TOKEN"
 * ```
 */
export function secretCommand(secret: string): string {
  return `npx wrangler secret put ${secret}`;
}

function tokenFix(d: ConsoleDestination): Html {
  return html`Generate a new token (Events Manager → the dataset → Settings → Conversions API) and store it: <code class="command">${secretCommand(d.tokenSecret)}</code> <small>(locally: <code>${d.tokenSecret}=…</code> in <code>.dev.vars</code>)</small>`;
}

// ── Ids ──

/**
 * An id as the page may show it: one that carries an email address or a phone number is never
 * shown; bidirectional and control characters are shown escaped (`\u202e`), so one id cannot be
 * made to look like another.
 *
 * @example
 * ```ts
 * shownId("cartful.ses_1.1");           // "cartful.ses_1.1"
 * shownId("cartful.ses_\u202e1.1");     // "cartful.ses_\\u202e1.1"
 * shownId("cartful.jane@example.com.1"); // undefined
 * ```
 */
export function shownId(id: string): string | undefined {
  if (isPersonalId(id)) return undefined;
  return id.replace(
    // C0 and C1 controls, zero-width and bidirectional marks, embeddings, overrides and isolates.
    // oxlint-disable-next-line no-control-regex -- matching them is the point
    /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** What the page says instead of an id it does not show. */
export const HIDDEN_ID = "(id not shown: it carries an email or phone number)";

// ── Counts that add up ──

/** One part of a destination's routed leads, in plain words and the engineer's term. */
export interface CountPart {
  key: keyof DestinationCounts | "on_its_way";
  label: string;
  term: string;
  value: number;
}

/**
 * The parts a destination's routed leads add up to (the contract's sum): delivered, not sent
 * (consent, or a type the relay does not relay: the contract's `skipped`), duplicates, refused by Meta, dry runs, held now, and what is still on its way
 * (the rest: queued, retrying, or counted meanwhile).
 *
 * @example
 * ```ts
 * leadParts({ routed: 10, sent: 6, skipped: 1, filtered: 0, duplicate: 1, dead_lettered: 1, dry_run: 0, held: 0, retried: 4 }, 0)
 *   .find((p) => p.key === "on_its_way")?.value; // 1
 * ```
 */
export function leadParts(counts: DestinationCounts, heldNow: number): CountPart[] {
  const settled = counts.sent + counts.skipped + counts.duplicate + counts.dead_lettered + counts.dry_run;
  const held = Math.min(heldNow, Math.max(0, counts.routed - settled));
  return [
    { key: "sent", label: "Delivered to Meta", term: "sent", value: counts.sent },
    {
      key: "skipped",
      label: "Not sent: the shopper declined",
      term: "skipped (consent)",
      value: Math.max(0, counts.skipped - counts.filtered),
    },
    {
      key: "filtered",
      label: "Not sent: a Studio event type the relay does not relay",
      term: "filtered, part of skipped",
      value: counts.filtered,
    },
    {
      key: "duplicate",
      label: "Repeats Studio sent again, delivered once",
      term: "duplicate",
      value: counts.duplicate,
    },
    {
      key: "dead_lettered",
      label: "Refused by Meta, kept for review",
      term: "dead-lettered",
      value: counts.dead_lettered,
    },
    { key: "dry_run", label: "Built but not sent (dry run)", term: "dry_run", value: counts.dry_run },
    { key: "held", label: "Waiting for a fix (held now)", term: "held", value: held },
    {
      key: "on_its_way",
      label: "Still on its way (queued or retrying)",
      term: "in flight",
      value: Math.max(0, counts.routed - settled - held),
    },
  ];
}

// ── The headline ──

/** One clause of a destination's headline, linking to its detail. */
export interface Clause {
  text: string;
  href: string;
  tone: Tone;
}

/**
 * A destination's headline for the marketer, one clause per fact, each linking to its detail:
 * how many leads reached Meta of those routed in 24 h, how many were not sent because the
 * shopper declined, how many repeats Studio sent, how many wait for a fix (a paused or held
 * destination), how many need someone (dead letters), how many are still on their way.
 *
 * @example
 * ```ts
 * headline(d).map((c) => c.text).join("; ");
 * // "226 of 241 leads reached Meta in 24 h; 5 not sent because the shopper declined; 4 need you"
 * ```
 */
export function headline(d: ConsoleDestination): Clause[] {
  const c = d.counts["24h"];
  const card = `#destination-${d.name}`;
  const clauses: Clause[] = [];
  if (d.mode === "dry_run") {
    clauses.push({
      text: `Dry run: ${c.dry_run} of ${c.routed} leads built and logged in 24 h, none sent`,
      href: `${card}-counts`,
      tone: "muted",
    });
    return clauses;
  }
  const parts = leadParts(c, d.heldNow);
  const value = (key: CountPart["key"]) => parts.find((p) => p.key === key)?.value ?? 0;
  // A webhook of a type the relay does not relay is routed (the contract's sum) but is no lead: it
  // has its own clause below.
  const leads = c.routed - c.filtered;
  if (leads <= 0) {
    clauses.push({ text: "No lead in the last 24 h", href: `${card}-counts`, tone: "muted" });
  } else {
    const share = c.sent / Math.max(1, c.routed - c.skipped - c.duplicate);
    clauses.push({
      text: `${c.sent} of ${leads} ${plural(leads, "lead")} reached Meta in 24 h`,
      href: `${card}-counts`,
      tone: share >= 0.95 ? "ok" : share >= 0.8 ? "warn" : "bad",
    });
  }
  const declined = value("skipped");
  if (declined > 0)
    clauses.push({ text: `${declined} not sent because the shopper declined`, href: `${card}-counts`, tone: "muted" });
  if (c.filtered > 0)
    clauses.push({
      text: `${c.filtered} of a Studio event type the relay does not relay`,
      href: `${card}-counts`,
      tone: "muted",
    });
  if (c.duplicate > 0)
    clauses.push({
      text: `${c.duplicate} ${plural(c.duplicate, "repeat")} from Studio delivered once`,
      href: `${card}-counts`,
      tone: "muted",
    });
  if (d.mode === "waiting")
    clauses.push({ text: `${d.heldNow} waiting for Meta to answer again`, href: `${card}-alerts`, tone: "warn" });
  if (d.mode === "paused" || d.mode === "held")
    clauses.push({
      text: `${d.mode}: ${d.heldNow} waiting for a fix`,
      href: `${card}-alerts`,
      tone: "bad",
    });
  if (d.deadLettersWaiting > 0)
    clauses.push({
      text: `${d.deadLettersWaiting} need${d.deadLettersWaiting === 1 ? "s" : ""} you`,
      href: "#dead-letters",
      tone: "bad",
    });
  const waiting = value("on_its_way");
  if (waiting > 0)
    clauses.push({
      text: `${waiting} on ${waiting === 1 ? "its" : "their"} way`,
      href: `${card}-alerts`,
      tone: "warn",
    });
  return clauses;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

// ── Alerts of the current state ──

/**
 * The refusal of Meta's that describes the destination now: its open circuit's, else the last
 * failure when it is newer than the last acceptance (an older one is history, not an alert).
 *
 * @example
 * ```ts
 * currentRefusal(d)?.code; // 190 while the token is refused; undefined once Meta accepts again
 * ```
 */
export function currentRefusal(d: ConsoleDestination): MetaRefusal | undefined {
  if (d.circuit) return d.circuit.lastFailure;
  const failure = d.lastFailure;
  if (!failure) return undefined;
  if (d.lastAccepted && d.lastAccepted.at >= failure.at) return undefined;
  return failure;
}

/** What a configuration refusal of Meta's is about, for its advice. */
function configurationKind(r: MetaRefusal | undefined): "token" | "pixel" | "permission" | "version" | "other" {
  if (!r) return "other";
  if (r.code === 100 && r.subcode === 33) return "pixel";
  switch (metaErrorOf(r.code, r.subcode)?.signal) {
    case "token":
      return "token";
    case "permission":
      return "permission";
    case "version_retired":
      return "version";
    default:
      return "other";
  }
}

/** How long a recovery stays on the card, as a green note, after it happened. */
export const RECOVERY_SHOWN_MS = 60 * 60_000;

/**
 * The alerts of a destination's current state, gravest first. Past trouble is not an alert: it
 * is in the incident history ({@link incidentText}).
 *
 * - Paused (its circuit is open because Meta refuses its configuration): what Meta refuses (the
 *   token, the pixel, a permission, the API version) and the fix, how many leads wait, when the
 *   next automatic try is. Meta's words once.
 * - Held (its token secret is unset, or the circuit cannot find its settings): the command.
 * - Meta unavailable or throttling (failing since the last acceptance, for reasons of its own):
 *   since when, how many leads wait, when the next try is, and that nothing needs doing yet.
 * - Recovered (the last incident ended within the hour): when, after how long, what was released.
 * - Dead letters being filed (the counter is ahead of the list for up to 30 s).
 * - A retired API version Meta named after the last acceptance; a dry run.
 *
 * @example
 * ```ts
 * destinationAlerts(paused, now).map((a) => a.kind); // ["paused"]
 * ```
 */
export function destinationAlerts(d: ConsoleDestination, now: number): Alert[] {
  const alerts: Alert[] = [];
  const refusal = currentRefusal(d);
  const waiting = leadParts(d.counts["24h"], d.heldNow).find((p) => p.key === "on_its_way")!.value;
  if (d.circuit) alerts.push(circuitAlert(d, d.circuit, now));
  else if (d.mode === "held") {
    alerts.push({
      kind: "held",
      tone: "bad",
      title: "Held: no access token.",
      text: html`The secret <code>${d.tokenSecret}</code> is not set, so this destination's leads wait (nothing is lost). Set it: <code class="command">${secretCommand(d.tokenSecret)}</code> <small>(locally: <code>${d.tokenSecret}=…</code> in <code>.dev.vars</code>)</small>`,
    });
  }
  if (!d.circuit && refusal && refusalScope(refusal) === "transient") {
    const open = d.incidents.find((i) => i.endedAt === undefined);
    const since = d.failingSince ?? open?.startedAt ?? d.lastFailure?.at ?? now;
    const throttled = metaErrorOf(refusal.code, refusal.subcode)?.throttle === true || refusal.status === 429;
    const nextTry = (d.lastFailure?.at ?? now) + FIRST_RETRY_DELAY_MS;
    alerts.push({
      kind: throttled ? "throttled" : "unavailable",
      tone: "warn",
      title: throttled ? "Meta is slowing us down" : "Meta unavailable",
      text: html`since ${ago(since, now)}: <strong data-waiting>${waiting}</strong> ${plural(waiting, "lead")} waiting; next try ${nextTry > now ? html`by ${ago(nextTry, now)}` : "any moment"}, then at growing intervals. Nothing to do yet: the relay retries for hours. <small>Meta said: ${failureText(refusal)}</small>`,
    });
  }
  const recovered = d.incidents[0];
  if (!refusal && recovered?.endedAt !== undefined && now - recovered.endedAt < RECOVERY_SHOWN_MS) {
    alerts.push({ kind: "recovered", tone: "ok", title: "Recovered", text: html`${incidentRecovery(recovered, now)}` });
  }
  const filing = deadLettersFiling(d, now);
  if (filing > 0) {
    alerts.push({
      kind: "dead_letters_filing",
      tone: "warn",
      title: "Being filed:",
      text: `${filing} refused by Meta, being filed with the dead letters (up to 30 s).`,
    });
  }
  const retired = d.signals.find((s) => s.kind === "version_retired");
  if (retired && !(d.lastAccepted && d.lastAccepted.at > retired.lastAt) && configurationKind(refusal) !== "version") {
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
      text: "the relay has no access token (or DRY_RUN is set), so leads are built and logged but not sent.",
    });
  }
  return alerts;
}

function circuitAlert(d: ConsoleDestination, c: NonNullable<ConsoleDestination["circuit"]>, now: number): Alert {
  const held = html`<strong data-held>${c.held}</strong> ${plural(c.held, "lead")} waiting${c.since !== undefined ? html` since ${ago(c.since, now)}` : ""} (nothing is lost)${c.nextProbeAt !== undefined ? html`; next automatic try ${c.nextProbeAt > now ? ago(c.nextProbeAt, now) : "any moment"}` : ""}.`;
  const said = c.lastFailure
    ? html` <small>Meta said: ${failureText(c.lastFailure)}${c.lastFailure.fbtraceId ? html` · support reference <code>${c.lastFailure.fbtraceId}</code>` : ""}</small>`
    : "";
  switch (c.cause) {
    case "no_token":
      return {
        kind: "held",
        tone: "bad",
        title: "Held: no access token.",
        text: html`The secret <code>${d.tokenSecret}</code> is not set. ${held} Set it: <code class="command">${secretCommand(d.tokenSecret)}</code> <small>(locally: <code>${d.tokenSecret}=…</code> in <code>.dev.vars</code>)</small>`,
      };
    case "unknown_destination":
      return {
        kind: "held",
        tone: "bad",
        title: "Held:",
        text: html`the settings no longer name this destination. ${held} Put it back in <code>DESTINATIONS</code>, or discard what it holds.`,
      };
    case "settings_unusable":
      return { kind: "held", tone: "bad", title: "Held:", text: html`the relay's settings cannot be read. ${held}` };
    case "meta_unavailable":
      return {
        kind: "unavailable",
        tone: "warn",
        title: "Meta unavailable",
        text: html`for minutes now: ${held} Nothing to do yet: the relay tries again on its own and sends them all once Meta answers.${said}`,
      };
    case "meta_refused":
      break;
  }
  switch (configurationKind(c.lastFailure)) {
    case "token": {
      const expired = c.lastFailure?.subcode === 463 || /expired/i.test(c.lastFailure?.message ?? "");
      return {
        kind: "paused",
        tone: "bad",
        title: expired ? "Paused: Meta refuses the token (expired)." : "Paused: Meta refuses the token.",
        text: html`${held} ${tokenFix(d)}${said}`,
      };
    }
    case "pixel":
      return {
        kind: "paused",
        tone: "bad",
        title: "Paused: Meta can't find the pixel.",
        text: html`Meta can't find pixel <code>${d.pixelId}</code> with this token. ${held} Check the pixel id (${d.name === "default" ? html`<code>META_PIXEL_ID</code>` : html`<code>pixel_id</code> of <code>${d.name}</code> in <code>DESTINATIONS</code>`}; Events Manager → Data sources → the dataset's ID), and that the token's system user has this dataset assigned.${said}`,
      };
    case "permission":
      return {
        kind: "paused",
        tone: "bad",
        title: "Paused: the token lacks a permission.",
        text: html`${held} Give the token's system user access to this dataset (Business settings → Users → System users → Assign assets), or generate a token that has it and store it: <code class="command">${secretCommand(d.tokenSecret)}</code>.${said}`,
      };
    case "version":
      return {
        kind: "paused",
        tone: "bad",
        title: "Paused: Meta no longer serves this API version.",
        text: html`${held} Set <code>META_API_VERSION</code> to a current version and deploy.${said}`,
      };
    case "other":
      return {
        kind: "paused",
        tone: "bad",
        title: "Paused: Meta refuses this destination's settings.",
        text: html`${held}${said}`,
      };
  }
}

/** How long after Meta refuses an event the dead-letter list may still lag its counter (the queue's 30 s batch, and a margin). */
export const FILING_MS = 45_000;

/**
 * How many of a destination's dead letters are counted but not listed yet: only just after Meta
 * refused an event (the dead-letter queue's consumer files them within 30 s); 0 otherwise, since
 * a re-driven or discarded letter also leaves the list and stays counted.
 *
 * @example
 * ```ts
 * deadLettersFiling(d, now); // 4 while the list lags the counter, else 0
 * ```
 */
export function deadLettersFiling(d: ConsoleDestination, now: number): number {
  const failure = d.lastFailure;
  if (!failure || now - failure.at > FILING_MS || refusalScope(failure) !== "event") return 0;
  return Math.max(0, d.counts["24h"].dead_lettered - d.deadLettersWaiting);
}

// ── Incidents ──

const SCOPE_WORDS: Record<Exclude<RefusalScope, "event">, string> = {
  transient: "Meta unavailable",
  configuration: "Meta refused the settings",
};

/**
 * What an incident was, in a few words: "Token refused", "Pixel not found", "Meta unavailable".
 *
 * @example
 * ```ts
 * incidentCause({ scope: "configuration", signal: "token", refusal: { code: 190, message: "" } } as Incident); // "Token refused"
 * ```
 */
export function incidentCause(incident: Incident): string {
  switch (configurationKind(incident.refusal)) {
    case "token":
      return "Token refused";
    case "pixel":
      return "Pixel not found";
    case "permission":
      return "Permission missing";
    case "version":
      return "API version retired";
    case "other":
      if (incident.signal === "throttle") return "Meta slowing us down";
      return SCOPE_WORDS[incident.scope];
  }
}

/**
 * How an incident ended: when, after how long, what was held and delivered since.
 *
 * @example
 * ```ts
 * incidentRecovery(incident, now);
 * // "at 06:56:47 UTC (3 min ago), after 3 min 36 s. 56 held leads released; 56 delivered since."
 * ```
 */
export function incidentRecovery(incident: Incident, now: number): Html {
  if (incident.endedAt === undefined) return html`still going, since ${ago(incident.startedAt, now)}`;
  const lasted = duration(incident.endedAt - incident.startedAt);
  const released =
    incident.held > 0
      ? html` ${incident.held} held ${plural(incident.held, "lead")} released; ${incident.deliveredAfter >= incident.held ? "all" : incident.deliveredAfter} delivered since.`
      : "";
  return html`at <time datetime="${new Date(incident.endedAt).toISOString()}" title="${utc(incident.endedAt)}">${utc(incident.endedAt).slice(11, 19)} UTC</time> (${relative(incident.endedAt, now)}), after ${lasted}.${released}`;
}

// ── Refused on arrival ──

/** Share of the webhooks refused (unauthorized or invalid) above which the console raises an alert. */
export const REFUSAL_ALERT_SHARE = 0.05;
/** …and not before this many, so one stray request on a quiet day raises nothing. */
export const REFUSAL_ALERT_MIN = 3;

/**
 * The alerts of the webhooks refused on arrival over 24 h, when they pass a share of the
 * traffic that came with credentials: a wrong secret in Studio (unauthorized, less the anonymous
 * noise), a broken mapping (invalid).
 *
 * @example
 * ```ts
 * intakeAlerts({ received: 100, unauthorized: 10, invalid: 0, anonymous: 0 }).map((a) => a.kind); // ["unauthorized"]
 * ```
 */
export function intakeAlerts(webhooks: WebhookCounts): { kind: "unauthorized" | "invalid"; text: string }[] {
  const alerts: { kind: "unauthorized" | "invalid"; text: string }[] = [];
  // Anonymous requests (no credential at all) are noise from the internet, not Studio: left out.
  const fromSenders = Math.max(1, webhooks.received - webhooks.anonymous);
  const wrongSecret = Math.max(0, webhooks.unauthorized - webhooks.anonymous);
  const over = (n: number) => n >= REFUSAL_ALERT_MIN && n / fromSenders >= REFUSAL_ALERT_SHARE;
  if (over(wrongSecret))
    alerts.push({
      kind: "unauthorized",
      text: `${percent(wrongSecret / fromSenders)} of the webhooks in 24 h carried the wrong secret (${wrongSecret}). Check the Authorization header of Studio's integration: it must be Bearer and the relay's WEBHOOK_SECRET.`,
    });
  if (over(webhooks.invalid))
    alerts.push({
      kind: "invalid",
      text: `${percent(webhooks.invalid / fromSenders)} of the webhooks in 24 h were refused as unreadable or incomplete (${webhooks.invalid}), and Studio does not send them again. Check the field mapping of Studio's integration (reasons below).`,
    });
  return alerts;
}

/**
 * The reasons of recent intake refusals, counted and gravest-first: "4 × shopper.email: Not a valid email address".
 *
 * @example
 * ```ts
 * refusalReasons([{ code: "invalid_webhook", status: 422, issues: ["shopper.email: Required"], at: 0 }]);
 * // [{ reason: "shopper.email: Required", count: 1 }]
 * ```
 */
export function refusalReasons(refusals: ConsoleModel["refusals"]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of refusals) {
    const reasons = r.issues.length > 0 ? r.issues : [REFUSAL_CODES.get(r.code) ?? r.code];
    for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}

/** The intake refusals' codes in plain words. */
export const REFUSAL_CODES: ReadonlyMap<string, string> = new Map([
  ["unauthorized", "wrong or missing secret"],
  ["invalid_json", "not JSON"],
  ["unsupported_media_type", "not sent as JSON"],
  ["payload_too_large", "over 64 KiB"],
  ["unreadable_body", "body cut off"],
  ["invalid_webhook", "does not match the schema"],
]);
