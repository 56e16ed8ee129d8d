import { RequestValidationException } from '@analytics/http';
import { CacheKeys, listKey, ListNamespaces, ProjectionChanges } from '../shared/query-cache';
import { ConsistencyConfig } from './consistency.config';
import { parseMinPosition, waitBudget } from './read-your-writes';
import { StallDetector } from './stall-detector';

describe('StallDetector (injected clock)', () => {
  let now = 0;
  const detector = () => new StallDetector(30_000, () => now);

  beforeEach(() => (now = 1_000_000));

  it('a consumer with lag that makes no progress for the stall time is stalled, not before', () => {
    const stall = detector();
    expect(stall.observe({ lag: 5, progress: 10n })).toMatchObject({ stalled: false, idleMs: 0 });
    now += 29_999;
    expect(stall.observe({ lag: 5, progress: 10n })).toMatchObject({ stalled: false, idleMs: 29_999 });
    now += 1;
    expect(stall.observe({ lag: 5, progress: 10n })).toEqual({ stalled: true, lag: 5, idleMs: 30_000 });
  });

  it('any progress restarts the clock; a slow consumer that moves is never stalled', () => {
    const stall = detector();
    for (let i = 0; i < 10; i++) {
      now += 20_000;
      expect(stall.observe({ lag: 1_000, progress: BigInt(i) }).stalled).toBe(false);
    }
  });

  it('caught up (lag 0) is never a stall, however long nothing happens; the clock starts when lag appears', () => {
    const stall = detector();
    stall.observe({ lag: 0, progress: 7n });
    now += 3_600_000;
    expect(stall.observe({ lag: 0, progress: 7n }).stalled).toBe(false);
    expect(stall.observe({ lag: 2, progress: 7n })).toMatchObject({ stalled: false, idleMs: 0 });
    now += 30_000;
    expect(stall.observe({ lag: 2, progress: 7n }).stalled).toBe(true);
    now += 1;
    expect(stall.observe({ lag: 0, progress: 9n }).stalled).toBe(false);
  });
});

describe('X-Min-Position and X-Max-Wait-Ms', () => {
  const config: ConsistencyConfig = {
    timeoutMs: 2_000,
    maxWaitMs: 10_000,
    pollMs: 20,
    maxWaiters: 10,
    stallAfterMs: 30_000,
    lagIntervalMs: 5_000,
  };

  it('takes digits within bigint, canonical', () => {
    expect(parseMinPosition(undefined)).toBeUndefined();
    expect(parseMinPosition('42')).toBe('42');
    expect(parseMinPosition('007')).toBe('7');
    expect(parseMinPosition('9223372036854775807')).toBe('9223372036854775807');
  });

  it.each(['', 'abc', '-1', '1.5', '1e3', '9223372036854775808', '99999999999999999999', ['1', '2']])(
    'refuses %p with a 400 problem',
    (value) => {
      expect(() => parseMinPosition(value as string)).toThrow(RequestValidationException);
    },
  );

  it('waits the default, or what X-Max-Wait-Ms asks, never above the cap', () => {
    expect(waitBudget(undefined, config)).toBe(2_000);
    expect(waitBudget('150', config)).toBe(150);
    expect(waitBudget('0', config)).toBe(0);
    expect(waitBudget('60000', config)).toBe(10_000);
    expect(waitBudget(undefined, { ...config, maxWaitMs: 500 })).toBe(500);
    expect(() => waitBudget('soon', config)).toThrow(RequestValidationException);
  });
});

describe('cache keys and what a projection transaction invalidates', () => {
  it('a list key depends on the validated parameters, not on their order or undefined ones', () => {
    const a = listKey(ListNamespaces.serviceProposals, { clientId: 'acme', status: undefined, limit: 50 });
    const b = listKey(ListNamespaces.serviceProposals, { limit: 50, clientId: 'acme' });
    expect(a).toBe(b);
    expect(a).toMatch(/^service-proposals:list:/);
    expect(listKey(ListNamespaces.serviceProposals, { limit: 51, clientId: 'acme' })).not.toBe(a);
    expect(listKey(ListNamespaces.connectorProfiles, { limit: 50, clientId: 'acme' })).not.toBe(a);
  });

  it('a changed profile drops its detail, every profile list page, its client overview and the client list', () => {
    const changes = new ProjectionChanges();
    expect(changes.empty).toBe(true);
    changes.changed('connector-profile', 'AAAAAAAA-0000-0000-0000-000000000001', 'acme');
    changes.applied('17', '2026-01-01T00:00:00.000Z');
    changes.applied('12', '2025-12-31T00:00:00.000Z');
    expect([...changes.keys].sort()).toEqual([
      CacheKeys.clientOverview('acme'),
      'connector-profile:aaaaaaaa-0000-0000-0000-000000000001',
    ]);
    expect([...changes.namespaces].sort()).toEqual(['clients', 'connector-profiles']);
    expect(changes.positions).toEqual(['17', '12']);
    expect(changes.latestOccurredAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('a client-config change drops only the overview and the client list', () => {
    const changes = new ProjectionChanges();
    changes.changed('client-config', 'c0ffee00-0000-0000-0000-000000000000', 'acme');
    expect([...changes.keys]).toEqual(['client-overview:acme']);
    expect([...changes.namespaces]).toEqual(['clients']);
  });
});
