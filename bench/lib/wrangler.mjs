/**
 * Start and stop `wrangler dev` (local workerd) for the benchmarks, and find its workerd
 * processes so their CPU time can be read from /proc.
 *
 * @example
 * const dev = await startWranglerDev({ config: "bench/workerd/wrangler.toml", label: "x" }); // state in bench/out/state/x
 * await fetch(dev.url); ... ; readCpuSeconds(dev.workerdPids()); await dev.stop();
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ROOT } from "./build.mjs";

const BIN = path.join(ROOT, "node_modules/.bin");

/** A free loopback TCP port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Environment for child processes: Node 22 from node_modules first, no telemetry. */
export function childEnv(extra = {}) {
  return {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: "false",
    CI: process.env.CI ?? "true", // no interactive prompts or hotkeys
    ...extra,
  };
}

/** Descendant pids of `pid` (from /proc, Linux only). */
export function descendants(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // process gone
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function commOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function cmdlineOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

const TICKS = 100; // USER_HZ on Linux

/** User+system CPU seconds of each pid (utime+stime from /proc/<pid>/stat). */
export function readCpuSeconds(pids) {
  const out = {};
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out[pid] = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
    } catch {
      out[pid] = NaN;
    }
  }
  return out;
}

/**
 * Start `wrangler dev` on a free port and wait until it answers HTTP.
 *
 * Each one is isolated from the others the bench runs at the same time: its own `--persist-to`
 * (Durable Object and queue state) and its own dev registry (WRANGLER_REGISTRY_PATH and
 * miniflare's CLOUDFLARE_DEV_REGISTRY_PATH), since wrangler dev processes that share the registry
 * find each other's queues and Durable Objects by name: two relays with `cartful-capi-events`
 * would feed each other's consumers.
 */
export async function startWranglerDev({
  config,
  vars = {},
  label = path.basename(path.dirname(config)),
  persistTo = path.join(ROOT, "bench/out/state", label),
  timeoutMs = 60_000,
  inspectorPort,
}) {
  const port = await freePort();
  const args = [
    "dev",
    "--config",
    config,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--log-level",
    "warn",
    "--show-interactive-dev-session=false",
    "--inspector-port",
    String(inspectorPort ?? (await freePort())),
  ];
  if (persistTo) args.push("--persist-to", persistTo);
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const logFile = path.join(ROOT, "bench/out", `wrangler-${label}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, "w");
  const registry = path.join(ROOT, "bench/out/registry", label);
  fs.rmSync(registry, { recursive: true, force: true });
  fs.mkdirSync(registry, { recursive: true });
  const child = spawn(path.join(BIN, "wrangler"), args, {
    cwd: ROOT,
    env: childEnv({ WRANGLER_REGISTRY_PATH: registry, CLOUDFLARE_DEV_REGISTRY_PATH: registry }),
    stdio: ["ignore", log, log],
    detached: true, // own process group: stop() ends exactly this wrangler and its workerd
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev (${label}) exited; see ${logFile}`);
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() - started > timeoutMs) {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
        throw new Error(`wrangler dev (${label}) did not answer in ${timeoutMs} ms; see ${logFile}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const workerd = () => descendants(child.pid).filter((p) => commOf(p) === "workerd");
  return {
    url,
    port,
    logFile,
    registry,
    pid: child.pid,
    /** workerd pids under this wrangler, the user Worker's (with an inspector) flagged. */
    workerdProcesses: () => workerd().map((pid) => ({ pid, runsWorker: /--inspector-addr/.test(cmdlineOf(pid)) })),
    stop: async () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      for (let i = 0; i < 40 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
}

/** Start a Node script as a child (e.g. the fake Graph) and wait for its "listening <port>" line. */
export async function startNodeServer(script, args = []) {
  const child = spawn(path.join(BIN, "node"), [script, ...args], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const m = /listening (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { port, url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill("SIGTERM") };
}
