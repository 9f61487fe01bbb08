import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { BatchConsumerRunner, ConsumerCrashJudge, ConsumerRerun, consumerCrashResponse, kafkaAction, type BatchConsumerObserver, type BatchConsumerOptions, type BatchSink } from '@hookbus/kafka';
import { stopServiceAfterFailure, type ConsumerMetrics, type Logger } from '@hookbus/platform';
import { errorCode, errorFields } from '@hookbus/contracts';

/**
 * Hosts a stage's BatchSink as a Nest microservice transport, so `app.connectMicroservice({ strategy })` and
 * `app.startAllMicroservices()` / `app.close()` start and stop the consumer with the application's lifecycle.
 * The consuming itself is libs/kafka's BatchConsumerRunner (why not ServerKafka: see batch-consumer.ts).
 */
export class KafkaBatchTransport<T> extends Server implements CustomTransportStrategy {
  private readonly runner: BatchConsumerRunner<T>;
  private stoppedWhy: string | null = null;
  private closing = false;
  /** Runs the consumer again while kafkajs stops it because the broker is unavailable, until it rejoins. */
  private readonly rerun: ConsumerRerun;

  constructor(
    kafka: Kafka,
    sink: BatchSink<T>,
    options: BatchConsumerOptions,
    log: Logger,
    metrics?: ConsumerMetrics,
    /**
     * Told once when kafkajs stops the consumer for good (a crash it does not restart from: a non-retriable error
     * such as a fenced transactional producer). By default the service process stops and exits 1, so that whatever
     * runs it (npm start, Compose, Kubernetes) reports or restarts it: a service that consumes nothing must not go on
     * answering ready.
     */
    onStoppedForGood: (why: string) => void = stopServiceAfterFailure,
  ) {
    super();
    this.runner = new BatchConsumerRunner(kafka, sink, options, observerFor(log, metrics));
    this.rerun = new ConsumerRerun(
      () => this.runner.runAgain(),
      (error) => log.debug({ err: error, stage: sink.stage }, 'running the consumer again failed; kafkajs reports the next crash'),
    );
    const crashes = new ConsumerCrashJudge();
    this.runner.events.on(this.runner.events.events.CRASH, ({ payload }) => {
      metrics?.consumerUp.set({ stage: sink.stage }, 0);
      // A fresh broker's group coordinator can move while the consumer joins: kafkajs restarts it (counted in
      // hookbus_kafka_retriable_total from its own log line). Only a crash that needs someone is an error.
      const state = crashes.crashed(payload.error, payload.restart);
      if (state) log.debug({ err: payload.error, restart: payload.restart, stage: sink.stage, retriable: state }, `consumer could not join yet (${state}); kafkajs restarts it`);
      else if (payload.restart) log.error({ err: payload.error, restart: payload.restart, stage: sink.stage, action: kafkaAction([]) }, 'consumer crashed');
      if (consumerCrashResponse(payload, this.closing) === 'run-again') {
        // The broker is down (kafkajs gave up finding the coordinator): a dependency, retried for as long as it takes,
        // not a reason to stop the service. Not ready meanwhile; the consumer rejoins from its committed offsets.
        const next = this.rerun.schedule();
        if (next) log.debug({ err: payload.error, stage: sink.stage, ...next }, 'consumer stopped by kafkajs: the broker is unavailable; running it again');
        return;
      }
      if (!payload.restart && this.stoppedWhy === null) {
        const cause = originalCause(payload.error);
        this.stoppedWhy = `the ${sink.stage} consumer stopped for good (kafkajs does not restart it after ${String(cause?.name ?? 'an error')}: ${String(cause?.message ?? payload.error)})`;
        if (this.closing) {
          // Our own stop was under way: the service is exiting anyway; runService reports the stop as not clean.
          log.warn({ err: payload.error, restart: false, stage: sink.stage }, 'consumer stopped for good while the service was stopping');
        } else {
          log.error({ err: payload.error, restart: false, stage: sink.stage, action: 'the service stops and exits 1 so that its supervisor restarts it; if it recurs, check the broker and the error above' }, 'consumer stopped for good');
        }
        onStoppedForGood(this.stoppedWhy);
      }
    });
    this.runner.events.on(this.runner.events.events.GROUP_JOIN, ({ payload }) => {
      crashes.joined();
      this.rerun.joined();
      log.info({ stage: sink.stage, groupId: payload.groupId, assignment: payload.memberAssignment }, 'joined consumer group');
      metrics?.consumerUp.set({ stage: sink.stage }, 1);
    });
  }

  /** Why kafkajs stopped the consumer for good, or null while it runs (or restarts): a readiness check. */
  get stoppedForGood(): string | null {
    return this.stoppedWhy;
  }

  /** Throws while the consumer is stopped for good: a check for the service's READINESS_CHECKS. */
  readonly readinessCheck = async (): Promise<void> => {
    if (this.stoppedWhy !== null) throw new Error(this.stoppedWhy);
    const waitingMs = this.rerun.waitingForMs();
    if (waitingMs !== null) throw new Error(`the consumer has waited ${Math.round(waitingMs / 1000)} s for the broker (it rejoins when the broker answers)`);
  };

  get consumer(): BatchConsumerRunner<T> {
    return this.runner;
  }

  listen(callback: (error?: unknown) => void): void {
    this.runner.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    this.closing = true;
    // No new run after this; the runner's stop waits for one in flight and stops it too.
    void this.rerun.stop();
    await this.runner.stop();
  }

  on(): never {
    throw new Error('KafkaBatchTransport has no events to subscribe to; use .consumer.events');
  }

  unwrap<U>(): U {
    return this.runner as unknown as U;
  }
}

/** The error kafkajs wrapped (a KafkaJSNonRetriableError around the protocol error, say): what an operator needs. */
function originalCause(error: unknown): { name?: unknown; message?: unknown } | undefined {
  let current = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current?.cause && depth < 10; depth++) current = current.cause as typeof current;
  return current;
}

function observerFor(log: Logger, metrics?: ConsumerMetrics): BatchConsumerObserver {
  return {
    batchFlushed(stage, records, _deadLettered, millis) {
      metrics?.recordsProcessed.inc({ stage }, records);
      metrics?.batchSize.observe({ stage }, records);
      metrics?.flushSeconds.observe({ stage }, millis / 1000);
    },
    flushFailed(stage, error, attempt) {
      metrics?.flushFailures.inc({ stage });
      log.warn({ stage, attempt, code: errorCode(error), err: errorFields(error) }, 'batch flush failed; retrying with backoff');
    },
    positionCommitFailed(stage, error) {
      // Retried, and at worst repaired by the partition's next batch: a metric, not a line someone must act on.
      metrics?.positionCommitFailures.inc({ stage });
      log.debug({ stage, code: errorCode(error), err: error instanceof Error ? error.message : String(error) }, 'committing the position past transaction markers failed; retrying');
    },
    recordDeadLettered(stage, record, error) {
      metrics?.deadLettered.inc({ stage, code: errorCode(error) });
      log.warn(
        // Class and code only: the message of a parse or database error can quote the record (phone numbers, emails).
        { stage, topic: record.topic, partition: record.partition, offset: record.offset, receiptId: record.headers['hookbus-receipt-id'], code: errorCode(error), err: errorFields(error) },
        'record dead-lettered',
      );
    },
    deadLetterDropped(stage, record, error) {
      metrics?.deadLettersDropped.inc({ stage, code: errorCode(error) });
      // ERROR: someone must look — the dead letter is still on webhooks.deadletter at this offset.
      log.error({ stage, topic: record.topic, partition: record.partition, offset: record.offset, code: errorCode(error) }, 'dead letter could not be stored; left on the topic, not dead-lettered again');
    },
  };
}
