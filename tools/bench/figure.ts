/**
 * What a benchmark figure is: our implementation and a baseline measured the same way, side by
 * side, so that the ratio means something on a noisy machine. Each figure lives in
 * `tools/bench/figures/<name>.ts`; the CLI runs them in rounds (see runner.ts).
 */
import { BenchContext } from './lib/context';

/** CPU time spent per operation by one process (or group of processes), in milliseconds. */
export interface CpuShare {
  /** e.g. `command-api`, `postgres (own backends)`, `pgbench`. */
  process: string;
  msPerOp: number;
}

/** One measurement of one side (ours or the baseline) in one round. */
export interface Sample {
  /** The figure's value in its unit (e.g. commands/s, ms). */
  value: number;
  /** Operations counted for CPU per operation (commands, events). */
  operations: number;
  /** Failed operations (non-2xx, errors); a figure with failures says so in its notes. */
  failures?: number;
  cpu: CpuShare[];
  /** Secondary values of this side (the concurrency used, latencies ...), shown in the JSON. */
  details?: Record<string, number | string>;
}

/**
 * A side can produce several figures in one go (e.g. closed-loop throughput, then p50/p99 of a
 * fixed arrival rate run): the first is the figure itself, the others are its `extra` figures.
 */
export type SideResult = Record<string, Sample>;

export interface FigureMetric {
  /** Key in the SideResult. */
  key: string;
  label: string;
  unit: string;
  /** Throughput: higher is better (ratio = ours / baseline); latency: lower is better (ratio = baseline / ours). */
  better: 'higher' | 'lower';
  /** The ratio below which we fail (undefined: informative only). */
  floor?: number;
  /** The ratio we aim for. */
  goal?: number;
  /**
   * An absolute bound that GOAL also requires of our median, in the metric's unit (at most this
   * for `lower`, at least for `higher`): e.g. a lag within 2x its floor AND under 50 ms.
   */
  goalBound?: number;
}

export interface Figure {
  name: string;
  /** One sentence: what is measured on each side. */
  description: { ours: string; baseline: string };
  metrics: FigureMetric[];
  /** Creates databases, topics, processes; may run a sweep to pick the best concurrency. */
  prepare(ctx: BenchContext): Promise<void>;
  runOurs(ctx: BenchContext, round: number): Promise<SideResult>;
  runBaseline(ctx: BenchContext, round: number): Promise<SideResult>;
  /** Stops what prepare started; called even when a round failed. */
  teardown(ctx: BenchContext): Promise<void>;
  /** Facts worth printing under the table (chosen concurrency, what the baseline leaves out ...). */
  notes(): string[];
}
