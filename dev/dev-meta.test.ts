import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_SECRET,
  canonicalCurl,
  DEV_PIXEL,
  DEV_TOKEN,
  freePort,
  ROOT,
  STATE_DIR,
  waitForLive,
  WEBHOOK_SECRET,
  wranglerArgs,
} from "./dev-meta.ts";

const canonical = JSON.parse(readFileSync(path.join(ROOT, "fixtures/canonical.json"), "utf8")) as {
  id: string;
  occurred_at: string;
};
const hasShellTools = ["sh", "sed", "curl", "date"].every(
  (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0,
);

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A local server that answers each path with a function of the request body. */
async function listen(answer: (path: string, body: string) => { status: number; json: unknown }): Promise<string> {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const { status, json } = answer(req.url ?? "/", body);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("wranglerArgs", () => {
  const args = wranglerArgs({
    relayPort: 8787,
    inspectorPort: 9230,
    metaUrl: "http://127.0.0.1:8789",
    pixel: DEV_PIXEL,
    extra: ["--var", "DEFAULT_COUNTRY:GB"],
  });
  const vars = Object.fromEntries(
    args.flatMap((arg, i) =>
      args[i - 1] === "--var" ? [[arg.slice(0, arg.indexOf(":")), arg.slice(arg.indexOf(":") + 1)]] : [],
    ),
  );

  it("runs the repository's wrangler.jsonc on 127.0.0.1 with its own state", () => {
    expect(args.slice(0, 3)).toEqual(["dev", "--config", "wrangler.jsonc"]);
    expect(args.join(" ")).toContain("--ip 127.0.0.1 --port 8787 --inspector-port 9230");
    expect(args[args.indexOf("--persist-to") + 1]).toBe(STATE_DIR);
  });

  it("lets /__scheduled run the Cron Trigger, without wrangler's hotkeys", () => {
    expect(args).toContain("--test-scheduled");
    expect(args).toContain("--show-interactive-dev-session=false");
  });

  it("puts the relay in live mode against the fake, with the local secrets", () => {
    expect(vars).toEqual({
      META_GRAPH_URL: "http://127.0.0.1:8789",
      META_ACCESS_TOKEN: DEV_TOKEN,
      META_PIXEL_ID: DEV_PIXEL,
      WEBHOOK_SECRET: "dev-secret",
      ADMIN_SECRET: "dev-admin",
      DEFAULT_COUNTRY: "GB",
    });
  });

  it("passes extra arguments last, so they can override", () => {
    expect(args.slice(-2)).toEqual(["--var", "DEFAULT_COUNTRY:GB"]);
  });

  it("lets the demo shop's origin send browser events (BROWSER_ORIGINS) when given", () => {
    const withShop = wranglerArgs({
      relayPort: 8787,
      inspectorPort: 9230,
      metaUrl: "http://127.0.0.1:8789",
      pixel: DEV_PIXEL,
      browserOrigins: "http://127.0.0.1:8790",
    });
    expect(withShop).toContain("BROWSER_ORIGINS:http://127.0.0.1:8790");
    expect(args.some((arg) => arg.startsWith("BROWSER_ORIGINS:"))).toBe(false);
  });
});

describe("canonicalCurl", () => {
  it.skipIf(!hasShellTools)(
    "posts fixtures/canonical.json with the secret, the current time and a fresh Studio id",
    async () => {
      let received: { path: string; body: any } | undefined;
      const url = await listen((path, body) => {
        received = { path, body: JSON.parse(body) };
        return { status: 202, json: { status: "queued" } };
      });
      const before = Date.now();
      // Asynchronously: the server answering curl runs in this process.
      const { stdout: output } = await promisify(execFile)("sh", ["-c", canonicalCurl(url, canonical.id)], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 10_000,
      });
      expect(JSON.parse(output)).toEqual({ status: "queued" });
      expect(received!.path).toBe("/webhooks/cartful");
      const occurredAt = Date.parse(received!.body.occurred_at);
      expect(occurredAt).toBeGreaterThan(before - 2000);
      expect(occurredAt).toBeLessThanOrEqual(Date.now());
      expect(received!.body.id).toMatch(/^evt_dev_\d+$/);
      expect({ ...received!.body, id: canonical.id, occurred_at: canonical.occurred_at }).toEqual(
        JSON.parse(readFileSync(path.join(ROOT, "fixtures/canonical.json"), "utf8")),
      );
    },
  );

  it("authenticates with the launcher's webhook secret", () => {
    expect(canonicalCurl("http://127.0.0.1:1", canonical.id)).toContain(`Authorization: Bearer ${WEBHOOK_SECRET}`);
    expect(ADMIN_SECRET).not.toBe(WEBHOOK_SECRET);
  });
});

describe("freePort", () => {
  it("gives the preferred port when it is free, another when it is taken", async () => {
    const url = await listen(() => ({ status: 200, json: {} }));
    const taken = Number(new URL(url).port);
    const other = await freePort(taken);
    expect(other).not.toBe(taken);
    expect(other).toBeGreaterThan(0);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    expect(await freePort(taken)).toBe(taken);
  });
});

describe("waitForLive", () => {
  it("waits for /healthz to say live", async () => {
    let calls = 0;
    const url = await listen(() => ({ status: 200, json: { status: "ok", mode: ++calls < 3 ? "dry_run" : "live" } }));
    expect(await waitForLive(url, 5000)).toBe(true);
    expect(calls).toBe(3);
  });

  it("gives up when the relay never goes live, or stops", async () => {
    const url = await listen(() => ({ status: 200, json: { mode: "dry_run" } }));
    expect(await waitForLive(url, 600)).toBe(false);
    const started = Date.now();
    expect(await waitForLive(url, 60_000, () => false)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
