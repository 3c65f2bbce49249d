/**
 * Configuration read inside workerd, through the real routes: a destination whose name is a key of
 * `Object.prototype` is refused when the configuration is read, so the relay answers
 * "misconfigured" (naming the destination and the key) instead of breaking. A destination named
 * `__proto__` once made every route answer 500 after the first metrics read; `constructor` broke
 * the console.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/http/app";
import { fixtures, jsonRequest, liveEnv } from "./helpers";

const ADMIN_SECRET = "admin-secret-for-configuration";
const admin = { authorization: `Bearer ${ADMIN_SECRET}` };

/** The Worker's bindings with a live token and one hostile destination name. */
function bindingsNamed(name: string): Record<string, unknown> {
  return {
    ...env,
    ...liveEnv,
    ADMIN_SECRET,
    DESTINATIONS: JSON.stringify([
      { name: "eu", pixel_id: "111", access_token_secret: "META_ACCESS_TOKEN" },
      { name, pixel_id: "222", access_token_secret: "META_ACCESS_TOKEN" },
    ]),
  };
}

function app() {
  return createApp({ log: () => {}, sleep: async () => {}, random: () => 0.5 });
}

/** Every route a client can reach, each with its status (none may be 500). */
async function everyRoute(relay: ReturnType<typeof app>, bindings: Record<string, unknown>) {
  const requests: Array<[string, RequestInit]> = [
    ["/healthz", {}],
    ["/webhooks/cartful", jsonRequest(fixtures.canonical)],
    ["/webhooks/cartful", { method: "POST", body: "{}" }],
    ["/webhooks/cartful/preview", jsonRequest(fixtures.canonical)],
    ["/webhooks/cartful/eu", jsonRequest(fixtures.canonical)],
    ["/admin", { headers: admin }],
    ["/admin", {}],
    ["/admin/metrics?window=24h", { headers: admin }],
    ["/no-such-route", {}],
  ];
  const answers: Array<[string, number]> = [];
  for (const [path, init] of requests) {
    const res = await relay.request(path, init, bindings);
    await res.arrayBuffer();
    answers.push([`${init.method ?? "GET"} ${path}`, res.status]);
  }
  return answers;
}

describe("a destination named after an Object.prototype key", () => {
  for (const name of ["__proto__", "constructor"]) {
    it(`refuses ${name} when the configuration is read, and every route keeps answering`, async () => {
      const relay = app();
      const bindings = bindingsNamed(name);

      const webhook = await relay.request("/webhooks/cartful", jsonRequest(fixtures.canonical), bindings);
      expect(webhook.status).toBe(503);
      const answer = (await webhook.json()) as { error: { code: string; message: string } };
      expect(answer.error.code).toBe("relay_misconfigured");
      expect(answer.error.message).toContain(`DESTINATIONS "${name}": name`);
      expect(answer.error.message).not.toContain("EAAB");

      const health = await relay.request("/healthz", {}, bindings);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ mode: "misconfigured" });

      const metrics = await relay.request("/admin/metrics?window=24h", { headers: admin }, bindings);
      expect(metrics.status).toBeLessThan(500);
      await metrics.arrayBuffer();

      // After the metrics read (what once poisoned every later request), and a second time round.
      for (let round = 0; round < 2; round++) {
        for (const [route, status] of await everyRoute(relay, bindings)) {
          expect(status, route).not.toBe(500);
        }
      }
      // And a well-configured relay in the same isolate is untouched.
      const healthy = await relay.request("/healthz", {}, { ...env, ...liveEnv });
      expect(await healthy.json()).toMatchObject({ mode: "live" });
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
      expect(Object.keys(Object.prototype)).toEqual([]);
    });
  }
});
