/**
 * Which Durable Object instance to call: a destination's intake ledger ({@link intakeLedgerOf})
 * and the one dead-letter store ({@link deadLetterStoreOf}). A destination's circuit is ./holds' `circuitOf`.
 *
 * Names and stubs only, without storage: the classes (./intakeLedger, ./deadLetterStore) import
 * `cloudflare:workers`, which modules tested in Node cannot load, so their callers come here.
 * Bindings are slices of the generated `Env`, each optional: the relay runs without them.
 */

/** The dead-letter store's one Durable Object instance. */
export const DEAD_LETTER_STORE_NAME = "dead-letters";

/**
 * The intake ledger instance of a destination: every ledger key of its events (./producer
 * `intakeKeys`, which name the destination), from both paths, lives in one object, so the queue
 * consumer claims a whole batch's share of a destination in one call, and a direct delivery and a
 * queued one of the same Studio event see each other. Destination names are at most 32 characters
 * of `[a-z0-9_-]` (../config/destinations), so the name is bounded.
 *
 * Before this naming (0.1 and earlier) the ledger was spread by Studio `id` over sixteen
 * `intake-N` instances: those stop being asked, and sweep themselves empty within 48 hours.
 *
 * @example
 * ```ts
 * intakeLedgerName("default"); // "intake:default"
 * ```
 */
export function intakeLedgerName(destination: string): string {
  return `intake:${destination}`;
}

/**
 * A destination's intake ledger, or undefined when `INTAKE_LEDGER` is not bound.
 *
 * @example
 * ```ts
 * const [claim] = (await intakeLedgerOf(env, "default")?.claim([{ keys: ["id:evt_1"], eventId: "cartful.ses_1.1" }], Date.now())) ?? [];
 * ```
 */
export function intakeLedgerOf(
  env: Partial<Pick<Env, "INTAKE_LEDGER">>,
  destination: string,
): ReturnType<Env["INTAKE_LEDGER"]["get"]> | undefined {
  const namespace = env.INTAKE_LEDGER;
  return namespace?.get(namespace.idFromName(intakeLedgerName(destination)));
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
