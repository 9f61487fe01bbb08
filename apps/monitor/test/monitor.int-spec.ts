/**
 * The monitor service against a real broker: its /metrics says how far behind a group is in seconds, what state the
 * coordinator has the group in, and when retention is about to delete (or has deleted) records the group never read.
 * Each test has its own topic and group; the monitor watches only those.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_KAFKA_BROKERS, testServiceContext, waitFor } from '@hookbus/testing';
import { ORCHESTRATOR_RETRY_LANES } from '@hookbus/contracts';
import { startMonitor } from '../src/monitor.app';
import type { MonitorOverview } from '../src/monitor-overview';

const kafka = new Kafka({ clientId: 'hookbus-monitor-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const SAMPLE_EVERY_MS = 200;
let admin: Admin;
let producer: Producer;
const running: RunningService[] = [];
const consumers: Consumer[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  for (const service of running) await service.close();
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await Promise.all([admin.disconnect(), producer.disconnect()]);
});

async function freshTopic(): Promise<{ topic: string; groupId: string }> {
  const id = randomUUID().slice(0, 8);
  const topic = `test.monitor.${id}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  return { topic, groupId: `test-monitor-${id}` };
}

async function produce(topic: string, count: number, timestamp: number): Promise<void> {
  await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ value: `record ${i}`, timestamp: String(timestamp) })) });
}

async function monitor(groupId: string, topic: string): Promise<RunningService> {
  const service = await startMonitor(testServiceContext('monitor'), { port: 0, targets: [{ groupId, topics: [topic] }], intervalMs: SAMPLE_EVERY_MS });
  running.push(service);
  return service;
}

/** The value of one series on the monitor's /metrics, or undefined while it is not exported. */
async function series(service: RunningService, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function waitSeries(service: RunningService, name: string, labels: Record<string, string>, accept: (value: number) => boolean): Promise<number> {
  return waitFor(
    async () => {
      const value = await series(service, name, labels);
      return value !== undefined && accept(value) ? value : undefined;
    },
    { what: `${name}${JSON.stringify(labels)}` },
  );
}

describe('monitor service', () => {
  it('reports the age of the oldest unconsumed record in seconds, and 0 once the group caught up', async () => {
    const { topic, groupId } = await freshTopic();
    const tenMinutesAgo = Date.now() - 10 * 60 * 1000;
    await produce(topic, 3, tenMinutesAgo);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    const service = await monitor(groupId, topic);
    const labels = { consumergroup: groupId, topic, partition: '0' };

    const behind = await waitSeries(service, 'kafka_consumergroup_lag_seconds', labels, (v) => v > 0);
    expect(behind).toBeGreaterThanOrEqual(600);
    expect(await series(service, 'kafka_consumergroup_lag', labels)).toBe(2);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
    await waitSeries(service, 'kafka_consumergroup_lag_seconds', labels, (v) => v === 0);
    expect(await series(service, 'kafka_consumergroup_lag', labels)).toBe(0);
    expect(await series(service, 'hookbus_consumergroup_lag_seconds_max', { consumergroup: groupId })).toBe(0);
  });

  it('flags retention risk when the log start comes near the committed offset, and LOST once it passes it', async () => {
    const { topic, groupId } = await freshTopic();
    await produce(topic, 100, Date.now());
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '50' }] });
    const service = await monitor(groupId, topic);
    const group = { consumergroup: groupId };
    const partition = { consumergroup: groupId, topic, partition: '0' };

    await waitSeries(service, 'hookbus_consumergroup_retention_headroom_ratio', partition, (v) => v === 0.5);
    expect(await series(service, 'hookbus_consumergroup_retention_risk', group)).toBe(0);

    // What retention does when it deletes a segment: the log start moves up, here to 2 records before the group.
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '48' }] });
    await waitSeries(service, 'hookbus_consumergroup_retention_risk', group, (v) => v === 1);
    expect(await series(service, 'hookbus_consumergroup_retention_headroom_ratio', partition)).toBeCloseTo(2 / 52, 5);

    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '60' }] });
    await waitSeries(service, 'hookbus_consumergroup_retention_risk', group, (v) => v === 2);
  });

  it('reports the group Stable with its member, then Empty after the consumer left', async () => {
    const { topic, groupId } = await freshTopic();
    await produce(topic, 2, Date.now());
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    const service = await monitor(groupId, topic);
    const group = { consumergroup: groupId };

    await waitSeries(service, 'hookbus_consumergroup_state_info', { ...group, state: 'Stable' }, (v) => v === 1);
    expect(await series(service, 'hookbus_consumergroup_members', group)).toBe(1);

    await consumer.disconnect();
    await waitSeries(service, 'hookbus_consumergroup_state_info', { ...group, state: 'Empty' }, (v) => v === 1);
    expect(await series(service, 'hookbus_consumergroup_state_info', { ...group, state: 'Stable' })).toBe(0);
    expect(await series(service, 'hookbus_consumergroup_members', group)).toBe(0);
    // Two or more samples in the window: the trend is exported (the group consumed everything, so it is not growing).
    expect(await waitSeries(service, 'hookbus_consumergroup_lag_trend_records_per_second', group, () => true)).toBeLessThanOrEqual(0);
  });

  it('serves the same verdicts as JSON on /overview: lag in offsets and seconds, a growing history, and the Credas retry lanes as the backlog', async () => {
    const { topic, groupId } = await freshTopic();
    await produce(topic, 4, Date.now() - 5 * 60 * 1000);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    // A retrieval waiting in the 2-minute lane for ten minutes (its group has committed before it).
    const lane = ORCHESTRATOR_RETRY_LANES.find((l) => l.lane === '2m')!;
    const [sent] = await producer.send({ topic: lane.topic, acks: -1, messages: [{ key: 'credas:overview-test', value: 'retry', partition: 0, timestamp: String(Date.now() - 10 * 60 * 1000) }] });
    await admin.setOffsets({ groupId: lane.group, topic: lane.topic, partitions: [{ partition: 0, offset: sent!.baseOffset! }] });
    const service = await monitor(groupId, topic);

    const overview = await waitFor(async () => {
      const response = await fetch(`${service.url}/overview`);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as MonitorOverview;
      const group = body.groups.find((g) => g.group === groupId);
      return group && group.history.length >= 3 && body.credasBacklog.lanes.length === 3 ? body : undefined;
    }, { what: '/overview with three samples of the group and the backlog' });
    const group = overview.groups.find((g) => g.group === groupId)!;
    expect(group).toMatchObject({ lag: 3, state: 'Empty', members: 0 });
    expect(group.lagSeconds).toBeGreaterThanOrEqual(300);
    expect(group.partitions).toEqual([expect.objectContaining({ topic, partition: 0, committed: 1, end: 4, lag: 3 })]);
    // The same numbers /metrics exports, from the same verdicts.
    expect(await series(service, 'kafka_consumergroup_lag', { consumergroup: groupId, topic, partition: '0' })).toBe(3);
    expect(group.history.every((p) => p.lag === 3)).toBe(true);
    const waiting = overview.credasBacklog.lanes.find((l) => l.lane === '2m')!;
    expect(waiting.group).toBe('hookbus-orchestrator-retry-2m');
    expect(waiting.records).toBeGreaterThanOrEqual(1);
    expect(waiting.oldestSeconds).toBeGreaterThanOrEqual(600);
    expect(overview.credasBacklog.records).toBeGreaterThanOrEqual(1);
    expect(overview.spool.known).toBe(false);
    // The lanes are not exported as series: the lag alerts never see them.
    expect(await series(service, 'hookbus_consumergroup_status', { consumergroup: lane.group })).toBeUndefined();
  });

  it('is not ready until a lag sample succeeds, and says why', async () => {
    const context = testServiceContext('monitor', { env: { KAFKA_BROKERS: '127.0.0.1:1' } });
    const service = await startMonitor(context, { port: 0, targets: [{ groupId: 'test-monitor-unreachable' }], intervalMs: SAMPLE_EVERY_MS });
    running.push(service);
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    const body = await waitFor(async () => {
      const response = await fetch(`${service.url}/health/ready`);
      const text = await response.text();
      return response.status === 503 && text.includes('lag-sample') ? text : undefined;
    }, { what: 'monitor unready without Kafka' });
    expect(body).toMatch(/no lag sample taken yet|the last lag sample failed/);
  });
});
