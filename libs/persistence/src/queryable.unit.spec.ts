import { quoteIdentifier } from './queryable';

describe('quoteIdentifier', () => {
  it('quotes plain lower-case names', () => {
    expect(quoteIdentifier('market_data')).toBe('"market_data"');
  });

  it.each(['Market', 'a"; DROP TABLE events; --', '1abc', '', 'x'.repeat(64), 'has space'])('refuses %j', (name) => {
    expect(() => quoteIdentifier(name)).toThrow(/Invalid SQL identifier/);
  });
});
