/*
 * Cartful Studio -> Meta Pixel, deduplicated with the Conversions API relay.
 *
 * Paste this into a Studio *Custom JavaScript Integration* whose trigger is "email submit".
 * It fires fbq('track', 'Lead', params, { eventID }) with the same event id the relay sends
 * from the server (`cartful.{session.id}.{session.attempt}`), so Meta keeps one of the two.
 * Keep the options below equal to the relay's settings (META_EVENT_NAME, META_CONTENT_ID,
 * META_CONTENT_TYPE). No personal data is sent from here: advanced matching is the relay's job.
 * Plain ES5 on purpose: it runs in every browser Studio supports.
 */
function cartfulMetaLead(studioEvent, options) {
  function isAmount(n) {
    return isFinite(n) && n >= 0 && n < 1e12;
  }
  var o = options || {};
  var eventName = o.eventName || "Lead";
  var contentId = o.contentId || "product_id";
  var contentType = o.contentType || "product";
  var e = studioEvent || {};
  var session = e.session || {};

  var attempt = Math.floor(Number(session.attempt));
  if (!(attempt >= 1)) attempt = 1;
  var sessionId = session.id == null ? "" : String(session.id).trim();
  var eventID = sessionId ? "cartful." + sessionId + "." + attempt : "cartful." + String(e.id).trim();

  var params = {};
  var contents = [];
  var recommendations = e.recommendations || [];
  for (var i = 0; i < recommendations.length; i++) {
    var item = recommendations[i] || {};
    var id = item[contentId] == null ? "" : String(item[contentId]).trim();
    if (!id) continue;
    var q = item.quantity == null || item.quantity === "" ? NaN : Number(item.quantity);
    var line = { id: id, quantity: isAmount(q) ? Math.max(1, Math.round(q)) : 1 };
    var price = item.price == null || item.price === "" ? NaN : Number(item.price);
    if (isAmount(price)) line.item_price = price;
    contents.push(line);
  }
  if (contents.length > 0) {
    params.content_ids = contents.map(function (c) { return c.id; });
    params.contents = contents;
    params.content_type = contentType;
  }
  var currency = e.store && e.store.currency ? String(e.store.currency).trim().toUpperCase() : "";
  if (/^[A-Z]{3}$/.test(currency)) {
    params.currency = currency;
    var cents = 0;
    var priced = 0;
    for (var j = 0; j < contents.length; j++) {
      if (contents[j].item_price === undefined) continue;
      cents += Math.round(contents[j].item_price * 100) * contents[j].quantity;
      priced++;
    }
    if (o.value === "none") {
      // no value, as with META_EVENT_VALUE=none
    } else if (typeof o.value === "number") {
      params.value = o.value;
    } else if (priced > 0 && cents <= 9007199254740991) {
      params.value = cents / 100;
    }
  }
  var quizName = e.quiz && e.quiz.name ? String(e.quiz.name).trim() : "";
  if (quizName) params.content_name = quizName;

  if (typeof fbq === "function") fbq("track", eventName, params, { eventID: eventID });
  return { eventName: eventName, params: params, eventID: eventID };
}

// Studio hands the trigger's event to the integration as `event`; if your Studio version
// names it differently, change this one line.
if (typeof event !== "undefined") cartfulMetaLead(event);
