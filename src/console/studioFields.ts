/**
 * Which Studio field fixes a lead Meta refused: one table from the Conversions API parameter Meta
 * names (in its message, e.g. `$['data'][0]['event_source_url']`, or by its subcode) to the
 * field of Studio's webhook to map, in the merchant's words. The console shows it beside a dead
 * letter, instead of Meta's raw text alone. Pure.
 *
 * Meta's event-level refusals are code 100 ("Invalid parameter") with a 2804xxx subcode: 2804019
 * names the missing or invalid parameter in its message, 2804003 is an event time outside the
 * 7 days Meta accepts, 2804050 an event with too little customer information to match.
 *
 * @example
 * ```ts
 * studioFix({ code: 100, subcode: 2804019, detail: "The parameter $['data'][0]['event_source_url'] is required." });
 * // { parameter: "event_source_url", text: "This lead had no page URL, so Meta refused it. Map context.page_url (or store.domain) in the Studio integration." }
 * ```
 */

/** A fix for a refused lead: the parameter Meta named (if any) and what to do, in plain words. */
export interface StudioFix {
  parameter?: string;
  text: string;
}

/** Meta's parameter → what the lead lacked ("no …"), and the Studio field(s) that fill it. */
export const STUDIO_FIELDS: Readonly<Record<string, { what: string; fields: readonly string[] }>> = Object.freeze({
  event_source_url: { what: "page URL", fields: ["context.page_url", "store.domain"] },
  client_user_agent: { what: "browser user agent", fields: ["context.user_agent"] },
  client_ip_address: { what: "usable IP address", fields: ["context.ip"] },
  event_time: { what: "usable time", fields: ["occurred_at"] },
  em: { what: "usable email", fields: ["shopper.email"] },
  ph: { what: "usable phone number", fields: ["shopper.phone", "shopper.country"] },
  fbc: { what: "usable click id", fields: ["context.fbc", "context.page_url"] },
  fbp: { what: "usable browser id", fields: ["context.fbp"] },
  external_id: { what: "usable customer id", fields: ["shopper.customer_id"] },
  currency: { what: "currency", fields: ["store.currency"] },
  value: { what: "usable value", fields: ["recommendations[].price"] },
});

/** Meta's subcodes that say what is wrong without naming a parameter. */
const SUBCODE_FIXES: ReadonlyMap<number, string> = new Map([
  [
    2804003,
    "The lead's time is outside the 7 days Meta accepts. Check that Studio's occurred_at is the submission time (ISO 8601, or epoch seconds or milliseconds).",
  ],
  [
    2804050,
    "The lead carried too little about the shopper for Meta to match. Map shopper.email (and shopper.phone, context.ip, context.user_agent) in the Studio integration.",
  ],
]);

/** A parameter name quoted by Meta: `['event_source_url']` (the last one of a path) or `parameter event_source_url`. */
const QUOTED = /\['([a-z_]+)'\](?!.*\[')/;
const NAMED = /\bparameter\s+([a-z_]+)\b/i;

/**
 * What to map in Studio so Meta stops refusing such a lead, or undefined when Meta's answer names
 * nothing the table knows (then its own words are all there is).
 *
 * @example
 * ```ts
 * studioFix({ code: 100, subcode: 2804019, detail: "…['client_user_agent'] is required" })?.text;
 * // "This lead had no browser user agent, so Meta refused it. Map context.user_agent in the Studio integration."
 * ```
 */
export function studioFix(refusal: { code?: number; subcode?: number; detail: string }): StudioFix | undefined {
  if (refusal.code !== 100) return undefined;
  const bySubcode = refusal.subcode === undefined ? undefined : SUBCODE_FIXES.get(refusal.subcode);
  if (bySubcode) return { text: bySubcode };
  const parameter = QUOTED.exec(refusal.detail)?.[1] ?? NAMED.exec(refusal.detail)?.[1];
  if (parameter === undefined || !Object.hasOwn(STUDIO_FIELDS, parameter)) return undefined;
  const { what, fields } = STUDIO_FIELDS[parameter]!;
  const [first, ...others] = fields;
  const map = others.length > 0 ? `${first} (or ${others.join(", ")})` : first;
  return {
    parameter,
    text: `This lead had no ${what}, so Meta refused it. Map ${map} in the Studio integration.`,
  };
}

/**
 * Whether Meta refused the event itself (code 100, other than subcode 33, which is the pixel):
 * sending it again unchanged is refused again.
 *
 * @example
 * ```ts
 * refusedForItsData({ code: 100, subcode: 2804019 }); // true
 * ```
 */
export function refusedForItsData(refusal: { code?: number; subcode?: number }): boolean {
  return refusal.code === 100 && refusal.subcode !== 33;
}
