/**
 * Which Durable Object instance to call: the intake ledger shard that remembers a Studio event
 * ({@link intakeShard}, {@link intakeLedgerOf}) and the one dead-letter store
 * ({@link deadLetterStoreOf}). A destination's circuit is ./holds' `circuitOf`.
 *
 * Names and stubs only, without storage: the classes (./intakeLedger, ./deadLetterStore) import
 * `cloudflare:workers`, which modules tested in Node cannot load, so their callers come here.
 * Bindings are slices of the generated `Env`, each optional: the relay runs without them.
 */

/** Durable Object instances the intake ledger is spread over (keyed by Studio `id`). Changing it forgets 48 h of memory. */
export const INTAKE_SHARDS = 16;

/** The dead-letter store's one Durable Object instance. */
export const DEAD_LETTER_STORE_NAME = "dead-letters";

/**
 * The ledger instance that remembers a Studio event: FNV-1a of its `id` over
 * {@link INTAKE_SHARDS}. A redelivery has the same `id` (and the same `webhook-id` goes with the
 * same body), so both of its keys are always checked in one place, atomically.
 *
 * @example
 * ```ts
 * intakeShard("evt_01JD8W3Q9X7K2M4N6P8R0T2V4X"); // "intake-7" (stable)
 * ```
 */
export function intakeShard(studioEventId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < studioEventId.length; i++) {
    hash ^= studioEventId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `intake-${hash % INTAKE_SHARDS}`;
}

/**
 * The intake ledger shard of a Studio event, or undefined when `INTAKE_LEDGER` is not bound.
 *
 * @example
 * ```ts
 * const [claim] = (await intakeLedgerOf(env, "evt_1")?.claim([{ keys: ["id:evt_1"], eventId: "cartful.ses_1.1" }], Date.now())) ?? [];
 * ```
 */
export function intakeLedgerOf(
  env: Partial<Pick<Env, "INTAKE_LEDGER">>,
  studioEventId: string,
): ReturnType<Env["INTAKE_LEDGER"]["get"]> | undefined {
  const namespace = env.INTAKE_LEDGER;
  return namespace?.get(namespace.idFromName(intakeShard(studioEventId)));
}

/**
 * The dead-letter store, or undefined when `DEAD_LETTERS` is not bound.
 *
 * @example
 * ```ts
 * const page = await deadLetterStoreOf(env)?.list({ limit: 50 });
 * ```
 */
export function deadLetterStoreOf(
  env: Partial<Pick<Env, "DEAD_LETTERS">>,
): ReturnType<Env["DEAD_LETTERS"]["get"]> | undefined {
  const namespace = env.DEAD_LETTERS;
  return namespace?.get(namespace.idFromName(DEAD_LETTER_STORE_NAME));
}
