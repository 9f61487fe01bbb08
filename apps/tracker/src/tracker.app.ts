import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import { STAGES, Topics, errorFields } from '@hookbus/contracts';
import { coPartitionedAssigner, createDurableProducer, createKafka } from '@hookbus/kafka';
import { startConsumingService, type RunningService } from '@hookbus/nest-kafka';
import { kafkaLogging, keyHash, type ServiceContext } from '@hookbus/platform';
import { DEFAULT_OVERDUE_GRACE_MS, communicationStateCodec, overdueIndexKey, processStateCodec } from '@hookbus/tracking';
import { PartitionedStateStore, type RestoreReport } from './state-store';
import { TrackerModule } from './tracker.module';
import { startOverdueTicks } from './overdue-ticker';
import { TrackingSink } from './tracking.sink';

/** Its inputs, from the stage table (libs/contracts/src/stages.ts). */
export const TRACKER_TOPICS: readonly string[] = STAGES.tracker.inputs;

export interface TrackerOptions {
  readonly port?: number;
  readonly groupId?: string;
  readonly overdueCheckIntervalMs?: number;
  readonly overdueGraceMs?: number;
  /** The state store's folder; default: TRACKER_STORE_DIR, else a temporary folder removed at close. */
  readonly storeDir?: string;
}

/**
 * Consumes status events, keeps the delivery and process state machines, and writes state, transitions and hints
 * in one Kafka transaction per batch together with the consumer offsets (exactly once on Kafka).
 */
export async function startTracker(context: ServiceContext, options: TrackerOptions = {}): Promise<RunningService> {
  const kafka = createKafka({ brokers: context.env.kafkaBrokers, security: context.env.kafkaSecurity, clientId: 'hookbus-tracker-state', ...kafkaLogging(context) });
  const partitions = Topics.communicationState.partitions;
  // State keys are communication ids, which can hold phone numbers, and a codec error can quote the state it failed
  // on: the line names the record by position and key hash, the error by class and code.
  const unreadable = (topic: string) => (key: string, partition: number, offset: string, error: unknown) =>
    context.logger.warn({ topic, partition, offset, keyHash: keyHash(key), err: errorFields(error) }, 'unreadable state record skipped during restore');
  const configuredDir = options.storeDir ?? context.env.trackerStoreDir;
  const storeDir = configuredDir ?? mkdtempSync(join(tmpdir(), 'hookbus-tracker-store-'));
  if (configuredDir === null) context.logger.info({ storeDir }, 'TRACKER_STORE_DIR not set: the state store lives in a temporary folder and every start restores the whole changelog');
  const restoredRecords = new Counter({
    name: 'hookbus_tracker_restored_records_total',
    help: 'Changelog records read by state restores (a restart on the same volume reads only the tail)',
    labelNames: ['topic'],
    registers: [context.metrics],
  });
  const restored = (topic: string) => (report: RestoreReport) => {
    restoredRecords.inc({ topic }, report.restored);
    if (report.discarded) context.logger.warn({ topic, reason: report.discarded }, 'state store discarded: restoring from the whole changelog');
    context.logger.info({ topic, records: report.restored, millis: report.millis, partitions: report.partitions }, 'state restored');
  };
  const store = { dir: storeDir, partitionCount: partitions, cacheSize: context.env.trackerStateCacheSize };
  const communications = new PartitionedStateStore(kafka, {
    ...store,
    topic: Topics.communicationState.name,
    codec: communicationStateCodec,
    onUnreadable: unreadable(Topics.communicationState.name),
    onRestored: restored(Topics.communicationState.name),
  });
  const processes = new PartitionedStateStore(kafka, {
    ...store,
    topic: Topics.processState.name,
    codec: processStateCodec,
    dueOf: overdueIndexKey,
    onUnreadable: unreadable(Topics.processState.name),
    onRestored: restored(Topics.processState.name),
  });
  // States live on disk; memory holds only the cache. Operators size the volume from the first.
  const perKind = (name: string, help: string, read: (store: PartitionedStateStore<unknown>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [context.metrics],
      collect() {
        this.set({ kind: 'communication' }, read(communications as PartitionedStateStore<unknown>));
        this.set({ kind: 'process' }, read(processes as PartitionedStateStore<unknown>));
      },
    });
  perKind('hookbus_tracker_states', 'Entity states held in the state store (on disk) for the partitions this tracker instance owns', (store) => store.size);
  perKind('hookbus_tracker_cached_states', 'Decoded entity states held in memory (bounded by TRACKER_STATE_CACHE per kind)', (store) => store.cachedSize);
  const storeWriteFailures = new Counter({
    name: 'hookbus_tracker_store_write_failures_total',
    help: 'Committed batches the state store file could not record (repaired from the changelog before the next batch)',
    labelNames: ['topic'],
    registers: [context.metrics],
  });
  const storeWriteFailed = (topic: string, error: unknown) => {
    storeWriteFailures.inc({ topic });
    context.logger.error({ topic, err: errorFields(error) }, 'state store write failed: the partition is replayed from the changelog before its next batch');
  };
  const service = await startConsumingService({
    context,
    module: TrackerModule.forContext(context),
    sink: () => new TrackingSink(communications, processes, options.overdueGraceMs ?? context.env.trackerOverdueGraceMs ?? DEFAULT_OVERDUE_GRACE_MS, storeWriteFailed),
    consumer: {
      groupId: options.groupId ?? STAGES.tracker.group,
      topics: TRACKER_TOPICS,
      // One transactional id per partition number (inputs are co-partitioned): a new owner fences the old one.
      transactionalIdFor: (_topic, partition) => `${options.groupId ?? STAGES.tracker.group}-p${partition}`,
      // Sticky: a rejoining member keeps the partitions whose state it holds, so a scale event restores only those
      // that move.
      partitionAssigners: [coPartitionedAssigner(() => communications.owned())],
      // Each partition has its own transactional producer; the runner serialises batches sharing one.
      partitionsConsumedConcurrently: 6,
    },
    port: options.port ?? context.env.servicePorts.tracker,
  });
  const stopTicks = startOverdueTicks(() => createDurableProducer(kafka), partitions, options.overdueCheckIntervalMs ?? context.env.trackerOverdueIntervalMs, (error) =>
    context.logger.warn({ err: errorFields(error) }, 'could not send overdue ticks'),
  );
  return {
    ...service,
    close: async () => {
      await stopTicks();
      await service.close();
      communications.close();
      processes.close();
      if (configuredDir === null) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
