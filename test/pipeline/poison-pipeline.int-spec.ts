import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { RawHeaders, Topics } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_DATABASE_URL, TopicObserver, testServiceContext, waitFor } from '@hookbus/testing';
import { startGateway } from '../../apps/gateway/src/gateway.app';
import { startNormalizer } from '../../apps/normalizer/src/normalizer.app';
import { startProjector } from '../../apps/projector/src/projector.app';
import { startTracker } from '../../apps/tracker/src/tracker.app';

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

let gateway: RunningService;
let normalizer: RunningService;
let tracker: RunningService;
let projector: RunningService;
let deadLetters: TopicObserver;
let db: Client;

beforeAll(async () => {
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  deadLetters = await TopicObserver.start([Topics.deadLetter.name]);
  gateway = await startGateway(testServiceContext('gateway', { yaml: CONFIG }), { port: 0 });
  normalizer = await startNormalizer(testServiceContext('normalizer', { yaml: CONFIG }), { port: 0 });
  tracker = await startTracker(testServiceContext('tracker', { yaml: CONFIG }), { port: 0 });
  projector = await startProjector(testServiceContext('projector', { yaml: CONFIG }), { port: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await normalizer?.close();
  await tracker?.close();
  await projector?.close();
  await deadLetters?.stop();
  await db?.end();
});

async function get(path: string): Promise<{ status: number; receiptId: string | undefined }> {
  const response = await fetch(`${gateway.url}${path}`);
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
