import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { TOPIC_DURABILITY, allTopics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { RawHeaders } from '../../../libs/contracts/src/record-headers';
import { provisionTopics, toConsumedRecord, type ConsumedRecord } from '@hookbus/kafka';
import type { RunningService } from '@hookbus/nest-kafka';
import { waitFor, withOpenBuiltinSources } from '@hookbus/testing';
import { defaultOptions, repoRoot, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../../scripts/kafka/local-kafka';
import { JSON_HEADERS, send, startTestGateway, type Sent } from './gateway-support';

/**
 * Store-and-forward against a broker of this test's own (port 19396, or HOOKBUS_SPOOL_TEST_KAFKA_PORT; the bench's broker is on 19192) that it stops and restarts; the shared broker on
 * 9092 is never touched. The crash test runs the built gateway (`npm run build` first) as a child process.
 */
// HOOKBUS_SPOOL_TEST_KAFKA_PORT: so that several checkouts on one machine can run this spec at once.
const PORT = Number(process.env.HOOKBUS_SPOOL_TEST_KAFKA_PORT || 19396);
const BROKERS = [`127.0.0.1:${PORT}`];
const TOPIC = 'webhooks.raw.credas';
let options: LocalKafkaOptions;
let workDir: string;
let consumer: Consumer;
const seen: ConsumedRecord[] = [];
const running: RunningService[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'hookbus-spool-'));
  options = defaultOptions({ dataDir: join(workDir, 'kafka'), port: PORT, controllerPort: PORT + 1, heapMb: 384 });
  await startBroker();
  const kafka = new Kafka({ clientId: 'spool-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `spool-test-${randomUUID()}`, retry: { retries: 1000, maxRetryTime: 2000 } });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => void seen.push(toConsumedRecord(topic, partition, message)) });
}, 180_000);

afterAll(async () => {
  for (const gateway of running) await gateway.close().catch(() => undefined);
  await consumer?.disconnect().catch(() => undefined);
  await stopLocalKafka(options);
  rmSync(workDir, { recursive: true, force: true });
}, 90_000);

async function startBroker(): Promise<void> {
  await startLocalKafka(options, () => undefined);
}

function spoolYaml(directory: string, maxBytes: number): string {
  const path = join(workDir, `hookbus-${randomUUID()}.yaml`);
  writeFileSync(path, withOpenBuiltinSources(`spool:\n  directory: ${JSON.stringify(directory)}\n  maxBytes: ${maxBytes}\n`));
  return path;
}

async function spoolingGateway(maxBytes = 64 * 1024 * 1024): Promise<RunningService> {
  const directory = join(workDir, `spool-${randomUUID()}`);
  const gateway = await startTestGateway(`spool:\n  directory: ${JSON.stringify(directory)}\n  maxBytes: ${maxBytes}\n`, BROKERS);
  running.push(gateway);
  return gateway;
}

const receiptOf = (reply: Sent): string => reply.json<{ receiptId: string }>().receiptId;
const onKafka = (receiptId: string): ConsumedRecord | undefined => seen.find((r) => r.headers[RawHeaders.receiptId] === receiptId);

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

it('keeps answering 200 while the broker is down, then drains every record in order, byte for byte with its headers', async () => {
  const gateway = await spoolingGateway();
  const url = `${gateway.url}/webhooks/credas-actor`;
  const processId = randomUUID();
  const body = (i: number) => `{"clientId":"c","processId":"${processId}","processActorId":${i},"entityId":"e","smsStatus":1}`;
  const before = await send(url, { body: body(0), headers: JSON_HEADERS });
  expect(before.status).toBe(200);

  await stopLocalKafka(options);
  const replies: Sent[] = [];
  for (let i = 1; i <= 5; i++) replies.push(await send(url, { body: body(i), headers: { ...JSON_HEADERS, 'x-attempt': String(i) } }));
  replies.push(...(await Promise.all([6, 7, 8, 9, 10].map((i) => send(url, { body: body(i), headers: JSON_HEADERS })))));
  expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
  expect(await metric(gateway.url, 'hookbus_gateway_spool_records')).toBeGreaterThan(0);
  expect(await metric(gateway.url, 'hookbus_gateway_spool_active')).toBe(1);
  expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);

  await startBroker();
  const receipts = replies.map(receiptOf);
  const records = await waitFor(() => (receipts.every(onKafka) ? receipts.map((id) => onKafka(id)!) : undefined), { timeoutMs: 120_000, intervalMs: 250, what: 'every spooled record on Kafka' });
  for (const [i, record] of records.entries()) {
    expect(record.value!.equals(Buffer.from(body(i + 1)))).toBe(true);
    expect(record.key!.toString()).toBe(processId);
    expect(record.headers).toMatchObject({ [RawHeaders.sourceId]: 'credas-actor', [RawHeaders.provider]: 'credas', [RawHeaders.method]: 'POST', [RawHeaders.path]: '/webhooks/credas-actor' });
  }
  expect(JSON.parse(records[2]!.headers[RawHeaders.requestHeaders]!)['x-attempt']).toBe('3');
  // The sequential requests were answered one after another: Kafka holds them in that order (first copies).
  const firstOffset = (id: string) => Math.min(...seen.filter((r) => r.headers[RawHeaders.receiptId] === id).map((r) => Number(r.offset)));
  const sequential = receipts.slice(0, 5).map(firstOffset);
  expect(sequential).toEqual([...sequential].sort((a, b) => a - b));
  expect(firstOffset(receipts[4]!)).toBeLessThan(Math.min(...receipts.slice(5).map(firstOffset)));

  await waitFor(async () => (await metric(gateway.url, 'hookbus_gateway_spool_active')) === 0, { timeoutMs: 30_000, what: 'the spool to report drained' });
  expect(await metric(gateway.url, 'hookbus_gateway_spool_records')).toBe(0);
  expect(await metric(gateway.url, 'hookbus_gateway_spool_drained_records_total')).toBeGreaterThanOrEqual(10);
  const after = await send(url, { body: body(11), headers: JSON_HEADERS });
  expect(after.status).toBe(200);
  await waitFor(() => onKafka(receiptOf(after)), { timeoutMs: 30_000, what: 'a direct write after the drain' });
}, 300_000);

it('answers 503 (not-durable, Retry-After) only once the spool is full, and is then not ready', async () => {
  await stopLocalKafka(options);
  const gateway = await spoolingGateway(8 * 1024);
  const url = `${gateway.url}/webhooks/credas-monitoring`;
  const statuses: number[] = [];
  let refused: Sent | undefined;
  for (let i = 0; i < 40 && !refused; i++) {
    const reply = await send(url, { body: `{"EntityId":"${randomUUID()}","pad":"${'x'.repeat(300)}"}`, headers: JSON_HEADERS });
    statuses.push(reply.status);
    if (reply.status !== 200) refused = reply;
  }
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(3);
  expect(refused?.status).toBe(503);
  expect(refused!.headers.get('retry-after')).toBe('5');
  expect(refused!.json()).toMatchObject({ type: 'urn:hookbus:problem:not-durable', status: 503 });
  expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(503);
}, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startChild(main: string, port: number, config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, GATEWAY_PORT: String(port), KAFKA_BROKERS: BROKERS.join(','), HOOKBUS_CONFIG: config, LOG_LEVEL: 'warn' },
    // The child's log (kafkajs complains loudly while the broker is down) goes to a file in the work directory.
    stdio: ['ignore', 'ignore', openSync(join(workDir, `gateway-${port}.log`), 'a')],
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).ok, { timeoutMs: 60_000, intervalMs: 200, what: 'the gateway child to listen' });
  return child;
}

it('crash safety: a gateway killed with SIGKILL while spooling delivers every acknowledged record after its restart', async () => {
  const main = join(repoRoot(), 'dist/apps/gateway/src/main.js');
  if (!existsSync(join(repoRoot(), 'dist/apps/gateway/src/spool/segment-log.js'))) throw new Error('run `npm run build` first: this test starts the built gateway');
  // The broker is still down from the previous test (or is stopped here when this test runs alone).
  await stopLocalKafka(options);
  const config = spoolYaml(join(workDir, 'crash-spool'), 64 * 1024 * 1024);
  const port = await freePort();
  const first = await startChild(main, port, config);
  const url = `http://127.0.0.1:${port}/webhooks/credas-monitoring`;
  const acknowledged: string[] = [];
  const inFlight: Array<Promise<unknown>> = [];
  for (let i = 0; i < 30; i++) {
    const reply = await send(url, { body: `{"EntityId":"${randomUUID()}","ClientId":"crash"}`, headers: JSON_HEADERS });
    expect(reply.status).toBe(200);
    acknowledged.push(receiptOf(reply));
  }
  // Requests still in the air at the kill: whichever were answered 200 count as acknowledged too.
  for (let i = 0; i < 20; i++) {
    inFlight.push(
      send(url, { body: `{"EntityId":"${randomUUID()}","ClientId":"crash"}`, headers: JSON_HEADERS }).then(
        (reply) => reply.status === 200 && acknowledged.push(receiptOf(reply)),
        () => undefined,
      ),
    );
  }
  const exited = new Promise((resolve) => first.once('exit', resolve));
  first.kill('SIGKILL');
  await exited;
  await Promise.all(inFlight);

  await startBroker();
  const second = await startChild(main, port, config);
  try {
    await waitFor(() => acknowledged.every(onKafka), { timeoutMs: 120_000, intervalMs: 250, what: `all ${acknowledged.length} acknowledged receipts on Kafka` });
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);
  } finally {
    const stopped = new Promise((resolve) => second.once('exit', resolve));
    second.kill('SIGTERM');
    await stopped;
  }
}, 300_000);
