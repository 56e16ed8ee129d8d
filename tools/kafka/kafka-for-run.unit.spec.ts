import { kafkaForRun } from './kafka-broker';

describe('kafkaForRun', () => {
  it('uses the configured brokers as given, says so, and leaves them running', async () => {
    const lines: string[] = [];

    const run = await kafkaForRun('10.0.0.7:9092,10.0.0.8:9092', (line) => lines.push(line));

    expect(run.brokers).toEqual(['10.0.0.7:9092', '10.0.0.8:9092']);
    expect(lines).toEqual(['using KAFKA_BROKERS=10.0.0.7:9092,10.0.0.8:9092 (not started or stopped by this run)']);
    await expect(run.release()).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
  });
});
