/*
 * A stand-in for Meta's Pixel (connect.facebook.net/…/fbevents.js), served by the fake Meta at
 * `GET /fbevents.js` for the demo shop (dev/demo-shop). Loaded with a <script> tag it defines
 * `window.fbq`, which reports each event to the fake Meta it came from the way Meta's Pixel
 * reports to facebook.com: an image request `GET {fake Meta}/tr?id=&ev=&eid=&dl=&cd[…]=&ud[…]=`.
 * An ad blocker blocks this file: then `fbq` is missing, and only the relay's copy of an event
 * reaches Meta.
 *
 * What it takes, as Meta's Pixel does: fbq('init', pixelId, advancedMatching?) (again to update
 * the matching, as the Studio snippet does with its hashed external_id), fbq('track' |
 * 'trackCustom', name, params?, { eventID }?) for every initialised pixel, fbq('trackSingle' |
 * 'trackSingleCustom', pixelId, name, params?, { eventID }?) for one. Anything else is ignored.
 * Like Meta's Pixel it sets the first-party `_fbp` cookie when the page has none.
 *
 * Bounded: at most MAX_REPORTS reports a page, each URL at most MAX_URL characters (custom data
 * and then matching keys are left out to fit; a report that still does not fit is not sent),
 * names and ids cut to what Meta takes. `fbq.reports` lists what was sent (for a look in the
 * console, and for tests).
 */
(function () {
  "use strict";
  var MAX_REPORTS = 200;
  var MAX_URL = 2000;
  var MAX_PIXELS = 10;
  var MAX_EVENT_ID = 256;
  var MAX_VALUE = 500;
  var root = typeof window !== "undefined" ? window : this;
  if (typeof root.fbq === "function") return;

  var script = typeof document !== "undefined" ? document.currentScript : null;
  var base = script && script.src ? script.src.replace(/\/fbevents\.js(\?.*)?$/, "") : "";
  var pixels = [];
  var matching = Object.create(null); // by pixel id (digits only)
  var sent = 0;

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function text(value) {
    if (typeof value === "string") return value;
    if (typeof value === "number" && isFinite(value)) return String(value);
    return undefined;
  }

  function setFbp() {
    if (typeof document === "undefined" || /(^|;\s*)_fbp=/.test(document.cookie)) return;
    var random = String(Math.floor(Math.random() * 9e9) + 1e9);
    document.cookie = "_fbp=fb.1." + Date.now() + "." + random + "; path=/; max-age=7776000; SameSite=Lax";
  }

  /** `cd[key]` / `ud[key]` parameters: strings as they are, anything else as JSON, each bounded. */
  function bracketed(prefix, object) {
    var out = [];
    if (!isObject(object)) return out;
    for (var key in object) {
      if (!Object.prototype.hasOwnProperty.call(object, key) || !/^[a-z_]{1,40}$/.test(key)) continue;
      var value = typeof object[key] === "string" ? object[key] : JSON.stringify(object[key]);
      if (value === undefined || value.length > MAX_VALUE) continue;
      out.push(encodeURIComponent(prefix + "[" + key + "]") + "=" + encodeURIComponent(value));
    }
    return out;
  }

  function report(pixelId, name, params, options) {
    if (sent >= MAX_REPORTS || !base) return;
    var eventId = isObject(options) ? text(options.eventID) : undefined;
    var head = [
      "id=" + encodeURIComponent(pixelId),
      "ev=" + encodeURIComponent(name.slice(0, 100)),
      "dl=" + encodeURIComponent(String(location.href).split("#")[0].slice(0, 1024)),
      "ts=" + Date.now(),
    ];
    if (eventId && eventId.length <= MAX_EVENT_ID) head.push("eid=" + encodeURIComponent(eventId));
    var custom = bracketed("cd", params);
    var user = bracketed("ud", matching[pixelId]);
    var candidates = [head.concat(custom, user), head.concat(user), head];
    for (var i = 0; i < candidates.length; i++) {
      var url = base + "/tr?" + candidates[i].join("&");
      if (url.length <= MAX_URL) {
        sent++;
        new Image().src = url;
        fbq.reports.push({ pixel: pixelId, event_name: name, event_id: eventId, url: url });
        return;
      }
    }
  }

  function fbq(command) {
    var args = Array.prototype.slice.call(arguments, 1);
    var id;
    if (command === "init") {
      id = text(args[0]);
      if (!id || !/^\d{1,20}$/.test(id)) return;
      if (pixels.indexOf(id) < 0 && pixels.length < MAX_PIXELS) pixels.push(id);
      if (isObject(args[1])) matching[id] = args[1];
      setFbp();
    } else if (command === "track" || command === "trackCustom") {
      if (typeof args[0] !== "string" || args[0] === "") return;
      for (var i = 0; i < pixels.length; i++) report(pixels[i], args[0], args[1], args[2]);
    } else if (command === "trackSingle" || command === "trackSingleCustom") {
      id = text(args[0]);
      // Meta's Pixel sends nothing for a pixel the page never initialised.
      if (!id || pixels.indexOf(id) < 0 || typeof args[1] !== "string" || args[1] === "") return;
      report(id, args[1], args[2], args[3]);
    }
  }
  fbq.reports = [];
  fbq.version = "stand-in";
  root.fbq = fbq;
})();
