import { instant, laterOf, maxPosition } from './instants';

/** A seeded generator, so that a failure names inputs that reproduce it. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

describe('instants and positions as the folds compare them', () => {
  const next = random(7);
  const int = (below: number) => Math.floor(next() * below);

  /** Instants in many spellings, valid or not: month 13, day 31 of short months, second 60. */
  const instants = Array.from({ length: 5_000 }, () => {
    const text =
      `${pad(int(10_000), 4)}-${pad(int(14), 2)}-${pad(int(33), 2)}T` +
      `${pad(int(25), 2)}:${pad(int(61), 2)}:${pad(int(61), 2)}.${pad(int(1_000), 3)}Z`;
    return int(10) === 0 ? text.replace('Z', '+02:00') : text;
  });
  const valid = instants.filter((text) => !Number.isNaN(Date.parse(text)));

  it('instant() answers what Date prints, for every valid spelling, and refuses the others alike', () => {
    expect(valid.length).toBeGreaterThan(1_000);
    for (const text of instants) {
      const byDate = Number.isNaN(Date.parse(text)) ? 'invalid' : new Date(text).toISOString();
      let ours: string;
      try {
        ours = instant(text);
      } catch {
        ours = 'invalid';
      }
      expect([text, ours]).toEqual([text, byDate]);
    }
  });

  it('laterOf() picks what comparing the parsed instants picks', () => {
    const stored = valid.map((text) => new Date(text).toISOString());
    for (let i = 0; i + 1 < stored.length; i++) {
      const [a, b] = [stored[i], i % 3 === 0 ? valid[i + 1] : stored[i + 1]];
      const byDate = Date.parse(a) >= Date.parse(b) ? a : b;
      expect([a, b, laterOf(a, b)]).toEqual([a, b, byDate]);
    }
    expect(laterOf(null, stored[0])).toBe(stored[0]);
    expect(laterOf(stored[0], null)).toBe(stored[0]);
  });

  it('maxPosition() picks what comparing the numbers picks, leading zeros and lengths included', () => {
    const digits = () => {
      const length = 1 + int(20);
      return Array.from({ length }, () => String(int(10))).join('');
    };
    for (let i = 0; i < 5_000; i++) {
      const [a, b] = [digits(), i % 7 === 0 ? `0${digits()}` : digits()];
      const byNumber = BigInt(a) >= BigInt(b) ? a : b;
      expect([a, b, maxPosition(a, b)]).toEqual([a, b, byNumber]);
    }
  });
});
