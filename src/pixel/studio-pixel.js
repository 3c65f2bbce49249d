/*
 * Cartful Studio -> Meta Pixel, deduplicated with the Conversions API relay.
 *
 * WHAT TO PASTE. In Studio, create a *Custom JavaScript Integration* triggered on "email submit"
 * (and on any other Studio event the relay also sends, see STUDIO_EVENT_TYPES). Paste this whole
 * file, then add ONE line below it that hands the trigger's payload to the function:
 *
 *     cartfulMetaPixel(payload, { pixels: [{ id: "123456789012345" }] });
 *
 * `payload` is the one word to adapt: write the name under which Studio's integration editor
 * gives you the trigger's event payload (the object with `id`, `type`, `session`, `shopper`,
 * `context`, `recommendations`). Nothing here reads a global `event`: in a browser that is the
 * DOM event being handled, not Studio's payload.
 *
 * WHAT IT DOES. It fires the Pixel event the relay also sends from the server, with the same
 * `eventID` (so Meta keeps one of the two), the same event name and the same `custom_data`:
 *   fbq('trackSingle', pixelId, 'Lead', params, { eventID })  for each pixel in `pixels`
 *   fbq('track', 'Lead', params, { eventID })                   when `pixels` is not given
 * (`trackSingleCustom` / `trackCustom` for names that are not Meta standard events). With
 * `pixels` given and a `shopper.customer_id` in the payload, it first updates each pixel's
 * advanced matching with the relay's `external_id`: fbq('init', pixelId, { external_id }).
 * (Meta's Pixel takes advanced matching only as fbq('init')'s third argument, per its "Advanced
 * Matching" page; Meta's own GTM template calls init again on an initialised pixel to update it.)
 * No other personal data goes to the Pixel; with `collect`, the relay gets the hashed email too (below).
 *
 * EVERY QUIZ EVENT SERVER-SIDE. With `collect` (the relay's /collect/cartful URL), trigger the
 * integration on the other Studio events too (product view, add to cart, quiz complete,
 * recommendations loaded, ...). For each one but "email submit" (the webhook's lead) it fires the
 * Pixel as above and sends the same event, with the same `eventID` and event name, to the relay,
 * which forwards it to the Conversions API (Meta keeps one of each pair). Such an event is named
 * by `eventName`'s map for its type, else by the relay's default `browser_events`:
 *   product:addToCart -> AddToCart, product:view -> ViewContent,
 *   quiz:complete -> QuizComplete, recommendations:loaded -> RecommendationsLoaded;
 * other types are not fired unless mapped ("no_event_name"). Its `eventID` names what sets it
 * apart within the attempt: cartful.{session.id}.{attempt}.{type}.{product id, else step id}
 * (cartful.{session.id}.{attempt}.{type} for an event with neither), as src/transform/eventId.ts.
 * It goes with fetch(collect, { keepalive: true, credentials: "include" }) as text/plain JSON
 * (no CORS preflight; sendBeacon where fetch is missing), events that fire together (within 25 ms)
 * in one request of at most 20 events and 16 KiB of UTF-8 (a lone event's recommendations cut to
 * fit), and whatever waits is sent on pagehide. Its keepalive bodies in flight stay under 48 KiB
 * (Chromium refuses past 64 KiB a page): further ones wait for earlier answers; a request
 * unanswered after 15 s is aborted, and after a 429 or 503 nothing goes until its Retry-After.
 * It is sent even when `fbq` is missing (an ad blocker) or throws. Of the shopper it sends hashes only, never a clear value:
 *   external_id  as for fbq('init') above;
 *   em           the SHA-256 of shopper.email trimmed and lowercased, as the relay hashes a webhook's
 *                (src/transform/normalize.ts normalizeEmail), for plain ASCII addresses only (a
 *                dot-atom local part, a host name ending in a letter TLD); any other address (quoted
 *                local part, non-ASCII, IP literal) is not sent at all. The email of the "email
 *                submit" payload is kept, hashed, for the events of the same quiz session that follow
 *                it, in this page's memory only: never in storage or a cookie, gone with the page;
 *   ph           never: the relay reads phones with libphonenumber's number ranges (a number it finds
 *                invalid is dropped; "+44 (0)20…", "+52 1…" and extensions are rewritten), which a
 *                snippet cannot reproduce, so a browser hash could differ from the webhook's.
 * Ids that carry an email address or a phone number travel hashed, as they enter the `eventID`.
 * Any other id, name or domain of the payload with one in it (the relay's isPersonalId) is left
 * out of the body, never hashed, and the event still goes; `page_url` and `referrer` are scrubbed
 * as the relay's scrubUrl does (fragment, user info, personal query parameters, an `@` path).
 *
 * It does NOT fire when:
 *   - the shopper denied consent: `shopper.marketing_consent` false ("false", "no", "0",
 *     "denied"), or `context.consent.ad_user_data` / `ad_storage` "denied";
 *   - `requireConsent: true` and there is no explicit grant (`marketing_consent` true or
 *     `ad_user_data` "granted");
 *   - the payload has neither `session.id` nor `id`: an event without an event id cannot
 *     deduplicate against the server's copy, so firing it would count the lead twice.
 *
 * OPTIONS (keep them equal to the relay's settings, or the two copies will not match):
 *   pixels          [{ id: "123", eventName?: "Lead" | { "email:submit": "Lead", ... } }]
 *   eventName       "Lead" (default), another name, or a map by Studio type (META_EVENT_NAME)
 *   contentId       "product_id" (default) | "variant_id" | "sku"                (META_CONTENT_ID)
 *   contentType     "product" | "product_group"; default "product_group" for product_id,
 *                   "product" otherwise                                        (META_CONTENT_TYPE)
 *   value           "none" (default) | "recommendations" | an amount           (META_EVENT_VALUE)
 *   requireConsent  false (default) | true                                     (REQUIRE_CONSENT)
 *   externalId      true (default) | false: do not touch the pixels' advanced matching
 *   collect         the relay's URL, e.g. "https://capi.shop.example.com/collect/cartful"
 *                   (unset: the Pixel only)                                   (BROWSER_ORIGINS)
 * A pixel's own eventName wins over `eventName`; a Studio type missing from a map falls back to
 * the next one, and finally to "Lead" (for a browser event with `collect`: to the relay's default
 * `browser_events`, see above; a single name is the lead's and does not apply).
 *
 * RESULT. A Promise (the external_id hash uses the browser's crypto.subtle) of
 *   { fired: true, eventID, params, events: [{ command, pixelId?, eventName }], externalId,
 *     collected?: boolean, em?: boolean, reason?: "fbq_error" | "too_large" }   (collected:
 *     queued for `collect` too, em: with the hashed email; events: the fbq calls that went
 *     through, [] when fbq is missing; reason "fbq_error": an fbq call threw, caught, the rest
 *     still went; "too_large": collected false, the event fits no request even with its
 *     recommendations cut, which are otherwise cut to what fits 16 KiB)
 *   { fired: false, reason: "consent_denied" | "consent_not_granted" | "no_event_id"
 *                            | "no_payload" | "no_fbq" | "no_event_name" | "fbq_error" | "error" }
 * cartfulMetaPixel.flush() sends the events waiting for `collect` at once (a Promise).
 * Invalid options reject it with a TypeError naming the option; nothing else rejects or throws
 * ("error": something it read threw; it runs on pages we do not control).
 *
 * Plain ES5 except for the Promise, TextEncoder and crypto.subtle that hashing needs, and fetch
 * (keepalive) or sendBeacon for `collect`, available in every browser Studio supports. An id that
 * must enter the eventID hashed needs crypto.subtle (https): without it such an event is not fired
 * ("no_event_id"), since its copies could not deduplicate. Every rule below mirrors a module of
 * the relay (named in each comment); src/pixel/studio-pixel.test.ts, test/browser/pixel.test.ts
 * and test/browser/collect.test.ts check that they agree on every fixture.
 */
// oxlint-disable-next-line no-unused-vars -- the global the merchant's pasted line calls
var cartfulMetaPixel = (function () {
  "use strict";
  var EMAIL_SUBMIT = "email:submit";
  var MAX_SAFE_INTEGER = 9007199254740991;
  // Meta's standard events: fired with track/trackSingle; any other name is a custom event.
  var STANDARD_EVENTS = (
    "AddPaymentInfo AddToCart AddToWishlist CompleteRegistration Contact " +
    "CustomizeProduct Donate FindLocation InitiateCheckout Lead Purchase Schedule Search " +
    "StartTrial SubmitApplication Subscribe ViewContent"
  ).split(" ");
  var CONTENT_IDS = ["product_id", "variant_id", "sku"];
  var CONTENT_TYPES = ["product", "product_group"];
  // src/transform/webhook.ts: the consent flag's words.
  var YES = ["true", "yes", "1", "granted"];
  var NO = ["false", "no", "0", "denied"];
  // Meta's Parameter Builder appendixes (see src/transform/paramBuilder.ts).
  var LEGACY_APPENDIXES = ["AQ", "Ag", "Aw", "BA", "BQ", "Bg"];
  // src/transform/browserEventNames.ts: the relay's default `browser_events` (Cartful's suggested
  // mappings), the names a browser event takes unless `eventName` maps its type.
  var BROWSER_EVENTS = {
    "product:addToCart": "AddToCart",
    "product:view": "ViewContent",
    "quiz:complete": "QuizComplete",
    "recommendations:loaded": "RecommendationsLoaded",
  };
  // src/transform/eventId.ts: ids longer than this, or that carry an email address or a phone
  // number, enter an event_id as "h" + 16 hex digits of their SHA-256.
  var MAX_ID_PART = 64;
  var EMAIL_IN_ID = /[^\s@]+(?:@|%40)[^\s@.]+\.[^\s@]*[a-z]/i;
  var PHONE_IN_ID = /\+\d(?:[\s.()-]*\d){7,14}/;
  // src/transform/serverEvent.ts PERSONAL_PARAM: query parameters whose names say they carry
  // personal data (the words, and Meta's short user_data keys).
  var PERSONAL_PARAM =
    /e-?mail|phone|^tel$|mobile|name|addr|street|city|state|zip|postal|post_?code|country|birth|^dob$|gender|ssn|^(em|ph|fn|ln|ge|db|ct|st|zp|external_id)$/i;
  // src/transform/browserEvents.ts and src/http/collectRoute.ts: at most 20 events and 16 KiB of
  // UTF-8 a request (more is a 413 and the whole request is lost).
  var MAX_COLLECT_EVENTS = 20;
  var MAX_COLLECT_BYTES = 16 * 1024;
  // Chromium refuses keepalive requests past 64 KiB of bodies in flight per page (sendBeacon
  // included): the snippet keeps its own under this, leaving the rest to the page's scripts.
  var KEEPALIVE_BUDGET = 48 * 1024;
  // How long a request may go unanswered before it is aborted (flush() never hangs on one).
  var COLLECT_TIMEOUT_MS = 15000;
  // The longest pause a 429 or 503 imposes, and how many bodies may wait meanwhile (the oldest
  // beyond it is given up: a page cannot hold events without end).
  var MAX_PAUSE_MS = 5 * 60 * 1000;
  var MAX_WAITING = 20;
  // How long events wait for the ones that fire with them (a quiz's product views, say).
  var COLLECT_DELAY_MS = 25;
  // src/transform/normalize.ts normalizeEmail, for the addresses whose normalization the snippet is
  // sure of (ASCII only): a dot-atom local part of RFC 5321's atext, a host name of letter-digit-
  // hyphen labels ending in a letter TLD. Every address it takes the relay takes, and normalizes the
  // same way (trimmed, lowercased); any other (quoted local part, non-ASCII, IP literal, punycode
  // TLD) is not sent at all.
  var EMAIL_ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
  var EMAIL_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  var PLAIN_EMAIL = new RegExp("^" + EMAIL_ATOM + "(?:\\." + EMAIL_ATOM + ")*@(?:" + EMAIL_LABEL + "\\.)+[a-z]{2,63}$");
  var MAX_EMAIL_LOCAL = 64;
  var MAX_EMAIL = 254;
  // The hashed emails of the quiz sessions seen on this page, at most this many (the latest kept).
  var MAX_SESSIONS = 20;

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function objectAt(object, key) {
    return isObject(object[key]) ? object[key] : {};
  }

  function contains(list, value) {
    for (var i = 0; i < list.length; i++) if (list[i] === value) return true;
    return false;
  }

  /** A text field as the relay's schema reads it: a string, or a number's decimal text; "" is none. */
  function text(value) {
    if (typeof value === "string") return value === "" ? undefined : value;
    if (typeof value === "number" && isFinite(value)) return String(value);
    return undefined;
  }

  function trimmed(value) {
    var t = text(value);
    t = t === undefined ? "" : t.trim();
    return t === "" ? undefined : t;
  }

  /** A number, or its text form ("34.00"), as the relay's schema reads it. */
  function numeric(value) {
    if (typeof value === "number") return isFinite(value) ? value : undefined;
    if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
    return undefined;
  }

  /** A price or quantity Meta can take (src/transform/serverEvent.ts isAmount). */
  function isAmount(n) {
    return n !== undefined && isFinite(n) && n >= 0 && n < 1e12;
  }

  function flag(value) {
    if (typeof value === "boolean") return value;
    if (typeof value !== "string") return undefined;
    var word = value.trim().toLowerCase();
    if (contains(YES, word)) return true;
    if (contains(NO, word)) return false;
    return undefined;
  }

  function signal(value) {
    if (typeof value !== "string") return undefined;
    var word = value.trim().toLowerCase();
    return word === "granted" || word === "denied" ? word : undefined;
  }

  /** src/transform/consent.ts: an explicit denial wins; requireConsent wants an explicit grant. */
  function consentRefusal(payload, requireConsent) {
    var marketing = flag(objectAt(payload, "shopper").marketing_consent);
    var consent = objectAt(objectAt(payload, "context"), "consent");
    var adUserData = signal(consent.ad_user_data);
    var adStorage = signal(consent.ad_storage);
    if (marketing === false || adUserData === "denied" || adStorage === "denied") return "consent_denied";
    if (requireConsent && marketing !== true && adUserData !== "granted") return "consent_not_granted";
    return undefined;
  }

  /** The Studio type, `email:submit` when absent (not trimmed, as the relay reads it). */
  function studioType(payload) {
    return text(payload.type) || EMAIL_SUBMIT;
  }

  function attemptOf(payload) {
    var attempt = numeric(objectAt(payload, "session").attempt);
    return attempt >= 1 && attempt <= MAX_SAFE_INTEGER && Math.floor(attempt) === attempt ? attempt : 1;
  }

  /** src/transform/eventId.ts isPersonalId: an email address or an international phone number. */
  function isPersonalId(id) {
    return EMAIL_IN_ID.test(id) || PHONE_IN_ID.test(id);
  }

  /**
   * src/transform/eventId.ts idPart: the trimmed id, or "h" + the first 16 hex digits of its
   * SHA-256 when it is personal or longer than 64 characters. Resolves to undefined when it must
   * be hashed and the browser cannot hash.
   */
  function idPart(id) {
    if (id.length <= MAX_ID_PART && !isPersonalId(id)) return Promise.resolve(id);
    return sha256Hex(id).then(function (hex) {
      return hex === undefined ? undefined : "h" + hex.slice(0, 16);
    });
  }

  /** What distinguishes a browser event within its attempt: its product, else its step. */
  function subjectOf(payload) {
    var product = objectAt(payload, "product");
    return (
      trimmed(product.product_id) ||
      trimmed(product.variant_id) ||
      trimmed(product.sku) ||
      trimmed(objectAt(payload, "step").id)
    );
  }

  /**
   * src/transform/eventId.ts: the lead's `cartful.{session.id}.{session.attempt}`, `.{type}`
   * appended for types other than email:submit; a browser event's (with `collect`)
   * `cartful.{session.id}.{attempt}.{type}.{product or step id}`; `cartful.{id}` without a session
   * id; none without either. Ids enter hashed where idPart says. A Promise.
   */
  function eventIdOf(payload, browser) {
    var sessionId = trimmed(objectAt(payload, "session").id);
    if (!sessionId) {
      var id = trimmed(payload.id);
      return id ? prefixed(idPart(id), "") : Promise.resolve(undefined);
    }
    var type = studioType(payload);
    var suffix = "." + attemptOf(payload) + (type === EMAIL_SUBMIT ? "" : "." + type);
    var subject = browser ? subjectOf(payload) : undefined;
    return Promise.all([idPart(sessionId), subject ? idPart(subject) : Promise.resolve("")]).then(function (parts) {
      if (parts[0] === undefined || parts[1] === undefined) return undefined;
      return "cartful." + parts[0] + suffix + (parts[1] ? "." + parts[1] : "");
    });
  }

  function prefixed(part, suffix) {
    return part.then(function (value) {
      return value === undefined ? undefined : "cartful." + value + suffix;
    });
  }

  /**
   * src/transform/serverEvent.ts buildCustomData: ids, contents, currency, value, quiz name (a
   * product id or quiz name with an email address or a phone number in it left out). A
   * browser event with a product (src/transform/browserEvents.ts) has that product as its content
   * and the product's total as its value; others read the recommendations.
   */
  function customData(payload, settings, browser) {
    var contents = [];
    var product = browser && isObject(payload.product) ? payload.product : undefined;
    var items = product ? [product] : Array.isArray(payload.recommendations) ? payload.recommendations : [];
    for (var i = 0; i < items.length && i < 100; i++) {
      var item = items[i];
      if (!isObject(item)) continue;
      var id = trimmed(item[settings.contentId]);
      if (!id || isPersonalId(id)) continue;
      var quantity = numeric(item.quantity);
      var price = numeric(item.price);
      var line = { id: id, quantity: isAmount(quantity) ? Math.max(1, Math.round(quantity)) : 1 };
      if (isAmount(price)) line.item_price = price;
      contents.push(line);
    }
    var params = {};
    if (contents.length > 0) {
      params.content_ids = [];
      for (var j = 0; j < contents.length; j++) params.content_ids.push(contents[j].id);
      params.contents = contents;
      params.content_type = settings.contentType;
    }
    var currency = (trimmed(objectAt(payload, "store").currency) || "").toUpperCase();
    if (/^[A-Z]{3}$/.test(currency)) {
      params.currency = currency;
      var value = eventValue(contents, product ? "recommendations" : settings.value);
      if (value !== undefined) params.value = value;
    }
    var quizName = trimmed(objectAt(payload, "quiz").name);
    if (quizName && !isPersonalId(quizName)) params.content_name = quizName;
    return params;
  }

  function eventValue(contents, setting) {
    if (setting === "none") return undefined;
    if (typeof setting === "number") return setting;
    var cents = 0;
    var priced = 0;
    for (var i = 0; i < contents.length; i++) {
      if (contents[i].item_price === undefined) continue;
      cents += Math.round(contents[i].item_price * 100) * contents[i].quantity;
      priced++;
    }
    return priced > 0 && cents <= MAX_SAFE_INTEGER ? cents / 100 : undefined;
  }

  function isName(value) {
    return typeof value === "string" && value.trim() !== "";
  }

  /** A pixel's or the options' eventName for this Studio type: a name, or a map by type. */
  function nameFor(spec, type) {
    if (isName(spec)) return spec.trim();
    return isObject(spec) && has(spec, type) ? spec[type].trim() : undefined;
  }

  function checkName(spec, option) {
    if (spec === undefined || isName(spec)) return;
    if (!isObject(spec)) throw wrongName(option);
    for (var type in spec) if (has(spec, type) && !isName(spec[type])) throw wrongName(option + "." + type);
  }

  function wrongName(option) {
    return new TypeError(
      "cartfulMetaPixel: " + option + " must be an event name or a map of Studio types to event names",
    );
  }

  /** The options, checked and with the relay's defaults; a wrong one throws, naming it. */
  function settingsOf(options) {
    var o = options === undefined || options === null ? {} : options;
    if (!isObject(o)) throw new TypeError("cartfulMetaPixel: options must be an object");
    var contentId = o.contentId === undefined ? "product_id" : o.contentId;
    if (!contains(CONTENT_IDS, contentId))
      throw new TypeError("cartfulMetaPixel: contentId must be one of " + CONTENT_IDS.join(", "));
    var contentType =
      o.contentType === undefined ? (contentId === "product_id" ? "product_group" : "product") : o.contentType;
    if (!contains(CONTENT_TYPES, contentType))
      throw new TypeError("cartfulMetaPixel: contentType must be product or product_group");
    var value = o.value === undefined ? "none" : o.value;
    if (!(
      value === "none" ||
      value === "recommendations" ||
      (typeof value === "number" && isFinite(value) && value >= 0)
    )) {
      throw new TypeError('cartfulMetaPixel: value must be "none", "recommendations" or an amount');
    }
    if (o.requireConsent !== undefined && typeof o.requireConsent !== "boolean") {
      throw new TypeError("cartfulMetaPixel: requireConsent must be true or false");
    }
    if (o.externalId !== undefined && typeof o.externalId !== "boolean") {
      throw new TypeError("cartfulMetaPixel: externalId must be true or false");
    }
    checkName(o.eventName, "eventName");
    var collect = o.collect === undefined ? undefined : text(o.collect);
    if (o.collect !== undefined && !(collect && /^https?:\/\/[^\s/?#]+\/[^\s#]*$/.test(collect))) {
      throw new TypeError(
        "cartfulMetaPixel: collect must be the relay's https URL, e.g. https://capi.shop.example.com/collect/cartful",
      );
    }
    var pixels = o.pixels === undefined ? [] : o.pixels;
    if (!Array.isArray(pixels)) throw new TypeError("cartfulMetaPixel: pixels must be a list of { id, eventName? }");
    var checked = [];
    for (var i = 0; i < pixels.length; i++) {
      var pixel = pixels[i];
      var id = isObject(pixel) ? text(pixel.id) : undefined;
      if (!id || !/^\d+$/.test(id))
        throw new TypeError("cartfulMetaPixel: pixels[" + i + "].id must be the pixel's numeric id");
      checkName(pixel.eventName, "pixels[" + i + "].eventName");
      checked.push({ id: id, eventName: pixel.eventName });
    }
    return {
      contentId: contentId,
      contentType: contentType,
      value: value,
      requireConsent: o.requireConsent === true,
      externalId: o.externalId !== false,
      eventName: o.eventName,
      pixels: checked,
      collect: collect,
    };
  }

  var invisibleCharacters;
  /**
   * Unicode format characters (\p{Cf}: zero-width spaces and joiners, BOM, LRM/RLM, soft hyphen,
   * ...) anywhere, and white space or format characters at either end. Built at run time so an
   * older parser still reads this file; null where the browser lacks \p{...} (no external_id then).
   */
  function invisible() {
    if (invisibleCharacters === undefined) {
      try {
        invisibleCharacters = {
          anywhere: new RegExp("\\p{Cf}", "gu"),
          ends: new RegExp("^[\\s\\p{Cf}]+|[\\s\\p{Cf}]+$", "gu"),
        };
      } catch (e) {
        invisibleCharacters = null;
      }
    }
    return invisibleCharacters;
  }

  /** A Parameter Builder hash: 64 hex, a dot, a legacy token or 8 base64url characters. */
  function isBuilderHashed(value) {
    var match = /^[0-9a-fA-F]{64}\.([A-Za-z0-9_-]{2}|[A-Za-z0-9_-]{8})$/.exec(value);
    return match !== null && (match[1].length === 8 || contains(LEGACY_APPENDIXES, match[1]));
  }

  /**
   * The relay's `external_id` (src/transform/userData.ts, normalizeExternalId): a Parameter
   * Builder value exactly as it came, a 64-hex value lowercased, otherwise the SHA-256 hex of the
   * id in NFC without format characters or white space, lowercased. Resolves to undefined when
   * there is no id or the browser cannot hash (no crypto.subtle outside https).
   */
  function externalIdOf(payload) {
    var raw = text(objectAt(payload, "shopper").customer_id);
    var chars = invisible();
    if (raw === undefined || chars === null || typeof raw.normalize !== "function") return Promise.resolve(undefined);
    var outer = raw.replace(chars.ends, "");
    if (isBuilderHashed(outer)) return Promise.resolve(outer);
    if (/^[0-9a-fA-F]{64}$/.test(outer)) return Promise.resolve(outer.toLowerCase());
    // As the relay: invisible characters out first, then NFC (an invisible character between a
    // letter and its accent would otherwise keep them apart).
    var id = raw.replace(chars.anywhere, "").normalize("NFC").replace(/\s/g, "").toLowerCase();
    return id === "" ? Promise.resolve(undefined) : sha256Hex(id);
  }

  /**
   * The relay's `em` for `shopper.email` (src/transform/userData.ts, normalizeEmail), or nothing:
   * a Parameter Builder value exactly as it came, a 64-hex value lowercased, otherwise the SHA-256
   * hex of the address trimmed and lowercased, when it is one PLAIN_EMAIL takes. Only ASCII text is
   * read (printable, or white space at its ends): on it the relay's cleaning (invisible characters,
   * Unicode spaces, NFC) is a plain trim,
   * so both sides hash the same text; an address the snippet cannot be sure to normalize as the
   * relay does is not sent at all, never in clear. Resolves to undefined then, or when the browser
   * cannot hash.
   */
  function emailOf(payload) {
    var raw = text(objectAt(payload, "shopper").email);
    // Printable ASCII and the white space trim() removes: no other character to clean or compose.
    if (raw === undefined || !/^[ -~\t\n\v\f\r]*$/.test(raw)) return Promise.resolve(undefined);
    var trimmedEmail = raw.trim();
    if (isBuilderHashed(trimmedEmail)) return Promise.resolve(trimmedEmail);
    if (/^[0-9a-fA-F]{64}$/.test(trimmedEmail)) return Promise.resolve(trimmedEmail.toLowerCase());
    var email = trimmedEmail.toLowerCase();
    var local = email.slice(0, email.indexOf("@"));
    if (email.length > MAX_EMAIL || local.length > MAX_EMAIL_LOCAL || !PLAIN_EMAIL.test(email)) {
      return Promise.resolve(undefined);
    }
    return sha256Hex(email);
  }

  /**
   * The hashed email of a quiz session, kept so that the events after the email submit carry it
   * too: in this page's memory only (gone when the page goes), never in storage or a cookie, and
   * only ever the hash. Sessions are named as they enter the event_id (hashed where personal).
   */
  function rememberEmail(session, em) {
    var known = collector().emails;
    for (var i = 0; i < known.length; i++) {
      if (known[i].session === session) {
        known.splice(i, 1);
        break;
      }
    }
    known.push({ session: session, em: em });
    if (known.length > MAX_SESSIONS) known.shift();
  }

  function rememberedEmail(session) {
    var known = collector().emails;
    for (var i = 0; i < known.length; i++) if (known[i].session === session) return known[i].em;
    return undefined;
  }

  /**
   * What the snippet knows of the shopper's email for this event (with `collect`): the payload's own
   * (remembered for its session), else the one its session gave earlier on this page. A Promise of
   * { session, em }, either undefined.
   */
  function sessionEmail(payload) {
    var sessionId = trimmed(objectAt(payload, "session").id);
    return Promise.all([sessionId ? idPart(sessionId) : Promise.resolve(undefined), emailOf(payload)]).then(
      function (values) {
        var session = values[0];
        var em = values[1];
        if (session !== undefined && em !== undefined) rememberEmail(session, em);
        return {
          session: session,
          em: em !== undefined ? em : session === undefined ? undefined : rememberedEmail(session),
        };
      },
    );
  }

  function sha256Hex(message) {
    var subtle = typeof crypto === "undefined" ? undefined : crypto.subtle;
    if (!subtle || typeof subtle.digest !== "function" || typeof TextEncoder !== "function") {
      return Promise.resolve(undefined);
    }
    return subtle.digest("SHA-256", new TextEncoder().encode(message)).then(
      function (digest) {
        var bytes = new Uint8Array(digest);
        var hex = "";
        for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
        return hex;
      },
      function () {
        return undefined;
      },
    );
  }

  /**
   * The Meta event name of a browser event (with `collect`): a map's name for its type (the
   * options' `eventName`), else the relay's default `browser_events`; none for other types (the
   * relay would not send them). A single name in `eventName` is the lead's, not a browser event's.
   */
  function browserEventName(settings, type) {
    var mapped = isObject(settings.eventName) ? nameFor(settings.eventName, type) : undefined;
    var name = mapped || (has(BROWSER_EVENTS, type) ? BROWSER_EVENTS[type] : undefined);
    // The relay takes only a Studio type's shape (src/transform/browserEvents.ts STUDIO_TYPE).
    return /^[A-Za-z0-9_.:-]{1,64}$/.test(type) ? name : undefined;
  }

  /**
   * Fires the Pixel: { events: the calls that went through, failed: whether any threw }. Each call
   * is caught on its own: a broken `fbq` (or an ad blocker's stub) neither throws into the page
   * nor keeps the other pixels or the server copy from going.
   */
  function fire(settings, type, eventID, params, externalId, browserName) {
    var fired = { events: [], failed: false };
    if (typeof fbq !== "function") return fired;
    var call = function (args, event) {
      try {
        fbq.apply(undefined, args);
        if (event) fired.events.push(event);
      } catch (e) {
        fired.failed = true;
      }
    };
    var options = { eventID: eventID };
    var fallback = browserName || nameFor(settings.eventName, type) || "Lead";
    if (settings.pixels.length === 0) {
      var command = contains(STANDARD_EVENTS, fallback) ? "track" : "trackCustom";
      call([command, fallback, params, options], { command: command, eventName: fallback });
    }
    var i;
    if (externalId !== undefined) {
      for (i = 0; i < settings.pixels.length; i++) call(["init", settings.pixels[i].id, { external_id: externalId }]);
    }
    for (i = 0; i < settings.pixels.length; i++) {
      var pixel = settings.pixels[i];
      var own = nameFor(pixel.eventName, type);
      var name = (browserName ? isObject(pixel.eventName) && own : own) || fallback;
      var single = contains(STANDARD_EVENTS, name) ? "trackSingle" : "trackSingleCustom";
      call([single, pixel.id, name, params, options], { command: single, pixelId: pixel.id, eventName: name });
    }
    return fired;
  }

  /** Text of at most `max` characters, else none (the relay would refuse the whole request). */
  function short(value, max) {
    var t = trimmed(value);
    return t !== undefined && t.length <= max ? t : undefined;
  }

  /**
   * A value of the shop's (an id, a name, a domain) as /collect/cartful may get it: {@link short},
   * and none when isPersonalId (the relay's rule) finds an email address or a phone number in it.
   * The endpoint is public and takes personal data only hashed; such a value is left out, never
   * hashed (a hashed product id would only be a wrong id), and the event still goes.
   */
  function sendable(value, max) {
    var t = short(value, max);
    return t !== undefined && !isPersonalId(t) ? t : undefined;
  }

  /** Copies the keys that have a value; none at all is undefined. */
  function compact(object) {
    var out = {};
    var any = false;
    for (var key in object) {
      if (has(object, key) && object[key] !== undefined) {
        out[key] = object[key];
        any = true;
      }
    }
    return any ? out : undefined;
  }

  /** A product line as /collect/cartful reads it: ids (none that is personal) and amounts only (no title). */
  function productLine(item) {
    if (!isObject(item)) return undefined;
    return compact({
      product_id: sendable(item.product_id, 256),
      variant_id: sendable(item.variant_id, 256),
      sku: sendable(item.sku, 256),
      price: numeric(item.price),
      quantity: numeric(item.quantity),
    });
  }

  /**
   * src/transform/webhook.ts parseTimestamp: whether the relay reads `value` as a moment (ISO 8601
   * text with a real calendar day, or epoch seconds or milliseconds, as numbers or digits). One it
   * cannot read makes it refuse the whole request (422), the other events with it: such a value is
   * not sent, and the event takes the snippet's moment, as one without `occurred_at`.
   */
  function isTimestamp(value) {
    if (typeof value === "number") return isEpoch(value);
    if (typeof value !== "string" || value.length > 64) return false;
    var t = value.trim();
    if (/^\d+(\.\d+)?$/.test(t)) return isEpoch(Number(t));
    if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(t)) return false;
    if (!isFinite(Date.parse(t.replace(" ", "T")))) return false;
    var month = Number(t.slice(5, 7));
    var day = Number(t.slice(8, 10));
    var calendar = new Date(Date.UTC(Number(t.slice(0, 4)), month - 1, day));
    return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  }

  /** src/transform/webhook.ts epochToMs: positive, finite, within what a Date holds. */
  function isEpoch(n) {
    return isFinite(n) && n > 0 && Math.round(n < 1e11 ? n * 1000 : n) <= 8.64e15;
  }

  /** A recommendation line with an id left (the relay reads no other: it is no content without one). */
  function recommendationLine(item) {
    var line = productLine(item);
    return line && (line.product_id || line.variant_id || line.sku) ? line : undefined;
  }

  /**
   * The event as /collect/cartful takes it (src/transform/browserEvents.ts): ids, the product or
   * step, the recommendations, the store, consent, and of the shopper only hashes: `em` and
   * `external_id`. The session id travels as it enters the event_id (hashed where personal).
   */
  function collectedEvent(payload, type, eventID, shopper) {
    var quiz = objectAt(payload, "quiz");
    var store = objectAt(payload, "store");
    var consent = objectAt(objectAt(payload, "context"), "consent");
    var recommendations = [];
    var list = Array.isArray(payload.recommendations) ? payload.recommendations : [];
    for (var i = 0; i < list.length && recommendations.length < 100; i++) {
      var line = recommendationLine(list[i]);
      if (line) recommendations.push(line);
    }
    return compact({
      type: type,
      id: sendable(payload.id, 256),
      occurred_at: isTimestamp(payload.occurred_at) ? payload.occurred_at : new Date().toISOString(),
      event_id: eventID,
      quiz: compact({ id: sendable(quiz.id, 256), name: sendable(quiz.name, 512) }),
      session: shopper.session === undefined ? undefined : { id: shopper.session, attempt: attemptOf(payload) },
      // Present whenever the payload has one, even with nothing left to send: the relay then reads
      // the product (as the Pixel's custom_data does), not the recommendations.
      product: isObject(payload.product) ? productLine(payload.product) || {} : undefined,
      step: compact({ id: sendable(objectAt(payload, "step").id, 256) }),
      recommendations: recommendations,
      store: compact({ currency: sendable(store.currency, 64), domain: sendable(store.domain, 255) }),
      user_data: compact({ em: shopper.em, external_id: shopper.externalId }),
      consent: compact({ ad_user_data: signal(consent.ad_user_data), ad_storage: signal(consent.ad_storage) }),
      marketing_consent: flag(objectAt(payload, "shopper").marketing_consent),
    });
  }

  // The queue of events waiting for /collect/cartful lives on the page's global object, so that a
  // Studio integration that runs this file again for each trigger still batches with one queue
  // and one pagehide listener.
  var root = typeof globalThis !== "undefined" ? globalThis : typeof window !== "undefined" ? window : {};

  function collector() {
    var state = root.__cartfulCollect;
    if (state) return state;
    state = root.__cartfulCollect = { queues: [], timer: undefined, emails: [] };
    var flushNow = function () {
      void flush();
    };
    if (typeof root.addEventListener === "function") root.addEventListener("pagehide", flushNow);
    if (typeof document !== "undefined" && typeof document.addEventListener === "function") {
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "hidden") void flush();
      });
    }
    return state;
  }

  /**
   * Queues an event for `url`, made to fit a request alone ({@link fitted}); false when it cannot
   * (the relay would refuse it, 413, and every event sent with it).
   */
  function enqueue(url, event) {
    var fit = fitted(event);
    if (!fit) return false;
    event = fit;
    var state = collector();
    var queue;
    for (var i = 0; i < state.queues.length; i++) if (state.queues[i].url === url) queue = state.queues[i];
    if (!queue) {
      queue = { url: url, events: [] };
      state.queues.push(queue);
    }
    queue.events.push(event);
    if (queue.events.length >= MAX_COLLECT_EVENTS) {
      void flush();
    } else if (state.timer === undefined) {
      state.timer = setTimeout(function () {
        void flush();
      }, COLLECT_DELAY_MS);
    }
    return true;
  }

  /**
   * The event as it fits a request alone (at most MAX_COLLECT_BYTES of UTF-8): as it is, else with
   * its recommendations cut to the most that fit (the first ones, in Studio's order); undefined
   * when it does not fit even without them.
   */
  function fitted(event) {
    if (bodyBytes([event]) <= MAX_COLLECT_BYTES) return event;
    var all = event.recommendations;
    var fits = 0;
    var over = all.length;
    // The most that fit lies in [fits, over).
    while (over - fits > 1) {
      var middle = Math.floor((fits + over) / 2);
      if (bodyBytes([withRecommendations(event, all.slice(0, middle))]) <= MAX_COLLECT_BYTES) fits = middle;
      else over = middle;
    }
    var cut = withRecommendations(event, all.slice(0, fits));
    return bodyBytes([cut]) <= MAX_COLLECT_BYTES ? cut : undefined;
  }

  function withRecommendations(event, recommendations) {
    var copy = {};
    for (var key in event) if (has(event, key)) copy[key] = event[key];
    copy.recommendations = recommendations;
    return copy;
  }

  /** The size of the body of `events` as the relay measures it: UTF-8 bytes. */
  function bodyBytes(events) {
    return utf8Bytes(JSON.stringify(collectBody(events)));
  }

  /** UTF-8 bytes of a string (JSON.stringify leaves no lone surrogate: each pair is 4 bytes). */
  function utf8Bytes(text) {
    var bytes = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (code < 0x80) bytes += 1;
      else if (code < 0x800) bytes += 2;
      else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        bytes += 4;
        i++;
      } else bytes += 3;
    }
    return bytes;
  }

  /** Sends every waiting event now; resolves when the requests have been answered (or failed). */
  function flush() {
    var state = collector();
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
    var sending = [];
    var queues = state.queues;
    state.queues = [];
    for (var i = 0; i < queues.length; i++) {
      for (var start = 0; start < queues[i].events.length; start += MAX_COLLECT_EVENTS) {
        sendBatch(queues[i].url, queues[i].events.slice(start, start + MAX_COLLECT_EVENTS), sending);
      }
    }
    return Promise.all(sending).then(function () {
      return undefined;
    });
  }

  /**
   * One request per batch; a body over 16 KiB of UTF-8 is split in two. A lone event still over
   * (each was fitted when queued: only a page address or cookie grown since can do it) is left out
   * rather than sent to a certain 413.
   */
  function sendBatch(url, events, sending) {
    var body = JSON.stringify(collectBody(events));
    var bytes = utf8Bytes(body);
    if (bytes > MAX_COLLECT_BYTES) {
      if (events.length === 1) return;
      var half = Math.ceil(events.length / 2);
      sendBatch(url, events.slice(0, half), sending);
      sendBatch(url, events.slice(half), sending);
      return;
    }
    sending.push(post({ url: url, body: body, bytes: bytes }));
  }

  function collectBody(events) {
    var page = typeof location !== "undefined" ? scrubUrl(String(location.href)) : undefined;
    var referrer = typeof document !== "undefined" ? scrubUrl(document.referrer) : undefined;
    return compact({
      events: events,
      page_url: page && page.length <= 8192 ? page : undefined,
      referrer: referrer && referrer.length <= 8192 ? referrer : undefined,
      fbp: cookie("_fbp"),
      fbc: cookie("_fbc"),
    });
  }

  /**
   * src/transform/serverEvent.ts scrubUrl, word for word: an http(s) URL without its fragment, user
   * info, query parameters that carry personal data (by name, or an `@` in the value), and a path
   * holding an `@` made `/`; unchanged (trimmed) when there is nothing to drop; none when it is no
   * http(s) URL or the browser has no URL to read it with (never sent unscrubbed).
   */
  function scrubUrl(raw) {
    if (typeof raw !== "string" || raw === "" || typeof URL !== "function") return undefined;
    var url;
    try {
      url = new URL(raw.trim());
    } catch (e) {
      return undefined;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    var credentials = url.username !== "" || url.password !== "";
    var path = url.pathname;
    var personalPath = (path.indexOf("@") >= 0 || path.indexOf("%40") >= 0) && safeDecode(path).indexOf("@") >= 0;
    var personal = [];
    if (url.search !== "") {
      url.searchParams.forEach(function (value, key) {
        if (PERSONAL_PARAM.test(key) || value.indexOf("@") >= 0) personal.push(key);
      });
    }
    if (personal.length === 0 && !credentials && !personalPath && raw.indexOf("#") < 0) return raw.trim();
    url.username = "";
    url.password = "";
    url.hash = "";
    if (personalPath) url.pathname = "/";
    for (var i = 0; i < personal.length; i++) url.searchParams.delete(personal[i]);
    return url.toString();
  }

  function safeDecode(value) {
    try {
      return decodeURIComponent(value);
    } catch (e) {
      return value;
    }
  }

  /** A first-party cookie's value (Meta's _fbp and _fbc are readable by the page). */
  function cookie(name) {
    var jar;
    try {
      // A sandboxed frame (an opaque origin) throws on reading document.cookie.
      jar = typeof document === "undefined" ? undefined : document.cookie;
    } catch (e) {
      jar = undefined;
    }
    if (typeof jar !== "string") return undefined;
    var pairs = jar.split(";");
    for (var i = 0; i < pairs.length; i++) {
      var pair = pairs[i].replace(/^\s+/, "");
      if (pair.indexOf(name + "=") === 0) return short(pair.slice(name.length + 1), 1024);
    }
    return undefined;
  }

  /**
   * Sends a body ({ url, body, bytes: its UTF-8 size, measured once by the caller }); resolves
   * when it is answered, has failed or timed out. Chromium refuses
   * a keepalive request ("TypeError: Failed to fetch") once the keepalive bodies a page has in
   * flight pass 64 KiB (sendBeacon's share that quota), so a body goes at once only while those
   * in flight leave it room within KEEPALIVE_BUDGET (the rest of the quota left to the page's own
   * scripts), else waits until earlier ones settle. On pagehide what fits goes; the rest waits,
   * and goes if the page comes back from the back/forward cache. After a 429 or 503 nothing goes
   * until its Retry-After has passed (the relay would refuse it too); the refused body is sent
   * once more then (not awaited by the flush that sent it). At most MAX_WAITING bodies wait: beyond, the oldest is given up.
   */
  function post(request) {
    var line = sendingLine();
    return new Promise(function (resolve) {
      wait(line, { url: request.url, body: request.body, bytes: request.bytes, done: resolve });
      pump(line);
    });
  }

  /** The page's one line of requests to the relay, shared (as the queue) by every copy of this file. */
  function sendingLine() {
    var state = collector();
    if (!state.line) state.line = { waiting: [], inFlight: 0, pausedUntil: 0, timer: undefined };
    return state.line;
  }

  function noop() {}

  function wait(line, request) {
    line.waiting.push(request);
    if (line.waiting.length > MAX_WAITING) line.waiting.shift().done();
  }

  /** Starts the waiting bodies that fit the keepalive budget, unless the relay asked for a pause. */
  function pump(line) {
    var pause = line.pausedUntil - Date.now();
    if (pause > 0) {
      if (line.timer === undefined && typeof setTimeout === "function") {
        line.timer = setTimeout(function () {
          line.timer = undefined;
          pump(line);
        }, pause);
      }
      return;
    }
    while (line.waiting.length > 0) {
      if (line.inFlight > 0 && line.inFlight + line.waiting[0].bytes > KEEPALIVE_BUDGET) return;
      start(line, line.waiting.shift());
    }
  }

  function start(line, request) {
    line.inFlight += request.bytes;
    void send(request.url, request.body).then(function (status) {
      line.inFlight -= request.bytes;
      if (status.pause > 0) {
        line.pausedUntil = Math.max(line.pausedUntil, Date.now() + status.pause);
        // Sent again once after the pause; whoever awaited it (flush) is answered now.
        if (!request.again)
          line.waiting.unshift({ url: request.url, body: request.body, bytes: request.bytes, done: noop, again: true });
      }
      request.done();
      pump(line);
    });
  }

  /**
   * One POST, as text/plain (no CORS preflight) with the relay's cookies, and keepalive so a request
   * sent as the page goes away still arrives; sendBeacon where fetch is missing. Resolves to
   * { pause: ms } (0 unless the relay answered 429 or 503), always: a request unanswered after
   * COLLECT_TIMEOUT_MS is aborted (freeing its share of the keepalive quota).
   */
  function send(url, body) {
    var none = { pause: 0 };
    if (typeof fetch !== "function") {
      beacon(url, body);
      return Promise.resolve(none);
    }
    var controller = typeof AbortController === "function" ? new AbortController() : undefined;
    var timer;
    var answered;
    try {
      answered = fetch(url, {
        method: "POST",
        body: body,
        keepalive: true,
        credentials: "include",
        mode: "cors",
        headers: { "content-type": "text/plain" },
        signal: controller ? controller.signal : undefined,
      }).then(
        function (response) {
          var status = { pause: pauseAfter(response) };
          // Read to its end: until then Chromium counts the request against the keepalive quota.
          return response && typeof response.text === "function"
            ? response.text().then(
                function () {
                  return status;
                },
                function () {
                  return status;
                },
              )
            : status;
        },
        function () {
          return none;
        },
      );
    } catch (e) {
      return Promise.resolve(none);
    }
    var timedOut = new Promise(function (resolve) {
      if (typeof setTimeout !== "function") return;
      timer = setTimeout(function () {
        if (controller) controller.abort();
        resolve(none);
      }, COLLECT_TIMEOUT_MS);
    });
    return Promise.race([answered, timedOut]).then(function (status) {
      if (timer !== undefined) clearTimeout(timer);
      return status;
    });
  }

  /**
   * How long the relay asked to wait (ms): a 429's or 503's Retry-After in seconds (the relay
   * exposes it to the page), else (an older relay's answer, whose header a cross-origin page cannot
   * read) the relay's own: 60 s for its rate limit, 30 s for a 503; at most MAX_PAUSE_MS. 0 for any
   * other answer.
   */
  function pauseAfter(response) {
    var status = response && response.status;
    if (status !== 429 && status !== 503) return 0;
    var header;
    try {
      header = response.headers.get("retry-after");
    } catch (e) {
      header = null;
    }
    var seconds = /^\s*\d+\s*$/.test(header || "") ? Number(header) : status === 429 ? 60 : 30;
    return Math.min(seconds * 1000, MAX_PAUSE_MS);
  }

  function beacon(url, body) {
    if (typeof navigator === "undefined" || typeof navigator.sendBeacon !== "function") return;
    try {
      navigator.sendBeacon(url, body);
    } catch (e) {
      // Nothing to do: the Pixel's copy is still there.
    }
  }

  /**
   * The public call. Invalid options reject it with a TypeError naming the option (the documented
   * error); anything else it meets (a payload that throws when read, a bug) answers
   * { fired: false, reason: "error" }: it runs on shop pages and never throws into them.
   */
  function cartfulMetaPixel(payload, options) {
    var settings;
    try {
      settings = settingsOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise(function (resolve) {
      resolve(handle(payload, settings));
    }).then(undefined, function () {
      return { fired: false, reason: "error" };
    });
  }

  function handle(payload, settings) {
    return new Promise(function (resolve) {
      if (!isObject(payload)) return resolve({ fired: false, reason: "no_payload" });
      var refusal = consentRefusal(payload, settings.requireConsent);
      if (refusal) return resolve({ fired: false, reason: refusal });
      var type = studioType(payload);
      // With `collect`, every type but the webhook's lead is a browser event, sent to the relay too;
      // and whatever the type, an email the payload carries is remembered (hashed) for its session.
      var browser = settings.collect !== undefined && type !== EMAIL_SUBMIT;
      var known = settings.collect !== undefined ? sessionEmail(payload) : Promise.resolve({});
      var answer = function (result) {
        return known.then(function () {
          return result;
        });
      };
      var browserName = browser ? browserEventName(settings, type) : undefined;
      if (browser && !browserName) return resolve(answer({ fired: false, reason: "no_event_name" }));
      if (!browser && typeof fbq !== "function") return resolve(answer({ fired: false, reason: "no_fbq" }));
      var params = customData(payload, settings, browser);
      // external_id travels through fbq('init', pixelId, …) and in the collected event: without
      // either there is nothing to hash it for.
      var hashing =
        settings.externalId && (settings.pixels.length > 0 || browser)
          ? externalIdOf(payload)
          : Promise.resolve(undefined);
      resolve(
        Promise.all([eventIdOf(payload, browser), hashing, known]).then(function (values) {
          var eventID = values[0];
          var externalId = values[1];
          if (!eventID) return { fired: false, reason: "no_event_id" };
          var pixel = fire(settings, type, eventID, params, externalId, browserName);
          if (pixel.failed && !browser && pixel.events.length === 0) return { fired: false, reason: "fbq_error" };
          var result = {
            fired: true,
            eventID: eventID,
            params: params,
            events: pixel.events,
            externalId: externalId !== undefined,
          };
          if (pixel.failed) result.reason = "fbq_error";
          if (browser) {
            var shopper = { session: values[2].session, em: values[2].em, externalId: externalId };
            result.collected = enqueue(settings.collect, collectedEvent(payload, type, eventID, shopper));
            if (!result.collected && !result.reason) result.reason = "too_large";
            result.em = shopper.em !== undefined;
          }
          return result;
        }),
      );
    });
  }

  /** Sends the events waiting for `collect` now (the snippet also does on pagehide); a Promise. */
  cartfulMetaPixel.flush = flush;
  return cartfulMetaPixel;
})();
