/**
 * What the browser Pixel snippet (src/pixel/studio-pixel.js) must agree with: every fixture, the
 * relay's own transform run on it under the same settings, and the checks that compare the two.
 * Shared by the snippet's Node tests (src/pixel/studio-pixel.test.ts) and its real-browser tests
 * (test/browser/pixel.test.ts), so both hold the snippet to one definition of "the same event".
 *
 * @example
 * ```ts
 * const relay = relayOutcome(payload, SETTINGS[0].relay);
 * expectSameEvent(await runSnippet(payload, SETTINGS[0].snippet), relay, ["1234567890"]);
 * ```
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import { parseConfig } from "../../src/config/settings";
import { parseBrowserBatch, planBrowserEvents } from "../../src/transform/browserEvents";
import { transformWebhook } from "../../src/transform/transformWebhook";
import { applyFieldMap, parseFieldMap } from "../../src/transform/webhook";

/** The clock of every comparison: a few minutes after the fixtures' `occurred_at`. */
export const NOW = Date.parse("2026-11-25T19:00:00Z");

const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** The snippet's source, as a merchant pastes it. */
export const SNIPPET_SOURCE = readFileSync(new URL("../../src/pixel/studio-pixel.js", import.meta.url), "utf8");

/** A fresh copy of a JSON value, for variants of a fixture. */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Every webhook in fixtures/ (`*.fieldmap.json` excluded), in the canonical shape the snippet
 * reads: a fixture with a field map next to it is rewritten by the relay's own `applyFieldMap`,
 * since the map describes the merchant's webhook body, not Studio's payload in the browser.
 */
export function pixelFixtures(): { name: string; payload: Record<string, any> }[] {
  const files = readdirSync(FIXTURES);
  const read = (file: string) => readFileSync(new URL(file, FIXTURES), "utf8");
  return files
    .filter((file) => file.endsWith(".json") && !file.endsWith(".fieldmap.json"))
    .map((file) => {
      const name = file.replace(/\.json$/, "");
      const mapFile = `${name}.fieldmap.json`;
      const fieldMap = files.includes(mapFile) ? parseFieldMap(read(mapFile)) : {};
      return { name, payload: applyFieldMap(JSON.parse(read(file)), fieldMap) as Record<string, any> };
    });
}

/** The snippet's options, as a merchant writes them. */
export interface SnippetOptions {
  pixels?: { id: string; eventName?: string | Record<string, string> }[];
  eventName?: string | Record<string, string>;
  contentId?: "product_id" | "variant_id" | "sku";
  contentType?: "product" | "product_group";
  value?: "none" | "recommendations" | number;
  requireConsent?: boolean;
  externalId?: boolean;
  collect?: string;
}

/**
 * Settings that mean the same on both sides. The relay's side is always explicit, so the
 * comparison holds whatever the relay's own defaults are; the first entry leaves the snippet's
 * defaults in force (content type `product_group` for product ids, no value).
 */
export const SETTINGS: { name: string; snippet: SnippetOptions; relay: Record<string, string> }[] = [
  {
    name: "the snippet's defaults",
    snippet: {},
    relay: { META_CONTENT_ID: "product_id", META_CONTENT_TYPE: "product_group", META_EVENT_VALUE: "none" },
  },
  {
    name: "variant ids valued by the recommendations",
    snippet: { contentId: "variant_id", value: "recommendations" },
    relay: { META_CONTENT_ID: "variant_id", META_CONTENT_TYPE: "product", META_EVENT_VALUE: "recommendations" },
  },
  {
    name: "SKUs as product groups, a fixed value and a custom event",
    snippet: { contentId: "sku", contentType: "product_group", value: 12.5, eventName: "QuizLead" },
    relay: {
      META_CONTENT_ID: "sku",
      META_CONTENT_TYPE: "product_group",
      META_EVENT_VALUE: "12.5",
      META_EVENT_NAME: "QuizLead",
    },
  },
  {
    name: "product ids as products valued by the recommendations",
    snippet: { contentType: "product", value: "recommendations" },
    relay: { META_CONTENT_ID: "product_id", META_CONTENT_TYPE: "product", META_EVENT_VALUE: "recommendations" },
  },
];

/** What the relay does with a payload: the event it sends, or why it sends none. */
export type RelayOutcome =
  | { sent: true; eventId: string; eventName: string; customData: object; externalId: string | undefined }
  | { sent: false; reason: string };

/**
 * The relay's transform on `payload` under `env` (the Worker's vars), at {@link NOW}.
 *
 * @example
 * ```ts
 * relayOutcome(fixture, { REQUIRE_CONSENT: "true" }); // { sent: false, reason: "consent_not_granted" }
 * ```
 */
export function relayOutcome(payload: unknown, env: Record<string, string> = {}): RelayOutcome {
  const config = parseConfig(env);
  const result = transformWebhook(payload, config, config.destinations, NOW);
  if (result.outcome === "skipped") return { sent: false, reason: result.reason };
  if (result.outcome === "invalid")
    return { sent: false, reason: `invalid: ${result.issues.map((i) => i.path).join(", ")}` };
  // The single destination's share: the snippet mirrors one relay configuration.
  const first = result.results[0]!;
  if (first.outcome === "skipped") return { sent: false, reason: first.reason };
  return {
    sent: true,
    eventId: first.event.event_id,
    eventName: first.event.event_name,
    customData: first.event.custom_data ?? {},
    externalId: first.event.user_data.external_id,
  };
}

/** One recorded `fbq(...)` call. */
export type FbqCall = unknown[];

/** The snippet's answer and the `fbq` calls it made. */
export interface SnippetRun {
  result: { fired: boolean; reason?: string; eventID?: string; externalId?: boolean; collected?: boolean };
  calls: FbqCall[];
}

/**
 * Checks that the snippet fired the relay's event: for each pixel of `pixelIds` one
 * trackSingle (or trackSingleCustom) with the relay's event name, `custom_data` and
 * `event_id`, after an `init` with the relay's `external_id` when the relay has one; with no
 * pixel ids, one track (or trackCustom).
 */
export function expectSameEvent(run: SnippetRun, relay: RelayOutcome, pixelIds: string[]): void {
  if (!relay.sent) throw new Error(`the relay sent nothing: ${relay.reason}`);
  expect(run.result).toMatchObject({ fired: true, eventID: relay.eventId });
  const inits = run.calls.filter((call) => call[0] === "init");
  const tracks = run.calls.filter((call) => call[0] !== "init");
  const standard = STANDARD_EVENTS.includes(relay.eventName);
  if (pixelIds.length === 0) {
    expect(inits).toEqual([]);
    expect(tracks).toEqual([
      [standard ? "track" : "trackCustom", relay.eventName, relay.customData, { eventID: relay.eventId }],
    ]);
    return;
  }
  const single = standard ? "trackSingle" : "trackSingleCustom";
  expect(tracks).toEqual(
    pixelIds.map((id) => [single, id, relay.eventName, relay.customData, { eventID: relay.eventId }]),
  );
  expect(inits).toEqual(
    relay.externalId === undefined ? [] : pixelIds.map((id) => ["init", id, { external_id: relay.externalId }]),
  );
  // The pixel's user data is updated before its event is tracked.
  if (inits.length > 0) expect(run.calls.indexOf(inits.at(-1)!)).toBeLessThan(run.calls.indexOf(tracks[0]!));
}

/** Meta's standard events (Meta Pixel reference, "Standard events"). */
export const STANDARD_EVENTS = [
  "AddPaymentInfo",
  "AddToCart",
  "AddToWishlist",
  "CompleteRegistration",
  "Contact",
  "CustomizeProduct",
  "Donate",
  "FindLocation",
  "InitiateCheckout",
  "Lead",
  "Purchase",
  "Schedule",
  "Search",
  "StartTrial",
  "SubmitApplication",
  "Subscribe",
  "ViewContent",
];

/** SHA-256 hex by node:crypto: the independent oracle for the browser's crypto.subtle. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * `customer_id` values and the `external_id` the lead's rules give them, for inputs the relay on
 * main may not handle yet (invisible characters, Parameter Builder values): NFC, format
 * characters and white space removed, lowercased, hashed; a builder value exactly as it came; a
 * bare 64-hex value lowercased.
 */
export const EXTERNAL_ID_CASES: { name: string; customerId: string | number; externalId: string }[] = [
  { name: "white space and case", customerId: "  Shopify: 77 12345\t", externalId: sha256("shopify:7712345") },
  { name: "a number", customerId: 7712345, externalId: sha256("7712345") },
  {
    name: "no-break and ideographic spaces",
    customerId: "shopify:\u00a077\u300012345",
    externalId: sha256("shopify:7712345"),
  },
  {
    name: "zero-width space, BOM, soft hyphen, LRM and word joiner",
    customerId: "\ufeffshopify:\u200b77\u00ad12\u200e345\u2060",
    externalId: sha256("shopify:7712345"),
  },
  { name: "a decomposed accent (NFC)", customerId: "Cafe\u0301-42", externalId: sha256("caf\u00e9-42") },
  {
    name: "an uppercase SHA-256 (lowercased, not hashed again)",
    customerId: ` ${sha256("shopify:7712345").toUpperCase()} `,
    externalId: sha256("shopify:7712345"),
  },
  {
    name: "a Parameter Builder value (exactly as it came)",
    customerId: `\u200b ${sha256("shopify:7712345").toUpperCase()}.AQQCAQMC `,
    externalId: `${sha256("shopify:7712345").toUpperCase()}.AQQCAQMC`,
  },
  {
    name: "a legacy Parameter Builder token (exactly as it came)",
    customerId: `${sha256("shopify:7712345")}.BA`,
    externalId: `${sha256("shopify:7712345")}.BA`,
  },
  {
    name: "a dot suffix that is no builder appendix (hashed as an id)",
    customerId: `${sha256("x")}.Ab`,
    externalId: sha256(`${sha256("x")}.ab`),
  },
];

/** A Studio payload of a browser event: a product added to the cart in the canonical session. */
export function browserPayload(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    type: "product:addToCart",
    id: "evt_atc_1",
    occurred_at: "2026-11-25T18:58:00Z",
    quiz: { id: "quiz_skin", name: "Skin Care Finder" },
    session: { id: "ses_5f1c9a7e2b", attempt: 2 },
    product: {
      product_id: "8123456789",
      variant_id: "44556677",
      sku: "SKU-1",
      price: "24.00",
      quantity: 2,
      title: "Serum",
    },
    recommendations: [],
    store: { currency: "usd", domain: "shop.example.com" },
    shopper: { email: "Jane.Doe@Example.COM", phone: "+1 415 555 0123", first_name: "Jane", customer_id: "7712345" },
    context: { consent: { ad_user_data: "granted", ad_storage: "granted" } },
    ...overrides,
  };
}

/** What the relay makes of one collected event, for its single destination. */
export type RelayBrowserOutcome =
  | { sent: true; eventId: string; eventName: string; customData: object; externalId: string | undefined }
  | { sent: false; reason: string };

/**
 * The relay's browser path on a `/collect/cartful` body the snippet sent, under `env`, at
 * {@link NOW}: one outcome per event.
 *
 * @example
 * ```ts
 * relayBrowserOutcomes(JSON.parse(request.body)); // [{ sent: true, eventId: "cartful.…", eventName: "AddToCart", … }]
 * ```
 */
export function relayBrowserOutcomes(body: unknown, env: Record<string, string> = {}): RelayBrowserOutcome[] {
  const config = parseConfig(env);
  const parsed = parseBrowserBatch(body);
  if (!parsed.ok) throw new Error(`the relay refuses the body: ${JSON.stringify(parsed)}`);
  const request = { ip: "203.0.113.7", userAgent: "Mozilla/5.0", cookies: {} };
  return planBrowserEvents(parsed.batch, request, config.destinations, NOW).map((plan) => {
    if (plan.status === "skipped") return { sent: false, reason: plan.reason };
    const { event } = plan.deliveries[0]!;
    return {
      sent: true,
      eventId: event.event_id,
      eventName: event.event_name,
      customData: event.custom_data ?? {},
      externalId: event.user_data.external_id,
    };
  });
}
