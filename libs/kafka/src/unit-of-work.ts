import type { Consumer, Kafka, Producer, RecordMetadata } from 'kafkajs';
import { mustRetryBatch } from './batch-errors';
import type { BatchEffects } from './batch-sink';
import { CoalescedCalls } from './coalesced-calls';
import type { OutgoingRecord } from './records';
import { RenewableIdempotentProducer } from './renewable-producer';

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

/**
 * At least once: an idempotent producer writes the effects, then the consumer commits the offset.
 *
 * The producer is a RenewableIdempotentProducer (renewable-producer.ts says why at length): after a failed send the
 * next send goes out on a new producer session, and sends take turns. It is shared by every partition the runner
 * consumes concurrently, and a batch is retried after a rebalance with other boundaries: on the old session the next
 * send to an output partition would carry other records under a failed send's handed-back sequence numbers, which the
 * broker answers as a duplicate of the appended one — and appends nothing. Records of the failed send that were
 * appended and are sent again are duplicates, which downstream deduplicates.
 *
 * The batches of one fetch (one per partition, run by kafkajs' concurrent workers) share produce requests and offset
 * commits: sends and commits made in the same turn of the event loop, or while the previous one is in flight, go as one
 * (coalesced-calls.ts). Ordering is kept: a partition's next batch starts only after its previous one committed, so no
 * input partition ever has two batches in one request. A send's answer (record metadata) is the whole merged
 * request's; no plain stage reads it.
 */
export class PlainUnitOfWork implements UnitOfWork {
  private readonly producer: RenewableIdempotentProducer;
  /** A merged send that failed because the broker is away (or the group moved on) fails every batch in it; any other failure is found per batch. */
  private readonly sends = new CoalescedCalls<readonly OutgoingRecord[], RecordMetadata[]>({
    runMerged: (parts) => this.producer.send(parts.flat()),
    failsEveryCall: mustRetryBatch,
  });
  private readonly commits = new CoalescedCalls<OffsetCommit, void>({
    runMerged: (offsets) => this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }))),
    failsEveryCall: mustRetryBatch,
  });

  constructor(
    kafka: Kafka,
    private readonly consumer: Consumer,
    createProducer: () => Producer = () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
  ) {
    this.producer = new RenewableIdempotentProducer(createProducer);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async prepare(): Promise<void> {}

  async run(_partitionOf: TopicPartition, work: (effects: BatchEffects) => Promise<void>, heartbeat: () => Promise<void>, commit?: OffsetCommit): Promise<void> {
    const committed: Array<() => void> = [];
    const afterCommit = (callback: () => void) => void committed.push(callback);
    await work({ send: (records) => this.sends.call(records), heartbeat, afterCommit });
    if (commit) await this.commits.call(commit);
    for (const callback of committed) callback();
  }

  /** After the consumer stopped: a renewal in progress is waited for, and its new producer disconnected too. */
  async disconnect(disconnect: (what: string, client: { disconnect(): Promise<void> }) => Promise<void>): Promise<void> {
    await disconnect('producer', this.producer);
  }
}
