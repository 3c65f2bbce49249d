/**
 * One call shape for the two transform APIs the bench compares, so every loop counts the same
 * thing: the events a webhook became.
 *
 *   current  transformWebhook(payload, config, config.destinations, now)
 *            -> { outcome: "routed", results: [{ destination, outcome: "event", event }] }
 *   base     transformWebhook(payload, config, now) -> { outcome: "event", event }   (be0ef34)
 *
 * Used in Node (bench/transform.mjs, breakdown, profile) and inside workerd (bench/workerd/).
 *
 * @example
 * const run = eventsOf(relay);           // or eventsOf(base, "base")
 * run(payload, config, now);             // 1 (or 3 with three destinations), 0 when refused
 */

/** `(payload, config, now) => number of events built` for a bundle of either API. */
export function eventsOf(relay, api = "current") {
  if (api === "base")
    return (payload, config, now) => (relay.transformWebhook(payload, config, now).outcome === "event" ? 1 : 0);
  return (payload, config, now) => {
    const result = relay.transformWebhook(payload, config, config.destinations, now);
    if (result.outcome !== "routed") return 0;
    let events = 0;
    for (const r of result.results) if (r.outcome === "event") events++;
    return events;
  };
}

/** What a transform made of a webhook, in words, for the fixture table. */
export function statusOf(result) {
  if (result.outcome === "routed") {
    const skipped = result.results.filter((r) => r.outcome !== "event");
    return skipped.length ? `routed, ${skipped.length} skipped: ${skipped.map((r) => r.reason).join(", ")}` : "event";
  }
  if (result.outcome === "event") return "event";
  if (result.outcome === "skipped") return `skipped: ${result.reason}`;
  return `invalid ${JSON.stringify(result.issues ?? []).slice(0, 100)}`;
}
