/**
 * Durability settings as code (issue 16): provisioning keeps what an operator set on a topic, gives new topics the
 * declared replication factor and min.insync.replicas, and the gateway's start check reads what a raw topic really
 * has. On a broker of its own (127.0.0.1:19800, DURABILITY_TEST_KAFKA_PORT; controller on the next port; a temporary
 * data directory) that this file starts and stops, so it runs alone and never changes the shared test broker's topics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { TOPIC_DURABILITY, Topics, type TopicDeclaration } from '@hookbus/contracts';
import { describeTopicDurability, judgeAcknowledgedWriteDurability, provisionTopics } from '@hookbus/kafka';
import { waitFor } from '@hookbus/testing';
import { defaultOptions, runKafkaTool, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const KAFKA_PORT = Number(process.env.DURABILITY_TEST_KAFKA_PORT || 19800);
/** The gateways spawned below listen here (one at a time; no webhook is sent to them). */
const GATEWAY_PORT = Number(process.env.DURABILITY_TEST_GATEWAY_PORT || 19810);
const BROKERS = [`127.0.0.1:${KAFKA_PORT}`];

let dir: string;
let kafka: LocalKafkaOptions;
let pid: number;
let admin: Admin;
/** Gateways this file spawned: one still running after a failed test is stopped before the broker. */
const gateways: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-durability-'));
  kafka = defaultOptions({ dataDir: join(dir, 'kafka'), port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1, heapMb: 384 });
  const started = await startLocalKafka(kafka, () => undefined);
  // A broker already answering there is someone else's: this file would change its topics.
  if (!started.startedHere) throw new Error(`a broker already answers on ${BROKERS[0]}; set DURABILITY_TEST_KAFKA_PORT to a free port`);
  pid = started.pid;
  admin = new Kafka({ clientId: 'durability-test', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  for (const child of gateways) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await admin?.disconnect();
  if (kafka && pid) await stopLocalKafka(kafka, 30_000, pid);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = randomUUID().slice(0, 8);
const declare = (name: string): TopicDeclaration => ({
  name, partitions: 2, cleanupPolicy: 'delete', retentionMs: 3_600_000, maxMessageBytes: 2 * 1024 * 1024, key: 'k', value: 'v', writtenBy: 'test',
});

async function topicOverrides(topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  // configSource 1: set on the topic itself (by hookbus or an operator), not inherited from the broker.
  return Object.fromEntries(resources[0]!.configEntries.filter((e) => e.configSource === 1).map((e) => [e.configName, e.configValue]));
}

/** What an operator does: Kafka's own kafka-configs tool (IncrementalAlterConfigs: only the keys named change). */
function operatorSets(topic: string, configs: string): void {
  const args = ['--bootstrap-server', BROKERS[0]!, '--alter', '--entity-type', 'topics', '--entity-name', topic, '--add-config', configs];
  const { status, stderr, stdout } = runKafkaTool('kafka.admin.ConfigCommand', args);
  if (status !== 0 || !/Completed updating config/.test(stdout)) throw new Error(`kafka-configs failed (exit ${status}): ${stderr}${stdout}`);
}

describe('provisioning against an operator (real broker)', () => {
  it('keeps min.insync.replicas and message.timestamp.type an operator set when provisioning runs again', async () => {
    const topic = declare(`test.durability.operator.${run}`);
    await provisionTopics(admin, [topic], TOPIC_DURABILITY.local);
    operatorSets(topic.name, 'min.insync.replicas=2,message.timestamp.type=LogAppendTime');
    expect(await topicOverrides(topic.name)).toMatchObject({ 'min.insync.replicas': '2', 'message.timestamp.type': 'LogAppendTime' });

    // npm start, the init job: provisioning again, with hookbus's own floor (1) below the operator's value.
    expect((await provisionTopics(admin, [{ ...topic, retentionMs: 7_200_000 }], TOPIC_DURABILITY.local)).created).toEqual([]);
    expect(await topicOverrides(topic.name)).toMatchObject({
      'min.insync.replicas': '2',
      'message.timestamp.type': 'LogAppendTime',
      // What hookbus owns still follows the declaration.
      'retention.ms': '7200000',
      'cleanup.policy': 'delete',
    });
  });
});

describe('new topics (real broker, one node)', () => {
  it('get the local replication factor and min.insync.replicas; the production factor is really asked for', async () => {
    const topic = declare(`test.durability.new.${run}`);
    expect((await provisionTopics(admin, [topic], TOPIC_DURABILITY.local)).created).toEqual([topic.name]);
    const described = await describeTopicDurability(admin, [topic.name]);
    expect(described).toEqual({ brokerCount: 1, topics: [{ topic: topic.name, replicationFactor: 1, minInsyncReplicas: 1, uncleanLeaderElection: false }] });

    // Three copies cannot live on one broker: the broker refuses, so the factor is what the topic is created with.
    const production = declare(`test.durability.production.${run}`);
    await expect(provisionTopics(admin, [production], TOPIC_DURABILITY.production)).rejects.toThrow(
      `the cluster has fewer brokers than KAFKA_REPLICATION_FACTOR 3 (KAFKA_DURABILITY=production asks for 3): cannot create ${production.name}`,
    );
    expect(await admin.listTopics()).not.toContain(production.name);
  });

  it('keep a min.insync.replicas no higher than the topic\'s replication factor, and report the factor below the declared one', async () => {
    const topic = declare(`test.durability.floor.${run}`);
    await provisionTopics(admin, [topic], TOPIC_DURABILITY.local);
    // Production settings against a topic of one replica (an older, local-made topic): min.insync.replicas 2 would
    // refuse every write to it, so it stays at 1, and the topic is reported.
    const result = await provisionTopics(admin, [topic], TOPIC_DURABILITY.production);
    expect(result.replicationBelowDeclared).toEqual([{ topic: topic.name, replicationFactor: 1 }]);
    expect(await describeTopicDurability(admin, [topic.name])).toMatchObject({ topics: [{ replicationFactor: 1, minInsyncReplicas: 1 }] });
  });
});

describe('the gateway\'s start check of the raw topics (real broker, one node)', () => {
  it('judges what the cluster reports: local on one broker starts silently, production refuses', async () => {
    const topic = declare(`webhooks.raw.test-${run}`);
    await provisionTopics(admin, [topic], TOPIC_DURABILITY.local);
    const { brokerCount, topics } = await describeTopicDurability(admin, [topic.name, `webhooks.raw.missing-${run}`]);
    expect(topics.map((t) => t.topic)).toEqual([topic.name]);
    expect(judgeAcknowledgedWriteDurability('local', brokerCount, topics)).toEqual({ action: 'start' });
    expect(judgeAcknowledgedWriteDurability('production', brokerCount, topics)).toMatchObject({ action: 'refuse' });
  });

  /** The built gateway with one credas source, on this file's broker; its output collected. */
  function spawnGateway(settings: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const config = join(dir, 'hookbus.yaml');
    writeFileSync(config, ['sources:', '  - id: credas-actor', '    provider: credas', '    kind: process-actor', '    auth: { type: header, name: webhookAuth, value: "durability-test-secret-0123456789" }', ''].join('\n'));
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js')], {
      cwd: dir,
      env: { PATH: process.env.PATH, KAFKA_BROKERS: BROKERS.join(','), HOOKBUS_CONFIG: config, GATEWAY_PORT: String(GATEWAY_PORT), ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateways.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  it('a gateway with KAFKA_DURABILITY=production exits 1 with one line naming the raw topic and the fix', async () => {
    await provisionTopics(admin, [Topics.raw.credas], TOPIC_DURABILITY.local);
    const gateway = spawnGateway({ KAFKA_DURABILITY: 'production', LOG_LEVEL: 'error' });
    expect(await gateway.exited).toBe(1);
    const lines = gateway.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^KAFKA_DURABILITY=production: refusing to start: webhooks\.raw\.credas \(replication factor 1, min\.insync\.replicas 1\) can lose webhooks already answered 200.*; fix: raise min\.insync\.replicas to 2/);
  });

  it('a gateway with the default (local) on one broker starts, ready, and says nothing about durability', async () => {
    await provisionTopics(admin, [Topics.raw.credas], TOPIC_DURABILITY.local);
    const gateway = spawnGateway({ LOG_LEVEL: 'info' });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${GATEWAY_PORT}/health/ready`)).ok, { timeoutMs: 60_000, intervalMs: 200, what: 'the gateway to be ready' });
    } finally {
      gateway.child.kill('SIGTERM');
    }
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).not.toMatch(/durability|KAFKA_DURABILITY|min\.insync/i);
    // The output is there: the assertion above is not vacuous.
    expect(gateway.output()).toContain('listening');
  });
});
