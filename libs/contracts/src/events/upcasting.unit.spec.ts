import { UpcasterRegistry } from './upcasting';
import { upcasters } from './catalog';

describe('upcasting', () => {
  const registry = new UpcasterRegistry([
    { type: 'thing.named', fromVersion: 1, upcast: (data) => ({ ...(data as object), label: 'unnamed' }) },
    {
      type: 'thing.named',
      fromVersion: 2,
      upcast: (data) => {
        const { label, ...rest } = data as { label: string };
        return { ...rest, labels: [label] };
      },
    },
  ]);

  it('reads a version 1 event through every step up to the newest version', () => {
    expect(registry.upcast({ type: 'thing.named', schemaVersion: 1, data: { size: 3 } })).toEqual({
      type: 'thing.named',
      schemaVersion: 3,
      data: { size: 3, labels: ['unnamed'] },
    });
  });

  it('leaves current events and unknown types as they are', () => {
    const current = { type: 'thing.named', schemaVersion: 3, data: { labels: [] } };
    expect(registry.upcast(current)).toBe(current);
    const other = { type: 'other.thing', schemaVersion: 1, data: {} };
    expect(registry.upcast(other)).toBe(other);
  });

  it('refuses two upcasters for the same step', () => {
    const step = { type: 'thing.named', fromVersion: 1, upcast: (data: unknown) => data };
    expect(() => new UpcasterRegistry([step, step])).toThrow(/Two upcasters/);
  });

  it('reads client-config.created v1 (before feature flags) as v2 with no flag set', () => {
    const v1 = { type: 'client-config.created', schemaVersion: 1, data: { clientId: 'acme', settings: {} } };
    expect(upcasters.upcast(v1)).toEqual({
      type: 'client-config.created',
      schemaVersion: 2,
      data: { clientId: 'acme', settings: {}, featureFlags: {} },
    });
  });
});
