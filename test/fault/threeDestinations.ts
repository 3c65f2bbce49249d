/**
 * The three destinations of the worked example in docs/configuration.md, as the fault scenarios configure them: a
 * region split by store domain (`eu`), a second pixel for one quiz (`skin`, with its own event
 * name), and a test pixel fed from a `{source}` route (`test`, `/webhooks/cartful/staging`, with
 * a test event code). Each has its own token secret; the fake Graph knows each pixel's token.
 */
import type { Settings } from "./relay";
import type { Origin } from "./studio";

export interface DestinationFixture {
  name: string;
  pixel: string;
  /** The secret its token is read from, and the token. */
  secret: string;
  token: string;
  match: Record<string, string[] | string>;
  eventName: string;
  testEventCode?: string;
}

export const DESTINATIONS: readonly DestinationFixture[] = [
  {
    name: "eu",
    pixel: "1111111111",
    secret: "META_ACCESS_TOKEN_EU",
    token: "EAAB-eu-token",
    match: { store_domain: ["eu.example-shop.com"] },
    eventName: "Lead",
  },
  {
    name: "skin",
    pixel: "2222222222",
    secret: "META_ACCESS_TOKEN_SKIN",
    token: "EAAB-skin-token",
    match: { quiz_id: ["qz_skin_finder"] },
    eventName: "CompleteRegistration",
  },
  {
    name: "test",
    pixel: "3333333333",
    secret: "META_ACCESS_TOKEN_TEST",
    token: "EAAB-test-token",
    match: { source: "staging" },
    eventName: "Lead",
    testEventCode: "TEST4242",
  },
];

export const NAMES = DESTINATIONS.map((d) => d.name);
export const PIXEL_OF: Record<string, string> = Object.fromEntries(DESTINATIONS.map((d) => [d.name, d.pixel]));
export const TOKENS = DESTINATIONS.map((d) => d.token);
/** The fake Graph's pixels, each with its token. */
export const GRAPH_PIXELS: Record<string, string> = Object.fromEntries(DESTINATIONS.map((d) => [d.pixel, d.token]));

export function destination(name: string): DestinationFixture {
  return DESTINATIONS.find((d) => d.name === name)!;
}

/**
 * The relay's settings for `destinations` (DESTINATIONS and one secret each; a destination whose
 * token is empty has its secret unset).
 */
export function settingsFor(destinations: readonly DestinationFixture[], base: Settings): Settings {
  const list = destinations.map((d) => ({
    name: d.name,
    pixel_id: d.pixel,
    access_token_secret: d.secret,
    match: d.match,
    ...(d.eventName !== "Lead" ? { event_name: { "email:submit": d.eventName } } : {}),
    ...(d.testEventCode ? { test_event_code: d.testEventCode } : {}),
  }));
  const secrets = Object.fromEntries(destinations.filter((d) => d.token).map((d) => [d.secret, d.token]));
  return { ...base, DESTINATIONS: JSON.stringify(list), ...secrets };
}

/** Webhook `i`'s store, quiz and route: a third from the EU store, half the skin quiz, `1/staging` on the staging route. */
export function originOf(i: number, staging: number): Origin {
  return {
    store: i % 3 === 0 ? "eu.example-shop.com" : "us.example-shop.com",
    quiz: i % 2 === 0 ? "qz_skin_finder" : "qz_hair_finder",
    ...(i % staging === 0 ? { source: "staging" } : {}),
  };
}

/** Which destinations a webhook from `origin` must reach, in configuration order. */
export function routing(origin: Origin): string[] {
  return [
    ...(origin.store === "eu.example-shop.com" ? ["eu"] : []),
    ...(origin.quiz === "qz_skin_finder" ? ["skin"] : []),
    ...(origin.source === "staging" ? ["test"] : []),
  ];
}
