import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { toConsumedRecord, type ConsumedRecord } from './records';
import { fetchTopicOffsetsSettled } from './topic-offsets';

/** Where a range read starts and stops in each partition: [from, to) offsets. */
export interface PartitionRange {
  readonly partition: number;
  readonly from: string;
  readonly to: string;
}

/**
 * The offsets of a topic between two times (`from` inclusive, `to` exclusive; absent = start / current end), from the
 * broker's time index.
 */
export async function rangeByTime(kafka: Kafka, topic: string, from?: Date, to?: Date): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await fetchTopicOffsetsSettled(admin, topic);
    const starts = from ? await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime()) : ends.map((e) => ({ partition: e.partition, offset: e.low }));
    const stops = to ? await admin.fetchTopicOffsetsByTimestamp(topic, to.getTime()) : ends.map((e) => ({ partition: e.partition, offset: e.high }));
    return ends.map((end) => {
      // fetchTopicOffsetsByTimestamp answers -1 past the last record: read to the end then.
      const fix = (o: string | undefined) => (o === undefined || o === '-1' ? end.high : o);
      return { partition: end.partition, from: fix(starts.find((s) => s.partition === end.partition)?.offset), to: fix(stops.find((s) => s.partition === end.partition)?.offset) };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the records of `ranges` (committed only) with a throwaway consumer group that commits nothing, calling
 * `onRecord` in offset order per partition; resolves when every range is read. A range ends exactly when a record at or
 * past its end arrives; at the end of a partition (where a transaction marker, which kafkajs never shows, may hold the
 * last offset) it ends once nothing new arrived for `idleMs` after the last batch was processed. The idle clock only
 * runs between batches, never before the group's first assignment (a broker may delay a new group's first
 * rebalance by seconds) nor while `onRecord` works. Once `signal` aborts, no further record is handed to `onRecord` and
 * the read resolves with the count so far (a caller that cannot go on stops it without failing the consumer, whose
 * restart would hand the range's records from the start again).
 */
export async function readTopicRange(
  kafka: Kafka,
  topic: string,
  ranges: readonly PartitionRange[],
  onRecord: (record: ConsumedRecord) => Promise<void> | void,
  idleMs = 3000,
  signal?: AbortSignal,
): Promise<number> {
  const pending = new Map(ranges.filter((r) => BigInt(r.from) < BigInt(r.to)).map((r) => [r.partition, r]));
  if (pending.size === 0 || signal?.aborted) return 0;
  const groupId = `hookbus-range-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
  let read = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      onAbort = resolve;
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (partition: number) => {
        pending.delete(partition);
        if (pending.size === 0) resolve();
      };
      const armIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(resolve, idleMs);
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      // After the assignment the clock may run: a range holding only aborted transactional records yields no batch.
      consumer.on(consumer.events.GROUP_JOIN, () => armIdle());
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = pending.get(batch.partition);
            if (!range) return;
            clearTimeout(idleTimer);
            for (const message of batch.messages) {
              if (signal?.aborted) return;
              if (BigInt(message.offset) < BigInt(range.from)) continue;
              if (BigInt(message.offset) >= BigInt(range.to)) {
                finish(batch.partition);
                if (pending.size > 0) armIdle();
                return;
              }
              await onRecord(toConsumedRecord(topic, batch.partition, message));
              read++;
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last && BigInt(last.offset) + 1n >= BigInt(range.to)) finish(batch.partition);
            // Other ranges may never yield a batch (only markers or aborted records left): keep the clock running.
            if (pending.size > 0) armIdle();
          },
        })
        .then(() => {
          for (const range of pending.values()) consumer.seek({ topic, partition: range.partition, offset: range.from });
        }, reject);
    });
  } finally {
    clearTimeout(idleTimer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return read;
}
