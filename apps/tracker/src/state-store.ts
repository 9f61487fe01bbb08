import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DEFAULT_MAX_BYTES_PER_PARTITION, DEFAULT_MAX_FETCH_BYTES } from '@hookbus/kafka';
import type { StateCodec } from '@hookbus/tracking';

/** Keys of this prefix on a state topic are restore sentinels, never state; consumers of state topics skip them. */
export const SENTINEL_KEY_PREFIX = '__hookbus_restore__/';

export function isSentinelKey(key: Buffer | string | null): boolean {
  if (key === null) return false;
  return key.toString().startsWith(SENTINEL_KEY_PREFIX);
}

/**
 * The tracker's state of the partitions it owns, kept in memory and durably in a compacted topic. On assignment it
 * is rebuilt from the topic: a sentinel record is written to each owned partition, and the topic is read (committed
 * records only) until every sentinel came back — so the store holds exactly what was committed before it, however
 * the broker laid out transaction markers.
 */
export class PartitionedStateStore<S> {
  private readonly byPartition = new Map<number, Map<string, S>>();

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    readonly codec: StateCodec<S>,
    private readonly partitionCount: number,
    private readonly onUnreadable: (key: string, partition: number, offset: string, error: unknown) => void = () => undefined,
  ) {}

  get(key: string, partition: number): S | undefined {
    return this.byPartition.get(partition)?.get(key);
  }

  set(key: string, partition: number, state: S): void {
    let states = this.byPartition.get(partition);
    if (!states) this.byPartition.set(partition, (states = new Map()));
    states.set(key, state);
  }

  /** Every state of the owned partitions (for periodic checks such as overdue processes). */
  *entries(partition?: number): IterableIterator<[string, S, number]> {
    for (const [p, states] of this.byPartition) {
      if (partition !== undefined && p !== partition) continue;
      for (const [key, state] of states) yield [key, state, p];
    }
  }

  get size(): number {
    let n = 0;
    for (const states of this.byPartition.values()) n += states.size;
    return n;
  }

  /**
   * Drops partitions no longer owned and rebuilds newly owned ones from the topic; partitions kept across the
   * rebalance keep their state (nobody else wrote them meanwhile: a partition that left and came back was dropped when
   * it left, at the join that took it away).
   */
  async restore(partitions: readonly number[]): Promise<{ restored: number; millis: number }> {
    const started = Date.now();
    const owned = new Set(partitions.filter((p) => p < this.partitionCount));
    for (const partition of [...this.byPartition.keys()]) if (!owned.has(partition)) this.byPartition.delete(partition);
    const wanted = new Set([...owned].filter((p) => !this.byPartition.has(p)));
    if (wanted.size === 0) return { restored: 0, millis: 0 };
    for (const partition of wanted) this.byPartition.set(partition, new Map());
    try {
      return await this.readUpToSentinels(wanted, started);
    } catch (error) {
      // Half-read partitions must not pass for restored ones at the next assignment.
      for (const partition of wanted) this.byPartition.delete(partition);
      throw error;
    }
  }

  private async readUpToSentinels(wanted: ReadonlySet<number>, started: number): Promise<{ restored: number; millis: number }> {
    const sentinel = `${SENTINEL_KEY_PREFIX}${randomUUID()}`;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // A null value: a tombstone, so compaction removes sentinels in time.
      await producer.send({ topic: this.topic, acks: -1, messages: [...wanted].map((partition) => ({ partition, key: sentinel, value: null })) });
    } finally {
      await producer.disconnect();
    }
    const groupId = `hookbus-restore-${randomUUID()}`;
    // Fetch sizes as the stages' consumers (see DEFAULT_MAX_BYTES_PER_PARTITION): a restore reads every partition
    // at once, and bigger fetches made it the tracker's memory peak without making it faster.
    const consumer = this.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: DEFAULT_MAX_FETCH_BYTES,
    });
    const pending = new Set(wanted);
    let restored = 0;
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
        consumer.subscribe({ topics: [this.topic], fromBeginning: true }).then(
          () =>
            consumer.run({
              autoCommit: false,
              eachBatch: async ({ batch }) => {
                if (!wanted.has(batch.partition) || !pending.has(batch.partition)) return;
                for (const message of batch.messages) {
                  const key = message.key?.toString() ?? '';
                  if (key === sentinel) {
                    pending.delete(batch.partition);
                    if (pending.size === 0) resolve();
                    break;
                  }
                  if (isSentinelKey(key) || !key) continue;
                  if (message.value === null) {
                    this.byPartition.get(batch.partition)?.delete(key);
                    continue;
                  }
                  try {
                    this.set(key, batch.partition, this.codec.parse(message.value));
                    restored++;
                  } catch (error) {
                    // A state the codec cannot read (written by an older tracker, or damaged) is dropped, not fatal:
                    // the next event for the key rebuilds it, and a crash here would stop the whole partition.
                    this.byPartition.get(batch.partition)?.delete(key);
                    this.onUnreadable(key, batch.partition, message.offset, error);
                  }
                }
              },
            }),
          reject,
        );
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      const admin = this.kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
    return { restored, millis: Date.now() - started };
  }
}
