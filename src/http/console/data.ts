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
import { deadLetterStore, deadLetterView, replayRefusal } from "../../delivery/deadLetters";
import { circuitName, type CircuitStatus } from "../../delivery/holds";
import type { QualityState } from "../../observe/datasetQuality";
import { coverageHint, type DestinationMetrics, metricsAnswer } from "../../observe/metrics";
import { flushMetrics, metricsStore } from "../../observe/recorder";
import type { AdminBindings } from "../bindings";
import type { ConsoleDeadLetter, ConsoleDestination, ConsoleModel, DestinationCounts } from "./model";

/** Dead letters and recent events the console lists at most. */
const LIST_LIMIT = 50;

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
  const store = metricsStore(env);
  await flushMetrics(env).catch(() => undefined);
  const [day, week, hours, recent, latest, signals, quality, circuits, letters] = await Promise.all([
    soft(store?.windowCounts("24h", now)),
    soft(store?.windowCounts("7d", now)),
    soft(store?.hourly(168, now)),
    soft(store?.recent(LIST_LIMIT)),
    soft(store?.latest()),
    soft(store?.signals(now)),
    soft(store?.quality()),
    Promise.all(destinations.map((d) => circuitStatus(bindings, d.name, now))),
    soft(bindings.DEAD_LETTERS ? deadLetterStore(bindings.DEAD_LETTERS).list({ limit: LIST_LIMIT }) : undefined),
  ]);
  const names = destinations.map((d) => d.name);
  const dayAnswer = metricsAnswer(new Map(Object.entries(day ?? {})), "24h", names);
  const weekAnswer = metricsAnswer(new Map(Object.entries(week ?? {})), "7d", names);

  const deadLetters: ConsoleDeadLetter[] = (letters?.letters ?? []).map((letter) => {
    const view = deadLetterView(letter);
    return {
      key: letter.key,
      destination: letter.message?.destination ?? "?",
      eventId: letter.message?.eventId ?? letter.key,
      reason: letter.reason,
      detail: letter.detail,
      ...(letter.code !== undefined ? { code: letter.code } : {}),
      ...(letter.fbtraceId ? { fbtraceId: letter.fbtraceId } : {}),
      deadLetteredAt: letter.deadLetteredAt,
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
      mode: circuit?.open ? "misconfigured" : destination.target ? "live" : "dry_run",
      ...(destination.testEventCode ? { testEventCode: destination.testEventCode } : {}),
      ...(circuit?.open
        ? {
            circuit: {
              cause: circuit.cause ?? "meta_refused",
              held: circuit.held,
              ...(circuit.since !== undefined ? { since: circuit.since } : {}),
              ...(circuit.nextProbeAt !== undefined ? { nextProbeAt: circuit.nextProbeAt } : {}),
              ...(circuit.lastFailure
                ? { lastFailure: { ...circuit.lastFailure, message: circuit.lastFailure.message ?? "" } }
                : {}),
            },
          }
        : {}),
      ...(last?.lastAccepted ? { lastAccepted: last.lastAccepted } : {}),
      ...(last?.lastFailure ? { lastFailure: last.lastFailure } : {}),
      counts: { "24h": countsOf(dayMetrics), "7d": countsOf(weekAnswer.destinations[destination.name]) },
      ...(dayMetrics?.latency_ms ? { latencyMs: dayMetrics.latency_ms } : {}),
      matchKeys,
      ...(hint ? { hint } : {}),
      quality:
        keptQuality((quality as Record<string, { state: unknown }> | undefined)?.[destination.name]?.state) ??
        unreadQuality(destination),
      signals: signals?.[destination.name] ?? [],
      deadLettersWaiting: deadLetters.filter((letter) => letter.destination === destination.name).length,
    };
  });

  const modes = consoleDestinations.map((d) => d.mode);
  return {
    generatedAt: now,
    relay: {
      mode: problem || modes.includes("misconfigured") ? "misconfigured" : modes.includes("live") ? "live" : "dry_run",
      ...(problem ? { problem } : {}),
      ...(config ? { apiVersion: config.apiVersion } : {}),
      queued: Boolean(bindings.CAPI_QUEUE),
    },
    webhooks: { "24h": dayAnswer.webhooks, "7d": weekAnswer.webhooks },
    destinations: consoleDestinations,
    hours: hours ?? [],
    recent: recent ?? [],
    deadLetters,
  };
}

function countsOf(metrics: DestinationMetrics | undefined): DestinationCounts {
  return {
    routed: metrics?.routed ?? 0,
    sent: metrics?.sent ?? 0,
    skipped: metrics?.skipped ?? 0,
    retried: metrics?.retried ?? 0,
    dead_lettered: metrics?.dead_lettered ?? 0,
    held: metrics?.held ?? 0,
    dry_run: metrics?.dry_run ?? 0,
  };
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

async function circuitStatus(
  bindings: QueueBindings,
  destination: string,
  now: number,
): Promise<CircuitStatus | undefined> {
  if (!bindings.DELIVERY_CIRCUIT) return undefined;
  return soft(
    bindings.DELIVERY_CIRCUIT.get(bindings.DELIVERY_CIRCUIT.idFromName(circuitName(destination))).status(now),
  );
}

/** A part of the page that may be missing: its value, or undefined when it could not be had. */
async function soft<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await promise;
  } catch {
    return undefined;
  }
}
