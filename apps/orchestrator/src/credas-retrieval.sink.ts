import { HookbusError, Topics, asErrorCode, encodeRetryRecord, errorCode, isRetriable } from '@hookbus/contracts';
import { deadLetterFor, failureClass, sleep, type BatchEffects, type BatchSink, type ConsumedRecord, type OutgoingRecord, type TransformedRecord } from '@hookbus/kafka';
import type { Logger } from '@hookbus/platform';
import type { CredasApiClient } from './credas-api-client';
import { CredasAuthRejectedError, CredasRejectedError, CredasUnavailableError, retryAfterOf } from './credas-api-errors';
import type { CredasAuthGate } from './credas-auth-gate';
import { entityIdFromDetails } from './credas-details';
import { credasResultsEvent, resultsRecords, type CredasResultsData, type Retrieved } from './credas-results-event';
import type { OrchestratorMetrics } from './orchestrator-metrics';
import type { OrchestratorMemory } from './orchestrator-memory';
import { checkIdsOf, isCheckTrigger, planRecord, type Planned, type RetrievalJob } from './retrieval-jobs';
import { RETRIEVALS_TOPIC, laneFor, retryDelayMs, type RetryLane, type RetryPolicy } from './retry-schedule';

export interface RetrievalSinkDeps {
  readonly client: CredasApiClient;
  readonly gate: CredasAuthGate;
  readonly memory: OrchestratorMemory;
  readonly metrics: OrchestratorMetrics;
  readonly log: Logger;
  readonly retry: RetryPolicy;
  /** Aborted when the service stops: in-flight Credas calls are cancelled and nothing of the batch is committed. */
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/** Largest results record we produce: the topic's max.message.bytes minus room for headers and batch framing. */
const MAX_RESULT_BYTES = Topics.results.maxMessageBytes - 64 * 1024;
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Completions, check webhooks, re-fetch commands (main stage) or retry-lane records (one sink per lane) → Credas
 * retrievals → hookbus.credas.results. Every job runs concurrently (the API pool bounds the calls) and publishes
 * its own outcome as soon as it has one — a result, a retry-lane record, or a dead letter — so a slow or failing
 * process never holds back the others' results; the batch's offsets are committed when all outcomes are durable.
 */
export class CredasRetrievalSink implements BatchSink<Planned[]> {
  readonly stage: string;
  private readonly now: () => number;

  constructor(
    private readonly deps: RetrievalSinkDeps,
    /** The lane this sink drains, or null for the main topics. */
    private readonly lane: RetryLane | null,
  ) {
    this.stage = lane ? `orchestrator-retry-${lane.name}` : 'orchestrator';
    this.now = deps.now ?? Date.now;
  }

  transform(record: ConsumedRecord): Planned[] {
    return planRecord(record);
  }

  async flush(items: ReadonlyArray<TransformedRecord<Planned[]>>, effects: BatchEffects): Promise<void> {
    const heartbeat = setInterval(() => void effects.heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    try {
      await this.untilReady();
      const jobs = this.jobsOf(items.flatMap((item) => item.value));
      // Every job settles before the flush fails: a batch retry while some jobs still run would start them again
      // (a second Credas call, a second results event for one process).
      const outcomes = await Promise.allSettled(jobs.map((job) => this.run(job, effects)));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      clearInterval(heartbeat);
    }
    if (this.deps.signal.aborted) throw new HookbusError('orchestrator.stopping', 'the orchestrator is stopping', true);
  }

  private async untilReady(): Promise<void> {
    const { memory, signal } = this.deps;
    while (!memory.caughtUpNow && !signal.aborted) await sleep(100, signal);
  }

  /**
   * Refreshes become one forced job per retrieved process of the entity; one job per process per batch. A check
   * webhook dropped in favour of another forced job of the same process is merged into it: that retrieval reads
   * Credas after both webhooks, so it reflects both, and a redelivery of either must not refresh again.
   */
  private jobsOf(planned: readonly Planned[]): RetrievalJob[] {
    const byProcess = new Map<string, RetrievalJob>();
    const add = (job: RetrievalJob) => {
      const seen = byProcess.get(job.processKey);
      if (!seen || (job.force && !seen.force)) {
        byProcess.set(job.processKey, job);
        return;
      }
      if (seen.force && isCheckTrigger(job.trigger)) byProcess.set(job.processKey, { ...seen, mergedCheckIds: [...(seen.mergedCheckIds ?? []), job.trigger.eventId] });
    };
    for (const p of planned) {
      if ('job' in p) {
        add(p.job);
        continue;
      }
      const { entityId, trigger, origin } = p.refresh;
      for (const processKey of this.deps.memory.retrievedProcessesOf(entityId)) {
        // The redelivery of a check webhook already applied to this process changes nothing.
        if (this.deps.memory.checkApplied(processKey, trigger.eventId)) continue;
        add({ processKey, processId: processKey.slice('credas:'.length), entityIdHint: entityId, force: true, trigger, attempt: 1, dueAt: 0, origin });
      }
    }
    return [...byProcess.values()];
  }

  private async run(job: RetrievalJob, effects: BatchEffects): Promise<void> {
    const { memory, metrics, signal } = this.deps;
    if (!job.force && memory.retrieval(job.processKey)) {
      metrics.retrievals.inc({ stage: this.stage, outcome: 'already_retrieved' });
      return;
    }
    // A refresh parked in a retry lane may meet a retrieval that already reflects its webhook (a redelivery applied it).
    if (isCheckTrigger(job.trigger) && memory.checkApplied(job.processKey, job.trigger.eventId)) {
      metrics.retrievals.inc({ stage: this.stage, outcome: 'already_retrieved' });
      return;
    }
    if (this.lane) {
      const wait = job.dueAt - this.now();
      const fitting = laneFor(wait);
      // Due later than this lane's bound: move it once to the lane that covers the wait — always a longer one, so a
      // job never cycles back into the lane it came from.
      if (wait > this.lane.maxDelayMs && fitting.maxDelayMs > this.lane.maxDelayMs) {
        await this.sendOutcome(job, this.retryRecord(job, job.attempt, job.dueAt, null), effects);
        return;
      }
    }
    // A parked job waits here, heartbeating; never longer than its lane's bound (a due time beyond the last lane can
    // only come from another clock or an older version: it is due at that bound).
    await this.waitUntil(this.lane ? Math.min(job.dueAt, this.now() + this.lane.maxDelayMs) : job.dueAt, effects);
    if (signal.aborted) return;
    const started = this.now();
    try {
      const retrieved = await this.retrieve(job, effects);
      await this.publish(job, retrieved, effects);
      metrics.retrievalSeconds.observe({ stage: this.stage }, (this.now() - started) / 1000);
    } catch (error) {
      if (signal.aborted) return;
      await this.sendOutcome(job, this.failureRecord(job, error), effects);
    }
  }

  /**
   * Sends a job's retry record or dead letter. A retry lane may refuse the record itself (MESSAGE_TOO_LARGE: lanes
   * hold 5 MiB, events.checks.v1 up to 8 MiB): retrying cannot help then, and the job is dead-lettered instead.
   */
  private async sendOutcome(job: RetrievalJob, outcome: OutgoingRecord, effects: BatchEffects): Promise<void> {
    try {
      await effects.send([outcome]);
    } catch (error) {
      if (outcome.topic === Topics.deadLetter.name || failureClass(error) !== 'record') throw error;
      const refused = new HookbusError('orchestrator.retry_refused', `${outcome.topic} refused the retry record (${errorCode(error)})`, false);
      await effects.send([this.deadLetter(job, refused)]);
    }
  }

  private async retrieve(job: RetrievalJob, effects: BatchEffects): Promise<Retrieved> {
    const { client, memory, signal } = this.deps;
    const details = await this.call(effects, () => client.processDetails(job.processId, signal));
    const entity = this.entityFor(job, memory.entityOf(job.processKey), details);
    const [activeChecks, pdf] = await Promise.all([
      this.call(effects, () => client.activeChecks(entity.id, signal)),
      this.call(effects, () => client.pdfExport(entity.id, job.processId, signal)),
    ]);
    return {
      processKey: job.processKey,
      processId: job.processId,
      entityId: entity.id,
      entitySource: entity.source,
      details,
      activeChecks,
      pdf: pdf.bytes,
      retrievedAt: new Date(this.now()),
      trigger: job.trigger,
    };
  }

  /**
   * The command's entity, else the tracker's state, else the trigger's, else the details' actors
   * (docs/providers/credas.md#process-details).
   */
  private entityFor(job: RetrievalJob, fromState: string | null, details: unknown): { id: string; source: CredasResultsData['entitySource'] } {
    if (job.entityIdHint && job.trigger.kind === 'refetch') return { id: job.entityIdHint, source: 'command' };
    if (fromState) return { id: fromState, source: 'process-state' };
    if (job.entityIdHint) return { id: job.entityIdHint, source: 'event' };
    const fromDetails = entityIdFromDetails(details);
    if (fromDetails) return { id: fromDetails, source: 'details' };
    // The actor webhooks may still be on their way to the tracker: worth another try later.
    throw new CredasUnavailableError('credas.entity_unknown', 'no entity for the process: not in the process state, not in the details');
  }

  /** One Credas call through the 403 gate: a refused key pauses everything and is never counted as an attempt. */
  private async call<T>(effects: BatchEffects, fn: () => Promise<T>): Promise<T> {
    const { gate, signal, metrics } = this.deps;
    for (;;) {
      await gate.pass(signal, () => effects.heartbeat());
      try {
        const result = await fn();
        gate.accepted();
        return result;
      } catch (error) {
        if (error instanceof CredasAuthRejectedError) {
          metrics.authRejected.inc();
          gate.rejected();
          continue;
        }
        if (error instanceof CredasRejectedError) gate.accepted();
        else gate.undecided();
        throw error;
      }
    }
  }

  private async publish(job: RetrievalJob, retrieved: Retrieved, effects: BatchEffects): Promise<void> {
    const event = credasResultsEvent(retrieved);
    const { result, memo, memoValue } = resultsRecords(event, RETRIEVALS_TOPIC, this.deps.memory.checksAppliedWith(job.processKey, checkIdsOf(job)));
    const size = Buffer.byteLength(result.value as string);
    if (size > MAX_RESULT_BYTES) {
      // Inline transport's limit (README): the report cannot travel on events.results.v1.
      const error = new HookbusError('orchestrator.report_too_large', `the results event would be ${size} bytes, over the ${MAX_RESULT_BYTES} the topic accepts`, false);
      await this.sendOutcome(job, this.failureRecord(job, error), effects);
      return;
    }
    await effects.send([result, memo]);
    this.deps.memory.remember(memoValue);
    this.deps.metrics.retrievals.inc({ stage: this.stage, outcome: 'published' });
    this.deps.log.info({ processKey: job.processKey, eventId: event.id, trigger: job.trigger.kind, attempt: job.attempt, entitySource: retrieved.entitySource, reportBytes: retrieved.pdf.length }, 'Credas results published');
  }

  /**
   * A retriable failure with attempts left goes to a retry lane; after `maxAttempts` attempts, or a failure that
   * retrying cannot help, the job is dead-lettered with its reason.
   */
  private failureRecord(job: RetrievalJob, error: unknown): OutgoingRecord {
    const { metrics, log, retry } = this.deps;
    const code = errorCode(error);
    const reason = error instanceof Error ? error.message : String(error);
    if (isRetriable(error) && job.attempt < retry.maxAttempts) {
      const delay = retryDelayMs(job.attempt, retryAfterOf(error), retry);
      metrics.retrievals.inc({ stage: this.stage, outcome: 'retried' });
      // Retriable: debug and a metric (hookbus_credas_retrievals_total{outcome="retried"}); the dead letter is the error.
      log.debug({ processKey: job.processKey, attempt: job.attempt, code, reason, retryInMs: delay }, 'Credas retrieval failed; retrying later');
      return this.retryRecord(job, job.attempt + 1, this.now() + delay, code);
    }
    return this.deadLetter(job, isRetriable(error) ? new HookbusError(asErrorCode(code, 'orchestrator'), `gave up after ${job.attempt} attempts: ${reason}`, false) : error);
  }

  private deadLetter(job: RetrievalJob, error: unknown): OutgoingRecord {
    const { metrics, log } = this.deps;
    const code = errorCode(error);
    metrics.retrievals.inc({ stage: this.stage, outcome: 'dead_lettered' });
    metrics.deadLettered.inc({ code });
    log.error({ processKey: job.processKey, attempt: job.attempt, code, reason: error instanceof Error ? error.message : String(error) }, 'Credas retrieval dead-lettered');
    return deadLetterFor(job.origin, this.stage, error, job.attempt);
  }

  private retryRecord(job: RetrievalJob, attempt: number, dueAt: number, lastError: string | null): OutgoingRecord {
    const { origin } = job;
    const lane = laneFor(dueAt - this.now());
    return encodeRetryRecord({ topic: lane.topic, processKey: job.processKey, origin, attempt, dueAt, force: job.force, lastError });
  }

  private async waitUntil(dueAt: number, effects: BatchEffects): Promise<void> {
    while (!this.deps.signal.aborted && this.now() < dueAt) {
      await sleep(Math.min(1000, dueAt - this.now()), this.deps.signal);
      await effects.heartbeat().catch(() => undefined);
    }
  }
}
