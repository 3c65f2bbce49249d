/**
 * What the fault tests count, per destination: which events the relay took that Meta never
 * accepted (lost), and whether every acceptance beyond the first is explained by something the
 * relay could not know: an acceptance whose answer never reached it (a timeout or a dropped
 * connection; or an isolate replaced by a deployment before the answer came), a queue redelivery
 * after a lost ack, or a redelivery of a batch a deployment abandoned. A resend after the relay
 * learned of an acceptance, a second enqueue, a batchmate of a failing destination sent again:
 * each would show up as unexplained.
 *
 * Also the privacy check every scenario makes: no personal data in a queue message or a log line.
 */
import { expect } from "vitest";
import { type QueuedEvent, readPack } from "../../src/delivery/messages";
import { acceptanceKey, type FakeGraph, type GraphRequest } from "./fakeGraph";
import type { Logged } from "./relay";
import type { Webhook } from "./studio";

export interface DestinationFigures {
  name: string;
  pixelId: string;
  /** Events the relay took for this destination. */
  expected: number;
  /** Of those, accepted by Meta at least once. */
  accepted: number;
  lost: string[];
  /** Acceptances the relay learned of (a `sent` line from the consumer or a probe). */
  learned: number;
  duplicates: number;
  afterLostAnswer: number;
  /** Of those, acceptances made for an invocation a deployment had ended (its answer died with the isolate). */
  afterDeadIsolate: number;
  afterLostAck: number;
  afterAbandon: number;
  unexplained: number;
  /** Acceptances the fake Graph made whose answer it withheld (hang or drop after accepting). */
  injectedAmbiguous: number;
}

/** Answers in which the fake Graph accepted the events. */
const ACCEPTED = new Set<GraphRequest["answer"]>(["ok", "accept_then_hang", "accept_then_drop"]);

/** Counts per (destination, event_id) of message bodies, a pack counted as each of its events. */
function countBodies(bodies: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const body of bodies.flatMap((b) => readPack(b)?.events ?? [b])) {
    const message = body as QueuedEvent;
    const key = `${message.destination}/${message.eventId}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Per destination: lost events and the explanation of every duplicate acceptance.
 *
 * @param pixels each destination's (right) pixel id
 * @param expected each destination's event ids the relay took
 */
export function account(options: {
  graph: FakeGraph;
  logged: readonly Logged[];
  pixels: Record<string, string>;
  expected: Map<string, Set<string>>;
  lostAcks: readonly unknown[];
  abandoned: readonly unknown[];
  /** Invocations a deployment abandoned (the fake Graph's `invocation`). */
  deadInvocations?: ReadonlySet<string>;
}): Map<string, DestinationFigures> {
  const { graph, pixels, expected } = options;
  const learned = new Map<string, number>();
  for (const { fields } of options.logged) {
    if (fields.outcome !== "sent") continue;
    // The consumer logs a request Meta accepted in one line naming its events; a circuit's probe, an event a line.
    const ids =
      fields.msg === "capi_request" && Array.isArray(fields.event_ids)
        ? fields.event_ids
        : fields.msg === "capi_event" || fields.msg === "circuit"
          ? [fields.event_id]
          : [];
    for (const id of ids) {
      const key = `${String(fields.destination)}/${String(id)}`;
      learned.set(key, (learned.get(key) ?? 0) + 1);
    }
  }
  const acceptedForDead = new Map<string, number>();
  for (const r of graph.log) {
    if (!ACCEPTED.has(r.answer) || r.invocation === undefined || !options.deadInvocations?.has(r.invocation)) continue;
    for (const id of r.ids)
      acceptedForDead.set(acceptanceKey(r.pixelId, id), (acceptedForDead.get(acceptanceKey(r.pixelId, id)) ?? 0) + 1);
  }
  const lostAcks = countBodies(options.lostAcks);
  const abandoned = countBodies(options.abandoned);
  const figures = new Map<string, DestinationFigures>();
  for (const [name, pixelId] of Object.entries(pixels)) {
    const ids = expected.get(name) ?? new Set<string>();
    const f: DestinationFigures = {
      name,
      pixelId,
      expected: ids.size,
      accepted: 0,
      lost: [],
      learned: 0,
      duplicates: 0,
      afterLostAnswer: 0,
      afterDeadIsolate: 0,
      afterLostAck: 0,
      afterAbandon: 0,
      unexplained: 0,
      injectedAmbiguous: 0,
    };
    for (const id of ids) {
      if (graph.accepted.has(acceptanceKey(pixelId, id))) f.accepted++;
      else f.lost.push(id);
    }
    const prefix = `${pixelId}/`;
    for (const [key, count] of graph.accepted) {
      if (!key.startsWith(prefix)) continue;
      const eventId = key.slice(prefix.length);
      const ours = `${name}/${eventId}`;
      const known = learned.get(ours) ?? 0;
      f.learned += known;
      const extra = count - 1;
      if (extra <= 0) continue;
      f.duplicates += extra;
      const byLostAnswer = Math.min(extra, Math.max(0, count - known));
      const byAck = Math.min(extra - byLostAnswer, lostAcks.get(ours) ?? 0);
      const byAbandon = Math.min(extra - byLostAnswer - byAck, abandoned.get(ours) ?? 0);
      f.afterLostAnswer += byLostAnswer;
      f.afterDeadIsolate += Math.min(byLostAnswer, acceptedForDead.get(key) ?? 0);
      f.afterLostAck += byAck;
      f.afterAbandon += byAbandon;
      f.unexplained += extra - byLostAnswer - byAck - byAbandon;
    }
    for (const [key, count] of graph.ambiguous) if (key.startsWith(prefix)) f.injectedAmbiguous += count;
    figures.set(name, f);
  }
  return figures;
}

/** One destination's figures as a line of the test's output. */
export function figuresLine(f: DestinationFigures): string {
  const deadIsolate = f.afterDeadIsolate
    ? `, ${f.afterDeadIsolate} of them answers that died with an isolate a deployment replaced`
    : "";
  return (
    `${f.name} (pixel ${f.pixelId}): ${f.accepted}/${f.expected} accepted, lost ${f.lost.length}; ` +
    `${f.duplicates} duplicate acceptances (${f.afterLostAnswer} after a lost answer${deadIsolate}, ` +
    `${f.afterLostAck} after a lost ack, ${f.afterAbandon} after an abandoned batch, ${f.unexplained} unexplained; ` +
    `${f.injectedAmbiguous} ambiguous answers injected)`
  );
}

/**
 * No raw email, phone, name or city in a queue message or a log line; no IP and no token in a log
 * line. `webhooks` are the samples checked (their values are distinct per webhook).
 */
export function expectNoPersonalData(options: {
  messages: readonly unknown[];
  logged: readonly Logged[];
  webhooks: readonly Webhook[];
  tokens: readonly string[];
}): void {
  const messagesText = JSON.stringify(options.messages);
  const logText = options.logged.map((l) => l.line).join("\n");
  for (const w of options.webhooks) {
    for (const value of [w.payload.shopper.email, w.payload.shopper.first_name, "555-", w.payload.shopper.city]) {
      expect(messagesText).not.toContain(value);
      expect(logText).not.toContain(value);
    }
    expect(logText).not.toContain(w.payload.context.ip);
  }
  for (const token of options.tokens) expect(logText).not.toContain(token);
}

/**
 * The consumer's intake claim at work: the route queues every delivery of a webhook (it asks no
 * Durable Object), so a Studio event and destination may be queued several times; each message
 * beyond the first must be acked unsent by the consumer (`"outcome":"duplicate"`). A message whose
 * duplicate ack was lost is logged again, so the lines are at least the extra messages. (That none
 * of them reached Meta is what `account`'s `unexplained` checks.)
 */
export function claimFigures(
  queueSends: ReadonlyMap<string, number>,
  logged: readonly { fields: Record<string, unknown> }[],
): { extraMessages: number; duplicateLines: number } {
  let extraMessages = 0;
  for (const n of queueSends.values()) extraMessages += n - 1;
  const duplicateLines = logged.filter((l) => l.fields.msg === "capi_event" && l.fields.outcome === "duplicate").length;
  return { extraMessages, duplicateLines };
}
