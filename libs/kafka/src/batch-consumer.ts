import { setMaxListeners } from 'node:events';
import type { Consumer, EachBatchPayload, Kafka, PartitionAssigner } from 'kafkajs';
import { Topics } from '@hookbus/contracts';
import { isConcurrentTransactions, isFencedError, isRebalanceError, isTopicMetadataPending, mustRetryBatch } from './batch-errors';
import type { BatchEffects, BatchSink, TransformedRecord } from './batch-sink';
import { deadLetterFor, withoutPayload } from './dead-letter';
import { failureClass } from './failure-class';
import { toConsumedRecord, type ConsumedRecord, type OutgoingRecord } from './records';
import { reportIncompleteStop } from './stop-report';
import { backoffDelayMs, sleep, DEFAULT_BACKOFF, MAX_RECORD_ATTEMPTS, RecordAttempts, type BackoffPolicy } from './retry-policy';
import { TransactionalUnitOfWork } from './transactional-unit-of-work';
import { PlainUnitOfWork, type OffsetCommit, type UnitOfWork } from './unit-of-work';

// The consumer runner. What a stage implements is in batch-sink.ts, how a failed batch is classified in
// batch-errors.ts, and how a batch's effects commit with its offsets in unit-of-work.ts (at least once) and
// transactional-unit-of-work.ts (exactly once on Kafka).

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
/** How long a subscribe waits for the brokers to know its topics (subscribeOnceKnown). */
const SUBSCRIBE_WAIT_MS = 30_000;

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

/** The offset after `offset` (offsets are 64-bit; kafkajs hands them over as strings). */
function afterOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Runs a BatchSink on a kafkajs consumer. Framework-free: the Nest transport in libs/nest-kafka only starts and
 * stops it. Why not @nestjs/microservices' ServerKafka: it hands records to handlers one at a time through one
 * consumer for all topics, commits regardless of durable effects, and a throwing handler is retried forever
 * (nest issue #14664) — none of which lets a stage batch its writes or dead-letter a poison record.
 */
export class BatchConsumerRunner<T> {
  private readonly consumer: Consumer;
  /** Where each batch's effects and offsets commit: one Kafka transaction (transactionalIdFor set), or produce then commit. */
  private readonly unitOfWork: UnitOfWork;
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
    kafka: Kafka,
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
    this.unitOfWork = options.transactionalIdFor
      ? new TransactionalUnitOfWork(kafka, options.groupId, options.transactionalIdFor)
      : new PlainUnitOfWork(kafka, this.consumer);
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
    await this.unitOfWork.connect();
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
    await this.subscribeOnceKnown();
    await this.runConsumer();
    this.running = true;
  }

  /**
   * kafkajs' subscribe fails at once when the broker it asks does not know a topic yet (created a moment ago, or that
   * node just restarted: KRaft spreads the metadata a moment later) — the three-node cluster test met it on a quiet
   * machine. Asked again every 500 ms for up to SUBSCRIBE_WAIT_MS; any other error, or a stop, ends the wait.
   */
  private async subscribeOnceKnown(): Promise<void> {
    const deadline = Date.now() + SUBSCRIBE_WAIT_MS;
    for (;;) {
      try {
        await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true });
        return;
      } catch (error) {
        if (!isTopicMetadataPending(error) || Date.now() >= deadline || this.stopping.signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
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
    await this.unitOfWork.disconnect(disconnect);
    const stage = this.sink.stage;
    if (this.abandonedOnStop > 0) reportIncompleteStop(`${stage}: ${this.abandonedOnStop} batch(es) abandoned uncommitted`);
    if (failedDisconnects.length > 0) reportIncompleteStop(`${stage}: could not disconnect ${failedDisconnects.join(', ')}`);
    return { abandonedBatches: this.abandonedOnStop, failedDisconnects };
  }

  /**
   * On every assignment: let the unit of work prepare (the transactional one fences the owned partitions' ids first,
   * so a previous owner's open transaction is aborted before anyone reads those partitions' outputs), then the sink.
   */
  private async prepareAssignment(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): Promise<void> {
    await this.unitOfWork.prepare(assignment);
    await this.sink.onAssigned?.(assignment);
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
  private async commitDeadLetters(deadLetters: readonly OutgoingRecord[], heartbeat: () => Promise<void>, commit: OffsetCommit): Promise<void> {
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

  private inUnitOfWork(
    partitionOf: { topic: string; partition: number },
    work: (effects: BatchEffects) => Promise<void>,
    heartbeat: () => Promise<void>,
    commit?: OffsetCommit,
  ): Promise<void> {
    return this.unitOfWork.run(partitionOf, work, heartbeat, commit);
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
