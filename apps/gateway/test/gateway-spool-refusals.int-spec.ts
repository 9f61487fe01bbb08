import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { RawHeaders } from '../../../libs/contracts/src/record-headers';
import { createDurableProducer, createKafka, type OutgoingRecord } from '@hookbus/kafka';
import { LogCapture, TEST_KAFKA_BROKERS, TopicObserver, expectNoPersonalData, waitFor } from '@hookbus/testing';
import { DurableRecordStore } from '../src/kafka/durable-record-store';
import { REFUSED_DIRECTORY, SegmentLog, decodeFrame } from '../src/spool/segment-log';
import { decodeSpooledRecord, encodeSpooledRecord } from '../src/spool/spooled-record.codec';
import { DEFAULT_SPOOL_OPTIONS, SpoolingRecordStore } from '../src/spool/spooling-record-store';

/**
 * The spool drain against the real broker, on topics of this test's own: records the broker refuses for good
 * (larger than the topic's max.message.bytes; no key on a compacted topic) are moved aside and the drain goes on;
 * everything else reaches Kafka in order.
 */
const run = randomUUID();
const SMALL = `test-spool-small-${run}`;
const COMPACTED = `test-spool-compacted-${run}`;
let admin: Admin;
let directory: string;
let observer: TopicObserver;

beforeAll(async () => {
  admin = new Kafka({ clientId: 'spool-refusals-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: SMALL, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] },
      { topic: COMPACTED, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
  });
  observer = await TopicObserver.start([SMALL, COMPACTED]);
  directory = mkdtempSync(join(tmpdir(), 'hookbus-spool-refusals-'));
});

afterAll(async () => {
  await observer?.stop();
  await admin?.deleteTopics({ topics: [SMALL, COMPACTED] }).catch(() => undefined);
  await admin?.disconnect();
  rmSync(directory, { recursive: true, force: true });
});

const record = (topic: string, receiptId: string, value: string | Buffer, key: string | null = 'entity-1'): OutgoingRecord => ({
  topic,
  key,
  value: Buffer.from(value),
  headers: { [RawHeaders.receiptId]: receiptId },
});

it('moves records the broker refuses for good out of the drain, and drains everything else in order', async () => {
  // What an earlier run left in the spool: the broker comes back and refuses two of them for good.
  const log = await SegmentLog.open(directory, { maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
  const left = [
    record(SMALL, `${run}-1`, 'first'),
    record(SMALL, `${run}-too-large`, Buffer.alloc(64 * 1024, 'x')),
    record(SMALL, `${run}-3`, 'third'),
    record(COMPACTED, `${run}-no-key`, 'a compacted topic refuses a record without a key', null),
    record(SMALL, `${run}-5`, 'fifth'),
  ];
  for (const r of left) await log.append(encodeSpooledRecord(r), Date.now());
  const logs = new LogCapture();
  const kafkaLogs = new LogCapture();
  const setAside: string[] = [];
  const kafka = new DurableRecordStore(() => createDurableProducer(createKafka({ brokers: TEST_KAFKA_BROKERS, clientId: 'spool-refusals-test', log: (level, message, extra) => kafkaLogs.logger('kafkajs')[level](extra, message) })));
  const spool = new SpoolingRecordStore(
    kafka,
    log,
    64 * 1024 * 1024,
    logs.logger('gateway'),
    { appended: () => undefined, drained: () => undefined, refused: () => undefined, setAside: (code) => setAside.push(code) },
    { ...DEFAULT_SPOOL_OPTIONS, drainRetryMs: 100 },
  );
  try {
    spool.start();
    // A new webhook arrives while the spool drains: it queues behind the spooled records.
    await spool.store(record(SMALL, `${run}-6`, 'sixth'));
    await waitFor(() => !spool.isSpooling(), { timeoutMs: 30_000, what: 'the spool to drain' });
    const small = await observer.waitForRecords((r) => r.topic === SMALL, 4);
    expect(small.map((r) => r.headers[RawHeaders.receiptId])).toEqual([`${run}-1`, `${run}-3`, `${run}-5`, `${run}-6`]);
    expect(observer.matching((r) => r.topic === COMPACTED)).toEqual([]);
    expect(setAside.sort()).toEqual(['INVALID_RECORD', 'MESSAGE_TOO_LARGE']);
    const files = readdirSync(join(directory, REFUSED_DIRECTORY));
    const refused = files.map((file) => {
      const frame = decodeFrame(readFileSync(join(directory, REFUSED_DIRECTORY, file)), 0);
      return frame.ok ? decodeSpooledRecord(frame.entry.payload).headers![RawHeaders.receiptId] : null;
    });
    expect(refused.sort()).toEqual([`${run}-no-key`, `${run}-too-large`]);
    const errors = logs.lines.map((line) => JSON.parse(line) as { level: string; code?: string; receiptId?: string }).filter((line) => line.level === 'error');
    expect(errors.map((e) => [e.code, e.receiptId]).sort()).toEqual([
      ['INVALID_RECORD', `${run}-no-key`],
      ['MESSAGE_TOO_LARGE', `${run}-too-large`],
    ]);
    expectNoPersonalData(logs);
    expectNoPersonalData(kafkaLogs);
  } finally {
    await spool.close();
    await kafka.close();
  }
});
