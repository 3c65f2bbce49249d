// The operator console's buttons: see src/http/console/script.ts for what they do. The page
// itself is rendered by page.js (src/console); the click listener is on the document, so it
// acts on whatever page.js puts in.
"use strict";
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") || "" : "";
  function say(element, text, bad) {
    if (!element) return;
    element.textContent = text;
    element.classList.toggle("bad", Boolean(bad));
  }
  async function call(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { "x-csrf-token": csrf } };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      return { ok: false, status: 0, data: null };
    }
    var data = null;
    try {
      data = await response.json();
    } catch (error) {}
    return { ok: response.ok, status: response.status, data: data };
  }
  function why(result) {
    if (result.status === 0) return "the relay could not be reached.";
    if (result.status === 401) return "your session has ended: reload the page to log in again.";
    var error = result.data && result.data.error;
    if (!error) return "HTTP " + result.status + ".";
    var meta =
      error.meta_code !== undefined
        ? " (Meta code " + error.meta_code + (error.fbtrace_id ? ", fbtrace_id " + error.fbtrace_id : "") + ")"
        : "";
    return (error.message || error.code) + meta;
  }
  function letterOf(button) {
    var card = button.closest("[data-dead-letter]");
    return { card: card, out: card ? card.querySelector("[data-letter-result]") : null };
  }
  function settle(card) {
    if (!card) return;
    card.classList.add("done");
    card.querySelectorAll("button").forEach(function (b) {
      b.remove();
    });
  }
  async function redrive(button) {
    var key = button.dataset.key;
    var label = button.dataset.label || key;
    var letter = letterOf(button);
    button.disabled = true;
    say(letter.out, "Re-driving…");
    var result = await call("POST", "/admin/dead-letters/replay", { keys: [key] });
    if (!result.ok) {
      button.disabled = false;
      return say(letter.out, "Not re-driven: " + why(result), true);
    }
    var report = result.data || {};
    var refused = (report.refused || []).filter(function (r) {
      return r.key === key;
    })[0];
    if ((report.replayed || []).indexOf(key) >= 0) {
      settle(letter.card);
      return say(letter.out, "Re-driven " + label + ": it is back on the queue to Meta.");
    }
    button.disabled = false;
    say(
      letter.out,
      refused
        ? "Not re-driven " + label + ": " + refused.reason.replace(/_/g, " ") + "."
        : label + " is no longer among the dead letters.",
      Boolean(refused),
    );
  }
  async function discard(button) {
    var key = button.dataset.key;
    var label = button.dataset.label || key;
    var letter = letterOf(button);
    if (!window.confirm("Discard the dead letter " + label + "? It cannot be re-driven afterwards.")) return;
    button.disabled = true;
    var result = await call("DELETE", "/admin/dead-letters/" + encodeURIComponent(key));
    if (result.ok || result.status === 404) {
      settle(letter.card);
      return say(letter.out, result.ok ? "Discarded " + label + "." : label + " was already gone.");
    }
    button.disabled = false;
    say(letter.out, "Not discarded: " + why(result), true);
  }
  async function probe(button) {
    var name = button.dataset.destination;
    var out = document.querySelector('[data-probe-result="' + CSS.escape(name) + '"]');
    button.disabled = true;
    say(out, "Trying one waiting lead with Meta…");
    var result = await call("POST", "/admin/destinations/" + encodeURIComponent(name) + "/probe");
    button.disabled = false;
    if (!result.ok) return say(out, "Not tried: " + why(result), true);
    var data = result.data || {};
    say(out, data.message || "Tried.", data.status === "paused");
    if (data.status === "recovered")
      setTimeout(function () {
        location.reload();
      }, 2500);
  }
  async function testEvent(button) {
    var name = button.dataset.destination;
    var input = document.getElementById(button.dataset.input);
    var out = document.querySelector('[data-result="' + CSS.escape(name) + '"]');
    var code = input ? input.value.trim() : "";
    if (!code) {
      say(
        out,
        "Enter the test event code from Events Manager → Test events first: without one the event would count as a real lead.",
        true,
      );
      if (input) input.focus();
      return;
    }
    button.disabled = true;
    say(out, "Sending…");
    var result = await call("POST", "/admin/destinations/" + encodeURIComponent(name) + "/test-event", {
      test_event_code: code,
    });
    button.disabled = false;
    if (!result.ok) return say(out, "Not sent: " + why(result), true);
    say(
      out,
      "Sent with " +
        code +
        ": event_id " +
        result.data.event_id +
        ", fbtrace_id " +
        (result.data.fbtrace_id || "none") +
        ". Look for it in Events Manager → Test events.",
    );
  }
  var actions = { redrive: redrive, discard: discard, probe: probe, "test-event": testEvent };
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
    if (!button || button.disabled) return;
    var action = actions[button.dataset.action];
    if (action) action(button);
  });
})();
