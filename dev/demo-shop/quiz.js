/*
 * The demo shop's quiz (dev/demo-shop, served at /quiz.js): a short skin-care quiz a person clicks
 * through, which hands each Studio event to the real snippet (/studio-pixel.js, the repository's
 * src/pixel/studio-pixel.js as it is) the way a Studio *Custom JavaScript Integration* would:
 *   quiz:start, step:enter (two steps), email:submit (the Pixel's Lead; the shop's server then
 *   posts the webhook to the relay, as Studio's backend does), quiz:complete,
 *   recommendations:loaded, product:view, product:addToCart.
 * With `collect` set the snippet fires the Pixel (the fake Meta's stand-in fbq, unless blocked)
 * and sends the same event, with the same event_id, to the relay's /collect/cartful.
 *
 * Its settings, quiz and products come from the page (<script type="application/json"
 * id="demo-config">, written from catalog.ts, the list the webhook uses too). What
 * happened is listed on the page, and kept in `window.demoLog` (one entry per event: type,
 * snippet result, and for the lead the relay's answer to the webhook) for a look or a test.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("demo-config").textContent);
  var PRODUCTS = config.products;
  var QUIZ = config.quiz;

  function randomHex(length) {
    var bytes = new Uint8Array(Math.ceil(length / 2));
    crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return hex.slice(0, length);
  }

  // One quiz session per page load; "Play again" reloads the page.
  var session = { id: "ses_demo_" + randomHex(10), attempt: 1 };
  var customerId = "demo:" + randomHex(8);
  var options = { pixels: [{ id: config.pixel }], collect: config.collect };
  var log = (window.demoLog = []);

  // What Meta's Pixel base code does on a shop's pages: initialise the pixel. Blocked, fbq is missing.
  if (typeof window.fbq === "function") window.fbq("init", config.pixel);

  function payload(type, extra) {
    var event = {
      type: type,
      id: "evt_demo_" + randomHex(16),
      occurred_at: new Date().toISOString(),
      quiz: QUIZ,
      session: session,
      store: { domain: location.hostname, currency: "USD" },
      shopper: { customer_id: customerId, marketing_consent: true },
      context: { consent: { ad_user_data: "granted", ad_storage: "granted" } },
    };
    for (var key in extra) if (Object.prototype.hasOwnProperty.call(extra, key)) event[key] = extra[key];
    return event;
  }

  function describe(entry) {
    var result = entry.result;
    var parts;
    if (result.fired) {
      parts = [
        result.events.length
          ? "Pixel: " + result.events[0].eventName + " (" + result.events[0].command + ")"
          : "Pixel: blocked, fbq is missing",
        result.collected ? "relay: sent to /collect/cartful" : "relay: by the webhook",
      ];
    } else if (result.reason === "no_fbq") {
      parts = ["Pixel: blocked, fbq is missing", "relay: by the webhook"];
    } else if (result.reason === "no_event_name") {
      parts = [
        "not sent: not among the default browser_events (map its type in the snippet's eventName " +
          "and in the destination's browser_events to send it)",
      ];
    } else {
      parts = ["not sent: " + result.reason];
    }
    if (entry.webhook) {
      parts.push(
        "webhook: HTTP " +
          entry.webhook.status +
          " " +
          (entry.webhook.answer.status || entry.webhook.answer.error || ""),
      );
    }
    return parts.join(" · ");
  }

  function show(entry) {
    var item = document.createElement("li");
    // A blocked Pixel gives the lead no eventID: the relay's answer to the webhook names it.
    var eventId = entry.result.eventID || (entry.webhook && entry.webhook.answer.event_id) || "";
    item.dataset.type = entry.type;
    if (eventId) item.dataset.eventId = eventId;
    var name = document.createElement("strong");
    name.textContent = entry.type;
    var id = document.createElement("code");
    id.textContent = eventId;
    item.append(name, " ", id, " — ", describe(entry));
    document.getElementById("log").append(item);
  }

  /** Hands one Studio event to the snippet, sends what waits at once, and lists the outcome. */
  function studioEvent(type, extra) {
    return cartfulMetaPixel(payload(type, extra), options).then(function (result) {
      var entry = { type: type, result: result };
      return cartfulMetaPixel.flush().then(function () {
        return entry;
      });
    });
  }

  function record(entry) {
    log.push(entry);
    show(entry);
    return entry;
  }

  /** A failure shows on the page (and in the console), so a broken step is never silent. */
  function fail(error) {
    var item = document.createElement("li");
    item.className = "failed";
    item.textContent = "failed: " + (error && error.message ? error.message : String(error));
    document.getElementById("log").append(item);
    console.error(error);
  }

  function step(id) {
    return studioEvent("step:enter", { step: { id: id } }).then(record);
  }

  function showOnly(id) {
    var sections = document.querySelectorAll("section.stage");
    for (var i = 0; i < sections.length; i++) sections[i].hidden = sections[i].id !== id;
  }

  function on(selector, handler) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) nodes[i].addEventListener("click", handler);
  }

  /** The shop's server posts the webhook to the relay, as Studio's backend would (the secret stays there). */
  function postLead(email) {
    return fetch("/studio/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: session, customer_id: customerId, email: email, page_url: location.href }),
    }).then(function (response) {
      return response.json().then(function (answer) {
        // The relay's own status (202 when queued), else the shop server's (e.g. 502: no relay).
        return { status: answer.relay_status || response.status, answer: answer };
      });
    });
  }

  on("#start-quiz", function () {
    studioEvent("quiz:start", {})
      .then(record)
      .then(function () {
        showOnly("step-skin-type");
        return step("skin-type");
      })
      .catch(fail);
  });
  on("#step-skin-type button", function () {
    showOnly("step-concern");
    step("concern").catch(fail);
  });
  on("#step-concern button", function () {
    showOnly("email");
  });
  document.getElementById("email-form").addEventListener("submit", function (submit) {
    submit.preventDefault();
    var email = document.getElementById("email-input").value;
    showOnly("results");
    var recommendations = PRODUCTS.map(function (product) {
      return {
        product_id: product.product_id,
        variant_id: product.variant_id,
        sku: product.sku,
        price: product.price,
        quantity: 1,
      };
    });
    Promise.all([studioEvent("email:submit", { recommendations: recommendations }), postLead(email)])
      .then(function (both) {
        both[0].webhook = both[1];
        record(both[0]);
        return studioEvent("quiz:complete", { recommendations: recommendations });
      })
      .then(record)
      .then(function () {
        return studioEvent("recommendations:loaded", { recommendations: recommendations });
      })
      .then(record)
      .then(function () {
        document.getElementById("products").hidden = false;
      })
      .catch(fail);
  });
  on("#products button", function (click) {
    var button = click.currentTarget;
    var product = PRODUCTS[Number(button.dataset.product)];
    var line = {
      product_id: product.product_id,
      variant_id: product.variant_id,
      sku: product.sku,
      price: product.price,
      quantity: 1,
    };
    studioEvent(button.dataset.type, { product: line }).then(record).catch(fail);
  });
})();
