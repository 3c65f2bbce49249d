/**
 * The console's delivery chart: leads delivered, held and refused per hour as stacked bars, and
 * retry attempts (attempts, not leads: one lead may take several) as a line over them, in an
 * inline SVG written as escaped markup by the page's script (no chart library, no `style`
 * attributes for the CSP to refuse: colours come from the page's stylesheet by class).
 * Hours are labelled in UTC; each bar's `<title>` gives its hour and counts on hover.
 *
 * @example
 * ```ts
 * hourChart(model.hours.slice(-24), "24h"); // <figure>…<svg class="chart">…</svg>…</figure>
 * ```
 */
import { html } from "hono/html";
import type { HourPoint } from "../http/console/model";
import type { Html } from "../http/console/layout";

/** The stacked series (leads), bottom of the stack first: label, CSS class, field. */
export const BARS = [
  { key: "sent", label: "leads delivered", className: "s-sent" },
  { key: "held", label: "leads held", className: "s-held" },
  { key: "dead_lettered", label: "leads refused by Meta", className: "s-dead" },
] as const satisfies readonly { key: keyof Omit<HourPoint, "hour">; label: string; className: string }[];

/** The line (attempts, not leads). */
export const LINE = { key: "retried", label: "retry attempts", className: "s-retried" } as const;

/** Every series the legend lists: the bars, then the line. */
export const SERIES = [...BARS, LINE] as const;

const WIDTH = 960;
const HEIGHT = 220;
const LEFT = 36;
const RIGHT = 6;
const TOP = 8;
const BOTTOM = 22;
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * The totals of each series over `points`.
 *
 * @example
 * ```ts
 * chartTotals([{ hour: 0, sent: 3, retried: 1, held: 0, dead_lettered: 0 }]); // { sent: 3, retried: 1, held: 0, dead_lettered: 0 }
 * ```
 */
export function chartTotals(points: readonly HourPoint[]): Record<(typeof SERIES)[number]["key"], number> {
  const totals = { sent: 0, retried: 0, held: 0, dead_lettered: 0 };
  for (const point of points) for (const { key } of SERIES) totals[key] += count(point[key]);
  return totals;
}

/**
 * The smallest "nice" axis maximum (1, 2 or 5 times a power of ten) at or above `value`, at least 1.
 *
 * @example
 * ```ts
 * niceCeiling(7); // 10
 * niceCeiling(13); // 20
 * niceCeiling(0); // 1
 * ```
 */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * The chart of `points` (oldest first, one per hour), with a legend of the totals. `range` names
 * it and decides the axis labels: every 6 hours for a day, every midnight (UTC) for a week.
 *
 * @example
 * ```ts
 * hourChart(model.hours, "7d");
 * ```
 */
export function hourChart(points: readonly HourPoint[], range: "24h" | "7d"): Html {
  const totals = chartTotals(points);
  const period = range === "24h" ? "the last 24 hours" : "the last 7 days";
  const summary = `Per hour over ${period}: ${SERIES.map((s) => `${totals[s.key]} ${s.label}`).join(", ")}`;
  const legend = html`<ul class="legend">${SERIES.map(
    (s) =>
      html`<li data-series="${s.key}"><svg viewBox="0 0 10 10" aria-hidden="true">${s.key === LINE.key ? html`<line class="${s.className} line" x1="0" y1="5" x2="10" y2="5"/>` : html`<rect class="${s.className}" width="10" height="10" rx="2"/>`}</svg>${s.label} <strong>${totals[s.key]}</strong></li>`,
  )}</ul>`;
  if (points.length === 0)
    return html`<figure class="chart-${range}"><p class="muted">No traffic recorded yet.</p>${legend}</figure>`;

  const max = niceCeiling(
    Math.max(
      ...points.map((p) =>
        Math.max(
          BARS.reduce((sum, s) => sum + count(p[s.key]), 0),
          count(p[LINE.key]),
        ),
      ),
    ),
  );
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / points.length;
  const barWidth = Math.max(1, slot * (range === "24h" ? 0.75 : 0.85));
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const gridlines = [0, max / 2, max].map(
    (value) =>
      html`<line class="gridline" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fixed(y(value))}" y2="${fixed(y(value))}"/><text x="${LEFT - 4}" y="${fixed(y(value) + 4)}" text-anchor="end">${formatTick(value)}</text>`,
  );
  const bars = points.map((point, i) => {
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    let base = 0;
    const rects = BARS.map((s) => {
      const value = count(point[s.key]);
      if (value === 0) return "";
      const top = y(base + value);
      const rect = html`<rect class="${s.className}" x="${fixed(x)}" y="${fixed(top)}" width="${fixed(barWidth)}" height="${fixed(y(base) - top)}"/>`;
      base += value;
      return rect;
    });
    const label = `${hourLabel(point.hour)}: ${SERIES.map((s) => `${count(point[s.key])} ${s.label}`).join(", ")}`;
    return html`<g><title>${label}</title><rect fill="transparent" x="${fixed(LEFT + i * slot)}" y="${TOP}" width="${fixed(slot)}" height="${plotHeight}"/>${rects}</g>`;
  });
  const linePoints = points
    .map((point, i) => `${fixed(LEFT + i * slot + slot / 2)},${fixed(y(count(point[LINE.key])))}`)
    .join(" ");
  const line =
    chartTotals(points).retried > 0 ? html`<polyline class="${LINE.className} line" points="${linePoints}"/>` : "";
  const ticks = points.flatMap((point, i) => {
    const date = new Date(point.hour);
    const labelled = range === "24h" ? date.getUTCHours() % 6 === 0 : date.getUTCHours() === 0;
    if (!labelled) return [];
    const text = range === "24h" ? `${pad(date.getUTCHours())}:00` : `${DAYS[date.getUTCDay()]} ${date.getUTCDate()}`;
    return [html`<text x="${fixed(LEFT + i * slot + slot / 2)}" y="${HEIGHT - 6}" text-anchor="middle">${text}</text>`];
  });
  return html`<figure class="chart-${range}">
<div class="chart-frame"><svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${summary}"><title>${summary}</title>${gridlines}${bars}${line}${ticks}</svg></div>
<figcaption class="muted">Per hour, UTC. ${period === "the last 24 hours" ? "Last 24 hours" : "Last 7 days"}.</figcaption>
${legend}
</figure>`;
}

function count(value: number | undefined): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

function fixed(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/**
 * An hour as the chart names it: `2026-11-25 14:00 UTC`.
 *
 * @example
 * ```ts
 * hourLabel(Date.parse("2026-11-25T14:00:00Z")); // "2026-11-25 14:00 UTC"
 * ```
 */
export function hourLabel(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:00 UTC`;
}
