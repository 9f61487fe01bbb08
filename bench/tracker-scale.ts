import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { EventTypes, Topics, TRACKER_HINTS_TOPIC, encodeCloudEventRecord, type CommunicationStatusEvent, type EncodedRecord } from '@hookbus/contracts';
import { groupByTopic } from '@hookbus/kafka';
import { killChild, readMemory, spawnNode, stageFailed, stopChild, type SpawnedChild } from './lib/children';
import { committed, delta, endOffsets, placeGroup, watchDrain, type Offsets } from './lib/offsets';
import type { BenchInfra } from './lib/setup';
import { sleep } from './lib/stats';

/**
 * `npm run bench -- --only tracker-scale [--entities N]` (issue 17): N distinct entities through one tracker with its
 * disk store. Reports the peak resident size, the drain rate in ten windows of the run (does it fall as the store
 * grows?), the time from a restart to the first commit after a clean stop and after SIGKILL, and the store's disk use.
 */
export interface TrackerScaleRun {
  readonly entities: number;
  readonly lateShare: number;
  readonly records: number;
  readonly prefillSec: number;
  readonly caughtUp: boolean;
  readonly drainSec: number;
  /** Records per second in each tenth of the drain, in order. */
  readonly windows: readonly number[];
  readonly peakRssMb: number;
  /** What filled the drain's highest sampled resident size (bench/service-child.ts traceMemoryPeaks), or null. */
  readonly peakBreakdown: Record<string, unknown> | null;
  readonly cleanRestart: RestartFigures;
  readonly killRestart: RestartFigures;
  /** A new node: an empty store restores the owned partitions from the whole changelog before its first commit. */
  readonly freshRestart: RestartFigures;
  readonly storeMb: number;
}

export interface RestartFigures {
  readonly firstCommitMs: number;
  readonly caughtUpMs: number;
  readonly peakRssMb: number;
}

const INPUTS = [Topics.communications.name, Topics.processes.name, TRACKER_HINTS_TOPIC];
/** A tenth of the events are late statuses of entities seen long before: those states come from disk, not the cache. */
const LATE_SHARE = 0.1;
const RESTART_EVENTS = 1_000;

/** One Octapush SMS status event, as the normalizer writes it (through its own record codec). */
function smsEvent(entity: number, status: 'sent' | 'delivered', runId: string): EncodedRecord {
  const communicationId = `octapush:sms:scale-${runId}-${entity}`;
  const time = new Date(Date.UTC(2026, 0, 1) + entity * 10 + (status === 'delivered' ? 5 : 0)).toISOString();
  const event: CommunicationStatusEvent = {
    specversion: '1.0',
    id: `scale-${runId}-${entity}-${status}`,
    type: EventTypes.communicationStatus,
    source: '/webhooks/octapush-sms',
    subject: communicationId,
    time,
    datacontenttype: 'application/json',
    provider: 'octapush',
    receiptid: `scale-${runId}-${entity}-${status}`,
    data: { communicationId, provider: 'octapush', channel: 'sms', status, final: status === 'delivered', providerStatus: { code: status, text: null }, original: {} },
  };
  return encodeCloudEventRecord({ topic: Topics.communications.name, key: communicationId, event });
}

async function prefill(producer: Producer, from: number, count: number, runId: string, late: boolean): Promise<number> {
  let written = 0;
  const batch = 2_000;
  const inFlight: Array<Promise<unknown>> = [];
  for (let base = from; base < from + count; base += batch) {
    const records = [];
    for (let i = base; i < Math.min(from + count, base + batch); i++) {
      records.push(smsEvent(i, 'sent', runId));
      // A late "delivered" for an entity from far back in the run (half the run ago, on average).
      if (late && i > 1_000 && i % Math.round(1 / LATE_SHARE) === 0) records.push(smsEvent((i * 7919 + 13) % (i - 1_000), 'delivered', runId));
    }
    written += records.length;
    inFlight.push(producer.sendBatch({ topicMessages: groupByTopic(records), acks: -1 }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return written;
}

function diskMb(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? diskMb(path) * 2 ** 20 : statSync(path).blocks * 512;
  }
  return bytes / 2 ** 20;
}

function progressOf(start: Offsets, target: Offsets, now: Offsets): number {
  let progress = 0;
  for (const [topic, parts] of target) for (const [p, end] of parts) progress += Math.max(0, Math.min(end, now.get(topic)?.get(p) ?? -1) - (start.get(topic)?.get(p) ?? 0));
  return progress;
}

/** Samples the child's peak resident size (VmHWM) until stopped. */
function peakSampler(child: SpawnedChild): () => number {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, readMemory(child.pid)?.hwmMb ?? 0)), 500);
  return () => {
    clearInterval(timer);
    return Math.max(peak, readMemory(child.pid)?.hwmMb ?? 0);
  };
}

/** The last `memory-peak` line of the child (BENCH_MEMORY_PEAK): the makeup of its highest sampled resident size. */
function memoryPeakOf(child: SpawnedChild): () => Record<string, unknown> | null {
  let last: Record<string, unknown> | null = null;
  let partial = '';
  child.process.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('memory-peak ')) last = JSON.parse(line.slice('memory-peak '.length)) as Record<string, unknown>;
  });
  return () => last;
}

export async function trackerScale(
  infra: BenchInfra,
  options: { entities: number; runId: string; script: string; env: (extra: Record<string, string>) => NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<TrackerScaleRun> {
  const { entities, runId, log } = options;
  const groupId = `hookbus-bench-scale-${runId}`;
  const storeDir = process.env.BENCH_STORE_DIR ?? mkdtempSync(join(tmpdir(), 'hookbus-bench-store-'));
  const freshDir = mkdtempSync(join(tmpdir(), 'hookbus-bench-fresh-store-'));
  const spawnIn = (dir: string) => () => spawnNode('tracker', options.script, options.env({ BENCH_GROUP_ID: groupId, TRACKER_STORE_DIR: dir, TRACKER_PORT: '0', BENCH_MEMORY_PEAK: '1' }), ['tracker']);
  const spawnTracker = spawnIn(storeDir);
  const producer = infra.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let child: SpawnedChild | undefined;
  try {
    const start = await endOffsets(infra.admin, INPUTS);
    await placeGroup(infra.kafka, groupId, start);
    const began = Date.now();
    const records = await prefill(producer, 0, entities, runId, true);
    const prefillSec = (Date.now() - began) / 1000;
    log(`tracker-scale: pre-filled ${records} events (${entities} entities, ${LATE_SHARE * 100} % late statuses) in ${prefillSec.toFixed(0)} s`);
    const target = await endOffsets(infra.admin, INPUTS);
    const total = delta(start, target);

    child = spawnTracker();
    const peak = peakSampler(child);
    const peakMakeup = memoryPeakOf(child);
    const points: Array<[number, number]> = [];
    const t0 = Date.now();
    const timeoutMs = Math.max(600_000, entities * 5);
    let caughtUp = false;
    while (Date.now() - t0 < timeoutMs) {
      if (child.exit() !== null) throw stageFailed(child, 'tracker-scale: the tracker exited during the drain');
      const now = await committed(infra.admin, groupId, INPUTS).catch(() => null);
      if (now) {
        const progress = progressOf(start, target, now);
        if (points.length === 0 || progress !== points[points.length - 1]![1]) points.push([(Date.now() - t0) / 1000, progress]);
        // Transaction markers take offsets too: caught up within a few offsets per partition of the end.
        if (progress >= total - 3 * 6 * INPUTS.length) {
          caughtUp = true;
          break;
        }
      }
      if (points.length % 30 === 1) log(`tracker-scale: ${points[points.length - 1]?.[1] ?? 0}/${total} offsets after ${((Date.now() - t0) / 1000).toFixed(0)} s, RSS ${readMemory(child.pid)?.rssMb.toFixed(0)} MB`);
      await sleep(1000);
    }
    const peakRssMb = peak();
    const peakBreakdown = peakMakeup();
    log(`tracker-scale: at the highest sampled RSS: ${JSON.stringify(peakBreakdown)}`);
    const windows = windowRates(points, total, 10);
    const drainSec = points.length > 1 ? points[points.length - 1]![0] - points[0]![0] : NaN;
    log(`tracker-scale: drain ${caughtUp ? 'caught up' : 'DID NOT CATCH UP'} in ${drainSec.toFixed(0)} s; windows ${windows.map((r) => Math.round(r)).join(', ')} /s; peak RSS ${peakRssMb.toFixed(0)} MB`);

    const cleanRestart = await restart(infra, producer, () => stopChild(child!, 30_000), entities, runId, groupId, spawnTracker, (c) => (child = c));
    log(`tracker-scale: after a clean stop, first commit ${cleanRestart.firstCommitMs} ms, caught up ${cleanRestart.caughtUpMs} ms, peak RSS ${cleanRestart.peakRssMb.toFixed(0)} MB`);
    const killRestart = await restart(
      infra,
      producer,
      () => killChild(child!),
      entities + RESTART_EVENTS,
      runId,
      groupId,
      spawnTracker,
      (c) => (child = c),
    );
    log(`tracker-scale: after SIGKILL, first commit ${killRestart.firstCommitMs} ms, caught up ${killRestart.caughtUpMs} ms, peak RSS ${killRestart.peakRssMb.toFixed(0)} MB`);
    const storeMb = diskMb(storeDir);
    log(`tracker-scale: store on disk ${storeMb.toFixed(0)} MB (${((storeMb * 2 ** 20) / entities).toFixed(0)} B per entity)`);
    // A rescheduled pod with an emptyDir: the same group, an empty store, the whole changelog to read first.
    const freshRestart = await restart(infra, producer, () => stopChild(child!, 30_000), entities + 2 * RESTART_EVENTS, runId, groupId, spawnIn(freshDir), (c) => (child = c));
    log(`tracker-scale: a new node (empty store), first commit ${freshRestart.firstCommitMs} ms, caught up ${freshRestart.caughtUpMs} ms, peak RSS ${freshRestart.peakRssMb.toFixed(0)} MB`);
    await stopChild(child, 30_000);
    return { entities, lateShare: LATE_SHARE, records, prefillSec, caughtUp, drainSec, windows, peakRssMb, peakBreakdown, cleanRestart, killRestart, freshRestart, storeMb };
  } finally {
    if (child) await stopChild(child, 5_000);
    await producer.disconnect();
    if (!process.env.BENCH_STORE_DIR) rmSync(storeDir, { recursive: true, force: true });
    rmSync(freshDir, { recursive: true, force: true });
  }
}

/** Stops the tracker (`stop`), queues fresh events while it is down, starts it again and times its first commit. */
async function restart(
  infra: BenchInfra,
  producer: Producer,
  stop: () => Promise<void>,
  from: number,
  runId: string,
  groupId: string,
  spawnTracker: () => SpawnedChild,
  started: (child: SpawnedChild) => void,
): Promise<RestartFigures> {
  await stop();
  const start = await endOffsets(infra.admin, INPUTS);
  await prefill(producer, from, RESTART_EVENTS, runId, false);
  const target = await endOffsets(infra.admin, INPUTS);
  const child = spawnTracker();
  started(child);
  const peak = peakSampler(child);
  // Measured from the spawn: process start, Nest, group join (after SIGKILL the broker first waits out the dead
  // member's session), the store's tail restore, then the first transaction.
  const seen = await watchDrain(infra.admin, groupId, start, target, 1_800_000, 500, () => child.exit() !== null);
  if (seen.exited) throw stageFailed(child, 'tracker-scale: the tracker exited after the restart');
  if (!seen.caughtUp) throw new Error(`tracker did not catch up after the restart:\n${child.tail()}`);
  return { firstCommitMs: Math.round(seen.firstCommitMs), caughtUpMs: Math.round(seen.lastChangeMs), peakRssMb: peak() };
}

/**
 * Records per second over each of `count` equal shares of the work, from (seconds, progress) samples: the moment a
 * share is reached is interpolated between the samples around it (commits arrive in steps of a batch).
 */
export function windowRates(all: ReadonlyArray<readonly [number, number]>, total: number, count: number): number[] {
  // From the first commit on: start-up (process, group join, restore) is reported apart.
  const points = all.slice(Math.max(0, all.findIndex(([, progress]) => progress > 0)));
  if (points.length < 2) return Array.from({ length: count }, () => NaN);
  const timeAt = (goal: number): number => {
    for (let i = 1; i < points.length; i++) {
      const [t1, p1] = points[i - 1]!;
      const [t2, p2] = points[i]!;
      if (p2 >= goal) return p2 === p1 ? t2 : t1 + ((goal - p1) / (p2 - p1)) * (t2 - t1);
    }
    return points[points.length - 1]![0];
  };
  const first = points[0]!;
  const reached = Math.min(total, points[points.length - 1]![1]);
  const rates: number[] = [];
  for (let w = 0; w < count; w++) {
    const from = first[1] + ((reached - first[1]) * w) / count;
    const to = first[1] + ((reached - first[1]) * (w + 1)) / count;
    const seconds = timeAt(to) - timeAt(from);
    rates.push(seconds > 0 ? (to - from) / seconds : NaN);
  }
  return rates;
}
