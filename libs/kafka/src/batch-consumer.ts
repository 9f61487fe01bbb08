import { setMaxListeners } from 'node:events';
import type { Consumer, EachBatchPayload, Kafka, PartitionAssigner, Producer, RecordMetadata, Transaction } from 'kafkajs';
import { Topics } from '@hookbus/contracts';
import { deadLetterFor, withoutPayload } from './dead-letter';
import { failureClass } from './failure-class';
import { chunkByBytes, groupByTopic, toConsumedRecord, type ConsumedRecord, type OutgoingRecord } from './records';
import { reportIncompleteStop } from './stop-report';
import { backoffDelayMs, sleep, DEFAULT_BACKOFF, MAX_RECORD_ATTEMPTS, RecordAttempts, type BackoffPolicy } from './retry-policy';

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

export interface BatchConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning?: boolean;
  /**
   * Consume-transform-produce in Kafka transactions, one transactional producer per input partition. kafkajs has no
   * consumer-group fencing (KIP-447), so zombies are fenced the classic way: the transactional id is derived from the
   * partition, and a new owner initialising it aborts and fences whatever the previous owner left open. With several
   * input topics the partition number alone is the scope, which is right only with co-partitioned assignment.
   */
  readonly transactionalIdFor?: (topic: string, partition: number) => string;
  readonly partitionsConsumedConcurrently?: number;
  readonly backoff?: BackoffPolicy;
  readonly sessionTimeoutMs?: number;
  readonly maxBytesPerPartition?: number;
  /**
   * The broker holds a fetch until this many bytes are ready (or `fetchMaxWaitMs` passed). With kafkajs' defaults
   * (1 byte) a trickle of webhooks arrives as batches of one or two records, and every batch pays a whole produce,
   * commit or Kafka transaction, and a Postgres transaction in the projector: at 300 webhooks/s the four stages
   * saturated two cores. Waiting up to `fetchMaxWaitMs` per stage for fuller batches costs that much latency at most.
   */
  readonly fetchMinBytes?: number;
  readonly fetchMaxWaitMs?: number;
  /** kafkajs partition assigners; default round robin. Stages that keep keyed state use co-partitioning. */
  readonly partitionAssigners?: PartitionAssigner[];
}

export interface BatchConsumerObserver {
  batchFlushed?(stage: string, records: number, deadLettered: number, millis: number): void;
  flushFailed?(stage: string, error: unknown, attempt: number): void;
  recordDeadLettered?(stage: string, record: ConsumedRecord, error: unknown): void;
  /** Committing the position past a fetch of only control records failed (retried by the next fetch or batch). */
  positionCommitFailed?(stage: string, error: unknown): void;
  /** A dead letter that could not be stored and is not dead-lettered again (see BatchSink). */
  deadLetterDropped?(stage: string, record: ConsumedRecord, error: unknown): void;
}

/** How often a position commit past transaction markers is tried before the next batch is left to do it. */
const POSITION_COMMIT_ATTEMPTS = 5;

/** About a hundred raw webhook records; see BatchConsumerOptions.fetchMinBytes. */
export const DEFAULT_FETCH_MIN_BYTES = 128 * 1024;
export const DEFAULT_FETCH_MAX_WAIT_MS = 100;

/**
 * Fetch sizes bound the service's memory more than anything it keeps: kafkajs assembles each fetch response by
 * concatenating socket chunks, so a response of N bytes costs several N of short-lived buffers, and the process'
 * resident size keeps the high-water mark. With kafkajs' 10 MiB per fetch every stage peaked near 400 MB while
 * draining a backlog. A 1 MiB partition share is still about a thousand webhooks per batch, and a record larger than
 * the limit is still returned whole (Kafka returns at least the first record batch, KIP-74).
 */
export const DEFAULT_MAX_BYTES_PER_PARTITION = 1024 * 1024;
export const DEFAULT_MAX_FETCH_BYTES = 4 * 1024 * 1024;

const REBALANCE_ERROR_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'FENCED_INSTANCE_ID']);
const FENCED_ERROR_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'INVALID_PRODUCER_ID_MAPPING']);

/** The offset after `offset` (offsets are 64-bit; kafkajs hands them over as strings). */
function afterOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

function errorType(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
}

/** The group generation changed under us: retrying the batch can never commit it; kafkajs must rejoin. */
export function isRebalanceError(error: unknown): boolean {
  return REBALANCE_ERROR_TYPES.has(errorType(error) as string) || (error instanceof Error && error.name === 'KafkaJSStaleTopicMetadataAssignment');
}

/** Another instance now holds our transactional id: we are the zombie. */
export function isFencedError(error: unknown): boolean {
  return FENCED_ERROR_TYPES.has(errorType(error) as string);
}

/** CONCURRENT_TRANSACTIONS (error 51): transient while the coordinator finishes the previous transaction. */
export function isConcurrentTransactions(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS';
}

/**
 * Failures that are not about any record of the batch: a dependency is unavailable, the group moved on, or another
 * owner fenced us. The batch as a whole is retried (or abandoned to kafkajs); isolating records cannot help.
 */
export function mustRetryBatch(error: unknown): boolean {
  return isRebalanceError(error) || isFencedError(error) || isConcurrentTransactions(error) || failureClass(error) === 'unavailable';
}

/**
 * Runs a BatchSink on a kafkajs consumer. Framework-free: the Nest transport in libs/nest-kafka only starts and
 * stops it. Why not @nestjs/microservices' ServerKafka: it hands records to handlers one at a time through one
 * consumer for all topics, commits regardless of durable effects, and a throwing handler is retried forever
 * (nest issue #14664) — none of which lets a stage batch its writes or dead-letter a poison record.
 */
export class BatchConsumerRunner<T> {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly transactional = new Map<string, Producer>();
  /** Tail of the work queued per transactional id: one transaction at a time per producer. */
  private readonly transactionTails = new Map<string, Promise<unknown>>();
  private readonly stopping = new AbortController();
  /** Failures of one record whose class says nothing, counted across retries of its batch. */
  private readonly recordAttempts = new RecordAttempts();
  private running = false;
  /** Batches this runner gave up uncommitted because it was stopping (reported by stop()). */
  private abandonedOnStop = 0;
  /** Settles when the sink has prepared the current assignment; every batch waits for it. */
  private assignmentReady: Promise<void> = Promise.resolve();
  /** Counts group joins: a position commit queued in one generation is dropped if the group moved on. */
  private generation = 0;
  /** Per partition, the commit of a fetch that held only control or aborted records; the next batch waits for it. */
  private readonly positionCommits = new Map<string, Promise<void>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly sink: BatchSink<T>,
    private readonly options: BatchConsumerOptions,
    private readonly observer: BatchConsumerObserver = {},
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      // Outputs of transactional stages are read committed only (kafkajs' default; stated for the reader).
      readUncommitted: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: DEFAULT_MAX_FETCH_BYTES,
      minBytes: options.fetchMinBytes ?? DEFAULT_FETCH_MIN_BYTES,
      maxWaitTimeInMs: options.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      ...(options.partitionAssigners ? { partitionAssigners: options.partitionAssigners } : {}),
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    // Every concurrent backoff or heartbeat wait listens for shutdown on this signal (and stops listening when done).
    setMaxListeners(64, this.stopping.signal);
  }

  /** The consumer's run begun again after kafkajs stopped it (runAgain), while it starts. */
  private runningAgain: Promise<void> | null = null;

  get isRunning(): boolean {
    return this.running;
  }

  /** Connects, subscribes and starts consuming; resolves once the consumer runs (not when it joined). */
  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    // kafkajs does not await event listeners: keep the promise, and make every batch wait for it.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.generation++;
      const assignment = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
      this.assignmentReady = this.prepareAssignment(assignment);
      this.assignmentReady.catch(() => undefined);
    });
    // A fetch that holds only transaction markers or aborted records never reaches eachBatch: kafkajs moves its
    // position past them and, with autoCommit off, commits nothing. Commit that position here, as the Java client
    // does, or an idle transactional topic shows a lag of one marker per partition forever (in every lag tool).
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0) this.commitPosition(payload.topic, payload.partition, afterOffset(payload.lastOffset));
    });
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true });
    await this.runConsumer();
    this.running = true;
  }

  /**
   * Runs the consumer again after kafkajs stopped it for good on an error about the cluster, not the record (a broker
   * that is down: kafkajs gives up finding the group coordinator and does not restart). The group is joined anew
   * from the committed offsets; nothing was committed past what was processed. No-op once stopping.
   */
  async runAgain(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const run = this.runConsumer();
    this.runningAgain = run;
    try {
      await run;
    } finally {
      if (this.runningAgain === run) this.runningAgain = null;
    }
  }

  private runConsumer(): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /**
   * Graceful: lets the batch in hand finish (or abandons its retry wait uncommitted), leaves the group. Resolves
   * either way, with what it left undone (also reported to stop-report.ts, which makes the service exit 1): batches
   * abandoned uncommitted, clients that failed to disconnect (a broker that is down).
   */
  async stop(): Promise<{ abandonedBatches: number; failedDisconnects: string[] }> {
    this.stopping.abort();
    this.running = false;
    const failedDisconnects: string[] = [];
    const disconnect = (what: string, client: { disconnect(): Promise<void> }) =>
      client.disconnect().catch((error: unknown) => void failedDisconnects.push(`${what} (${error instanceof Error ? error.name : typeof error})`));
    await disconnect('consumer', this.consumer);
    if (this.runningAgain) {
      // A run begun again before the stop (the broker down: it may retry its join for a while) outlives that first
      // disconnect, and kafkajs would restart it after its next crash: wait for it, then stop it too.
      await this.runningAgain.catch(() => undefined);
      await disconnect('consumer', this.consumer);
    }
    await disconnect('producer', this.producer);
    await Promise.all([...this.transactional.values()].map((p) => disconnect('transactional producer', p)));
    this.transactional.clear();
    const stage = this.sink.stage;
    if (this.abandonedOnStop > 0) reportIncompleteStop(`${stage}: ${this.abandonedOnStop} batch(es) abandoned uncommitted`);
    if (failedDisconnects.length > 0) reportIncompleteStop(`${stage}: could not disconnect ${failedDisconnects.join(', ')}`);
    return { abandonedBatches: this.abandonedOnStop, failedDisconnects };
  }

  /**
   * On every assignment: fence the owned partitions' transactional ids first (so a previous owner's open transaction
   * is aborted before anyone reads those partitions' outputs), release the others, then let the sink prepare.
   */
  private async prepareAssignment(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): Promise<void> {
    if (this.options.transactionalIdFor) {
      const owned = new Set<string>();
      for (const { topic, partitions } of assignment) for (const partition of partitions) owned.add(this.options.transactionalIdFor(topic, partition));
      for (const [id, producer] of this.transactional) {
        if (owned.has(id)) continue;
        this.transactional.delete(id);
        await producer.disconnect().catch(() => undefined);
      }
      await Promise.all([...owned].map((id) => this.transactionalProducer(id)));
    }
    await this.sink.onAssigned?.(assignment);
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

  /** After a failed commit or abort kafkajs' producer is stuck mid-transaction: start over with a fresh one. */
  private async resetTransactionalProducer(id: string): Promise<void> {
    const producer = this.transactional.get(id);
    this.transactional.delete(id);
    await producer?.disconnect().catch(() => undefined);
  }

  /** kafkajs consumer events (GROUP_JOIN, CRASH, ...), for health and tests. */
  get events(): Consumer {
    return this.consumer;
  }

  /**
   * Commits `offset` for a partition whose last fetch held no record for the sink. Queued per partition so a later
   * batch's commit can never be overtaken by it; dropped if the group rejoined meanwhile (the partition may have a
   * new owner whose commits must not be rewound). kafkajs will not fetch these records again, so a failed commit is
   * retried here a few times; after that the partition's next batch commits past them.
   */
  private commitPosition(topic: string, partition: number, offset: string): void {
    const key = `${topic}:${partition}`;
    const generation = this.generation;
    const previous = this.positionCommits.get(key) ?? Promise.resolve();
    const commit = previous.then(async () => {
      for (let attempt = 1; attempt <= POSITION_COMMIT_ATTEMPTS; attempt++) {
        if (generation !== this.generation || this.stopping.signal.aborted) return;
        try {
          await this.consumer.commitOffsets([{ topic, partition, offset }]);
          return;
        } catch (error) {
          this.observer.positionCommitFailed?.(this.sink.stage, error);
          await sleep(backoffDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF), this.stopping.signal);
        }
      }
    });
    this.positionCommits.set(key, commit);
    void commit.finally(() => {
      if (this.positionCommits.get(key) === commit) this.positionCommits.delete(key);
    });
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    await this.positionCommits.get(`${batch.topic}:${batch.partition}`);
    await this.waitWithHeartbeats(this.assignmentReady, payload);
    const records = batch.messages.map((m) => toConsumedRecord(batch.topic, batch.partition, m));
    const transformed: Array<TransformedRecord<T>> = [];
    const deadLetters: OutgoingRecord[] = [];
    for (const record of records) {
      try {
        transformed.push({ record, value: await this.sink.transform(record) });
      } catch (error) {
        const deadLetter = this.deadLetterOf(record, error, 1);
        if (deadLetter) deadLetters.push(deadLetter);
      }
    }
    // The consumer's position, not the last record's offset + 1: a fetch from a transactional topic ends with the
    // transaction's commit marker (and may hold aborted records), and committing short of them leaves a lag that
    // never drains.
    const lastOffset = batch.lastOffset();
    const nextOffset = afterOffset(lastOffset);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      // Our own stop lets the batch in hand make its attempt (kafkajs marks the consumer not running while its
      // disconnect waits for this batch) but cuts a retry short: the batch is then left uncommitted — the next owner
      // reads it again — and the stop is not clean (stop() reports it).
      const stopping = this.stopping.signal.aborted;
      if (stopping && attempt > 1) {
        this.abandonedOnStop++;
        return;
      }
      if (payload.isStale() || (!payload.isRunning() && !stopping)) return;
      try {
        const isolatedDeadLetters = await this.flushAndCommit(payload, transformed, deadLetters, nextOffset);
        payload.resolveOffset(lastOffset);
        this.recordAttempts.forget(records);
        this.observer.batchFlushed?.(this.sink.stage, records.length, deadLetters.length + isolatedDeadLetters, Date.now() - started);
        return;
      } catch (error) {
        // The group moved on (or a new owner fenced our transactional id): abandon the batch uncommitted and let
        // kafkajs rejoin; the partition's new owner processes it.
        if (isRebalanceError(error) || isFencedError(error)) throw error;
        if (isConcurrentTransactions(error)) {
          // The coordinator is still completing our previous commit; the Java client retries this after ~20 ms.
          await sleep(20 * Math.min(attempt, 10), this.stopping.signal);
          continue;
        }
        this.observer.flushFailed?.(this.sink.stage, error, attempt);
        await this.waitBeforeRetry(payload, attempt);
      }
    }
  }

  /**
   * Returns how many records were dead-lettered while isolating a failure. Throws (and the batch is retried with
   * backoff) when a dependency is unavailable, or when a record failed for no known reason fewer than
   * MAX_RECORD_ATTEMPTS times.
   */
  private async flushAndCommit(
    payload: EachBatchPayload,
    items: ReadonlyArray<TransformedRecord<T>>,
    deadLetters: readonly OutgoingRecord[],
    nextOffset: string,
  ): Promise<number> {
    const { topic, partition } = payload.batch;
    const heartbeat = () => payload.heartbeat();
    const commit = { topic, partition, offset: nextOffset };
    try {
      await this.inUnitOfWork({ topic, partition }, async (effects) => {
        if (items.length > 0) await this.sink.flush(items, effects);
        if (deadLetters.length > 0) await effects.send(deadLetters);
      }, heartbeat, commit);
      return 0;
    } catch (error) {
      if (mustRetryBatch(error)) throw error;
    }
    // The batch failed for a reason that may be one record's: flush the records one by one to find it.
    const isolated: OutgoingRecord[] = [...deadLetters];
    for (const item of items) {
      try {
        await this.inUnitOfWork({ topic, partition }, (effects) => this.sink.flush([item], effects), heartbeat);
      } catch (error) {
        if (mustRetryBatch(error)) throw error;
        const attempts = this.recordAttempts.failed(item.record);
        if (failureClass(error) === 'unknown' && attempts < MAX_RECORD_ATTEMPTS) throw error;
        const deadLetter = this.deadLetterOf(item.record, error, attempts);
        if (deadLetter) isolated.push(deadLetter);
      }
    }
    await this.commitDeadLetters(isolated, heartbeat, commit);
    return isolated.length - deadLetters.length;
  }

  /**
   * Sends the batch's dead letters with its offsets. Kafka may refuse one as too large (the original record plus our
   * headers can pass the topic's limit): then they go without their payloads, which the headers still locate.
   */
  private async commitDeadLetters(deadLetters: readonly OutgoingRecord[], heartbeat: () => Promise<void>, commit: { topic: string; partition: number; offset: string }): Promise<void> {
    const partitionOf = { topic: commit.topic, partition: commit.partition };
    try {
      await this.inUnitOfWork(partitionOf, async (effects) => void (await effects.send(deadLetters)), heartbeat, commit);
    } catch (error) {
      if (mustRetryBatch(error) || failureClass(error) !== 'record') throw error;
      await this.inUnitOfWork(partitionOf, async (effects) => void (await effects.send(deadLetters.map(withoutPayload))), heartbeat, commit);
    }
  }

  /** The dead letter for a record, or null for a record of the dead-letter topic itself (never dead-lettered twice). */
  private deadLetterOf(record: ConsumedRecord, error: unknown, attempts: number): OutgoingRecord | null {
    if (record.topic === Topics.deadLetter.name) {
      this.observer.deadLetterDropped?.(this.sink.stage, record, error);
      return null;
    }
    this.observer.recordDeadLettered?.(this.sink.stage, record, error);
    return deadLetterFor(record, this.sink.stage, error, attempts);
  }

  private async inUnitOfWork(
    partitionOf: { topic: string; partition: number },
    work: (effects: BatchEffects) => Promise<void>,
    heartbeat: () => Promise<void>,
    commit?: { topic: string; partition: number; offset: string },
  ): Promise<void> {
    const committed: Array<() => void> = [];
    const afterCommit = (callback: () => void) => void committed.push(callback);
    if (!this.options.transactionalIdFor) {
      await work({ send: (records) => this.send(this.producer, records), heartbeat, afterCommit });
      if (commit) await this.consumer.commitOffsets([commit]);
      for (const callback of committed) callback();
      return;
    }
    const id = this.options.transactionalIdFor(partitionOf.topic, partitionOf.partition);
    // Batches of one partition number on several co-partitioned topics share the producer (and the sink's state for
    // that partition): with partitions consumed concurrently they must take turns.
    const previous = this.transactionTails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    this.transactionTails.set(id, previous.then(() => turn));
    await previous.catch(() => undefined);
    try {
      await this.transactionalUnitOfWork(id, work, heartbeat, committed, afterCommit, commit);
    } finally {
      // The map holds one tail per transactional id, so it is bounded by the partition count.
      release();
    }
  }

  private async transactionalUnitOfWork(
    id: string,
    work: (effects: BatchEffects) => Promise<void>,
    heartbeat: () => Promise<void>,
    committed: Array<() => void>,
    afterCommit: (callback: () => void) => void,
    commit?: { topic: string; partition: number; offset: string },
  ): Promise<void> {
    const transaction = await (await this.transactionalProducer(id)).transaction();
    let committing = false;
    try {
      await work({ send: (records) => this.send(transaction, records), heartbeat, afterCommit });
      if (commit) {
        await transaction.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [{ topic: commit.topic, partitions: [{ partition: commit.partition, offset: commit.offset }] }],
        });
      }
      committing = true;
      await transaction.commit();
    } catch (error) {
      committed.length = 0;
      // A failed commit leaves kafkajs' producer in COMMITTING, where abort is refused and every later transaction
      // fails; a failed abort leaves it ABORTING. Either way a fresh producer re-initialises the id, which aborts
      // whatever the broker still holds open.
      const aborted = committing ? false : await transaction.abort().then(() => true, () => false);
      if (!aborted || isFencedError(error)) await this.resetTransactionalProducer(id);
      throw error;
    }
    for (const callback of committed) callback();
  }

  private async send(target: Producer | Transaction, records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    const written: RecordMetadata[] = [];
    for (const chunk of chunkByBytes(records)) written.push(...(await target.sendBatch({ topicMessages: groupByTopic(chunk), acks: -1 })));
    return written;
  }

  private async waitBeforeRetry(payload: EachBatchPayload, attempt: number): Promise<void> {
    const until = Date.now() + backoffDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF);
    // Heartbeat through the wait so a long outage does not cost the partition assignment; if the group is
    // rebalancing anyway, stop waiting and let kafkajs rejoin.
    while (Date.now() < until && !this.stopping.signal.aborted && payload.isRunning()) {
      await sleep(Math.min(1000, until - Date.now()), this.stopping.signal);
      await this.heartbeat(payload);
    }
  }

  /** Waits for `promise` (the state restore of a new assignment), heartbeating every second meanwhile. */
  private async waitWithHeartbeats(promise: Promise<void>, payload: EachBatchPayload): Promise<void> {
    let settled = false;
    const done = promise.finally(() => void (settled = true));
    while (!settled) {
      await Promise.race([done.catch(() => undefined), sleep(1000, this.stopping.signal)]);
      if (!settled) await this.heartbeat(payload);
      if (this.stopping.signal.aborted) break;
    }
    await done;
  }

  private async heartbeat(payload: EachBatchPayload): Promise<void> {
    try {
      await payload.heartbeat();
    } catch (error) {
      if (isRebalanceError(error)) throw error;
    }
  }

}
