/**
 * `npm run dev:meta:check`: proves `npm run dev:meta` works end to end, outside `npm test`
 * (wrangler dev alone takes 5–10 s to start). Starts the launcher on free ports with its own
 * state directory, waits for its banner, posts fixtures/canonical.json to the relay, waits for
 * the fake Meta to accept the event from the queue consumer, runs the hourly Cron Trigger and
 * waits for its Dataset Quality read to succeed, reads the dead letters with the admin secret,
 * checks the demo shop serves its page and that the relay's `/collect/cartful` answers its origin
 * (BROWSER_ORIGINS), then stops the launcher with SIGTERM and checks all three ports are closed. Prints
 * how long each step took; exits 1 on the first failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ADMIN_SECRET, freePort, ROOT, WEBHOOK_SECRET } from "./dev-meta.ts";
import type { RequestRecord } from "./fake-meta/server.ts";

const STATE = ".wrangler/dev-meta-check";
const started = performance.now();
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;
let launcher: ChildProcess | undefined;
let output = "";

function fail(message: string): never {
  console.error(`dev:meta check FAILED: ${message}\n--- launcher output ---\n${output}`);
  if (launcher?.pid && launcher.exitCode === null) launcher.kill("SIGTERM");
  process.exit(1);
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return fail(`${what} within ${timeoutMs / 1000} s`);
}

const isListening = async (url: string) => {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
};

rmSync(path.join(ROOT, STATE), { recursive: true, force: true });
const [relayPort, metaPort, shopPort] = [await freePort(0), await freePort(0), await freePort(0)];
launcher = spawn(
  process.execPath,
  [
    "dev/dev-meta.ts",
    "--port",
    String(relayPort),
    "--meta-port",
    String(metaPort),
    "--shop-port",
    String(shopPort),
    "--state",
    STATE,
  ],
  {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  },
);
launcher.stdout!.on("data", (chunk) => (output += chunk));
launcher.stderr!.on("data", (chunk) => (output += chunk));
const exited = new Promise<number | null>((resolve) => launcher!.once("exit", (code) => resolve(code)));

const relayUrl = `http://127.0.0.1:${relayPort}`;
const metaUrl = `http://127.0.0.1:${metaPort}`;
const shopUrl = `http://127.0.0.1:${shopPort}`;
await until("the launcher's banner", 90_000, () =>
  output.includes("Ctrl-C stops all three")
    ? true
    : launcher!.exitCode !== null
      ? fail("the launcher exited")
      : undefined,
);
const ready = seconds(started);

const canonical = JSON.parse(readFileSync(path.join(ROOT, "fixtures/canonical.json"), "utf8"));
const sentAt = performance.now();
const webhook = await fetch(`${relayUrl}/webhooks/cartful`, {
  method: "POST",
  headers: { authorization: `Bearer ${WEBHOOK_SECRET}`, "content-type": "application/json" },
  body: JSON.stringify({ ...canonical, id: `evt_check_${Date.now()}`, occurred_at: new Date().toISOString() }),
});
const answer = (await webhook.json()) as { status?: string; event_id?: string };
if (webhook.status !== 202 || answer.status !== "queued")
  fail(`the webhook answered ${webhook.status} ${JSON.stringify(answer)}`);

const accepted = await until("the fake Meta accepting the event", 30_000, async () => {
  const { requests } = (await (await fetch(`${metaUrl}/_requests`)).json()) as { requests: RequestRecord[] };
  return requests.find((r) => r.outcome === "accepted" && r.event_ids.includes(answer.event_id!));
});
const delivered = seconds(sentAt);

const roundAt = performance.now();
const scheduled = await fetch(`${relayUrl}/__scheduled?cron=${encodeURIComponent("17 * * * *")}`);
if (!scheduled.ok) fail(`GET /__scheduled answered ${scheduled.status}`);
await until("the hourly round reading the fake's Dataset Quality", 15_000, () =>
  /"msg":"round","outcome":"ok"/.test(output) ? true : undefined,
);
const round = seconds(roundAt);

const letters = await fetch(`${relayUrl}/admin/dead-letters`, { headers: { authorization: `Bearer ${ADMIN_SECRET}` } });
if (letters.status !== 200) fail(`GET /admin/dead-letters answered ${letters.status}`);

const shopPage = await fetch(`${shopUrl}/`);
if (shopPage.status !== 200 || !(await shopPage.text()).includes('<script src="/studio-pixel.js">'))
  fail(`the demo shop's page answered ${shopPage.status}`);
const preflight = await fetch(`${relayUrl}/collect/cartful`, {
  method: "OPTIONS",
  headers: { origin: shopUrl, "access-control-request-method": "POST" },
});
if (preflight.headers.get("access-control-allow-origin") !== shopUrl)
  fail(`/collect/cartful does not answer the demo shop's origin (${preflight.status}): BROWSER_ORIGINS`);

const stopAt = performance.now();
launcher.kill("SIGTERM");
let timer: NodeJS.Timeout | undefined;
const code = await Promise.race([
  exited,
  new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), 15_000))),
]);
clearTimeout(timer);
if (code === "timeout") fail("the launcher did not stop within 15 s of SIGTERM");
if (await isListening(relayUrl)) fail("the relay still answers after the launcher stopped");
if (await isListening(metaUrl)) fail("the fake Meta still answers after the launcher stopped");
if (await isListening(shopUrl)) fail("the demo shop still answers after the launcher stopped");
rmSync(path.join(ROOT, STATE), { recursive: true, force: true });

console.log(
  `dev:meta check passed: ready in ${ready}; webhook queued and accepted by the fake Meta in ${delivered} ` +
    `(pixel ${accepted.pixel}, fbtrace_id ${accepted.fbtrace_id}); Dataset Quality read by the cron in ${round}; ` +
    `demo shop served, its origin allowed by /collect/cartful; stopped in ${seconds(stopAt)}; total ${seconds(started)}.`,
);
process.exit(0);
