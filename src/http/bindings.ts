/**
 * The Worker's bindings as the HTTP routes see them: slices of the `Env` that `wrangler types`
 * generates (worker-configuration.d.ts), each optional (every absence has a documented
 * fallback), plus the settings, which ../config/settings reads by name: a destination's token
 * sits in whichever secret its `access_token_secret` names, so no fixed type can list them.
 *
 * @example
 * ```ts
 * const routes = new Hono<{ Bindings: AdminBindings }>();
 * ```
 */
import type { QueueBindings } from "../delivery/bindings";

/** The settings (vars and secrets), read by name. */
export type SettingVars = { readonly [setting: string]: unknown };

/**
 * The webhook routes': delivery's bindings, the metrics store, the secret senders authenticate
 * with, and the static assets the data tables are read from (./dataAssets).
 */
export type WebhookBindings = QueueBindings & Partial<Pick<Env, "ASSETS" | "METRICS" | "WEBHOOK_SECRET">> & SettingVars;

/** The admin routes' and the console's: delivery's bindings, the metrics store, the operator's secret, and the static assets (the test event's data tables). */
export type AdminBindings = QueueBindings & Partial<Pick<Env, "ADMIN_SECRET" | "ASSETS" | "METRICS">> & SettingVars;

/** The whole app's. */
export type AppBindings = WebhookBindings & AdminBindings;
