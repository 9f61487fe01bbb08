import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { evaluateGroup, KafkaRecordTimestampReader, LagMonitor, LagModule, LagReader, type GroupSample } from '@hookbus/lag';
import { createServiceApp, PlatformModule, serviceContext } from '@hookbus/platform';
import { loadEnv } from '@hookbus/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { TEST_KAFKA_BROKERS, waitFor } from '@hookbus/testing';

const kafka = new Kafka({ clientId: 'hookbus-lag-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const STEP_MS = 10_000;
let admin: Admin;
let producer: Producer;
let timestamps: KafkaRecordTimestampReader;
const consumers: Consumer[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  timestamps = new KafkaRecordTimestampReader(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await Promise.all([admin.disconnect(), producer.disconnect(), timestamps.close()]);
});

async function freshTopic(partitions: number): Promise<{ topic: string; groupId: string }> {
  const id = randomUUID().slice(0, 8);
  const topic = `test.lag.${id}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  return { topic, groupId: `test-lag-${id}` };
}

async function produce(topic: string, perPartition: readonly number[], timestamp?: number): Promise<void> {
  const messages = perPartition.flatMap((count, partition) =>
    Array.from({ length: count }, (_, i) => ({ partition, value: `record ${partition}/${i}`, ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }) })),
  );
  await producer.send({ topic, acks: -1, messages });
}

async function committed(groupId: string, topic: string): Promise<number[]> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

/**
 * A real consumer in the group that reads everything but commits only the first `upTo[p]` records of each
 * partition; a partition with 0 gets no commit at all (OffsetFetch then answers -1).
 */
async function consumeAndCommit(topic: string, groupId: string, upTo: readonly number[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const next = Number(message.offset) + 1;
      if (next <= upTo[partition]!) await consumer.commitOffsets([{ topic, partition, offset: String(next) }]);
    },
  });
  await waitFor(async () => (await committed(groupId, topic)).every((offset, p) => offset === (upTo[p] || -1)), { what: `commits ${JSON.stringify(upTo)}` });
  return consumer;
}

function reader(): LagReader {
  return new LagReader(admin, timestamps);
}

describe('lag against a real broker', () => {
  it('is N − M per partition after producing N and consuming M, and STOP once the consumer is gone', async () => {
    const { topic, groupId } = await freshTopic(3);
    const producingFrom = Date.now();
    await produce(topic, [6, 4, 5]);
    const producedBy = Date.now();
    const consumer = await consumeAndCommit(topic, groupId, [2, 4, 0]);
    await consumer.disconnect();
    await waitFor(async () => (await admin.describeGroups([groupId])).groups[0]!.state === 'Empty', { what: 'group empty' });

    const now = Date.now();
    const [sample] = await reader().read([{ groupId, topics: [topic] }], now);
    expect(sample!.membership).toBe('empty');
    expect(sample!.partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([
      [0, 2, 6, 4],
      [1, 4, 4, 0],
      [2, null, 5, 5],
    ]);
    expect(sample!.partitions[1]!.lagSeconds).toBe(0);
    // Partition 0 waits on records produced above: its time lag is their age at `now`, so it lies between the time
    // since the send returned and the time since it began (a lag of 0, null or from another clock falls outside).
    const lagSeconds = sample!.partitions[0]!.lagSeconds!;
    expect(lagSeconds).toBeGreaterThanOrEqual((now - producedBy) / 1000);
    expect(lagSeconds).toBeLessThanOrEqual((now - producingFrom) / 1000);
    const verdict = evaluateGroup([sample!]);
    expect(verdict.status).toBe('STOP');
    expect(verdict.totalLag).toBe(9);
  });

  it('is STALL when a member keeps committing the same offset while lagging', async () => {
    const { topic, groupId } = await freshTopic(1);
    await produce(topic, [5]);
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // Takes the batch, commits 2 of its 5 records and stops there: a consumer stuck on one record.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ pause }) => {
        await consumer.commitOffsets([{ topic, partition: 0, offset: '2' }]);
        pause();
      },
    });
    await waitFor(async () => (await committed(groupId, topic))[0] === 2, { what: 'first commit' });

    const t0 = Date.now();
    const window: GroupSample[] = [];
    for (let i = 0; i < 3; i++) {
      await consumer.commitOffsets([{ topic, partition: 0, offset: '2' }]);
      const [sample] = await reader().read([{ groupId, topics: [topic] }], t0 + i * STEP_MS);
      window.push(sample!);
    }
    expect(window.map((s) => s.membership)).toEqual(['active', 'active', 'active']);
    expect(window.map((s) => s.partitions[0]!.lag)).toEqual([3, 3, 3]);
    expect(evaluateGroup(window.slice(0, 2)).status).toBe('OK');
    const verdict = evaluateGroup(window);
    expect(verdict.status).toBe('STALL');
    expect(verdict.reason).toContain('stuck at 2');
  });

  it('measures the time lag from the timestamp of the oldest unconsumed record', async () => {
    const { topic, groupId } = await freshTopic(1);
    const recordTime = Date.now() - 60 * 60 * 1000;
    await produce(topic, [1], recordTime);
    await produce(topic, [2]);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });

    const [sample] = await reader().read([{ groupId, topics: [topic] }], recordTime + 90_000);
    expect(sample!.partitions[0]).toMatchObject({ committed: 0, lag: 3, lagSeconds: 90 });

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
    const [caughtUp] = await reader().read([{ groupId, topics: [topic] }], recordTime + 90_000);
    expect(caughtUp!.partitions[0]).toMatchObject({ committed: 3, lag: 0, lagSeconds: 0 });
  });

  it('exports the lag series from a LagMonitor', async () => {
    const { topic, groupId } = await freshTopic(2);
    await produce(topic, [3, 1]);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '1' }] });
    const registry = new Registry();
    const monitor = LagMonitor.connect({ brokers: TEST_KAFKA_BROKERS, registry, targets: [{ groupId, topics: [topic] }], kafkaLog: () => undefined });
    try {
      await monitor.sample();
      const text = await registry.metrics();
      expect(text).toContain(`kafka_consumergroup_lag{consumergroup="${groupId}",topic="${topic}",partition="0"} 2`);
      expect(text).toContain(`kafka_consumergroup_lag{consumergroup="${groupId}",topic="${topic}",partition="1"} 0`);
      expect(text).toContain(`kafka_consumergroup_lag_sum{consumergroup="${groupId}",topic="${topic}"} 2`);
      expect(text).toMatch(new RegExp(`kafka_consumergroup_lag_seconds\\{consumergroup="${groupId}",topic="${topic.replace(/\./g, '\\.')}",partition="0"\\} \\d`));
      expect(text).toContain(`hookbus_consumergroup_status{consumergroup="${groupId}"} 3`);
      expect(text).toContain(`hookbus_consumergroup_status_info{consumergroup="${groupId}",status="STOP"} 1`);
    } finally {
      await monitor.stop();
    }
  });

  it('serves the series on a service /metrics through LagModule', async () => {
    const { topic, groupId } = await freshTopic(1);
    await produce(topic, [4]);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    const context = serviceContext('lag-test', { env: { ...loadEnv({ KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), LOG_LEVEL: 'warn' }), configPath: null } });
    @Module({})
    class TestServiceModule {
      static forContext(): DynamicModule {
        return { module: TestServiceModule, imports: [PlatformModule.forService(context), LagModule.forContext(context, { targets: [{ groupId, topics: [topic] }], intervalMs: 200 })] };
      }
    }
    const app: NestFastifyApplication = await createServiceApp(context, TestServiceModule.forContext(), new FastifyAdapter());
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const body = await waitFor(async () => {
        const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
        return response.body.includes(`kafka_consumergroup_lag{`) ? response.body : undefined;
      }, { what: 'lag series on /metrics' });
      expect(body).toContain(`kafka_consumergroup_lag{consumergroup="${groupId}",topic="${topic}",partition="0",service="lag-test"} 3`);
      expect(body).toContain(`hookbus_consumergroup_status{consumergroup="${groupId}",service="lag-test"} 3`);
    } finally {
      await app.close();
    }
  });
});
