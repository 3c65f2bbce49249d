/**
 * The fake's Dataset Quality API answer (`GET /{version}/dataset_quality?dataset_id=…&fields=…`),
 * computed from the events it accepted for that dataset (pixel) in the last 7 days. Pure.
 *
 * The shape is Meta's ("Dataset Quality API" page, developers.facebook.com/docs/marketing-api/conversions-api/dataset-quality-api):
 * `{"web": [{event_name, event_match_quality: {composite_score, match_key_feedback:
 * [{identifier, coverage: {percentage}, potential_aly_acr_increase}], diagnostics},
 * event_coverage, dedupe_key_feedback, data_freshness, acr}]}`, one entry per event name,
 * percentages on a 0–100 scale, `dedupe_key_feedback` spelt as in Meta's example (the field
 * table's `dedup_key_feedback` is refused, as a 2026 report says Graph does), and only the
 * fields asked for in `fields` (diagnostics and the `potential_aly_acr_increase` objects only
 * when named, as in Meta's examples).
 *
 * The numbers are the fake's own, plausible but not Meta's: match-key coverage is the share of
 * events that carried each key; the composite score (0–10) treats each key as an independent
 * chance to match (weights below, heaviest for em, ph, fbc, external_id, fbp, IP, as Meta's
 * best-practice pages rank them). The fake sees no browser events, so event coverage is the
 * share of events carrying both `event_id` and `fbp` (what Meta pairs browser events on), and
 * browser-side dedupe figures mirror the server side.
 */
import { type MetaError, nonexistingField } from "./errors.ts";
import { hasValue, type ReceivedEvent } from "./validate.ts";

/** An accepted event with when it came and with which request options. */
export interface StoredEvent {
  event: ReceivedEvent;
  /** Epoch ms. */
  receivedAt: number;
  testEventCode?: string;
  partnerAgent?: string;
}

/** Meta's `identifier` for each `user_data` key (email, ip_address, user_agent, external_id are Meta's; the rest follow them). */
export const IDENTIFIERS: Record<string, string> = {
  em: "email",
  ph: "phone",
  fn: "first_name",
  ln: "last_name",
  ge: "gender",
  db: "date_of_birth",
  ct: "city",
  st: "state",
  zp: "zip",
  country: "country",
  external_id: "external_id",
  client_ip_address: "ip_address",
  client_user_agent: "user_agent",
  fbc: "fbc",
  fbp: "fbp",
};

/** How much each key alone raises the chance of a match (the fake's model, not Meta's numbers). */
const WEIGHTS: Record<string, number> = {
  em: 0.55,
  ph: 0.45,
  fbc: 0.35,
  external_id: 0.3,
  fbp: 0.25,
  client_ip_address: 0.15,
  fn: 0.08,
  ln: 0.08,
  db: 0.06,
  zp: 0.05,
  client_user_agent: 0.05,
  ct: 0.04,
  st: 0.03,
  country: 0.03,
  ge: 0.02,
};

const SEVEN_DAYS_MS = 7 * 86_400_000;

const round1 = (value: number) => Math.round(value * 10) / 10;
const percent = (count: number, total: number) => (total === 0 ? 0 : round1((100 * count) / total));

/**
 * The composite Event Match Quality (0–10, one decimal) for per-key coverages in [0, 1].
 *
 * @example
 * ```ts
 * compositeScore({ em: 1 }); // 5.5
 * compositeScore({ client_user_agent: 1 }); // 0.5
 * ```
 */
export function compositeScore(coverage: Record<string, number>): number {
  let miss = 1;
  for (const [key, share] of Object.entries(coverage)) miss *= 1 - (WEIGHTS[key] ?? 0) * share;
  return round1(10 * (1 - miss));
}

/**
 * Meta's `web` list for a dataset, every field included (`selectFields` trims it).
 *
 * @example
 * ```ts
 * datasetQuality(received, Date.now()).web[0]?.event_match_quality.composite_score; // e.g. 9.4
 * ```
 */
export function datasetQuality(stored: StoredEvent[], now: number, agentName?: string) {
  const recent = stored.filter(
    (item) =>
      item.receivedAt >= now - SEVEN_DAYS_MS &&
      (!agentName || item.partnerAgent?.toLowerCase() === agentName.toLowerCase()),
  );
  const byName = new Map<string, StoredEvent[]>();
  for (const item of recent) byName.set(item.event.event_name, [...(byName.get(item.event.event_name) ?? []), item]);
  const groups = [...byName.entries()].sort((a, b) => b[1].length - a[1].length);
  return { web: groups.map(([name, items]) => eventQuality(name, items)) };
}

function eventQuality(name: string, items: StoredEvent[]) {
  const total = items.length;
  const userData = items.map((item) => item.event.user_data);
  const coverage: Record<string, number> = {};
  for (const key of Object.keys(IDENTIFIERS))
    coverage[key] = userData.filter((data) => hasValue(data[key])).length / total;
  const score = compositeScore(coverage);

  const matchKeyFeedback = Object.keys(IDENTIFIERS)
    .filter((key) => coverage[key]! > 0)
    .sort((a, b) => coverage[b]! - coverage[a]! || (WEIGHTS[b] ?? 0) - (WEIGHTS[a] ?? 0))
    .map((key) => {
      const increase = round1((WEIGHTS[key] ?? 0) * 100);
      return {
        identifier: IDENTIFIERS[key]!,
        coverage: { percentage: round1(coverage[key]! * 100) },
        potential_aly_acr_increase: {
          percentage: increase,
          description: `Similar advertisers who sent valid ${IDENTIFIERS[key]} for ${name} saw a ${increase}% median increase in their existing additional conversions reported.`,
        },
      };
    });

  const ipv4 = userData.filter(
    (data) => typeof data.client_ip_address === "string" && data.client_ip_address.includes("."),
  ).length;
  const diagnostics =
    ipv4 === 0
      ? []
      : [
          {
            name: "Update your IPv4 IP addresses to IPv6 IP addresses",
            description: "Your server is sending IPV4 IP addresses through the Conversions API.",
            solution: "You can update your web server and DNS provider configuration to support IPv6.",
            percentage: percent(ipv4, total),
            affected_event_count: ipv4,
            total_event_count: total,
          },
        ];

  const withEventId = items.filter((item) => item.event.event_id !== undefined && item.event.event_id !== "").length;
  const paired = items.filter((item) => item.event.event_id !== undefined && hasValue(item.event.user_data.fbp)).length;
  const eventCoverage = percent(paired, total);
  const dedupe = (key: "event_id" | "external_id" | "fbp") => {
    const count = key === "event_id" ? withEventId : userData.filter((data) => hasValue(data[key])).length;
    const share = percent(count, total);
    return {
      dedupe_key: key,
      browser_events_with_dedupe_key: {
        percentage: share,
        description: "The percentage of browser events that contain this dedupe key.",
      },
      server_events_with_dedupe_key: {
        percentage: share,
        description: "The percentage of server events that contain this dedupe key.",
      },
      overall_browser_coverage_from_dedupe_key: {
        percentage: round1((share * eventCoverage) / 100),
        description:
          "The overall percentage of browser events that are deduped with Conversions API events using this key.",
      },
    };
  };

  const lags = items.map((item) => item.receivedAt / 1000 - item.event.event_time).sort((a, b) => a - b);
  const medianLag = lags[Math.floor(lags.length / 2)] ?? 0;
  const acr = round1(score * 4.2);

  return {
    event_name: name,
    event_match_quality: { composite_score: score, match_key_feedback: matchKeyFeedback, diagnostics },
    event_coverage: {
      percentage: eventCoverage,
      goal_percentage: 75,
      description:
        "The percentage of events received from your Conversions API compared to unique browser events from the Meta Pixel.",
    },
    dedupe_key_feedback: [dedupe("event_id"), dedupe("external_id"), dedupe("fbp")],
    data_freshness: {
      upload_frequency: medianLag <= 300 ? "real_time" : medianLag <= 3600 ? "hourly" : "daily",
      description: "The average frequency with which instances of this event are received through the Conversions API.",
    },
    acr: {
      percentage: acr,
      description: `In the last 7 days, you saw about ${acr}% more conversions reported for ${name} events by using the Conversions API alongside the Meta Pixel.`,
    },
  };
}

/** A parsed `fields` value: each named field, with its own selection or `null` for its defaults. */
export type FieldTree = Map<string, FieldTree | null>;

interface NodeSchema {
  node: string;
  fields: Record<string, NodeSchema | true>;
  /** Fields left out unless named. */
  onRequest?: string[];
}

const PERCENTAGE: NodeSchema = { node: "AdsPercentage", fields: { percentage: true, description: true } };
const SCHEMA: NodeSchema = {
  node: "DatasetQuality",
  fields: {
    web: {
      node: "AdsPixelCAPIIntegrationQuality",
      fields: {
        event_name: true,
        event_match_quality: {
          node: "AdsPixelCAPIEMQ",
          onRequest: ["diagnostics"],
          fields: {
            composite_score: true,
            match_key_feedback: {
              node: "AdsPixelCAPIEMQMatchKeyFeedback",
              onRequest: ["potential_aly_acr_increase"],
              fields: { identifier: true, coverage: PERCENTAGE, potential_aly_acr_increase: PERCENTAGE },
            },
            diagnostics: {
              node: "AdsPixelCAPIEMQDiagnostic",
              fields: {
                name: true,
                description: true,
                solution: true,
                percentage: true,
                affected_event_count: true,
                total_event_count: true,
              },
            },
          },
        },
        event_coverage: {
          node: "AdsPixelCAPIEventCoverage",
          onRequest: ["potential_aly_acr_increase"],
          fields: {
            percentage: true,
            goal_percentage: true,
            description: true,
            potential_aly_acr_increase: PERCENTAGE,
          },
        },
        dedupe_key_feedback: {
          node: "AdsDatasetDedupKeyFeedback",
          fields: {
            dedupe_key: true,
            browser_events_with_dedupe_key: PERCENTAGE,
            server_events_with_dedupe_key: PERCENTAGE,
            overall_browser_coverage_from_dedupe_key: PERCENTAGE,
          },
        },
        data_freshness: { node: "AdsPixelCAPIDataFreshness", fields: { upload_frequency: true, description: true } },
        acr: PERCENTAGE,
      },
    },
  },
};

/**
 * Reads Graph's field syntax (`web{event_name,event_match_quality{composite_score}}`); an
 * empty or absent value asks for `web` with its defaults. A field the node does not have is
 * Graph's `(#100) Tried accessing nonexisting field …`.
 *
 * @example
 * ```ts
 * parseFields("web{event_name,acr}"); // Map { "web" => Map { "event_name" => null, "acr" => null } }
 * parseFields("web{dedup_key_feedback}"); // { status: 400, error: { code: 100, … } }
 * ```
 */
export function parseFields(text: string | null | undefined): FieldTree | MetaError {
  const source = (text ?? "").replace(/\s+/g, "");
  if (source === "") return new Map([["web", null]]);
  let position = 0;
  const list = (schema: NodeSchema): FieldTree | MetaError => {
    const tree: FieldTree = new Map();
    for (;;) {
      const name = /^[a-z_]+/.exec(source.slice(position))?.[0];
      if (!name) return nonexistingField(source.slice(position, position + 20) || "(empty)", schema.node);
      position += name.length;
      const child = schema.fields[name];
      if (!child) return nonexistingField(name, schema.node);
      if (source[position] === "{") {
        position++;
        if (child === true) return nonexistingField(/^[a-z_]*/.exec(source.slice(position))?.[0] || "(empty)", name);
        const sub = list(child);
        if (!(sub instanceof Map)) return sub;
        if (source[position] !== "}")
          return nonexistingField(source.slice(position, position + 20) || "(unclosed)", child.node);
        position++;
        tree.set(name, sub);
      } else {
        tree.set(name, null);
      }
      if (source[position] !== ",") return tree;
      position++;
    }
  };
  const tree = list(SCHEMA);
  if (tree instanceof Map && position < source.length)
    return nonexistingField(source.slice(position, position + 20), SCHEMA.node);
  return tree;
}

/**
 * Keeps only the fields `tree` names (defaults where it names an object without sub-fields).
 *
 * @example
 * ```ts
 * selectFields(datasetQuality(stored, now), parseFields("web{event_name}") as FieldTree); // { web: [{ event_name: "Lead" }] }
 * ```
 */
export function selectFields(value: unknown, tree: FieldTree | null, schema: NodeSchema = SCHEMA): unknown {
  if (Array.isArray(value)) return value.map((item) => selectFields(item, tree, schema));
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const names = tree
    ? [...tree.keys()]
    : Object.keys(schema.fields).filter((name) => !schema.onRequest?.includes(name));
  const out: Record<string, unknown> = {};
  for (const name of names) {
    if (!(name in record)) continue;
    const child = schema.fields[name];
    out[name] =
      child === true || child === undefined ? record[name] : selectFields(record[name], tree?.get(name) ?? null, child);
  }
  return out;
}
