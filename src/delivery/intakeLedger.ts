/**
 * The intake ledger: remembers, for 48 hours, which Studio events (by Studio `id` and by
 * Standard Webhooks `webhook-id`) were already queued for (or, without a queue, accepted by) each
 * destination, so a redelivery is acknowledged again but not sent twice to the same destination.
 *
 * Why a Durable Object (SQLite-backed) and not D1 or KV: the check-and-claim must be atomic
 * across concurrent redeliveries. A Durable Object instance runs one request at a time and its
 * SQL calls are synchronous, so "look up the keys, then write the claim" cannot interleave with
 * another delivery of the same event: strongly consistent with no transaction to get wrong. KV
 * is eventually consistent (two deliveries racing in two locations both see "absent"). D1 would
 * be consistent through its single primary, but costs a database to create and migrate and a
 * network hop to that primary; the object lives next to its callers' traffic, one per destination
 * (./instances `intakeLedgerOf`: the queue consumer claims a batch's share of a destination in one
 * call), and is created by `wrangler deploy` alone.
 *
 * Two kinds of claim. The consumer's ({@link IntakeLedger.claimMessages}): the queued path's
 * webhook route only enqueues, and the consumer claims each webhook message's keys, per batch,
 * before sending; the claim's `owner` is the claim id the webhook route put in the message's body
 * (the queue message id for a message queued before claim ids), so the message's own retries pass
 * and another message with the same Studio `id` or `webhook-id` for the same destination is a
 * duplicate. The direct path's (no queue; {@link IntakeLedger.claim}): three states, absent,
 * `pending` (claimed, the send under way) and `queued` (Meta accepted it); a pending claim left
 * by a crash is taken over after {@link INTAKE_LEASE_MS}; a failed send releases it at once.
 */
import { DurableObject } from "cloudflare:workers";
import { addColumn, migrate, type SchemaStep } from "../core/sqlSchema";

/** How long Studio's redeliveries are recognised (Meta's own dedup window is 48 h too). */
export const INTAKE_MEMORY_MS = 48 * 3_600_000;
/** A claim whose enqueue neither finished nor failed (a crash) is taken over after this long. */
export const INTAKE_LEASE_MS = 30_000;
/** How often expired claims are swept (they are ignored as soon as they expire). */
export const SWEEP_INTERVAL_MS = 3_600_000;

/** One destination's share of a webhook to claim: its ledger keys and its `event_id`. */
export interface ClaimRequest {
  keys: string[];
  eventId: string;
}

/** A claim held by this caller: its keys and the token `claim` handed out. */
export interface HeldClaim {
  keys: string[];
  token: string;
}

export type ClaimResult =
  /** Yours: send the message, then `confirm`, or `release` if the send failed. */
  | { outcome: "claimed"; token: string }
  /** Queued within 48 h, under this `event_id`. */
  | { outcome: "duplicate"; eventId: string }
  /** Another delivery holds a fresh claim; come back in `retryAfterSeconds`. */
  | { outcome: "in_flight"; retryAfterSeconds: number };

/** The ledger's tables, oldest step first (see core/sqlSchema: never edit a deployed step, add one). */
const SCHEMA: SchemaStep[] = [
  [
    `CREATE TABLE IF NOT EXISTS claims (
       key TEXT PRIMARY KEY, event_id TEXT NOT NULL, state TEXT NOT NULL, token TEXT NOT NULL,
       claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
    "CREATE INDEX IF NOT EXISTS claims_expires_at ON claims (expires_at)",
  ],
  // The consumer's claims: the queue message that holds them, by its claim id (null for the route's claims).
  (sql) => addColumn(sql, { table: "claims", column: "owner", type: "TEXT" }),
  // The index on `expires_at` cost a row written per key claimed, a third of the ledger's writes,
  // to spare the hourly sweep a scan (rows read cost a thousandth of rows written). Dropping an
  // index is the one removal an older deployment cannot notice: none of its queries names it.
  ["DROP INDEX IF EXISTS claims_expires_at"],
  // The same claims in a table clustered on its key (WITHOUT ROWID): a claim is one row written,
  // where `claims` wrote its row and its key's entry in the primary key's index. Claims made
  // before are copied; `claims` stays (an older deployment still reads it) and is swept empty.
  [
    `CREATE TABLE IF NOT EXISTS claim_keys (
       key TEXT PRIMARY KEY, event_id TEXT NOT NULL, state TEXT NOT NULL, token TEXT NOT NULL,
       claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, owner TEXT) WITHOUT ROWID`,
    `INSERT OR IGNORE INTO claim_keys (key, event_id, state, token, claimed_at, expires_at, owner)
       SELECT key, event_id, state, token, claimed_at, expires_at, owner FROM claims`,
  ],
];

interface ClaimRow extends Record<string, SqlStorageValue> {
  key: string;
  event_id: string;
  state: string;
  claimed_at: number;
  owner: string | null;
}

/** A queued message's share to claim (./intakeClaims): its ledger keys, its `event_id`, and the message's owner. */
export interface MessageClaimRequest extends ClaimRequest {
  /** The message's claim id (its queue message id before claim ids): the same on every delivery of it, so its own retries pass. */
  owner: string;
}

export type MessageClaimResult =
  /** Yours (now, or since an earlier delivery of the same message): send it. */
  | { outcome: "claimed" }
  /** Another message (or a direct delivery) has it within 48 h, under this `event_id`: do not send. */
  | { outcome: "duplicate"; eventId: string }
  /** A direct delivery (no queue) is sending it right now: come back in `retryAfterSeconds`. */
  | { outcome: "in_flight"; retryAfterSeconds: number };

/**
 * One shard of the ledger. Callers pass `now` (ms) so that tests control time.
 *
 * @example
 * ```ts
 * const ledger = intakeLedgerOf(env, "default")!; // ./instances: the destination's ledger
 * const [claim] = await ledger.claim([{ keys: ["id:evt_1", "wh:msg_1"], eventId: "cartful.ses_1.1" }], Date.now());
 * if (claim?.outcome === "claimed") { await queue.send(message); await ledger.confirm([{ keys, token: claim.token }]); }
 * ```
 */
export class IntakeLedger extends DurableObject<Pick<Env, never>> {
  // Pick<Env, never>: it reads no binding of the Worker's env.
  private readonly sql = migrate(this.ctx.storage.sql, SCHEMA);

  /**
   * Claims each entry's `keys` for its `eventId`, unless one of them is done or freshly claimed;
   * one answer per entry, in order. Atomic: the object runs one call at a time and its SQL is
   * synchronous, so two deliveries of one webhook cannot both claim an entry.
   */
  async claim(entries: ClaimRequest[], now: number): Promise<ClaimResult[]> {
    const results = entries.map((entry) => this.claimOne(entry.keys, entry.eventId, now));
    if (results.some((result) => result.outcome === "claimed") && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
    }
    return results;
  }

  /**
   * The consumer's claim, for messages already on the queue (so nothing is claimed that is not
   * durable): each entry's `keys` become its message's (`owner`) at once, unless another message
   * or a direct delivery has one of them; a message's own retry finds them its own and passes.
   * One answer per entry, in order; atomic like {@link claim}. Entries of one call are claimed in
   * order, so of two deliveries of one webhook in the same batch the first is sent.
   */
  async claimMessages(entries: MessageClaimRequest[], now: number): Promise<MessageClaimResult[]> {
    const results = entries.map((entry) => this.claimForMessage(entry, now));
    if (results.some((result) => result.outcome === "claimed") && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
    }
    return results;
  }

  /** Marks claims done (their message was queued, or Meta accepted their event). False for each claim lost meanwhile. */
  async confirm(claims: HeldClaim[]): Promise<boolean[]> {
    return claims.map(
      ({ keys, token }) =>
        this.sql.exec(
          `UPDATE claim_keys SET state = 'queued' WHERE token = ? AND key IN (${sqlMarks(keys)})`,
          token,
          ...keys,
        ).rowsWritten > 0,
    );
  }

  /** Drops claims whose send failed, so the sender's redelivery can go through. */
  async release(claims: HeldClaim[]): Promise<void> {
    for (const { keys, token } of claims) {
      this.sql.exec(`DELETE FROM claim_keys WHERE token = ? AND key IN (${sqlMarks(keys)})`, token, ...keys);
    }
  }

  private claimForMessage({ keys, eventId, owner }: MessageClaimRequest, now: number): MessageClaimResult {
    const others = this.liveRows(keys, now).filter((row) => row.owner !== owner);
    const done = others.find((row) => row.state === "queued");
    if (done) return { outcome: "duplicate", eventId: done.event_id };
    const leaseEnd = Math.max(...others.map((row) => row.claimed_at + INTAKE_LEASE_MS));
    if (leaseEnd > now)
      return { outcome: "in_flight", retryAfterSeconds: Math.max(1, Math.ceil((leaseEnd - now) / 1000)) };
    for (const key of keys) {
      // Its own rows are written again (the same owner); an expired or abandoned one is taken over.
      this.sql.exec(
        `INSERT INTO claim_keys (key, event_id, state, token, claimed_at, expires_at, owner)
         VALUES (?, ?, 'queued', ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, state = 'queued', token = excluded.token,
           claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, owner = excluded.owner`,
        key,
        eventId,
        owner,
        now,
        now + INTAKE_MEMORY_MS,
        owner,
      );
    }
    return { outcome: "claimed" };
  }

  private liveRows(keys: string[], now: number): ClaimRow[] {
    return this.sql
      .exec<ClaimRow>(
        `SELECT key, event_id, state, claimed_at, owner FROM claim_keys WHERE key IN (${sqlMarks(keys)}) AND expires_at > ?`,
        ...keys,
        now,
      )
      .toArray();
  }

  private claimOne(keys: string[], eventId: string, now: number): ClaimResult {
    const rows = this.liveRows(keys, now);
    const done = rows.find((row) => row.state === "queued");
    if (done) return { outcome: "duplicate", eventId: done.event_id };
    const leaseEnd = Math.max(...rows.map((row) => row.claimed_at + INTAKE_LEASE_MS));
    if (leaseEnd > now)
      return { outcome: "in_flight", retryAfterSeconds: Math.max(1, Math.ceil((leaseEnd - now) / 1000)) };

    const token = crypto.randomUUID();
    for (const key of keys) {
      this.sql.exec(
        `INSERT OR REPLACE INTO claim_keys (key, event_id, state, token, claimed_at, expires_at)
         VALUES (?, ?, 'pending', ?, ?, ?)`,
        key,
        eventId,
        token,
        now,
        now + INTAKE_MEMORY_MS,
      );
    }
    return { outcome: "claimed", token };
  }

  /** Sweeps expired claims; comes back while any remain. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM claim_keys WHERE expires_at <= ?", now);
    // Claims of the table before step 4, copied then; an older deployment rolled back to would still write there.
    this.sql.exec("DELETE FROM claims WHERE expires_at <= ?", now);
    const left = this.sql
      .exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM claim_keys) + (SELECT COUNT(*) FROM claims) AS n")
      .one().n;
    if (left > 0) await this.ctx.storage.setAlarm(now + SWEEP_INTERVAL_MS);
  }
}

/**
 * `?, ?, ?` for an SQL `IN (…)` list of these values.
 *
 * @example
 * ```ts
 * sql.exec(`DELETE FROM claim_keys WHERE key IN (${sqlMarks(keys)})`, ...keys);
 * ```
 */
export function sqlMarks(values: readonly unknown[]): string {
  return values.map(() => "?").join(", ");
}
