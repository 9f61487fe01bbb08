import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { rangeByTime, readTopicRange } from '@hookbus/kafka';
import { TEST_KAFKA_BROKERS } from '@hookbus/testing';

/**
 * Range reads (replay, dead letters) must end exactly, whatever the partitions end in: plain records, a transaction's
 * commit marker (never delivered), or only an aborted transaction (nothing delivered at all under read_committed).
 */
describe('readTopicRange (real broker)', () => {
  const kafka = new Kafka({ clientId: 'test-range', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = `test.range.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reads every committed record of every partition and stops, markers and aborted transactions notwithstanding', async () => {
    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await plain.send({ topic, acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ partition: 0, key: value, value })) });
    await plain.disconnect();

    const transactional = kafka.producer({ transactionalId: `test-range-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    const committed = await transactional.transaction();
    await committed.send({ topic, messages: ['d', 'e'].map((value) => ({ partition: 1, key: value, value })) });
    await committed.commit();
    const aborted = await transactional.transaction();
    await aborted.send({ topic, messages: [{ partition: 2, key: 'x', value: 'aborted' }] });
    await aborted.abort();
    await transactional.disconnect();

    const seen: string[] = [];
    const started = Date.now();
    const read = await readTopicRange(kafka, topic, await rangeByTime(kafka, topic), (record) => void seen.push(record.value!.toString()), 1000);
    expect(read).toBe(5);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Bounded: the idle clock ends the marker-terminated and the empty ranges, it does not wait forever.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
