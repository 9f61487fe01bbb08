import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_DURABILITY, allTopics } from '@hookbus/contracts';
import { provisionTopics } from '@hookbus/kafka';
import type { RunningService } from '@hookbus/nest-kafka';
import { waitFor } from '@hookbus/testing';
import { defaultOptions, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../../scripts/kafka/local-kafka';
import { JSON_HEADERS, send, startTestGateway } from './gateway-support';

/**
 * A broker of its own (port 19392; the tests' shared broker is on 19092, npm start's on 9092) that this test stops and
 * restarts: no other broker is touched.
 */
const PORT = 19392;
const BROKERS = [`127.0.0.1:${PORT}`];
let options: LocalKafkaOptions;
let dataDir: string;
let gateway: RunningService | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookbus-outage-'));
  options = defaultOptions({ dataDir, port: PORT, controllerPort: PORT + 1, heapMb: 384 });
  await startLocalKafka(options, () => undefined);
  const admin = new Kafka({ clientId: 'outage-test', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  await admin.disconnect();
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await stopLocalKafka(options);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function storedCount(): Promise<number> {
  const admin = new Kafka({ clientId: 'outage-test', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets('webhooks.raw.credas');
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const webhook = () => ({ body: `{"EntityId":"${randomUUID()}","ClientId":"c"}`, headers: JSON_HEADERS });

it('answers 503 with Retry-After while the broker is down, and 200 again once it is back', async () => {
  gateway = await startTestGateway(null, BROKERS);
  const url = `${gateway.url}/webhooks/credas-monitoring`;
  // A broker that just started (and a loaded machine) can take longer than the produce timeout for the first write:
  // that is a 503 the provider retries, not this test's subject. Up first, then down.
  await waitFor(async () => (await send(url, webhook())).status === 200, { timeoutMs: 60_000, intervalMs: 500, what: 'a first 200 on the fresh broker' });

  await stopLocalKafka(options);
  const started = Date.now();
  const down = await send(url, webhook());
  expect(down.status).toBe(503);
  expect(Date.now() - started).toBeLessThan(4000);
  expect(down.headers.get('retry-after')).toBe('5');
  expect(down.json()).toMatchObject({ type: 'urn:hookbus:problem:not-durable', status: 503 });

  await startLocalKafka(options, () => undefined);
  // Right after the restart the partitions have no leader for a moment: poll until the offsets can be read.
  const before = await waitFor(() => storedCount(), { timeoutMs: 60_000, what: 'the restarted broker to serve offsets' });
  const back = await waitFor(
    async () => {
      const reply = await send(url, webhook());
      return reply.status === 200 ? reply : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, what: 'a 200 after the broker restart' },
  );
  expect(back.json()).toHaveProperty('receiptId');
  expect(await storedCount()).toBeGreaterThan(before);
}, 240_000);
