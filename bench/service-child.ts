import { loadEnv } from '@hookbus/config';
import { PROVIDERS, Topics, TRACKER_HINTS_TOPIC, rawTopicFor } from '@hookbus/contracts';
import { BatchConsumerRunner, CoPartitionedAssigner, createKafka, type BatchSink, type ConsumedRecord } from '@hookbus/kafka';
import { runService, serviceContext, type StoppableService } from '@hookbus/platform';
import { startNormalizer } from '../apps/normalizer/src/normalizer.app';
import { startProjector } from '../apps/projector/src/projector.app';
import { startTracker } from '../apps/tracker/src/tracker.app';
import { COPY_TOPIC } from './report';

/**
 * A consuming stage as its own process, like apps/<svc>/src/main.ts, but in the consumer group the bench names
 * (BENCH_GROUP_ID): every measurement starts from offsets the bench placed, and the stages' real groups are never
 * touched. `copy-normalizer` and `copy-tracker` are the drain baselines: the same consumer runner on the same inputs
 * with the same settings (Kafka transactions for the tracker), whose sink only copies each record it reads to
 * COPY_TOPIC — what kafkajs costs here for one record in and one record out, before any of the stage's own work.
 */
const name = process.argv[2];
const groupId = process.env.BENCH_GROUP_ID;
if (!groupId) throw new Error('BENCH_GROUP_ID is required');

async function startCopy(of: 'normalizer' | 'tracker', group: string): Promise<StoppableService> {
  const kafka = createKafka({ brokers: loadEnv().kafkaBrokers, clientId: `hookbus-bench-copy-${of}` });
  const sink: BatchSink<ConsumedRecord> = {
    stage: `copy-${of}`,
    transform: (record) => record,
    flush: async (items, effects) => {
      await effects.send(items.map(({ record }) => ({ topic: COPY_TOPIC, key: record.key, value: record.value, headers: record.headers })));
    },
  };
  const topics = of === 'normalizer' ? PROVIDERS.map(rawTopicFor) : [Topics.communications.name, Topics.processes.name, TRACKER_HINTS_TOPIC];
  const transactional = of === 'tracker' ? { transactionalIdFor: (_topic: string, partition: number) => `${group}-p${partition}`, partitionAssigners: [CoPartitionedAssigner] } : {};
  const runner = new BatchConsumerRunner(kafka, sink, { groupId: group, topics, partitionsConsumedConcurrently: 6, ...transactional });
  await runner.start();
  // Stopped like the stages it is the baseline of (runService: commit what was copied, leave the group).
  return { close: async () => void (await runner.stop()) };
}

const starters: Record<string, () => Promise<unknown>> = {
  normalizer: () => startNormalizer(serviceContext('normalizer'), { groupId }),
  tracker: () => startTracker(serviceContext('tracker'), { groupId }),
  projector: () => startProjector(serviceContext('projector'), { groupId }),
  'copy-normalizer': () => startCopy('normalizer', groupId),
  'copy-tracker': () => startCopy('tracker', groupId),
};
const start = name ? starters[name] : undefined;
if (!start) throw new Error(`unknown service ${String(name)}; expected ${Object.keys(starters).join(', ')}`);
runService(start);
