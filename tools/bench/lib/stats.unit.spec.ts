import { FigureMetric } from '../figure';
import { compare, percentile, summarize } from './stats';

const throughput: FigureMetric = { key: 't', label: 't', unit: '/s', better: 'higher', floor: 0.3, goal: 0.6 };
const latency: FigureMetric = { key: 'p99', label: 'p99', unit: 'ms', better: 'lower' };

describe('bench statistics', () => {
  it('summarizes rounds as median and range', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, variation: 2 });
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
  });

  it('voids a figure whose baseline varies more than 10% between rounds', () => {
    expect(compare(throughput, [50, 50, 50], [100, 105, 111]).verdict).toBe('VOID');
    expect(compare(throughput, [50, 50, 50], [100, 105, 110]).verdict).toBe('PASS');
  });

  it('grades the ratio against floor and goal', () => {
    expect(compare(throughput, [20, 20, 20], [100, 100, 100]).verdict).toBe('BELOW FLOOR');
    expect(compare(throughput, [60, 61, 62], [100, 100, 100]).verdict).toBe('GOAL');
  });

  it('orients latency ratios so that higher is better for us', () => {
    const result = compare(latency, [10, 20, 40], [5, 5, 5]);
    expect(result.ratio).toBe(0.25);
    expect(result.ratioRange).toEqual([0.125, 0.5]);
    expect(result.verdict).toBe('INFO');
  });

  it('gives GOAL only within the absolute goal bound, when the metric has one', () => {
    const bounded: FigureMetric = { ...latency, floor: 0.2, goal: 0.5, goalBound: 50 };
    expect(compare(bounded, [40, 40, 40], [30, 30, 30]).verdict).toBe('GOAL');
    expect(compare(bounded, [80, 80, 80], [60, 60, 60]).verdict).toBe('PASS');
    expect(compare(bounded, [400, 400, 400], [60, 60, 60]).verdict).toBe('BELOW FLOOR');
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
});
