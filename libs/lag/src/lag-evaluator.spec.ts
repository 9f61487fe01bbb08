import fc from 'fast-check';
import { evaluateGroup, evaluatePartition, lagTrend, slideWindow, type LagStatus, type PartitionPoint } from './lag-evaluator';
import type { GroupMembership, GroupSample } from './lag-sample';
import { offsetLag, oldestUnconsumedOffset } from './lag-sample';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const STEP = 10_000;

/** Points 10 s apart from [committed, lag] pairs. */
function points(...pairs: Array<[number | null, number]>): PartitionPoint[] {
  return pairs.map(([committed, lag], i) => ({ at: T0 + i * STEP, committed, lag }));
}

describe('evaluatePartition', () => {
  const cases: Array<{ name: string; points: PartitionPoint[]; membership: GroupMembership; status: LagStatus }> = [
    { name: 'no samples', points: [], membership: 'active', status: 'OK' },
    { name: 'no lag at all', points: points([10, 0], [20, 0], [30, 0]), membership: 'active', status: 'OK' },
    { name: 'caught up once in the window, lagging now', points: points([10, 0], [10, 5], [10, 9]), membership: 'active', status: 'OK' },
    { name: 'caught up once, even with the group empty', points: points([10, 0], [10, 5]), membership: 'empty', status: 'OK' },
    { name: 'lag shrinking', points: points([10, 50], [30, 40], [60, 20]), membership: 'active', status: 'OK' },
    { name: 'lag shrank once, grew after', points: points([10, 50], [30, 40], [40, 45]), membership: 'active', status: 'OK' },
    { name: 'consuming but lag growing', points: points([10, 5], [20, 8], [30, 12]), membership: 'active', status: 'WARN' },
    { name: 'consuming but lag flat', points: points([10, 5], [20, 5], [30, 5]), membership: 'active', status: 'WARN' },
    { name: 'offset stuck while lagging, members present', points: points([10, 5], [10, 5], [10, 7]), membership: 'active', status: 'STALL' },
    { name: 'never committed, members present, lagging', points: points([null, 5], [null, 5], [null, 5]), membership: 'active', status: 'STALL' },
    { name: 'offset stuck, membership unknown', points: points([10, 5], [10, 5], [10, 5]), membership: 'unknown', status: 'STALL' },
    { name: 'lagging with nobody in the group', points: points([10, 5]), membership: 'empty', status: 'STOP' },
    { name: 'lagging with nobody in the group over a full window', points: points([10, 5], [10, 6], [10, 9]), membership: 'empty', status: 'STOP' },
    { name: 'stuck but window incomplete', points: points([10, 5], [10, 5]), membership: 'active', status: 'OK' },
    { name: 'offset reset backwards to replay starts afresh', points: points([90, 5], [95, 6], [0, 100], [50, 60]), membership: 'active', status: 'OK' },
    { name: 'after a rewind the new window is judged', points: points([90, 5], [0, 100], [0, 100], [0, 110]), membership: 'active', status: 'STALL' },
  ];

  it.each(cases)('$name → $status', ({ points: window, membership, status }) => {
    expect(evaluatePartition(window, membership).status).toBe(status);
  });

  it('honours minSamples', () => {
    expect(evaluatePartition(points([10, 5], [10, 5]), 'active', { minSamples: 2 }).status).toBe('STALL');
  });
});

const lagArb = fc.integer({ min: 0, max: 1000 });
const pointsArb = fc
  .array(fc.record({ advance: fc.integer({ min: 0, max: 50 }), lag: lagArb, gap: fc.integer({ min: 1, max: 60_000 }) }), { minLength: 1, maxLength: 12 })
  .map((steps) => {
    let committed = 0;
    let at = T0;
    return steps.map((s): PartitionPoint => {
      committed += s.advance;
      at += s.gap;
      return { at, committed, lag: s.lag };
    });
  });
const membershipArb = fc.constantFrom<GroupMembership>('active', 'empty', 'unknown');

describe('evaluatePartition properties', () => {
  it('is OK whenever any sample in the window had no lag', () => {
    fc.assert(
      fc.property(pointsArb, membershipArb, fc.nat(), (window, membership, i) => {
        const zeroed = window.map((p, j) => (j === i % window.length ? { ...p, lag: 0 } : p));
        expect(evaluatePartition(zeroed, membership).status).toBe('OK');
      }),
    );
  });

  it('is STOP exactly when the group is empty and every sample lags', () => {
    fc.assert(
      fc.property(pointsArb, (window) => {
        const status = evaluatePartition(window, 'empty').status;
        expect(status === 'STOP').toBe(window.every((p) => p.lag > 0));
      }),
    );
  });

  it('never says STOP while the group has members', () => {
    fc.assert(
      fc.property(pointsArb, fc.constantFrom<GroupMembership>('active', 'unknown'), (window, membership) => {
        expect(evaluatePartition(window, membership).status).not.toBe('STOP');
      }),
    );
  });

  it('depends on the order of samples, not on when they were taken', () => {
    fc.assert(
      fc.property(pointsArb, membershipArb, fc.integer({ min: -1e9, max: 1e9 }), (window, membership, shift) => {
        const shifted = window.map((p) => ({ ...p, at: p.at + shift }));
        expect(evaluatePartition(shifted, membership)).toEqual(evaluatePartition(window, membership));
      }),
    );
  });

  it('is OK while members consume and the lag strictly shrinks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 10 }), (drops) => {
        let lag = drops.reduce((a, b) => a + b, 0) + 1;
        const window = [{ at: T0, committed: 0, lag }, ...drops.map((d, i) => ({ at: T0 + (i + 1) * STEP, committed: i + 1, lag: (lag -= d) }))];
        expect(evaluatePartition(window, 'active').status).toBe('OK');
      }),
    );
  });
});

/** Parts are [topic, partition, committed, end] or [topic, partition, committed, end, log start]. */
function sample(at: number, membership: GroupMembership, parts: Array<[string, number, number | null, number, number?]>): GroupSample {
  return {
    groupId: 'g',
    at,
    membership,
    state: membership === 'active' ? 'Stable' : membership === 'empty' ? 'Empty' : 'Unknown',
    members: membership === 'active' ? 1 : 0,
    partitions: parts.map(([topic, partition, committed, end, start = 0]) => ({ topic, partition, committed, start, end, lag: offsetLag(committed, start, end), lagSeconds: null })),
  };
}

describe('evaluateGroup', () => {
  it('takes the worst partition and names it in the reason', () => {
    const window = [0, 1, 2].map((i) =>
      sample(T0 + i * STEP, 'active', [
        ['t', 0, 10 + i * 10, 10 + i * 10],
        ['t', 1, 5, 9 + i],
      ]),
    );
    const verdict = evaluateGroup(window);
    expect(verdict.status).toBe('STALL');
    expect(verdict.reason).toMatch(/^t\[1\]: committed offset stuck at 5/);
    expect(verdict.totalLag).toBe(6);
    expect(verdict.partitions.map((p) => p.status)).toEqual(['OK', 'STALL']);
  });

  it('is OK for a group without committed partitions', () => {
    expect(evaluateGroup([sample(T0, 'empty', [])]).status).toBe('OK');
  });

  it('refuses an empty window', () => {
    expect(() => evaluateGroup([])).toThrow(RangeError);
  });

  it('carries the coordinator state and member count of the newest sample', () => {
    const verdict = evaluateGroup([sample(T0, 'active', []), { ...sample(T0 + STEP, 'unknown', []), state: 'PreparingRebalance', members: 3 }]);
    expect(verdict).toMatchObject({ state: 'PreparingRebalance', members: 3 });
  });

  it('names the partition whose records retention is about to delete, apart from the lag status', () => {
    const window = [0, 1, 2].map((i) =>
      sample(T0 + i * STEP, 'active', [
        ['t', 0, 40 + i, 40 + i, 0],
        ['t', 1, 102 + i, 200, 100],
      ]),
    );
    const verdict = evaluateGroup(window);
    expect(verdict.status).toBe('OK');
    expect(verdict.retention).toBe('AT_RISK');
    expect(verdict.retentionReason).toMatch(/^t\[1\]: committed offset 104 is 4\.0 % into the retained log \(log start 100, end 200\)/);
    expect(verdict.partitions.map((p) => p.retention)).toEqual(['OK', 'AT_RISK']);
  });

  it('says LOST, with the count, when the committed offset fell below the log start', () => {
    const verdict = evaluateGroup([sample(T0, 'empty', [['t', 0, 5, 50, 30]])]);
    expect(verdict.retention).toBe('LOST');
    expect(verdict.retentionReason).toContain('25 records were deleted unconsumed');
  });

  it('is not at risk when caught up, however close to the log start', () => {
    const verdict = evaluateGroup([sample(T0, 'active', [['t', 0, 200, 200, 199]])]);
    expect(verdict).toMatchObject({ retention: 'OK', retentionReason: 'no partition near its log start' });
  });
});

describe('lagTrend', () => {
  it.each([
    { name: 'one sample', window: [sample(T0, 'active', [['t', 0, 0, 10]])], trend: null },
    { name: 'caught up throughout', window: [sample(T0, 'active', [['t', 0, 10, 10]]), sample(T0 + STEP, 'active', [['t', 0, 20, 20]])], trend: 0 },
    { name: 'falling behind by 50 records in 10 s', window: [sample(T0, 'active', [['t', 0, 0, 10]]), sample(T0 + STEP, 'active', [['t', 0, 5, 65]])], trend: 5 },
    {
      name: 'catching up on two partitions over 20 s',
      window: [sample(T0, 'active', [['t', 0, 0, 100], ['t', 1, 0, 100]]), sample(T0 + STEP, 'active', [['t', 0, 50, 100], ['t', 1, 50, 100]]), sample(T0 + 2 * STEP, 'active', [['t', 0, 80, 100], ['t', 1, 100, 100]])],
      trend: -9,
    },
    { name: 'a partition that appeared in between is left out', window: [sample(T0, 'active', [['t', 0, 0, 10]]), sample(T0 + STEP, 'active', [['t', 0, 0, 10], ['u', 0, 0, 500]])], trend: 0 },
  ])('$name → $trend records/s', ({ window, trend }) => {
    expect(lagTrend(window)).toBe(trend);
    expect(evaluateGroup(window).lagTrend).toBe(trend);
  });
});

describe('slideWindow', () => {
  it('keeps the newest `size` samples and drops old ones', () => {
    let window: GroupSample[] = [];
    for (let i = 0; i < 15; i++) window = slideWindow(window, sample(T0 + i * STEP, 'active', []), { size: 10, maxAgeMs: 60_000 });
    expect(window.map((s) => (s.at - T0) / STEP)).toEqual([8, 9, 10, 11, 12, 13, 14]);
  });

  it('ignores a sample older than the newest', () => {
    const window = slideWindow([sample(T0 + STEP, 'active', [])], sample(T0, 'active', []));
    expect(window.map((s) => s.at)).toEqual([T0 + STEP]);
  });
});

describe('offsetLag', () => {
  it.each([
    { committed: 10, start: 0, end: 15, lag: 5, oldest: 10 },
    { committed: null, start: 3, end: 15, lag: 12, oldest: 3 },
    { committed: 2, start: 8, end: 15, lag: 7, oldest: 8 },
    { committed: 15, start: 0, end: 15, lag: 0, oldest: null },
    { committed: 0, start: 0, end: 0, lag: 0, oldest: null },
  ])('committed $committed, log [$start, $end) → lag $lag', ({ committed, start, end, lag, oldest }) => {
    expect(offsetLag(committed, start, end)).toBe(lag);
    expect(oldestUnconsumedOffset(committed, start, end)).toBe(oldest);
  });
});
