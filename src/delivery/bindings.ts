/**
 * The Cloudflare bindings the delivery machinery uses (wrangler configuration): the two queues
 * and the Durable Objects.
 */
import type { DeliveryCircuit } from "./circuit";
import type { DeadLetterStore } from "./deadLetterStore";
import type { IntakeLedger } from "./intakeLedger";
import type { Queues } from "./messages";

/** The bindings of delivery (wrangler.jsonc); all optional, each absence has a documented fallback. */
export interface QueueBindings extends Queues {
  INTAKE_LEDGER?: DurableObjectNamespace<IntakeLedger>;
  DEAD_LETTERS?: DurableObjectNamespace<DeadLetterStore>;
  DELIVERY_CIRCUIT?: DurableObjectNamespace<DeliveryCircuit>;
}
