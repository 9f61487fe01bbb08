import type { RecordMetadata } from 'kafkajs';
import type { ConsumedRecord, OutgoingRecord } from './records';

// What a stage implements to be run by BatchConsumerRunner (batch-consumer.ts).

/** One record after `transform`, ready for `flush`. */
export interface TransformedRecord<T> {
  readonly record: ConsumedRecord;
  readonly value: T;
}

/** What `flush` may do besides its own effects: produce records (inside the batch transaction when transactional). */
export interface BatchEffects {
  /**
   * Produces `records`; resolves with the broker's answer per topic-partition and produce request (the base offset
   * of each record batch written), which the tracker's state store records as the changelog offset it reflects.
   */
  send(records: readonly OutgoingRecord[]): Promise<readonly RecordMetadata[]>;
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /**
   * Runs `callback` once the unit of work (the batch's Kafka transaction, or its offset commit) has committed, and
   * not at all if it fails — for in-memory state that must only reflect what Kafka holds.
   */
  afterCommit(callback: () => void): void;
}

/**
 * A stage's processing of one topic-partition batch, in two steps:
 * - `transform` is pure and per record; throwing dead-letters that record alone (it can never succeed);
 * - `flush` makes the whole batch's effects durable. What a throw means is decided by what the error is
 *   (failure-class.ts): a dependency being unavailable retries the batch with backoff, for as long as it takes (the
 *   partition waits: lag grows, nothing is skipped); anything else isolates the record at fault, which is
 *   dead-lettered at once when the error is about the record, or after MAX_RECORD_ATTEMPTS when nothing says.
 * A record of the dead-letter topic is never dead-lettered again (that is how a loop starts): its sink must store
 * what it can of it, and one that still fails is dropped with an error log and a metric.
 * Offsets are committed only after `flush` resolved, so effects must be idempotent (at-least-once), or the runner
 * is `transactional` and effects, dead letters and offsets commit in one Kafka transaction (exactly-once on Kafka).
 */
export interface BatchSink<T> {
  readonly stage: string;
  transform(record: ConsumedRecord): T | Promise<T>;
  flush(items: ReadonlyArray<TransformedRecord<T>>, effects: BatchEffects): Promise<void>;
  /** Called when partitions are assigned, before any batch of them is processed (the tracker restores state). */
  onAssigned?(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): Promise<void>;
}
