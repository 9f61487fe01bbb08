/**
 * A broker that has just started and created its topics answers ListOffsets with NOT_LEADER_FOR_PARTITION for a
 * second or two (measured: every topic, on every fresh broker, right after provisioning), and kafkajs'
 * admin.fetchTopicOffsets gives up at once. The orchestrator's memory and the tracker's restore list offsets at
 * start: in CI the orchestrator exited on "This server is not the leader for that topic-partition". Here a fresh
 * broker of this file's own (127.0.0.1:19780, FRESH_BROKER_TEST_KAFKA_PORT; a temporary data directory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { TOPIC_DURABILITY, allTopics } from '@hookbus/contracts';
import { fetchTopicOffsetsSettled, provisionTopics } from '@hookbus/kafka';
import { defaultOptions, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

const KAFKA_PORT = Number(process.env.FRESH_BROKER_TEST_KAFKA_PORT || 19780);

let kafka: LocalKafkaOptions;
let dir: string;
let admin: Admin;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-fresh-broker-'));
  kafka = defaultOptions({ dataDir: join(dir, 'kafka'), port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1, heapMb: 384 });
  await startLocalKafka(kafka, () => undefined);
  admin = new Kafka({ clientId: 'fresh-broker-test', brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
}, 120_000);

afterAll(async () => {
  await admin?.disconnect();
  if (kafka) await stopLocalKafka(kafka);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('right after provisioning on a fresh broker, every topic’s offsets are listed (the broker’s “not the leader” waited out)', async () => {
  await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  for (const topic of allTopics()) {
    const offsets = await fetchTopicOffsetsSettled(admin, topic.name);
    expect(offsets.map((o) => o.partition).sort((a, b) => a - b)).toEqual(Array.from({ length: topic.partitions }, (_, i) => i));
    expect(offsets.every((o) => o.low === '0' && o.high === '0')).toBe(true);
  }
});
