import { Kafka } from 'kafkajs';

/**
 * Creates the topics that do not exist yet (the brokers never auto-create them). Existing topics
 * are left as they are, whatever their partition count.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
