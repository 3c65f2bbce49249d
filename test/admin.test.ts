/**
 * The JSON admin routes inside workerd, with the real dead-letter store: an id a sender chose,
 * with direction-changing and invisible characters in it, is answered escaped (so one key cannot
 * be made to look like another in a terminal), and the key read from the parsed answer still
 * finds, and discards, its letter.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deadLetterStoreOf } from "../src/delivery/instances";
import { createApp } from "../src/http/app";
import { queuedEvent } from "./queueFixtures";

const ADMIN_SECRET = "workerd-admin-routes-secret";
const bearer = { authorization: `Bearer ${ADMIN_SECRET}`, "cf-connecting-ip": "203.0.113.90" };

describe("the dead-letter routes in workerd", () => {
  it("answers a key with bidi and zero-width characters escaped, and finds the letter by the parsed key", async () => {
    const app = createApp({ log: () => {} });
    const bindings = { ...env, ADMIN_SECRET };
    const id = "cartful.ses_\u202E1.1\u200B";
    const now = Date.now();
    await deadLetterStoreOf(env)!.put([
      {
        v: 1,
        kind: "dead_letter",
        key: id,
        message: queuedEvent({ id, eventTime: Math.floor(now / 1000) - 60 }),
        reason: "rejected",
        detail: "Invalid parameter",
        attempts: 1,
        deadLetteredAt: now,
      },
    ]);

    const list = await app.request("/admin/dead-letters", { headers: bearer }, bindings);
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toMatch(/[\u202E\u200B]/);
    expect(text).toContain("\\u202e");
    const keys = (JSON.parse(text) as { deadLetters: { key: string }[] }).deadLetters.map((l) => l.key);
    expect(keys).toContain(id);

    const one = await app.request(`/admin/dead-letters/${encodeURIComponent(id)}`, { headers: bearer }, bindings);
    expect(one.status).toBe(200);
    expect(await one.text()).not.toMatch(/[\u202E\u200B]/);
    const gone = await app.request(
      `/admin/dead-letters/${encodeURIComponent(id)}`,
      { method: "DELETE", headers: bearer },
      bindings,
    );
    expect(await gone.json()).toEqual({ deleted: 1 });
  });
});
