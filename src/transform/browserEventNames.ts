/**
 * Which Studio browser events the relay sends to Meta by default, and under which Meta event
 * name: Cartful's suggested mappings for Meta ("Cartful + Meta (Pixel / CAPI) Integration",
 * "Common event mappings"). A destination's `browser_events` replaces this map
 * (src/config/browserSettings.ts); the Pixel snippet (src/pixel/studio-pixel.js) carries the same
 * defaults, so the Pixel's and the server's copies of an event share their `event_name`.
 *
 * `email:submit` is never a browser event: the Studio webhook sends that lead, and a browser copy
 * would carry another `event_id` shape than the Pixel's lead and be counted twice.
 *
 * @example
 * ```ts
 * DEFAULT_BROWSER_EVENTS.get("product:addToCart"); // "AddToCart"
 * DEFAULT_BROWSER_EVENTS.get("email:submit");      // undefined
 * ```
 */

/** The Studio type of the email modal: the webhook's, never sent from the browser path. */
export const WEBHOOK_ONLY_TYPE = "email:submit";

/** Studio `type` → Meta event name, for destinations without `browser_events`. */
export const DEFAULT_BROWSER_EVENTS: ReadonlyMap<string, string> = new Map([
  ["product:addToCart", "AddToCart"],
  ["product:view", "ViewContent"],
  ["quiz:complete", "QuizComplete"],
  ["recommendations:loaded", "RecommendationsLoaded"],
]);
