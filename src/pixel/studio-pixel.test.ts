import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import { parseConfig } from "../config/settings";
import { transformWebhook } from "../transform/transformWebhook";

const snippet = readFileSync(new URL("./studio-pixel.js", import.meta.url), "utf8");
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8"));
const NOW = Date.parse("2026-11-25T19:00:00Z");

/** Runs the snippet as Studio would: `event` is the trigger payload, `fbq` the Pixel. */
function runSnippet(event: unknown, extra = "") {
  const fbq = vi.fn();
  runInNewContext(snippet + extra, { event, fbq });
  return fbq;
}

function relayEvent(payload: unknown, env: Record<string, string> = {}) {
  // The snippet's own defaults until it is rewritten: product ids as products, the total as value.
  const config = parseConfig({ META_CONTENT_TYPE: "product", META_EVENT_VALUE: "recommendations", ...env });
  const result = transformWebhook(payload, config, config.destinations, NOW);
  const first = result.outcome === "routed" ? result.results[0] : undefined;
  if (first?.outcome !== "event") throw new Error(`fixture did not map: ${result.outcome}`);
  return first.event;
}

describe("the Studio Pixel snippet", () => {
  for (const name of ["canonical", "minimal", "international", "messy"]) {
    it(`computes the relay's event_id and custom_data for fixtures/${name}.json`, () => {
      const payload = fixture(name);
      const fbq = runSnippet(payload);
      const server = relayEvent(payload);
      expect(fbq).toHaveBeenCalledTimes(1);
      const [command, eventName, params, options] = fbq.mock.calls[0] ?? [];
      expect(command).toBe("track");
      expect(eventName).toBe(server.event_name);
      expect(options).toEqual({ eventID: server.event_id });
      expect(params).toEqual(server.custom_data ?? {});
    });
  }

  it("reads odd quantities and prices as the relay does", () => {
    const payload = fixture("canonical") as { recommendations: unknown[] };
    payload.recommendations = [
      { product_id: "a", price: "10", quantity: 0.5 },
      { product_id: "b", price: 1e308, quantity: "2" },
      { product_id: "c", price: 5, quantity: 1e300 },
      { product_id: "d", price: -3, quantity: -1 },
    ];
    const [, , params] = runSnippet(payload).mock.calls[0] ?? [];
    expect(params).toEqual(relayEvent(payload).custom_data);
  });

  it("gives a retake a new id, as the relay does", () => {
    const payload = fixture("canonical") as { session: { attempt: number } };
    const first = runSnippet(payload).mock.calls[0]?.[3];
    payload.session.attempt += 1;
    const retake = runSnippet(payload).mock.calls[0]?.[3];
    expect(retake).not.toEqual(first);
    expect(retake).toEqual({ eventID: relayEvent(payload).event_id });
  });

  it("follows the relay's settings when given the same options", () => {
    const payload = fixture("canonical");
    const fbq = vi.fn();
    runInNewContext(
      `${snippet}\ncartfulMetaLead(event2, { eventName: "QuizLead", contentId: "variant_id", contentType: "product_group", value: "none" });`,
      { event: undefined, event2: payload, fbq },
    );
    const server = relayEvent(payload, {
      META_EVENT_NAME: "QuizLead",
      META_CONTENT_ID: "variant_id",
      META_CONTENT_TYPE: "product_group",
      META_EVENT_VALUE: "none",
    });
    expect(fbq.mock.calls[0]).toEqual(["track", "QuizLead", server.custom_data, { eventID: server.event_id }]);
  });

  it("sends no personal data from the browser", () => {
    const fbq = runSnippet(fixture("canonical"));
    const sent = JSON.stringify(fbq.mock.calls);
    for (const personal of ["Jane", "Doe", "Example.COM", "415", "94103", "1990", "203.0.113.7"]) {
      expect(sent).not.toContain(personal);
    }
  });

  it("does nothing without a trigger event and without a Pixel", () => {
    expect(() => runInNewContext(snippet, {})).not.toThrow();
    expect(() => runInNewContext(snippet, { event: fixture("minimal") })).not.toThrow();
  });
});
