import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { decodeRetrievalMemo, decodeStateRecord, Topics, type RecordMessage, type RetrievalMemo } from '@hookbus/contracts';
import { ConsumerCrashJudge, ConsumerRerun, consumerCrashResponse, fetchTopicOffsetsSettled, kafkaAction } from '@hookbus/kafka';
import { stopServiceAfterFailure, type Logger } from '@hookbus/platform';
import { RETRIEVALS_TOPIC } from './retry-schedule';

/** How long the memory waits before running its consumer again after kafkajs stopped it because the broker was down. */

/**
 * What the orchestrator remembers, rebuilt from Kafka at every start (services share nothing but Kafka):
 * - the entity of each Credas process, from the tracker's compacted state.processes.v1 (learned from actor
 *   webhooks; ProcessState.entityId, libs/tracking/src/process-state.ts);
 * - what it already retrieved, from its own compacted orchestrator.credas.retrievals.v1.
 * Each instance reads every partition of both (a consumer group of its own that never commits), so any instance can
 * answer for any process whatever the main group's assignment. Memory grows by one small entry per Credas process.
 */
export class OrchestratorMemory {
  private readonly entities = new Map<string, string>();
  private readonly retrievals = new Map<string, RetrievalMemo>();
  private readonly byEntity = new Map<string, Set<string>>();
  /** Check webhooks (event ids) already reflected in each process's last results, newest last; see checkApplied. */
  private readonly appliedChecks = new Map<string, readonly string[]>();
  private consumer: Consumer | null = null;
  private readonly caughtUp: Promise<void>;
  private markCaughtUp!: () => void;
  private isCaughtUp = false;
  private stoppedWhy: string | null = null;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly log: Logger,
    private readonly catchUpTimeoutMs = 60_000,
  ) {
    this.caughtUp = new Promise((resolve) => {
      this.markCaughtUp = () => {
        this.isCaughtUp = true;
        resolve();
      };
    });
  }

  /** Why kafkajs stopped the memory's consumer for good (the memory no longer follows its topics), or null. */
  get stoppedForGood(): string | null {
    return this.stoppedWhy;
  }

  get caughtUpNow(): boolean {
    return this.isCaughtUp;
  }

  /** Resolves once everything on both topics at start has been read (or after the catch-up timeout, with a warning). */
  ready(): Promise<void> {
    return this.caughtUp;
  }

  /** Runs the consumer again while kafkajs stops it because the broker is down, as the stages' consumers do. */
  private rerun: ConsumerRerun | null = null;

  async start(): Promise<void> {
    const topics = [Topics.processState.name, RETRIEVALS_TOPIC];
    const admin = this.kafka.admin();
    await admin.connect();
    const remaining = new Map<string, bigint>();
    try {
      for (const topic of topics) {
        for (const p of await fetchTopicOffsetsSettled(admin, topic, { onRetry: (err) => this.log.debug({ err, topic }, 'orchestrator memory: the broker cannot list offsets yet; waiting') })) {
          if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high));
        }
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: `hookbus-orchestrator-memory-${randomUUID()}`, allowAutoTopicCreation: false });
    this.consumer = consumer;
    const check = () => {
      if (remaining.size === 0) this.markCaughtUp();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const id = `${payload.topic}/${payload.partition}`;
      const high = remaining.get(id);
      if (high !== undefined && BigInt(payload.lastOffset) + 1n >= high) remaining.delete(id);
      check();
    });
    // A consumer kafkajs gives up on leaves the memory stale while the service would go on answering ready: as the
    // stages' consumers (libs/nest-kafka KafkaBatchTransport), it fails readiness and stops the service (exit 1).
    const crashes = new ConsumerCrashJudge();
    const rerun = new ConsumerRerun(
      () => this.run(consumer),
      (err) => this.log.debug({ err }, 'running the orchestrator memory consumer again failed; kafkajs reports the next crash'),
    );
    this.rerun = rerun;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      crashes.joined();
      rerun.joined();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        const state = crashes.crashed(payload.error, true);
        if (state) this.log.debug({ err: payload.error, retriable: state }, `orchestrator memory consumer could not join yet (${state}); kafkajs restarts it`);
        else this.log.error({ err: payload.error, action: kafkaAction([]) }, 'orchestrator memory consumer crashed; kafkajs restarts it');
        return;
      }
      if (consumerCrashResponse(payload, this.stopping) === 'run-again') {
        // The broker is down (kafkajs gave up finding the coordinator): waited out, as the stages' consumers do.
        this.log.debug({ err: payload.error }, 'orchestrator memory consumer stopped by kafkajs: the broker is unavailable; running it again');
        rerun.schedule();
        return;
      }
      if (this.stoppedWhy !== null) return;
      const error = payload.error as { name?: unknown; message?: unknown } | undefined;
      this.stoppedWhy = `the orchestrator memory's consumer stopped for good (kafkajs does not restart it after ${String(error?.name ?? 'an error')}: ${String(error?.message ?? payload.error)})`;
      if (this.stopping) this.log.warn({ err: payload.error }, 'orchestrator memory consumer stopped for good while the service was stopping');
      else this.log.error({ err: payload.error, action: 'the service stops and exits 1 so that its supervisor restarts it; if it recurs, check the broker and the error above' }, 'orchestrator memory consumer stopped for good');
      stopServiceAfterFailure(this.stoppedWhy);
    });
    check();
    const timer = setTimeout(() => {
      if (remaining.size > 0) this.log.warn({ partitions: [...remaining.keys()] }, 'orchestrator memory did not catch up in time; continuing (a redelivered completion may be fetched again)');
      this.markCaughtUp();
    }, this.catchUpTimeoutMs);
    timer.unref();
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await this.run(consumer);
  }

  /** Reads both topics into memory; again after kafkajs stopped the consumer because the broker was down (its throwaway group commits nothing: it reads from the beginning, and applying a record twice is harmless). */
  private run(consumer: Consumer): Promise<void> {
    return consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const record: RecordMessage = { topic: batch.topic, key: message.key, value: message.value };
          if (batch.topic === RETRIEVALS_TOPIC) this.applyRetrieval(record);
          else this.applyState(record);
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const rerunStopped = this.rerun?.stop() ?? Promise.resolve(false);
    await this.consumer?.disconnect().catch(() => undefined);
    // A run begun again before the stop outlives that disconnect (kafkajs would restart it after its next crash).
    if (await rerunStopped) await this.consumer?.disconnect().catch(() => undefined);
  }

  entityOf(processKey: string): string | null {
    return this.entities.get(processKey) ?? null;
  }

  retrieval(processKey: string): RetrievalMemo | null {
    return this.retrievals.get(processKey) ?? null;
  }

  /** Processes of the entity that were already retrieved: the ones a check webhook can change. */
  retrievedProcessesOf(entityId: string): string[] {
    return [...(this.byEntity.get(entityId) ?? [])];
  }

  /**
   * Whether the check webhook (its CloudEvent id) is already reflected in the process's results: it triggered the
   * last retrieval, or an earlier one this instance made (a replay of the checks topic re-delivers A after B), or it
   * was merged into a refresh of the same batch. The list survives a restart in the memo's `checkEventIds`.
   */
  checkApplied(processKey: string, checkEventId: string): boolean {
    if (this.retrievals.get(processKey)?.triggerEventId === checkEventId) return true;
    return this.appliedChecks.get(processKey)?.includes(checkEventId) ?? false;
  }

  /** The checks a new retrieval of the process reflects: those already applied plus `added` (for its memo). */
  checksAppliedWith(processKey: string, added: readonly string[]): string[] {
    return recentIds(this.appliedChecks.get(processKey) ?? [], added);
  }

  /**
   * Called right after this instance published a retrieval (before the topic echoes it back), and for every memo read
   * from the topic at start.
   */
  remember(memo: RetrievalMemo): void {
    this.retrievals.set(memo.processKey, memo);
    const checkEventIds = memo.checkEventIds ?? [];
    if (checkEventIds.length > 0) this.appliedChecks.set(memo.processKey, recentIds(this.appliedChecks.get(memo.processKey) ?? [], checkEventIds));
    let set = this.byEntity.get(memo.entityId);
    if (!set) this.byEntity.set(memo.entityId, (set = new Set()));
    set.add(memo.processKey);
    if (!this.entities.has(memo.processKey)) this.entities.set(memo.processKey, memo.entityId);
  }

  private applyRetrieval(record: RecordMessage): void {
    const decoded = decodeRetrievalMemo(record);
    if (!decoded.key?.startsWith('credas:')) return;
    if (decoded.kind === 'removed') this.retrievals.delete(decoded.key);
    // Tolerant like applyState: an unreadable memo is skipped; one whose list is not a list of strings still counts.
    else if (decoded.kind === 'memo') this.remember(decoded.memo);
  }

  /** Tolerant on purpose: only `entityId` of the tracker's ProcessState is needed. */
  private applyState(record: RecordMessage): void {
    const { key, value } = decodeStateRecord(record);
    if (!key?.startsWith('credas:') || value === null) return;
    const state = parse(value) as { entityId?: unknown } | null;
    if (state && typeof state.entityId === 'string' && state.entityId !== '') this.entities.set(key, state.entityId);
  }
}

/** Check webhooks remembered per process: enough for a replay's worth of updates, small for a process with many. */
export const APPLIED_CHECKS_KEPT = 32;

/** `previous` then `added`, without repeats, keeping the newest `limit`. */
export function recentIds(previous: readonly string[], added: readonly string[], limit = APPLIED_CHECKS_KEPT): string[] {
  const merged = [...previous.filter((id) => !added.includes(id)), ...new Set(added)];
  return merged.slice(Math.max(0, merged.length - limit));
}

function parse(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}
