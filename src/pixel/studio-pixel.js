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
 * No other personal data is read or sent from the browser.
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
 * A pixel's own eventName wins over `eventName`; a Studio type missing from a map falls back to
 * the next one, and finally to "Lead".
 *
 * RESULT. A Promise (the external_id hash uses the browser's crypto.subtle) of
 *   { fired: true, eventID, params, events: [{ command, pixelId?, eventName }], externalId }
 *   { fired: false, reason: "consent_denied" | "consent_not_granted" | "no_event_id"
 *                            | "no_payload" | "no_fbq" }
 * Invalid options reject it with a TypeError naming the option.
 *
 * Plain ES5 except for the Promise, TextEncoder and crypto.subtle that hashing needs, available
 * in every browser Studio supports. Every rule below mirrors a module of the relay (named in
 * each comment); src/pixel/studio-pixel.test.ts and test/browser/pixel.test.ts check that they
 * agree on every fixture.
 */
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

  /**
   * src/transform/eventId.ts: `cartful.{session.id}.{session.attempt}`, `.{type}` appended for
   * types other than email:submit; `cartful.{id}` without a session id; none without either.
   */
  function eventIdOf(payload) {
    var session = objectAt(payload, "session");
    var sessionId = trimmed(session.id);
    if (sessionId) {
      var attempt = numeric(session.attempt);
      if (!(attempt >= 1 && attempt <= MAX_SAFE_INTEGER && Math.floor(attempt) === attempt)) attempt = 1;
      var type = studioType(payload);
      return "cartful." + sessionId + "." + attempt + (type === EMAIL_SUBMIT ? "" : "." + type);
    }
    var id = trimmed(payload.id);
    return id ? "cartful." + id : undefined;
  }

  /** src/transform/serverEvent.ts buildCustomData: ids, contents, currency, value, quiz name. */
  function customData(payload, settings) {
    var contents = [];
    var recommendations = Array.isArray(payload.recommendations) ? payload.recommendations : [];
    for (var i = 0; i < recommendations.length; i++) {
      var item = recommendations[i];
      if (!isObject(item)) continue;
      var id = trimmed(item[settings.contentId]);
      if (!id) continue;
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
      var value = eventValue(contents, settings.value);
      if (value !== undefined) params.value = value;
    }
    var quizName = trimmed(objectAt(payload, "quiz").name);
    if (quizName) params.content_name = quizName;
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

  function fire(settings, type, eventID, params, externalId) {
    if (typeof fbq !== "function") return { fired: false, reason: "no_fbq" };
    var events = [];
    var options = { eventID: eventID };
    var fallback = nameFor(settings.eventName, type) || "Lead";
    if (settings.pixels.length === 0) {
      var command = contains(STANDARD_EVENTS, fallback) ? "track" : "trackCustom";
      fbq(command, fallback, params, options);
      events.push({ command: command, eventName: fallback });
    }
    var i;
    if (externalId !== undefined) {
      for (i = 0; i < settings.pixels.length; i++) fbq("init", settings.pixels[i].id, { external_id: externalId });
    }
    for (i = 0; i < settings.pixels.length; i++) {
      var pixel = settings.pixels[i];
      var name = nameFor(pixel.eventName, type) || fallback;
      var single = contains(STANDARD_EVENTS, name) ? "trackSingle" : "trackSingleCustom";
      fbq(single, pixel.id, name, params, options);
      events.push({ command: single, pixelId: pixel.id, eventName: name });
    }
    return { fired: true, eventID: eventID, params: params, events: events, externalId: externalId !== undefined };
  }

  return function cartfulMetaPixel(payload, options) {
    return new Promise(function (resolve) {
      var settings = settingsOf(options);
      if (!isObject(payload)) return resolve({ fired: false, reason: "no_payload" });
      var refusal = consentRefusal(payload, settings.requireConsent);
      if (refusal) return resolve({ fired: false, reason: refusal });
      var eventID = eventIdOf(payload);
      if (!eventID) return resolve({ fired: false, reason: "no_event_id" });
      var params = customData(payload, settings);
      var type = studioType(payload);
      // external_id travels through fbq('init', pixelId, …): without pixel ids there is none to update.
      var hashing =
        settings.externalId && settings.pixels.length > 0 ? externalIdOf(payload) : Promise.resolve(undefined);
      resolve(
        hashing.then(function (externalId) {
          return fire(settings, type, eventID, params, externalId);
        }),
      );
    });
  };
})();
