import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { BatchConsumerRunner, type BatchSink } from '@hookbus/kafka';
import { TEST_KAFKA_BROKERS, waitFor } from '@hookbus/testing';

/**
 * An idle, caught-up group must have lag 0 on every partition, in our lag tool and in Kafka's own: the runner
 * commits the consumer's position, which lies past transaction commit markers and aborted records, not the last
 * delivered record's offset + 1 (that left one marker of lag per partition of every transactional topic forever).
 */
describe('BatchConsumerRunner commits its position past control records (real broker)', () => {
  const kafka = new Kafka({ clientId: 'test-position', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  let admin: Admin;
  const runners: Array<BatchConsumerRunner<string>> = [];
  const producers: Producer[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    await admin.disconnect();
  });

  async function freshTopic(partitions: number): Promise<string> {
    const topic = `test.position.${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    // kafkajs' waitForLeaders gives up when a broker that just started does not know the topic yet: wait ourselves.
    await waitFor(
      async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.filter((p) => p.leader >= 0).length === partitions,
      { what: `leaders for ${topic}` },
    );
    return topic;
  }

  async function transactionalProducer(): Promise<Producer> {
    const producer = kafka.producer({ transactionalId: `test-position-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    producers.push(producer);
    await producer.connect();
    return producer;
  }

  function collectingRunner(topic: string, groupId: string, seen: string[]): BatchConsumerRunner<string> {
    const sink: BatchSink<string> = {
      stage: 'test-position',
      transform: (record) => record.value?.toString() ?? '',
      flush: async (items) => void seen.push(...items.map((i) => i.value)),
    };
    const runner = new BatchConsumerRunner(kafka, sink, { groupId, topics: [topic], fetchMaxWaitMs: 50, fetchMinBytes: 1 });
    runners.push(runner);
    return runner;
  }

  /** Committed offset and end offset per partition, as `kafka-consumer-groups --describe` computes lag. */
  async function lagByPartition(groupId: string, topic: string): Promise<number[]> {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends
      .sort((a, b) => a.partition - b.partition)
      .map((end) => Number(end.high) - Math.max(0, Number(committed!.partitions.find((p) => p.partition === end.partition)?.offset ?? 0)));
  }

  it('reaches lag 0 after committed transactions (data and marker in one fetch)', async () => {
    const topic = await freshTopic(2);
    const groupId = `test-position-${randomUUID().slice(0, 8)}`;
    const producer = await transactionalProducer();
    for (const partition of [0, 1]) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ partition, value })) });
      await transaction.commit();
    }
    const seen: string[] = [];
    await collectingRunner(topic, groupId, seen).start();
    await waitFor(() => seen.length === 6, { what: 'six records consumed' });
    // Three records and one commit marker per partition: the end offset is 4.
    expect((await admin.fetchTopicOffsets(topic)).map((p) => Number(p.high))).toEqual([4, 4]);
    await waitFor(async () => (await lagByPartition(groupId, topic)).every((lag) => lag === 0), { what: 'lag 0 on every partition', timeoutMs: 20_000 });
  });

  it('reaches lag 0 when a fetch holds only an aborted transaction and its marker, and after later commits', async () => {
    const topic = await freshTopic(1);
    const groupId = `test-position-${randomUUID().slice(0, 8)}`;
    const seen: string[] = [];
    await collectingRunner(topic, groupId, seen).start();
    const producer = await transactionalProducer();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ partition: 0, value: 'kept' }] });
    await committed.commit();
    await waitFor(() => seen.length === 1, { what: 'the committed record' });
    await waitFor(async () => (await lagByPartition(groupId, topic))[0] === 0, { what: 'lag 0 after the commit marker' });

    // Nothing of this reaches the sink (read_committed): only kafkajs' position moves, and it must be committed.
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ partition: 0, value: 'dropped-1' }, { partition: 0, value: 'dropped-2' }] });
    await aborted.abort();
    // The coordinator writes the abort marker after abort() returns; the end offset counts it once it is there.
    await waitFor(async () => Number((await admin.fetchTopicOffsets(topic))[0]!.high) === 5, { what: 'two aborted records and their marker' });
    await waitFor(async () => (await lagByPartition(groupId, topic))[0] === 0, { what: 'lag 0 after an aborted transaction', timeoutMs: 20_000 });

    const later = await producer.transaction();
    await later.send({ topic, messages: [{ partition: 0, value: 'later' }] });
    await later.commit();
    await waitFor(() => seen.length === 2, { what: 'the later record' });
    expect(seen).toEqual(['kept', 'later']);
    await waitFor(async () => (await lagByPartition(groupId, topic))[0] === 0, { what: 'lag 0 after the later commit' });
  });
});
