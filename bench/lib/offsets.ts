import type { Admin, Kafka } from 'kafkajs';
import { fetchTopicOffsetsSettled } from '@hookbus/kafka';
import { sleep } from './stats';
import type { CpuReading } from './cpu';

/** topic → partition → offset */
export type Offsets = Map<string, Map<number, number>>;

export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<Offsets> {
  const result: Offsets = new Map();
  // Settled: a fresh bench broker answered listOffsets with NOT_LEADER_FOR_PARTITION right after provisioning.
  for (const topic of topics) result.set(topic, new Map((await fetchTopicOffsetsSettled(admin, topic)).map((p) => [p.partition, Number(p.high)])));
  return result;
}

export function total(offsets: Offsets): number {
  let sum = 0;
  for (const parts of offsets.values()) for (const o of parts.values()) sum += o;
  return sum;
}

/** Records between two snapshots (transaction markers included). */
export function delta(from: Offsets, to: Offsets): number {
  let sum = 0;
  for (const [topic, parts] of to) for (const [p, o] of parts) sum += Math.max(0, o - (from.get(topic)?.get(p) ?? 0));
  return sum;
}

/**
 * Puts a fresh group's committed offsets at `at`, so the stage reads only what is written after. kafkajs'
 * admin.setOffsets joins the group once per topic (a whole consumer run each, seconds apiece: 100 s for the e2e
 * stack's topics); here one member joins once, pauses everything, commits every topic's offsets and leaves.
 */
export async function placeGroup(kafka: Kafka, groupId: string, at: Offsets): Promise<void> {
  const topics = [...at.keys()];
  if (topics.length === 0) return;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets([...at].flatMap(([topic, parts]) => [...parts].map(([partition, offset]) => ({ topic, partition, offset: String(offset) }))));
  } finally {
    await consumer.disconnect();
  }
}

export async function committed(admin: Admin, groupId: string, topics: readonly string[]): Promise<Offsets> {
  const result: Offsets = new Map();
  const fetched = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const { topic, partitions } of fetched) result.set(topic, new Map(partitions.map((p) => [p.partition, Number(p.offset)])));
  return result;
}

const NO_CPU: CpuReading = { process: NaN, mainThread: NaN };

export interface DrainObservation {
  readonly caughtUp: boolean;
  /** The watch ended because the stage's process had exited: a failure, not a slow drain. */
  readonly exited: boolean;
  /** ms after the watch began: first commit past the start, and the last change of the committed offsets. */
  readonly firstCommitMs: number;
  readonly lastChangeMs: number;
  readonly progressAtFirst: number;
  readonly progressAtEnd: number;
  readonly target: number;
  /**
   * CPU seconds the stage's process and its main thread spent between the first commit and the last change (NaN
   * without `cpu`): over the same window as the rate, what each counted offset cost and how busy its JavaScript was.
   */
  readonly steadyCpu: CpuReading;
}

/**
 * Watches a group's committed offsets climb from `start` to `target`. Caught up = within CONTROL_RECORD_SLACK of the
 * end on every partition and unchanged for `settleMs`; the finish time is the last change, not the end of the settle
 * wait.
 */
/**
 * How far short of a partition's end a caught-up group may stay: a transactional topic's tail can hold several
 * control records (the commit or abort markers of transactions after its last data record), and kafkajs commits the
 * offset after the last record it delivered, never past the markers. Seen: two on every hints partition after the
 * tracker's drain, which kept the copy baseline "behind" until the timeout. The settle time still requires the group
 * to have stopped moving.
 */
export const CONTROL_RECORD_SLACK = 3;

/**
 * Records a group still has to read: per partition, how far its committed offset is short of the end, less the
 * control records a caught-up group never commits past (CONTROL_RECORD_SLACK). A partition never committed counts
 * from 0.
 */
export function backlog(end: Offsets, committedAt: Offsets, slack = CONTROL_RECORD_SLACK): number {
  let sum = 0;
  for (const [topic, parts] of end) {
    for (const [p, o] of parts) sum += Math.max(0, o - Math.max(0, committedAt.get(topic)?.get(p) ?? 0) - slack);
  }
  return sum;
}

/**
 * How long a drain of `records` may take before it is reported as not caught up: a fixed start-up allowance plus the
 * records at a floor rate far below any stage's (the slowest measured here, the tracker, drains about 8,000/s). A
 * fixed limit called a merely slow 571k-record tracker drain a failure; a stage that died is told apart by its exit
 * (watchDrain's `gone`), not by this limit.
 */
export const DRAIN_STARTUP_ALLOWANCE_MS = 60_000;
export const DRAIN_FLOOR_RECORDS_PER_SEC = 1_000;

export function drainTimeoutMs(records: number): number {
  return DRAIN_STARTUP_ALLOWANCE_MS + Math.ceil((Math.max(0, records) / DRAIN_FLOOR_RECORDS_PER_SEC) * 1000);
}

export async function watchDrain(
  admin: Admin,
  groupId: string,
  start: Offsets,
  target: Offsets,
  timeoutMs: number,
  settleMs = 1500,
  gone: () => boolean = () => false,
  cpu: () => CpuReading = () => NO_CPU,
): Promise<DrainObservation> {
  const topics = [...target.keys()];
  const began = Date.now();
  const targetTotal = delta(start, target);
  let firstCommitMs = NaN;
  let progressAtFirst = 0;
  let last = -1;
  let lastChangeMs = 0;
  let cpuAtFirst = NO_CPU;
  let cpuAtLastChange = NO_CPU;
  const steadyCpu = (): CpuReading => ({ process: cpuAtLastChange.process - cpuAtFirst.process, mainThread: cpuAtLastChange.mainThread - cpuAtFirst.mainThread });
  while (Date.now() - began < timeoutMs) {
    // Checked before the offsets: a stage that died has committed all it ever will.
    if (gone()) return { caughtUp: false, exited: true, firstCommitMs, lastChangeMs, progressAtFirst, progressAtEnd: Math.max(0, last), target: targetTotal, steadyCpu: NO_CPU };
    const now = committed(admin, groupId, topics);
    const current = await now.catch(() => null);
    const at = Date.now() - began;
    if (current) {
      let progress = 0;
      let behind = 0;
      for (const [topic, parts] of target) {
        for (const [p, end] of parts) {
          const from = start.get(topic)?.get(p) ?? 0;
          const c = current.get(topic)?.get(p) ?? -1;
          progress += Math.max(0, Math.min(end, c) - from);
          if (end > from && c < end - CONTROL_RECORD_SLACK) behind++;
        }
      }
      if (progress !== last) {
        // Read with the offsets it goes with: the window's CPU starts and ends where its offsets do.
        const reading = cpu();
        if (last >= 0 && Number.isNaN(firstCommitMs) && progress > 0) {
          firstCommitMs = at;
          progressAtFirst = progress;
          cpuAtFirst = reading;
        }
        last = progress;
        lastChangeMs = at;
        cpuAtLastChange = reading;
      }
      if (behind === 0 && at - lastChangeMs >= settleMs) {
        return { caughtUp: true, exited: false, firstCommitMs: Number.isNaN(firstCommitMs) ? lastChangeMs : firstCommitMs, lastChangeMs, progressAtFirst, progressAtEnd: progress, target: targetTotal, steadyCpu: steadyCpu() };
      }
    }
    await sleep(100);
  }
  return { caughtUp: false, exited: gone(), firstCommitMs, lastChangeMs, progressAtFirst, progressAtEnd: Math.max(0, last), target: targetTotal, steadyCpu: steadyCpu() };
}
