/**
 * What the operator console shows, as data: `GET /admin/console.json` (./routes) answers a
 * {@link ConsoleModel} as JSON, and the page's browser code (src/console/page) renders it; so
 * every field is plain JSON (numbers for times), and these types are shared with that code
 * (type-only: its bundle carries none of the Worker's modules for them). ./data assembles one from the settings, the metrics store, the delivery circuits, the dead
 * letters and Meta's Dataset Quality answers. Nothing here is personal: ids, counts, codes,
 * shares, Meta's trace ids and Meta's own words about our configuration.
 *
 * @example
 * ```ts
 * return c.json(await buildConsoleModel(c.env, Date.now()), 200, { "cache-control": "no-store" });
 * ```
 */

import type { MetaRefusal } from "../../delivery/metaErrors";
import type { DatasetQuality, QualityState } from "../../observe/datasetQuality";
import type { Incident, IntakeRefusal } from "../../observe/incidents";
import type {
  BrowserMetrics,
  DestinationMetrics,
  EventNameCounter,
  HealthSignal,
  RecentEvent,
} from "../../observe/metrics";
import { USER_DATA_KEYS, type UserDataKey } from "../../transform/userData";

export type {
  BrowserMetrics,
  DatasetQuality,
  HealthSignal,
  Incident,
  IntakeRefusal,
  MetaRefusal,
  QualityState,
  RecentEvent,
};

/** One Meta event name's browser events at a destination over 24 h (from the Pixel snippet's `/collect/cartful`). */
export type BrowserEventCounts = { eventName: string } & Record<EventNameCounter, number>;

/** The `user_data` keys Meta matches on, in the order the console lists them (Meta's order). */
export const MATCH_KEYS = USER_DATA_KEYS;
export type MatchKey = UserDataKey;

/** Meta's refusal and when it came (ms). */
export type TimedRefusal = MetaRefusal & { at: number };

/**
 * Counts of one destination's **leads** (webhooks) over a window: the contract's `/admin/metrics`
 * counters less the browser events counted in them (shown apart). `duplicate` is 0 where the
 * metrics answer does not give it yet.
 */
export type DestinationCounts = Pick<
  DestinationMetrics,
  "routed" | "sent" | "skipped" | "filtered" | "retried" | "dead_lettered" | "held" | "dry_run"
> & { duplicate: number };

/** What reached the webhook routes over a window (see `/admin/metrics`). */
export interface WebhookCounts {
  received: number;
  unauthorized: number;
  invalid: number;
  /** Of `unauthorized`, those without any credential: scanners and bots, not a sender with a wrong secret. */
  anonymous: number;
}

/** One hour of one destination (or of all, for the relay's own chart). */
export interface HourPoint {
  /** Start of the hour, ms. */
  hour: number;
  sent: number;
  /** Delivery attempts that failed and were retried: attempts, not leads. */
  retried: number;
  dead_lettered: number;
  held: number;
}

/**
 * How a destination runs: `live` (it has a token), `dry_run` (the whole relay runs dry: built and
 * logged, nothing sent), `held` (live relay, but this destination's token secret is unset: its
 * events wait), `paused` (its circuit is open: Meta refuses its configuration, events wait).
 */
export type DestinationMode = "live" | "dry_run" | "held" | "paused" | "waiting";

export interface ConsoleDestination {
  name: string;
  pixelId: string;
  mode: DestinationMode;
  /** The name of the secret that holds its access token (`META_ACCESS_TOKEN`, or its `access_token_secret`). */
  tokenSecret: string;
  /** The destination's `test_event_code`, for the test-event button (none: the button asks for one). */
  testEventCode?: string;
  /** Set when the destination's circuit is open: its events wait for a fix. */
  circuit?: {
    /**
     * Why: Meta refuses the configuration, Meta has been unavailable for minutes
     * (`meta_unavailable`, a circuit that also holds through sustained outages), no token, no such
     * destination, unreadable settings.
     */
    cause: "meta_refused" | "meta_unavailable" | "no_token" | "unknown_destination" | "settings_unusable";
    since?: number;
    held: number;
    nextProbeAt?: number;
    lastFailure?: MetaRefusal;
  };
  /** Events its circuit holds now (0 when none or no circuit). */
  heldNow: number;
  /** While its circuit is closed: since when every request to Meta failed for Meta's reasons (ms), when the circuit says. */
  failingSince?: number;
  lastAccepted?: { at: number; fbtraceId?: string };
  lastFailure?: TimedRefusal;
  counts: { "24h": DestinationCounts; "7d": DestinationCounts };
  /** ms from intake to Meta's acceptance over 24 h, when any. */
  latencyMs?: { p50: number; p95: number; count: number };
  /** Share (0–1) of events sent in 24 h that carried each key; empty when none was sent. */
  matchKeys: Partial<Record<MatchKey, number>>;
  /** A plain hint for the weakest important key, e.g. "fbc on 12 %: pass the _fbc cookie…". */
  hint?: string;
  /** Browser events routed to it in 24 h, per Meta event name (empty when the snippet sends none). */
  browserEvents: BrowserEventCounts[];
  /** Share (0–1) of leads routed in 24 h whose shopper gave a key in a form the relay could not use; only keys seen. */
  unusableKeys: Partial<Record<MatchKey, number>>;
  quality: QualityState;
  signals: HealthSignal[];
  /** Its latest incidents (Meta down, throttling, or refusing the configuration), newest first. */
  incidents: Incident[];
  /** Dead letters waiting (not re-driven), of this destination, as listed. */
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
  subcode?: number;
  fbtraceId?: string;
  deadLetteredAt: number;
  /** How many times it was dead-lettered (2 and more: it was re-driven and refused again). */
  times: number;
  /** ms: when it was first dead-lettered (`deadLetteredAt` is the latest). */
  firstDeadLetteredAt: number;
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
  /** The contract's webhook counts, and `anonymous`: the unauthorized ones that brought no credential at all (noise). */
  webhooks: { "24h": WebhookCounts; "7d": WebhookCounts };
  /** What reached `/collect/cartful` (the Pixel snippet's browser events). */
  browser: { "24h": BrowserMetrics; "7d": BrowserMetrics };
  /** The latest webhooks refused on arrival, newest first (codes and paths, never values). */
  refusals: (IntakeRefusal & { at: number })[];
  destinations: ConsoleDestination[];
  /** Per hour over the last 7 days (168 points, oldest first), all destinations together; the last 24 are the day's chart. */
  hours: HourPoint[];
  recent: RecentEvent[];
  deadLetters: ConsoleDeadLetter[];
}
