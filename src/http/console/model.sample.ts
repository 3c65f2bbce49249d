/**
 * Test data, not production code: a {@link ConsoleModel} with plausible numbers, for the console
 * page's tests and for a look at the page without traffic. The `.sample.ts` ending keeps it out of
 * the modules the architecture test counts; nothing outside tests imports it.
 *
 * @example
 * ```ts
 * import { sampleConsoleModel } from "./model.sample";
 * const html = renderConsole(sampleConsoleModel(Date.now()), { csrfToken: "t", nonce: "n" });
 * ```
 */
import type { ConsoleModel, DestinationCounts } from "./model";

const HOUR = 3_600_000;

/**
 * A console model with plausible numbers: for the page's tests, and for a look at the page
 * without traffic.
 *
 * @example
 * ```ts
 * sampleConsoleModel(Date.now()).destinations.map((d) => d.mode); // ["live", "misconfigured", "dry_run"]
 * ```
 */
export function sampleConsoleModel(now: number): ConsoleModel {
  const counts = (sent: number): DestinationCounts => ({
    routed: sent + 3,
    sent,
    skipped: 2,
    retried: Math.round(sent / 10),
    dead_lettered: 1,
    held: 0,
    dry_run: 0,
  });
  const start = Math.floor(now / HOUR) * HOUR - 167 * HOUR;
  return {
    generatedAt: now,
    relay: { mode: "misconfigured", apiVersion: "v27.0", queued: true },
    webhooks: {
      "24h": { received: 140, unauthorized: 1, invalid: 2 },
      "7d": { received: 910, unauthorized: 4, invalid: 9 },
    },
    destinations: [
      {
        name: "eu",
        pixelId: "111111111111111",
        mode: "live",
        testEventCode: "TEST4521",
        lastAccepted: { at: now - 4 * 60_000, fbtraceId: "AbCdEf123" },
        lastFailure: {
          at: now - 3 * HOUR,
          status: 503,
          code: 2,
          message: "Service temporarily unavailable",
          fbtraceId: "Xy9",
        },
        counts: { "24h": counts(120), "7d": counts(800) },
        latencyMs: { p50: 5200, p95: 31000, count: 120 },
        matchKeys: {
          em: 1,
          ph: 0.82,
          fn: 0.95,
          ln: 0.95,
          external_id: 1,
          client_ip_address: 1,
          client_user_agent: 1,
          fbc: 0.12,
          fbp: 0.9,
        },
        hint: "fbc on 12 %: pass the _fbc cookie, or the page URL with its fbclid, in context",
        quality: {
          state: "ok",
          quality: {
            fetchedAt: now - 20 * 60_000,
            events: [
              {
                eventName: "Lead",
                compositeScore: 7.2,
                matchKeyFeedback: [
                  { identifier: "email", coverage: 100 },
                  { identifier: "phone", coverage: 81.5 },
                  { identifier: "ip_address", coverage: 99.9 },
                  { identifier: "fbc", coverage: 11.8 },
                ],
                dedupeKeyFeedback: [
                  { dedupeKey: "event_id", serverCoverage: 100, browserCoverage: 97.1, dedupedShare: 88.4 },
                ],
                eventCoverage: 64.2,
                dataFreshness: "real_time",
                acr: 12.5,
                diagnostics: [
                  {
                    name: "Send fbc",
                    description: "Few server events carry a click id.",
                    solution: "Pass the _fbc cookie.",
                    percentage: 88,
                  },
                ],
              },
            ],
          },
        },
        signals: [
          {
            kind: "version_warning",
            detail: "The call has been auto-upgraded to v27.0 as v25.0 will be deprecated",
            firstAt: now - 2 * HOUR,
            lastAt: now - 10 * 60_000,
            count: 14,
          },
        ],
        deadLettersWaiting: 1,
      },
      {
        name: "us",
        pixelId: "222222222222222",
        mode: "misconfigured",
        circuit: {
          cause: "meta_refused",
          since: now - 45 * 60_000,
          held: 37,
          nextProbeAt: now + 4 * 60_000,
          lastFailure: {
            status: 400,
            code: 190,
            subcode: 463,
            fbtraceId: "TkN190",
            message: "Error validating access token: Session has expired",
          },
        },
        lastAccepted: { at: now - 50 * 60_000 },
        lastFailure: {
          at: now - 45 * 60_000,
          status: 400,
          code: 190,
          subcode: 463,
          fbtraceId: "TkN190",
          message: "Error validating access token: Session has expired",
        },
        counts: { "24h": { ...counts(15), held: 37 }, "7d": { ...counts(100), held: 37 } },
        matchKeys: { em: 1, ph: 0.4, client_ip_address: 1, client_user_agent: 1, fbp: 0.7 },
        hint: "ph on 40 %: map the shopper's phone in Studio, with the country or DEFAULT_COUNTRY for its calling code",
        quality: {
          state: "permission",
          at: now - HOUR,
          code: 10,
          message: "(#10) Application does not have permission for this action",
        },
        signals: [{ kind: "token", detail: "190/463", firstAt: now - 45 * 60_000, lastAt: now - 2 * 60_000, count: 6 }],
        deadLettersWaiting: 0,
      },
      {
        name: "test",
        pixelId: "333333333333333",
        mode: "dry_run",
        counts: { "24h": { ...counts(0), dry_run: 5 }, "7d": { ...counts(0), dry_run: 12 } },
        matchKeys: {},
        quality: { state: "none", reason: "no token" },
        signals: [],
        deadLettersWaiting: 0,
      },
    ],
    hours: Array.from({ length: 168 }, (_, i) => ({
      hour: start + i * HOUR,
      sent: Math.round(4 + 3 * Math.sin(i / 4)),
      retried: i % 9 === 0 ? 2 : 0,
      dead_lettered: i === 160 ? 1 : 0,
      held: i > 164 ? 12 : 0,
    })),
    recent: [
      {
        at: now - 60_000,
        eventId: "cartful.ses_5f1c9a7e2b.2",
        destination: "eu",
        outcome: "sent",
        keys: ["em", "ph", "fbp"],
        fbtraceId: "AbCdEf123",
      },
      {
        at: now - 120_000,
        eventId: "cartful.ses_77aa.1",
        destination: "us",
        outcome: "held",
        keys: ["em", "client_ip_address"],
      },
      {
        at: now - 180_000,
        eventId: "cartful.ses_9b21.1",
        destination: "eu",
        outcome: "retry",
        keys: ["em"],
        fbtraceId: "Xy9",
      },
    ],
    deadLetters: [
      {
        key: "cartful.ses_bad.1@eu",
        destination: "eu",
        eventId: "cartful.ses_bad.1",
        reason: "rejected",
        detail: "The parameter em is not a valid SHA-256 hash",
        code: 100,
        fbtraceId: "Bad100",
        deadLetteredAt: now - 5 * HOUR,
        replayable: true,
      },
    ],
  };
}
