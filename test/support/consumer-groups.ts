import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type ConsumerConfig } from 'kafkajs';
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
export interface GroupStartingNowOptions {
  /** How long the member may take to join before the call fails (default 30 s). */
  readonly joinTimeoutMs?: number;
  /** Settings for the joining member (its groupId is the new group's). */
  readonly consumer?: Partial<Omit<ConsumerConfig, 'groupId'>>;
}

export async function groupStartingNow(prefix: string, topics: readonly string[], options: GroupStartingNowOptions = {}): Promise<string> {
  const groupId = `${prefix}-${randomUUID()}`;
  const joinTimeoutMs = options.joinTimeoutMs ?? 30_000;
  const kafka = new Kafka({ clientId: 'test-group-starting-now', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const consumer = kafka.consumer({ allowAutoTopicCreation: false, ...options.consumer, groupId });
  await Promise.all([admin.connect(), consumer.connect()]);
  let timer: NodeJS.Timeout | undefined;
  const listeners: Array<() => void> = [];
  try {
    const ends = await Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
    // The join either happens, or the consumer crashes for good (kafkajs then never joins and, at logLevel NOTHING,
    // says nothing), or it takes too long: each ends the wait, the last two with a message naming the group.
    const joined = new Promise<void>((resolve, reject) => {
      listeners.push(
        consumer.on(consumer.events.GROUP_JOIN, () => {
          // Never consumes: paused as it joins (its group exists now), and it commits only the offsets below.
          consumer.pause(topics.map((topic) => ({ topic })));
          resolve();
        }),
      );
      listeners.push(
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(new Error(`groupStartingNow: the member of ${groupId} crashed and will not rejoin: ${payload.error.name}: ${payload.error.message}`));
        }),
      );
      timer = setTimeout(() => reject(new Error(`groupStartingNow: the member of ${groupId} did not join within ${joinTimeoutMs / 1000} s`)), joinTimeoutMs);
    });
    // A crash during subscribe or run rejects it before it is awaited: handled here, still thrown by the await below.
    joined.catch(() => undefined);
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    // kafkajs' run joins before it returns, or crashes (and tears the group down) before it returns: the outcome is
    // the join's, never a later call on a consumer that is gone ("Consumer group was not initialized").
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    await joined;
    await consumer.commitOffsets(ends.flatMap(({ topic, partitions }) => partitions.map(({ partition, high }) => ({ topic, partition, offset: high }))));
  } finally {
    clearTimeout(timer);
    for (const remove of listeners) remove();
    await Promise.all([consumer.disconnect(), admin.disconnect()]);
  }
  return groupId;
}
