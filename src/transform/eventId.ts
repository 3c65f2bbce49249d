/**
 * The deterministic `event_id` that Meta deduplicates Pixel and server events on.
 *
 * Formula: `cartful.{session.id}.{session.attempt}`, with `attempt` 1 when Studio sent none.
 * A redelivery of the same Studio event carries the same session and attempt, so it gets the
 * same id; a retake raises `attempt` and another session has another id, so both get new ids.
 * The browser knows the session and the attempt too, so the Pixel call in a Custom JavaScript
 * Integration (src/pixel/studio-pixel.js) computes the same id without any crypto.
 * A payload without a session id falls back to `cartful.{id}`, Studio's own event id, which
 * is still stable across redeliveries (the Pixel can match it only if it sees that id too).
 * When STUDIO_EVENT_TYPES relays other Studio types than the email modal's `email:submit`,
 * their ids end in `.{type}`, so two types in one attempt never share an id (Meta would
 * drop the second as a duplicate).
 *
 * @example
 * ```ts
 * eventId({ id: "evt_1", session: { id: "ses_5f1c9a7e2b", attempt: 2 } });
 * // "cartful.ses_5f1c9a7e2b.2"
 * ```
 */
export const EVENT_ID_PREFIX = "cartful";

/** The Studio type whose id carries no type suffix: the one the Pixel snippet reproduces. */
export const EMAIL_SUBMIT = "email:submit";

export interface EventIdSource {
  /** Studio's trigger; `email:submit` when absent. */
  type?: string;
  /** Studio's id of this event. */
  id: string;
  session: { id?: string | undefined; attempt: number };
}

export function eventId(source: EventIdSource): string {
  const sessionId = source.session.id?.trim();
  if (sessionId) {
    const type = source.type ?? EMAIL_SUBMIT;
    const suffix = type === EMAIL_SUBMIT ? "" : `.${type}`;
    return `${EVENT_ID_PREFIX}.${sessionId}.${source.session.attempt}${suffix}`;
  }
  return `${EVENT_ID_PREFIX}.${source.id.trim()}`;
}
