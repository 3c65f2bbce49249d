/**
 * The relay under `wrangler dev` for the real-browser tests: the repository's wrangler.jsonc (its
 * queues, Durable Objects and rate limiter, run by miniflare), on a free port of 127.0.0.1, with
 * the vars a test gives. Each start has its own state (`--persist-to`) and its own dev registry
 * (`WRANGLER_REGISTRY_PATH`) in a fresh temporary directory, so it never shares local queues or
 * Durable Objects with another `wrangler dev` on the machine. `stop()` ends its whole process group
 * (wrangler and its workerd) and removes the directory.
 *
 * @example
 * ```ts
 * const relay = await startRelayDev({ META_GRAPH_URL: graph.url, BROWSER_ORIGINS: shopOrigin });
 * await fetch(`${relay.url}/healthz`);
 * await relay.stop();
 * ```
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface RelayDev {
  /** `http://127.0.0.1:{port}` */
  url: string;
  /** wrangler's output so far (for a failure message). */
  log(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the relay and waits until `/healthz` answers (up to `timeoutMs`).
 *
 * @param vars `--var NAME:value` for each (settings and secrets alike: a test's values only)
 */
export async function startRelayDev(vars: Record<string, string>, timeoutMs = 90_000): Promise<RelayDev> {
  const state = mkdtempSync(path.join(tmpdir(), "relay-dev-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const logFile = path.join(state, "wrangler.log");
  const out = openSync(logFile, "w");
  const args = [
    "dev",
    "--config",
    "wrangler.jsonc",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    path.join(state, "state"),
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  const registry = path.join(state, "registry");
  const child: ChildProcess = spawn(path.join(ROOT, "node_modules", ".bin", "wrangler"), args, {
    cwd: ROOT,
    // Its own process group, so stop() ends wrangler and its workerd together.
    detached: true,
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      WRANGLER_REGISTRY_PATH: registry,
      CLOUDFLARE_DEV_REGISTRY_PATH: registry,
      WRANGLER_SEND_METRICS: "false",
    },
  });
  const log = () => readFileSync(logFile, "utf8");
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    const group = child.pid;
    const signal = (name: NodeJS.Signals) => {
      try {
        if (group !== undefined && !exited) process.kill(-group, name);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    const killer = setTimeout(() => signal("SIGKILL"), 5000);
    await gone;
    clearTimeout(killer);
    rmSync(state, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { url, log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const output = log();
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${output.slice(-2000)}`);
}
