/**
 * The consumer examples (examples/node-consumer, examples/java-consumer) against a real stack, as a downstream team
 * would run them: a broker of this file's own (127.0.0.1:19620, EXAMPLES_TEST_KAFKA_PORT; a temporary data
 * directory), the whole stack from dist/ (`npm start`'s supervisor, services on 19622–19628, EXAMPLES_TEST_PORT_BASE),
 * its own database (hookbus_examples_test, dropped first; EXAMPLES_TEST_DATABASE_URL), `npm run demo`, then both
 * consumers with a new group each, until they have been idle for a few seconds. Each must print every event of
 * events.communications.v1 and events.transitions.v1 exactly once — the set the projector wrote to hookbus.events, an
 * independent reading of the same topics — although the demo sends one delivery twice (a provider retry). After the
 * demo the test writes a transition in a Kafka transaction it aborts, then one in a transaction it commits, on the same
 * partition: a read_committed consumer prints the second and never the first (one at read_uncommitted would print both).
 * The Java consumer is built with Maven here (`mvn package`: from ~/.m2 after a first build, no network needed). The
 * Node consumer is installed as its README says (`npm ci` in a copy of examples/node-consumer, offline: kafkajs from the
 * npm cache, @hookbus/events linked from packages/events, which this repository's build has built).
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { recreateDatabase, stackPortSettings, stackPorts, waitFor, waitForStackReady } from '@hookbus/testing';
import { defaultOptions, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const KAFKA_PORT = Number(process.env.EXAMPLES_TEST_KAFKA_PORT || 19620);
const PORT_BASE = Number(process.env.EXAMPLES_TEST_PORT_BASE || 19622);
const DATABASE_URL = process.env.EXAMPLES_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_examples_test';
const BROKERS = `127.0.0.1:${KAFKA_PORT}`;
const TOPICS = ['events.communications.v1', 'events.transitions.v1'];
/** How long a consumer must have seen nothing before it exits: well above a fetch round trip on a busy machine. */
const EXIT_WHEN_IDLE_MS = 5_000;
const CONSUMER_DEADLINE_MS = 90_000;
const PORTS = stackPorts(PORT_BASE);

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly millis: number;
}

let dir: string;
let kafka: LocalKafkaOptions;
let stack: ChildProcess | null = null;
let stackOutput = '';
let stackEnv: NodeJS.ProcessEnv;
const timings: Record<string, number> = {};

/** Runs a command to its end (killed past `timeoutMs`), keeping its output. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, millis: Date.now() - started });
    });
  });
}

async function buildJavaConsumer(): Promise<Run> {
  // -B: no progress bars in CI logs. No -o: a machine whose ~/.m2 lacks a jar fetches it; one that has them all
  // (after the Kafka jars' fetch and one build) never contacts a repository for these pinned release versions.
  return run('mvn', ['-q', '-B', 'package'], { cwd: join(ROOT, 'examples', 'java-consumer'), env: process.env, timeoutMs: 180_000 });
}

/**
 * The Node example installed as its README says: `npm ci` in examples/node-consumer, here in a copy at the same depth
 * (its lockfile names @hookbus/events as ../../packages/events, linked to this repository's) and offline (kafkajs
 * 2.2.4 comes from the npm cache, which this repository's own install filled).
 */
async function installNodeConsumer(): Promise<{ path: string; install: Run }> {
  const path = join(dir, 'examples', 'node-consumer');
  mkdirSync(path, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'consumer.js']) cpSync(join(ROOT, 'examples', 'node-consumer', file), join(path, file));
  mkdirSync(join(dir, 'packages'));
  symlinkSync(join(ROOT, 'packages', 'events'), join(dir, 'packages', 'events'));
  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: path, env: process.env, timeoutMs: 120_000 });
  return { path, install };
}

/** A transition that keeps the contract (the projector and both consumers take it as any other), with a fresh id. */
function transitionRecord(): { key: string; value: string; headers: Record<string, string>; id: string } {
  const id = randomUUID();
  const receiptId = randomUUID();
  const subject = 'credas:p-txn-test:11014:sms';
  const event = {
    specversion: '1.0', id, type: 'hookbus.transition', source: '/hookbus/tracker', subject, time: new Date().toISOString(),
    datacontenttype: 'application/json', provider: 'credas', receiptid: receiptId,
    data: { kind: 'communication', key: subject, provider: 'credas', from: 'sent', to: 'delivered', final: false, requiresAction: false, reason: null, seq: 1, causedBy: randomUUID() },
  };
  return { key: subject, value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json', 'hookbus-event-id': id, 'hookbus-receipt-id': receiptId }, id };
}

/**
 * Writes one transition in a transaction it aborts, then one in a transaction it commits, both with the same key (so
 * the same partition: the committed one lies after the aborted one, and a consumer that printed it read past it).
 */
async function writeAbortedThenCommitted(): Promise<{ aborted: { id: string; partition: number; offset: number }; committed: { id: string; partition: number; offset: number } }> {
  const kafka = new Kafka({ clientId: 'examples-test', brokers: [BROKERS], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: `examples-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const send = async (outcome: 'abort' | 'commit') => {
      const record = transitionRecord();
      const transaction = await producer.transaction();
      const [written] = await transaction.send({ topic: 'events.transitions.v1', messages: [{ key: record.key, value: record.value, headers: record.headers }] });
      await transaction[outcome]();
      return { id: record.id, partition: written!.partition, offset: Number(written!.baseOffset) };
    };
    const aborted = await send('abort');
    const committed = await send('commit');
    return { aborted, committed };
  } finally {
    await producer.disconnect();
  }
}

async function startStack(): Promise<void> {
  stackEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KAFKA_BROKERS: BROKERS,
    DATABASE_URL,
    TRACKER_STORE_DIR: join(dir, 'tracker-store'),
    // npm start writes its generated sources here (cwd is the temporary folder); the demo signs with the same secrets.
    HOOKBUS_CONFIG: join(dir, '.hookbus', 'local.hookbus.yaml'),
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...stackPortSettings(PORTS),
  };
  // Without HOOKBUS_CONFIG npm start writes .hookbus/local.hookbus.yaml in its cwd: let it, then point at it.
  const { HOOKBUS_CONFIG: _config, ...withoutConfig } = stackEnv;
  // Every stage the demo's events pass through (the orchestrator too: the demo waits for a Credas result); not the monitor.
  stack = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start.js'), '--only', 'gateway,normalizer,tracker,orchestrator,projector'], { cwd: dir, env: withoutConfig, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => (stackOutput = (stackOutput + chunk.toString('utf8')).slice(-30_000));
  stack.stdout!.on('data', keep);
  stack.stderr!.on('data', keep);
  await waitForStackReady(stack, PORTS, () => stackOutput, 90_000);
}

/** The CloudEvent ids a consumer printed, one per stdout line (`... id=<id>`), in order. */
function printedIds(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const id = / id=(\S+)$/.exec(line)?.[1];
      if (!id) throw new Error(`a consumer printed a line that is not an event: ${JSON.stringify(line)}`);
      return id;
    });
}

async function projectedIds(): Promise<Set<string>> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const rows = await db.query<{ event_id: string }>('SELECT event_id FROM hookbus.events WHERE topic = ANY($1)', [TOPICS]);
    return new Set(rows.rows.map((r) => r.event_id));
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  const started = Date.now();
  dir = mkdtempSync(join(tmpdir(), 'hookbus-examples-'));
  kafka = defaultOptions({ dataDir: join(dir, 'kafka'), port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1, heapMb: 384, reset: true });
  // Maven builds while the broker and the stack boot: all three mostly wait.
  const javaBuild = buildJavaConsumer();
  void javaBuild.catch(() => undefined); // awaited below; a failed broker start must not leave it unhandled
  await Promise.all([startLocalKafka(kafka, () => undefined), recreateDatabase(DATABASE_URL)]);
  timings.broker = Date.now() - started;
  await startStack();
  timings.stack = Date.now() - started - timings.broker;
  const java = await javaBuild;
  if (java.code !== 0) throw new Error(`mvn package failed (${java.code}):\n${java.stdout}${java.stderr}`);
  timings.javaBuild = java.millis;
}, 240_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    const exited = new Promise((resolve) => stack!.once('exit', resolve));
    stack.kill('SIGTERM');
    await exited;
  }
  if (kafka) await stopLocalKafka(kafka);
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`examples test timings (ms): ${JSON.stringify(timings)}\n`);
}, 60_000);

it('after the demo, the Node and the Java consumer each print every event of both topics exactly once', async () => {
  const demo = await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'demo.js')], { cwd: dir, env: stackEnv, timeoutMs: 120_000 });
  timings.demo = demo.millis;
  expect({ code: demo.code, stderr: demo.stderr }).toEqual({ code: 0, stderr: '' });

  // Written before the consumers start, so their idle wait begins after both transactions are in the log.
  const transactions = await writeAbortedThenCommitted();
  const nodeConsumer = await installNodeConsumer();
  timings.nodeInstall = nodeConsumer.install.millis;
  expect({ code: nodeConsumer.install.code, stderr: nodeConsumer.install.stderr }).toEqual({ code: 0, stderr: '' });

  const consumerEnv = (groupId: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KAFKA_BROKERS: BROKERS,
    GROUP_ID: groupId,
    EXIT_WHEN_IDLE_MS: String(EXIT_WHEN_IDLE_MS),
  });
  const [node, java] = await Promise.all([
    run(process.execPath, [join(nodeConsumer.path, 'consumer.js')], { cwd: nodeConsumer.path, env: consumerEnv(`examples-test-node-${Date.now()}`), timeoutMs: CONSUMER_DEADLINE_MS }),
    run('java', ['-jar', join(ROOT, 'examples', 'java-consumer', 'target', 'hookbus-java-consumer.jar')], { cwd: dir, env: consumerEnv(`examples-test-java-${Date.now()}`), timeoutMs: CONSUMER_DEADLINE_MS }),
  ]);
  timings.nodeConsumer = node.millis;
  timings.javaConsumer = java.millis;

  for (const [name, consumer] of [['node', node], ['java', java]] as const) {
    expect({ name, code: consumer.code, signal: consumer.signal }).toEqual({ name, code: 0, signal: null });
  }
  // read_committed: both printed the committed transition, which lies after the aborted one on the same partition,
  // and neither printed the aborted one.
  const { aborted, committed } = transactions;
  expect(committed.partition).toBe(aborted.partition);
  expect(committed.offset).toBeGreaterThan(aborted.offset);
  for (const [name, consumer] of [['node', node], ['java', java]] as const) {
    expect({ name, committed: consumer.stdout.includes(`events.transitions.v1 p${committed.partition}@${committed.offset} `) && consumer.stdout.includes(`id=${committed.id}\n`) }).toEqual({ name, committed: true });
    expect({ name, abortedPrinted: consumer.stdout.includes(aborted.id) }).toEqual({ name, abortedPrinted: false });
  }
  // The committed transition is this test's, not the demo's: left out of the comparison with the projector below.
  const fromTheDemo = (id: string) => id !== committed.id;
  const nodeIds = printedIds(node.stdout).filter(fromTheDemo);
  const javaIds = printedIds(java.stdout).filter(fromTheDemo);
  // The projector read the same topics into hookbus.events (keyed by event id): once it holds every id the consumers
  // printed, the three readings must be the same set, and no consumer may have printed an id twice.
  const projected = await waitFor(
    async () => {
      const ids = await projectedIds();
      return [...nodeIds, ...javaIds].every((id) => ids.has(id)) ? ids : false;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: 'hookbus.events to hold every event id the consumers printed' },
  );
  // The demo's sequence yields at least these: Credas sms and email, Octapush viber and sms statuses, and their transitions.
  expect(projected.size).toBeGreaterThanOrEqual(12);
  const expected = [...projected].filter(fromTheDemo).sort();
  expect({ consumer: 'node', ids: [...nodeIds].sort() }).toEqual({ consumer: 'node', ids: expected });
  expect({ consumer: 'java', ids: [...javaIds].sort() }).toEqual({ consumer: 'java', ids: expected });
  // The demo's provider retry put one delivery's events on events.communications.v1 twice: each consumer saw the
  // second copy and skipped it (said on stderr), so the exactly-once above is the consumers' doing.
  for (const consumer of [node, java]) {
    const duplicates = [...consumer.stderr.matchAll(/duplicate of id=([^\s:]+)/g)].map((m) => m[1]!);
    expect(duplicates.length).toBeGreaterThan(0);
    expect(duplicates.filter((id) => !projected.has(id))).toEqual([]);
  }
  // Both topics, with the line format the README shows.
  for (const stdout of [node.stdout, java.stdout]) {
    expect(stdout).toMatch(/^events\.communications\.v1 p\d+@\d+ hookbus\.communication\.status credas:\S+:sms communication\/credas status=\w+/m);
    expect(stdout).toMatch(/^events\.transitions\.v1 p\d+@\d+ hookbus\.transition \S+ (communication|process)\/\w+ \S+ -> \w+/m);
  }
}, 300_000);
