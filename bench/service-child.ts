import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
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

/**
 * BENCH_MEMORY_PEAK=1 (tracker-scale): a `memory-peak {json}` line on stderr each time the resident size reaches a new
 * high (by 1 MB), with what V8 and the kernel say fills it. The kernel's high-water mark (VmHWM) says how high, not
 * what: this says whether the peak is V8's heap (and which space), array buffers, or native memory (malloc: SQLite's
 * page cache, V8's and libuv's own allocations, glibc arenas) — `nativeMb` is anonymous memory outside V8's heap and
 * array buffers.
 */
function traceMemoryPeaks(): void {
  let high = 0;
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss < high + 2 ** 20) return;
    high = rss;
    const usage = process.memoryUsage();
    const status = readFileSync('/proc/self/status', 'utf8');
    const kbMb = (field: string) => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024);
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), mb(s.space_size)]));
    const anon = kbMb('RssAnon');
    const peak = {
      rssMb: mb(rss), hwmMb: kbMb('VmHWM'), anonMb: anon, fileMb: kbMb('RssFile'), shmemMb: kbMb('RssShmem'), threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]),
      heapTotalMb: mb(usage.heapTotal), heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external), arrayBuffersMb: mb(usage.arrayBuffers),
      nativeMb: anon - mb(usage.heapTotal) - mb(usage.arrayBuffers), spaces,
    };
    process.stderr.write(`memory-peak ${JSON.stringify(peak)}\n`);
  }, 100).unref();
}
if (process.env.BENCH_MEMORY_PEAK) traceMemoryPeaks();

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
