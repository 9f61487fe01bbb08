import type { Kafka, Producer } from 'kafkajs';
import type { BatchEffects } from './batch-sink';
import { sendRecords } from './records';
import type { OffsetCommit, TopicPartition, UnitOfWork } from './unit-of-work';

/**
 * Exactly once on Kafka: the effects, the dead letters and the offset commit in one Kafka transaction, with one
 * transactional producer per input partition. kafkajs has no consumer-group fencing (KIP-447), so zombies are fenced
 * the classic way: the transactional id is derived from the partition, and a new owner initialising it aborts and
 * fences whatever the previous owner left open (BatchConsumerOptions.transactionalIdFor).
 */
export class TransactionalUnitOfWork implements UnitOfWork {
  private readonly transactional = new Map<string, Producer>();
  /** Tail of the work queued per transactional id: one transaction at a time per producer. */
  private readonly transactionTails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly transactionalIdFor: (topic: string, partition: number) => string,
  ) {}

  async connect(): Promise<void> {}

  /**
   * On every assignment: fence the owned partitions' transactional ids first (so a previous owner's open transaction
   * is aborted before anyone reads those partitions' outputs), and release the others.
   */
  async prepare(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): Promise<void> {
    const owned = new Set<string>();
    for (const { topic, partitions } of assignment) for (const partition of partitions) owned.add(this.transactionalIdFor(topic, partition));
    for (const [id, producer] of this.transactional) {
      if (owned.has(id)) continue;
      this.transactional.delete(id);
      await producer.disconnect().catch(() => undefined);
    }
    await Promise.all([...owned].map((id) => this.transactionalProducer(id)));
  }

  async run(partitionOf: TopicPartition, work: (effects: BatchEffects) => Promise<void>, heartbeat: () => Promise<void>, commit?: OffsetCommit): Promise<void> {
    const committed: Array<() => void> = [];
    const afterCommit = (callback: () => void) => void committed.push(callback);
    const id = this.transactionalIdFor(partitionOf.topic, partitionOf.partition);
    // Batches of one partition number on several co-partitioned topics share the producer (and the sink's state for
    // that partition): with partitions consumed concurrently they must take turns.
    const previous = this.transactionTails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    this.transactionTails.set(id, previous.then(() => turn));
    await previous.catch(() => undefined);
    try {
      await this.inTransaction(id, work, heartbeat, committed, afterCommit, commit);
    } finally {
      // The map holds one tail per transactional id, so it is bounded by the partition count.
      release();
    }
  }

  async disconnect(disconnect: (what: string, client: { disconnect(): Promise<void> }) => Promise<void>): Promise<void> {
    await Promise.all([...this.transactional.values()].map((p) => disconnect('transactional producer', p)));
    this.transactional.clear();
  }

  private async inTransaction(
    id: string,
    work: (effects: BatchEffects) => Promise<void>,
    heartbeat: () => Promise<void>,
    committed: Array<() => void>,
    afterCommit: (callback: () => void) => void,
    commit?: OffsetCommit,
  ): Promise<void> {
    const transaction = await (await this.transactionalProducer(id)).transaction();
    let committing = false;
    try {
      await work({ send: (records) => sendRecords(transaction, records), heartbeat, afterCommit });
      if (commit) {
        await transaction.sendOffsets({
          consumerGroupId: this.groupId,
          topics: [{ topic: commit.topic, partitions: [{ partition: commit.partition, offset: commit.offset }] }],
        });
      }
      committing = true;
      await transaction.commit();
    } catch (error) {
      committed.length = 0;
      // Abort what the broker holds open, then always start over with a fresh producer, which re-initialises the id
      // (a new epoch: sequence numbers from 0). A failed commit leaves kafkajs' producer in COMMITTING, where abort
      // is refused and every later transaction fails; a failed abort leaves it ABORTING. And after a successful
      // abort kafkajs keeps the epoch and hands a failed send's sequence numbers back, although that send may have
      // been appended (a request timeout): the next transaction's records to that output partition would reuse them,
      // the broker would answer them as its duplicates and append nothing, and the transaction would commit the
      // input offsets without them (the gateway's loss, fea6f93, inside a transaction).
      if (!committing) await transaction.abort().catch(() => undefined);
      await this.resetTransactionalProducer(id);
      throw error;
    }
    for (const callback of committed) callback();
  }

  /** The partition's transactional producer, initialised (fencing older holders of the id) on first use. */
  private async transactionalProducer(id: string): Promise<Producer> {
    const existing = this.transactional.get(id);
    if (existing) return existing;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, transactionalId: id, transactionTimeout: 60_000 });
    await producer.connect();
    // kafkajs runs InitProducerId on the first transaction: begin and abort an empty one to fence now.
    const transaction = await producer.transaction();
    await transaction.abort();
    this.transactional.set(id, producer);
    return producer;
  }

  /** After a failed transaction: start over with a fresh producer (see inTransaction). */
  private async resetTransactionalProducer(id: string): Promise<void> {
    const producer = this.transactional.get(id);
    this.transactional.delete(id);
    await producer?.disconnect().catch(() => undefined);
  }
}
