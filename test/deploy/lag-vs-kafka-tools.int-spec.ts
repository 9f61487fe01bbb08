import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConsumerGroups } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { RawRecordProducer, TEST_KAFKA_BROKERS, testServiceContext, waitFor } from '@hookbus/testing';
import { startNormalizer } from '../../apps/normalizer/src/normalizer.app';
import { startProjector } from '../../apps/projector/src/projector.app';
import { startTracker } from '../../apps/tracker/src/tracker.app';
import { runKafkaTool } from '../../scripts/kafka/local-kafka';

/**
 * Lag an operator can trust: once the stages have consumed everything and the stack is idle, every partition of every
 * group they own has lag 0 — transactional topics included, whose last offset is a commit marker — and Apache
 * Kafka's own `kafka-consumer-groups --describe` (ConsumerGroupCommand, the same jars as the broker) agrees with
 * `npm run lag --json` partition by partition. Before the runner committed its position, both showed one marker
 * of lag per partition of every transactional topic, forever.
 */
const STAGE_GROUPS = [ConsumerGroups.normalizer, ConsumerGroups.tracker, ConsumerGroups.projector];
const run = promisify(execFile);

interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  readonly end: number;
  readonly lag: number | null;
}

/** `npm run lag -- --json` (the built CLI) against the test broker. */
async function lagCli(): Promise<{ code: number; partitions: PartitionLag[] }> {
  const args = [join(__dirname, '../../dist/scripts/lag.js'), '--json', '--samples', '1', ...STAGE_GROUPS.flatMap((g) => ['--group', g])];
  const env = { ...process.env, KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), LOG_LEVEL: 'error' };
  const result = await run(process.execPath, args, { env }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  const parsed = JSON.parse(result.stdout) as { partitions: Array<PartitionLag & { lag: number }> };
  return { code: result.code, partitions: parsed.partitions.filter((p) => p.partition >= 0) };
}

/** Kafka's own tool: one row per group, topic and partition; `-` where a partition has no committed offset. */
function kafkaConsumerGroups(): PartitionLag[] {
  // --timeout: the tool's 5 s default for finding the coordinator is short on a loaded two-core machine.
  const args = ['--bootstrap-server', TEST_KAFKA_BROKERS.join(','), '--describe', '--timeout', '60000', ...STAGE_GROUPS.flatMap((g) => ['--group', g])];
  const { stdout, status, stderr } = runKafkaTool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', args);
  // It exits 0 even when it could not describe the groups; it then says so on stderr.
  if (status !== 0 || /^Error:/m.test(stderr)) throw new Error(`ConsumerGroupCommand failed (exit ${status}): ${stderr}`);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells.length >= 6 && STAGE_GROUPS.includes(cells[0] as (typeof STAGE_GROUPS)[number]))
    .map(([group, topic, partition, current, end, lag]) => ({
      group: group!,
      topic: topic!,
      partition: Number(partition),
      committed: current === '-' ? null : Number(current),
      end: Number(end),
      lag: lag === '-' ? null : Number(lag),
    }));
}

const byPartition = (a: PartitionLag, b: PartitionLag) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition;

describe('consumer lag after the stages went idle (real broker, real Postgres, Kafka’s own tools)', () => {
  const services: RunningService[] = [];
  let raw: RawRecordProducer;

  beforeAll(async () => {
    services.push(await startNormalizer(testServiceContext('normalizer')));
    services.push(await startTracker(testServiceContext('tracker')));
    services.push(await startProjector(testServiceContext('projector')));
    raw = await RawRecordProducer.connect();
  });

  afterAll(async () => {
    await raw?.close();
    for (const service of services.reverse()) await service.close();
  });

  it('is 0 on every partition of every stage group, and ConsumerGroupCommand agrees row by row', async () => {
    const processId = randomUUID();
    await raw.send({
      provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId,
      body: JSON.stringify({ clientId: randomUUID(), processId, processActorId: 11014, entityId: randomUUID(), smsStatus: 2, smsStatusDescription: 'Delivered', emailStatus: 1, emailStatusDescription: 'Sent' }),
    });
    await raw.send({ provider: 'credas', sourceId: 'credas-process', kind: 'process', key: processId, body: JSON.stringify({ ProcessId: processId, ClientId: randomUUID(), Status: 1, StatusDescription: 'In progress' }) });
    const sessionId = `S${randomUUID().slice(0, 8)}`;
    await raw.send({
      provider: 'cellosign', sourceId: 'cellosign', kind: 'workflow', key: sessionId,
      body: JSON.stringify({ event: { type: 'WHEF_SESSION_CREATED', timestamp: '2025-01-26T08:49:33.626046' }, session: { id: sessionId, reference: 'r', process_id: 'p', process_number: 51, transaction_number: 53, recipient: { id: 1, name: 'client' } } }),
    });

    // Everything the stages read (this test's records and any earlier test's) consumed: every partition at lag 0.
    const ours = await waitFor(
      async () => {
        const result = await lagCli();
        return result.code === 0 && result.partitions.length > 0 && result.partitions.every((p) => p.lag === 0) ? result : undefined;
      },
      { what: 'npm run lag: exit 0 and lag 0 on every partition of the stage groups', timeoutMs: 90_000, intervalMs: 1_000 },
    );
    // The tracker writes transactions: its outputs end in commit markers, the case that used to leave lag behind.
    expect(ours.partitions.some((p) => p.group === ConsumerGroups.projector && p.topic.startsWith('state.'))).toBe(true);

    // Kafka prints `-` as the lag of a partition the group was assigned but never committed; we count what such a
    // partition holds from its start (every stage reads from the beginning), which is 0 for the empty ones here.
    const kafkas = kafkaConsumerGroups().map((row) => (row.committed === null ? { ...row, lag: row.end } : row));
    const comparable = (rows: readonly PartitionLag[]) => rows.map(({ group, topic, partition, committed, end, lag }) => ({ group, topic, partition, committed, end, lag })).sort(byPartition);
    expect(comparable(kafkas)).toEqual(comparable(ours.partitions));
    expect(kafkas.every((row) => row.lag === 0)).toBe(true);
    expect(kafkas.filter((row) => row.committed !== null).length).toBeGreaterThan(0);
  });
});
