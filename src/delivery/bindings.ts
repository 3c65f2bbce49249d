/**
 * The Cloudflare bindings the delivery machinery uses (wrangler configuration): the two queues
 * and the two Durable Objects.
 */
import type { DeadLetterStore } from "./deadLetterStore";
import type { IntakeLedger } from "./intakeLedger";
import type { DeadLetter, QueuedEvent } from "./messages";

/** The bindings this module uses (wrangler.jsonc); all optional, each absence has a documented fallback. */
export interface QueueBindings {
  CAPI_QUEUE?: Queue<QueuedEvent>;
  CAPI_DLQ?: Queue<DeadLetter>;
  INTAKE_LEDGER?: DurableObjectNamespace<IntakeLedger>;
  DEAD_LETTERS?: DurableObjectNamespace<DeadLetterStore>;
}
