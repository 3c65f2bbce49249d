import { describe, expect, it } from "vitest";
import { IDS_PER_LINE } from "./log";
import { flushSummaries, SUMMARY_AFTER_MS, type SummaryKind, summariseAccepted } from "./logSummary";

const QUEUED: SummaryKind = { msg: "webhook", route: "webhook", outcome: "queued", status: 202 };
const BODIES: SummaryKind = { msg: "collect", route: "collect", outcome: "queued", status: 202 };

/** A log that keeps its lines, and a clock whose waits end when the test says. */
function world() {
  const lines: Record<string, unknown>[] = [];
  const sink = (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>);
  const waits: { ms: number; end: () => void }[] = [];
  const kept: Promise<unknown>[] = [];
  const schedule = {
    sleep: (ms: number) => new Promise<void>((end) => waits.push({ ms, end })),
    waitUntil: (promise: Promise<unknown>) => void kept.push(promise),
  };
  /** Ends every wait so far, and lets the writes they hold run. */
  const second = async () => {
    for (const wait of waits.splice(0)) wait.end();
    await Promise.all(kept.splice(0));
  };
  return { lines, sink, schedule, waits, kept, second };
}

describe("summariseAccepted", () => {
  it("writes nothing at once, then one line after a second with the request's ids and latency", async () => {
    const w = world();
    summariseAccepted(w.sink, QUEUED, { event_id: "e1", studio_event_id: "s1", latency_ms: 3 }, w.schedule);
    expect(w.lines).toEqual([]);
    expect(w.waits.map((wait) => wait.ms)).toEqual([SUMMARY_AFTER_MS]);
    await w.second();
    expect(w.lines).toEqual([
      {
        level: "info",
        msg: "webhook",
        route: "webhook",
        outcome: "queued",
        status: 202,
        requests: 1,
        event_ids: ["e1"],
        studio_event_ids: ["s1"],
        latency_ms: 3,
      },
    ]);
  });

  it("sums the requests of a second in one line: every id in order, the slowest latency, the events", async () => {
    const w = world();
    summariseAccepted(w.sink, QUEUED, { event_id: "e1", latency_ms: 3 }, w.schedule);
    summariseAccepted(w.sink, QUEUED, { event_id: "e2", studio_event_id: "s2", latency_ms: 9 }, w.schedule);
    summariseAccepted(w.sink, QUEUED, { event_id: "e3", latency_ms: 4 }, w.schedule);
    summariseAccepted(w.sink, BODIES, { events: 5, latency_ms: 2 }, w.schedule);
    summariseAccepted(w.sink, BODIES, { events: 3, latency_ms: 1 }, w.schedule);
    expect(w.waits).toHaveLength(2); // one per kind of line, not one per request
    await w.second();
    expect(w.lines).toEqual([
      expect.objectContaining({
        msg: "webhook",
        requests: 3,
        event_ids: ["e1", "e2", "e3"],
        studio_event_ids: ["s2"],
        latency_ms: 9,
      }),
      {
        level: "info",
        msg: "collect",
        route: "collect",
        outcome: "queued",
        status: 202,
        requests: 2,
        batch_size: 8,
        latency_ms: 2,
      },
    ]);
  });

  it("keeps lines of different outcomes and statuses apart", async () => {
    const w = world();
    summariseAccepted(w.sink, BODIES, { events: 1, latency_ms: 1 }, w.schedule);
    summariseAccepted(w.sink, { ...BODIES, outcome: "bot" }, { events: 2, latency_ms: 1 }, w.schedule);
    await w.second();
    expect(w.lines.map((line) => [line.outcome, line.batch_size])).toEqual([
      ["queued", 1],
      ["bot", 2],
    ]);
  });

  it(`writes a line at once when its ids reach ${IDS_PER_LINE}, and its scheduled write then adds nothing`, async () => {
    const w = world();
    for (let i = 0; i < IDS_PER_LINE; i++)
      summariseAccepted(w.sink, QUEUED, { event_id: `e${i}`, latency_ms: 1 }, w.schedule);
    expect(w.lines).toHaveLength(1);
    expect(w.lines[0]).toMatchObject({ requests: IDS_PER_LINE });
    expect((w.lines[0]!.event_ids as string[]).length).toBe(IDS_PER_LINE);
    summariseAccepted(w.sink, QUEUED, { event_id: "next", latency_ms: 1 }, w.schedule);
    await w.second();
    expect(w.lines).toHaveLength(2);
    expect(w.lines[1]).toMatchObject({ requests: 1, event_ids: ["next"] });
  });

  it("keeps the write alive through the request's waitUntil", () => {
    const w = world();
    summariseAccepted(w.sink, QUEUED, { event_id: "e1", latency_ms: 1 }, w.schedule);
    summariseAccepted(w.sink, QUEUED, { event_id: "e2", latency_ms: 1 }, w.schedule);
    expect(w.kept).toHaveLength(1);
  });

  it("still writes the line without a waitUntil (no execution context)", async () => {
    const w = world();
    summariseAccepted(w.sink, QUEUED, { event_id: "e1", latency_ms: 1 }, { sleep: w.schedule.sleep });
    for (const wait of w.waits.splice(0)) wait.end();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(w.lines).toHaveLength(1);
  });

  it("keeps each log's lines to itself", async () => {
    const a = world();
    const b = world();
    summariseAccepted(a.sink, QUEUED, { event_id: "a1", latency_ms: 1 }, a.schedule);
    summariseAccepted(b.sink, QUEUED, { event_id: "b1", latency_ms: 1 }, b.schedule);
    await a.second();
    await b.second();
    expect(a.lines.map((line) => line.event_ids)).toEqual([["a1"]]);
    expect(b.lines.map((line) => line.event_ids)).toEqual([["b1"]]);
  });

  it("escapes an invisible character of an id, as every log line does", () => {
    const raw: string[] = [];
    const sink = (line: string) => void raw.push(line);
    summariseAccepted(sink, QUEUED, { event_id: "e\u202e1", latency_ms: 1 }, { sleep: () => new Promise(() => {}) });
    flushSummaries(sink);
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain("\u202e");
    expect(JSON.parse(raw[0]!)).toMatchObject({ event_ids: ["e\u202e1"] });
  });
});

describe("flushSummaries", () => {
  it("writes every pending line now, and the scheduled writes then add nothing", async () => {
    const w = world();
    summariseAccepted(w.sink, QUEUED, { event_id: "e1", latency_ms: 1 }, w.schedule);
    summariseAccepted(w.sink, BODIES, { events: 2, latency_ms: 1 }, w.schedule);
    flushSummaries(w.sink);
    expect(w.lines).toHaveLength(2);
    await w.second();
    expect(w.lines).toHaveLength(2);
  });

  it("writes nothing for a log with nothing pending", () => {
    const lines: string[] = [];
    flushSummaries((line) => void lines.push(line));
    expect(lines).toEqual([]);
  });
});
