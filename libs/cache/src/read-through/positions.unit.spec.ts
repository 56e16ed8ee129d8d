import { interpretRead } from './cache-scripts';
import { normalizePosition, satisfiesMinimum } from './positions';

describe('positions', () => {
  it('normalizes strings, numbers and bigints to decimal strings', () => {
    expect(normalizePosition('42')).toBe('42');
    expect(normalizePosition(42)).toBe('42');
    expect(normalizePosition(9_223_372_036_854_775_807n)).toBe('9223372036854775807');
  });

  it.each(['', '-1', '01', '1.5', 'abc', ' 1'])('rejects %p', (bad) => {
    expect(() => normalizePosition(bad)).toThrow(/Invalid position/);
  });

  it('rejects negative and unsafe numbers', () => {
    expect(() => normalizePosition(-1)).toThrow();
    expect(() => normalizePosition(2 ** 53)).toThrow();
    expect(() => normalizePosition(-1n)).toThrow();
  });

  it('compares as integers beyond 2^53, not as strings or doubles', () => {
    expect(satisfiesMinimum('10', '9')).toBe(true);
    expect(satisfiesMinimum('9', '10')).toBe(false);
    expect(satisfiesMinimum('9007199254740993', '9007199254740992')).toBe(true);
    expect(satisfiesMinimum('9007199254740992', '9007199254740993')).toBe(false);
    expect(satisfiesMinimum('5', '5')).toBe(true);
  });

  it('an unknown watermark satisfies no minimum, and anything satisfies no minimum', () => {
    expect(satisfiesMinimum(undefined, '0')).toBe(false);
    expect(satisfiesMinimum(undefined, undefined)).toBe(true);
    expect(satisfiesMinimum('0', undefined)).toBe(true);
  });
});

describe('interpretRead (the generation comparison on read)', () => {
  it('serves an entry written under the current key and namespace tokens', () => {
    expect(interpretRead(['k1', 'n1', 'k1', 'n1', '7', '{"a":1}'])).toEqual({
      keyToken: 'k1',
      namespaceToken: 'n1',
      entry: { position: '7', json: '{"a":1}' },
    });
    expect(interpretRead(['k1', '', 'k1', '', '', 'null']).entry).toEqual({ position: undefined, json: 'null' });
  });

  it('ignores an entry of an older key or namespace generation, or none', () => {
    expect(interpretRead(['k2', 'n1', 'k1', 'n1', '7', '1']).entry).toBeUndefined();
    expect(interpretRead(['k1', 'n2', 'k1', 'n1', '7', '1']).entry).toBeUndefined();
    expect(interpretRead(['k1', 'n1', null, null, null, null])).toEqual({ keyToken: 'k1', namespaceToken: 'n1' });
  });
});
