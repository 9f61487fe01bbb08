import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { ConsumerGroups, TRACKER_HINTS_TOPIC, Topics, type CloudEvent, type TransitionData } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { RawRecordProducer, TEST_KAFKA_BROKERS, TopicObserver, testServiceContext, valueJson, waitFor } from '@hookbus/testing';
import { startNormalizer } from '../../normalizer/src/normalizer.app';
import { startTracker } from '../src/tracker.app';

/**
 * The tracker's state store on disk (issue 17): a restart on the same volume reads only the changelog's tail, a store
 * from another cluster is discarded and rebuilt from the whole changelog, and either way the state machines carry on
 * exactly where they were.
 */
describe('tracker (real broker): state store on disk, tail-only restore', () => {
  const PROCESSES = 100; // two communications each (sms and email): 200 states before the restart
  let normalizer: RunningService;
  let raw: RawRecordProducer;
  let observer: TopicObserver;
  let tracker: RunningService | undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    observer = await TopicObserver.start([Topics.transitions.name]);
    raw = await RawRecordProducer.connect();
    normalizer = await startNormalizer(testServiceContext('normalizer'));
  });

  afterAll(async () => {
    await tracker?.close();
    await normalizer?.close();
    await raw?.close();
    await observer?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookbus-tracker-store-it-'));
    dirs.push(dir);
    return dir;
  };
  const start = (storeDir: string) => startTracker(testServiceContext('tracker'), { storeDir });
  /** Changelog records the running tracker's restores read from state.communications.v1. */
  const restoredRecords = async (service: RunningService) => {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const line = new RegExp(`^hookbus_tracker_restored_records_total\\{topic="${Topics.communicationState.name.replace(/\./g, '\\.')}"[^}]*\\} (\\d+)`, 'm').exec(metrics);
    return Number(line?.[1] ?? NaN);
  };
  const actor = (processId: string, entityId: string, email: number) =>
    raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body: JSON.stringify({ clientId: 'c', processId, processActorId: 1, entityId, smsStatus: 1, emailStatus: email }) });
  const emailKey = (processId: string) => `credas:${processId}:1:email`;
  const transitionsOf = (key: string) =>
    observer.matching((r) => r.key?.toString() === key).map((r) => valueJson<CloudEvent<TransitionData>>(r).data).map((t) => [t.from, t.to, t.seq]);

  it('replays only the tail after a clean stop, rebuilds a store of another cluster, and carries on where it was', async () => {
    const processes = Array.from({ length: PROCESSES }, () => ({ processId: randomUUID(), entityId: randomUUID() }));
    const keys = new Set(processes.map((p) => emailKey(p.processId)));
    const dir = newDir();
    tracker = await start(dir);
    await Promise.all(processes.map((p) => actor(p.processId, p.entityId, 1)));
    await observer.waitForRecords((r) => r.key !== null && keys.has(r.key.toString()), PROCESSES, 90_000);
    await tracker.close();
    tracker = undefined;

    // While it is stopped, three processes move on: the restart must read those, not the 200 states before them.
    const moved = processes.slice(0, 3);
    await Promise.all(moved.map((p) => actor(p.processId, p.entityId, 2)));

    tracker = await start(dir);
    await observer.waitForRecords((r) => r.key?.toString() === emailKey(moved[2]!.processId), 2, 90_000);
    const tail = await restoredRecords(tracker);
    // At most the last record batch before the stop is read again (the offset recorded is its base offset), which can
    // hold a hundred states or more; a full restore reads every one of the 2 × PROCESSES communication states and the
    // PROCESSES process states.
    expect(tail).toBeLessThan(2 * PROCESSES);
    // And it resumes from the restored state: a repeated status announces nothing, the next one continues the sequence.
    await actor(moved[0]!.processId, moved[0]!.entityId, 2);
    await actor(moved[0]!.processId, moved[0]!.entityId, 3);
    await observer.waitForRecords((r) => r.key?.toString() === emailKey(moved[0]!.processId), 3, 90_000);
    expect(transitionsOf(emailKey(moved[0]!.processId))).toEqual([
      [null, 'sent', 1],
      ['sent', 'delivered', 2],
      ['delivered', 'opened', 3],
    ]);
    await tracker.close();
    tracker = undefined;

    // The same volume facing another cluster (a fresh broker with the same topic names): its offsets mean nothing.
    for (const topic of [Topics.communicationState.name, Topics.processState.name]) {
      const db = new Database(join(dir, `${topic}.sqlite`));
      db.prepare("UPDATE meta SET value = json_set(value, '$.clusterId', 'another-cluster') WHERE name = 'identity'").run();
      db.close();
    }
    tracker = await start(dir);
    await actor(moved[1]!.processId, moved[1]!.entityId, 3);
    await observer.waitForRecords((r) => r.key?.toString() === emailKey(moved[1]!.processId), 3, 90_000);
    expect(await restoredRecords(tracker)).toBeGreaterThanOrEqual(2 * PROCESSES);
    expect(transitionsOf(emailKey(moved[1]!.processId))).toEqual([
      [null, 'sent', 1],
      ['sent', 'delivered', 2],
      ['delivered', 'opened', 3],
    ]);
  });

  it('announces an expired process overdue once: not again on later ticks, nor after a restart on the same store', async () => {
    await tracker?.close();
    const dir = newDir();
    const startTicking = () => startTracker(testServiceContext('tracker'), { storeDir: dir, overdueCheckIntervalMs: 200, overdueGraceMs: 0 });
    const processId = randomUUID();
    const overdue = () =>
      observer.matching((r) => r.key?.toString() === `authvia:${processId}` && valueJson<CloudEvent<TransitionData>>(r).data.reason === 'overdue');
    tracker = await startTicking();
    await raw.send({
      provider: 'authvia', sourceId: 'authvia-business-process', kind: 'business-process', key: processId,
      body: JSON.stringify({ id: processId, blueprint: 'card-payment', partnerId: 'p', avid: 'AV-1', customerId: 'c', status: 'in-progress', expiration: '2020-01-01T00:00:00Z', version: 1, actions: [], addresses: [] }),
    });
    await waitFor(() => overdue().length === 1 || undefined, { what: 'the overdue notice', timeoutMs: 90_000 });
    await ticksConsumed(5);
    await tracker.close();
    // Restarted on the same store: the announcement was recorded there (the process left the due index), so the
    // ticks after the restart find nothing to announce. Before, an in-memory set forgot it and it was announced again.
    tracker = await startTicking();
    await ticksConsumed(5);
    expect(overdue()).toHaveLength(1);
  });

  /** Waits until the tracker's group has committed `n` more offsets past today's end of every hints partition. */
  async function ticksConsumed(n: number): Promise<void> {
    const admin = new Kafka({ clientId: 'test-ticks', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const ends = new Map((await admin.fetchTopicOffsets(TRACKER_HINTS_TOPIC)).map((p) => [p.partition, Number(p.high)]));
      await waitFor(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: ConsumerGroups.tracker, topics: [TRACKER_HINTS_TOPIC] });
        return committed!.partitions.every((p) => Number(p.offset) >= ends.get(p.partition)! + n) || undefined;
      }, { what: `${n} more ticks consumed on every partition`, timeoutMs: 60_000 });
    } finally {
      await admin.disconnect();
    }
  }

  it('a fresh node (empty store) restores from the whole changelog', async () => {
    await tracker?.close();
    tracker = await start(newDir());
    const processId = randomUUID();
    await actor(processId, randomUUID(), 1);
    await observer.waitForRecords((r) => r.key?.toString() === emailKey(processId), 1, 90_000);
    expect(await restoredRecords(tracker)).toBeGreaterThanOrEqual(2 * PROCESSES);
  });
});
