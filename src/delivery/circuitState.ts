/**
 * The rules of a destination's delivery circuit, as one pure transition: from the circuit's
 * state and what just happened, the next state, the alarm to set and the log line to write.
 * The Durable Object (./circuit) loads the state, calls {@link nextCircuitState}, stores what it
 * answers, and acts: the probe's request to Meta, putting held events back on the queue,
 * dead-lettering, the alarm and the log. No I/O and no clock here: `now` is passed in.
 *
 * The rules, in short: the first refusal of the configuration opens the circuit and schedules a
 * probe 30 s later; so does a sustained transient outage (`meta_unavailable`: the consumer reports
 * each batch whose requests all failed transiently, and the circuit opens once
 * `OUTAGE_MIN_FAILED_REQUESTS` failed in a row over at least `OUTAGE_MIN_MS`, none accepted
 * between; a report that one got through, or a gap longer than {@link OUTAGE_GAP_MS}, starts
 * over); each probe the configuration still fails doubles the wait, up to 10 minutes;
 * a probe Meta could not answer (down, throttled, a timeout) says nothing of the configuration and
 * does not double it; a probe that gets through closes the circuit; a missing token or destination
 * the consumer sees again is probed at once rather than at the next wait.
 *
 * @example
 * ```ts
 * const step = nextCircuitState(state, { kind: "hold", destination: "eu", cause: { kind: "no_token" } }, now);
 * // step.state.open === true, step.alarm: { at: now + 30_000 }, step.log: { outcome: "circuit_opened", … }
 * ```
 */
import type { LogFields } from "../core/log";
import type { GraphFailure } from "./graph";
import type { CircuitStatus, HoldCause } from "./holds";
import { type MetaRefusal, refusalCodes, refusalLogFields, refusalOf } from "./metaErrors";
import { type DeadLetter, deadLetterKey, type QueuedEvent } from "./messages";
import { OUTAGE_MIN_FAILED_REQUESTS, OUTAGE_MIN_MS, probeDelayMs } from "./policy";

// ── State ──

/** A circuit as stored, and how many events it holds. */
export interface CircuitState {
  /** The destination whose events it holds (unset until the first hold). */
  destination?: string;
  open: boolean;
  /** Why it is open (or was, last). */
  cause?: HoldCause["kind"];
  /** When it opened (ms). */
  since?: number;
  /** Probes the configuration failed since it opened. */
  probes: number;
  /** When the next probe is due (ms), while open. */
  nextProbeAt?: number;
  /** Meta's last refusal of the configuration, kept after it closes for the console. */
  lastFailure?: MetaRefusal;
  /** Events held (counted from storage; a transition never changes it). */
  held: number;
  /**
   * While closed: the run of transiently failed requests the consumer reported, none accepted
   * between: since when (ms), how many, and the last report (ms).
   */
  failing?: { since: number; requests: number; lastAt: number };
}

/**
 * A run of failures is one outage only while reports keep coming: after this long without one
 * (longer than a message's longest backoff, 4 min, and a batch's wait), the next starts a new run.
 */
export const OUTAGE_GAP_MS = 6 * 60_000;

/** The causes the consumer can see are gone (it has the token, the destination, readable settings). */
const SEEN_BY_CONSUMER: ReadonlySet<HoldCause["kind"]> = new Set([
  "no_token",
  "unknown_destination",
  "settings_unusable",
]);

/** A probe's alarm never fires sooner than this after the last one (a busy loop otherwise). */
const MIN_PROBE_GAP_MS = 1000;

// ── Events ──

/** What happens to a circuit. */
export type CircuitEvent =
  /** The consumer moves a destination's events here (after they were stored); `cause` undefined: "it is open, add these". */
  | { kind: "hold"; destination: string; cause: HoldCause | undefined }
  /** The console's "retry now". */
  | { kind: "probe_requested" }
  /** The consumer found the destination's settings usable, with a token, again (a token put back). */
  | { kind: "settings_usable" }
  /** Its status was read: a lost alarm is armed again. */
  | { kind: "status_read" }
  /** A probe got through: Meta accepted its event or judged only the event, or nothing was left to probe. */
  | { kind: "probe_accepted" }
  /** A probe found the configuration still broken: Meta refused it, or the token, destination or settings are missing. */
  | { kind: "probe_refused"; cause: HoldCause }
  /** A probe Meta could not answer (down, throttled, a timeout): no verdict on the configuration. */
  | { kind: "probe_transient"; failure: GraphFailure }
  /** A probe (alarm) ended, whatever came of it: the next alarm while events are held or it is open. */
  | { kind: "probe_ended" }
  /**
   * The consumer's batch for the destination: `requests` requests failed transiently (not
   * throttled) and none was accepted. Opens the circuit (`meta_unavailable`) on a sustained run.
   */
  | { kind: "transient_failed"; destination: string; requests: number; failure: GraphFailure }
  /** The consumer's batch got a request through after failures were reported: the run is over. */
  | { kind: "delivered" };

// ── Transition ──

/** Setting the alarm: at `at`, replacing any; with `ifNone`, only when none is set (a sooner one stays). */
export interface AlarmChange {
  at: number;
  ifNone?: true;
}

/** What a transition answers: the next state (the same object when nothing changed), the alarm, the log line. */
export interface CircuitStep {
  state: CircuitState;
  alarm?: AlarmChange;
  /** A `circuit` log line's fields; never Meta's free text. */
  log?: Omit<LogFields, "msg">;
}

/**
 * The circuit's rules: see the module's comment. Pure; `state` is never changed.
 *
 * @param now ms
 * @example
 * ```ts
 * nextCircuitState({ open: false, probes: 0, held: 2 }, { kind: "hold", destination: "eu", cause: { kind: "no_token" } }, 0);
 * // { state: { open: true, cause: "no_token", since: 0, probes: 0, nextProbeAt: 30000, … }, alarm: { at: 30000 }, log: … }
 * ```
 */
export function nextCircuitState(state: CircuitState, event: CircuitEvent, now: number): CircuitStep {
  switch (event.kind) {
    case "hold":
      return event.cause === undefined
        ? heldMore(state, event.destination, now)
        : heldFor(state, event.destination, event.cause, now);
    case "probe_requested":
      return state.held > 0 || state.open ? { state, alarm: { at: now } } : { state };
    case "settings_usable":
      if (!state.open || !state.cause || !SEEN_BY_CONSUMER.has(state.cause) || (state.nextProbeAt ?? 0) <= now)
        return { state };
      return { state: { ...state, nextProbeAt: now }, alarm: { at: now } };
    case "status_read":
      return state.held > 0 ? { state, alarm: { at: now + probeDelayMs(state.probes), ifNone: true } } : { state };
    case "probe_accepted":
      // The held events go back on the queue (the object's part); Meta's last refusal stays for the console.
      return {
        state: {
          ...without(state, ["cause", "since", "nextProbeAt", "failing"]),
          open: false,
          probes: 0,
        },
      };
    case "probe_refused": {
      const failure = "failure" in event.cause ? event.cause.failure : undefined;
      return stillOpen(state, {
        cause: event.cause.kind,
        probes: state.probes + 1,
        lastFailure: failure ? refusalOf(failure) : state.lastFailure,
        logged: {
          reason: event.cause.kind,
          failure,
          ...(event.cause.kind === "no_token" && event.cause.secret ? { secret: event.cause.secret } : {}),
        },
        now,
      });
    }
    case "probe_transient":
      // A probe Meta could not answer says nothing of the configuration: the wait does not grow,
      // and the refusal kept for the console stays the configuration's.
      return stillOpen(state, {
        cause: state.cause ?? "meta_refused",
        probes: state.probes,
        lastFailure: state.lastFailure,
        logged: { reason: "probe_transient", failure: event.failure },
        now,
      });
    case "probe_ended": {
      const alarm = probeAlarm(state, now);
      return alarm ? { state, alarm } : { state };
    }
    case "transient_failed":
      return transientFailed(state, event, now);
    case "delivered":
      return state.failing ? { state: without(state, ["failing"]) } : { state };
  }
}

/** A batch whose requests all failed transiently: the run grows, and a sustained one opens the circuit. */
function transientFailed(
  state: CircuitState,
  event: Extract<CircuitEvent, { kind: "transient_failed" }>,
  now: number,
): CircuitStep {
  if (state.open) return heldMore(state, event.destination, now);
  const run = state.failing && now - state.failing.lastAt <= OUTAGE_GAP_MS ? state.failing : undefined;
  const failing = { since: run?.since ?? now, requests: (run?.requests ?? 0) + event.requests, lastAt: now };
  if (failing.requests >= OUTAGE_MIN_FAILED_REQUESTS && now - failing.since >= OUTAGE_MIN_MS) {
    return heldFor(
      without(state, ["failing"]),
      event.destination,
      { kind: "meta_unavailable", failure: event.failure },
      now,
    );
  }
  return { state: { ...state, destination: event.destination, failing } };
}

/** Events added to a circuit thought open: should it have closed meanwhile, they are probed at once. */
function heldMore(state: CircuitState, destination: string, now: number): CircuitStep {
  return {
    state: { ...state, destination },
    alarm: state.open ? { at: state.nextProbeAt ?? now, ifNone: true } : { at: now },
  };
}

/** A hold for a cause: opens a closed circuit (probe in 30 s), or updates an open one's cause. */
function heldFor(state: CircuitState, destination: string, cause: HoldCause, now: number): CircuitStep {
  const failure = "failure" in cause ? cause.failure : undefined;
  const lastFailure = failure ? refusalOf(failure) : state.lastFailure;
  const base = { ...without(state, ["lastFailure"]), destination, cause: cause.kind };
  if (state.open) {
    return {
      state: { ...base, ...(lastFailure ? { lastFailure } : {}) },
      alarm: { at: state.nextProbeAt ?? now, ifNone: true },
    };
  }
  const nextProbeAt = now + probeDelayMs(0);
  return {
    state: { ...base, open: true, since: now, probes: 0, nextProbeAt, ...(lastFailure ? { lastFailure } : {}) },
    alarm: { at: nextProbeAt },
    log: {
      level: "error",
      outcome: "circuit_opened",
      destination,
      reason: cause.kind,
      held: state.held,
      ...(cause.kind === "no_token" && cause.secret ? { secret: cause.secret } : {}),
      ...refusalLogFields(failure),
    },
  };
}

/** How a probe that did not get through leaves the circuit. */
interface StillOpen {
  cause: HoldCause["kind"];
  probes: number;
  lastFailure: MetaRefusal | undefined;
  /** The log line's reason, and the answer whose codes it carries. */
  logged: { reason: string; failure: GraphFailure | undefined; secret?: string };
  now: number;
}

/** A probe that did not get through: open (still, or again), next probe after `probes`' wait. */
function stillOpen(state: CircuitState, open: StillOpen): CircuitStep {
  return {
    state: {
      ...without(state, ["lastFailure"]),
      open: true,
      cause: open.cause,
      probes: open.probes,
      nextProbeAt: open.now + probeDelayMs(open.probes),
      ...(open.lastFailure ? { lastFailure: open.lastFailure } : {}),
    },
    log: {
      level: "error",
      outcome: "circuit_open",
      ...(state.destination !== undefined ? { destination: state.destination } : {}),
      reason: open.logged.reason,
      held: state.held,
      probes: open.probes,
      ...(open.logged.secret ? { secret: open.logged.secret } : {}),
      ...refusalLogFields(open.logged.failure),
    },
  };
}

/** After a probe, while events are held or it is open: the next probe, or soon if it closed with events left. */
function probeAlarm(state: CircuitState, now: number): AlarmChange | undefined {
  if (state.held === 0 && !state.open) return undefined;
  const next = state.open ? (state.nextProbeAt ?? now + probeDelayMs(state.probes)) : now + probeDelayMs(0);
  return { at: Math.max(next, now + MIN_PROBE_GAP_MS) };
}

function without<K extends keyof CircuitState>(state: CircuitState, keys: K[]): Omit<CircuitState, K> {
  const copy = { ...state };
  for (const key of keys) delete copy[key];
  return copy;
}

// ── Projections ──

/**
 * A circuit as the consumer, `/healthz` and the console see it.
 *
 * @example
 * ```ts
 * circuitStatus({ open: false, probes: 0, held: 0 }); // { open: false, held: 0, probes: 0 }
 * ```
 */
export function circuitStatus(state: CircuitState): CircuitStatus {
  return {
    open: state.open,
    ...(state.cause ? { cause: state.cause } : {}),
    ...(state.since !== undefined ? { since: state.since } : {}),
    held: state.held,
    probes: state.probes,
    ...(state.nextProbeAt !== undefined ? { nextProbeAt: state.nextProbeAt } : {}),
    ...(state.lastFailure ? { lastFailure: state.lastFailure } : {}),
    ...(state.failing && !state.open ? { failingSince: state.failing.since } : {}),
  };
}

/**
 * The dead letter of a held event that would outlive Meta's 7-day window if it waited longer:
 * why it was held, and Meta's last refusal.
 *
 * @param now ms
 * @example
 * ```ts
 * staleLetter(state, message, Date.now()); // { reason: "configuration", code: 190, attempts: 0, … }
 * ```
 */
export function staleLetter(state: CircuitState, message: QueuedEvent, now: number): DeadLetter {
  const failure = state.lastFailure;
  return {
    v: 1,
    kind: "dead_letter",
    key: deadLetterKey(message.destination, message.eventId),
    message,
    reason: "configuration",
    detail: `held while the destination could not be sent to (${state.cause ?? "configuration"}) until Meta's 7-day window closed`,
    ...(failure ? refusalCodes(failure) : {}),
    attempts: 0,
    deadLetteredAt: now,
  };
}
