/**
 * Ids the sender controls (Studio's `id`, Standard Webhooks' `webhook-id`), as the relay keeps
 * them: in queue messages, intake and dead-letter records, logs and answers. A Studio mapping can
 * put an email address (or a phone number) where an id belongs; such an id is never kept, logged
 * or shown in clear: {@link keptId} replaces it by its hash, `h` + the first 16 hex digits of the
 * SHA-256 of its trimmed text, the form ./eventId's `idPart` gives it inside an `event_id`. The
 * same id always has the same hash, so redeliveries still deduplicate on it. An id longer than
 * {@link MAX_KEPT_ID} characters is hashed too (a header is not bounded by the webhook's schema).
 *
 * `session.id` needs nothing here: it only reaches the relay's records inside the `event_id`,
 * where `idPart` already hashes it. Invisible and direction-changing characters are escaped where
 * ids are written out (src/core/shownText), not here: a kept id is the same id, not a rendering.
 *
 * @example
 * ```ts
 * keptId("evt_01JD3Q7"); // "evt_01JD3Q7"
 * keptId("jane@example.com"); // "h" + 16 hex digits
 * ```
 */
import { isPersonalId } from "./eventId";
import { sha256Utf8Hex } from "./sha256";

/** The longest id kept as it came. */
export const MAX_KEPT_ID = 256;

/**
 * An id the sender controls, as the relay keeps, logs and shows it: as it came, or hashed when
 * `isPersonalId` recognises personal data in it or it is longer than {@link MAX_KEPT_ID}.
 *
 * @example
 * ```ts
 * keptId("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"); // as it came
 * keptId("+44 20 7946 0958"); // "h…"
 * ```
 */
export function keptId(id: string): string {
  if (id.length <= MAX_KEPT_ID && !isPersonalId(id)) return id;
  return `h${sha256Utf8Hex(id.trim()).slice(0, 16)}`;
}
