/**
 * Queue fixtures shared by the unit tests (src/delivery/*.test.ts) and the workerd tests
 * (test/consumer.test.ts, deadLetters.test.ts, circuit.test.ts, …): a finished event as the webhook route queues it.
 */
import type { ServerEvent } from "../src/transform/capi";
import type { QueuedEvent } from "../src/delivery/messages";

export const IP = "203.0.113.7";
/** Meta's reference hash of `john_smith@gmail.com`. */
export const EM = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
export const USER_AGENT = "Mozilla/5.0 (fixture)";

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

/** The queue message of {@link serverEvent} for a destination, accepted a minute after the event. */
export function queuedEvent(id: string, eventTime: number, pixelId = "111", destination = "default"): QueuedEvent {
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
