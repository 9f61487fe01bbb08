import { randomUUID } from 'node:crypto';
import { Topics, type CloudEvent, type TransitionData } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { RawRecordProducer, TopicObserver, testServiceContext, valueJson } from '@hookbus/testing';
import { startNormalizer } from '../../normalizer/src/normalizer.app';
import { startTracker } from '../src/tracker.app';

/**
 * Two tracker instances and forced rebalances (one joins mid-stream, one leaves): every communication must still get
 * each of its transitions exactly once and in order — the same output one instance gives.
 */
describe('tracker (real broker): two instances and forced rebalances', () => {
  let normalizer: RunningService;
  let raw: RawRecordProducer;
  let observer: TopicObserver;
  const trackers: RunningService[] = [];

  beforeAll(async () => {
    observer = await TopicObserver.start([Topics.transitions.name]);
    raw = await RawRecordProducer.connect();
    normalizer = await startNormalizer(testServiceContext('normalizer'));
  });

  afterAll(async () => {
    for (const t of trackers) await t.close().catch(() => undefined);
    await normalizer?.close();
    await raw?.close();
    await observer?.stop();
  });

  it('announces each transition once across a join and a leave', async () => {
    const processes = Array.from({ length: 12 }, () => ({ processId: randomUUID(), entityId: randomUUID() }));
    const send = (emailStatus: number) =>
      Promise.all(
        processes.map(({ processId, entityId }) =>
          raw.send({ provider: 'credas', sourceId: 'credas-actor', kind: 'process-actor', key: processId, body: JSON.stringify({ clientId: 'c', processId, processActorId: 1, entityId, emailStatus }) }),
        ),
      );
    const emailKeys = new Set(processes.map((p) => `credas:${p.processId}:1:email`));
    const transitionsOf = () => observer.matching((r) => r.key !== null && emailKeys.has(r.key.toString())).map((r) => valueJson<CloudEvent<TransitionData>>(r));
    const waitForCount = (n: number) => observer.waitForRecords((r) => r.key !== null && emailKeys.has(r.key.toString()), n, 90_000);

    const first = await startTracker(testServiceContext('tracker'));
    trackers.push(first);
    await send(1); // sent
    await waitForCount(12);

    const second = await startTracker(testServiceContext('tracker'));
    trackers.push(second);
    await send(2); // delivered, while the group rebalances
    await waitForCount(24);

    await first.close(); // the first instance leaves: its partitions move to the second, which restores their state
    await send(3); // opened
    await waitForCount(36);

    const byKey = new Map<string, TransitionData[]>();
    for (const event of transitionsOf()) byKey.set(event.data.key, [...(byKey.get(event.data.key) ?? []), event.data]);
    expect(byKey.size).toBe(12);
    for (const [, transitions] of byKey) {
      expect(transitions.map((t) => [t.seq, t.from, t.to])).toEqual([
        [1, null, 'sent'],
        [2, 'sent', 'delivered'],
        [3, 'delivered', 'opened'],
      ]);
    }
    // Every transition id is distinct: nothing was announced twice.
    const ids = transitionsOf().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
