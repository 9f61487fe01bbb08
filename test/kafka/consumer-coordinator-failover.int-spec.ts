/**
 * A stage's consumer on a three-node cluster whose group coordinator loses its peers under load, as in the cluster
 * fault scenario (test/faults/cluster.fault-spec.ts: two of three nodes SIGKILLed, then started again), where the
 * stages' offset commits failed for a while with REQUEST_TIMED_OUT (the coordinator alone cannot replicate
 * __consumer_offsets). The standard: only a dependency being down is retried, and a stage resumes once it is back —
 * nothing acknowledged upstream is skipped.
 *
 * Here: a KafkaBatchTransport (as every stage runs) consumes a steady stream while the nodes other than its group's
 * coordinator are SIGKILLed one after the other and started again (then the coordinator's node too); every record
 * the producer had acknowledged must then be consumed. On a cluster of this file's own (
 * COORDINATOR_FAILOVER_KAFKA_PORT, default 19850, to +5; a temporary data directory).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createKafka, type BatchSink } from '@hookbus/kafka';
import { KafkaBatchTransport } from '@hookbus/nest-kafka';
import { LogCapture, waitFor } from '@hookbus/testing';
import { defaultClusterOptions, killClusterNode, startClusterNode, startKafkaCluster, stopKafkaCluster, type LocalKafkaClusterOptions } from '../../scripts/kafka/local-kafka';

const BASE_PORT = Number(process.env.COORDINATOR_FAILOVER_KAFKA_PORT || 19850);

let dir: string;
let cluster: LocalKafkaClusterOptions;
let brokers: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-coordinator-failover-'));
  cluster = defaultClusterOptions({ dataDir: join(dir, 'kafka'), basePort: BASE_PORT, nodes: 3, heapMb: 384 });
  brokers = (await startKafkaCluster(cluster, () => undefined)).brokers;
}, 240_000);

afterAll(async () => {
  if (cluster) await stopKafkaCluster(cluster);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node id of the group's coordinator (kafkajs has no admin call for it: its cluster's own lookup). */
async function coordinatorOf(kafka: Kafka, groupId: string): Promise<number> {
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.toString().includes('createCluster'))!;
  const internal = (kafka as unknown as Record<symbol, (o: object) => { connect(): Promise<void>; disconnect(): Promise<void>; findGroupCoordinator(o: { groupId: string }): Promise<{ nodeId: number }> }>)[create]({});
  await internal.connect();
  try {
    return (await internal.findGroupCoordinator({ groupId })).nodeId;
  } finally {
    await internal.disconnect();
  }
}

/** Sends one record every `everyMs` until stopped; remembers the acknowledged ones (a refused send is not retried). */
class SteadyProducer {
  readonly acked = new Set<string>();
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(producer: Producer, topic: string, everyMs: number) {
    let n = 0;
    this.done = (async () => {
      while (!this.stopped) {
        const value = `r${n++}`;
        try {
          await producer.send({ topic, acks: -1, timeout: 2000, messages: [{ key: value, value }] });
          this.acked.add(value);
        } catch {
          // Refused while below min.insync.replicas: not acknowledged, not expected downstream.
        }
        await pause(everyMs);
      }
    })();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }
}

it('consumes again after the nodes around its group coordinator were SIGKILLed and started again, then the coordinator node', async () => {
  const admin = new Kafka({ clientId: 'test-failover-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  const topic = `test.failover.${randomUUID().slice(0, 8)}`;
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: false });
  // Not createTopics' waitForLeaders: right after a restart of the cluster a node may still answer that it does not host the partition.
  const led = async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.every((p) => p.leader >= 0);
  await waitFor(() => led().catch(() => false), { what: 'the topic to have leaders', timeoutMs: 60_000, intervalMs: 250 });
  await admin.disconnect();

  const seen = new Set<string>();
  const sink: BatchSink<string> = {
    stage: 'test-failover',
    transform: (record) => record.value!.toString('utf8'),
    async flush(items) {
      for (const item of items) seen.add(item.value);
    },
  };
  const capture = new LogCapture();
  const kafkaLog: string[] = [];
  // The services' own client settings (retries, timeouts), as the stages run.
  const kafka = createKafka({ clientId: 'test-failover', brokers, log: (level, message, extra) => void kafkaLog.push(`${new Date().toISOString()} ${level} ${message} ${JSON.stringify(extra)}`) });
  const groupId = `test-failover-${randomUUID()}`;
  const transport = new KafkaBatchTransport(kafka, sink, { groupId, topics: [topic], fromBeginning: true, fetchMinBytes: 1, partitionsConsumedConcurrently: 3 }, capture.logger('test'), undefined, () => undefined);
  await new Promise<void>((resolve, reject) => transport.listen((error) => (error ? reject(error) : resolve())));
  // Not idempotent and never retried: a send acknowledged was appended. (An idempotent producer that goes on after a
  // failed send may reuse its sequence numbers, and the broker then drops the next records as duplicates: the hazard
  // CoalescingProducer renews its session for. This test's producer must not lose what it counts as acknowledged.)
  const producer = new Kafka({ clientId: 'test-failover-producer', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer({ idempotent: false, maxInFlightRequests: 1 });
  await producer.connect();
  const load = new SteadyProducer(producer, topic, 20);
  try {
    await waitFor(() => seen.size >= 50, { what: 'the consumer consuming before the faults', timeoutMs: 60_000 });
    const coordinator = await coordinatorOf(kafka, groupId);
    const others = [1, 2, 3].filter((id) => id !== coordinator);

    // As the fault scenario: one node, then a second one (the coordinator alone: below min.insync.replicas and the
    // controller quorum, so its offset commits time out), then both started again.
    await killClusterNode(cluster, others[0]);
    await pause(5_000);
    await killClusterNode(cluster, others[1]);
    await pause(15_000);
    await Promise.all(others.map((id) => startClusterNode(cluster, id, () => undefined)));
    await pause(5_000);
    // Then the coordinator's own node: the group must find its new coordinator.
    await killClusterNode(cluster, coordinator);
    await pause(10_000);
    await startClusterNode(cluster, coordinator, () => undefined);
    await pause(5_000);
    await load.stop();

    const missing = () => [...load.acked].filter((value) => !seen.has(value));
    expect(load.acked.size).toBeGreaterThan(100);
    await waitFor(() => missing().length === 0, { what: 'every acknowledged record consumed after the cluster came back', timeoutMs: 120_000, intervalMs: 500 }).catch((error: unknown) => {
      process.stdout.write(`[failover] missing ${missing().length} of ${load.acked.size}; stage log:\n${capture.lines.slice(-40).join('\n')}\nkafkajs:\n${kafkaLog.slice(-40).join('\n')}\n`);
      throw error;
    });
    expect(missing()).toEqual([]);
  } finally {
    await load.stop();
    await producer.disconnect().catch(() => undefined);
    await transport.close();
  }
}, 480_000);
