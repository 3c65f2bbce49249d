/**
 * Incidents and intake refusals, pure: what the metrics store (./metricsStore) keeps so the
 * console can say what went wrong and when it ended, not only that counters moved.
 *
 * - An **incident** of a destination is a run of Meta refusals that concern every event alike
 *   (Meta down or throttling, or refusing our token, pixel or permissions), from its first failure
 *   to the first acceptance after its last one. Refusals of one event (code 100 with a 2804xxx
 *   subcode) are the event's problem and open none. While it lasts, the events the consumer moves
 *   to the circuit are counted as held; after it, the events Meta accepts are counted as
 *   delivered, up to the number held, so the console can say "56 held, 56 delivered since".
 * - An **intake refusal** is a webhook answered 400/401/413/415/422: its error code, status and
 *   the paths of what was wrong with a reason in the relay's own words, never a value, so the
 *   console can list why leads were refused on arrival without showing anything personal.
 *
 * @example
 * ```ts
 * refusalScope({ status: 503, code: 2 });                     // "transient"
 * refusalScope({ status: 400, code: 190, subcode: 463 });     // "configuration"
 * refusalScope({ status: 400, code: 100, subcode: 2804019 }); // "event"
 * nextIncident(undefined, { kind: "failure", at: 0, refusal: { status: 503, code: 2, message: "down" } });
 * // { startedAt: 0, lastFailureAt: 0, scope: "transient", failures: 1, held: 0, deliveredAfter: 0, … }
 * ```
 */
import { type MetaCodes, metaErrorOf, type MetaRefusal, type MetaSignal } from "../delivery/metaErrors";

/** What a refusal of Meta's is about, as far as incidents go (see ../delivery/metaErrors). */
export type RefusalScope = "transient" | "configuration" | "event";

/**
 * The scope of a refusal kept as codes: Meta's table first, then the HTTP status (no answer, a 5xx
 * or a 429 is transient; any other is taken as the event's, which opens no incident).
 *
 * @example
 * ```ts
 * refusalScope({}); // "transient": no answer came
 * ```
 */
export function refusalScope(codes: MetaCodes): RefusalScope {
  const meaning = metaErrorOf(codes.code, codes.subcode);
  if (meaning) return meaning.scope;
  const status = codes.status;
  return status === undefined || status >= 500 || status === 429 ? "transient" : "event";
}

/** One incident of a destination. */
export interface Incident {
  /** ms: the first failure. */
  startedAt: number;
  /** ms: the last failure seen. */
  lastFailureAt: number;
  /** The gravest scope seen: a configuration refusal outranks Meta being down. */
  scope: Exclude<RefusalScope, "event">;
  /** Meta's health signal of the last configuration refusal, if it had one (token, permission, …). */
  signal?: MetaSignal;
  /** Meta's last refusal (codes and its words, bounded as kept everywhere). */
  refusal: MetaRefusal;
  /** Refused requests during the incident. */
  failures: number;
  /** Events moved to the destination's circuit during the incident. */
  held: number;
  /** ms: the first acceptance after the last failure; absent while it lasts. */
  endedAt?: number;
  /** Events Meta accepted since it ended, counted up to `held`. */
  deliveredAfter: number;
}

/** What happens to a destination's incident. */
export type IncidentEvent =
  | { kind: "failure"; at: number; refusal: MetaRefusal }
  | { kind: "held"; n: number }
  | { kind: "accepted"; at: number }
  | { kind: "sent"; n: number };

/**
 * The destination's latest incident after `event`: a new one when a failure comes and none is
 * open, the open one grown, closed by an acceptance after its last failure, or (closed) counting
 * what was delivered since, up to what it held. `undefined` in, and nothing to open: `undefined`.
 * The answer is a new object whenever it changed; `latest` is never changed.
 *
 * @example
 * ```ts
 * let incident = nextIncident(undefined, { kind: "failure", at: 1000, refusal: { status: 500, message: "x" } });
 * incident = nextIncident(incident, { kind: "accepted", at: 61_000 }); // { …, endedAt: 61000 }
 * ```
 */
export function nextIncident(latest: Incident | undefined, event: IncidentEvent): Incident | undefined {
  const open = latest !== undefined && latest.endedAt === undefined ? latest : undefined;
  switch (event.kind) {
    case "failure": {
      const scope = refusalScope(event.refusal);
      if (scope === "event") return latest;
      const signal = metaErrorOf(event.refusal.code, event.refusal.subcode)?.signal;
      if (!open) {
        return {
          startedAt: event.at,
          lastFailureAt: event.at,
          scope,
          ...(signal ? { signal } : {}),
          refusal: event.refusal,
          failures: 1,
          held: 0,
          deliveredAfter: 0,
        };
      }
      // A transient failure during a configuration incident (a probe Meta could not answer) does
      // not hide the configuration's refusal: that is what needs fixing.
      const keepRefusal = open.scope === "configuration" && scope === "transient";
      const { signal: _, ...rest } = open;
      return {
        ...rest,
        lastFailureAt: Math.max(open.lastFailureAt, event.at),
        failures: open.failures + 1,
        scope: keepRefusal ? open.scope : scope,
        ...(keepRefusal ? (open.signal ? { signal: open.signal } : {}) : signal ? { signal } : {}),
        refusal: keepRefusal ? open.refusal : event.refusal,
      };
    }
    case "held":
      return open && event.n > 0 ? { ...open, held: open.held + event.n } : latest;
    case "accepted":
      return open && event.at >= open.lastFailureAt ? { ...open, endedAt: event.at } : latest;
    case "sent": {
      if (!latest || latest.endedAt === undefined || latest.deliveredAfter >= latest.held || event.n <= 0)
        return latest;
      return { ...latest, deliveredAfter: Math.min(latest.held, latest.deliveredAfter + event.n) };
    }
  }
}

// ── Intake refusals ──

/** A webhook refused on arrival, as kept and shown: codes and paths, never a value. */
export interface IntakeRefusal {
  /** The answer's error code (`invalid_webhook`, `unauthorized`, `invalid_json`, …). */
  code: string;
  /** The answer's HTTP status. */
  status: number;
  /** What was wrong, as `path: reason` in the relay's words (validation refusals only). */
  issues: string[];
}

/** Refusals kept by the store (the newest). */
export const MAX_INTAKE_REFUSALS = 100;

/** Issues kept per refusal, and the longest path kept. */
const MAX_ISSUES = 8;
const MAX_PATH = 80;

/**
 * The reasons the relay's own validation gives, kept as they are: they are its words, never the
 * sender's. Any other text (a schema library's, which could quote what it expected or got) is
 * kept as "invalid value".
 */
const KNOWN_REASONS: ReadonlySet<string> = new Set([
  "Required",
  "Not a valid email address",
  "Event time is in the future",
  "Event is older than the 7 days Meta accepts",
  "Expected an ISO 8601 timestamp, epoch seconds or epoch milliseconds",
]);

/**
 * An intake refusal from an answer's code, status and validation issues: paths bounded to
 * characters a path is made of (anything else escaped as `\uXXXX`), reasons kept only when they
 * are the relay's own fixed words.
 *
 * @example
 * ```ts
 * intakeRefusal("invalid_webhook", 422, [{ path: "shopper.email", message: "Not a valid email address" }]);
 * // { code: "invalid_webhook", status: 422, issues: ["shopper.email: Not a valid email address"] }
 * ```
 */
export function intakeRefusal(
  code: string,
  status: number,
  issues: readonly { path: string; message: string }[] = [],
): IntakeRefusal {
  return {
    code: safeText(code, 40),
    status,
    issues: issues.slice(0, MAX_ISSUES).map((issue) => {
      const path = safeText(issue.path, MAX_PATH) || "(body)";
      return `${path}: ${KNOWN_REASONS.has(issue.message) ? issue.message : "invalid value"}`;
    }),
  };
}

/** Text of letters, digits and `._-[]:` only (other characters escaped), at most `max` characters. */
function safeText(text: string, max: number): string {
  return text
    .slice(0, max)
    .replace(/[^A-Za-z0-9_.\-[\]:]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
