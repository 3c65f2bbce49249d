/// <reference types="node" />
/**
 * ./dataAssets: the data tables read from the assets binding once per isolate, and the webhook's
 * answer when they cannot be. The route tests import the app afresh (`vi.resetModules`), so its
 * isolate has no tables yet (the unit project's setup installed them in the first import only).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DataTables } from "../transform/dataTables";
import { DATA_RETRY_AFTER_SECONDS, dataTablesLoader, DataTablesUnavailable, MAX_DATA_TABLE_BYTES } from "./dataAssets";

const FILES: Record<string, string> = {
  "/data/phone-metadata.json": readFileSync(new URL("../../public/data/phone-metadata.json", import.meta.url), "utf8"),
  "/data/country-names.json": readFileSync(new URL("../../public/data/country-names.json", import.meta.url), "utf8"),
};

/** A stand-in for the ASSETS binding: serves public/data/ (or what `answer` gives), and counts the reads. */
function fakeAssets(
  answer: (path: string) => Response = (path) =>
    new Response(FILES[path] ?? null, { status: path in FILES ? 200 : 404 }),
) {
  const paths: string[] = [];
  return {
    paths,
    fetch: async (input: RequestInfo | URL) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      paths.push(path);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a read takes a while: callers overlap
      return answer(path);
    },
  };
}

const oversized = () => new Response(new Uint8Array(MAX_DATA_TABLE_BYTES + 1));

describe("dataTablesLoader", () => {
  it("reads each file once for concurrent first callers, and never again after", async () => {
    const installed: DataTables[] = [];
    const load = dataTablesLoader((tables) => void installed.push(tables));
    const assets = fakeAssets();
    await Promise.all([load(assets), load(assets), load(assets)]);
    await load(assets);
    expect(assets.paths.sort()).toEqual(["/data/country-names.json", "/data/phone-metadata.json"]);
    expect(installed).toHaveLength(1);
    expect(installed[0]!.phoneMetadata.countries.US).toBeDefined();
    expect(installed[0]!.countryNames.table.some((line) => line.startsWith("de deu"))).toBe(true);
  });

  it("forgets a failed read: the next call reads again", async () => {
    let fail = true;
    const assets = fakeAssets((path) => (fail ? new Response("gone", { status: 500 }) : new Response(FILES[path]!)));
    const load = dataTablesLoader(() => {});
    await expect(load(assets)).rejects.toThrow(/status 500/);
    fail = false;
    await expect(load(assets)).resolves.toBeUndefined();
    expect(assets.paths).toHaveLength(4);
  });

  it.each([
    ["a file that is missing", () => new Response("Not Found", { status: 404 }), /status 404/],
    ["a file over the cap", oversized, /over 524288 bytes/],
    ["a file that is no table", () => Response.json({ version: 3 }), /unreadable/],
    ["no binding", undefined, /no ASSETS binding/],
  ])("refuses %s", async (_case, answer, reason) => {
    const load = dataTablesLoader(() => {});
    const failure = load(answer === undefined ? undefined : fakeAssets(answer));
    await expect(failure).rejects.toBeInstanceOf(DataTablesUnavailable);
    await expect(failure).rejects.toThrow(reason);
  });
});

describe("the webhook at an isolate's first use", () => {
  afterEach(() => vi.resetModules());

  /** The app and the test helpers from a fresh module graph: no tables installed yet. */
  async function freshRelay() {
    vi.resetModules();
    return import("../../test/helpers");
  }

  it("loads the tables once for concurrent first webhooks and reads phone and country with them", async () => {
    const { fixtures, jsonRequest, liveEnv, relay, copy } = await freshRelay();
    const r = relay();
    const assets = fakeAssets();
    const env = { ...liveEnv, ASSETS: assets };
    const webhook = (id: string) => {
      const lead = copy(fixtures.canonical) as { id: string; shopper: Record<string, unknown> };
      lead.id = id;
      lead.shopper.phone = "(650) 555-1212";
      lead.shopper.country = "Deutschland";
      return lead;
    };
    const answers = await Promise.all([
      r.app.request("/webhooks/cartful", jsonRequest(webhook("evt_1")), env),
      r.app.request("/webhooks/cartful", jsonRequest(webhook("evt_2")), env),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(assets.paths.sort()).toEqual(["/data/country-names.json", "/data/phone-metadata.json"]);
    const sent = r.graph.calls.map((call) => Object.keys(call.body.data[0]!.user_data as object));
    expect(sent).toHaveLength(2);
    for (const keys of sent) expect(keys).toEqual(expect.arrayContaining(["ph", "country"]));
  });

  it.each([
    ["missing", () => new Response("Not Found", { status: 404 }), "/data/"],
    ["oversized", oversized, "over 524288 bytes"],
  ])("answers 503 with Retry-After when a file is %s, sends nothing and logs why", async (_case, answer, reason) => {
    const { fixtures, jsonRequest, liveEnv, relay } = await freshRelay();
    const r = relay();
    const res = await r.app.request("/webhooks/cartful", jsonRequest(fixtures.canonical), {
      ...liveEnv,
      ASSETS: fakeAssets(answer),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe(String(DATA_RETRY_AFTER_SECONDS));
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("data_unavailable");
    expect(r.graph.calls).toEqual([]);
    const lines = r.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === "data_tables")).toMatchObject({
      level: "error",
      outcome: "data_unavailable",
      reason: expect.stringContaining(reason),
    });
    expect(lines.find((line) => line.msg === "webhook")).toMatchObject({ outcome: "data_unavailable", status: 503 });
  });
});
