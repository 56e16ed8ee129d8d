import { envelopesOf, sample } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { planBatch, StreamBefore, streamKey } from './batch-plan';
import { ProjectedEvent } from './projected-event';

/** A fold that records the versions it was handed, in order: the row shows what was applied, when. */
const recordVersions = (row: number[] | null, event: ProjectedEvent) => [...(row ?? []), event.streamVersion];

function stream(count: number, firstVersion = 1): ProjectedEvent[] {
  return envelopesOf(
    'connector-profile',
    randomUUID(),
    Array.from({ length: count }, () => sample.connectorDisabled()),
    { firstVersion },
  ) as ProjectedEvent[];
}

function startingAt(events: ProjectedEvent[], version: number, waiting: ProjectedEvent[] = [], skipped: number[] = []) {
  const before = new Map<number, ProjectedEvent | null>(waiting.map((event) => [event.streamVersion, event]));
  for (const skip of skipped) before.set(skip, null);
  const row = version === 0 ? null : Array.from({ length: version }, (_, i) => i + 1);
  return [streamKey(events[0].streamType, events[0].streamId), { version, row, waiting: before }] as [
    string,
    StreamBefore<number[]>,
  ];
}

describe('planBatch', () => {
  it('folds each stream in version order whatever the arrival order; an early event waits for its predecessor', () => {
    const [v1, v2, v3, v4] = stream(4);
    const plan = planBatch([v3, v1, v4, v2], new Set(), new Map([startingAt([v1], 0)]), recordVersions);
    expect(plan.outcomes).toEqual(['pending', 'applied', 'pending', 'applied']);
    expect(plan.applied.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4]);
    expect(plan.drained.map((event) => event.streamVersion)).toEqual([3, 4]);
    expect(plan.streams).toEqual([
      expect.objectContaining({ version: 4, position: v4.position, row: [1, 2, 3, 4], folded: true }),
    ]);
    expect(plan.park).toEqual([]);
  });

  it('drops a repeated event (same position) and an old version; parks what still has a gap before it', () => {
    const [v1, v2, v3, , v5] = stream(5);
    const oldVersion = { ...v2, id: randomUUID(), position: String(BigInt(v5.position) + 1n) };
    const plan = planBatch(
      [v2, v2, v1, oldVersion, v5, v5, v3],
      new Set([v1.position]),
      new Map([startingAt([v1], 1)]),
      recordVersions,
    );
    expect(plan.outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'stale', 'pending', 'pending', 'applied']);
    expect(plan.applied.map((event) => event.streamVersion)).toEqual([2, 3]);
    expect(plan.park).toEqual([v5]);
    expect(plan.streams[0]).toMatchObject({ version: 3, row: [1, 2, 3], consumedWaiting: false });
  });

  it('applies events waiting in the database behind the batch, and passes over skipped versions', () => {
    const [v1, v2, , v4, v5] = stream(5);
    const plan = planBatch([v1], new Set(), new Map([startingAt([v1], 0, [v2, v4, v5], [3])]), recordVersions);
    expect(plan.outcomes).toEqual(['applied']);
    expect(plan.applied.map((event) => event.streamVersion)).toEqual([1, 2, 4, 5]);
    expect(plan.drained).toEqual([v2, v4, v5]);
    expect(plan.streams[0]).toMatchObject({ version: 5, row: [1, 2, 4, 5], consumedWaiting: true });
    expect(plan.park).toEqual([]);
  });

  it('does not park an event again that already waits in the database', () => {
    const [, , v3] = stream(3);
    const plan = planBatch([v3], new Set(), new Map([startingAt([v3], 1, [v3])]), recordVersions);
    expect(plan.outcomes).toEqual(['pending']);
    expect(plan.park).toEqual([]);
    expect(plan.streams).toEqual([]);
  });

  it('keeps streams apart: a gap in one holds back only that one', () => {
    const [a1, a2] = stream(2);
    const [, b2] = stream(2);
    const plan = planBatch(
      [b2, a1, a2],
      new Set(),
      new Map([startingAt([a1], 0), startingAt([b2], 0)]),
      recordVersions,
    );
    expect(plan.outcomes).toEqual(['pending', 'applied', 'applied']);
    expect(plan.streams.map((moved) => moved.streamId)).toEqual([a1.streamId]);
    expect(plan.park).toEqual([b2]);
  });

  it('fails as a whole when a fold throws (the engine then goes one event at a time)', () => {
    const [v1, v2] = stream(2);
    const failing = (row: number[] | null, event: ProjectedEvent) => {
      if (event.streamVersion === 2) throw new Error('cannot apply v2');
      return recordVersions(row, event);
    };
    expect(() => planBatch([v1, v2], new Set(), new Map([startingAt([v1], 0)]), failing)).toThrow('cannot apply v2');
  });
});
