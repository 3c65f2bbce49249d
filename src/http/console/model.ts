/**
 * What the operator console shows, as data: the page (./page) renders a {@link ConsoleModel};
 * ./data assembles one from the settings, the metrics store, the delivery circuits, the dead
 * letters and Meta's Dataset Quality answers. Nothing here is personal: ids, counts, codes,
 * shares, Meta's trace ids and Meta's own words about our configuration.
 *
 * @example
 * ```ts
 * const html = renderConsole(await buildConsoleModel(c.env, Date.now()), { csrfToken, nonce });
 * ```
 */

import type { DatasetQuality, QualityState } from "../../observe/datasetQuality";
import type { DestinationMetrics, HealthSignal, MetaProblem, RecentEvent } from "../../observe/metrics";
import { USER_DATA_KEYS, type UserDataKey } from "../../transform/userData";

export type { DatasetQuality, HealthSignal, MetaProblem, QualityState, RecentEvent };

/** The `user_data` keys Meta matches on, in the order the console lists them (Meta's order). */
export const MATCH_KEYS = USER_DATA_KEYS;
export type MatchKey = UserDataKey;

/** Counts of one destination over a window: the contract's `/admin/metrics` counters the console shows. */
export type DestinationCounts = Pick<
  DestinationMetrics,
  "routed" | "sent" | "skipped" | "retried" | "dead_lettered" | "held" | "dry_run"
>;

/** One hour of one destination (or of all, for the relay's own chart). */
export interface HourPoint {
  /** Start of the hour, ms. */
  hour: number;
  sent: number;
  retried: number;
  dead_lettered: number;
  held: number;
}

export interface ConsoleDestination {
  name: string;
  pixelId: string;
  mode: "live" | "dry_run" | "misconfigured";
  /** The destination's `test_event_code`, for the test-event button (none: the button asks for one). */
  testEventCode?: string;
  /** Set when the destination's circuit is open: its events wait for a fix. */
  circuit?: {
    cause: "meta_refused" | "no_token" | "unknown_destination" | "settings_unusable";
    since?: number;
    held: number;
    nextProbeAt?: number;
    lastFailure?: Omit<MetaProblem, "at">;
  };
  lastAccepted?: { at: number; fbtraceId?: string };
  lastFailure?: MetaProblem;
  counts: { "24h": DestinationCounts; "7d": DestinationCounts };
  /** ms from intake to Meta's acceptance over 24 h, when any. */
  latencyMs?: { p50: number; p95: number; count: number };
  /** Share (0–1) of events sent in 24 h that carried each key; empty when none was sent. */
  matchKeys: Partial<Record<MatchKey, number>>;
  /** A plain hint for the weakest important key, e.g. "fbc on 12 %: pass the _fbc cookie…". */
  hint?: string;
  quality: QualityState;
  signals: HealthSignal[];
  /** Dead letters waiting (not re-driven), of this destination. */
  deadLettersWaiting: number;
}

/** A dead letter as the console lists it (field names, never values). */
export interface ConsoleDeadLetter {
  key: string;
  destination: string;
  eventId: string;
  reason: string;
  detail: string;
  code?: number;
  fbtraceId?: string;
  deadLetteredAt: number;
  replayable: boolean;
}

export interface ConsoleModel {
  /** ms */
  generatedAt: number;
  relay: {
    mode: "live" | "dry_run" | "misconfigured";
    /** The settings' own error (names the setting, never its value), when they cannot be read. */
    problem?: string;
    apiVersion?: string;
    /** Whether the queue is bound (durable delivery) or events go out while Studio waits. */
    queued: boolean;
  };
  webhooks: {
    "24h": { received: number; unauthorized: number; invalid: number };
    "7d": { received: number; unauthorized: number; invalid: number };
  };
  destinations: ConsoleDestination[];
  /** Per hour over the last 7 days (168 points, oldest first), all destinations together; the last 24 are the day's chart. */
  hours: HourPoint[];
  recent: RecentEvent[];
  deadLetters: ConsoleDeadLetter[];
}
