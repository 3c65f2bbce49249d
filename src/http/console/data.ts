/**
 * Assembles the operator console's {@link ConsoleModel} from what the relay keeps: the settings
 * (destinations and their modes), the metrics store (counts, hourly chart, recent events, last
 * acceptance and failure, Meta's signals and Dataset Quality answers), each destination's
 * delivery circuit, and the waiting dead letters. Every part degrades on its own: a missing
 * binding or an unreachable object leaves its part empty, never the page blank.
 *
 * @example
 * ```ts
 * const model = await buildConsoleModel(c.env, Date.now());
 * model.destinations[0]?.mode; // "live"
 * ```
 */
import { ConfigError, configFor, type Destination, type RelayConfig } from "../../config/settings";
import type { QueueBindings } from "../../delivery/bindings";
import { deadLetterView, replayRefusal } from "../../delivery/deadLetters";
import { circuitOf, type CircuitStatus } from "../../delivery/holds";
import { deadLetterStoreOf } from "../../delivery/instances";
import type { QualityState } from "../../observe/datasetQuality";
import { coverageHint, type DestinationMetrics, type EventNameCounter, metricsAnswer } from "../../observe/metrics";
import { metricsStoreOf } from "../../observe/instances";
import { flushMetrics } from "../../observe/recorder";
import type { AdminBindings } from "../bindings";
import type {
  BrowserEventCounts,
  ConsoleDeadLetter,
  ConsoleDestination,
  ConsoleModel,
  DestinationCounts,
  DestinationMode,
} from "./model";

/** Dead letters and recent events the console lists at most. */
const LIST_LIMIT = 50;
/** Refusals on arrival and incidents per destination the console lists at most. */
const REFUSALS_LISTED = 20;
const INCIDENTS_LISTED = 5;

/**
 * The console's data, now.
 *
 * @param now ms
 */
export async function buildConsoleModel(env: AdminBindings, now: number): Promise<ConsoleModel> {
  const bindings: QueueBindings = env;
  let config: RelayConfig | undefined;
  let problem: string | undefined;
  try {
    config = configFor(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem = error.message;
  }
  const destinations = config?.destinations ?? [];
  const store = metricsStoreOf(env);
  await flushMetrics(env).catch(() => undefined);
  const [
    day,
    week,
    dayNames,
    weekNames,
    hours,
    recent,
    latest,
    signals,
    quality,
    refusals,
    incidents,
    circuits,
    letters,
  ] = await Promise.all([
    soft(store?.windowCounts("24h", now)),
    soft(store?.windowCounts("7d", now)),
    soft(store?.windowEventNames("24h", now)),
    soft(store?.windowEventNames("7d", now)),
    soft(store?.hourly(168, now)),
    soft(store?.recent(LIST_LIMIT * 4)),
    soft(store?.latest()),
    soft(store?.signals(now)),
    soft(store?.quality()),
    soft(store?.refusals(REFUSALS_LISTED)),
    soft(store?.incidents(INCIDENTS_LISTED)),
    Promise.all(destinations.map((d) => soft(circuitOf(bindings, d.name)?.status(now)))),
    soft(deadLetterStoreOf(bindings)?.list({ limit: LIST_LIMIT })),
  ]);
  const names = destinations.map((d) => d.name);
  // What each circuit holds now, from the statuses read above (the metrics route asks the same).
  const heldNow = new Map<string, number>();
  destinations.forEach((d, i) => {
    const held = circuits[i]?.held;
    if (held !== undefined) heldNow.set(d.name, held);
  });
  const dayAnswer = metricsAnswer(new Map(Object.entries(day ?? {})), "24h", names, {
    eventNames: dayNames ?? [],
    heldNow,
  });
  const weekAnswer = metricsAnswer(new Map(Object.entries(week ?? {})), "7d", names, {
    eventNames: weekNames ?? [],
    heldNow,
  });

  const deadLetters: ConsoleDeadLetter[] = (letters?.letters ?? []).map((letter) => {
    const view = deadLetterView(letter);
    return {
      key: letter.key,
      destination: letter.message?.destination ?? "?",
      eventId: letter.message?.eventId ?? letter.key,
      reason: letter.reason,
      detail: letter.detail,
      ...(letter.code !== undefined ? { code: letter.code } : {}),
      ...(letter.subcode !== undefined ? { subcode: letter.subcode } : {}),
      ...(letter.fbtraceId ? { fbtraceId: letter.fbtraceId } : {}),
      deadLetteredAt: letter.deadLetteredAt,
      times: letter.times,
      firstDeadLetteredAt: letter.firstDeadLetteredAt,
      replayable: replayRefusal(letter, now) === undefined && view.event !== null,
    };
  });

  const consoleDestinations: ConsoleDestination[] = destinations.map((destination, i) => {
    const circuit = circuits[i];
    const dayMetrics = dayAnswer.destinations[destination.name];
    const last = latest?.[destination.name];
    const matchKeys = dayMetrics?.match_keys ?? {};
    const hint = coverageHint(matchKeys);
    return {
      name: destination.name,
      pixelId: destination.pixelId,
      mode: modeOf(config!, destination, circuit),
      tokenSecret: destination.missingToken?.secret ?? destination.accessTokenSecret,
      ...(destination.testEventCode ? { testEventCode: destination.testEventCode } : {}),
      ...(circuit?.open
        ? {
            circuit: {
              cause: (circuit.cause ?? "meta_refused") as NonNullable<ConsoleDestination["circuit"]>["cause"],
              held: circuit.held,
              ...(circuit.since !== undefined ? { since: circuit.since } : {}),
              ...(circuit.nextProbeAt !== undefined ? { nextProbeAt: circuit.nextProbeAt } : {}),
              ...(circuit.lastFailure ? { lastFailure: circuit.lastFailure } : {}),
            },
          }
        : {}),
      heldNow: circuit?.held ?? 0,
      ...failingSinceOf(circuit),
      ...(last?.lastAccepted ? { lastAccepted: last.lastAccepted } : {}),
      ...(last?.lastFailure ? { lastFailure: last.lastFailure } : {}),
      counts: { "24h": countsOf(dayMetrics), "7d": countsOf(weekAnswer.destinations[destination.name]) },
      ...(dayMetrics?.latency_ms ? { latencyMs: dayMetrics.latency_ms } : {}),
      matchKeys,
      ...(hint ? { hint } : {}),
      unusableKeys: dayMetrics?.unusable_keys ?? {},
      browserEvents: browserEventsOf(dayMetrics),
      quality:
        keptQuality((quality as Record<string, { state: unknown }> | undefined)?.[destination.name]?.state) ??
        unreadQuality(destination),
      signals: signals?.[destination.name] ?? [],
      incidents: incidents?.[destination.name] ?? [],
      deadLettersWaiting: deadLetters.filter((letter) => letter.destination === destination.name).length,
    };
  });

  const modes = consoleDestinations.map((d) => d.mode);
  return {
    generatedAt: now,
    relay: {
      mode:
        problem || modes.includes("paused") || modes.includes("held")
          ? "misconfigured"
          : modes.includes("live") || modes.includes("waiting")
            ? "live"
            : "dry_run",
      ...(problem ? { problem } : {}),
      ...(config ? { apiVersion: config.apiVersion } : {}),
      queued: Boolean(bindings.CAPI_QUEUE),
    },
    webhooks: { "24h": dayAnswer.webhooks, "7d": weekAnswer.webhooks },
    browser: { "24h": dayAnswer.browser, "7d": weekAnswer.browser },
    refusals: refusals ?? [],
    destinations: consoleDestinations,
    hours: hours ?? [],
    recent: recent ?? [],
    deadLetters,
  };
}

/**
 * How a destination runs: dry when the whole relay is in dry-run mode; paused while its circuit
 * is open for Meta's refusal (or a destination or settings the circuit cannot find); held while
 * its token secret is unset (its circuit keeps the events); live otherwise.
 */
function modeOf(config: RelayConfig, destination: Destination, circuit: CircuitStatus | undefined): DestinationMode {
  if (config.dryRun) return "dry_run";
  if (circuit?.open && (circuit.cause as string) === "meta_unavailable") return "waiting";
  if (circuit?.open && circuit.cause !== "no_token") return "paused";
  if (destination.missingToken || circuit?.open) return "held";
  return "live";
}

/** Since when Meta has been failing, where the circuit tracks it (`failingSince`, while it is closed). */
function failingSinceOf(circuit: CircuitStatus | undefined): { failingSince?: number } {
  const since = (circuit as (CircuitStatus & { failingSince?: unknown }) | undefined)?.failingSince;
  return typeof since === "number" && !circuit?.open ? { failingSince: since } : {};
}

/** A destination's leads: its counts less the browser events counted in them (those are shown apart). */
function countsOf(metrics: DestinationMetrics | undefined): DestinationCounts {
  // `duplicate` is the contract's; read it where the metrics answer has it, else 0.
  const duplicate = (metrics as (DestinationMetrics & { duplicate?: number }) | undefined)?.duplicate;
  const browser = (name: EventNameCounter) =>
    Object.values(metrics?.browser_events ?? {}).reduce((sum, counts) => sum + (counts[name] ?? 0), 0);
  const leads = (name: EventNameCounter) => Math.max(0, (metrics?.[name] ?? 0) - browser(name));
  return {
    routed: leads("routed"),
    sent: leads("sent"),
    skipped: leads("skipped"),
    // Only webhooks are filtered by type: no browser event is counted in it.
    filtered: metrics?.filtered ?? 0,
    duplicate: typeof duplicate === "number" ? duplicate : 0,
    retried: metrics?.retried ?? 0,
    dead_lettered: leads("dead_lettered"),
    held: metrics?.held ?? 0,
    dry_run: leads("dry_run"),
  };
}

/** A destination's browser events per Meta event name, busiest first. */
function browserEventsOf(metrics: DestinationMetrics | undefined): BrowserEventCounts[] {
  return Object.entries(metrics?.browser_events ?? {})
    .map(([eventName, counts]) => ({ eventName, ...counts }))
    .sort((a, b) => b.routed - a.routed);
}

/** The kept Dataset Quality read, if there is one. */
function keptQuality(state: unknown): QualityState | undefined {
  if (typeof state === "object" && state !== null && "state" in state) return state as QualityState;
  return undefined;
}

/** Why a destination has no Dataset Quality read: the hourly round has not come yet, or there is no token to read with. */
function unreadQuality(destination: Destination): QualityState {
  return {
    state: "none",
    reason: destination.qualityToken !== undefined ? "not read yet (hourly)" : "no token to read it with",
  };
}

/** A part of the page that may be missing: its value, or undefined when it could not be had. */
async function soft<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await promise;
  } catch {
    return undefined;
  }
}
