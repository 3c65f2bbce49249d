/**
 * The Worker: Hono routes for the Studio webhook and the operator (src/http/app.ts), the queue
 * consumer for durable delivery and dead letters (src/delivery/consumer.ts), and the Durable
 * Objects behind them.
 */
import { createApp } from "./http/app";
import { handleQueueBatch } from "./delivery/consumer";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueueBatch(batch, env, ctx),
} satisfies ExportedHandler<Env>;

export { IntakeLedger } from "./delivery/intakeLedger";
export { DeadLetterStore } from "./delivery/deadLetterStore";
export { DeliveryCircuit } from "./delivery/circuit";
