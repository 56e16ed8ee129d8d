import { FAULT_KINDS } from '../tools/soak/chaos';
import { runSoak } from '../tools/soak/soak';

const DURATION_MS = Number(process.env.FAULT_SOAK_DURATION_MS ?? 120_000);

/**
 * The short fault soak (`npm run test:faults` runs it on its own, `-- --long` for 15 minutes):
 * a steady command load for 2 minutes while a chaos script kill -9s both apps, restarts Kafka,
 * pauses Postgres, kills a Postgres backend and stops Redis, all on the soak's own services.
 * Then every invariant of tools/soak/checker.ts must hold.
 */
describe('fault soak (short)', () => {
  it(
    `keeps every invariant through ${DURATION_MS / 1000} s of faults`,
    async () => {
      const result = await runSoak({ durationMs: DURATION_MS, convergeTimeoutMs: 60_000, log: () => undefined });
      console.log(result.report);
      expect(result.violations).toEqual([]);
      // The chaos did happen, and the load got through it.
      expect([...new Set(result.faults.map((fault) => fault.kind))].sort()).toEqual([...FAULT_KINDS].sort());
      expect(result.summary.acknowledged).toBeGreaterThan(100);
      // (Not one event per acknowledgement: a command that changes nothing, e.g. a flag set to its
      // value, answers 200 with the stream's current version and writes no event.)
      expect(result.summary.events).toBeGreaterThan(100);
    },
    DURATION_MS + 240_000,
  );
});
