import { randomInt } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders, RawHeaders } from '../../libs/contracts/src/record-headers';
import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, TopicObserver, waitFor } from '@hookbus/testing';
import { rawHeaders } from '../../apps/projector/test/projector-fixtures';
import { startPipeline, type Pipeline } from '../support/pipeline';

/**
 * Issue 14's hostile Octapush callbacks, sent through the real gateway, normalizer, tracker and projector: a NUL phone
 * (`phone=%00`) and a phone of 1,024 CJK characters are refused at the gateway (400) and kept in quarantine, a NUL
 * path status is stored escaped, nothing loops on webhooks.deadletter, and an ordinary callback sent afterwards is
 * projected.
 */
const CONFIG = `
sources:
  - id: octapush-poison
    provider: octapush
    kind: sms
    auth: { type: none }
`;

let pipeline: Pipeline;
let deadLetters: TopicObserver;
let db: Client;
let producer: Producer;

beforeAll(async () => {
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  producer = new Kafka({ clientId: 'test-poison-pipeline', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  deadLetters = await TopicObserver.start([Topics.deadLetter.name]);
  pipeline = await startPipeline(CONFIG);
});

afterAll(async () => {
  await pipeline?.close();
  await deadLetters?.stop();
  await producer?.disconnect();
  await db?.end();
});

async function get(path: string): Promise<{ status: number; receiptId: string | undefined }> {
  const response = await fetch(`${pipeline.gateway.url}${path}`);
  const body = (await response.json()) as { receiptId?: string };
  return { status: response.status, receiptId: body.receiptId };
}

const receipt = (receiptId: string) => async () =>
  (await db.query('SELECT quarantined, refused_status, refused_reason, query, path_status FROM hookbus.receipts WHERE receipt_id = $1', [receiptId])).rows[0];

async function ordinaryCallbackIsProjected(): Promise<void> {
  const phone = `+44770090${randomInt(1000, 9999)}`;
  const { status } = await get(`/webhooks/octapush-poison?status=delivered&phone=${encodeURIComponent(phone)}`);
  expect(status).toBe(200);
  await waitFor(async () => (await db.query("SELECT 1 FROM hookbus.communications WHERE communication_id = $1 AND status = 'delivered'", [`octapush:sms:${phone}`])).rowCount === 1, {
    what: 'the ordinary callback sent after the hostile ones',
    timeoutMs: 60_000,
  });
}

const CJK = Array.from({ length: 1024 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000))).join('');

it.each([
  ['a NUL phone', '?status=delivered&phone=%00'],
  ['a phone of 1,024 CJK characters', `?status=delivered&phone=${encodeURIComponent(CJK)}`],
])('%s is refused with 400 and kept in quarantine; nothing is dead-lettered and the pipeline moves on', async (_name, query) => {
  const { status, receiptId } = await get(`/webhooks/octapush-poison${query}`);
  expect(status).toBe(400);
  const row = await waitFor(receipt(receiptId!), { what: 'the quarantined receipt', timeoutMs: 60_000 });
  expect(row).toMatchObject({ quarantined: true, refused_status: 400 });
  expect(row.refused_reason).toMatch(/messageKey/);
  await ordinaryCallbackIsProjected();
  expect(deadLetters.matching((r) => r.headers[RawHeaders.receiptId] === receiptId)).toEqual([]);
});

it('a NUL path status is stored escaped, tracked as unknown, and dead-letters nothing', async () => {
  const phone = `+44770091${randomInt(1000, 9999)}`;
  const { status, receiptId } = await get(`/webhooks/octapush-poison/%00?phone=${encodeURIComponent(phone)}`);
  expect(status).toBe(200);
  const row = await waitFor(receipt(receiptId!), { what: 'the receipt', timeoutMs: 60_000 });
  expect(row).toMatchObject({ quarantined: false, path_status: '\\u0000' });
  await waitFor(async () => (await db.query("SELECT 1 FROM hookbus.communications WHERE communication_id = $1 AND status = 'unknown'", [`octapush:sms:${phone}`])).rowCount === 1, {
    what: 'the communication with the unknown status',
    timeoutMs: 60_000,
  });
  await ordinaryCallbackIsProjected();
  expect(deadLetters.matching((r) => r.headers[RawHeaders.receiptId] === receiptId)).toEqual([]);
});

/** A raw record as a gateway without the identity check wrote it, on partition 0 of the Octapush raw topic. */
async function rawOnPartition0(key: string, query: string): Promise<string> {
  const receiptId = uuidv7();
  const headers = rawHeaders(receiptId, { sourceId: 'octapush-poison', method: 'GET', path: '/webhooks/octapush-poison', query });
  await producer.send({ topic: Topics.raw.octapush.name, acks: -1, messages: [{ partition: 0, key, value: Buffer.alloc(0), headers }] });
  return receiptId;
}

it.each([
  // The reported NUL phone: the normalizer refuses the identity; the projector stores receipt and dead letter escaped.
  ['a NUL phone', '\u0000', 'status=delivered&phone=%00', { normalizer: 1 }],
  // The reported CJK phone: refused by the normalizer; Postgres cannot index the receipt's key (54000): one more.
  ['a phone of 1,024 CJK characters', CJK, `status=delivered&phone=${encodeURIComponent(CJK)}`, { normalizer: 1, projector: 1 }],
])('a raw record with %s already on the topic costs one dead letter per stage, and the partition moves on', async (_name, key, query, expected) => {
  const receiptId = await rawOnPartition0(key, query);
  const stages = () => {
    const counts: Record<string, number> = {};
    for (const r of deadLetters.matching((d) => d.headers[RawHeaders.receiptId] === receiptId)) counts[r.headers[DeadLetterHeaders.stage]!] = (counts[r.headers[DeadLetterHeaders.stage]!] ?? 0) + 1;
    return counts;
  };
  await waitFor(() => Object.keys(stages()).length === Object.keys(expected).length, { what: 'the dead letters of each stage', timeoutMs: 60_000 });
  const rows = await waitFor(async () => {
    const found = (await db.query("SELECT stage, error_code FROM hookbus.dead_letters WHERE headers->>'hookbus-receipt-id' = $1 ORDER BY stage", [receiptId])).rows;
    return found.length === Object.keys(expected).length ? found : undefined;
  }, { what: 'the dead letter rows', timeoutMs: 60_000 });
  expect(rows.find((r) => r.stage === 'normalizer')).toMatchObject({ error_code: 'octapush.invalid_message_key' });
  // Ordinary callbacks after it, on the same partition (and through the gateway): projected, so nothing stalls.
  const ordinary = `+44770092${randomInt(1000, 9999)}`;
  await rawOnPartition0(ordinary, `status=delivered&phone=${encodeURIComponent(ordinary)}`);
  await waitFor(async () => (await db.query("SELECT 1 FROM hookbus.communications WHERE communication_id = $1 AND status = 'delivered'", [`octapush:sms:${ordinary}`])).rowCount === 1, { what: 'the ordinary record after the poison one', timeoutMs: 60_000 });
  await ordinaryCallbackIsProjected();
  expect(stages()).toEqual(expected);
});
