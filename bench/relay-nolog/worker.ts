/**
 * The relay exactly as src/index.ts builds it, except that its log lines are dropped: an A/B
 * for the end-to-end benchmark, to size what the one JSON log line per webhook costs under
 * `wrangler dev` (where console.log crosses the inspector to wrangler's Node process).
 *
 * @example
 * // run by bench/e2e.mjs through a generated wrangler config (bench/out/relay-nolog/)
 */
import { createApp } from "../../src/http/app";

const app = createApp({ log: () => {} });

export default { fetch: app.fetch };
