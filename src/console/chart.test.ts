import { describe, expect, it } from "vitest";
import { BARS, chartTotals, hourChart, hourLabel, niceCeiling } from "./chart";
import { htmlText } from "../http/console/layout";
import type { HourPoint } from "../http/console/model";

const HOUR = 3_600_000;
const START = Date.parse("2026-11-24T19:00:00Z");

function hours(n: number, at: (i: number) => Partial<HourPoint> = () => ({})): HourPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    hour: START + i * HOUR,
    sent: 0,
    retried: 0,
    dead_lettered: 0,
    held: 0,
    ...at(i),
  }));
}

/** The bars of one hour: each series' rect height, by class. */
function barsOf(svg: string, hour: number): Record<string, number> {
  const group = svg.split("<g>").find((g) => g.startsWith(`<title>${hourLabel(hour)}:`))!;
  return Object.fromEntries(
    [...group.matchAll(/<rect class="(s-[a-z]+)"[^>]* height="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])]),
  );
}

describe("niceCeiling", () => {
  it.each([
    [0, 1],
    [-3, 1],
    [Number.NaN, 1],
    [1, 1],
    [1.5, 2],
    [7, 10],
    [10, 10],
    [13, 20],
    [41, 50],
    [51, 100],
    [999, 1000],
  ])("%s → %s", (value, nice) => {
    expect(niceCeiling(value)).toBe(nice);
  });
});

describe("chartTotals", () => {
  it("adds up each series, ignoring what is not a positive count", () => {
    const points = hours(3, (i) => ({
      sent: i + 1,
      retried: i === 1 ? 2 : 0,
      held: -1,
      dead_lettered: i === 2 ? Number.NaN : 1,
    }));
    expect(chartTotals(points)).toEqual({ sent: 6, retried: 2, held: 0, dead_lettered: 2 });
  });
});

describe("hourLabel", () => {
  it("names an hour in UTC", () => {
    expect(hourLabel(Date.parse("2026-11-25T04:00:00Z"))).toBe("2026-11-25 04:00 UTC");
  });
});

describe("hourChart", () => {
  it("stacks each hour's leads bottom up, heights in proportion to the counts, and draws attempts as a line", () => {
    const points = hours(24, (i) =>
      i === 5 ? { sent: 6, retried: 2, held: 2, dead_lettered: 1 } : i === 6 ? { sent: 3, retried: 4 } : {},
    );
    const svg = htmlText(hourChart(points, "24h"));
    const five = barsOf(svg, points[5]!.hour);
    const six = barsOf(svg, points[6]!.hour);
    expect(Object.keys(five)).toEqual(BARS.map((s) => s.className));
    expect(five["s-sent"]! / five["s-held"]!).toBeCloseTo(3, 1);
    expect(five["s-held"]! / five["s-dead"]!).toBeCloseTo(2, 1);
    expect(six["s-sent"]! / five["s-sent"]!).toBeCloseTo(0.5, 1);
    expect(five).not.toHaveProperty("s-retried");
    const ys = [
      ...svg
        .split("<g>")
        .find((g) => g.startsWith(`<title>${hourLabel(points[5]!.hour)}`))!
        .matchAll(/class="s-[a-z]+" x="[\d.]+" y="([\d.]+)"/g),
    ].map((m) => Number(m[1]));
    expect(ys).toEqual([...ys].sort((a, b) => b - a));
    // One point per hour, on the same scale as the bars: 4 attempts stand twice as high as 2.
    const line = /<polyline class="s-retried line" points="([^"]+)"/.exec(svg)![1]!.split(" ");
    expect(line).toHaveLength(24);
    const y = (point: string) => Number(point.split(",")[1]);
    const base = y(line[0]!);
    expect((base - y(line[6]!)) / (base - y(line[5]!))).toBeCloseTo(2, 1);
  });

  it("draws no line when no attempt failed", () => {
    const svg = htmlText(
      hourChart(
        hours(24, () => ({ sent: 1 })),
        "24h",
      ),
    );
    expect(svg).not.toContain("<polyline");
  });

  it("draws no bar for an empty hour, and still names it on hover", () => {
    const points = hours(24);
    const svg = htmlText(hourChart(points, "24h"));
    expect(svg).not.toMatch(/<rect class="s-[a-z]+" x=/);
    expect(svg).toContain(
      `<title>${hourLabel(points[0]!.hour)}: 0 leads delivered, 0 leads held, 0 leads refused by Meta, 0 retry attempts</title>`,
    );
  });

  it("labels a day every 6 hours and a week at each UTC midnight", () => {
    const day = htmlText(hourChart(hours(24), "24h"));
    expect([...day.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) => m[1])).toEqual([
      "00:00",
      "06:00",
      "12:00",
      "18:00",
    ]);
    const week = htmlText(hourChart(hours(168), "7d"));
    expect([...week.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) => m[1])).toEqual([
      "Wed 25",
      "Thu 26",
      "Fri 27",
      "Sat 28",
      "Sun 29",
      "Mon 30",
      "Tue 1",
    ]);
  });

  it("scales the axis to a nice maximum above the busiest hour's leads or attempts", () => {
    const svg = htmlText(
      hourChart(
        hours(24, (i) => (i === 3 ? { sent: 9, held: 4, retried: 30 } : {})),
        "24h",
      ),
    );
    expect([...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1])).toEqual(["0", "25", "50"]);
  });

  it("says what it shows in words, for screen readers", () => {
    const svg = htmlText(
      hourChart(
        hours(24, () => ({ sent: 2, dead_lettered: 1 })),
        "24h",
      ),
    );
    expect(svg).toContain(
      'aria-label="Per hour over the last 24 hours: 48 leads delivered, 0 leads held, 24 leads refused by Meta, 0 retry attempts"',
    );
  });

  it("says there is no traffic yet when there are no hours", () => {
    const figure = htmlText(hourChart([], "7d"));
    expect(figure).toContain("No traffic recorded yet.");
    expect(figure).not.toContain('<svg class="chart"');
  });
});
