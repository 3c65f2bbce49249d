/**
 * The Cloudflare bindings the delivery machinery uses (wrangler configuration), as slices of the
 * generated `Env` (worker-configuration.d.ts, `npm run typegen`): each optional, since each absence
 * has a documented fallback, and each function asks for the slice it reads (`CircuitBinding` in
 * ./holds, the others beside their accessors in ./instances). The two queues are ./messages
 * `Queues`, typed by the bodies they carry (the generated `Env` types them `Queue<unknown>`).
 *
 * @example
 * ```ts
 * function deliver(env: DeliveryEnv) { configFor(env); env.CAPI_DLQ?.send(letter); circuitOf(env, "eu"); }
 * ```
 */
import type { WorkerVars } from "../config/settings";
import type { CircuitBinding } from "./holds";
import type { Queues } from "./messages";

/** The bindings of delivery: both queues and the three Durable Objects. */
export type QueueBindings = Queues & CircuitBinding & Partial<Pick<Env, "DEAD_LETTERS" | "INTAKE_LEDGER">>;

/** What the consumer reads: the settings' vars and secrets (by name) and delivery's bindings. */
export type DeliveryEnv = WorkerVars & QueueBindings;
