import { describe, expect, it } from "vitest";
import { queuedEvent } from "../../test/queueFixtures";
import {
  type CircuitEvent,
  type CircuitState,
  circuitStatus,
  nextCircuitState,
  OUTAGE_GAP_MS,
  staleLetter,
} from "./circuitState";
import type { GraphFailure } from "./graph";
import type { HoldCause } from "./holds";
import { OUTAGE_MIN_FAILED_REQUESTS, OUTAGE_MIN_MS, PROBE_FIRST_DELAY_MS, PROBE_MAX_DELAY_MS } from "./policy";

const NOW = 1_764_096_127_000;
const tokenRefused: GraphFailure = {
  ok: false,
  transient: false,
  status: 400,
  code: 190,
  subcode: 463,
  message: "Error validating access token",
  fbtraceId: "TR-190",
};
const metaDown: GraphFailure = { ok: false, transient: true, status: 503, code: 2, message: "down", fbtraceId: "TR-2" };
const refused: HoldCause = { kind: "meta_refused", failure: tokenRefused };
const kept = { status: 400, code: 190, subcode: 463, fbtraceId: "TR-190", message: "Error validating access token" };

/** The states a circuit can be in. */
const empty: CircuitState = { open: false, probes: 0, held: 0 };
/** Closed, events left: a release that failed half-way, or a hold that came after it closed. */
const closedHolding: CircuitState = { destination: "eu", open: false, probes: 0, held: 2, lastFailure: kept };
const openRefused: CircuitState = {
  destination: "eu",
  open: true,
  cause: "meta_refused",
  since: NOW - 60_000,
  probes: 1,
  nextProbeAt: NOW + 30_000,
  lastFailure: kept,
  held: 3,
};
const openNoToken: CircuitState = {
  destination: "eu",
  open: true,
  cause: "no_token",
  since: NOW - 60_000,
  probes: 4,
  nextProbeAt: NOW + 240_000,
  held: 3,
};

const step = (state: CircuitState, event: CircuitEvent, now = NOW) => nextCircuitState(state, event, now);

describe("nextCircuitState: hold", () => {
  it("opens a closed circuit for its cause: probe in 30 s, an error line with Meta's codes", () => {
    const { state, alarm, log } = step({ ...empty, held: 2 }, { kind: "hold", destination: "eu", cause: refused });
    expect(state).toEqual({
      destination: "eu",
      open: true,
      cause: "meta_refused",
      since: NOW,
      probes: 0,
      nextProbeAt: NOW + PROBE_FIRST_DELAY_MS,
      lastFailure: kept,
      held: 2,
    });
    expect(alarm).toEqual({ at: NOW + PROBE_FIRST_DELAY_MS });
    expect(log).toEqual({
      level: "error",
      outcome: "circuit_opened",
      destination: "eu",
      reason: "meta_refused",
      held: 2,
      status: 400,
      meta_code: 190,
      meta_subcode: 463,
      fbtrace_id: "TR-190",
    });
    expect(JSON.stringify(log)).not.toContain("Error validating");
  });

  it("opens for a missing token without codes, and keeps Meta's earlier refusal for the console", () => {
    const { state, log } = step(closedHolding, { kind: "hold", destination: "eu", cause: { kind: "no_token" } });
    expect(state).toMatchObject({ open: true, cause: "no_token", since: NOW, probes: 0, lastFailure: kept });
    expect(log).toEqual({ level: "error", outcome: "circuit_opened", destination: "eu", reason: "no_token", held: 2 });
  });

  it("updates an open circuit's cause and refusal, keeps its wait and its probes, re-arms only a lost alarm", () => {
    const { state, alarm, log } = step(openNoToken, { kind: "hold", destination: "eu", cause: refused });
    expect(state).toEqual({ ...openNoToken, cause: "meta_refused", lastFailure: kept });
    expect(alarm).toEqual({ at: openNoToken.nextProbeAt, ifNone: true });
    expect(log).toBeUndefined();
  });

  it("adds events to an open circuit without changing it; to one closed meanwhile, probes at once", () => {
    const open = step(openRefused, { kind: "hold", destination: "eu", cause: undefined });
    expect(open).toEqual({ state: openRefused, alarm: { at: openRefused.nextProbeAt, ifNone: true } });
    const closed = step({ ...empty, held: 1 }, { kind: "hold", destination: "eu", cause: undefined });
    expect(closed).toEqual({ state: { ...empty, held: 1, destination: "eu" }, alarm: { at: NOW } });
    expect(step(closedHolding, { kind: "hold", destination: "eu", cause: undefined }).alarm).toEqual({ at: NOW });
  });
});

describe("nextCircuitState: probes", () => {
  it("closes on an accepted probe from any state, keeping Meta's last refusal and the destination", () => {
    for (const before of [empty, closedHolding, openRefused, openNoToken]) {
      const { state, alarm, log } = step(before, { kind: "probe_accepted" });
      expect(state).toEqual({
        ...(before.destination ? { destination: before.destination } : {}),
        open: false,
        probes: 0,
        ...(before.lastFailure ? { lastFailure: before.lastFailure } : {}),
        held: before.held,
      });
      expect([alarm, log]).toEqual([undefined, undefined]); // the object logs the release, and sets the alarm after
    }
  });

  it("counts a refused probe and doubles the wait up to 10 minutes", () => {
    let state: CircuitState = step({ ...empty, held: 1 }, { kind: "hold", destination: "eu", cause: refused }).state;
    const waits: number[] = [];
    for (let probe = 1; probe <= 7; probe++) {
      const now = state.nextProbeAt!;
      state = step(state, { kind: "probe_refused", cause: refused }, now).state;
      expect(state.probes).toBe(probe);
      waits.push(state.nextProbeAt! - now);
    }
    const s = 1000;
    expect(waits).toEqual([60 * s, 120 * s, 240 * s, 480 * s, 600 * s, 600 * s, 600 * s]);
    expect(PROBE_MAX_DELAY_MS).toBe(600 * s);
    expect(state).toMatchObject({ open: true, cause: "meta_refused", since: NOW, lastFailure: kept });
  });

  it("logs each refused probe as an error with the probes so far; a missing token's line has no codes", () => {
    const meta = step(openRefused, { kind: "probe_refused", cause: refused });
    expect(meta.log).toEqual({
      level: "error",
      outcome: "circuit_open",
      destination: "eu",
      reason: "meta_refused",
      held: 3,
      probes: 2,
      status: 400,
      meta_code: 190,
      meta_subcode: 463,
      fbtrace_id: "TR-190",
    });
    expect(meta.alarm).toBeUndefined(); // set once the probe ended (probe_ended)
    for (const kind of ["no_token", "unknown_destination", "settings_unusable"] as const) {
      const { state, log } = step(openRefused, { kind: "probe_refused", cause: { kind } });
      expect(state).toMatchObject({ open: true, cause: kind, probes: 2, nextProbeAt: NOW + 4 * PROBE_FIRST_DELAY_MS });
      expect(state.lastFailure).toEqual(kept);
      expect(log).toEqual({
        level: "error",
        outcome: "circuit_open",
        destination: "eu",
        reason: kind,
        held: 3,
        probes: 2,
      });
    }
  });

  it("opens again, without a new `since`, a closed circuit whose probe is refused", () => {
    const { state } = step(closedHolding, { kind: "probe_refused", cause: refused });
    expect(state).toEqual({
      ...closedHolding,
      open: true,
      cause: "meta_refused",
      probes: 1,
      nextProbeAt: NOW + 60_000,
    });
  });

  it("does not double the wait for a probe Meta could not answer, nor take its answer for the configuration's", () => {
    const { state, log } = step(openRefused, { kind: "probe_transient", failure: metaDown });
    expect(state).toEqual({ ...openRefused, probes: 1, nextProbeAt: NOW + 2 * PROBE_FIRST_DELAY_MS });
    expect(log).toMatchObject({ outcome: "circuit_open", reason: "probe_transient", probes: 1, meta_code: 2 });
    const fresh = step({ ...openNoToken, probes: 0 }, { kind: "probe_transient", failure: metaDown });
    expect(fresh.state).toMatchObject({ cause: "no_token", probes: 0, nextProbeAt: NOW + PROBE_FIRST_DELAY_MS });
    expect(fresh.state.lastFailure).toBeUndefined();
    // Closed with events left, no cause known: it counts as Meta's.
    expect(step(closedHolding, { kind: "probe_transient", failure: metaDown }).state).toMatchObject({
      open: true,
      cause: "meta_refused",
      probes: 0,
    });
  });

  it("after a probe, arms the next one while open or holding: its time, never sooner than a second", () => {
    expect(step(openRefused, { kind: "probe_ended" })).toEqual({
      state: openRefused,
      alarm: { at: openRefused.nextProbeAt },
    });
    expect(step({ ...openRefused, nextProbeAt: NOW }, { kind: "probe_ended" }).alarm).toEqual({ at: NOW + 1000 });
    const { nextProbeAt: _none, ...lost } = openRefused;
    expect(step(lost, { kind: "probe_ended" }).alarm).toEqual({ at: NOW + 2 * PROBE_FIRST_DELAY_MS });
    // Closed with events left (the release failed): soon.
    expect(step(closedHolding, { kind: "probe_ended" }).alarm).toEqual({ at: NOW + PROBE_FIRST_DELAY_MS });
    expect(step(empty, { kind: "probe_ended" })).toEqual({ state: empty });
  });
});

describe("nextCircuitState: the consumer, the console and the status", () => {
  it("probes a token put back at once, once; not a circuit Meta refused, nor a closed one", () => {
    const back = step(openNoToken, { kind: "settings_usable" });
    expect(back).toEqual({ state: { ...openNoToken, nextProbeAt: NOW }, alarm: { at: NOW } });
    expect(step(back.state, { kind: "settings_usable" }, NOW + 10)).toEqual({ state: back.state });
    for (const cause of ["unknown_destination", "settings_unusable"] as const)
      expect(step({ ...openNoToken, cause }, { kind: "settings_usable" }).alarm).toEqual({ at: NOW });
    for (const state of [openRefused, closedHolding, empty])
      expect(step(state, { kind: "settings_usable" })).toEqual({ state });
  });

  it("probes at once on request while open or holding, and leaves an empty closed circuit alone", () => {
    for (const state of [openRefused, openNoToken, closedHolding])
      expect(step(state, { kind: "probe_requested" })).toEqual({ state, alarm: { at: NOW } });
    expect(step(empty, { kind: "probe_requested" })).toEqual({ state: empty });
  });

  it("re-arms a lost alarm when its status is read while it holds events", () => {
    expect(step(openNoToken, { kind: "status_read" })).toEqual({
      state: openNoToken,
      alarm: { at: NOW + 16 * PROBE_FIRST_DELAY_MS, ifNone: true },
    });
    expect(step(closedHolding, { kind: "status_read" }).alarm).toEqual({
      at: NOW + PROBE_FIRST_DELAY_MS,
      ifNone: true,
    });
    expect(step(empty, { kind: "status_read" })).toEqual({ state: empty });
  });

  it("never changes the state it is given", () => {
    const before = structuredClone(openRefused);
    const events: CircuitEvent[] = [
      { kind: "hold", destination: "us", cause: { kind: "no_token" } },
      { kind: "hold", destination: "us", cause: undefined },
      { kind: "probe_accepted" },
      { kind: "probe_refused", cause: refused },
      { kind: "probe_transient", failure: metaDown },
      { kind: "settings_usable" },
      { kind: "probe_requested" },
      { kind: "status_read" },
      { kind: "probe_ended" },
    ];
    for (const event of events) step(openRefused, event);
    expect(openRefused).toEqual(before);
  });
});

describe("circuitStatus and staleLetter", () => {
  it("shows a circuit as the console sees it", () => {
    expect(circuitStatus(openRefused)).toEqual({
      open: true,
      cause: "meta_refused",
      since: NOW - 60_000,
      held: 3,
      probes: 1,
      nextProbeAt: NOW + 30_000,
      lastFailure: kept,
    });
    expect(circuitStatus(empty)).toEqual({ open: false, held: 0, probes: 0 });
  });

  it("dead-letters a stale held event with why it was held and Meta's last refusal", () => {
    const message = queuedEvent({ id: "old", eventTime: NOW / 1000 - 7 * 86_400, pixelId: "555", destination: "eu" });
    expect(staleLetter(openRefused, message, NOW)).toEqual({
      v: 1,
      kind: "dead_letter",
      key: "old@eu",
      message,
      reason: "configuration",
      detail: "held while the destination could not be sent to (meta_refused) until Meta's 7-day window closed",
      status: 400,
      code: 190,
      subcode: 463,
      fbtraceId: "TR-190",
      attempts: 0,
      deadLetteredAt: NOW,
    });
    expect(staleLetter(openNoToken, message, NOW)).not.toHaveProperty("code");
  });
});

describe("nextCircuitState: a sustained transient outage (meta_unavailable)", () => {
  const failed = (requests = 1): CircuitEvent => ({
    kind: "transient_failed",
    destination: "eu",
    requests,
    failure: metaDown,
  });
  /** Reports of one failed request each, `everyMs` apart from NOW; the state after them. */
  const run = (count: number, everyMs: number, from: CircuitState = empty) => {
    let state = from;
    let last;
    for (let i = 0; i < count; i++) {
      last = step(state, failed(), NOW + i * everyMs);
      state = last.state;
    }
    return last!;
  };

  it("counts a run of failures without opening while it is short, or too quick to be an outage", () => {
    const few = run(OUTAGE_MIN_FAILED_REQUESTS - 1, 60_000);
    expect(few.state).toMatchObject({ open: false, failing: { since: NOW, requests: OUTAGE_MIN_FAILED_REQUESTS - 1 } });
    const quick = run(OUTAGE_MIN_FAILED_REQUESTS + 5, 1000);
    expect(quick.state.open).toBe(false);
    expect(circuitStatus(quick.state).failingSince).toBe(NOW);
  });

  it("opens once enough requests failed in a row over long enough: probe in 30 s, an error line", () => {
    const every = Math.ceil(OUTAGE_MIN_MS / (OUTAGE_MIN_FAILED_REQUESTS - 1));
    const opened = run(OUTAGE_MIN_FAILED_REQUESTS, every, { ...empty, held: 0 });
    const at = NOW + (OUTAGE_MIN_FAILED_REQUESTS - 1) * every;
    expect(opened.state).toMatchObject({
      open: true,
      cause: "meta_unavailable",
      since: at,
      nextProbeAt: at + PROBE_FIRST_DELAY_MS,
      lastFailure: { status: 503, code: 2 },
    });
    expect(opened.state.failing).toBeUndefined();
    expect(opened.alarm).toEqual({ at: at + PROBE_FIRST_DELAY_MS });
    expect(opened.log).toMatchObject({ level: "error", outcome: "circuit_opened", reason: "meta_unavailable" });
  });

  it("starts over when a request got through, or after a long quiet gap", () => {
    const counting = run(OUTAGE_MIN_FAILED_REQUESTS - 1, 30_000).state;
    expect(step(counting, { kind: "delivered" }).state.failing).toBeUndefined();
    const later = step(counting, failed(), NOW + 6 * 30_000 + OUTAGE_GAP_MS + 1).state;
    expect(later).toMatchObject({ open: false, failing: { requests: 1 } });
  });

  it("probes at short waits while Meta is still down (the wait does not grow), and closes when a probe gets through", () => {
    const open: CircuitState = { ...openRefused, cause: "meta_unavailable", probes: 0 };
    const still = step(open, { kind: "probe_transient", failure: metaDown });
    expect(still.state).toMatchObject({
      open: true,
      cause: "meta_unavailable",
      nextProbeAt: NOW + PROBE_FIRST_DELAY_MS,
    });
    expect(step(still.state, { kind: "probe_accepted" }).state).toMatchObject({ open: false, probes: 0 });
  });

  it("adds a failed batch to a circuit open already, probing at its time", () => {
    const { state, alarm } = step(openRefused, failed());
    expect(state.open).toBe(true);
    expect(alarm).toEqual({ at: openRefused.nextProbeAt, ifNone: true });
  });
});
