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
 * file is missing or holds no valid slot, and removed once the slot file is durable.
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
   * creates the slot file if it is missing. A creation refused by the disk is tried again at the first `write`.
   */
  static async open(fs: SpoolFileSystem, directory: string): Promise<{ slots: CheckpointSlots; position: CheckpointPosition | null }> {
    const newest = newestSlot(await readIfPresent(fs, join(directory, CHECKPOINT_SLOTS_FILE)));
    const position = newest?.position ?? (await readLegacyCheckpoint(fs, directory));
    const slots = new CheckpointSlots(fs, directory, newest?.generation ?? 0n, position);
    if (newest) slots.file = await fs.open(join(directory, CHECKPOINT_SLOTS_FILE), 'write');
    else await slots.create().catch(() => undefined);
    return { slots, position };
  }

  /** Records `position` durably; on failure the previous position is still the one on disk. */
  async write(position: CheckpointPosition): Promise<void> {
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
    const file = this.file;
    this.file = null;
    await file?.close();
  }

  /**
   * The slot file at full size, both slots holding the current position (generations 1 and 2), made durable with its
   * directory entry before it replaces the legacy file. A failure leaves no slot file behind if it can remove it.
   */
  private async create(): Promise<void> {
    const path = join(this.directory, CHECKPOINT_SLOTS_FILE);
    const position = this.position ?? { segment: 0, offset: 0 };
    const file = await this.fs.open(path, 'create');
    try {
      await file.truncate(0);
      const first = this.position ? [encodeSlot(2n, position), encodeSlot(1n, position)] : [Buffer.alloc(SLOT_BYTES), Buffer.alloc(SLOT_BYTES)];
      let written = 0;
      const data = Buffer.concat(first);
      while (written < data.length) written += (await file.writev([data.subarray(written)], written)).bytesWritten;
      await file.sync();
      await this.fs.syncDirectory(this.directory);
    } catch (error) {
      await file.close().catch(() => undefined);
      await this.fs.rm(path).catch(() => undefined);
      throw error;
    }
    this.file = file;
    // With no position yet both slots are empty (generation 0): the first write makes generation 1.
    this.generation = this.position ? 2n : 0n;
    await this.fs.rm(join(this.directory, LEGACY_CHECKPOINT_FILE)).catch(() => undefined);
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

async function readLegacyCheckpoint(fs: SpoolFileSystem, directory: string): Promise<CheckpointPosition | null> {
  const data = await readIfPresent(fs, join(directory, LEGACY_CHECKPOINT_FILE));
  if (data.length === 0) return null;
  const parsed = JSON.parse(data.toString('utf8')) as Partial<CheckpointPosition>;
  return Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset) ? { segment: parsed.segment!, offset: parsed.offset! } : null;
}
