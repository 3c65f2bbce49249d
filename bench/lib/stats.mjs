/**
 * Small statistics helpers for the benchmarks: medians with their spread.
 *
 * @example
 * summary([3, 1, 2]) // { median: 2, min: 1, max: 3, q1: 1.5, q3: 2.5, n: 3 }
 */

/** Quantile by linear interpolation between closest ranks (q in [0, 1]). */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median, quartiles, min and max of a list of numbers. */
export function summary(values) {
  return {
    median: quantile(values, 0.5),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

/** Format a number with a sensible number of significant digits. */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(digits)).toString();
}

/** "median (min–max)" for a summary. */
export function spread(s, digits = 3) {
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}
