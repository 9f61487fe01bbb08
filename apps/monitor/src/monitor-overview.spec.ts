import { ORCHESTRATOR_RETRY_LANES } from '@hookbus/contracts';
import { LagMonitor, type GroupSample, type LagReader, type LagTarget } from '@hookbus/lag';
import { SPOOL_NOT_HERE, monitorOverview } from './monitor-overview';

/** A LagMonitor fed samples by hand (no broker): what the overview reads is what the evaluator judged. */
function fedMonitor(targets: readonly LagTarget[], historySize?: number): { monitor: LagMonitor; next: (samples: GroupSample[] | Error) => void } {
  let pending: GroupSample[] | Error = [];
  const reader = { read: async () => { if (pending instanceof Error) throw pending; return pending; } } as unknown as LagReader;
  return { monitor: new LagMonitor(reader, null, { targets, historySize }), next: (samples) => void (pending = samples) };
}

function group(groupId: string, at: number, parts: Array<{ topic?: string; partition?: number; committed: number; end: number; lagSeconds: number | null }>, members = 1): GroupSample {
  return {
    groupId,
    at,
    membership: members > 0 ? 'active' : 'empty',
    state: members > 0 ? 'Stable' : 'Empty',
    members,
    partitions: parts.map((p, i) => ({ topic: p.topic ?? 't', partition: p.partition ?? i, committed: p.committed, start: 0, end: p.end, lag: p.end - p.committed, lagSeconds: p.lagSeconds })),
  };
}

describe('monitorOverview (GET /overview)', () => {
  const T0 = Date.parse('2026-12-01T06:00:00.000Z');

  it('gives each group its status, offsets and seconds of lag (the largest over its partitions) and its history, oldest first', async () => {
    const stages = fedMonitor([{ groupId: 'hookbus-projector' }]);
    const backlog = fedMonitor([]);
    for (const [i, lag] of [5, 3, 0].entries()) {
      stages.next([group('hookbus-projector', T0 + i * 15_000, [{ committed: 10 - lag, end: 10, lagSeconds: lag * 2 }, { committed: 4, end: 4, lagSeconds: 0 }])]);
      await stages.monitor.sample(T0 + i * 15_000);
    }
    await backlog.monitor.sample(T0);
    const overview = monitorOverview(stages.monitor, backlog.monitor, 15_000, T0 + 31_000);
    expect(overview.at).toBe('2026-12-01T06:00:31.000Z');
    expect(overview.sampling).toEqual({ lastSampledAt: '2026-12-01T06:00:30.000Z', error: null, intervalMs: 15_000 });
    expect(overview.groups).toHaveLength(1);
    const [projector] = overview.groups;
    expect(projector).toMatchObject({ group: 'hookbus-projector', status: 'OK', state: 'Stable', members: 1, lag: 0, lagSeconds: 0, retention: 'OK' });
    expect(projector!.partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([[0, 10, 10, 0], [1, 4, 4, 0]]);
    expect(projector!.history.map((p) => [p.at - T0, p.lag, p.lagSeconds, p.status])).toEqual([[0, 5, 10, 'OK'], [15_000, 3, 6, 'OK'], [30_000, 0, 0, 'OK']]);
    expect(overview.spool).toEqual({ known: false, where: SPOOL_NOT_HERE });
  });

  it('keeps only the last historySize samples of a group', async () => {
    const stages = fedMonitor([{ groupId: 'g' }], 3);
    for (let i = 0; i < 5; i++) {
      stages.next([group('g', T0 + i, [{ committed: 0, end: i, lagSeconds: i }])]);
      await stages.monitor.sample(T0 + i);
    }
    expect(stages.monitor.overview()[0]!.history.map((p) => p.lag)).toEqual([2, 3, 4]);
  });

  it('sums the retry lanes into the Credas backlog, by lane, and says when sampling fails', async () => {
    const stages = fedMonitor([]);
    const backlog = fedMonitor(ORCHESTRATOR_RETRY_LANES.map((l) => ({ groupId: l.group, topics: [l.topic] })));
    const [ten, two, fifteen] = ORCHESTRATOR_RETRY_LANES;
    backlog.next([
      group(ten!.group, T0, [{ topic: ten!.topic, committed: 0, end: 2, lagSeconds: 8 }]),
      group(two!.group, T0, [{ topic: two!.topic, committed: 1, end: 4, lagSeconds: 95 }, { topic: two!.topic, committed: 0, end: 1, lagSeconds: 30 }]),
      group(fifteen!.group, T0, [], 0),
    ]);
    await backlog.monitor.sample(T0);
    stages.next(new Error('broker down'));
    await expect(stages.monitor.sample(T0)).rejects.toThrow('broker down');
    const overview = monitorOverview(stages.monitor, backlog.monitor, 15_000, T0);
    expect(overview.sampling).toEqual({ lastSampledAt: null, error: 'broker down', intervalMs: 15_000 });
    expect(overview.credasBacklog).toMatchObject({ records: 6, oldestSeconds: 95, lastSampledAt: '2026-12-01T06:00:00.000Z', error: null });
    expect(overview.credasBacklog.lanes.map((l) => [l.lane, l.topic, l.group, l.records, l.oldestSeconds])).toEqual([
      ['10s', 'orchestrator.credas.retry-10s.v1', 'hookbus-orchestrator-retry-10s', 2, 8],
      ['2m', 'orchestrator.credas.retry-2m.v1', 'hookbus-orchestrator-retry-2m', 4, 95],
      ['15m', 'orchestrator.credas.retry-15m.v1', 'hookbus-orchestrator-retry-15m', 0, 0],
    ]);
  });
});
