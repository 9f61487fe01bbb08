import { evaluateGroup } from './lag-evaluator';
import { formatLagTable, lagRows, needsAttention } from './lag-table';
import type { GroupSample } from './lag-sample';

const T0 = Date.UTC(2025, 0, 1);

function verdict(groupId: string, membership: GroupSample['membership'], committed: number, end: number) {
  return evaluateGroup([{ groupId, at: T0, membership, partitions: [{ topic: 'webhooks.raw.credas', partition: 0, committed, start: 0, end, lag: end - committed, lagSeconds: end > committed ? 42 : 0 }] }]);
}

describe('formatLagTable', () => {
  it('prints one aligned row per partition and says why a group is not OK', () => {
    const text = formatLagTable([verdict('hookbus-normalizer', 'active', 10, 10), verdict('hookbus-tracker', 'empty', 3, 10)]);
    expect(text.split('\n')).toEqual([
      'GROUP               TOPIC                PARTITION  COMMITTED  END  LAG  LAG SECONDS  STATUS',
      'hookbus-normalizer  webhooks.raw.credas          0         10   10    0          0.0  OK',
      'hookbus-tracker     webhooks.raw.credas          0          3   10    7         42.0  STOP',
      '',
      'hookbus-tracker: STOP — webhooks.raw.credas[0]: lagging and the group has no members',
      '',
    ]);
  });

  it('shows a group that never committed as one dashed row', () => {
    const empty = evaluateGroup([{ groupId: 'g', at: T0, membership: 'empty', partitions: [] }]);
    expect(lagRows([empty])).toHaveLength(1);
    expect(formatLagTable([empty]).split('\n')[1]).toBe('g      -              -          -    -    0            -  OK');
  });
});

describe('needsAttention', () => {
  it.each([
    { statuses: ['OK'], attention: false },
    { statuses: ['OK', 'WARN'], attention: false },
    { statuses: ['OK', 'STALL'], attention: true },
    { statuses: ['STOP'], attention: true },
  ])('$statuses → $attention', ({ statuses, attention }) => {
    const verdicts = statuses.map((status) => ({ ...verdict('g', 'active', 0, 0), status: status as 'OK' }));
    expect(needsAttention(verdicts)).toBe(attention);
  });
});
