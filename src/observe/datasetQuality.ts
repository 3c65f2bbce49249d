/**
 * Meta's own feedback on a dataset: one read of the Dataset Quality API for a destination's
 * pixel, and what the console keeps of it. The answer's shape is Meta's ("Dataset Quality API",
 * developers.facebook.com/docs/marketing-api/conversions-api/dataset-quality-api):
 * `GET /{version}/dataset_quality?dataset_id=…&fields=web{…}` answers `{ web: [{ event_name,
 * event_match_quality: { composite_score, match_key_feedback, diagnostics }, event_coverage,
 * dedupe_key_feedback, data_freshness, acr }] }`. The token goes in an `Authorization` header,
 * never in the URL (URLs end up in logs).
 *
 * A token without `ads_read` (or a dataset not shared with it) is a permission problem to show
 * as such, not a failure of the relay.
 *
 * @example
 * ```ts
 * const state = await readDatasetQuality({ graphUrl, apiVersion, pixelId, token }, defaultRuntime());
 * state.state; // "ok" | "permission" | "failed"
 * ```
 */
import type { Runtime } from "../core/runtime";
import { classifyResponse, type GraphFailure } from "../delivery/graph";
import { metaErrorOf } from "../delivery/metaErrors";

/** Meta's Dataset Quality answer for a pixel's web events, summarised. */
export interface DatasetQuality {
  /** ms */
  fetchedAt: number;
  events: {
    eventName: string;
    /** Meta's Event Match Quality, 0–10. */
    compositeScore?: number;
    /** Per key: Meta's identifier (`email`, `phone`, `ip_address`, …) and the share of events with it, 0–100. */
    matchKeyFeedback: { identifier: string; coverage?: number }[];
    /** Per dedup key (`event_id`, `external_id`, `fbp`): the share of server and browser events with it, and of browser events it deduplicated, 0–100. */
    dedupeKeyFeedback: {
      dedupeKey: string;
      serverCoverage?: number;
      browserCoverage?: number;
      dedupedShare?: number;
    }[];
    /** Share of Pixel events the Conversions API also sent, 0–100. */
    eventCoverage?: number;
    dataFreshness?: string;
    /** Additional conversions reported, %. */
    acr?: number;
    diagnostics: { name: string; description?: string; solution?: string; percentage?: number }[];
  }[];
}

/** The last Dataset Quality read of a destination. */
export type QualityState =
  | { state: "ok"; quality: DatasetQuality }
  /** The token lacks `ads_read` (or the dataset is not shared with it): shown as such, not as a relay failure. */
  | { state: "permission"; at: number; message: string; code?: number }
  | { state: "failed"; at: number; message: string; code?: number }
  /** No read yet, or the destination has no token to read with. */
  | { state: "none"; reason: string };

/** The fields asked of Meta (each sub-field by name: some come only when named). */
export const DATASET_QUALITY_FIELDS =
  "web{event_name,event_match_quality{composite_score,match_key_feedback{identifier,coverage{percentage}}," +
  "diagnostics{name,description,solution,percentage}},event_coverage{percentage},dedupe_key_feedback{dedupe_key," +
  "browser_events_with_dedupe_key{percentage},server_events_with_dedupe_key{percentage}," +
  "overall_browser_coverage_from_dedupe_key{percentage}},data_freshness{upload_frequency},acr{percentage}}";

/** Where and as whom to read. */
export interface QualityTarget {
  graphUrl: string;
  apiVersion: string;
  pixelId: string;
  token: string;
}

/**
 * The Dataset Quality URL of a pixel, without the token.
 *
 * @example
 * ```ts
 * datasetQualityUrl({ graphUrl: "https://graph.facebook.com", apiVersion: "v27.0", pixelId: "123", token });
 * // "https://graph.facebook.com/v27.0/dataset_quality?dataset_id=123&fields=web%7B…"
 * ```
 */
export function datasetQualityUrl(target: Omit<QualityTarget, "token">): string {
  const base = target.graphUrl.replace(/\/+$/, "");
  const query = new URLSearchParams({ dataset_id: target.pixelId, fields: DATASET_QUALITY_FIELDS });
  return `${base}/${encodeURIComponent(target.apiVersion)}/dataset_quality?${query}`;
}

/**
 * Reads Meta's answer into what the console shows. Unknown identifiers and events are kept; a
 * percentage that is not a number is left out.
 *
 * @param now ms, the read's time
 * @example
 * ```ts
 * parseDatasetQuality({ web: [{ event_name: "Lead", event_match_quality: { composite_score: 7.2 } }] }, Date.now()).events[0]?.compositeScore; // 7.2
 * ```
 */
export function parseDatasetQuality(body: unknown, now: number): DatasetQuality {
  const web = array(record(body).web);
  return {
    fetchedAt: now,
    events: web.map((raw) => {
      const entry = record(raw);
      const emq = record(entry.event_match_quality);
      return {
        eventName: text(entry.event_name) ?? "?",
        ...optional("compositeScore", number(emq.composite_score)),
        matchKeyFeedback: array(emq.match_key_feedback).map((item) => {
          const key = record(item);
          return { identifier: text(key.identifier) ?? "?", ...optional("coverage", percentage(key.coverage)) };
        }),
        dedupeKeyFeedback: array(entry.dedupe_key_feedback ?? entry.dedup_key_feedback).map((item) => {
          const key = record(item);
          return {
            dedupeKey: text(key.dedupe_key ?? key.dedup_key) ?? "?",
            ...optional("serverCoverage", percentage(key.server_events_with_dedupe_key)),
            ...optional("browserCoverage", percentage(key.browser_events_with_dedupe_key)),
            ...optional("dedupedShare", percentage(key.overall_browser_coverage_from_dedupe_key)),
          };
        }),
        ...optional("eventCoverage", percentage(entry.event_coverage)),
        ...optional("dataFreshness", text(record(entry.data_freshness).upload_frequency)),
        ...optional("acr", percentage(entry.acr)),
        diagnostics: array(emq.diagnostics).map((item) => {
          const d = record(item);
          return {
            name: text(d.name) ?? "?",
            ...optional("description", text(d.description)),
            ...optional("solution", text(d.solution)),
            ...optional("percentage", number(d.percentage)),
          };
        }),
      };
    }),
  };
}

/**
 * Whether a refusal means the token may not read the dataset: a missing permission (a code
 * ../delivery/metaErrors signals as one: 10, 200–299), or an object the token cannot see (100
 * with subcode 33, or a message saying so).
 *
 * @example
 * ```ts
 * isPermissionFailure({ ok: false, transient: false, status: 403, code: 10, message: "(#10) …" }); // true
 * ```
 */
export function isPermissionFailure(failure: Pick<GraphFailure, "code" | "subcode" | "message">): boolean {
  const meaning = metaErrorOf(failure.code, failure.subcode);
  if (meaning?.signal === "permission") return true;
  // 100 "Invalid parameter": the configuration's when the object is out of the token's reach.
  return failure.code === 100 && (meaning?.scope === "configuration" || /missing permissions/i.test(failure.message));
}

/**
 * One read: the destination's quality, or why there is none. Never throws.
 *
 * @example
 * ```ts
 * await readDatasetQuality(target, { ...defaultRuntime(), timeoutMs: 10_000 });
 * ```
 */
export async function readDatasetQuality(
  target: QualityTarget,
  deps: Pick<Runtime, "fetch" | "now"> & { timeoutMs?: number },
): Promise<QualityState> {
  const now = deps.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs ?? 10_000);
  try {
    const send = deps.fetch;
    const response = await send(datasetQualityUrl(target), {
      headers: { authorization: `Bearer ${target.token}`, accept: "application/json" },
      signal: controller.signal,
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok && typeof record(body).web !== "undefined")
      return { state: "ok", quality: parseDatasetQuality(body, now) };
    const outcome = classifyResponse(response.status, response.headers, body, now);
    const failure: GraphFailure = outcome.ok
      ? { ok: false, transient: true, status: response.status, message: "no web data in the answer" }
      : outcome;
    const message = scrub(failure.userMessage ?? failure.message, target.token).slice(0, 300);
    const code = failure.code !== undefined ? { code: failure.code } : {};
    return isPermissionFailure(failure)
      ? { state: "permission", at: now, message, ...code }
      : { state: "failed", at: now, message, ...code };
  } catch (error) {
    return {
      state: "failed",
      at: now,
      message: controller.signal.aborted ? "Meta did not answer in time" : `Meta unreachable: ${(error as Error).name}`,
    };
  } finally {
    clearTimeout(timer);
  }
}

function scrub(text: string, token: string): string {
  return token ? text.split(token).join("[redacted]") : text;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value.slice(0, 500) : undefined;
}

function number(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** Meta writes `{ percentage: 99.9 }`; a bare number is taken too. */
function percentage(value: unknown): number | undefined {
  return number(typeof value === "object" && value !== null ? (value as Record<string, unknown>).percentage : value);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
