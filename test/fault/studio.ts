/**
 * Cartful Studio as the fault tests play it: webhooks made from the canonical fixture (each with
 * its own shopper, session and id), sent to the relay's route until answered, half signed
 * (Standard Webhooks: the `webhook-id` is claimed too), half with the bearer, coming back after
 * `Retry-After` on every 503. It remembers, per webhook, which destinations the relay took the
 * event for (answered `queued`, or `duplicate` of an earlier queuing): those are the events that
 * must reach Meta.
 */
import { createHmac } from "node:crypto";
import canonical from "../../fixtures/canonical.json";
import type { SimClock, SimRelay, Settings } from "./relay";

export type Payload = typeof canonical;

export interface Webhook {
  index: number;
  payload: Payload;
  webhookId: string;
  /** `/webhooks/cartful` or `/webhooks/cartful/{source}`. */
  path: string;
  /** Settings of this webhook's request only (the original test's second store). */
  overrides?: Settings;
}

/** Where a webhook comes from: store domain, quiz id, `{source}` route segment. */
export interface Origin {
  store?: string;
  quiz?: string;
  source?: string;
}

/** A distinct webhook: its own Studio id, session, shopper and IP. */
export function webhook(index: number, occurredAt: number, origin: Origin = {}, tag = "fault"): Webhook {
  const payload = structuredClone(canonical);
  payload.id = `evt_${tag}_${index}`;
  payload.session = { id: `ses_${tag}_${index}`, attempt: 1 };
  payload.occurred_at = new Date(occurredAt).toISOString();
  payload.shopper.email = `Shopper.${tag}.${index}@Example.com`;
  payload.shopper.phone = `+1 (415) 555-${String(1000 + index).slice(-4)}`;
  payload.shopper.first_name = `Name${tag}${index}`;
  payload.context.ip = `198.51.100.${index % 250}`;
  if (origin.store) payload.store.domain = origin.store;
  if (origin.quiz) payload.quiz.id = origin.quiz;
  return {
    index,
    payload,
    webhookId: `msg_${tag}_${index}`,
    path: origin.source ? `/webhooks/cartful/${origin.source}` : "/webhooks/cartful",
  };
}

/** The event_id the relay gives a webhook (its formula: `cartful.{session}.{attempt}`). */
export const eventIdOf = (w: Webhook): string => `cartful.${w.payload.session.id}.${w.payload.session.attempt}`;

interface Answer {
  status?: string;
  reason?: string;
  event_id?: string;
  error?: { code: string };
  destinations?: { name: string; status: string }[];
}

export class Studio {
  readonly intake = { deliveries: 0, queued: 0, duplicate: 0, inFlight: 0, failed: 0, dryRun: 0, skipped: 0 };
  /** Per webhook (Studio id): destinations the relay took its event for. */
  readonly takenFor = new Map<string, Set<string>>();
  /** Per webhook: destinations answered `dry_run` (no token for them). */
  readonly dryRunFor = new Map<string, Set<string>>();
  /** Per webhook: the destinations its answers named (routing). */
  readonly routedTo = new Map<string, string[]>();
  private readonly signingKey: Buffer;

  constructor(
    private readonly relay: SimRelay,
    private readonly clock: SimClock,
    readonly secret: string,
  ) {
    this.signingKey = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  }

  /** A secret in Standard Webhooks' `whsec_` form. */
  static secretFrom(key: string): string {
    return `whsec_${Buffer.from(key).toString("base64")}`;
  }

  post(w: Webhook): Promise<Response> {
    const body = JSON.stringify(w.payload);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (w.index % 2 === 0) {
      const timestamp = String(Math.floor(this.clock.now() / 1000));
      const signature = createHmac("sha256", this.signingKey)
        .update(`${w.webhookId}.${timestamp}.${body}`)
        .digest("base64");
      Object.assign(headers, {
        "webhook-id": w.webhookId,
        "webhook-timestamp": timestamp,
        "webhook-signature": `v1,${signature}`,
      });
    } else {
      headers.authorization = `Bearer ${this.secret}`;
    }
    return this.relay.request(w.path, { method: "POST", headers, body }, w.overrides);
  }

  /** Delivers `w` until the relay answers it for good (2xx); throws on anything but 2xx and 503. */
  async deliver(w: Webhook): Promise<Answer> {
    for (let attempt = 1; attempt <= 100; attempt++) {
      this.intake.deliveries++;
      const res = await this.post(w);
      const answer = (await res.json()) as Answer;
      if (answer.event_id !== undefined && answer.event_id !== eventIdOf(w))
        throw new Error(`webhook ${w.index}: event_id ${answer.event_id}`);
      for (const d of answer.destinations ?? []) {
        if (d.status === "queued" || d.status === "duplicate") add(this.takenFor, w.payload.id, d.name);
        if (d.status === "dry_run") add(this.dryRunFor, w.payload.id, d.name);
      }
      if (answer.destinations)
        this.routedTo.set(
          w.payload.id,
          answer.destinations.map((d) => d.name),
        );
      if (res.status === 202 && (answer.status === "queued" || answer.status === "duplicate")) {
        this.intake[answer.status]++;
        return answer;
      }
      if (res.status === 200 && (answer.status === "dry_run" || answer.status === "skipped")) {
        this.intake[answer.status === "dry_run" ? "dryRun" : "skipped"]++;
        if (answer.status === "skipped") this.routedTo.set(w.payload.id, []);
        return answer;
      }
      if (res.status !== 503) throw new Error(`webhook ${w.index}: HTTP ${res.status} ${JSON.stringify(answer)}`);
      this.intake[answer.error?.code === "delivery_in_progress" ? "inFlight" : "failed"]++;
      await this.clock.sleepSeconds(Number(res.headers.get("retry-after") ?? 5));
    }
    throw new Error(`webhook ${w.index} never acknowledged`);
  }

  /**
   * Delivers `w` once, and with `random`'s odds a second time: 3% at once (concurrently), 10%
   * within 40 simulated seconds (Studio's redelivery after a lost answer).
   */
  deliverWithRedeliveries(w: Webhook, random: () => number): Promise<unknown>[] {
    const deliveries: Promise<unknown>[] = [this.deliver(w)];
    const roll = random();
    if (roll < 0.03) deliveries.push(this.deliver(w));
    else if (roll < 0.13) deliveries.push(this.clock.sleepSeconds(random() * 40).then(() => this.deliver(w)));
    return deliveries;
  }

  /** Per destination, the event ids the relay took (must reach that destination's pixel). */
  expectedPerDestination(webhooks: readonly Webhook[]): Map<string, Set<string>> {
    const expected = new Map<string, Set<string>>();
    for (const w of webhooks) {
      for (const name of this.takenFor.get(w.payload.id) ?? []) add(expected, name, eventIdOf(w));
    }
    return expected;
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}
