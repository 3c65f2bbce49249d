/**
 * The consumer's intake claim: before a batch is sent, each webhook message's ledger keys (its
 * Studio `id` and `webhook-id`, for its destination: ./producer `intakeKeys`) are claimed in its
 * destination's intake ledger (./intakeLedger), with one call per destination present in the
 * batch (./instances: a destination's keys all live in one object). A message is claimed only
 * once it is durably on the queue (the webhook route sent it there), under the claim id the route
 * put in its body (./messages `QueuedEvent.claim`), which travels with every retry of it whatever
 * id the queue gives that retry (Cloudflare does not promise to keep a message's `id`): its own retries pass, and another message with the same Studio `id` or
 * `webhook-id` for the same destination (Studio's redelivery, with a claim id of its own) is a
 * duplicate, acked without sending. A message queued before claim ids is claimed under its queue
 * message id. Only messages marked `unclaimed` are claimed:
 * browser events, and events the relay itself puts back on the queue (a circuit's release, a
 * re-drive), never are. A ledger that cannot be reached leaves its messages to be retried shortly:
 * nothing unclaimed is sent while the ledger is bound.
 *
 * {@link claimPlan} is pure (which message goes to which destination's ledger, with which keys);
 * {@link claimIntake} makes the calls.
 *
 * @example
 * ```ts
 * const verdicts = await claimIntake(env, batch.messages.map((m) => ({ id: m.id, body: readQueuedEvent(m.body)! })), Date.now());
 * verdicts[0]; // { kind: "send" } | { kind: "duplicate", eventId } | { kind: "wait", delaySeconds, reason }
 * ```
 */
import type { QueueBindings } from "./bindings";
import { intakeLedgerName } from "./instances";
import type { MessageClaimRequest, MessageClaimResult } from "./intakeLedger";
import { CLAIM_ID, type QueuedEvent } from "./messages";
import { intakeKeys } from "./producer";

/** A queue message as the claim sees it: its id (the claim's owner when the body has no claim id) and its body. */
export interface ClaimableMessage {
  id: string;
  body: QueuedEvent;
}

/** What the claim says of a message. */
export type IntakeVerdict =
  /** Claimed by this message (now or on an earlier delivery of it), or no claim needed: send it. */
  | { kind: "send" }
  /** Another message, or a direct delivery, has it for this destination: ack it unsent. */
  | { kind: "duplicate"; eventId: string }
  /** Not claimed now: retry the message after `delaySeconds`. */
  | { kind: "wait"; delaySeconds: number; reason: "in_flight" | "ledger_unreachable" };

/** How soon a message whose destination's ledger could not be reached is delivered again. */
export const CLAIM_RETRY_DELAY_SECONDS = 10;

/** One destination's share of a batch: its ledger's name, the messages' places in the batch, and what to claim for each. */
export interface LedgerClaims {
  ledger: string;
  indexes: number[];
  requests: MessageClaimRequest[];
}

/**
 * Which messages of a batch need a claim, grouped by destination: those marked `unclaimed`, each
 * with its keys, its `event_id` and its owner ({@link claimOwner}). Pure.
 *
 * @example
 * ```ts
 * claimPlan([{ id: "m1", body: { ...message, studioEventId: "evt_1", unclaimed: true } }]);
 * // [{ ledger: "intake:default", indexes: [0], requests: [{ keys: ["id:evt_1"], eventId: "cartful…", owner: "m1" }] }]
 * ```
 */
export function claimPlan(messages: readonly ClaimableMessage[]): LedgerClaims[] {
  const ledgers = new Map<string, LedgerClaims>();
  messages.forEach(({ id, body }, index) => {
    if (body.unclaimed !== true) return;
    const ledger = intakeLedgerName(body.destination);
    let claims = ledgers.get(ledger);
    if (!claims) ledgers.set(ledger, (claims = { ledger, indexes: [], requests: [] }));
    claims.indexes.push(index);
    claims.requests.push({
      keys: intakeKeys(body.studioEventId, body.webhookId, body.destination),
      eventId: body.eventId,
      owner: claimOwner({ id, body }),
    });
  });
  return [...ledgers.values()];
}

/**
 * Who owns a message's claim: the claim id in its body when it has a well-formed one, else (a
 * message queued before claim ids) its queue message id.
 *
 * @example
 * ```ts
 * claimOwner({ id: "m1", body: { ...message, claim: "3f2c9a1e…" } }); // "3f2c9a1e…"
 * claimOwner({ id: "m1", body: message });                             // "m1"
 * ```
 */
export function claimOwner({ id, body }: ClaimableMessage): string {
  return typeof body.claim === "string" && CLAIM_ID.test(body.claim) ? body.claim : id;
}

/**
 * Claims a batch's webhook messages (see the module's comment): one verdict per message, in
 * order; one ledger call per destination, the destinations at once. Without an `INTAKE_LEDGER` binding every
 * message is sent (Meta still drops a repeat by `event_id`).
 *
 * @param now ms
 */
export async function claimIntake(
  env: Pick<QueueBindings, "INTAKE_LEDGER">,
  messages: readonly ClaimableMessage[],
  now: number,
): Promise<IntakeVerdict[]> {
  const verdicts: IntakeVerdict[] = messages.map(() => ({ kind: "send" }));
  const namespace = env.INTAKE_LEDGER;
  if (!namespace) return verdicts;
  await Promise.all(
    claimPlan(messages).map(async ({ ledger, indexes, requests }) => {
      let results: MessageClaimResult[] | undefined;
      try {
        results = await namespace.get(namespace.idFromName(ledger)).claimMessages(requests, now);
      } catch {
        results = undefined;
      }
      indexes.forEach((index, i) => {
        verdicts[index] = verdictOf(results?.[i]);
      });
    }),
  );
  return verdicts;
}

function verdictOf(result: MessageClaimResult | undefined): IntakeVerdict {
  if (result === undefined)
    return { kind: "wait", delaySeconds: CLAIM_RETRY_DELAY_SECONDS, reason: "ledger_unreachable" };
  switch (result.outcome) {
    case "claimed":
      return { kind: "send" };
    case "duplicate":
      return { kind: "duplicate", eventId: result.eventId };
    case "in_flight":
      return { kind: "wait", delaySeconds: result.retryAfterSeconds, reason: "in_flight" };
  }
}
