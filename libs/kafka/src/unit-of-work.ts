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

/**
 * At least once: an idempotent producer writes the effects, then the consumer commits the offset.
 *
 * After a failed send the next send goes out on a new producer session (a new producer id), as the gateway's
 * CoalescingProducer does (RenewProducerSession there says why at length): kafkajs hands a failed send's sequence
 * numbers back, yet the failed produce may have been appended (a request timeout, NOT_ENOUGH_REPLICAS_AFTER_APPEND).
 * The producer is shared by every partition the runner consumes concurrently, and a batch is retried after a
 * rebalance with other boundaries: the next send to that output partition carries other records under the reused
 * sequence numbers, and the broker answers it success as a duplicate of the appended one — and appends nothing.
 * Records of the failed send that were appended and are sent again are duplicates, which downstream deduplicates.
 *
 * Sends go out one at a time, as the CoalescingProducer's (one batch in flight): renewing before the next send is not
 * enough while a concurrent batch's send has already begun on the same session — kafkajs queues it on its broker lock
 * and hands it the failed send's sequence numbers as soon as that send gives them back (the real-load fault suite's
 * broker restart lost a normalized event so). Waiting for the send under way means a send that fails is seen (the
 * session spent) before the next one picks a session.
 */
export class PlainUnitOfWork implements UnitOfWork {
  private producer: Producer;
  /** The session a send failed on: no further send goes out on it. */
  private spent: Producer | null = null;
  /** One renewal at a time for every concurrent batch. */
  private renewing: Promise<Producer> | null = null;
  /** The send under way (settled either way): the next one starts after it. */
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly consumer: Consumer,
    private readonly createProducer: () => Producer = () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
  ) {
    this.producer = createProducer();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async prepare(): Promise<void> {}

  async run(_partitionOf: TopicPartition, work: (effects: BatchEffects) => Promise<void>, heartbeat: () => Promise<void>, commit?: OffsetCommit): Promise<void> {
    const committed: Array<() => void> = [];
    const afterCommit = (callback: () => void) => void committed.push(callback);
    await work({ send: (records) => this.send(records), heartbeat, afterCommit });
    if (commit) await this.consumer.commitOffsets([commit]);
    for (const callback of committed) callback();
  }

  async disconnect(disconnect: (what: string, client: { disconnect(): Promise<void> }) => Promise<void>): Promise<void> {
    await this.renewing?.catch(() => undefined);
    await disconnect('producer', this.producer);
  }

  /** One send at a time: a send that began beside a failing one could take the sequence numbers it hands back. */
  private send(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    const turn = this.sending.then(() => this.sendOnLiveSession(records));
    this.sending = turn.catch(() => undefined);
    return turn;
  }

  private async sendOnLiveSession(records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    const producer = await this.liveProducer();
    try {
      return await sendRecords(producer, records);
    } catch (error) {
      if (producer === this.producer) this.spent = producer;
      throw error;
    }
  }

  /** The current session, or a new one if a send failed on it. A renewal that fails (the broker away) is tried again by the next send. */
  private liveProducer(): Promise<Producer> {
    if (this.spent !== this.producer) return Promise.resolve(this.producer);
    this.renewing ??= this.renew(this.producer).finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renew(failed: Producer): Promise<Producer> {
    await failed.disconnect().catch(() => undefined);
    const fresh = this.createProducer();
    try {
      // connect() asks for a new producer id: the new session's sequence numbers start from 0.
      await fresh.connect();
    } catch (error) {
      await fresh.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = fresh;
    return fresh;
  }
}
