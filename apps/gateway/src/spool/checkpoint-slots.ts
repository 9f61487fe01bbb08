import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SpoolFile, SpoolFileSystem } from './spool-file-system';

/**
 * The spool's drained position, written in place so that recording it never needs a new disk block.
 *
 * Why: the drain must be able to make progress exactly when the disk is full — that is when the spool holds records
 * and every append is refused. The checkpoint used to be replaced atomically (a temporary file, fsync, rename); on a
 * full disk that write failed with ENOSPC, the drainer stopped, the records it had just written to Kafka stayed in
 * the spool (sent again by every later attempt), the spool never emptied, and the gateway answered 503 to every
 * webhook for as long as the disk stayed full — although Kafka was back and could have taken them directly.
 *
 * Format: a file of two fixed slots, created full size once (when the disk still has room: at open, or at the first
 * commit after a failed creation) and afterwards only overwritten. Slot = `u64 generation | u64 segment | u64 offset
 * | u32 crc32(first 24 bytes) | u32 0` (big-endian). A write goes to the slot that does not hold the newest valid
 * position and is fdatasync'd; reading takes the valid slot with the higher generation. A torn or failed write spoils
 * only the slot being written: the other still holds the previous position, and the next attempt writes the same
 * slot again (the generation advances only once a write is durable). On a copy-on-write file system an overwrite can
 * still need space; ext4, xfs and tmpfs overwrite allocated blocks in place.
 *
 * Spools written by earlier versions have a JSON `checkpoint` file (`{segment, offset}`); it is read when the slot
 * file is missing or holds no valid slot, and renamed into the slot file (whose slots are then written in place):
 * the upgrade needs no new disk block either.
 */
export const CHECKPOINT_SLOTS_FILE = 'checkpoint.slots';
export const LEGACY_CHECKPOINT_FILE = 'checkpoint';
export const SLOT_BYTES = 32;
const SLOT_COUNT = 2;

export interface CheckpointPosition {
  readonly segment: number;
  readonly offset: number;
}

interface Slot {
  readonly generation: bigint;
  readonly position: CheckpointPosition;
}

export function encodeSlot(generation: bigint, position: CheckpointPosition): Buffer {
  const slot = Buffer.alloc(SLOT_BYTES);
  slot.writeBigUInt64BE(generation, 0);
  slot.writeBigUInt64BE(BigInt(position.segment), 8);
  slot.writeBigUInt64BE(BigInt(position.offset), 16);
  slot.writeUInt32BE(crc32(slot.subarray(0, 24)), 24);
  return slot;
}

/** The slot at `index` of `data`, or null when it is missing, torn, zeroed or out of range. */
export function decodeSlot(data: Buffer, index: number): Slot | null {
  const start = index * SLOT_BYTES;
  if (data.length < start + SLOT_BYTES) return null;
  const slot = data.subarray(start, start + SLOT_BYTES);
  if (crc32(slot.subarray(0, 24)) !== slot.readUInt32BE(24)) return null;
  const generation = slot.readBigUInt64BE(0);
  const segment = slot.readBigUInt64BE(8);
  const offset = slot.readBigUInt64BE(16);
  // Generation 0 is never written: an all-zero slot (a crash while the file was created) is not a position.
  if (generation === 0n || segment > BigInt(Number.MAX_SAFE_INTEGER) || offset > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { generation, position: { segment: Number(segment), offset: Number(offset) } };
}

/** The newest valid slot of a slot file's contents. */
export function newestSlot(data: Buffer): Slot | null {
  let newest: Slot | null = null;
  for (let index = 0; index < SLOT_COUNT; index++) {
    const slot = decodeSlot(data, index);
    if (slot && (!newest || slot.generation > newest.generation)) newest = slot;
  }
  return newest;
}

export class CheckpointSlots {
  private file: SpoolFile | null = null;
  private closed = false;

  private constructor(
    private readonly fs: SpoolFileSystem,
    private readonly directory: string,
    /** Generation of the newest durable slot; 0 before the slot file exists. */
    private generation: bigint,
    /** Where that newest durable position is, for a slot file (re)created later. */
    private position: CheckpointPosition | null,
  ) {}

  /**
   * Reads the drained position (slot file, else the legacy JSON file, else null: nothing was ever drained) and
   * makes the slot file ready if it is not. A creation the disk refuses is reported to `onCreateFailed` and tried
   * again at the first `write`.
   */
  static async open(
    fs: SpoolFileSystem,
    directory: string,
    onCreateFailed: (error: unknown) => void = () => undefined,
  ): Promise<{ slots: CheckpointSlots; position: CheckpointPosition | null }> {
    const contents = await readIfPresent(fs, join(directory, CHECKPOINT_SLOTS_FILE));
    const newest = newestSlot(contents);
    // A slot file that holds the legacy JSON: the upgrade renamed it and stopped before writing the slots.
    const position = newest?.position ?? legacyPosition(contents) ?? legacyPosition(await readIfPresent(fs, join(directory, LEGACY_CHECKPOINT_FILE)));
    const slots = new CheckpointSlots(fs, directory, newest?.generation ?? 0n, position);
    if (newest) slots.file = await fs.open(join(directory, CHECKPOINT_SLOTS_FILE), 'write');
    else await slots.create().catch(onCreateFailed);
    return { slots, position };
  }

  /** Records `position` durably; on failure the previous position is still the one on disk. */
  async write(position: CheckpointPosition): Promise<void> {
    if (this.closed) throw new Error('the spool is closed');
    if (!this.file) {
      this.position = position;
      await this.create();
      return;
    }
    const next = this.generation + 1n;
    await this.file.writev([encodeSlot(next, position)], Number(next % BigInt(SLOT_COUNT)) * SLOT_BYTES);
    await this.file.datasync();
    this.generation = next;
    this.position = position;
  }

  async close(): Promise<void> {
    this.closed = true;
    const file = this.file;
    this.file = null;
    await file?.close();
  }

  /**
   * Makes the slot file hold the current position in both slots (generations 2 and 1; two empty slots when nothing
   * was drained yet), durably, without giving back a block it has: an existing slot file is overwritten in place,
   * never truncated or removed, and an earlier version's JSON file is renamed into it (a rename needs no data block:
   * this is how a spool upgraded while its disk is full still records its progress). Only a file created here is
   * removed again when a step fails.
   */
  private async create(): Promise<void> {
    const path = join(this.directory, CHECKPOINT_SLOTS_FILE);
    const names = await this.fs.readdir(this.directory);
    let existed = names.includes(CHECKPOINT_SLOTS_FILE);
    let renamed = false;
    if (!existed && names.includes(LEGACY_CHECKPOINT_FILE)) {
      await this.fs.rename(join(this.directory, LEGACY_CHECKPOINT_FILE), path);
      existed = renamed = true;
    }
    const file = await this.fs.open(path, existed ? 'write' : 'create');
    try {
      const data = this.position
        ? Buffer.concat([encodeSlot(2n, this.position), encodeSlot(1n, this.position)])
        : Buffer.alloc(SLOT_COUNT * SLOT_BYTES);
      let written = 0;
      while (written < data.length) written += (await file.writev([data.subarray(written)], written)).bytesWritten;
      await file.sync();
      if (!existed || renamed) await this.fs.syncDirectory(this.directory);
    } catch (error) {
      await file.close().catch(() => undefined);
      if (!existed) await this.fs.rm(path).catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await file.close();
      throw new Error('the spool is closed');
    }
    this.file = file;
    // With no position yet both slots are empty (generation 0): the first write makes generation 1.
    this.generation = this.position ? 2n : 0n;
    if (!renamed && names.includes(LEGACY_CHECKPOINT_FILE)) await this.fs.rm(join(this.directory, LEGACY_CHECKPOINT_FILE)).catch(() => undefined);
    // What an earlier version's interrupted checkpoint write left behind.
    if (names.includes(`${LEGACY_CHECKPOINT_FILE}.tmp`)) await this.fs.rm(join(this.directory, `${LEGACY_CHECKPOINT_FILE}.tmp`)).catch(() => undefined);
  }
}

async function readIfPresent(fs: SpoolFileSystem, path: string): Promise<Buffer> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

/** An earlier version's JSON checkpoint (`{segment, offset}`), or null when `data` is not one. */
function legacyPosition(data: Buffer): CheckpointPosition | null {
  if (data.length === 0 || data[0] !== 0x7b) return null;
  try {
    const parsed = JSON.parse(data.toString('utf8')) as Partial<CheckpointPosition>;
    return Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset) && parsed.segment! >= 0 && parsed.offset! >= 0
      ? { segment: parsed.segment!, offset: parsed.offset! }
      : null;
  } catch {
    return null;
  }
}
