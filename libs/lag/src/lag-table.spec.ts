import { evaluateGroup } from './lag-evaluator';
import { formatLagTable, lagRows, needsAttention } from './lag-table';
import type { GroupSample } from './lag-sample';

const T0 = Date.UTC(2025, 0, 1);

function verdict(groupId: string, membership: GroupSample['membership'], committed: number, end: number) {
  return evaluateGroup([{ groupId, at: T0, membership, state: membership === 'empty' ? 'Empty' : 'Stable', members: membership === 'empty' ? 0 : 2, partitions: [{ topic: 'webhooks.raw.credas', partition: 0, committed, start: 0, end, lag: end - committed, lagSeconds: end > committed ? 42 : 0 }] }]);
}

describe('formatLagTable', () => {
  it('prints one aligned row per partition and says why a group is not OK', () => {
    const text = formatLagTable([verdict('hookbus-normalizer', 'active', 10, 10), verdict('hookbus-tracker', 'empty', 3, 10)]);
    expect(text.split('\n')).toEqual([
      'GROUP               TOPIC                PARTITION  COMMITTED  END  LAG  LAG SECONDS  STATUS',
      'hookbus-normalizer  webhooks.raw.credas          0         10   10    0          0.0  OK',
      'hookbus-tracker     webhooks.raw.credas          0          3   10    7         42.0  STOP',
      '',
      'GROUP               STATE   MEMBERS  LAG  TREND/S  STATUS  RETENTION',
      'hookbus-normalizer  Stable        2    0        -  OK      OK',
      'hookbus-tracker     Empty         0    7        -  STOP    OK',
      '',
      'hookbus-tracker: STOP — webhooks.raw.credas[0]: lagging and the group has no members',
      '',
    ]);
  });

  it('says which partition retention is about to delete from, even for an OK group', () => {
    const atRisk = evaluateGroup([
      { groupId: 'hookbus-projector', at: T0, membership: 'active', state: 'Stable', members: 1, partitions: [{ topic: 'events.results.v1', partition: 2, committed: 101, start: 100, end: 200, lag: 99, lagSeconds: 30 }] },
    ]);
    const lines = formatLagTable([atRisk]).split('\n');
    expect(lines).toContain('hookbus-projector  Stable        1   99        -  OK      AT_RISK');
    expect(lines).toContain('hookbus-projector: retention AT_RISK — events.results.v1[2]: committed offset 101 is 1.0 % into the retained log (log start 100, end 200): the next retention deletion takes unconsumed records');
    expect(needsAttention([atRisk])).toBe(true);
  });

  it('shows a group that never committed as one dashed row', () => {
    const empty = evaluateGroup([{ groupId: 'g', at: T0, membership: 'empty', state: 'Empty', members: 0, partitions: [] }]);
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
