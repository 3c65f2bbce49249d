/**
 * Dead letters inside workerd: the DLQ consumer stores them in the DeadLetterStore Durable
 * Object, and the operator's /admin routes (mounted by the app) inspect and re-drive them.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/http/app";
import { DEAD_LETTER_RETENTION_MS, DeadLetterStore } from "../src/delivery/deadLetterStore";
import { type DeadLetter, type DeadLetterReason, DEAD_LETTER_QUEUE_NAME } from "../src/delivery/messages";
import { handleQueueBatch } from "../src/delivery/consumer";
import { DEAD_LETTER_STORE_NAME } from "../src/delivery/deadLetters";
import { EM, IP, queuedEvent } from "./queueFixtures";

const ADMIN_SECRET = "admin-secret-for-tests";
const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);
const admin = { ...env, ADMIN_SECRET };
const app = createApp({ log: () => {} });
let sequence = 0;

function letter(id: string, reason: DeadLetterReason, eventTime = NOW_S - 3600): DeadLetter {
  return {
    v: 1,
    kind: "dead_letter",
    key: id,
    message: queuedEvent({ id, eventTime }),
    reason,
    detail: reason === "rejected" ? "The event has an invalid parameter." : reason,
    ...(reason === "rejected" ? { status: 400, code: 100, fbtraceId: "TRACE-BAD" } : {}),
    attempts: 1,
    deadLetteredAt: NOW,
  };
}

/** Runs the DLQ consumer on these bodies, as Cloudflare would deliver them. */
async function deadLetter(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    DEAD_LETTER_QUEUE_NAME,
    bodies.map((body) => ({ id: `dlq-${++sequence}`, timestamp: new Date(NOW), attempts, body })),
  );
  const ctx = createExecutionContext();
  await handleQueueBatch(batch, env, ctx, { log: () => {} });
  return getQueueResult(batch, ctx);
}

function call(path: string, init: RequestInit = {}, bindings: Record<string, unknown> = admin) {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${ADMIN_SECRET}`);
  return app.request(`/admin${path}`, { ...init, headers }, bindings);
}

const replay = (body: unknown) =>
  call("/dead-letters/replay", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function listed(query = "") {
  const res = await call(`/dead-letters${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { deadLetters: (Record<string, unknown> & { key: string })[]; cursor?: string };
}

afterEach(() => vi.restoreAllMocks());

describe("the dead-letter queue's consumer", () => {
  it("stores our letters, Cloudflare's bare moves and malformed bodies, then acks them", async () => {
    const result = await deadLetter(
      [letter("dl-a", "rejected"), queuedEvent({ id: "dl-b", eventTime: NOW_S - 3600 }), { nonsense: true }],
      21,
    );
    expect(result.outcome).toBe("ok");
    expect(result.ackAll || result.explicitAcks.length === 3).toBe(true);
    const keys = (await listed("?limit=1000")).deadLetters.map((l) => [l.key, l.reason]);
    expect(keys).toEqual(
      expect.arrayContaining([
        ["dl-a", "rejected"],
        ["dl-b", "handler_failure"],
        [expect.stringMatching(/^message:dlq-\d+$/), "malformed"],
      ]),
    );
  });

  it("counts a letter dead-lettered again, keeps when it was first, and puts it back in the waiting list", async () => {
    await deadLetter([{ ...letter("dl-twice", "retries_exhausted"), deadLetteredAt: NOW - 3_600_000 }]);
    await replay({ keys: ["dl-twice"] });
    await deadLetter([letter("dl-twice", "rejected")]);
    const res = await call("/dead-letters/dl-twice");
    const again = { key: "dl-twice", reason: "rejected", times: 2, deadLetteredAt: NOW };
    expect(await res.json()).toMatchObject({ ...again, firstDeadLetteredAt: NOW - 3_600_000 });
    expect((await listed("?limit=1000")).deadLetters.find((l) => l.key === "dl-twice")).toMatchObject({
      ...again,
      firstDeadLetteredAt: NOW - 3_600_000,
    });
  });

  it("adds the first time to a store made before it was kept (schema step 3), reading its rows' latest time", async () => {
    const stub = env.DEAD_LETTERS!.get(env.DEAD_LETTERS!.idFromName(`${DEAD_LETTER_STORE_NAME}-migration-test`));
    const old = { ...letter("mig-old", "rejected"), deadLetteredAt: NOW - 7_200_000 };
    const after = await runInDurableObject(stub, async (_instance, state) => {
      // The store as version 2 left it: no first_dead_lettered_at, one letter refused twice.
      const sql = state.storage.sql;
      sql.exec("ALTER TABLE dead_letters DROP COLUMN first_dead_lettered_at");
      sql.exec("UPDATE schema_version SET version = 2");
      sql.exec(
        "INSERT INTO dead_letters (key, reason, destination, dead_lettered_at, times, body) VALUES (?, ?, ?, ?, 2, ?)",
        old.key,
        old.reason,
        "default",
        old.deadLetteredAt,
        JSON.stringify(old),
      );
      const upgraded = new DeadLetterStore(state, {});
      const version = sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version;
      const [before] = await upgraded.get(["mig-old"]);
      await upgraded.put([{ ...old, deadLetteredAt: NOW }]);
      const [refusedAgain] = await upgraded.get(["mig-old"]);
      return { version, before, refusedAgain };
    });
    expect(after.version).toBe(3);
    expect(after.before).toMatchObject({ times: 2, firstDeadLetteredAt: NOW - 7_200_000 });
    expect(after.refusedAgain).toMatchObject({ times: 3, deadLetteredAt: NOW, firstDeadLetteredAt: NOW - 7_200_000 });
  });
});

describe("/admin/dead-letters", () => {
  it("lists waiting letters with reason, Meta's code and trace id, replayability, and no user data values", async () => {
    await deadLetter([letter("in-1", "rejected"), letter("in-old", "stale", NOW_S - 8 * 86_400)]);
    const res = await call("/dead-letters?limit=1000");
    const text = await res.text();
    const { deadLetters } = JSON.parse(text) as Awaited<ReturnType<typeof listed>>;
    expect(deadLetters.find((l) => l.key === "in-1")).toMatchObject({
      reason: "rejected",
      code: 100,
      fbtraceId: "TRACE-BAD",
      eventId: "in-1",
      replayable: true,
      event: { event_id: "in-1", user_data: ["client_ip_address", "client_user_agent", "em"] },
    });
    expect(deadLetters.find((l) => l.key === "in-old")).toMatchObject({ reason: "stale", replayable: false });
    expect(text).not.toContain(IP);
    expect(text).not.toContain(EM);
  });

  it("filters by reason and pages with a cursor", async () => {
    await deadLetter(["pg-1", "pg-2", "pg-3"].map((id) => letter(id, "configuration")));
    const first = await listed("?reason=configuration&limit=2");
    expect(first.deadLetters.every((l) => l.reason === "configuration")).toBe(true);
    expect(first.deadLetters).toHaveLength(2);
    expect(first.cursor).toBeDefined();
    const rest = await listed(`?reason=configuration&limit=1000&cursor=${first.cursor}`);
    const all = [...first.deadLetters, ...rest.deadLetters].map((l) => l.key);
    expect(all).toEqual(expect.arrayContaining(["pg-1", "pg-2", "pg-3"]));
    expect(new Set(all).size).toBe(all.length);
    expect((await call("/dead-letters?reason=bogus")).status).toBe(400);
  });

  it("shows one letter, and 404 for an unknown key", async () => {
    await deadLetter([letter("one-1", "rejected")]);
    expect(await (await call("/dead-letters/one-1")).json()).toMatchObject({
      key: "one-1",
      detail: "The event has an invalid parameter.",
    });
    expect((await call("/dead-letters/nope")).status).toBe(404);
  });

  it("re-drives chosen letters with their original event_id and event_time, refusing what Meta would refuse", async () => {
    const sendBatch = vi.spyOn(env.CAPI_QUEUE!, "sendBatch");
    await deadLetter([
      letter("rd-ok", "configuration"),
      letter("rd-old", "retries_exhausted", NOW_S - 7 * 86_400 + 60),
    ]);
    const res = await replay({ keys: ["rd-ok", "rd-old", "rd-missing"] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      dryRun: false,
      replayed: ["rd-ok"],
      refused: [{ key: "rd-old", reason: "stale" }],
      notFound: ["rd-missing"],
    });
    const sent = [...sendBatch.mock.calls[0]![0]].map((m) => m.body);
    expect(sent).toEqual([{ ...queuedEvent({ id: "rd-ok", eventTime: NOW_S - 3600 }), replays: 1 }]);
    // Re-driven letters leave the waiting list but stay visible with all=1.
    expect((await listed("?limit=1000")).deadLetters.some((l) => l.key === "rd-ok")).toBe(false);
    expect((await listed("?limit=1000&all=1")).deadLetters.find((l) => l.key === "rd-ok")).toMatchObject({
      replayedAt: expect.any(Number),
    });
  });

  it("a re-driven event goes through the consumer to Meta with its original event_id and event_time", async () => {
    const sendBatch = vi.spyOn(env.CAPI_QUEUE!, "sendBatch");
    const original = letter("e2e-1", "configuration");
    await deadLetter([original]);
    await replay({ keys: ["e2e-1"] });
    const requeued = [...sendBatch.mock.calls[0]![0]].map((m, i) => ({
      id: `re-${i}`,
      timestamp: new Date(),
      attempts: 1,
      body: m.body,
    }));
    const batch = createMessageBatch("cartful-capi-events", requeued);
    const graphBodies: { data: { event_id: string; event_time: number }[] }[] = [];
    const fetch = (async (_: RequestInfo | URL, init?: RequestInit) => {
      graphBodies.push(JSON.parse(String(init?.body)));
      return Response.json({ events_received: 1, fbtrace_id: "TRACE-REPLAY" });
    }) as typeof globalThis.fetch;
    const ctx = createExecutionContext();
    const lines: string[] = [];
    const live = {
      ...env,
      META_ACCESS_TOKEN: "EAAB-replay",
      META_PIXEL_ID: "111",
      META_GRAPH_URL: "https://graph.test",
    };
    await handleQueueBatch(batch, live, ctx, { fetch, log: (l) => lines.push(l) });
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["re-0"]);
    expect(graphBodies.map((b) => b.data.map((e) => [e.event_id, e.event_time]))).toEqual([
      [["e2e-1", original.message!.event.event_time]],
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      outcome: "sent",
      event_id: "e2e-1",
      replays: 1,
      fbtrace_id: "TRACE-REPLAY",
    });
  });

  it("re-drives every waiting letter of a reason; a dry run sends nothing", async () => {
    const sendBatch = vi.spyOn(env.CAPI_QUEUE!, "sendBatch");
    await deadLetter([letter("rs-1", "handler_failure"), letter("rs-2", "handler_failure")]);
    const dry = (await (await replay({ reason: "handler_failure", dryRun: true })).json()) as { replayed: string[] };
    expect(dry.replayed).toEqual(expect.arrayContaining(["rs-1", "rs-2"]));
    expect(sendBatch).not.toHaveBeenCalled();
    const real = (await (await replay({ reason: "handler_failure" })).json()) as { replayed: string[] };
    expect(real.replayed).toEqual(expect.arrayContaining(["rs-1", "rs-2"]));
    expect(sendBatch).toHaveBeenCalledTimes(1);
  });

  it("refuses malformed replay requests", async () => {
    for (const body of [
      {},
      { keys: [] },
      { keys: "x" },
      { reason: "nope" },
      { keys: ["a"], reason: "stale" },
      { keys: ["a"], dryRun: "yes" },
    ]) {
      expect((await replay(body)).status).toBe(400);
    }
    const res = await call("/dead-letters/replay", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_json" } });
  });

  it("deletes a letter", async () => {
    await deadLetter([letter("del-1", "rejected")]);
    expect(await (await call("/dead-letters/del-1", { method: "DELETE" })).json()).toEqual({ deleted: 1 });
    expect((await call("/dead-letters/del-1", { method: "DELETE" })).status).toBe(404);
  });

  it("answers 401 without the admin bearer, also to the webhook secret", async () => {
    for (const authorization of ["", "Bearer wrong", `Bearer ${String(env.WEBHOOK_SECRET)}`, ADMIN_SECRET]) {
      const res = await app.request("/admin/dead-letters", { headers: authorization ? { authorization } : {} }, admin);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
  });

  it("answers 503 when no ADMIN_SECRET is set", async () => {
    const res = await call("/dead-letters", {}, { ...env });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "admin_disabled" } });
  });
});

describe("DeadLetterStore retention", () => {
  it("its alarm deletes letters dead-lettered more than 14 days ago", async () => {
    const stub = env.DEAD_LETTERS!.get(env.DEAD_LETTERS!.idFromName(`${DEAD_LETTER_STORE_NAME}-retention-test`));
    await stub.put([
      { ...letter("ret-old", "rejected"), deadLetteredAt: Date.now() - DEAD_LETTER_RETENTION_MS - 1 },
      letter("ret-new", "rejected"),
    ]);
    const left = await runInDurableObject(stub, async (instance) => {
      await instance.alarm();
      return (await instance.list({ limit: 10, includeReplayed: true })).letters.map((l) => l.key);
    });
    expect(left).toEqual(["ret-new"]);
  });
});

describe("replay of more letters than one SQL statement can name", () => {
  it("re-drives 250 letters by key and by reason, and marks every one replayed", async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `bulk-${i}`);
    for (let start = 0; start < ids.length; start += 100) {
      await deadLetter(ids.slice(start, start + 100).map((id) => letter(id, "retries_exhausted")));
    }
    const send = vi.spyOn(env.CAPI_QUEUE!, "sendBatch");
    const byKey = await replay({ keys: ids.slice(0, 150) });
    expect(byKey.status).toBe(200);
    expect(((await byKey.json()) as { replayed: string[] }).replayed).toHaveLength(150);
    const byReason = await replay({ reason: "retries_exhausted" });
    expect(byReason.status).toBe(200);
    const rest = ((await byReason.json()) as { replayed: string[] }).replayed.filter((k) => k.startsWith("bulk-"));
    expect(rest).toHaveLength(100);
    expect(send.mock.calls.reduce((n, [batch]) => n + [...batch].length, 0)).toBeGreaterThanOrEqual(250);
    const waiting = (await listed("?limit=1000")).deadLetters.filter((l) => l.key.startsWith("bulk-"));
    expect(waiting).toEqual([]);
    const removed = await call("/dead-letters/bulk-0", { method: "DELETE" });
    expect(removed.status).toBe(200);
  });
});
