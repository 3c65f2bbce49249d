/**
 * The log lines of accepted requests, summed: one line a second per isolate (or per
 * {@link IDS_PER_LINE} ids, whichever comes first) that lists the requests' ids, rather than a
 * line per request. Only what went as expected is summed: a webhook put on the queue, a browser
 * body queued or a known bot's. Refusals, errors, skips, dry-run events and sent-at-once webhooks
 * keep their own line, at once.
 *
 * Why: a log line is the dearest thing a request does after the answer. Workers Logs bill each one
 * beyond the plan's allowance (a queued webhook's line cost as much as its Durable Object and queue
 * work together; BENCHMARKS.md "The bill"), and under `wrangler dev` each line crosses the inspector
 * to wrangler's process, which took a quarter of the relay's throughput. An accepted request's
 * line said little that is not elsewhere: its event id is in the consumer's `capi_request` line
 * when Meta takes it, its match keys in the console's counts and recent events. What is kept here
 * is enough to find a request: its event id (and Studio's, for a webhook), how many requests and
 * events the line stands for, and the slowest one's latency.
 *
 * A line waits at most {@link SUMMARY_AFTER_MS}, kept alive after the answer by the request's
 * `waitUntil`; an isolate that dies before then loses the line, never an event.
 *
 * @example
 * ```ts
 * const summary = { sleep: runtime.sleep, waitUntil: (p) => ctx.waitUntil(p) };
 * summariseAccepted(runtime.log, { msg: "webhook", route: "webhook", outcome: "queued", status: 202 },
 *   { event_id: "cartful.ses_1.1", studio_event_id: "evt_1", latency_ms: 3 }, summary);
 * // a second later, with the others of that second:
 * // {"level":"info","msg":"webhook","route":"webhook","outcome":"queued","status":202,"requests":2,
 * //  "event_ids":["cartful.ses_1.1","cartful.ses_2.1"],"studio_event_ids":["evt_1","evt_2"],"latency_ms":4}
 * ```
 */
import { IDS_PER_LINE, type LogFields, type LogSink, logLine } from "./log";
import type { Runtime } from "./runtime";

/** How long an accepted request's line waits for company before it is written. */
export const SUMMARY_AFTER_MS = 1000;

/** What a summary line says of all its requests alike: which line it is. */
export type SummaryKind = Required<Pick<LogFields, "msg" | "route" | "outcome" | "status">>;

/** What one accepted request adds to its summary line. */
export interface SummaryEntry {
  latency_ms: number;
  event_id?: string;
  studio_event_id?: string;
  /** The events the request carried (a browser body's), summed into `batch_size`. */
  events?: number;
}

/** How a summary line is kept for later: the clock to wait on, and the request's `waitUntil` if it has one. */
export interface SummarySchedule extends Pick<Runtime, "sleep"> {
  waitUntil?: (promise: Promise<unknown>) => void;
}

interface Summary {
  kind: SummaryKind;
  requests: number;
  eventIds: string[];
  studioEventIds: string[];
  events: number;
  latencyMs: number;
}

/** Per log sink (one per isolate in production): the lines being summed, by kind. */
const summaries = new WeakMap<LogSink, Map<string, Summary>>();

/**
 * Adds an accepted request to its kind's summary line: the first of a second schedules the line;
 * the request that brings its ids to {@link IDS_PER_LINE} writes it at once.
 */
export function summariseAccepted(
  sink: LogSink,
  kind: SummaryKind,
  entry: SummaryEntry,
  schedule: SummarySchedule,
): void {
  let byKind = summaries.get(sink);
  if (!byKind) summaries.set(sink, (byKind = new Map()));
  const key = `${kind.msg} ${kind.route} ${kind.outcome} ${kind.status}`;
  let summary = byKind.get(key);
  if (!summary) {
    summary = { kind, requests: 0, eventIds: [], studioEventIds: [], events: 0, latencyMs: 0 };
    byKind.set(key, summary);
    const later = schedule.sleep(SUMMARY_AFTER_MS).then(() => writeSummary(sink, key, summary!));
    if (schedule.waitUntil) schedule.waitUntil(later);
    else void later;
  }
  summary.requests++;
  summary.latencyMs = Math.max(summary.latencyMs, entry.latency_ms);
  if (entry.event_id !== undefined) summary.eventIds.push(entry.event_id);
  if (entry.studio_event_id !== undefined) summary.studioEventIds.push(entry.studio_event_id);
  if (entry.events !== undefined) summary.events += entry.events;
  if (summary.eventIds.length >= IDS_PER_LINE || summary.studioEventIds.length >= IDS_PER_LINE) {
    writeSummary(sink, key, summary);
  }
}

/**
 * Writes every summary line of `sink` now (a test, or before reading the log).
 *
 * @example
 * ```ts
 * flushSummaries(lines.push.bind(lines));
 * ```
 */
export function flushSummaries(sink: LogSink): void {
  for (const [key, summary] of summaries.get(sink) ?? []) writeSummary(sink, key, summary);
}

/** Writes `summary` if it is still the one being summed under `key` (the scheduled write of a line written early does nothing). */
function writeSummary(sink: LogSink, key: string, summary: Summary): void {
  const byKind = summaries.get(sink);
  if (byKind?.get(key) !== summary) return;
  byKind.delete(key);
  logLine(sink, {
    ...summary.kind,
    requests: summary.requests,
    ...(summary.eventIds.length > 0 ? { event_ids: summary.eventIds } : {}),
    ...(summary.studioEventIds.length > 0 ? { studio_event_ids: summary.studioEventIds } : {}),
    ...(summary.events > 0 ? { batch_size: summary.events } : {}),
    latency_ms: summary.latencyMs,
  });
}
