/**
 * The relay's metrics, pure: what one recording carries (a {@link MetricsBatch}), how the
 * webhook route's and the consumer's outcomes become one, hourly buckets, the latency histogram,
 * and how stored counts become the `/admin/metrics` answer and the console's coverage hint.
 * The store is ./metricsStore (a Durable Object); nothing here does I/O or reads a clock.
 *
 * Counter names: webhook-level `received`, `unauthorized`, `invalid`, `anonymous`, and the browser route's
 * `browser_requests`, `browser_events`, `browser_refused`, `browser_rate_limited`,
 * `browser_invalid`, `browser_bots` (destination `""`); per destination `routed`, `sent`,
 * `skipped`, `duplicate`, `retried`, `dead_lettered`, `dead_letter_recovered` (a re-driven dead
 * letter Meta then accepted), `held`, `dry_run`, `failed`, `key:{user_data key}` (sent events
 * carrying it), `unusable:{user_data key}` (routed webhooks whose shopper gave it in a form the
 * relay could not use), `lat:{bucket}` (ms from intake to Meta's acceptance). Browser events are
 * also counted per destination and Meta event name ({@link EventNameCount}: `routed`, `sent`,
 * `skipped`, `dry_run`, `dead_lettered`), so the console can show them beside the leads. Nothing
 * personal: names, counts and Meta's codes.
 *
 * The counts add up (the contract's "Operator console"): once nothing is held or on its way,
 * `routed` = `sent` + `skipped` + `duplicate` + `dead_lettered` + `dry_run` on the queued path.
 * For that, a lead is counted `sent` however it got there (the consumer, a circuit's probe, a
 * release, a re-drive), a redelivery `duplicate` (the consumer's intake claim, or the direct
 * path's), an event `dead_lettered` once however often it is re-driven and refused again, and a
 * re-driven dead letter Meta accepts leaves `dead_lettered` (`dead_letter_recovered`).
 *
 * @example
 * ```ts
 * const batch = consumerBatch(report, Date.now());
 * metricsAnswer(rows, "24h", destinations); // { window: "24h", webhooks: {…}, destinations: { default: { sent: 10, … } } }
 * ```
 */
import { nullRecord } from "../core/records";
import type { BatchReport } from "../delivery/consumer";
import { failureScope, type GraphFailure } from "../delivery/graph";
import { metaErrorOf, type MetaRefusal, type MetaSignal, refusalOf } from "../delivery/metaErrors";
import { USER_DATA_KEYS, type UserDataKey } from "../transform/userData";
import type { IntakeRefusal } from "./incidents";

export const HOUR_MS = 3_600_000;

/** The windows `/admin/metrics` answers for, and their length. */
export const WINDOWS = { "1h": HOUR_MS, "24h": 24 * HOUR_MS, "7d": 7 * 24 * HOUR_MS } as const;
export type MetricsWindow = keyof typeof WINDOWS;

/** How long hourly buckets are kept: a week and a day, so "7d" is always whole. */
export const RETENTION_MS = 8 * 24 * HOUR_MS;

/** One event's outcome, as the console lists recent events. */
export interface RecentEvent {
  /** ms */
  at: number;
  eventId: string;
  destination: string;
  /** `filtered`: skipped because the relay does not relay its Studio type (`skipped` is consent's). */
  outcome: "sent" | "retry" | "held" | "dead_lettered" | "dry_run" | "skipped" | "filtered" | "failed" | "queued";
  /** `user_data` keys the event carried (names only). */
  keys: string[];
  fbtraceId?: string;
}

/** Meta's refusal and when it came (ms), as the console shows the last one. */
export type MetaProblem = MetaRefusal & { at: number };

/** What Meta tells the operator to act on: a signal of one of its codes, or a version warning header. */
export type SignalKind = "version_warning" | MetaSignal;

/** A sign from Meta, shown once however often it came. */
export interface HealthSignal {
  kind: SignalKind;
  detail: string;
  firstAt: number;
  lastAt: number;
  count: number;
}

/** What is counted per Meta event name. */
export type EventNameCounter = "routed" | "sent" | "skipped" | "dry_run" | "dead_lettered";

/** Every {@link EventNameCounter}, in the answer's order. */
export const EVENT_NAME_COUNTERS: readonly EventNameCounter[] = [
  "routed",
  "sent",
  "skipped",
  "dry_run",
  "dead_lettered",
];

/**
 * A count per destination and Meta event name, for events of one origin (today the browser's:
 * a webhook is one lead, counted by the destination's own counters).
 */
export interface EventNameCount {
  destination: string;
  origin: "browser";
  /** The Meta event name (from the settings' `browser_events`, never from a request). */
  eventName: string;
  name: EventNameCounter;
  n: number;
}

/** One recording: counts per hour and destination, plus what the console shows of the latest. */
export interface MetricsBatch {
  /** ms: the hour the counts belong to. */
  at: number;
  /** `destination` `""` for the webhook-level and browser-level counters. */
  counts: { destination: string; name: string; n: number }[];
  /** Counts per Meta event name (absent in a batch from before they were kept). */
  eventNames?: EventNameCount[];
  recent: RecentEvent[];
  accepted: { destination: string; at: number; fbtraceId?: string }[];
  failures: (MetaProblem & { destination: string })[];
  signals: { destination: string; kind: SignalKind; detail: string; at: number }[];
  /** Webhooks refused on arrival (./incidents): absent or empty when none. */
  refusals?: (IntakeRefusal & { at: number })[];
}

/** An empty batch for the hour of `at`. */
export function emptyBatch(at: number): MetricsBatch {
  return { at, counts: [], recent: [], accepted: [], failures: [], signals: [] };
}

/**
 * Batches summed as they come, for the buffer of one isolate (./recorder), which takes a batch
 * per request: each is added in place, in time proportional to its own size rather than to
 * everything buffered so far (summing pure batch by batch copied the buffer every time, ~3 % of
 * the browser route's CPU in the profile). {@link BatchSum.batch} answers what summing them one
 * after the other, each time a copy, made.
 *
 * @example
 * ```ts
 * const sum = new BatchSum(Date.now());
 * sum.add(webhookBatch(record, Date.now()));
 * await store.record(sum.batch());
 * ```
 */
export class BatchSum {
  private at: number;
  private readonly counts = new Map<string, MetricsBatch["counts"][number]>();
  private readonly eventNames = new Map<string, EventNameCount>();
  private recent: RecentEvent[] = [];
  private readonly accepted: MetricsBatch["accepted"] = [];
  private readonly failures: MetricsBatch["failures"] = [];
  private readonly signals: MetricsBatch["signals"] = [];
  private refusals: NonNullable<MetricsBatch["refusals"]> = [];

  /** @param at ms: the hour of the sum, until a later batch's. */
  constructor(at: number) {
    this.at = at;
  }

  /** Adds a batch (it is not changed, nor kept: its counts are copied). */
  add(batch: MetricsBatch): void {
    this.at = Math.max(this.at, batch.at);
    for (const c of batch.counts) {
      const key = `${c.destination}\u0000${c.name}`;
      const known = this.counts.get(key);
      if (known) known.n += c.n;
      else this.counts.set(key, { ...c });
    }
    for (const c of batch.eventNames ?? []) {
      const key = eventNameKey(c);
      const known = this.eventNames.get(key);
      if (known) known.n += c.n;
      else this.eventNames.set(key, { ...c });
    }
    this.recent = lastOf(this.recent, batch.recent);
    this.accepted.push(...batch.accepted);
    this.failures.push(...batch.failures);
    this.signals.push(...batch.signals);
    this.refusals = lastOf(this.refusals, batch.refusals ?? []);
  }

  /** The sum as one batch. */
  batch(): MetricsBatch {
    return {
      at: this.at,
      counts: [...this.counts.values()].map((c) => ({ ...c })),
      ...(this.eventNames.size > 0 ? { eventNames: [...this.eventNames.values()].map((c) => ({ ...c })) } : {}),
      recent: this.recent.slice(-MAX_RECENT),
      accepted: [...this.accepted],
      failures: [...this.failures],
      signals: [...this.signals],
      refusals: this.refusals.slice(-MAX_RECENT),
    };
  }
}

/** `list` with `more` after it, cut back to the last {@link MAX_RECENT} only once it holds twice as many. */
function lastOf<T>(list: T[], more: readonly T[]): T[] {
  list.push(...more);
  return list.length > 2 * MAX_RECENT ? list.slice(-MAX_RECENT) : list;
}

function eventNameKey(c: EventNameCount): string {
  return [c.destination, c.origin, c.eventName, c.name].join("\u0000");
}

/** Recent events kept, and carried by one batch at most. */
export const MAX_RECENT = 200;

/** Upper bounds (ms) of the latency histogram's buckets; the last is open. */
export const LATENCY_BUCKETS_MS = [
  250,
  500,
  1000,
  2000,
  5000,
  10_000,
  30_000,
  60_000,
  120_000,
  300_000,
  900_000,
  3_600_000,
  21_600_000,
  Number.POSITIVE_INFINITY,
];

/**
 * The counter of a latency's histogram bucket.
 *
 * @example
 * ```ts
 * latencyCounter(1500); // "lat:3" (1–2 s)
 * ```
 */
export function latencyCounter(ms: number): string {
  return `lat:${LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound)}`;
}

/**
 * A percentile from histogram counts: the upper bound of the bucket it falls in (the last,
 * open bucket reports its lower bound).
 *
 * @example
 * ```ts
 * latencyPercentile({ "lat:3": 9, "lat:6": 1 }, 0.5); // 2000
 * ```
 */
export function latencyPercentile(counts: Record<string, number>, q: number): number | undefined {
  const buckets = LATENCY_BUCKETS_MS.map((_, i) => counts[`lat:${i}`] ?? 0);
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= q * total)
      return Number.isFinite(LATENCY_BUCKETS_MS[i]!) ? LATENCY_BUCKETS_MS[i]! : LATENCY_BUCKETS_MS[i - 1]!;
  }
  return undefined;
}

/**
 * The health signal a failure is, if any: the one ../delivery/metaErrors gives its code (a
 * retired version, a token refused, a missing permission, throttling), or throttling for an HTTP
 * 429 without a code.
 *
 * @example
 * ```ts
 * signalOf({ ok: false, transient: false, status: 400, code: 190, subcode: 463, message: "…" }); // { kind: "token", detail: "190/463" }
 * ```
 */
export function signalOf(
  failure: Pick<GraphFailure, "status" | "code" | "subcode">,
): { kind: SignalKind; detail: string } | undefined {
  const { code, subcode, status } = failure;
  const detail =
    code === undefined ? `HTTP ${status ?? "?"}` : subcode === undefined ? String(code) : `${code}/${subcode}`;
  const kind = metaErrorOf(code, subcode)?.signal ?? (status === 429 ? "throttle" : undefined);
  return kind === undefined ? undefined : { kind, detail };
}

/**
 * What one consumer batch adds to the metrics, per destination.
 *
 * @param now ms
 */
export function consumerBatch(report: BatchReport, now: number): MetricsBatch {
  const batch = emptyBatch(now);
  // Summed here: a batch of 100 events is a few dozen counter rows, not one per event and key.
  const counts = new Map<string, MetricsBatch["counts"][number]>();
  const eventNames = new Map<string, EventNameCount>();
  for (const [destination, r] of report) {
    const add = (name: string, n: number) => {
      if (n <= 0) return;
      const key = `${destination}\u0000${name}`;
      const known = counts.get(key);
      if (known) known.n += n;
      else counts.set(key, { destination, name, n });
    };
    add("sent", r.sent);
    add("retried", r.retried);
    add("dead_lettered", r.deadLettered);
    add("held", r.held);
    add("dry_run", r.dryRun ?? 0);
    add("duplicate", r.duplicate ?? 0);
    add("dead_letter_recovered", r.recovered ?? 0);
    for (const e of r.events) {
      if (e.origin !== "browser" || e.eventName === undefined) continue;
      if (e.outcome === "sent" || e.outcome === "dead_lettered")
        addEventName(eventNames, { destination, origin: "browser", eventName: e.eventName, name: e.outcome, n: 1 });
    }
    for (const ms of r.latenciesMs) add(latencyCounter(ms), 1);
    for (const keys of r.sentKeys) for (const key of keys) add(`key:${key}`, 1);
    batch.recent.push(
      ...r.events.map((e) => ({
        at: now,
        destination,
        eventId: e.eventId,
        outcome: e.outcome,
        keys: e.keys,
        ...(e.fbtraceId ? { fbtraceId: e.fbtraceId } : {}),
      })),
    );
    if (r.lastAccepted) batch.accepted.push({ destination, ...r.lastAccepted });
    if (r.lastFailure) {
      const { at, ...problem } = r.lastFailure;
      batch.failures.push({ destination, at, ...problem });
      const signal = signalOf(problem);
      if (signal) batch.signals.push({ destination, ...signal, at });
    }
    if (r.versionWarning)
      batch.signals.push({ destination, kind: "version_warning", detail: r.versionWarning, at: now });
  }
  batch.counts = [...counts.values()];
  if (eventNames.size > 0) batch.eventNames = [...eventNames.values()];
  batch.recent = batch.recent.slice(-MAX_RECENT);
  return batch;
}

function addEventName(into: Map<string, EventNameCount>, count: EventNameCount): void {
  const known = into.get(eventNameKey(count));
  if (known) known.n += count.n;
  else into.set(eventNameKey(count), { ...count });
}

/** What became of a `POST /collect/cartful` request, for the metrics. */
export interface BrowserRecord {
  /** `accepted` (202, events planned), or why not: 403, 429, 400/413/415/422, a known bot, or anything else (503). */
  outcome: "accepted" | "refused" | "rate_limited" | "invalid" | "bot" | "other";
  /** The events of an accepted request (0 otherwise). */
  events: number;
  /** Each event's share per destination: routed to it, then queued, logged in dry run, or skipped for consent. */
  deliveries: { destination: string; eventName: string; status: "queued" | "dry_run" | "skipped" }[];
}

/** The browser route's request-level counter for each outcome but `accepted`. */
const BROWSER_OUTCOME_COUNTERS = {
  refused: "browser_refused",
  rate_limited: "browser_rate_limited",
  invalid: "browser_invalid",
  bot: "browser_bots",
} as const;

/**
 * What one browser request adds to the metrics: `browser_requests`, then `browser_events` (its
 * events, when accepted) or the counter of its refusal; per destination `routed` and `dry_run` /
 * `skipped` as for a webhook, and the same per Meta event name.
 *
 * @param now ms
 * @example
 * ```ts
 * browserBatch({ outcome: "accepted", events: 2, deliveries: [{ destination: "default", eventName: "AddToCart", status: "queued" }] }, Date.now());
 * // counts: browser_requests 1, browser_events 2, default routed 1; eventNames: default AddToCart routed 1
 * ```
 */
export function browserBatch(record: BrowserRecord, now: number): MetricsBatch {
  const batch = emptyBatch(now);
  const counts = new Map<string, MetricsBatch["counts"][number]>();
  const add = (destination: string, name: string, n = 1) => {
    if (n <= 0) return;
    const key = `${destination}\u0000${name}`;
    const known = counts.get(key);
    if (known) known.n += n;
    else counts.set(key, { destination, name, n });
  };
  const eventNames = new Map<string, EventNameCount>();
  add("", "browser_requests");
  if (record.outcome === "accepted") add("", "browser_events", record.events);
  else if (record.outcome !== "other") add("", BROWSER_OUTCOME_COUNTERS[record.outcome]);
  for (const { destination, eventName, status } of record.deliveries) {
    add(destination, "routed");
    addEventName(eventNames, { destination, origin: "browser", eventName, name: "routed", n: 1 });
    if (status === "queued") continue;
    add(destination, status);
    addEventName(eventNames, { destination, origin: "browser", eventName, name: status, n: 1 });
  }
  batch.counts = [...counts.values()];
  if (eventNames.size > 0) batch.eventNames = [...eventNames.values()];
  return batch;
}

/**
 * What became of a webhook at the route, for the metrics (no destination chosen: `destinations`
 * empty). `unauthorized`: it never authenticated (a wrong credential, or one that could not be
 * checked); `anonymous`: it never authenticated and brought no credential at all (no
 * `Authorization`, no signature header: noise, not a Studio with the wrong secret); `invalid`: it
 * authenticated, and was refused before a destination was chosen.
 */
export interface WebhookRecord {
  outcome: "accepted" | "unauthorized" | "anonymous" | "invalid" | "other";
  eventId?: string;
  /** Keys of the user data the events carry. */
  keys?: string[];
  /** Keys the shopper gave that the relay could not use (an unreadable phone, a malformed email…): names only. */
  dropped?: string[];
  destinations: WebhookDestinationRecord[];
  /** Why a webhook was refused on arrival (`unauthorized`, `invalid`): codes and paths, never values. */
  refusal?: IntakeRefusal;
}

/** One destination's share of a webhook at the route. */
export type WebhookDestinationRecord = { name: string } & (
  | { status: "queued" | "duplicate" | "dry_run" | "in_flight" }
  | { status: "skipped" }
  /** Skipped because the relay does not relay its Studio type (`STUDIO_EVENT_TYPES`): counted `skipped` and `filtered`. */
  | { status: "filtered" }
  /** Direct path: the token secret is unset on a live relay and no queue holds the event (answered 503). */
  | { status: "no_token" }
  | { status: "sent"; attempts: number; latencyMs: number; fbtraceId?: string; versionWarning?: string }
  | { status: "failed"; attempts: number; failure: GraphFailure }
);

/**
 * What one webhook adds to the metrics: `received`, `unauthorized` or `invalid` (the contract's
 * webhook counters; an `anonymous` one counts `unauthorized` and `anonymous`); per destination `routed`, then `skipped` (and
 * `filtered`, for a Studio type the relay does not relay) / `dry_run`, or on the direct path
 * `sent` (with latency and keys), `retried` (attempts that failed and were retried) and `failed`.
 * A duplicate is routed but sends nothing again. Previews are not counted (the route does not call
 * this for them).
 *
 * @param now ms
 */
export function webhookBatch(record: WebhookRecord, now: number): MetricsBatch {
  const batch = emptyBatch(now);
  const add = (destination: string, name: string, n = 1) => n > 0 && batch.counts.push({ destination, name, n });
  add("", "received");
  if (record.outcome === "unauthorized" || record.outcome === "invalid") add("", record.outcome);
  if (record.outcome === "anonymous") {
    add("", "unauthorized");
    add("", "anonymous");
  }
  if (record.refusal) batch.refusals = [{ ...record.refusal, at: now }];
  const keys = record.keys ?? [];
  for (const d of record.destinations) {
    add(d.name, "routed");
    for (const key of record.dropped ?? []) add(d.name, `${UNUSABLE_PREFIX}${key}`);
    const recent = (outcome: RecentEvent["outcome"], fbtraceId?: string) =>
      record.eventId &&
      batch.recent.push({
        at: now,
        destination: d.name,
        eventId: record.eventId,
        outcome,
        keys,
        ...(fbtraceId ? { fbtraceId } : {}),
      });
    switch (d.status) {
      case "skipped":
        add(d.name, "skipped");
        recent("skipped");
        break;
      case "filtered":
        add(d.name, "skipped");
        add(d.name, "filtered");
        recent("filtered");
        break;
      case "dry_run":
        add(d.name, "dry_run");
        recent("dry_run");
        break;
      case "queued":
        recent("queued");
        break;
      case "duplicate":
        // The direct path's redelivery (the queued path's are counted by the consumer's claim).
        add(d.name, "duplicate");
        break;
      case "no_token":
        add(d.name, "failed");
        recent("failed");
        break;
      case "sent":
        add(d.name, "sent");
        add(d.name, "retried", d.attempts - 1);
        add(d.name, latencyCounter(d.latencyMs));
        for (const key of keys) add(d.name, `key:${key}`);
        batch.accepted.push({ destination: d.name, at: now, ...(d.fbtraceId ? { fbtraceId: d.fbtraceId } : {}) });
        if (d.versionWarning)
          batch.signals.push({ destination: d.name, kind: "version_warning", detail: d.versionWarning, at: now });
        recent("sent", d.fbtraceId);
        break;
      case "failed": {
        add(d.name, "failed");
        add(d.name, "retried", failureScope(d.failure) === "transient" ? d.attempts - 1 : 0);
        const { failure } = d;
        batch.failures.push({ destination: d.name, at: now, ...refusalOf(failure) });
        const signal = signalOf(failure);
        if (signal) batch.signals.push({ destination: d.name, ...signal, at: now });
        if (failure.versionWarning)
          batch.signals.push({ destination: d.name, kind: "version_warning", detail: failure.versionWarning, at: now });
        recent("failed", failure.fbtraceId);
        break;
      }
      default:
        break;
    }
  }
  return batch;
}

/** Counters summed over a window, by destination (`""` for the webhook-level ones). */
export type WindowCounts = Map<string, Record<string, number>>;

/** The counts of one destination in the `/admin/metrics` answer. */
export interface DestinationMetrics {
  /** Webhooks routed to it (consent skips included, previews not). */
  routed: number;
  /** Events Meta accepted, however they got there (first try, retry, a circuit's probe or release, a re-drive). */
  sent: number;
  /** Events not sent for consent or filtering. */
  skipped: number;
  /** Of `skipped`, webhooks of a Studio type the relay does not relay (`STUDIO_EVENT_TYPES`); the rest are consent's. */
  filtered: number;
  /** Redeliveries not sent again: the destination already had the event. */
  duplicate: number;
  /** Delivery attempts that failed and were retried (attempts, not events). */
  retried: number;
  /** Events that ended as dead letters: each once, however often re-driven; one re-driven and then accepted is `sent` instead. */
  dead_lettered: number;
  /** Times events were moved to the destination's circuit to wait (a total over the window). */
  held: number;
  /** Events the circuit holds now (when the caller asked it), apart from the window's total. */
  held_now?: number;
  /** Events built but not sent because the destination has no token. */
  dry_run: number;
  /** Webhooks the direct path (no queue) could not deliver; the caller was answered 502 to retry. */
  failed: number;
  /** Share (0 to 1) of sent events that carried each `user_data` key; empty when none was sent. */
  match_keys: Partial<Record<UserDataKey, number>>;
  /** ms from intake to Meta's acceptance, from the histogram (bucket upper bounds). */
  latency_ms?: { p50: number; p95: number; count: number };
  /**
   * Share (0 to 1) of routed webhooks whose shopper gave a `user_data` key the relay could not use
   * (e.g. a phone without a country code), per key; only keys seen. The console tells "gave none"
   * from "gave one Meta can't use" with it.
   */
  unusable_keys?: Partial<Record<UserDataKey, number>>;
  /** Browser events per Meta event name (null-prototype record); empty when none came. */
  browser_events: Record<string, Record<EventNameCounter, number>>;
}

/** The contract's `browser` block: what reached `POST /collect/cartful`. */
export interface BrowserMetrics {
  /** Every request (preflights excluded). */
  requests: number;
  /** Events of accepted requests. */
  events: number;
  /** Answered 403 (origin not allowed). */
  refused: number;
  /** Answered 429. */
  rate_limited: number;
  /** Answered 400, 413, 415 or 422. */
  invalid: number;
  /** From a known bot's user agent (answered 202, nothing sent). */
  bots: number;
}

/** The contract's `/admin/metrics` answer. */
export interface MetricsAnswer {
  window: MetricsWindow;
  /**
   * The contract's three counts, and `anonymous`: the `unauthorized` ones that brought no
   * credential at all. Authenticated traffic is `received - unauthorized`; of the rest,
   * `anonymous` is noise (scanners, bots), `unauthorized - anonymous` a sender with a wrong secret.
   */
  webhooks: { received: number; unauthorized: number; invalid: number; anonymous: number };
  browser: BrowserMetrics;
  destinations: Record<string, DestinationMetrics>;
}

/** Counts per destination and event name summed over a window, as the store answers them. */
export type WindowEventNameCounts = readonly Omit<EventNameCount, "origin">[];

/** What the answer reads besides the counters: browser events per Meta event name, and what each circuit holds now. */
export interface AnswerSources {
  eventNames?: WindowEventNameCounts;
  /** Per destination, the events its circuit holds now (`held_now`); absent: not asked. */
  heldNow?: ReadonlyMap<string, number>;
}

/**
 * The `/admin/metrics` answer from counters summed over the window: every configured
 * destination (zeros when it saw nothing), and any other that has counts (one renamed or
 * removed meanwhile).
 *
 * @example
 * ```ts
 * metricsAnswer(new Map([["", { received: 3 }], ["default", { routed: 3, sent: 2, "key:em": 2 }]]), "24h", ["default"]);
 * // { window: "24h", webhooks: { received: 3, unauthorized: 0, invalid: 0, anonymous: 0 },
 * //   destinations: { default: { routed: 3, sent: 2, …, match_keys: { em: 1, ph: 0, … } } } }
 * ```
 */
export function metricsAnswer(
  counts: WindowCounts,
  window: MetricsWindow,
  destinations: readonly string[],
  more: AnswerSources = {},
): MetricsAnswer {
  const webhook = counts.get("") ?? {};
  const names = [...new Set([...destinations, ...[...counts.keys()].filter((name) => name !== "")])];
  return {
    window,
    webhooks: {
      received: webhook.received ?? 0,
      unauthorized: webhook.unauthorized ?? 0,
      invalid: webhook.invalid ?? 0,
      anonymous: webhook.anonymous ?? 0,
    },
    browser: {
      requests: webhook.browser_requests ?? 0,
      events: webhook.browser_events ?? 0,
      refused: webhook.browser_refused ?? 0,
      rate_limited: webhook.browser_rate_limited ?? 0,
      invalid: webhook.browser_invalid ?? 0,
      bots: webhook.browser_bots ?? 0,
    },
    destinations: perDestination(names, counts, more),
  };
}

/** Keyed by destination names, which come from the settings: an object without a prototype (a destination may be named `constructor`). */
function perDestination(
  names: readonly string[],
  counts: WindowCounts,
  { eventNames = [], heldNow = new Map() }: AnswerSources,
): Record<string, DestinationMetrics> {
  const destinations = nullRecord<DestinationMetrics>();
  for (const name of names) {
    const metrics = destinationMetrics(counts.get(name) ?? {});
    const now = heldNow.get(name);
    destinations[name] = now === undefined ? metrics : { ...metrics, held_now: now };
  }
  for (const { destination, eventName, name, n } of eventNames) {
    const metrics = Object.hasOwn(destinations, destination) ? destinations[destination] : undefined;
    if (!metrics || !EVENT_NAME_COUNTERS.includes(name)) continue;
    const perName = Object.hasOwn(metrics.browser_events, eventName)
      ? metrics.browser_events[eventName]!
      : (metrics.browser_events[eventName] = zeroEventNameCounts());
    perName[name] += n;
  }
  return destinations;
}

function zeroEventNameCounts(): Record<EventNameCounter, number> {
  return { routed: 0, sent: 0, skipped: 0, dry_run: 0, dead_lettered: 0 };
}

function destinationMetrics(c: Record<string, number>): DestinationMetrics {
  const sent = c.sent ?? 0;
  const p50 = latencyPercentile(c, 0.5);
  const p95 = latencyPercentile(c, 0.95);
  const latencyCount = LATENCY_BUCKETS_MS.reduce((sum, _, i) => sum + (c[`lat:${i}`] ?? 0), 0);
  return {
    routed: c.routed ?? 0,
    sent,
    skipped: c.skipped ?? 0,
    filtered: c.filtered ?? 0,
    duplicate: c.duplicate ?? 0,
    retried: c.retried ?? 0,
    dead_lettered: Math.max(0, (c.dead_lettered ?? 0) - (c.dead_letter_recovered ?? 0)),
    held: c.held ?? 0,
    dry_run: c.dry_run ?? 0,
    failed: c.failed ?? 0,
    match_keys:
      sent === 0
        ? {}
        : Object.fromEntries(USER_DATA_KEYS.map((key) => [key, Math.min(1, (c[`key:${key}`] ?? 0) / sent)])),
    ...(p50 !== undefined && p95 !== undefined ? { latency_ms: { p50, p95, count: latencyCount } } : {}),
    ...unusableKeys(c),
    browser_events: nullRecord<Record<EventNameCounter, number>>(),
  };
}

/** Counter of a `user_data` key the shopper gave and the relay could not use (counted per routed webhook). */
export const UNUSABLE_PREFIX = "unusable:";

function unusableKeys(c: Record<string, number>): Pick<DestinationMetrics, "unusable_keys"> {
  const routed = c.routed ?? 0;
  const shares = USER_DATA_KEYS.flatMap((key) => {
    const n = c[`${UNUSABLE_PREFIX}${key}`] ?? 0;
    return n > 0 && routed > 0 ? [[key, Math.min(1, n / routed)] as const] : [];
  });
  return shares.length > 0 ? { unusable_keys: Object.fromEntries(shares) } : {};
}

/** The keys Meta weighs most, in the order a merchant can most easily add them, with what to do. */
const KEY_ADVICE: [UserDataKey, string][] = [
  ["em", "map the shopper's email in Studio's webhook"],
  ["ph", "map the shopper's phone in Studio, with the country (or DEFAULT_COUNTRY) for its calling code"],
  ["client_ip_address", "pass the shopper's IP address in context.ip"],
  ["client_user_agent", "pass the browser's user agent in context.user_agent"],
  ["fbp", "pass the _fbp cookie in context.fbp"],
  ["fbc", "pass the _fbc cookie, or the page URL with its fbclid, in context"],
  ["external_id", "map the store's customer id in shopper.customer_id"],
  ["fn", "map the shopper's first name"],
  ["ln", "map the shopper's last name"],
];

/**
 * A plain hint for the weakest of the keys Meta weighs most, when one is on less than 90 % of
 * sent events: the key, its share, and what to map in Studio.
 *
 * @example
 * ```ts
 * coverageHint({ em: 1, fbc: 0.12, fbp: 0.9, ph: 0.95, client_ip_address: 1, client_user_agent: 1 });
 * // "fbc on 12 %: pass the _fbc cookie, or the page URL with its fbclid, in context"
 * ```
 */
export function coverageHint(matchKeys: Partial<Record<UserDataKey, number>>): string | undefined {
  if (Object.keys(matchKeys).length === 0) return undefined;
  let weakest: [UserDataKey, string, number] | undefined;
  for (const [key, advice] of KEY_ADVICE) {
    const share = matchKeys[key] ?? 0;
    if (share < 0.9 && (weakest === undefined || share < weakest[2])) weakest = [key, advice, share];
  }
  if (weakest === undefined) return undefined;
  return `${weakest[0]} on ${Math.round(weakest[2] * 100)} %: ${weakest[1]}`;
}

/**
 * The start of the hour of `ms`.
 *
 * @example
 * ```ts
 * hourOf(Date.UTC(2026, 10, 25, 19, 42)); // Date.UTC(2026, 10, 25, 19)
 * ```
 */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
