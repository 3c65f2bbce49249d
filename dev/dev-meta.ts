/**
 * `npm run dev:meta`: the relay in live mode against a local Meta. Starts the fake Graph API
 * (dev/fake-meta/server.ts) on a port of its own, the demo shop (dev/demo-shop/server.ts: a quiz
 * page running the real snippet with the fake's Pixel stand-in) on another, then `wrangler dev`
 * with the repository's wrangler.jsonc pointed at the fake (`META_GRAPH_URL`, a dummy token and
 * pixel, `dev-secret` and `dev-admin`, `BROWSER_ORIGINS` the demo shop's origin), with its own
 * state (`.wrangler/dev-meta`) and its own dev registry, so it never shares local queues with
 * another `wrangler dev`. Prints the URLs and a curl that sends fixtures/canonical.json once the
 * relay answers. Ctrl-C stops all three.
 *
 * Options: `--port N` (relay, default 8787), `--meta-port N` (fake, default 8789), `--shop-port N`
 * (demo shop, default 8790), each falling back to a free port when taken; `--pixel ID`,
 * `--seed N`, `--state DIR` (default .wrangler/dev-meta); anything after a second `--` goes to
 * wrangler dev (`npm run dev:meta -- --port 9000 -- --var DEFAULT_COUNTRY:GB`).
 */
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type DemoShop, startDemoShop } from "./demo-shop/server.ts";
import { type FakeMeta, startFakeMeta } from "./fake-meta/server.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WEBHOOK_SECRET = "dev-secret";
export const ADMIN_SECRET = "dev-admin";
/** A dummy token: the fake accepts only this one, so a real token can never reach it by mistake. */
export const DEV_TOKEN = "EAAB-dev-meta-local-token";
export const DEV_PIXEL = "100000000000001";
/** Local state (and, inside it, the dev registry) of this relay, apart from `npm run dev`'s. */
export const STATE_DIR = ".wrangler/dev-meta";

export interface LaunchSettings {
  relayPort: number;
  inspectorPort: number;
  metaUrl: string;
  pixel: string;
  /** Where wrangler keeps local state (relative to the repository, or absolute); STATE_DIR by default. */
  stateDir?: string;
  /** `BROWSER_ORIGINS`: the demo shop's origin, so `/collect/cartful` takes its events. */
  browserOrigins?: string;
  /** Extra `wrangler dev` arguments. */
  extra?: string[];
}

/**
 * The `wrangler dev` arguments for the relay in live mode against the fake.
 *
 * @example
 * ```ts
 * wranglerArgs({ relayPort: 8787, inspectorPort: 9230, metaUrl: "http://127.0.0.1:8789", pixel: DEV_PIXEL,
 *                browserOrigins: "http://127.0.0.1:8790" });
 * // ["dev", "--config", "wrangler.jsonc", "--ip", "127.0.0.1", "--port", "8787", …, "--var", "META_GRAPH_URL:http://127.0.0.1:8789", …]
 * ```
 */
export function wranglerArgs(settings: LaunchSettings): string[] {
  const vars = {
    META_GRAPH_URL: settings.metaUrl,
    META_ACCESS_TOKEN: DEV_TOKEN,
    META_PIXEL_ID: settings.pixel,
    WEBHOOK_SECRET,
    ADMIN_SECRET,
    ...(settings.browserOrigins ? { BROWSER_ORIGINS: settings.browserOrigins } : {}),
  };
  return [
    "dev",
    "--config",
    "wrangler.jsonc",
    "--ip",
    "127.0.0.1",
    "--port",
    String(settings.relayPort),
    "--inspector-port",
    String(settings.inspectorPort),
    "--persist-to",
    settings.stateDir ?? STATE_DIR,
    "--show-interactive-dev-session=false",
    // GET /__scheduled runs the hourly Cron Trigger now (it reads the fake's Dataset Quality).
    "--test-scheduled",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ...(settings.extra ?? []),
  ];
}

/**
 * A shell command that posts fixtures/canonical.json to the relay, stamped with the current time
 * (Meta refuses events older than 7 days) and a fresh Studio id (the relay's consumer drops an
 * id it saw within 48 hours as a `duplicate`, sending nothing).
 *
 * @example
 * ```ts
 * console.log(canonicalCurl("http://127.0.0.1:8787", "evt_01JD8W3Q9X7K2M4N6P8R0T2V4X"));
 * ```
 */
export function canonicalCurl(relayUrl: string, studioId: string): string {
  return [
    `sed -e "s/\\"occurred_at\\": *\\"[^\\"]*\\"/\\"occurred_at\\": \\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\"/" \\`,
    `    -e "s/\\"${studioId}\\"/\\"evt_dev_$(date +%s)\\"/" fixtures/canonical.json \\`,
    `  | curl -s ${relayUrl}/webhooks/cartful --data-binary @- \\`,
    `      -H 'Authorization: Bearer ${WEBHOOK_SECRET}' -H 'Content-Type: application/json'`,
  ].join("\n");
}

/**
 * `preferred` if it is free on 127.0.0.1, else a free port the system picks.
 *
 * @example
 * ```ts
 * await freePort(8787); // 8787, or e.g. 40211 when 8787 is taken
 * ```
 */
export async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => {
        const chosen = (server.address() as { port: number }).port;
        server.close(() => resolve(chosen));
      });
    });
  return (preferred > 0 ? await tryListen(preferred) : undefined) ?? (await tryListen(0))!;
}

/**
 * Polls the relay's `/healthz` until it reports `live`, or gives up after `timeoutMs`.
 *
 * @example
 * ```ts
 * if (await waitForLive("http://127.0.0.1:8787", 60_000)) console.log("ready");
 * ```
 */
export async function waitForLive(
  relayUrl: string,
  timeoutMs: number,
  stillRunning: () => boolean = () => true,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillRunning()) {
    try {
      const response = await fetch(`${relayUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok && ((await response.json()) as { mode?: string }).mode === "live") return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** A running `wrangler dev`. */
export interface RelayProcess {
  readonly child: ChildProcess;
  readonly running: boolean;
  /** Resolves with its exit code (0 when a signal stopped it) once wrangler has exited. */
  readonly exited: Promise<number>;
  /** SIGTERM to its whole process group (wrangler and workerd), SIGKILL after `graceMs` (5 s) if wrangler is still there. */
  stop(graceMs?: number): Promise<number>;
}

/**
 * Starts `wrangler dev` with {@link wranglerArgs}, in its own process group (so stopping it
 * takes workerd with it) and with its own dev registry under the state directory, so its local
 * queues are its own.
 *
 * @example
 * ```ts
 * const relay = startRelay({ relayPort, inspectorPort, metaUrl: meta.url, pixel: DEV_PIXEL, stateDir: ".wrangler/x" },
 *                          ["ignore", "inherit", "inherit"]);
 * await relay.stop();
 * ```
 */
export function startRelay(settings: LaunchSettings, stdio: StdioOptions): RelayProcess {
  const windows = process.platform === "win32";
  const stateDir = settings.stateDir ?? STATE_DIR;
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", windows ? "wrangler.cmd" : "wrangler"),
    wranglerArgs(settings),
    {
      cwd: ROOT,
      // Its own process group, so stopping it takes workerd with it; no stdin, so no hotkeys
      // competing with ours for Ctrl-C.
      detached: !windows,
      shell: windows,
      stdio,
      env: { ...process.env, WRANGLER_REGISTRY_PATH: path.resolve(ROOT, stateDir, "registry") },
    },
  );
  let running = true;
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => {
      running = false;
      resolve(code ?? (signal ? 0 : 1));
    }),
  );
  const signalChild = (signal: NodeJS.Signals) => {
    if (!running || child.pid === undefined) return;
    try {
      if (windows) child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    get running() {
      return running;
    },
    exited,
    async stop(graceMs = 5000) {
      signalChild("SIGTERM");
      const killer = setTimeout(() => signalChild("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

function banner(meta: FakeMeta, shop: DemoShop, relayUrl: string, studioId: string): string {
  return [
    "",
    "────────────────────────────────────────────────────────────────────────────",
    `  Relay (live, wrangler dev):  ${relayUrl}   webhook secret ${WEBHOOK_SECRET}, admin secret ${ADMIN_SECRET}`,
    `  Fake Meta Graph API:         ${meta.url}   control page ${meta.url}/`,
    `  Demo shop (quiz + Pixel):    ${shop.url}/   play it, then see each event_id from browser and server,`,
    `                               deduplicated, on ${meta.url}/ ; "Block the Pixel" shows the server copies alone`,
    "",
    "  Send the canonical webhook (queued, delivered to the fake within ~5 s):",
    "",
    canonicalCurl(relayUrl, studioId)
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
    "",
    `  Make Meta misbehave: ${meta.url}/_control?mode=throttle&for=60   (or use the page)`,
    `  What Meta was sent:  ${meta.url}/_requests`,
    `  Run the hourly cron (reads the fake's Dataset Quality): curl -s '${relayUrl}/__scheduled?cron=17+*+*+*+*'`,
    `  Operator console:    ${relayUrl}/admin   (log in with ${ADMIN_SECRET})`,
    `  Dead letters:        curl -s -H 'Authorization: Bearer ${ADMIN_SECRET}' ${relayUrl}/admin/dead-letters`,
    "  Ctrl-C stops all three.",
    "────────────────────────────────────────────────────────────────────────────",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const split = argv.indexOf("--");
  const { values } = parseArgs({
    args: split === -1 ? argv : argv.slice(0, split),
    options: {
      port: { type: "string", default: "8787" },
      "meta-port": { type: "string", default: "8789" },
      "shop-port": { type: "string", default: "8790" },
      pixel: { type: "string", default: DEV_PIXEL },
      seed: { type: "string" },
      state: { type: "string", default: STATE_DIR },
    },
  });
  const extra = split === -1 ? [] : argv.slice(split + 1);

  const meta = await startFakeMeta({
    port: await freePort(Number(values["meta-port"])),
    token: DEV_TOKEN,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  const relayPort = await freePort(Number(values.port));
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const shop = await startDemoShop({
    port: await freePort(Number(values["shop-port"])),
    relayUrl,
    metaUrl: meta.url,
    pixel: values.pixel!,
    webhookSecret: WEBHOOK_SECRET,
  });
  const inspectorPort = await freePort(9230);
  const studioId = (JSON.parse(readFileSync(path.join(ROOT, "fixtures/canonical.json"), "utf8")) as { id: string }).id;
  console.log(`Fake Meta Graph API on ${meta.url}, demo shop on ${shop.url}; starting the relay on ${relayUrl} …`);

  const relay = startRelay(
    {
      relayPort,
      inspectorPort,
      metaUrl: meta.url,
      pixel: values.pixel!,
      stateDir: values.state!,
      browserOrigins: shop.url,
      extra,
    },
    ["ignore", "inherit", "inherit"],
  );
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await relay.stop();
    await Promise.all([meta.close(), shop.close()]);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  void relay.exited.then((code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code}); stopping the fake Meta and the demo shop.`);
      void stop(code || 1);
    }
  });

  if (await waitForLive(relayUrl, 90_000, () => relay.running)) console.log(banner(meta, shop, relayUrl, studioId));
  else if (relay.running) console.error(`The relay did not report live mode on ${relayUrl}/healthz within 90 s.`);
}

if (import.meta.main) await main();
