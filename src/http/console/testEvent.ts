/**
 * The console's "send a test event": a synthetic lead (an `example.com` address, no real
 * person, ids unique per click) run through the relay's own transform for one destination, and
 * sent once, with the webhook path's retries, under a `test_event_code`, so it shows in Events
 * Manager → Test events and is not counted as a lead. The destination's `match` is set aside
 * (the test is of the pixel and token, not of routing); its event name, consent rule and
 * options are its own. A test event Meta refuses is recorded as the destination's last failure (and
 * its signal, a token refused, …), as the consumer's refusals are, so the console's "Last failure"
 * stays current while someone tests a fix; an accepted one is recorded nowhere: it is no lead.
 *
 * @example
 * ```ts
 * const result = await sendTestEvent(config, destination, "TEST4521", deps);
 * if (result.ok) console.log(result.eventId, result.fbtraceId);
 * ```
 */
import type { Runtime } from "../../core/runtime";
import { type Destination, EMAIL_SUBMIT_TYPE, type RelayConfig } from "../../config/settings";
import { type BatchReport, emptyReport } from "../../delivery/consumer";
import type { GraphFailure } from "../../delivery/graph";
import { refusalOf } from "../../delivery/metaErrors";
import { type DeliverDeps, deliver } from "../../delivery/retry";
import { transformWebhook } from "../../transform/transformWebhook";
import { type AssetsBinding, loadDataTables } from "../dataAssets";

/** What Meta and the test-code field accept: Events Manager's codes look like `TEST12345`. */
export const TEST_EVENT_CODE = /^[A-Za-z0-9_-]{1,64}$/;

/** The user agent of a synthetic lead: says what it is, to anyone reading Meta's test events. */
export const TEST_USER_AGENT = "Mozilla/5.0 (compatible; CartfulMetaCapiRelay-TestEvent/1.0; +https://example.com/)";

/** The page a synthetic lead claims to come from (`example.com` is reserved for examples). */
export const TEST_PAGE_URL = "https://example.com/cartful-relay-test-event";

/** What a test event needs: {@link deliver}'s outside world, where its refusal is recorded, and where the data tables are read from. */
export interface TestEventDeps extends DeliverDeps, Pick<Runtime, "log"> {
  /** Receives a refused test event as its destination's report (`lastFailure` only), for the console's metrics. */
  record: (report: BatchReport) => Promise<void> | void;
  /** The static assets the transform's data tables are read from, when the isolate has not read them yet (../dataAssets). */
  assets: AssetsBinding | undefined;
}

/** What came of a test event. */
export type TestEventResult =
  | { ok: true; eventId: string; eventsReceived: number; attempts: number; fbtraceId?: string }
  | { ok: false; eventId: string; attempts: number; failure: GraphFailure };

/**
 * A Studio webhook for no one: `test-{id}@example.com`, session and Studio ids `test-{id}`, a
 * granted consent, a synthetic user agent and page; no name, phone, address or IP.
 *
 * @param id unique per test event (e.g. 16 random hex digits)
 * @param now ms
 * @example
 * ```ts
 * syntheticLead("1a2b3c4d", "email:submit", Date.now()).shopper.email; // "test-1a2b3c4d@example.com"
 * ```
 */
export function syntheticLead(id: string, type: string, now: number) {
  const name = `test-${id}`;
  return {
    type,
    id: name,
    occurred_at: new Date(now).toISOString(),
    store: { domain: "example.com" },
    quiz: { id: "relay-test-event", name: "Relay test event" },
    session: { id: name, attempt: 1 },
    shopper: { email: `${name}@example.com`, customer_id: name, marketing_consent: true },
    context: {
      page_url: TEST_PAGE_URL,
      user_agent: TEST_USER_AGENT,
      consent: { ad_storage: "granted", ad_user_data: "granted" },
    },
  };
}

/**
 * Builds a synthetic lead's event for `destination` with the relay's transform, and sends it
 * once (the webhook path's {@link deliver}, retries included) under `testEventCode`. The
 * destination must be live (`destination.target` set).
 *
 * @param deps as for {@link deliver} (`timeoutMs` defaults to the settings' `META_TIMEOUT_MS`), and
 *   `record`, which receives a refusal
 * @example
 * ```ts
 * await sendTestEvent(config, destinationNamed(config, "eu")!, "TEST4521", {
 *   fetch, now: Date.now, sleep, random: Math.random,
 *   record: (report) => recordNow(env, consumerBatch(report, Date.now())),
 * });
 * ```
 */
export async function sendTestEvent(
  config: RelayConfig,
  destination: Destination,
  testEventCode: string,
  deps: TestEventDeps,
): Promise<TestEventResult> {
  if (!destination.target) throw new Error(`destination ${destination.name} runs dry: it cannot send a test event`);
  // The transform reads the country table (DEFAULT_COUNTRY): 503 data_unavailable when it cannot be read.
  await loadDataTables(deps.assets, deps.log);
  const now = deps.now();
  const type = destination.match.types?.[0] ?? EMAIL_SUBMIT_TYPE;
  const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  const result = transformWebhook(
    syntheticLead(id, type, now),
    { fieldMap: {}, eventTypes: [type], defaultCountry: config.defaultCountry },
    [{ ...destination, match: {} }],
    now,
  );
  const built = result.outcome === "routed" ? result.results[0] : undefined;
  if (built?.outcome !== "event")
    throw new Error(`the synthetic lead built no event for ${destination.name}: ${result.outcome}`);
  const { record, assets: _assets, log: _log, ...deliverDeps } = deps;
  const { outcome, attempts } = await deliver({ ...destination.target, testEventCode }, [built.event], {
    timeoutMs: config.timeoutMs,
    ...deliverDeps,
  });
  const eventId = built.event.event_id;
  if (!outcome.ok) {
    const report = emptyReport();
    report.lastFailure = { at: deps.now(), ...refusalOf(outcome) };
    await record(new Map([[destination.name, report]]));
    return { ok: false, eventId, attempts, failure: outcome };
  }
  return {
    ok: true,
    eventId,
    eventsReceived: outcome.eventsReceived,
    attempts,
    ...(outcome.fbtraceId ? { fbtraceId: outcome.fbtraceId } : {}),
  };
}
