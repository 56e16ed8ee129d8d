/** Summaries of a figure's rounds: median, range, the noise check, the ratio and the verdict. */
import { FigureMetric } from '../figure';

/** A baseline whose rounds vary more than this (max/min - 1) makes the figure VOID. */
export const MAX_BASELINE_VARIATION = 0.1;

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** max/min - 1 (0 for one round; Infinity when min is 0 and max is not). */
  variation: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const variation = min === max ? 0 : min === 0 ? Infinity : max / min - 1;
  return { median, min, max, variation };
}

export type Verdict = 'GOAL' | 'PASS' | 'BELOW FLOOR' | 'VOID' | 'INFO';

export interface Comparison {
  ours: Summary;
  baseline: Summary;
  /** How many times the baseline's result we achieve: >1 is better than the baseline. */
  ratio: number;
  /** The ratio from the least to the most favourable pairing of rounds. */
  ratioRange: [number, number];
  verdict: Verdict;
}

/**
 * Compares the rounds of both sides. The ratio is oriented so that higher is always better for us:
 * ours/baseline for throughput, baseline/ours for latency. VOID when the baseline itself moved more
 * than 10% between rounds: the machine was too noisy for the ratio to mean anything.
 */
export function compare(metric: FigureMetric, ours: number[], baseline: number[]): Comparison {
  const o = summarize(ours);
  const b = summarize(baseline);
  const oriented = (us: number, them: number) => (metric.better === 'higher' ? us / them : them / us);
  const ratio = oriented(o.median, b.median);
  const ratioRange: [number, number] =
    metric.better === 'higher' ? [o.min / b.max, o.max / b.min] : [b.min / o.max, b.max / o.min];
  let verdict: Verdict;
  // The epsilon keeps exactly 10% (110/100 - 1 is 0.10000000000000009 in floating point) valid.
  if (b.variation > MAX_BASELINE_VARIATION + 1e-9) verdict = 'VOID';
  else if (metric.floor === undefined) verdict = 'INFO';
  else if (metric.goal !== undefined && ratio >= metric.goal && withinGoalBound(metric, o.median)) verdict = 'GOAL';
  else if (ratio >= metric.floor) verdict = 'PASS';
  else verdict = 'BELOW FLOOR';
  return { ours: o, baseline: b, ratio, ratioRange, verdict };
}

function withinGoalBound(metric: FigureMetric, ours: number): boolean {
  if (metric.goalBound === undefined) return true;
  return metric.better === 'lower' ? ours <= metric.goalBound : ours >= metric.goalBound;
}

/** Latency percentile (nearest rank) of unsorted samples, in their unit. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
