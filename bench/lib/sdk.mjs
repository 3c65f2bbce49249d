/**
 * The same job done with Meta's own SDK (facebook-nodejs-business-sdk): a canonical Studio
 * webhook (already parsed) -> UserData/CustomData/ServerEvent -> `normalize()`, which
 * normalizes and SHA-256-hashes user data with the SDK's js-sha256. No network.
 *
 * What a user of the SDK has to add by hand, and we add too so both sides hash the same
 * eleven fields: the birth date digits (the SDK hashes `db` as given), and hashing of
 * `external_id` (the SDK sends it as is; we use the SDK's own `normalizeAndHash`).
 * What the SDK does not do that the relay does: schema validation, country calling code for
 * national phone numbers, state/zip/country lookups, deterministic event ids, consent.
 *
 * @example
 * const event = sdkTransform(JSON.parse(body), 1764096187); // plain object, Meta's field names
 */
import bizSdk from "facebook-nodejs-business-sdk";

const { UserData, CustomData, Content, ServerEvent } = bizSdk;

/** The SDK's hash (js-sha256), the one its normalize() uses. */
import jsSha256 from "js-sha256";
const sha256 = jsSha256.sha256 ?? jsSha256;
/** What the SDK's ServerSideUtils.normalizeAndHash does for a field without special rules. */
const normalizeAndHash = (input) => sha256(String(input).trim().toLowerCase());

/**
 * Build and normalize one ServerEvent from a canonical webhook with the SDK.
 * Throws what the SDK throws (e.g. on a malformed email or an unknown country code).
 */
export function sdkTransform(webhook, nowSeconds) {
  const s = webhook.shopper ?? {};
  const c = webhook.context ?? {};
  const userData = new UserData();
  if (s.email) userData.setEmail(s.email);
  if (s.phone) userData.setPhone(s.phone);
  if (s.first_name) userData.setFirstName(s.first_name);
  if (s.last_name) userData.setLastName(s.last_name);
  if (s.city) userData.setCity(s.city);
  if (s.state) userData.setState(s.state);
  if (s.zip) userData.setZip(s.zip);
  if (s.country) userData.setCountry(s.country);
  if (s.date_of_birth) userData.setDateOfBirth(String(s.date_of_birth).replace(/\D/g, ""));
  if (s.gender) userData.setGender(s.gender);
  if (s.customer_id) userData.setExternalId(normalizeAndHash(String(s.customer_id), "external_id"));
  if (c.ip) userData.setClientIpAddress(c.ip);
  if (c.user_agent) userData.setClientUserAgent(c.user_agent);
  if (c.fbp) userData.setFbp(c.fbp);
  if (c.fbc) userData.setFbc(c.fbc);

  const recs = Array.isArray(webhook.recommendations) ? webhook.recommendations : [];
  const contents = recs.map((r) => {
    const content = new Content().setId(String(r.product_id ?? r.sku)).setQuantity(r.quantity ?? 1);
    if (typeof r.price === "number") content.setItemPrice(r.price);
    return content;
  });
  const customData = new CustomData()
    .setContents(contents)
    .setContentIds(contents.map((x) => x.id))
    .setContentType("product")
    .setNumItems(contents.length);
  if (webhook.store?.currency) customData.setCurrency(webhook.store.currency);
  if (webhook.quiz?.name) customData.setContentName(webhook.quiz.name);
  const value = recs.reduce((sum, r) => sum + (typeof r.price === "number" ? r.price * (r.quantity ?? 1) : 0), 0);
  if (value > 0) customData.setValue(value);

  const occurred = Date.parse(webhook.occurred_at);
  const serverEvent = new ServerEvent()
    .setEventName("Lead")
    .setEventTime(Number.isFinite(occurred) ? Math.floor(occurred / 1000) : nowSeconds)
    .setEventId(`${webhook.quiz?.id}.${webhook.session?.id}.${webhook.session?.attempt ?? 1}`)
    .setActionSource("website")
    .setUserData(userData)
    .setCustomData(customData);
  if (c.page_url) serverEvent.setEventSourceUrl(c.page_url);
  return serverEvent.normalize();
}

/** Count SHA-256 calls the SDK makes for one event (js-sha256 is what it uses). */
export { sha256 as sdkSha256 };
