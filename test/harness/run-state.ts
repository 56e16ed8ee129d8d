import type { RunningContainers, ServiceEndpoints } from './services';

/**
 * What the global setup started, for the global teardown. Both run in jest's parent process;
 * the int and e2e projects each declare them, and only the first setup and teardown act.
 */
export const runState: {
  current?: { runId: string; endpoints: ServiceEndpoints; containers?: RunningContainers };
} = ((globalThis as Record<string, unknown>).__analyticsTestRun ??= {}) as never;
