/**
 * The Cloudflare bindings the delivery machinery uses (wrangler configuration), as slices of the
 * generated `Env` (worker-configuration.d.ts, `npm run typegen`): each optional, since each absence
 * has a documented fallback, and each function asks for the slice it reads. The two queues are
 * ./messages `Queues`, typed by the bodies they carry (the generated `Env` types them `Queue<unknown>`).
 *
 * @example
 * ```ts
 * function heldCount(env: CircuitBindings) { return env.DELIVERY_CIRCUIT?.get(…); }
 * ```
 */
import type { WorkerVars } from "../config/settings";
import type { Queues } from "./messages";

/** The destination circuits (./circuit). */
export type CircuitBindings = Partial<Pick<Env, "DELIVERY_CIRCUIT">>;
/** The dead-letter store (./deadLetterStore). */
export type DeadLetterBindings = Partial<Pick<Env, "DEAD_LETTERS">>;
/** The intake ledger (./intakeLedger). */
export type IntakeBindings = Partial<Pick<Env, "INTAKE_LEDGER">>;

/** The bindings of delivery: both queues and the three Durable Objects. */
export type QueueBindings = Queues & CircuitBindings & DeadLetterBindings & IntakeBindings;

/** What the consumer reads: the settings' vars and secrets (by name) and delivery's bindings. */
export type DeliveryEnv = WorkerVars & QueueBindings;
