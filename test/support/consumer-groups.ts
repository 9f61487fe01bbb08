import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TEST_KAFKA_BROKERS } from './test-settings';

/**
 * A consumer group of its own, positioned at the current end of `topics`: a service started on it reads only what
 * the test sends from now on.
 *
 * Why: `npm test` runs every integration file against one broker. A service on a shared group (hookbus-projector)
 * or on a fresh group reading from the beginning first has to work through every record the earlier files left on
 * the topics — on a fresh clone that was minutes of other files' dead letters and receipts, and a test's own record
 * waited behind them past its deadline (the test then depends on which files ran before it).
 */
export async function groupStartingNow(prefix: string, topics: readonly string[]): Promise<string> {
  const groupId = `${prefix}-${randomUUID()}`;
  const admin = new Kafka({ clientId: 'test-group-starting-now', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
    }
  } finally {
    await admin.disconnect();
  }
  return groupId;
}
