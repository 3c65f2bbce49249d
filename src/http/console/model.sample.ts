/**
 * Test data, not production code: a {@link ConsoleModel} with plausible numbers, for the console
 * page's tests and for a look at the page without traffic. The `.sample.ts` ending keeps it out of
 * the modules the architecture test counts; nothing outside tests imports it.
 *
 * @example
 * ```ts
 * import { sampleConsoleModel } from "./model.sample";
 * const body = renderConsole(sampleConsoleModel(Date.now()), { csrfToken: "t" }); // src/console/page
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
 * sampleConsoleModel(Date.now()).destinations.map((d) => d.mode); // ["live", "paused", "live"]
 * ```
 */
export function sampleConsoleModel(now: number): ConsoleModel {
  const counts = (sent: number): DestinationCounts => ({
    routed: sent + 4,
    sent,
    skipped: 2,
    filtered: 1,
    duplicate: 1,
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
      "24h": { received: 140, unauthorized: 3, invalid: 9, anonymous: 2 },
      "7d": { received: 910, unauthorized: 14, invalid: 9, anonymous: 10 },
    },
    browser: {
      "24h": { requests: 380, events: 506, refused: 2, rate_limited: 0, invalid: 1, bots: 12 },
      "7d": { requests: 2400, events: 3300, refused: 9, rate_limited: 3, invalid: 4, bots: 80 },
    },
    refusals: [
      {
        at: now - 5 * 60_000,
        code: "invalid_webhook",
        status: 422,
        issues: ["shopper.email: Not a valid email address"],
      },
      { at: now - 9 * 60_000, code: "invalid_webhook", status: 422, issues: ["shopper.email: Required"] },
      { at: now - 30 * 60_000, code: "unauthorized", status: 401, issues: [] },
    ],
    destinations: [
      {
        name: "eu",
        pixelId: "111111111111111",
        mode: "live",
        tokenSecret: "META_TOKEN_EU",
        heldNow: 0,
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
        unusableKeys: {},
        browserEvents: [
          { eventName: "ViewContent", routed: 410, sent: 402, skipped: 8, dry_run: 0, dead_lettered: 0 },
          { eventName: "AddToCart", routed: 96, sent: 95, skipped: 1, dry_run: 0, dead_lettered: 0 },
        ],
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
        incidents: [
          {
            startedAt: now - 3 * HOUR - 2 * 60_000,
            lastFailureAt: now - 3 * HOUR,
            scope: "transient",
            refusal: { status: 503, code: 2, message: "Service temporarily unavailable", fbtraceId: "Xy9" },
            failures: 5,
            held: 0,
            endedAt: now - 3 * HOUR + 30_000,
            deliveredAfter: 0,
          },
        ],
        deadLettersWaiting: 1,
      },
      {
        name: "us",
        pixelId: "222222222222222",
        mode: "paused",
        tokenSecret: "META_TOKEN_US",
        heldNow: 37,
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
        unusableKeys: { ph: 0.07 },
        browserEvents: [],
        quality: {
          state: "permission",
          at: now - HOUR,
          code: 10,
          message: "(#10) Application does not have permission for this action",
        },
        signals: [{ kind: "token", detail: "190/463", firstAt: now - 45 * 60_000, lastAt: now - 2 * 60_000, count: 6 }],
        incidents: [
          {
            startedAt: now - 45 * 60_000,
            lastFailureAt: now - 2 * 60_000,
            scope: "configuration",
            signal: "token",
            refusal: {
              status: 400,
              code: 190,
              subcode: 463,
              fbtraceId: "TkN190",
              message: "Error validating access token: Session has expired",
            },
            failures: 6,
            held: 37,
            deliveredAfter: 0,
          },
        ],
        deadLettersWaiting: 0,
      },
      {
        name: "test",
        pixelId: "333333333333333",
        mode: "live",
        tokenSecret: "META_ACCESS_TOKEN",
        heldNow: 0,
        counts: { "24h": counts(0), "7d": counts(0) },
        matchKeys: {},
        unusableKeys: {},
        browserEvents: [],
        quality: { state: "none", reason: "no token" },
        signals: [],
        incidents: [],
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
        detail: "The parameter $['data'][0]['event_source_url'] is required.",
        code: 100,
        fbtraceId: "Bad100",
        subcode: 2804019,
        deadLetteredAt: now - 5 * HOUR,
        times: 2,
        firstDeadLetteredAt: now - 26 * HOUR,
        replayable: true,
      },
    ],
  };
}
