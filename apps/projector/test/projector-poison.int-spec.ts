import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Topics, encodeDeadLetter } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders, RawHeaders } from '../../../libs/contracts/src/record-headers';
import type { RunningService } from '@hookbus/nest-kafka';
import { TopicObserver, groupStartingNow, waitFor } from '@hookbus/testing';
import { PROJECTOR_TOPICS, startProjector } from '../src/projector.app';
import { connectDb, connectProducer, projectorContext, rawHeaders } from './projector-fixtures';

/**
 * Issue 14's projector findings, with the records exactly as they reached the projector: a dead letter whose key
 * and headers carry NUL (an Octapush phone `%00`) made the projector dead-letter its own dead letters forever, and
 * a raw record keyed by 1,024 CJK characters (an index row Postgres refuses, SQLSTATE 54000) stalled its partition.
 * Each test then sends an ordinary record to the same partition and waits for it: no stall.
 */
describe('projector: poison records cost one dead letter, never a loop or a stall', () => {
  let producer: Producer;
  let db: Client;
  let observer: TopicObserver;
  let projector: RunningService;

  beforeAll(async () => {
    producer = await connectProducer();
    db = await connectDb();
    observer = await TopicObserver.start([Topics.deadLetter.name]);
    projector = await startProjector(projectorContext(), { port: 0, groupId: await groupStartingNow('test-projector-poison', PROJECTOR_TOPICS) });
  });

  afterAll(async () => {
    await projector?.close();
    await observer?.stop();
    await producer?.disconnect();
    await db?.end();
  });

  const receiptRow = (receiptId: string) => async () => (await db.query('SELECT receipt_id, entity_key FROM hookbus.receipts WHERE receipt_id = $1', [receiptId])).rows[0];

  /** An ordinary Octapush raw record on `partition`, and the wait for its receipt row. */
  async function ordinaryRecordIsProjected(topic: string, partition: number): Promise<void> {
    const receiptId = uuidv7();
    await producer.send({ topic, acks: -1, messages: [{ partition, key: `+4477009${Math.floor(Math.random() * 1e5)}`, value: '{"status":"delivered"}', headers: rawHeaders(receiptId) }] });
    await waitFor(receiptRow(receiptId), { what: 'the ordinary record sent after the poison one', timeoutMs: 30_000 });
  }

  it('stores a dead letter whose key and headers carry NUL once (escaped), and never dead-letters it again', async () => {
    const run = randomUUID().slice(0, 8);
    // What the normalizer dead-letters for `?status=delivered&phone=%00`: the raw record's key is the NUL phone.
    const key = `\u0000${run}`;
    await producer.send({
      topic: Topics.deadLetter.name,
      acks: -1,
      messages: [{
        partition: 0,
        key,
        value: Buffer.from(''),
        // The raw record the normalizer dead-letters, through the dead letter codec.
        headers: { ...encodeDeadLetter({
          original: {
            topic: Topics.raw.octapush.name,
            partition: 0,
            // A dead letter's row id is its stage and origin: unique per run, or an earlier run's row would answer.
            offset: String(Date.now()),
            key,
            value: Buffer.from(''),
            headers: rawHeaders(uuidv7(), { query: 'status=delivered&phone=%00', pathStatus: '\u0000', requestHeaders: JSON.stringify({ 'x-odd': '\u0000' }) }),
          },
          stage: 'normalizer',
          errorCode: 'octapush.invalid_message_key',
          errorClass: `invalid message key \u0000 ${run}`,
          attempts: 1,
          failedAt: new Date(),
        }).headers },
      }],
    });
    const row = await waitFor(async () => (await db.query("SELECT key, error, headers FROM hookbus.dead_letters WHERE error LIKE '%' || $1", [run])).rows[0], { what: 'the dead letter row' });
    expect(row.key).toBe(`\\u0000${run}`);
    expect(row.error).toBe(`invalid message key \\u0000 ${run}`);
    expect(row.headers[RawHeaders.pathStatus]).toBe('\\u0000');

    await ordinaryRecordIsProjected(Topics.raw.octapush.name, 0);
    await ordinaryRecordIsProjected(Topics.raw.octapush.name, 0);
    // The one dead letter we sent, and nothing the projector made of it.
    const ofThisRun = observer.matching((r) => r.key?.toString('utf8') === key);
    expect(ofThisRun.map((r) => r.headers[DeadLetterHeaders.stage])).toEqual(['normalizer']);
  });

  it('dead-letters a record whose key Postgres cannot index (SQLSTATE 54000) once, and the partition moves on', async () => {
    const receiptId = uuidv7();
    // Distinct characters: a repeated one compresses below the btree limit, the reported phone did not.
    const key = Array.from({ length: 1024 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000))).join('');
    await producer.send({ topic: Topics.raw.octapush.name, acks: -1, messages: [{ partition: 1, key, value: '{"status":"delivered"}', headers: rawHeaders(receiptId) }] });

    await ordinaryRecordIsProjected(Topics.raw.octapush.name, 1);
    const deadLetters = await observer.waitForRecords((r) => r.headers[RawHeaders.receiptId] === receiptId);
    const row = await waitFor(async () => (await db.query("SELECT stage, error_code, error, octet_length(key) AS key_bytes FROM hookbus.dead_letters WHERE headers->>'hookbus-receipt-id' = $1", [receiptId])).rows[0], { what: 'the stored dead letter' });
    expect(row).toMatchObject({ stage: 'projector', error_code: 'projector.row_refused' });
    // Dead letters name the error by class and code, never by its message (which could quote the row).
    expect(row.error).toBe('InvalidRecordError');
    expect(row.key_bytes).toBeLessThanOrEqual(1024);
    await ordinaryRecordIsProjected(Topics.raw.octapush.name, 1);
    expect(observer.matching((r) => r.headers[RawHeaders.receiptId] === receiptId)).toHaveLength(deadLetters.length);
    expect(deadLetters).toHaveLength(1);
    expect(await receiptRow(receiptId)()).toBeUndefined();
  });
});
