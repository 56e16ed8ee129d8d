/**
 * Runs figures side by side: in each round both sides run, the order alternating from one round
 * to the next (baseline, ours | ours, baseline | baseline, ours ...), so that a slow drift of the
 * machine (other jobs, a warming cache, a growing table) hits both sides alike.
 */
import { Figure, SideResult } from './figure';
import { BenchContext } from './lib/context';
import { QuietResult, untilMachineQuiet } from './lib/machine-quiet';
import { compare, Comparison, summarize } from './lib/stats';

export interface RoundRecord {
  round: number;
  order: ('ours' | 'baseline')[];
  ours: SideResult;
  baseline: SideResult;
  /** The wait for a quiet machine before each side (absent with --no-quiet-wait). */
  quiet?: Partial<Record<'ours' | 'baseline', QuietResult>>;
}

export interface MetricReport extends Comparison {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  floor?: number;
  goal?: number;
  goalBound?: number;
  oursRounds: number[];
  baselineRounds: number[];
  /** Failed operations over all rounds, per side. */
  failures: { ours: number; baseline: number };
}

export interface FigureReport {
  name: string;
  description: { ours: string; baseline: string };
  metrics: MetricReport[];
  /** Median CPU ms per operation of each process, per side, for the figure's first metric. */
  cpu: { ours: Record<string, number>; baseline: Record<string, number> };
  rounds: RoundRecord[];
  notes: string[];
  error?: string;
}

export async function runFigure(figure: Figure, ctx: BenchContext): Promise<FigureReport> {
  const rounds: RoundRecord[] = [];
  const report: FigureReport = {
    name: figure.name,
    description: figure.description,
    metrics: [],
    cpu: { ours: {}, baseline: {} },
    rounds,
    notes: [],
  };
  try {
    ctx.progress(`${figure.name}: preparing`);
    await figure.prepare(ctx);
    for (let round = 1; round <= ctx.options.rounds; round++) {
      const order: RoundRecord['order'] = round % 2 === 1 ? ['baseline', 'ours'] : ['ours', 'baseline'];
      const results: Partial<Record<'ours' | 'baseline', SideResult>> = {};
      const quiet: RoundRecord['quiet'] = ctx.options.quietWait ? {} : undefined;
      for (const side of order) {
        ctx.progress(`${figure.name}: round ${round}/${ctx.options.rounds}, ${side}`);
        if (quiet) quiet[side] = await waitForQuiet(ctx);
        const result = side === 'ours' ? await figure.runOurs(ctx, round) : await figure.runBaseline(ctx, round);
        const first = result[figure.metrics[0].key];
        ctx.progress(`  -> ${formatValue(first.value)} ${figure.metrics[0].unit}`);
        results[side] = result;
      }
      rounds.push({ round, order, ours: results.ours!, baseline: results.baseline!, quiet });
    }
  } catch (error) {
    report.error = (error as Error).stack ?? String(error);
    ctx.progress(`${figure.name}: FAILED: ${(error as Error).message}`);
  } finally {
    await figure
      .teardown(ctx)
      .catch((error: Error) => ctx.progress(`${figure.name}: teardown failed: ${error.message}`));
  }
  report.notes = figure.notes();
  if (rounds.length === 0) return report;
  for (const metric of figure.metrics) {
    const ours = rounds.map((r) => r.ours[metric.key].value);
    const baseline = rounds.map((r) => r.baseline[metric.key].value);
    report.metrics.push({
      key: metric.key,
      label: metric.label,
      unit: metric.unit,
      better: metric.better,
      floor: metric.floor,
      goal: metric.goal,
      goalBound: metric.goalBound,
      oursRounds: ours,
      baselineRounds: baseline,
      failures: {
        ours: rounds.reduce((sum, r) => sum + (r.ours[metric.key].failures ?? 0), 0),
        baseline: rounds.reduce((sum, r) => sum + (r.baseline[metric.key].failures ?? 0), 0),
      },
      ...compare(metric, ours, baseline),
    });
  }
  const main = figure.metrics[0].key;
  for (const side of ['ours', 'baseline'] as const) {
    const byProcess = new Map<string, number[]>();
    for (const r of rounds) {
      for (const share of r[side][main].cpu)
        byProcess.set(share.process, [...(byProcess.get(share.process) ?? []), share.msPerOp]);
    }
    for (const [process, values] of byProcess) report.cpu[side][process] = summarize(values).median;
  }
  return report;
}

/** Waits for the machine to be quiet; says so only when that took a while or did not happen. */
async function waitForQuiet(ctx: BenchContext): Promise<QuietResult> {
  const result = await untilMachineQuiet();
  const busy = `${(result.busy * 100).toFixed(0)}% busy`;
  if (!result.quiet)
    ctx.progress(`  the machine is still ${busy} after ${(result.waitedMs / 1000).toFixed(0)} s; running anyway`);
  else if (result.waitedMs > 1_500)
    ctx.progress(`  waited ${(result.waitedMs / 1000).toFixed(1)} s for a quiet machine (${busy})`);
  return result;
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
