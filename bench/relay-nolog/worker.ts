/**
 * The relay exactly as src/index.ts builds it (route, queue consumer, Durable Objects), with
 * `console.log` silenced for the whole isolate: an A/B for the end-to-end benchmark, to size what
 * the relay's log lines cost under `wrangler dev`, where each crosses to wrangler's Node process
 * (Workers Logs on Cloudflare collect them without that hop). The relay calls `console.log` when it
 * logs (src/core/log.ts `consoleSink`), so replacing it here, after the imports ran, reaches every line.
 *
 * @example
 * // run by bench/e2e.mjs (targets relayQuiet and relayQuietBrowser) through bench/out/relay-quiet*\/wrangler.json
 */
import relay from "../../src/index";

console.log = () => {};

export { DeadLetterStore, DeliveryCircuit, IntakeLedger, MetricsStore } from "../../src/index";
export default relay;
