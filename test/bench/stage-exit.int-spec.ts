/**
 * The bench tells a stage that died from a slow one (issue 22: a 2M-record drain's tracker died of "JavaScript heap
 * out of memory" and the bench waited out its timeout, then reported "DID NOT CATCH UP"). The bench's own pieces
 * (bench/lib), with real processes and the tests' broker: a stage killed on purpose during a drain watch ends the
 * watch at once as exited, named by its signal; a process that runs out of heap is described by its signal and its
 * last stderr lines; both count as failures that make the run exit non-zero (bench/run.ts).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { PROVIDERS, rawTopicFor } from '@hookbus/contracts';
import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, waitFor } from '@hookbus/testing';
import { spawnNode, stopChild, unexpectedExits } from '../../bench/lib/children';
import { drainTimeoutMs, endOffsets, placeGroup, watchDrain, type Offsets } from '../../bench/lib/offsets';

const ROOT = join(__dirname, '..', '..');
const RAW_TOPICS = PROVIDERS.map(rawTopicFor);

it('a stage killed during a drain ends the watch at once as exited, with its signal, and counts as a failure', async () => {
  // A group of its own at the topics' end, placed as the bench places its groups (one join for every topic).
  const groupId = `bench-stage-exit-${randomUUID()}`;
  const kafka = new Kafka({ clientId: 'bench-stage-exit', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const start = await endOffsets(admin, RAW_TOPICS);
  await placeGroup(kafka, groupId, start).catch(async (error: unknown) => {
    await admin.disconnect();
    throw error;
  });
  const stage = spawnNode('normalizer', join(ROOT, 'dist', 'bench', 'service-child.js'), {
    PATH: process.env.PATH,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    DATABASE_URL: TEST_DATABASE_URL,
    BENCH_GROUP_ID: groupId,
    NORMALIZER_PORT: '0',
  }, ['normalizer']);
  try {
    // A target nothing will reach (no record is written): only the stage's death can end this watch early.
    const target: Offsets = new Map([...start].map(([topic, parts]) => [topic, new Map([...parts].map(([p, end]) => [p, end + 1_000]))]));
    const timeoutMs = drainTimeoutMs(1_000 * 6 * RAW_TOPICS.length);
    const watch = watchDrain(admin, groupId, start, target, timeoutMs, 1500, () => stage.exit() !== null);
    await waitFor(() => stage.tail().includes('joined consumer group'), { timeoutMs: 60_000, what: 'the stage in its group' });
    // What the kernel's OOM killer or an operator does: from outside, without the bench asking.
    const killedAt = Date.now();
    stage.process.kill('SIGKILL');
    const seen = await watch;
    expect(seen).toMatchObject({ caughtUp: false, exited: true });
    // At once, not after the limit (the stage is gone: waiting longer cannot change the figure).
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(stage.describeExit()).toMatch(/^normalizer \(pid \d+\) exited: killed by SIGKILL/);
    expect(unexpectedExits()).toContain(stage.describeExit());
  } finally {
    await stopChild(stage);
    await admin.disconnect();
  }
});

it('a stage stopped from outside with SIGTERM (exit code 0) during a drain is a failure too', async () => {
  const groupId = `bench-stage-exit-${randomUUID()}`;
  const kafka = new Kafka({ clientId: 'bench-stage-exit', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const start = await endOffsets(admin, RAW_TOPICS);
  await placeGroup(kafka, groupId, start).catch(async (error: unknown) => {
    await admin.disconnect();
    throw error;
  });
  const stage = spawnNode('normalizer', join(ROOT, 'dist', 'bench', 'service-child.js'), {
    PATH: process.env.PATH,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    DATABASE_URL: TEST_DATABASE_URL,
    BENCH_GROUP_ID: groupId,
    NORMALIZER_PORT: '0',
  }, ['normalizer']);
  try {
    const target: Offsets = new Map([...start].map(([topic, parts]) => [topic, new Map([...parts].map(([p, end]) => [p, end + 1_000]))]));
    const watch = watchDrain(admin, groupId, start, target, drainTimeoutMs(1_000 * 6 * RAW_TOPICS.length), 1500, () => stage.exit() !== null);
    await waitFor(() => stage.tail().includes('joined consumer group'), { timeoutMs: 60_000, what: 'the stage in its group' });
    // An operator's `kill <pid>`: the service stops cleanly and exits 0, but the bench did not ask for it.
    stage.process.kill('SIGTERM');
    expect(await watch).toMatchObject({ caughtUp: false, exited: true });
    expect(stage.exit()).toEqual({ code: 0, signal: null });
    expect(unexpectedExits()).toContain(stage.describeExit());
  } finally {
    await stopChild(stage);
    await admin.disconnect();
  }
});

it('a process out of heap is described by its signal and its last stderr lines', async () => {
  // A real V8 heap exhaustion, in a heap of 16 MB: the tracker's death in the issue, in a second.
  const oom = spawnNode('tracker', '--max-old-space-size=16', { PATH: process.env.PATH }, ['-e', 'const keep = []; for (;;) keep.push(new Array(100_000).fill(keep.length));']);
  await oom.exited();
  expect(oom.exit()).toEqual({ code: null, signal: 'SIGABRT' });
  expect(oom.describeExit()).toMatch(/^tracker \(pid \d+\) exited: killed by SIGABRT; last stderr lines:\n/);
  expect(oom.describeExit()).toContain('JavaScript heap out of memory');
  expect(unexpectedExits()).toContain(oom.describeExit());
});

it('a child stopped by the bench is not a failure', async () => {
  const idle = spawnNode('idle', '-e', { PATH: process.env.PATH }, ['setInterval(() => undefined, 1000)']);
  const before = unexpectedExits().length;
  await stopChild(idle);
  expect(idle.exit()).toEqual({ code: null, signal: 'SIGTERM' });
  expect(unexpectedExits()).toHaveLength(before);
});

it('drain limits scale with the records: a big drain is given time, a small one is not kept waiting', () => {
  expect(drainTimeoutMs(3_000)).toBe(63_000);
  // The 571k-record tracker drain at 8,359/s took 68 s: over the old fixed 60 s, well within this limit.
  expect(drainTimeoutMs(571_000)).toBeGreaterThan((571_000 / 8_359) * 1000 * 5);
  expect(drainTimeoutMs(2_000_000)).toBe(2_060_000);
});
