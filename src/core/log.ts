/**
 * One structured JSON log line per webhook or browser body (those accepted summed, a line a
 * second per isolate: ./logSummary), per queued event's fate, or per request of events Meta
 * accepted. The fields are a closed list of things that are never personal: ids, outcomes,
 * counts, timings, Meta's trace id and error code. There is no field for an email, phone, name,
 * IP, token or secret, so none can be logged by accident. Ids come from outside: a line never
 * carries an invisible or direction-changing character from one as it is (./shownText: a JSON
 * escape, the same id once parsed), so a line in a terminal or a log viewer shows every id as what
 * it is.
 *
 * @example
 * ```ts
 * logLine(console.log, { msg: "webhook", outcome: "sent", event_id: "cartful.ses_1.1", attempts: 1,
 *   latency_ms: 212, fbtrace_id: "AbC" });
 * // {"level":"info","msg":"webhook","outcome":"sent",…}
 * ```
 */
import { jsonWithoutInvisible } from "./shownText";

export interface LogFields {
  msg: string;
  outcome: string;
  level?: "info" | "warn" | "error";
  route?: string;
  status?: number;
  event_id?: string;
  /** The events of one request Meta accepted (`capi_request` lines), or of a summary line's requests (./logSummary), by `event_id`. */
  event_ids?: string[];
  studio_event_id?: string;
  /** A summary line's webhooks (./logSummary), by Studio's event id. */
  studio_event_ids?: string[];
  /** How many requests a summary line (./logSummary) stands for. */
  requests?: number;
  auth?: string;
  reason?: string;
  attempts?: number;
  /** ms from the request to its answer; in a summary line (./logSummary), the slowest request's. */
  latency_ms?: number;
  fbtrace_id?: string;
  meta_code?: number;
  meta_subcode?: number;
  events_received?: number;
  dry_run?: boolean;
  pixel_id?: string;
  /** The destination's name (`default` for the single pixel). */
  destination?: string;
  /** Per-destination outcomes of a webhook: name and outcome, nothing else. */
  destinations?: { name: string; outcome: string }[];
  /** Events a held destination keeps, and the probes made since it was held. */
  held?: number;
  probes?: number;
  /** The name of a secret that is unset (e.g. `META_ACCESS_TOKEN_EU`); a name, never a value. */
  secret?: string;
  delay_seconds?: number;
  batch_size?: number;
  replays?: number;
  /** The match report: `user_data` keys sent, and why each key given was dropped (names and reasons, never values). */
  keys?: string[];
  dropped?: Record<string, string>;
  /** Paths of invalid fields, never their values. */
  issues?: string[];
  /** The finished event in dry run, with `client_ip_address` removed (hashes and user agent stay). */
  event?: unknown;
}

export type LogSink = (line: string) => void;

/** Event ids in one log line (a `capi_request` line, a summary line): a line stays a few KB. */
export const IDS_PER_LINE = 100;

/** The Workers runtime's log: Workers Logs and `wrangler tail` read stdout. */
export const consoleSink: LogSink = (line) => console.log(line);

export function logLine(sink: LogSink, fields: LogFields): void {
  const { level = "info", ...rest } = fields;
  sink(jsonWithoutInvisible(JSON.stringify({ level, ...rest })));
}
