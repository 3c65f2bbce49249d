/**
 * Delivery fixtures shared by the unit tests (src/delivery/*.test.ts) and the workerd tests
 * (test/consumer.test.ts, test/deadLetters.test.ts, test/circuit.test.ts, …): a destination's Graph target, a finished
 * event, and the queue message the webhook route makes of it.
 */
import type { GraphTarget } from "../src/config/settings";
import type { QueuedEvent } from "../src/delivery/messages";
import type { ServerEvent } from "../src/transform/capi";

export const IP = "203.0.113.7";
/** Meta's reference hash of `john_smith@gmail.com`. */
export const EM = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
export const USER_AGENT = "Mozilla/5.0 (fixture)";

/** The token of {@link graphTarget}: never to be seen in a URL, an outcome or a log line. */
export const GRAPH_TOKEN = "EAAB-secret-token-123";

/** A destination's Conversions API endpoint, as the request builders and the delivery loop take it. */
export const graphTarget: GraphTarget = Object.freeze({
  graphUrl: "https://graph.facebook.com",
  apiVersion: "v24.0",
  pixelId: "1234567890",
  accessToken: GRAPH_TOKEN,
});

/** A finished Lead event: hashed email, plain IP and user agent, some custom data. */
export function serverEvent(id: string, eventTime: number): ServerEvent {
  return {
    event_name: "Lead",
    event_time: eventTime,
    event_id: id,
    action_source: "website",
    event_source_url: "https://shop.example.com/quiz",
    user_data: { em: EM, client_ip_address: IP, client_user_agent: USER_AGENT },
    custom_data: { currency: "USD", value: 62.5 },
  };
}

/** What {@link queuedEvent} is given: the event's id, and what differs from the usual. */
export interface QueuedEventFixture {
  id: string;
  /** Seconds; a minute before the real clock's now by default (workerd tests run on it; unit tests with a frozen clock give their own). */
  eventTime?: number;
  /** "111" by default. */
  pixelId?: string;
  /** "default" by default. */
  destination?: string;
}

/**
 * The queue message of {@link serverEvent} for a destination, accepted a minute after the event.
 *
 * @example
 * ```ts
 * queuedEvent({ id: "a", eventTime: NOW_S - 60, pixelId: "222", destination: "eu" });
 * ```
 */
export function queuedEvent({
  id,
  eventTime = Math.floor(Date.now() / 1000) - 60,
  pixelId = "111",
  destination = "default",
}: QueuedEventFixture): QueuedEvent {
  return {
    v: 2,
    eventId: id,
    studioEventId: `evt_${id}`,
    destination,
    pixelId,
    event: serverEvent(id, eventTime),
    acceptedAt: (eventTime + 60) * 1000,
  };
}
