/**
 * The workers project's setup: loads the transform's data tables through the `ASSETS` binding
 * (wrangler.jsonc's assets, public/data/) with the Worker's own loader, before any test runs. The
 * tests hand the routes environments of their own (test/helpers.ts `liveEnv`, without `ASSETS`),
 * so the isolate has the tables before a route asks; the routes' own first read is tested in
 * src/http/dataAssets.test.ts and under `wrangler dev` (test/browser).
 */
import { env } from "cloudflare:workers";
import { loadDataTables } from "../src/http/dataAssets";

await loadDataTables(env.ASSETS, console.log);
