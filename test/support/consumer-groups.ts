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
 *
 * How: one member joins, commits the end offsets of every partition and leaves. (kafkajs' admin.setOffsets joins
 * the group once per topic, about five seconds each: over a minute for the projector's topics.) Committed before
 * the service starts, so nothing the test sends after this returns can fall before the group's position.
 */
export async function groupStartingNow(prefix: string, topics: readonly string[]): Promise<string> {
  const groupId = `${prefix}-${randomUUID()}`;
  const kafka = new Kafka({ clientId: 'test-group-starting-now', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), consumer.connect()]);
  try {
    const ends = await Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    // Never consumes: paused at once, and it commits only the offsets below.
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets(ends.flatMap(({ topic, partitions }) => partitions.map(({ partition, high }) => ({ topic, partition, offset: high }))));
  } finally {
    await Promise.all([consumer.disconnect(), admin.disconnect()]);
  }
  return groupId;
}
