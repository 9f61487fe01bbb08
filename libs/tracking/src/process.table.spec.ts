import { PROCESS_STATUSES, type ProcessStatus } from '@hookbus/contracts';
import { applyProcessEvent } from './process-state';
import { AUTHVIA_PROCESS_TABLE, CELLOSIGN_PROCESS_TABLE, CREDAS_PROCESS_TABLE, PROCESS_TABLES, processTable } from './process.table';
import { UNRANKED, rankOf, type StatusTable } from './status-table';
import { processEvent } from './testing/tracking-events';

type Expected = [status: ProcessStatus, final: boolean, action: string | null];

/** The tables as the docs state them (docs/state-machines.md), in ascending rank. */
const EXPECTED: Array<[StatusTable<ProcessStatus>, Expected[]]> = [
  [CREDAS_PROCESS_TABLE, [['created', false, null], ['completed', true, null]]],
  [
    AUTHVIA_PROCESS_TABLE,
    [['scheduled', false, null], ['in_progress', false, null], ['failed', true, 'process_failed'], ['expired', true, 'process_expired'], ['completed', true, null]],
  ],
  [
    CELLOSIGN_PROCESS_TABLE,
    [
      ['created', false, null], ['in_progress', false, null], ['expired', true, 'process_expired'], ['deleted', true, null],
      ['submitted', false, null], ['completed', true, null],
    ],
  ],
];

const providerOf = (t: StatusTable<string>) => t.machine.split('/')[0] as 'credas' | 'authvia' | 'cellosign';

describe.each(EXPECTED)('process table %#', (table, expected) => {
  it(`${table.machine} lists exactly the documented statuses in rank order`, () => {
    const listed = [...table.rows].sort((a, b) => a.rank - b.rank).map((r) => [r.status, r.final, r.action ?? null]);
    expect(listed).toEqual(expected);
  });

  it(`${table.machine} ranks are distinct`, () => {
    const ranks = table.rows.map((r) => r.rank);
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it(`${table.machine} is the machine chosen for its provider`, () => {
    expect(processTable(providerOf(table))).toBe(table);
  });

  // Same version, every ordered pair: the second is announced iff it ranks higher.
  const pairs = expected.flatMap(([a]) => expected.map(([b]) => [a, b] as const)).filter(([a, b]) => a !== b);
  it.each(pairs)(`${table.machine}: %s then %s`, (a, b) => {
    const processKey = `${providerOf(table)}:p-1`;
    const provider = providerOf(table);
    const first = applyProcessEvent(null, processEvent('e1', '2025-01-01T00:00:00Z', { processKey, provider, status: a, version: 1 }));
    const second = applyProcessEvent(first.state, processEvent('e2', '2025-01-01T00:00:01Z', { processKey, provider, status: b, version: 1 }));
    const climbs = rankOf(table, b, false) > rankOf(table, a, false);
    expect(second.state.status).toBe(climbs ? b : a);
    expect(second.transitions).toHaveLength(climbs ? 1 : 0);
  });
});

describe('process tables', () => {
  it('list only canonical statuses', () => {
    for (const table of PROCESS_TABLES) for (const row of table.rows) expect(PROCESS_STATUSES).toContain(row.status);
  });

  it('rank the Credas placeholder below even an unrecognised status', () => {
    expect(rankOf(CREDAS_PROCESS_TABLE, 'created', false)).toBeLessThan(UNRANKED);
    expect(rankOf(CREDAS_PROCESS_TABLE, 'unknown', false)).toBe(UNRANKED);
  });

  it.each([
    [AUTHVIA_PROCESS_TABLE, 'submitted'],
    [AUTHVIA_PROCESS_TABLE, 'deleted'],
    [CREDAS_PROCESS_TABLE, 'in_progress'],
    [CELLOSIGN_PROCESS_TABLE, 'unknown'],
  ] as const)('%# a status the machine does not document is unranked', (table, status) => {
    expect(rankOf(table, status, true)).toBe(UNRANKED);
  });

  it('has no process machine for octapush', () => {
    expect(() => processTable('octapush')).toThrow(/no process state machine/);
  });
});
