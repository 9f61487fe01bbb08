import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { TransientError } from '@hookbus/contracts';
import type { OutgoingRecord } from '@hookbus/kafka';
import { decodeFrame, SegmentLog } from './segment-log';
import { decodeSpooledRecord } from './spooled-record.codec';
import { FailingFileSystem } from './testing/failing-file-system';
import { SpoolingRecordStore, type KafkaRecordStore } from './spooling-record-store';

/** A broker that is up or down; while down, direct writes fail and drain attempts fail. */
class FakeKafka implements KafkaRecordStore {
  up = true;
  readonly written: string[] = [];
  failedDrains = 0;
  async store(record: OutgoingRecord): Promise<void> {
    if (!this.up) throw new TransientError('gateway.produce_timeout', 'down');
    this.written.push(String(record.value));
  }
  async storeAll(records: readonly OutgoingRecord[]): Promise<void> {
    if (!this.up) {
      this.failedDrains++;
      throw new TransientError('gateway.produce_failed', 'down');
    }
    for (const record of records) this.written.push(String(record.value));
  }
}

let directory: string;
let log: SegmentLog;
const counts = { appended: 0, drained: 0, refused: 0 };
const setAside: string[] = [];
const observer = {
  appended: (n: number) => (counts.appended += n),
  drained: (n: number) => (counts.drained += n),
  refused: () => counts.refused++,
  setAside: (code: string) => setAside.push(code),
};
const record = (value: string): OutgoingRecord => ({ topic: 'webhooks.raw.credas', key: 'entity-1', value: Buffer.from(value), headers: { 'hookbus-receipt-id': value } });
const options = { drainBatchRecords: 3, drainBatchBytes: 1024 * 1024, drainRetryMs: 5, readyFreeBytes: 10 };

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'hookbus-spooling-spec-'));
  log = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 1024 });
  Object.assign(counts, { appended: 0, drained: 0, refused: 0 });
  setAside.length = 0;
});

afterEach(async () => {
  await log.close();
  rmSync(directory, { recursive: true, force: true });
});

it('writes straight to Kafka while the spool is empty', async () => {
  const kafka = new FakeKafka();
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await store.store(record('a'));
  expect(kafka.written).toEqual(['a']);
  expect(store.isSpooling()).toBe(false);
  expect(counts.appended).toBe(0);
  await store.close();
});

it('spools while Kafka is down, keeps later records behind the spooled ones, and drains in order', async () => {
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await Promise.all(['1', '2', '3', '4'].map((v) => store.store(record(v))));
  expect(store.isSpooling()).toBe(true);
  expect(counts.appended).toBe(4);
  kafka.up = true;
  // The broker is back, but the spool is not empty: a new record queues behind the spooled ones.
  await store.store(record('5'));
  await until(() => !store.isSpooling());
  expect(kafka.written).toEqual(['1', '2', '3', '4', '5']);
  expect(counts.drained).toBe(5);
  await store.store(record('6'));
  expect(kafka.written.at(-1)).toBe('6');
  await store.close();
});

it('refuses with a TransientError only when the spool is full, and is then not ready', async () => {
  const kafka = new FakeKafka();
  kafka.up = false;
  const small = await SegmentLog.open(join(directory, 'small'), { maxBytes: 300, segmentBytes: 1024 });
  const store = new SpoolingRecordStore(kafka, small, 300, pino({ level: 'silent' }), observer, { ...options, readyFreeBytes: 100 });
  const results = await Promise.allSettled(['1', '2', '3', '4', '5'].map((v) => store.store(record(v))));
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(refused.length).toBeGreaterThan(0);
  expect(refused[0]!.reason).toBeInstanceOf(TransientError);
  expect(refused[0]!.reason.code).toBe('gateway.spool_full');
  expect(await store.accepts()).toBe(false);
  await store.close();
});

it('drains what an earlier run left behind before anything new', async () => {
  const kafka = new FakeKafka();
  kafka.up = false;
  const first = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await first.store(record('old-1'));
  await first.store(record('old-2'));
  await first.close();
  kafka.up = true;
  const reopened = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 1024 });
  const second = new SpoolingRecordStore(kafka, reopened, 64 * 1024, pino({ level: 'silent' }), observer, options);
  expect(second.isSpooling()).toBe(true);
  second.start();
  await second.store(record('new'));
  await until(() => !second.isSpooling());
  expect(kafka.written).toEqual(['old-1', 'old-2', 'new']);
  await second.close();
});

it('at the stop, drains what the spool holds into Kafka (within drainMs) before closing, and says nothing is left', async () => {
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await Promise.all(['1', '2', '3', '4', '5', '6', '7'].map((v) => store.store(record(v))));
  const closing = store.close({ drainMs: 5000, stopMs: 100 });
  // Kafka takes writes again only once the stop is under way (before: the drainer stopped, leaving them all).
  kafka.up = true;
  expect(await closing).toBe(0);
  expect(kafka.written).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  const reopened = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 1024 });
  expect(reopened.records).toBe(0);
  await reopened.close();
});

it('at the stop, leaves on disk what Kafka does not take within drainMs, and says how many', async () => {
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await Promise.all(['1', '2', '3', '4'].map((v) => store.store(record(v))));
  const started = Date.now();
  expect(await store.close({ drainMs: 100, stopMs: 50 })).toBe(4);
  expect(Date.now() - started).toBeLessThan(2000);
  expect(kafka.written).toEqual([]);
  const reopened = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 1024 });
  expect(reopened.records).toBe(4);
  await reopened.close();
});

it('withdraws the direct writes still waiting when it fails over, so none reaches Kafka ahead of the spooled ones', async () => {
  const signals = new Map<string, AbortSignal>();
  const failures: Array<(error: unknown) => void> = [];
  const kafka: KafkaRecordStore = {
    store: (r, signal) => {
      signals.set(String(r.value), signal!);
      return new Promise<void>((_resolve, reject) => failures.push(reject));
    },
    storeAll: async () => undefined,
  };
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  const writes = ['1', '2', '3'].map((v) => store.store(record(v)));
  failures[0]!(new TransientError('gateway.produce_timeout', 'slow'));
  await Promise.all(writes);
  expect([...signals].map(([value, signal]) => [value, signal.aborted])).toEqual([
    ['1', true],
    ['2', true],
    ['3', true],
  ]);
  expect(counts.appended).toBe(3);
  await store.close();
});

it('is ready again once the disk takes writes again, without waiting for traffic it no longer gets', async () => {
  const fs = new FailingFileSystem();
  const failing = await SegmentLog.open(join(directory, 'failing'), { maxBytes: 64 * 1024, segmentBytes: 1024, fileSystem: fs });
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, failing, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await store.store(record('1'));
  // The disk fails the next write and the check after it; then it is well again.
  fs.fail('datasync', { times: 2 });
  await expect(store.store(record('2'))).rejects.toMatchObject({ code: 'gateway.spool_write_failed' });
  expect(await store.accepts()).toBe(false);
  expect(await store.accepts()).toBe(true);
  expect(fs.failed).toEqual(['datasync', 'datasync']);
  // The probe left nothing behind: the spool holds exactly the one acknowledged record.
  kafka.up = true;
  await until(() => !store.isSpooling());
  expect(kafka.written).toEqual(['1']);
  await store.close();
  await failing.close();
});

/** Kafka refuses one record for good (too large), whatever batch it is in; the rest are written. */
class RefusingKafka extends FakeKafka {
  readonly attempts: string[][] = [];
  override async storeAll(records: readonly OutgoingRecord[]): Promise<void> {
    this.attempts.push(records.map((r) => String(r.value)));
    if (records.some((r) => String(r.value) === 'huge')) {
      throw Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false });
    }
    await super.storeAll(records);
  }
}

it('moves a record Kafka refuses for good out of the way (a file, a metric, an error log) and keeps draining', async () => {
  const kafka = new RefusingKafka();
  kafka.up = false;
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, logger, observer, options);
  for (const value of ['1', '2', 'huge', '4', '5']) await store.store(record(value));
  kafka.up = true;
  await store.store(record('6'));
  await until(() => !store.isSpooling());
  expect(kafka.written).toEqual(['1', '2', '4', '5', '6']);
  expect(setAside).toEqual(['MESSAGE_TOO_LARGE']);
  const refusedDirectory = join(directory, 'refused');
  const files = readdirSync(refusedDirectory);
  expect(files).toHaveLength(1);
  const frame = decodeFrame(readFileSync(join(refusedDirectory, files[0]!)), 0);
  expect(frame.ok && String(decodeSpooledRecord(frame.entry.payload).value)).toBe('huge');
  const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string; receiptId?: string }).filter((l) => l.level >= 50);
  expect(errors).toEqual([expect.objectContaining({ code: 'MESSAGE_TOO_LARGE', receiptId: 'huge' })]);
  await store.close();
});

it('keeps waiting, without setting anything aside, while the broker is only unavailable', async () => {
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await store.store(record('1'));
  await until(() => kafka.failedDrains >= 3);
  expect(setAside).toEqual([]);
  kafka.up = true;
  await until(() => !store.isSpooling());
  expect(kafka.written).toEqual(['1']);
  await store.close();
});

it('drains on a full disk once Kafka is back, each record once, and then writes to Kafka directly', async () => {
  // Before: the drain could not record its progress on a full disk, stopped, and sent its batch again at every later
  // attempt; the spool never emptied and every webhook was refused until someone freed the disk.
  const fs = new FailingFileSystem();
  fs.blockBytes = 1;
  const full = await SegmentLog.open(join(directory, 'full'), { maxBytes: 64 * 1024, segmentBytes: 256, fileSystem: fs });
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, full, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await Promise.all(['1', '2', '3', '4', '5', '6', '7'].map((v) => store.store(record(v))));
  fs.full = true;
  await expect(store.store(record('refused'))).rejects.toBeInstanceOf(TransientError);
  kafka.up = true;
  await until(() => !store.isSpooling());
  expect(kafka.written).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  await store.store(record('8'));
  expect(kafka.written.at(-1)).toBe('8');
  await store.close();
});

it('is ready on a full disk while the spool is empty and Kafka is connected, and not once it must spool', async () => {
  const fs = new FailingFileSystem();
  fs.blockBytes = 1;
  const full = await SegmentLog.open(join(directory, 'ready'), { maxBytes: 64 * 1024, segmentBytes: 256, fileSystem: fs });
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, full, 64 * 1024, pino({ level: 'silent' }), observer, options);
  await store.store(record('1'));
  fs.full = true;
  await expect(store.store(record('2'))).rejects.toBeInstanceOf(TransientError);
  // The spool holds a record: while it does, later webhooks must queue behind it, and the disk cannot take them.
  expect(await store.accepts()).toBe(false);
  expect(await store.takesWebhooks(true)).toBe(false);
  kafka.up = true;
  await until(() => !store.isSpooling());
  // Drained, the disk still full: the broker takes webhooks directly, so the gateway is ready while it is connected.
  expect(await store.accepts()).toBe(false);
  expect(await store.takesWebhooks(true)).toBe(true);
  expect(await store.takesWebhooks(false)).toBe(false);
  await store.close();
});

it('logs one ERROR per episode of a failing disk, not one per refused webhook', async () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const fs = new FailingFileSystem();
  fs.blockBytes = 1;
  const failing = await SegmentLog.open(join(directory, 'episodes'), { maxBytes: 64 * 1024, segmentBytes: 1024, fileSystem: fs });
  const kafka = new FakeKafka();
  kafka.up = false;
  const store = new SpoolingRecordStore(kafka, failing, 64 * 1024, logger, observer, options);
  fs.full = true;
  for (const v of ['1', '2', '3', '4', '5']) await expect(store.store(record(v))).rejects.toBeInstanceOf(TransientError);
  expect(lines.filter((l) => l.level >= 50 && l.msg.startsWith('spool write failed'))).toHaveLength(1);
  // The disk takes writes again (the readiness probe sees it); the next failure is a new episode: one more ERROR.
  fs.full = false;
  expect(await store.accepts()).toBe(true);
  fs.full = true;
  await expect(store.store(record('6'))).rejects.toBeInstanceOf(TransientError);
  expect(lines.filter((l) => l.level >= 50 && l.msg.startsWith('spool write failed'))).toHaveLength(2);
  await store.close();
});
