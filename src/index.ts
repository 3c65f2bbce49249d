/**
 * The Worker: Hono routes for the Studio webhook (see src/app.ts).
 */
import { createApp } from "./app";
import type { Env } from "./env";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
