import type { Consumer, Kafka, Producer, RecordMetadata, Transaction } from 'kafkajs';
import type { BatchEffects } from './batch-sink';
import { chunkByBytes, groupByTopic, type OutgoingRecord } from './records';

/** The offset a unit of work commits for its input partition (the consumer's position after the batch). */
export interface OffsetCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * How the consumer runner (batch-consumer.ts) makes one batch's effects and its offset commit durable: the work's
 * produced records and the commit either in one Kafka transaction (TransactionalUnitOfWork, exactly once on Kafka)
 * or produced first and committed after (PlainUnitOfWork, at least once).
 */
export interface UnitOfWork {
  connect(): Promise<void>;
  /** On every assignment, before any batch of it: the transactional unit fences the owned partitions' ids. */
  prepare(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): Promise<void>;
  /** Runs `work`, then commits `commit` (if given) with its effects; `afterCommit` callbacks run only once committed. */
  run(partitionOf: TopicPartition, work: (effects: BatchEffects) => Promise<void>, heartbeat: () => Promise<void>, commit?: OffsetCommit): Promise<void>;
  /** Disconnects its producers through `disconnect`, which records a failure rather than throwing. */
  disconnect(disconnect: (what: string, client: { disconnect(): Promise<void> }) => Promise<void>): Promise<void>;
}

/** Produces `records` in requests the broker accepts (records.ts: chunkByBytes), acknowledged by all in-sync replicas. */
export async function sendRecords(target: Producer | Transaction, records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
  const written: RecordMetadata[] = [];
  for (const chunk of chunkByBytes(records)) written.push(...(await target.sendBatch({ topicMessages: groupByTopic(chunk), acks: -1 })));
  return written;
}

/** At least once: an idempotent producer writes the effects, then the consumer commits the offset. */
export class PlainUnitOfWork implements UnitOfWork {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly consumer: Consumer,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async prepare(): Promise<void> {}

  async run(_partitionOf: TopicPartition, work: (effects: BatchEffects) => Promise<void>, heartbeat: () => Promise<void>, commit?: OffsetCommit): Promise<void> {
    const committed: Array<() => void> = [];
    const afterCommit = (callback: () => void) => void committed.push(callback);
    await work({ send: (records) => sendRecords(this.producer, records), heartbeat, afterCommit });
    if (commit) await this.consumer.commitOffsets([commit]);
    for (const callback of committed) callback();
  }

  async disconnect(disconnect: (what: string, client: { disconnect(): Promise<void> }) => Promise<void>): Promise<void> {
    await disconnect('producer', this.producer);
  }
}
