import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { CheckpointSlots } from './checkpoint-slots';
import { nodeSpoolFileSystem, type SpoolFile, type SpoolFileSystem } from './spool-file-system';

/**
 * An append-only log of opaque records in numbered segment files, for the gateway's spool (docs/store-and-forward.md).
 *
 * Frame: `u32 bodyLength | u32 crc32(body) | body`, body = `f64 appendedAtMs | payload` (big-endian). A crash can
 * leave a torn frame only at the tail of the newest segment (everything before it was fsync'd); `open` detects it
 * (short header, length past the end, CRC mismatch) and truncates it. Appends are group-committed: whatever queues
 * while one write+fsync is in flight goes out in the next single write+fsync, and each append resolves only once
 * its bytes are on disk. The drained position is written in place into one of two fixed slots (checkpoint-slots.ts:
 * no new disk block, so the drain progresses on a full disk); segments wholly before it are deleted.
 */
export interface SegmentLogOptions {
  /** Bound on the bytes of every segment file on disk plus appends not yet written. */
  readonly maxBytes: number;
  /** A segment is sealed and a new one started once it reaches this size. */
  readonly segmentBytes: number;
  /** The disk; tests pass one that fails on command. */
  readonly fileSystem?: SpoolFileSystem;
  /**
   * A housekeeping step failed and was put off: starting the next segment (`roll`), starting afresh once drained
   * (`restart`), deleting a drained segment (`delete`), making the checkpoint's slot file at open (`checkpoint`:
   * tried again at the first commit). The log stays consistent and tries again later.
   */
  readonly onFault?: (operation: SpoolFault, error: unknown) => void;
}

export type SpoolFault = 'roll' | 'restart' | 'delete' | 'checkpoint';

export interface LogPosition {
  readonly segment: number;
  readonly offset: number;
}

export interface LogEntry {
  readonly payload: Buffer;
  readonly appendedAtMs: number;
}

export interface LogBatch {
  readonly entries: readonly LogEntry[];
  /** Where the next unread frame starts: pass it to `commit` once the entries are safely elsewhere. */
  readonly end: LogPosition;
}

export interface LogRecovery {
  /** Bytes cut from the newest segment's tail: a frame torn by a crash mid-write. */
  readonly truncatedBytes: number;
  /** Sealed segments whose remainder was unreadable (corruption, not a crash): bytes skipped. */
  readonly corruptBytes: number;
  readonly records: number;
}

export class SpoolFullError extends Error {
  readonly code = 'gateway.spool_full';
  constructor(message: string) {
    super(message);
    this.name = 'SpoolFullError';
  }
}

export const FRAME_HEADER_BYTES = 8;
const TIME_BYTES = 8;
/** Larger than any record the gateway writes (16 MiB Cellosign bodies plus headers); a longer length is garbage. */
export const MAX_FRAME_BODY_BYTES = 64 * 1024 * 1024;
const SEGMENT_SUFFIX = '.seg';
/** Where records Kafka refuses for good are moved (one file each, same framing), out of the drain's way. */
export const REFUSED_DIRECTORY = 'refused';
/** One page: what a disk probe writes and fsyncs past the end of the active segment before cutting it off again. */
const PROBE_BYTES = 4096;

export function segmentFileName(segment: number): string {
  return `${String(segment).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

export function encodeFrame(payload: Buffer, appendedAtMs: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + TIME_BYTES + payload.length);
  frame.writeUInt32BE(TIME_BYTES + payload.length, 0);
  frame.writeDoubleBE(appendedAtMs, FRAME_HEADER_BYTES);
  payload.copy(frame, FRAME_HEADER_BYTES + TIME_BYTES);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

export type FrameRead = { readonly ok: true; readonly entry: LogEntry; readonly size: number } | { readonly ok: false; readonly reason: 'end' | 'torn' | 'length' | 'crc' };

/** Decodes the frame at `offset` of `data`; anything but a whole, CRC-valid frame says why not. */
export function decodeFrame(data: Buffer, offset: number): FrameRead {
  if (offset === data.length) return { ok: false, reason: 'end' };
  if (data.length - offset < FRAME_HEADER_BYTES) return { ok: false, reason: 'torn' };
  const length = data.readUInt32BE(offset);
  if (length < TIME_BYTES || length > MAX_FRAME_BODY_BYTES) return { ok: false, reason: 'length' };
  if (data.length - offset - FRAME_HEADER_BYTES < length) return { ok: false, reason: 'torn' };
  const body = data.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
  if (crc32(body) !== data.readUInt32BE(offset + 4)) return { ok: false, reason: 'crc' };
  return { ok: true, entry: { appendedAtMs: body.readDoubleBE(0), payload: body.subarray(TIME_BYTES) }, size: FRAME_HEADER_BYTES + length };
}

interface Segment {
  readonly id: number;
  /** Bytes on disk that hold whole, durable frames (the readable end). */
  size: number;
  /** Where reading must stop in a sealed segment whose remainder is corrupt. */
  readableEnd?: number;
}

interface PendingAppend {
  readonly frame: Buffer;
  resolve(): void;
  reject(error: unknown): void;
}

export class SegmentLog {
  private readonly segments: Segment[] = [];
  private active!: SpoolFile;
  private readonly fs: SpoolFileSystem;
  private pending: PendingAppend[] = [];
  private pendingBytes = 0;
  private writing = false;
  private closed = false;
  private read: LogPosition;
  /** Append times of undrained records, oldest first, from `head`. */
  private readonly times: number[] = [];
  private head = 0;
  private readonly waiters: Array<() => void> = [];
  /** fsyncs of appended data so far: group commit makes this far smaller than the number of appends. */
  syncs = 0;
  recovery: LogRecovery = { truncatedBytes: 0, corruptBytes: 0, records: 0 };

  private constructor(
    private readonly directory: string,
    private readonly options: SegmentLogOptions,
    checkpoint: LogPosition,
    private readonly checkpoints: CheckpointSlots,
  ) {
    this.read = checkpoint;
    this.fs = options.fileSystem ?? nodeSpoolFileSystem;
  }

  /** Opens (creating) the log in `directory`: drops drained segments, truncates a torn tail, counts what is left. */
  static async open(directory: string, options: SegmentLogOptions): Promise<SegmentLog> {
    const fs = options.fileSystem ?? nodeSpoolFileSystem;
    await fs.mkdir(directory);
    const { slots, position } = await CheckpointSlots.open(fs, directory, (error) => options.onFault?.('checkpoint', error));
    const log = new SegmentLog(directory, options, position ?? (await oldestSegmentStart(fs, directory)), slots);
    try {
      await log.recover();
    } catch (error) {
      await slots.close().catch(() => undefined);
      throw error;
    }
    return log;
  }

  /** Bytes of every segment file plus appends not yet written: what `maxBytes` bounds. */
  get bytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0) + this.pendingBytes + this.inFlightBytes;
  }

  /** Durable records not yet committed as drained. */
  get records(): number {
    return this.times.length - this.head;
  }

  /** True when nothing is undrained and no append is waiting or being written. */
  get isEmpty(): boolean {
    return this.records === 0 && this.pending.length === 0 && !this.writing;
  }

  get oldestAppendedAtMs(): number | null {
    return this.records === 0 ? null : this.times[this.head]!;
  }

  /** Resolves once the record is written and fsync'd; rejects with SpoolFullError (nothing written) when over the bound. */
  append(payload: Buffer, appendedAtMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the spool is closed'));
    const frame = encodeFrame(payload, appendedAtMs);
    if (frame.length - FRAME_HEADER_BYTES > MAX_FRAME_BODY_BYTES) return Promise.reject(new SpoolFullError('the record is larger than a spool frame'));
    if (this.bytes + frame.length > this.options.maxBytes) return Promise.reject(new SpoolFullError(`the spool holds ${this.bytes} of ${this.options.maxBytes} bytes`));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ frame, resolve, reject });
      this.pendingBytes += frame.length;
      if (!this.writing) void this.writeLoop();
    });
  }

  /**
   * Reads durable records from the read cursor onward (at least one if any is there, then up to the limits) without
   * consuming them; resolves with no entries when the log is drained.
   */
  async readBatch(maxRecords: number, maxBytes: number): Promise<LogBatch> {
    const entries: LogEntry[] = [];
    let position = this.read;
    let bytes = 0;
    while (entries.length < maxRecords && bytes < maxBytes) {
      const segment = this.segments.find((s) => s.id === position.segment);
      if (!segment) break;
      const end = segment.readableEnd ?? segment.size;
      if (position.offset >= end) {
        const next = this.segments.find((s) => s.id > position.segment);
        if (!next) break;
        position = { segment: next.id, offset: 0 };
        continue;
      }
      const data = await this.readRange(segment.id, position.offset, end, maxBytes - bytes);
      let offset = 0;
      while (entries.length < maxRecords && (bytes < maxBytes || entries.length === 0)) {
        const frame = decodeFrame(data, offset);
        if (!frame.ok) break;
        entries.push(frame.entry);
        offset += frame.size;
        bytes += frame.size;
      }
      if (offset === 0) break;
      position = { segment: segment.id, offset: position.offset + offset };
    }
    return { entries, end: position };
  }

  /** Records everything before `end` as drained (durably), then deletes the segments wholly before it. */
  async commit(end: LogPosition, records: number): Promise<void> {
    if (this.closed) throw new Error('the spool is closed');
    await this.advance(end, records);
    if (this.isEmpty) await this.restartWhenDrained();
  }

  private async advance(end: LogPosition, records: number): Promise<void> {
    await this.checkpoints.write(end);
    this.read = end;
    this.head += records;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    await this.deleteSegmentsBefore(end.segment);
  }

  /** Drained segments only; one that cannot be deleted now stays listed (and counted) and is tried at the next commit. */
  private async deleteSegmentsBefore(segmentId: number): Promise<void> {
    const activeId = this.segments[this.segments.length - 1]!.id;
    for (const segment of this.segments.filter((s) => s.id < segmentId && s.id !== activeId)) {
      // A stop under way: the next start deletes what is left (segments before the checkpoint).
      if (this.closed) return;
      try {
        await this.fs.rm(join(this.directory, segmentFileName(segment.id)));
      } catch (error) {
        this.options.onFault?.('delete', error);
        return;
      }
      this.segments.splice(this.segments.indexOf(segment), 1);
    }
  }

  /**
   * Moves the records of `batch` (read from the cursor, not yet committed) out of the log: they are written, fsync'd,
   * to their own file under `refused/`, and the cursor is committed past them. Returns that file's path.
   */
  async setAside(batch: LogBatch): Promise<string> {
    const directory = join(this.directory, REFUSED_DIRECTORY);
    const path = join(directory, `${segmentFileName(batch.end.segment).slice(0, -SEGMENT_SUFFIX.length)}-${batch.end.offset}${SEGMENT_SUFFIX}`);
    await this.fs.mkdir(directory);
    const file = await this.fs.open(path, 'create');
    try {
      const frames = batch.entries.map((e) => encodeFrame(e.payload, e.appendedAtMs));
      await file.truncate(0);
      await file.writev(frames, 0);
      await file.datasync();
    } finally {
      await file.close();
    }
    await this.fs.syncDirectory(directory);
    await this.fs.syncDirectory(this.directory);
    await this.commit(batch.end, batch.entries.length);
    return path;
  }

  /**
   * Whether the disk takes writes: a block written and fsync'd past the end of the active segment, then cut off
   * again. Waits for a group commit in flight; appends that arrive meanwhile wait for the probe. A crash during the
   * probe leaves a zero-filled tail, which the next open cuts like any torn tail.
   */
  async probe(): Promise<void> {
    while (this.writing) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.closed) throw new Error('the spool is closed');
    this.writing = true;
    const end = this.segments[this.segments.length - 1]!.size;
    try {
      await this.active.writev([Buffer.alloc(PROBE_BYTES)], end);
      await this.active.datasync();
    } finally {
      await this.active.truncate(end).finally(() => this.endExclusiveStep());
    }
  }

  /** After a step that held the write lock: appends that queued meanwhile go out, waiters look again. */
  private endExclusiveStep(): void {
    this.writing = false;
    if (this.pending.length > 0) void this.writeLoop();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves when a new record has become durable (for a drainer that has read everything). */
  whenAppended(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await new Promise<void>((resolve) => this.waiters.push(resolve));
    await this.active.close();
    await this.checkpoints.close();
    for (const wake of this.waiters.splice(0)) wake();
  }

  private inFlightBytes = 0;

  private async writeLoop(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const bytes = this.pendingBytes;
      this.pendingBytes = 0;
      this.inFlightBytes = bytes;
      try {
        await this.writeAndSync(batch.map((p) => p.frame));
        this.inFlightBytes = 0;
        for (const p of batch) this.times.push(p.frame.readDoubleBE(FRAME_HEADER_BYTES));
        for (const p of batch) p.resolve();
      } catch (error) {
        this.inFlightBytes = 0;
        for (const p of batch) p.reject(error);
      }
    }
    this.writing = false;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async writeAndSync(frames: Buffer[]): Promise<void> {
    const segment = this.segments[this.segments.length - 1]!;
    let written = 0;
    const total = frames.reduce((sum, f) => sum + f.length, 0);
    try {
      while (written < total) {
        const { bytesWritten } = await this.active.writev(remaining(frames, written), segment.size + written);
        written += bytesWritten;
      }
      await this.active.datasync();
      this.syncs++;
    } catch (error) {
      // A partial write would otherwise sit before the next append: cut the file back to its last durable frame.
      await this.active.truncate(segment.size).catch(() => undefined);
      throw error;
    }
    segment.size += total;
    // The frames are durable: whatever happens to the roll, they are acknowledged (a failure here must not answer
    // 503 for records the drain will deliver). A failed roll keeps writing to this segment and is tried again.
    if (segment.size >= this.options.segmentBytes) await this.roll().catch((error: unknown) => this.options.onFault?.('roll', error));
  }

  /** Starts the next segment; if any step fails nothing has changed (the file, if created, is removed again). */
  private async roll(): Promise<void> {
    const next = this.segments[this.segments.length - 1]!.id + 1;
    const path = join(this.directory, segmentFileName(next));
    const handle = await this.openSegment(next);
    try {
      await this.fs.syncDirectory(this.directory);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await this.fs.rm(path).catch(() => undefined);
      throw error;
    }
    const sealed = this.active;
    this.active = handle;
    this.segments.push({ id: next, size: 0 });
    // Its frames were fsync'd already: a failed close loses nothing.
    await sealed.close().catch(() => undefined);
  }

  /**
   * Once everything is drained the segments only hold drained bytes: start afresh so they stop counting. A roll
   * followed by a checkpoint at the new segment's start, so any failure leaves a log that is consistent on disk and
   * in memory: either nothing changed, or the new segment is active and the drained ones wait for the next commit.
   */
  private async restartWhenDrained(): Promise<void> {
    if (this.writing || this.pending.length > 0 || this.closed) return;
    this.writing = true;
    try {
      await this.roll();
      await this.advance({ segment: this.segments[this.segments.length - 1]!.id, offset: 0 }, 0);
    } catch (error) {
      this.options.onFault?.('restart', error);
    } finally {
      this.endExclusiveStep();
    }
  }

  private async recover(): Promise<void> {
    const ids = (await this.fs.readdir(this.directory))
      .filter((name) => /^\d{16}\.seg$/.test(name))
      .map((name) => Number(name.slice(0, 16)))
      .sort((a, b) => a - b);
    let truncatedBytes = 0;
    let corruptBytes = 0;
    for (const id of ids) {
      const path = join(this.directory, segmentFileName(id));
      if (id < this.read.segment) {
        await this.fs.rm(path);
        continue;
      }
      const data = await this.fs.readFile(path);
      const isLast = id === ids[ids.length - 1];
      let offset = 0;
      for (;;) {
        const frame = decodeFrame(data, offset);
        if (!frame.ok) break;
        if (id > this.read.segment || offset >= this.read.offset) this.times.push(frame.entry.appendedAtMs);
        offset += frame.size;
      }
      const segment: Segment = { id, size: data.length };
      if (offset < data.length) {
        if (isLast) {
          truncatedBytes = data.length - offset;
          const handle = await this.fs.open(path, 'write');
          await handle.truncate(offset);
          await handle.sync();
          await handle.close();
          segment.size = offset;
        } else {
          corruptBytes += data.length - offset;
          segment.readableEnd = offset;
        }
      }
      this.segments.push(segment);
    }
    if (this.segments.length === 0) {
      // No segment left (all drained and deleted, or removed by hand): the checkpoint's segment starts afresh, read
      // from its start — an offset kept from before would skip every record appended from now on.
      const id = this.read.segment;
      this.segments.push({ id, size: 0 });
      this.read = { segment: id, offset: 0 };
    }
    if (!this.segments.some((s) => s.id === this.read.segment)) this.read = { segment: this.segments[0]!.id, offset: 0 };
    // A checkpoint past its segment's end (the segment was cut shorter by hand or by a restore): read from that end.
    const readSegment = this.segments.find((s) => s.id === this.read.segment)!;
    if (this.read.offset > readSegment.size) this.read = { segment: readSegment.id, offset: readSegment.size };
    const last = this.segments[this.segments.length - 1]!;
    this.active = await this.openSegment(last.id);
    await this.fs.syncDirectory(this.directory);
    this.recovery = { truncatedBytes, corruptBytes, records: this.times.length };
  }

  private openSegment(segment: number): Promise<SpoolFile> {
    return this.fs.open(join(this.directory, segmentFileName(segment)), 'create');
  }

  private async readRange(segment: number, from: number, to: number, wanted: number): Promise<Buffer> {
    const handle = await this.fs.open(join(this.directory, segmentFileName(segment)), 'read');
    try {
      // Read at least one whole frame even when it is larger than `wanted`.
      const header = Buffer.alloc(FRAME_HEADER_BYTES);
      await handle.read(header, 0, FRAME_HEADER_BYTES, from);
      const first = FRAME_HEADER_BYTES + header.readUInt32BE(0);
      const length = Math.min(to - from, Math.max(wanted, first));
      const data = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(data, got, length - got, from + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return data.subarray(0, got);
    } finally {
      await handle.close();
    }
  }
}

function remaining(frames: Buffer[], skip: number): Buffer[] {
  if (skip === 0) return frames;
  const out: Buffer[] = [];
  for (const frame of frames) {
    if (skip >= frame.length) {
      skip -= frame.length;
      continue;
    }
    out.push(skip > 0 ? frame.subarray(skip) : frame);
    skip = 0;
  }
  return out;
}

/** No checkpoint: nothing was ever drained, so reading starts at the oldest segment there is. */
async function oldestSegmentStart(fs: SpoolFileSystem, directory: string): Promise<LogPosition> {
  const ids = (await fs.readdir(directory)).filter((name) => /^\d{16}\.seg$/.test(name)).map((name) => Number(name.slice(0, 16)));
  return { segment: ids.length > 0 ? Math.min(...ids) : 0, offset: 0 };
}
