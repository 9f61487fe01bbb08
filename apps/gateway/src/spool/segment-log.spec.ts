import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_HEADER_BYTES, SegmentLog, SpoolFullError, decodeFrame, encodeFrame, segmentFileName } from './segment-log';
import { CHECKPOINT_SLOTS_FILE, LEGACY_CHECKPOINT_FILE } from './checkpoint-slots';
import { FailingFileSystem } from './testing/failing-file-system';

let directory: string;
const open = (maxBytes = 1024 * 1024, segmentBytes = 64 * 1024) => SegmentLog.open(directory, { maxBytes, segmentBytes });
const payload = (i: number, size = 10) => Buffer.from(`${String(i).padStart(size, '0')}`);

async function readAll(log: SegmentLog): Promise<string[]> {
  const { entries } = await log.readBatch(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return entries.map((e) => e.payload.toString());
}

function segmentFiles(): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.seg')).sort();
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'hookbus-spool-spec-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('framing', () => {
  it('round-trips payload and append time, and the frame says its size', () => {
    const frame = encodeFrame(Buffer.from('héllo'), 1_700_000_000_123.5);
    const read = decodeFrame(frame, 0);
    expect(read).toEqual({ ok: true, size: frame.length, entry: { appendedAtMs: 1_700_000_000_123.5, payload: Buffer.from('héllo') } });
  });

  it.each([
    ['end', Buffer.alloc(0)],
    ['torn', encodeFrame(Buffer.from('abc'), 1).subarray(0, FRAME_HEADER_BYTES - 1)],
    ['torn', encodeFrame(Buffer.from('abcdef'), 1).subarray(0, -2)],
    ['length', Buffer.alloc(32)],
  ])('refuses a frame that is not whole: %s', (reason, data) => {
    expect(decodeFrame(data, 0)).toEqual({ ok: false, reason });
  });

  it('detects a flipped byte by its CRC', () => {
    const frame = encodeFrame(Buffer.from('payload'), 1);
    frame[frame.length - 1]! ^= 0x01;
    expect(decodeFrame(frame, 0)).toEqual({ ok: false, reason: 'crc' });
  });
});

describe('appending and reading', () => {
  it('keeps order across segments, and reopens where it was', async () => {
    const log = await open(1024 * 1024, 200);
    for (let i = 0; i < 25; i++) await log.append(payload(i), i);
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.append(payload(25 + i), 25 + i)));
    expect(segmentFiles().length).toBeGreaterThan(3);
    const expected = Array.from({ length: 50 }, (_, i) => payload(i).toString());
    expect(await readAll(log)).toEqual(expected);
    await log.close();
    const reopened = await open(1024 * 1024, 200);
    expect(reopened.records).toBe(50);
    expect(await readAll(reopened)).toEqual(expected);
    await reopened.close();
  });

  it('group-commits concurrent appends: one fsync covers many', async () => {
    const log = await open();
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(payload(i), i)));
    expect(log.syncs).toBeLessThan(20);
    expect(log.records).toBe(200);
    await log.close();
  });

  it('reads in batches bounded by count and bytes, always at least one record', async () => {
    const log = await open();
    for (let i = 0; i < 5; i++) await log.append(payload(i, 100), i);
    expect((await log.readBatch(2, Number.MAX_SAFE_INTEGER)).entries).toHaveLength(2);
    expect((await log.readBatch(10, 1)).entries).toHaveLength(1);
    await log.close();
  });
});

describe('draining', () => {
  it('commits a position durably: a reopened log resumes after it, and drained segments are deleted', async () => {
    const log = await open(1024 * 1024, 200);
    for (let i = 0; i < 30; i++) await log.append(payload(i), 1000 + i);
    const first = await log.readBatch(20, Number.MAX_SAFE_INTEGER);
    await log.commit(first.end, first.entries.length);
    expect(log.records).toBe(10);
    expect(log.oldestAppendedAtMs).toBe(1020);
    expect(segmentFiles()[0]).not.toBe(segmentFileName(0));
    await log.close();
    const reopened = await open(1024 * 1024, 200);
    expect(await readAll(reopened)).toEqual(Array.from({ length: 10 }, (_, i) => payload(20 + i).toString()));
    await reopened.close();
  });

  it('once empty, starts a fresh segment so drained bytes no longer count against the bound', async () => {
    const log = await open();
    for (let i = 0; i < 10; i++) await log.append(payload(i), i);
    expect(log.bytes).toBeGreaterThan(0);
    const batch = await log.readBatch(100, Number.MAX_SAFE_INTEGER);
    await log.commit(batch.end, batch.entries.length);
    expect(log.isEmpty).toBe(true);
    expect(log.bytes).toBe(0);
    expect(log.oldestAppendedAtMs).toBeNull();
    await log.append(payload(99), 99);
    expect(await readAll(log)).toEqual([payload(99).toString()]);
    await log.close();
  });
});

describe('size bound', () => {
  it('refuses an append that would pass maxBytes, writing nothing', async () => {
    const frameSize = encodeFrame(payload(0), 0).length;
    const log = await open(frameSize * 3);
    for (let i = 0; i < 3; i++) await log.append(payload(i), i);
    await expect(log.append(payload(3), 3)).rejects.toThrow(SpoolFullError);
    expect(log.records).toBe(3);
    expect(statSync(join(directory, segmentFiles()[0]!)).size).toBe(frameSize * 3);
    await log.close();
  });

  it('counts appends not yet written against the bound', async () => {
    const frameSize = encodeFrame(payload(0), 0).length;
    const log = await open(frameSize * 2);
    const results = await Promise.allSettled([0, 1, 2].map((i) => log.append(payload(i), i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    await log.close();
  });
});

describe('recovery after a crash', () => {
  it('truncates a torn tail and appends after the last whole record', async () => {
    const log = await open();
    for (let i = 0; i < 3; i++) await log.append(payload(i), i);
    await log.close();
    const file = join(directory, segmentFiles()[0]!);
    const whole = statSync(file).size;
    // A crash mid-write: half of a fourth frame reached the disk.
    writeFileSync(file, encodeFrame(payload(3), 3).subarray(0, 12), { flag: 'a' });
    const reopened = await open();
    expect(reopened.recovery).toEqual({ truncatedBytes: 12, corruptBytes: 0, records: 3 });
    expect(statSync(file).size).toBe(whole);
    await reopened.append(payload(4), 4);
    expect(await readAll(reopened)).toEqual([0, 1, 2, 4].map((i) => payload(i).toString()));
    await reopened.close();
  });

  it('cuts a tail frame whose CRC does not match', async () => {
    const log = await open();
    for (let i = 0; i < 3; i++) await log.append(payload(i), i);
    await log.close();
    const file = join(directory, segmentFiles()[0]!);
    const data = readFileSync(file);
    data[data.length - 1]! ^= 0xff;
    writeFileSync(file, data);
    const reopened = await open();
    expect(reopened.recovery.records).toBe(2);
    expect(await readAll(reopened)).toEqual([0, 1].map((i) => payload(i).toString()));
    await reopened.close();
  });

  it('skips the unreadable rest of a sealed segment and keeps the newer segments', async () => {
    const log = await open(1024 * 1024, 100);
    for (let i = 0; i < 12; i++) await log.append(payload(i), i);
    await log.close();
    const [first] = segmentFiles();
    const file = join(directory, first!);
    const data = readFileSync(file);
    const frameSize = encodeFrame(payload(0), 0).length;
    data[frameSize + FRAME_HEADER_BYTES + 9]! ^= 0xff;
    writeFileSync(file, data);
    const reopened = await open(1024 * 1024, 100);
    expect(reopened.recovery.corruptBytes).toBe(data.length - frameSize);
    const read = await readAll(reopened);
    expect(read[0]).toBe(payload(0).toString());
    expect(read.slice(1)).toEqual(Array.from({ length: 12 - data.length / frameSize }, (_, i) => payload(data.length / frameSize + i).toString()));
    await reopened.close();
  });

  it('treats a zero-filled tail (preallocated, never written) as torn', async () => {
    const log = await open();
    await log.append(payload(0), 0);
    await log.close();
    const file = join(directory, segmentFiles()[0]!);
    const size = statSync(file).size;
    truncateSync(file, size + 64);
    const reopened = await open();
    expect(reopened.recovery).toEqual({ truncatedBytes: 64, corruptBytes: 0, records: 1 });
    await reopened.close();
  });
});

describe('a disk that fails at one step', () => {
  let fs: FailingFileSystem;
  const faults: string[] = [];
  const openFailing = (segmentBytes = 64 * 1024) => SegmentLog.open(directory, { maxBytes: 1024 * 1024, segmentBytes, fileSystem: fs, onFault: (operation) => faults.push(operation) });

  beforeEach(() => {
    fs = new FailingFileSystem();
    faults.length = 0;
  });

  it.each(['open', 'syncDirectory'] as const)(
    'acknowledges records already fsync\'d when starting the next segment fails (%s), and counts them',
    async (operation) => {
      // Every frame fills a segment: each append is followed by a roll.
      const log = await openFailing(1);
      fs.fail(operation, { pathIncludes: operation === 'open' ? segmentFileName(1) : directory });
      await expect(log.append(payload(0), 0)).resolves.toBeUndefined();
      expect(fs.failed).toEqual([operation]);
      expect(faults).toEqual(['roll']);
      expect(log.records).toBe(1);
      // The next append goes to the same segment and the roll is tried again.
      await log.append(payload(1), 1);
      expect(segmentFiles()).toEqual([segmentFileName(0), segmentFileName(1)]);
      const batch = await log.readBatch(10, Number.MAX_SAFE_INTEGER);
      expect(batch.entries.map((e) => e.payload.toString())).toEqual([payload(0).toString(), payload(1).toString()]);
      await log.commit(batch.end, batch.entries.length);
      expect(log.records).toBe(0);
      await log.close();
    },
  );

  it('keeps a working segment when starting afresh after a drain fails to open the new one', async () => {
    const log = await openFailing();
    for (let i = 0; i < 3; i++) await log.append(payload(i), i);
    const batch = await log.readBatch(10, Number.MAX_SAFE_INTEGER);
    fs.fail('open', { pathIncludes: segmentFileName(1) });
    await log.commit(batch.end, batch.entries.length);
    expect(fs.failed).toEqual(['open']);
    expect(faults).toEqual(['restart']);
    expect(log.records).toBe(0);
    await log.append(payload(9), 9);
    expect(await readAll(log)).toEqual([payload(9).toString()]);
    // Once the disk is well again, the next drain starts afresh.
    const next = await log.readBatch(10, Number.MAX_SAFE_INTEGER);
    await log.commit(next.end, next.entries.length);
    expect(log.bytes).toBe(0);
    expect(segmentFiles()).toEqual([segmentFileName(1)]);
    await log.close();
  });

  it('never loses a record appended after a restart whose checkpoint write failed half-way', async () => {
    const log = await openFailing();
    for (let i = 0; i < 3; i++) await log.append(payload(i), i);
    const batch = await log.readBatch(10, Number.MAX_SAFE_INTEGER);
    // The drain's own checkpoint is written; the restart's checkpoint write fails at its fdatasync: the slot on disk may
    // or may not point at the new segment.
    fs.fail('datasync', { skip: 1, pathIncludes: CHECKPOINT_SLOTS_FILE });
    await log.commit(batch.end, batch.entries.length);
    expect(faults).toEqual(['restart']);
    await log.append(payload(9), 9);
    expect(await readAll(log)).toEqual([payload(9).toString()]);
    await log.close();
    const reopened = await open();
    expect(await readAll(reopened)).toEqual([payload(9).toString()]);
    await reopened.close();
  });
  it('records the drained position on a full disk, and frees the drained segments', async () => {
    // Before the slots, the checkpoint was a new file renamed into place: on a full disk the drain could not record
    // its progress, the spool never emptied, and the gateway refused every webhook until the disk was freed.
    const log = await openFailing(200);
    for (let i = 0; i < 30; i++) await log.append(payload(i), i);
    const before = segmentFiles().length;
    fs.full = true;
    fs.blockBytes = 1;
    await expect(log.append(payload(99), 99)).rejects.toMatchObject({ code: 'ENOSPC' });
    const batch = await log.readBatch(30, Number.MAX_SAFE_INTEGER);
    await log.commit(batch.end, batch.entries.length);
    expect(log.records).toBe(0);
    expect(segmentFiles().length).toBeLessThan(before);
    await log.close();
    fs.full = false;
    const reopened = await open(1024 * 1024, 200);
    expect(await readAll(reopened)).toEqual([]);
    await reopened.close();
  });
});

describe('checkpoint file', () => {
  it('reads the JSON checkpoint an earlier version wrote, then replaces it with the slot file', async () => {
    const log = await open(1024 * 1024, 200);
    for (let i = 0; i < 30; i++) await log.append(payload(i), i);
    const batch = await log.readBatch(10, Number.MAX_SAFE_INTEGER);
    await log.close();
    // What the earlier version left: its JSON checkpoint and no slot file.
    rmSync(join(directory, CHECKPOINT_SLOTS_FILE));
    writeFileSync(join(directory, LEGACY_CHECKPOINT_FILE), JSON.stringify(batch.end));
    const upgraded = await open(1024 * 1024, 200);
    expect(await readAll(upgraded)).toEqual(Array.from({ length: 20 }, (_, i) => payload(10 + i).toString()));
    expect(readdirSync(directory)).not.toContain(LEGACY_CHECKPOINT_FILE);
    await upgraded.close();
    const again = await open(1024 * 1024, 200);
    expect(await readAll(again)).toHaveLength(20);
    await again.close();
  });

  it('keeps the previous position when a checkpoint write is torn', async () => {
    const log = await open(1024 * 1024, 1024 * 1024);
    for (let i = 0; i < 6; i++) await log.append(payload(i), i);
    const first = await log.readBatch(2, Number.MAX_SAFE_INTEGER);
    await log.commit(first.end, 2);
    const second = await log.readBatch(2, Number.MAX_SAFE_INTEGER);
    await log.commit(second.end, 2);
    await log.close();
    // Tear the newest slot (a crash mid-write): the older one still says where the drain was before it.
    const slots = readFileSync(join(directory, CHECKPOINT_SLOTS_FILE));
    const newest = slots.readBigUInt64BE(0) > slots.readBigUInt64BE(32) ? 0 : 32;
    slots[newest + 20]! ^= 0xff;
    writeFileSync(join(directory, CHECKPOINT_SLOTS_FILE), slots);
    const reopened = await open(1024 * 1024, 1024 * 1024);
    expect(await readAll(reopened)).toEqual(['2', '3', '4', '5'].map((i) => payload(Number(i)).toString()));
    await reopened.close();
  });
});
