/**
 * The gateway's stop loses nothing (issue 16 item 5): each gateway runs as its own process from dist/ (as Kubernetes
 * runs it; `npm run build` first), on a broker of its own (127.0.0.1:19870, GATEWAY_STOP_TEST_KAFKA_PORT; a temporary
 * data directory) that this file stops, and ports 19872–19879 (GATEWAY_STOP_TEST_PORT_BASE; base + 7 is a broker
 * address where nothing listens).
 *
 * - SIGTERM under steady load (keep-alive connections and fresh ones): every request answered 200 is in the raw topic
 *   exactly once; every other one was answered 503 with Retry-After, or its connection was refused, or (a keep-alive
 *   connection the server closed while idle) reset before any byte of an answer and not written; the process exits 0
 *   within its bound.
 * - A spool left behind (a gateway SIGKILLed while Kafka was down, after acknowledging spooled webhooks) is drained
 *   into Kafka, exactly once, by the next gateway started on the same directory.
 * - SIGTERM while the spool holds records and Kafka takes writes again: the stop drains the spool (within its bound)
 *   rather than leave it on the volume for a pod that may never come back (a StatefulSet scaled down).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_DURABILITY, allTopics, rawTopicFor } from '@hookbus/contracts';
import { provisionTopics, rangeByTime, readTopicRange } from '@hookbus/kafka';
import { waitFor, withOpenBuiltinSources } from '@hookbus/testing';
import { SegmentLog } from '../../apps/gateway/src/spool/segment-log';
import { defaultOptions, runningPid, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const KAFKA_PORT = Number(process.env.GATEWAY_STOP_TEST_KAFKA_PORT || 19870);
const PORT_BASE = Number(process.env.GATEWAY_STOP_TEST_PORT_BASE || 19872);
const NOBODY_LISTENS = PORT_BASE + 7;
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** How long after the SIGTERM a reset of a fresh connection is the listen backlog being closed (see `retriable`). */
const BACKLOG_RESET_WINDOW_MS = 1000;
/** What a process needs beyond its own bound to be gone: the exit itself, on a busy two-core machine. */
const SLACK_MS = 3_000;
const SOURCE = 'credas-process';
const TOPIC = rawTopicFor('credas');

let kafkaOptions: LocalKafkaOptions;
let kafka: Kafka;
let dir: string;
const gateways: Gateway[] = [];

class Gateway {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-40_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  static start(name: string, options: { port: number; brokers: string; spoolDirectory: string }): Gateway {
    const config = join(dir, `${name}.yaml`);
    writeFileSync(config, withOpenBuiltinSources(`spool:\n  directory: ${JSON.stringify(options.spoolDirectory)}\n  maxBytes: ${64 * 1024 * 1024}\n`));
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: options.brokers,
        GATEWAY_PORT: String(options.port),
        LISTEN_HOST: '127.0.0.1',
        HOOKBUS_CONFIG: config,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gateway = new Gateway(child, options.port);
    gateways.push(gateway);
    return gateway;
  }

  async ready(): Promise<void> {
    await waitFor(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`the gateway exited at start:\n${this.output}`);
        return (await fetch(`http://127.0.0.1:${this.port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the gateway ready' },
    );
  }

  async metric(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (!line) throw new Error(`no ${name} in /metrics`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
}

interface Outcome {
  readonly id: string;
  readonly status?: number;
  readonly retryAfter?: string;
  readonly error?: string;
  /** Sent on a keep-alive connection that had carried an earlier request. */
  readonly reusedSocket: boolean;
  /** When the request was sent, the TCP connection had been established (to tell a reset from a refusal). */
  readonly at?: number;
}

function post(port: number, agent: Agent | false): Promise<Outcome> {
  const id = randomUUID();
  const body = Buffer.from(JSON.stringify({ ProcessId: id, ClientId: id, Status: 2, StatusDescription: 'The process is complete' }));
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: `/webhooks/${SOURCE}`, agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ id, status: res.statusCode, retryAfter: res.headers['retry-after'], reusedSocket: req.reusedSocket }));
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ id, error: `response ${error.code ?? error.message}`, reusedSocket: req.reusedSocket }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ id, error: error.code ?? error.message, reusedSocket: req.reusedSocket, at: Date.now() }));
    req.end(body);
  });
}

/** Every raw record of the test topic, by probe id: how many times each was written. */
async function probesInTopic(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await readTopicRange(kafka, TOPIC, await rangeByTime(kafka, TOPIC), (record) => {
    const probe = (JSON.parse(record.value!.toString('utf8')) as { ProcessId?: string }).ProcessId;
    if (probe) counts.set(probe, (counts.get(probe) ?? 0) + 1);
  });
  return counts;
}

async function spooledRecords(directory: string): Promise<number> {
  const log = await SegmentLog.open(directory, { maxBytes: 64 * 1024 * 1024, segmentBytes: 8 * 1024 * 1024 });
  try {
    return log.records;
  } finally {
    await log.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-gateway-stop-'));
  kafkaOptions = defaultOptions({ dataDir: join(dir, 'kafka'), port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1, heapMb: 384 });
  await startLocalKafka(kafkaOptions, () => undefined);
  kafka = new Kafka({ clientId: 'gateway-stop-test', brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  await admin.disconnect();
}, 180_000);

afterAll(async () => {
  for (const gateway of gateways) if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
  if (kafkaOptions) await stopLocalKafka(kafkaOptions);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('SIGTERM under load: every 200 is in Kafka exactly once, every other request was refused retriably, and the process exits 0 in time', async () => {
  const gateway = Gateway.start('load', { port: PORT_BASE, brokers: `127.0.0.1:${KAFKA_PORT}`, spoolDirectory: join(dir, 'spool-load') });
  await gateway.ready();
  const outcomes: Outcome[] = [];
  let exited = false;
  void gateway.exited.then(() => (exited = true));
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 12 });
  let signalled = 0;
  // Keep-alive workers (a load balancer's connections to the pod, which outlive the endpoint's removal) send one
  // request after the other until the process is gone, then once more (refused).
  const keepAliveWorker = async (): Promise<void> => {
    for (;;) {
      const done = exited;
      outcomes.push(await post(gateway.port, keepAlive));
      if (done) return;
    }
  };
  // Workers opening a connection per request stop when SIGTERM is sent, as new connections stop once the preStop
  // sleep has let the endpoint leave every load balancer; once the process is gone, one more (refused). (A connection
  // still being opened when the port closes can be reset by the kernel from the accept queue, before the gateway
  // ever accepted it: that is what the preStop sleep is for, and no test of the gateway's.)
  const freshWorker = async (): Promise<void> => {
    while (signalled === 0) outcomes.push(await post(gateway.port, false));
    await gateway.exited;
    outcomes.push(await post(gateway.port, false));
  };
  const workers = [...Array.from({ length: 12 }, keepAliveWorker), ...Array.from({ length: 4 }, freshWorker)];
  await waitFor(() => outcomes.filter((o) => o.status === 200).length >= 500, { timeoutMs: 60_000, intervalMs: 20, what: '500 webhooks answered 200 before the SIGTERM' });
  signalled = Date.now();
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  await Promise.all(workers);
  keepAlive.destroy();

  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  expect(exit.at - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SLACK_MS);

  const inTopic = await probesInTopic();
  const ok = outcomes.filter((o) => o.status === 200);
  // Exactly once, unless a write was not acknowledged within the produce timeout (a loaded machine) and the gateway
  // failed over to its spool: then at-least-once, by design (docs/store-and-forward.md), and the gateway said so.
  const failedOver = gateway.output.includes('Kafka did not acknowledge in time: spooling to local disk');
  const wrong = ok.filter((o) => !(inTopic.get(o.id) === 1 || (failedOver && inTopic.get(o.id) === 2))).map((o) => `${o.id}: written ${inTopic.get(o.id) ?? 0} times`);
  expect(wrong).toEqual([]);
  const refused = outcomes.filter((o) => o.status !== 200);
  const retriable = (o: Outcome): boolean =>
    (o.status === 503 && o.retryAfter !== undefined) ||
    o.error === 'ECONNREFUSED' ||
    // The server closed an idle keep-alive connection as this request went out on it: nothing was read (not written).
    ((o.error === 'ECONNRESET' || o.error === 'socket hang up') && o.reusedSocket && !inTopic.has(o.id)) ||
    // A fresh connection the kernel had completed but Node had not accepted when the port closed: the kernel resets it
    // (the listen backlog; docs/operations.md — the preStop sleep keeps new connections away in Kubernetes). Nothing
    // was read, so nothing written; only at the close itself (the CI run on a quiet machine met two at +15 ms).
    (o.error === 'ECONNRESET' && !o.reusedSocket && !inTopic.has(o.id) && o.at! - signalled <= BACKLOG_RESET_WINDOW_MS);
  expect(refused.filter((o) => !retriable(o)).map((o) => ({ ...o, at: o.at! - signalled, inTopic: inTopic.get(o.id) ?? 0 }))).toEqual([]);
  // Load ran on both sides of the SIGTERM: webhooks were accepted and the last of each worker refused.
  expect(ok.length).toBeGreaterThanOrEqual(500);
  expect(outcomes.filter((o) => o.error === 'ECONNREFUSED').length).toBeGreaterThanOrEqual(workers.length);
}, 180_000);

it('a spool left behind by a gateway killed while Kafka was down is drained, exactly once, by the next gateway on that directory', async () => {
  const spoolDirectory = join(dir, 'spool-left-behind');
  const first = Gateway.start('left-behind-1', { port: PORT_BASE + 1, brokers: `127.0.0.1:${NOBODY_LISTENS}`, spoolDirectory });
  await first.ready();
  const answered = await Promise.all(Array.from({ length: 200 }, () => post(first.port, false)));
  expect(answered.filter((o) => o.status !== 200)).toEqual([]);
  expect(await first.metric('hookbus_gateway_spool_records')).toBe(200);
  first.child.kill('SIGKILL');
  await first.exited;
  expect(await spooledRecords(spoolDirectory)).toBe(200);

  const next = Gateway.start('left-behind-2', { port: PORT_BASE + 2, brokers: `127.0.0.1:${KAFKA_PORT}`, spoolDirectory });
  await next.ready();
  await waitFor(async () => (await next.metric('hookbus_gateway_spool_records')) === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'the spool drained' });
  next.child.kill('SIGTERM');
  expect(await next.exited).toMatchObject({ code: 0, signal: null });

  const inTopic = await probesInTopic();
  expect(answered.filter((o) => inTopic.get(o.id) !== 1).map((o) => `${o.id}: written ${inTopic.get(o.id) ?? 0} times`)).toEqual([]);
  expect(await spooledRecords(spoolDirectory)).toBe(0);
}, 180_000);

it('SIGTERM while the spool holds records and Kafka takes writes again: the stop drains the spool into Kafka before it exits', async () => {
  const spoolDirectory = join(dir, 'spool-drain-on-stop');
  const gateway = Gateway.start('drain-on-stop', { port: PORT_BASE + 3, brokers: `127.0.0.1:${KAFKA_PORT}`, spoolDirectory });
  await gateway.ready();
  // The broker frozen (SIGSTOP: resumed in an instant by SIGCONT): the gateway's writes time out and go to its spool.
  const broker = runningPid(kafkaOptions);
  expect(broker).not.toBeNull();
  process.kill(broker!, 'SIGSTOP');
  let answered: Outcome[] = [];
  let signalled = 0;
  try {
    answered = await Promise.all(Array.from({ length: 1200 }, () => post(gateway.port, false)));
    expect(answered.filter((o) => o.status !== 200)).toEqual([]);
    expect(await gateway.metric('hookbus_gateway_spool_records')).toBe(answered.length);
    // The stop under way (the port refuses connections) while the broker is still frozen; only then does Kafka take
    // writes again: what the spool holds is on this pod's volume only, and the pod may be leaving for good.
    signalled = Date.now();
    gateway.child.kill('SIGTERM');
    await waitFor(async () => (await post(gateway.port, false)).error === 'ECONNREFUSED', { timeoutMs: 10_000, intervalMs: 20, what: 'the port closed' });
  } finally {
    process.kill(broker!, 'SIGCONT');
  }
  const exit = await gateway.exited;
  expect({ code: exit.code, signal: exit.signal, output: exit.code === 0 ? '' : gateway.output }).toEqual({ code: 0, signal: null, output: '' });
  expect(exit.at - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SLACK_MS);
  expect(await spooledRecords(spoolDirectory)).toBe(0);
  const inTopic = await probesInTopic();
  // At least once; twice at most: a write already sent when the broker froze is written by the producer when it
  // resumes and again from the spool it failed over to (at-least-once, same receipt id: docs/store-and-forward.md).
  expect(answered.filter((o) => !(inTopic.get(o.id)! >= 1 && inTopic.get(o.id)! <= 2)).map((o) => `${o.id}: written ${inTopic.get(o.id) ?? 0} times`)).toEqual([]);
}, 180_000);
