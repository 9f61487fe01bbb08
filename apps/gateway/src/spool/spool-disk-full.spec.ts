// The spool on a full or failing disk: what the cold review of the checkpoint slots found (each spec failed on a74d470).
// `fs.full` is a disk with no free block; `fs.blockBytes = 1` where a spec needs every append refused (on a real disk
// an append may still fit in the last block of the active segment).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { TransientError } from '@hookbus/contracts';
import type { OutgoingRecord } from '@hookbus/kafka';
import { CHECKPOINT_SLOTS_FILE, LEGACY_CHECKPOINT_FILE, CheckpointSlots, newestSlot } from './checkpoint-slots';
import { SegmentLog } from './segment-log';
import { FailingFileSystem } from './testing/failing-file-system';
import { SpoolingRecordStore, type KafkaRecordStore } from './spooling-record-store';

class FakeKafka implements KafkaRecordStore {
  up = true;
  readonly written: string[] = [];
  async store(record: OutgoingRecord): Promise<void> {
    if (!this.up) throw new TransientError('gateway.produce_timeout', 'down');
    this.written.push(String(record.value));
  }
  async storeAll(records: readonly OutgoingRecord[]): Promise<void> {
    if (!this.up) throw new TransientError('gateway.produce_failed', 'down');
    for (const record of records) this.written.push(String(record.value));
  }
}

const observer = { appended: () => undefined, drained: () => undefined, refused: () => undefined, setAside: () => undefined };
const record = (value: string): OutgoingRecord => ({ topic: 'webhooks.raw.credas', key: 'entity-1', value: Buffer.from(value), headers: { 'hookbus-receipt-id': value } });
const options = { drainBatchRecords: 3, drainBatchBytes: 1024 * 1024, drainRetryMs: 5, readyFreeBytes: 10 };
const payload = (i: number) => Buffer.from(String(i).padStart(10, '0'));

let directory: string;
let fs: FailingFileSystem;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'hookbus-review-'));
  fs = new FailingFileSystem();
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const openLog = () => SegmentLog.open(directory, { maxBytes: 1024 * 1024, segmentBytes: 200, fileSystem: fs });

describe('claim 1: the drain records its progress on a full disk', () => {
  it('also after a restart of a spool that never drained anything (its slot file holds two empty slots)', async () => {
    // Kafka was down since this spool was created: the slot file exists, full size, both slots empty (generation 0).
    const first = await openLog();
    for (let i = 0; i < 30; i++) await first.append(payload(i), i);
    await first.close();
    expect(readFileSync(join(directory, CHECKPOINT_SLOTS_FILE))).toHaveLength(64);
    // The disk fills up; the pod restarts (OOM, node drain, rollout) while it is full.
    fs.full = true;
    const log = await openLog();
    // open() "re-creates" the slot file: truncate(0) gives its block back, the rewrite needs one again (refused in
    // this model; on a real disk it races whatever else is writing), and on failure the file is removed: from then on
    // every checkpoint write needs a new file. (On an idle real tmpfs/ext4 the block is usually got back: see
    // review-realdisk.spec.ts.)
    const batch = await log.readBatch(30, Number.MAX_SAFE_INTEGER);
    await expect(log.commit(batch.end, batch.entries.length)).resolves.toBeUndefined();
    expect(readdirSync(directory)).toContain(CHECKPOINT_SLOTS_FILE);
    await log.close();
  });

  it('after the upgrade of a spool an earlier version left stuck on a full disk (the case this change was made for)', async () => {
    const first = await openLog();
    for (let i = 0; i < 30; i++) await first.append(payload(i), i);
    const drained = await first.readBatch(5, Number.MAX_SAFE_INTEGER);
    await first.close();
    // What the earlier version left: its JSON checkpoint (a file with an allocated block) and no slot file.
    rmSync(join(directory, CHECKPOINT_SLOTS_FILE));
    writeFileSync(join(directory, LEGACY_CHECKPOINT_FILE), JSON.stringify(drained.end));
    fs.full = true;
    const log = await openLog();
    const batch = await log.readBatch(25, Number.MAX_SAFE_INTEGER);
    expect(batch.entries).toHaveLength(25);
    // Only a new file would do: the drain stops exactly as before the change.
    await expect(log.commit(batch.end, batch.entries.length)).resolves.toBeUndefined();
    await log.close();
  });
});

describe('liveness: a drain that failed once on a full disk starts again by itself', () => {
  it('drains once Kafka is back although one checkpoint write failed (EIO) while the disk was full', async () => {
    fs.blockBytes = 1;
    const log = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 256, fileSystem: fs });
    const kafka = new FakeKafka();
    kafka.up = false;
    const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
    await Promise.all(['1', '2', '3', '4', '5', '6', '7'].map((v) => store.store(record(v))));
    fs.full = true;
    await expect(store.store(record('refused'))).rejects.toBeInstanceOf(TransientError);
    // One transient failure of the drain's checkpoint write: the drainer exits ("spool drain stopped"). Only the next
    // append would start it again, but the pod is not ready (the spool holds records, the disk refuses), so none comes.
    fs.fail('datasync', { pathIncludes: CHECKPOINT_SLOTS_FILE });
    kafka.up = true;
    const deadline = Date.now() + 3000;
    // What the kubelet does meanwhile: readiness checks.
    while (store.isSpooling() && Date.now() < deadline) {
      await store.takesWebhooks(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fs.failed).toEqual(['datasync']);
    expect(store.isSpooling()).toBe(false);
    await store.close();
  });
});

describe('claim 5: ready means a webhook sent to this pod is taken', () => {
  it('is not ready on a full disk while Kafka is down (DurableRecordStore.isConnected() stays true through an outage)', async () => {
    fs.blockBytes = 1;
    const log = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 256, fileSystem: fs });
    const kafka = new FakeKafka();
    const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
    await store.store(record('1'));
    fs.full = true;
    kafka.up = false;
    // During the outage every webhook is refused: the direct write times out, the spool cannot take it.
    await expect(store.store(record('2'))).rejects.toBeInstanceOf(TransientError);
    await expect(store.store(record('3'))).rejects.toBeInstanceOf(TransientError);
    // The failed append leaves the spool empty, so the gateway (which passes store.isConnected(), true during an
    // outage: see durable-record-store.spec.ts 'a new session that cannot connect') reports ready.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.isSpooling()).toBe(false);
    expect(await store.takesWebhooks(true)).toBe(false);
    await store.close();
  });
});

describe('close()', () => {
  it('a checkpoint write after close() is refused, not a re-creation of the slot file (truncate + a leaked handle)', async () => {
    const { slots } = await CheckpointSlots.open(fs, directory);
    await slots.write({ segment: 0, offset: 10 });
    await slots.close();
    const truncated: string[] = [];
    const realOpen = fs.open;
    fs.open = async (path, mode) => {
      const file = await realOpen(path, mode);
      return { ...file, truncate: async (length: number) => (truncated.push(`${path}:${length}`), file.truncate(length)) };
    };
    await expect(slots.write({ segment: 0, offset: 20 })).rejects.toThrow();
    expect(truncated).toEqual([]);
    expect(newestSlot(readFileSync(join(directory, CHECKPOINT_SLOTS_FILE)))?.position).toEqual({ segment: 0, offset: 10 });
  });

  it('a drain commit that is still running when the log closes starts no new segment and re-creates no slot file after close', async () => {
    const log = await openLog();
    for (let i = 0; i < 30; i++) await log.append(payload(i), i);
    const batch = await log.readBatch(30, Number.MAX_SAFE_INTEGER);
    // A slow unlink (a struggling disk) while the stop's 2 s wait for the drainer runs out.
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const realRm = fs.rm;
    fs.rm = async (path) => {
      if (path.endsWith('.seg')) await slow;
      return realRm(path);
    };
    const committing = log.commit(batch.end, batch.entries.length);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await log.close();
    const segmentsAtClose = readdirSync(directory).filter((n) => n.endsWith('.seg'));
    const opened: string[] = [];
    const realOpen = fs.open;
    fs.open = async (path, mode) => (opened.push(`${path.slice(directory.length + 1)}:${mode}`), realOpen(path, mode));
    release();
    await committing.catch(() => undefined);
    // After close() returned: restartWhenDrained rolled to a new segment and CheckpointSlots.write (file === null after
    // close) re-created the slot file (truncate(0), rewrite) - two handles opened after close and never closed.
    expect(opened).toEqual([]);
    expect(readdirSync(directory).filter((n) => n.endsWith('.seg') && !segmentsAtClose.includes(n))).toEqual([]);
  });
});

describe('claim 4: a legacy checkpoint pointing at a deleted segment', () => {
  it('reads records appended after the upgrade when the legacy checkpoint names a segment that is gone, mid-file', async () => {
    // Pre-existing in recover() (the old readCheckpoint did the same): with no segment file left, the segment the
    // checkpoint names is created empty and the read cursor keeps its offset.
    writeFileSync(join(directory, LEGACY_CHECKPOINT_FILE), JSON.stringify({ segment: 3, offset: 500 }));
    const log = await openLog();
    for (let i = 0; i < 3; i++) await log.append(payload(i), i);
    expect(log.records).toBe(3);
    const batch = await log.readBatch(10, Number.MAX_SAFE_INTEGER);
    expect(batch.entries.map((e) => e.payload.toString())).toEqual([0, 1, 2].map((i) => payload(i).toString()));
    await log.close();
  });
});

describe('claim 5: a ready pod on a full disk', () => {
  it('does not turn direct writes Kafka is about to take into 503s by failing them over to a spool known to refuse', async () => {
    // The broker is slow for a moment (one batch times out at 2 s, a leader election): the records waiting with it
    // would be acknowledged by Kafka a moment later. failOver() withdraws them all and hands them to the spool, whose
    // disk is known to be full (the pod is ready only because of the Kafka path): each is answered 503.
    fs.blockBytes = 1;
    const log = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 256, fileSystem: fs });
    const gates: Array<{ value: string; signal?: AbortSignal; resolve(): void; reject(error: unknown): void }> = [];
    const written: string[] = [];
    const kafka: KafkaRecordStore = {
      store: (r, signal) =>
        new Promise<void>((resolve, reject) => gates.push({ value: String(r.value), signal, resolve: () => (written.push(String(r.value)), resolve()), reject })),
      storeAll: async (records) => void written.push(...records.map((r) => String(r.value))),
    } as KafkaRecordStore;
    const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
    fs.full = true;
    // A first timed-out write already went to the spool and was refused (the pod knows its disk is full) ...
    const first = store.store(record('first')).catch((e: unknown) => (e as { code?: string }).code);
    await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!.reject(new TransientError('gateway.produce_timeout', 'not acknowledged within 2000 ms'));
    expect(await first).toBe('gateway.spool_write_failed');
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The disk is known to refuse; traffic still reaches the pod (readiness lags, or it was ready before).
    expect(await store.accepts()).toBe(false);
    const results = ['slow', 'a', 'b'].map((v) => store.store(record(v)).then(() => 'ok', (e: unknown) => (e as { code?: string }).code));
    await new Promise((resolve) => setImmediate(resolve));
    gates[0]!.reject(new TransientError('gateway.produce_timeout', 'not acknowledged within 2000 ms'));
    await new Promise((resolve) => setImmediate(resolve));
    for (const gate of gates.slice(1)) if (!gate.signal?.aborted) gate.resolve();
    expect(await Promise.all(results)).toEqual(['gateway.spool_write_failed', 'ok', 'ok']);
    await store.close();
  });
});

describe('liveness: a record Kafka refuses for good, on a full disk', () => {
  it('holds the drain while its set-aside file cannot be created, and drains the records behind it once the disk has room, with no traffic', async () => {
    fs.blockBytes = 1;
    const log = await SegmentLog.open(directory, { maxBytes: 64 * 1024, segmentBytes: 256, fileSystem: fs });
    const written: string[] = [];
    let up = false;
    const kafka: KafkaRecordStore = {
      store: async () => Promise.reject(new TransientError('gateway.produce_timeout', 'down')),
      storeAll: async (records) => {
        if (!up) throw new TransientError('gateway.produce_failed', 'down');
        if (records.some((r) => String(r.value) === 'huge')) {
          throw Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false });
        }
        written.push(...records.map((r) => String(r.value)));
      },
    } as KafkaRecordStore;
    const store = new SpoolingRecordStore(kafka, log, 64 * 1024, pino({ level: 'silent' }), observer, options);
    for (const v of ['1', 'huge', '3', '4']) await store.store(record(v));
    fs.full = true;
    await expect(store.store(record('refused'))).rejects.toBeInstanceOf(TransientError);
    up = true;
    // The set-aside file is a new file: it waits for room (open: keep a reserve for it). Nothing is lost meanwhile.
    const deadline = Date.now() + 2000;
    while (written.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toEqual(['1']);
    expect(store.isSpooling()).toBe(true);
    fs.full = false;
    while (store.isSpooling() && Date.now() < deadline + 3000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written).toEqual(['1', '3', '4']);
    expect(readdirSync(join(directory, 'refused'))).toHaveLength(1);
    await store.close();
  });
});
