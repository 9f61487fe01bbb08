import { Gauge } from 'prom-client';
import { ConsumerGroups, Topics, TRACKER_HINTS_TOPIC, errorFields } from '@hookbus/contracts';
import { CoPartitionedAssigner, createDurableProducer, createKafka, groupByTopic } from '@hookbus/kafka';
import { startConsumingService, type RunningService } from '@hookbus/nest-kafka';
import { kafkaLogging, keyHash, type ServiceContext } from '@hookbus/platform';
import { DEFAULT_OVERDUE_GRACE_MS, communicationStateCodec, processStateCodec } from '@hookbus/tracking';
import { PartitionedStateStore } from './state-store';
import { TrackerModule } from './tracker.module';
import { TrackingSink, overdueTick } from './tracking.sink';

export interface TrackerOptions {
  readonly port?: number;
  readonly groupId?: string;
  readonly overdueCheckIntervalMs?: number;
  readonly overdueGraceMs?: number;
}

/**
 * Consumes status events, keeps the delivery and process state machines, and writes state, transitions and hints
 * in one Kafka transaction per batch together with the consumer offsets (exactly once on Kafka).
 */
export async function startTracker(context: ServiceContext, options: TrackerOptions = {}): Promise<RunningService> {
  const kafka = createKafka({ brokers: context.env.kafkaBrokers, clientId: 'hookbus-tracker-state', ...kafkaLogging(context) });
  const partitions = Topics.communicationState.partitions;
  // State keys are communication ids, which can hold phone numbers, and a codec error can quote the state it failed
  // on: the line names the record by position and key hash, the error by class and code.
  const unreadable = (topic: string) => (key: string, partition: number, offset: string, error: unknown) =>
    context.logger.warn({ topic, partition, offset, keyHash: keyHash(key), err: errorFields(error) }, 'unreadable state record skipped during restore');
  const communications = new PartitionedStateStore(kafka, Topics.communicationState.name, communicationStateCodec, partitions, unreadable(Topics.communicationState.name));
  const processes = new PartitionedStateStore(kafka, Topics.processState.name, processStateCodec, partitions, unreadable(Topics.processState.name));
  // The tracker keeps the state of every entity of its partitions in memory: its heap grows with this number
  // (a few hundred bytes of heap each), so memory limits are sized from it.
  new Gauge({
    name: 'hookbus_tracker_states',
    help: 'Entity states held in memory by this tracker instance (its owned partitions)',
    labelNames: ['kind'],
    registers: [context.metrics],
    collect() {
      this.set({ kind: 'communication' }, communications.size);
      this.set({ kind: 'process' }, processes.size);
    },
  });
  const service = await startConsumingService({
    context,
    module: TrackerModule.forContext(context),
    sink: () => new TrackingSink(communications, processes, options.overdueGraceMs ?? Number(process.env.TRACKER_OVERDUE_GRACE_MS || DEFAULT_OVERDUE_GRACE_MS)),
    consumer: {
      groupId: options.groupId ?? ConsumerGroups.tracker,
      topics: [Topics.communications.name, Topics.processes.name, TRACKER_HINTS_TOPIC],
      // One transactional id per partition number (inputs are co-partitioned): a new owner fences the old one.
      transactionalIdFor: (_topic, partition) => `${options.groupId ?? ConsumerGroups.tracker}-p${partition}`,
      partitionAssigners: [CoPartitionedAssigner],
      // Each partition has its own transactional producer; the runner serialises batches sharing one.
      partitionsConsumedConcurrently: 6,
    },
    port: options.port ?? context.env.servicePorts.tracker,
  });
  const stopTicks = startOverdueTicks(kafka, partitions, options.overdueCheckIntervalMs ?? Number(process.env.TRACKER_OVERDUE_INTERVAL_MS || 60_000), context);
  return {
    ...service,
    close: async () => {
      await stopTicks();
      await service.close();
    },
  };
}

/**
 * Overdue checks travel through the consumer like any input (a tick per partition on the hints topic), so they are
 * evaluated by the partition's owner inside its transaction, never beside it.
 */
function startOverdueTicks(kafka: ReturnType<typeof createKafka>, partitions: number, intervalMs: number, context: ServiceContext): () => Promise<void> {
  const producer = createDurableProducer(kafka);
  const connected = producer.connect();
  const timer = setInterval(() => {
    const now = new Date();
    const ticks = Array.from({ length: partitions }, (_, p) => overdueTick(p, now));
    connected
      .then(() => producer.sendBatch({ topicMessages: groupByTopic(ticks), acks: -1 }))
      .catch((error: unknown) => context.logger.warn({ err: errorFields(error) }, 'could not send overdue ticks'));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await connected.catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  };
}
