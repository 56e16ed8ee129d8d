import { busyShare, parseMachineTimes } from './machine-quiet';

const STAT = (user: number, idle: number, iowait = 0, steal = 0) =>
  `cpu  ${user} 0 100 ${idle} ${iowait} 5 5 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2 3\n`;

describe('machine quiet', () => {
  it('counts idle and iowait as idle, everything else (steal too) as busy', () => {
    expect(parseMachineTimes(STAT(1000, 5000, 40, 10))).toEqual({ busy: 1120, total: 6160 });
  });

  it('gives the busy share of all cores between two readings', () => {
    const before = parseMachineTimes(STAT(1000, 5000));
    expect(busyShare(before, parseMachineTimes(STAT(1050, 5150)))).toBeCloseTo(0.25);
    expect(busyShare(before, parseMachineTimes(STAT(1000, 5200)))).toBe(0);
    expect(busyShare(before, before)).toBe(0);
  });

  it('refuses a text without the cpu line', () => {
    expect(() => parseMachineTimes('intr 1 2 3\n')).toThrow('no cpu line');
  });
});
