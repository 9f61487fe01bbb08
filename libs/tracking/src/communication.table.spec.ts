import { COMMUNICATION_STATUSES, type CommunicationStatus } from '@hookbus/contracts';
import { applyCommunicationEvent } from './communication-state';
import {
  COMMUNICATION_TABLES,
  CREDAS_EMAIL_TABLE,
  CREDAS_SMS_TABLE,
  OCTAPUSH_SMS_TABLE,
  OCTAPUSH_VIBER_TABLE,
  communicationTable,
} from './communication.table';
import { UNRANKED, rankOf, rowOf, type StatusTable } from './status-table';
import { communicationEvent } from './testing/tracking-events';

type Expected = [status: CommunicationStatus, final: boolean, action: string | null];

/** The tables as the docs state them (docs/state-machines.md), in ascending rank. */
const EXPECTED: Array<[StatusTable<CommunicationStatus>, Expected[]]> = [
  [CREDAS_SMS_TABLE, [['not_sent', false, null], ['sent', false, null], ['delivered', true, null], ['bounced', true, 'invite_bounced']]],
  [
    CREDAS_EMAIL_TABLE,
    [['not_sent', false, null], ['sent', false, null], ['delivered', false, null], ['bounced', true, 'invite_bounced'], ['opened', true, null]],
  ],
  [
    OCTAPUSH_SMS_TABLE,
    [
      ['scheduled', false, null], ['pending', false, null], ['submitted', false, null], ['sent', false, null], ['unknown', true, null],
      ['canceled', true, null], ['expired', true, null], ['not_delivered', true, 'not_delivered'], ['rejected', true, 'rejected'],
      ['failed', true, 'insufficient_balance'], ['error', true, 'send_error'], ['blacklisted', true, 'blacklisted'],
      ['delivered', true, null], ['unsubscribed', true, 'unsubscribed'],
    ],
  ],
  [
    OCTAPUSH_VIBER_TABLE,
    [
      ['scheduled', false, null], ['pending', false, null], ['submitted', false, null], ['sent', false, null], ['unknown', true, null],
      ['canceled', true, null], ['expired', true, null], ['not_delivered', true, 'not_delivered'], ['rejected', true, 'rejected'],
      ['failed', true, 'insufficient_balance'], ['error', true, 'send_error'], ['blacklisted', true, 'blacklisted'],
      ['fallback_sms', true, null], ['delivered', true, null], ['seen', true, null], ['clicked', true, null],
      ['unsubscribed', true, 'unsubscribed'], ['blocked', true, 'sender_blocked'],
    ],
  ],
];

const [PROVIDER_OF, CHANNEL_OF] = [
  (t: StatusTable<string>) => t.machine.split('/')[0] as 'credas' | 'octapush',
  (t: StatusTable<string>) => t.machine.split('/')[1] as 'sms' | 'email' | 'viber',
];

describe.each(EXPECTED)('communication table %#', (table, expected) => {
  it(`${table.machine} lists exactly the documented statuses in rank order`, () => {
    const listed = [...table.rows].sort((a, b) => a.rank - b.rank).map((r) => [r.status, r.final, r.action ?? null]);
    expect(listed).toEqual(expected);
  });

  it(`${table.machine} ranks are distinct and above the unranked`, () => {
    const ranks = table.rows.map((r) => r.rank);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(Math.min(...ranks)).toBeGreaterThan(UNRANKED);
  });

  it(`${table.machine} is the machine chosen for its provider and channel`, () => {
    expect(communicationTable(PROVIDER_OF(table), CHANNEL_OF(table))).toBe(table);
  });

  // Every ordered pair of statuses: the second is announced iff it ranks higher; the state shows the higher one.
  const pairs = expected.flatMap(([a, finalA]) => expected.map(([b, finalB]) => [a, finalA, b, finalB] as const)).filter(([a, , b]) => a !== b);
  it.each(pairs)(`${table.machine}: %s then %s`, (a, finalA, b, finalB) => {
    const communicationId = `${table.machine}:x`;
    const base = { communicationId, provider: PROVIDER_OF(table), channel: CHANNEL_OF(table) };
    const first = applyCommunicationEvent(null, communicationEvent('e1', '2025-01-01T00:00:00Z', { ...base, status: a, final: finalA }));
    const second = applyCommunicationEvent(first.state, communicationEvent('e2', '2025-01-01T00:00:01Z', { ...base, status: b, final: finalB }));
    const climbs = rankOf(table, b, finalB) > rankOf(table, a, finalA);
    expect(second.state.status).toBe(climbs ? b : a);
    expect(second.transitions).toHaveLength(climbs ? 1 : 0);
  });
});

describe('communication tables', () => {
  it('list only canonical statuses', () => {
    for (const table of COMMUNICATION_TABLES) for (const row of table.rows) expect(COMMUNICATION_STATUSES).toContain(row.status);
  });

  it('rank an undocumented Octapush status (unknown, not final) below everything', () => {
    expect(rowOf(OCTAPUSH_SMS_TABLE, 'unknown', false)).toBeUndefined();
    expect(rankOf(OCTAPUSH_SMS_TABLE, 'unknown', false)).toBe(UNRANKED);
    expect(rankOf(OCTAPUSH_SMS_TABLE, 'unknown', true)).toBeGreaterThan(rankOf(OCTAPUSH_SMS_TABLE, 'sent', false));
  });

  it.each([
    [CREDAS_SMS_TABLE, 'opened'],
    [CREDAS_SMS_TABLE, 'unknown'],
    [OCTAPUSH_SMS_TABLE, 'seen'],
    [OCTAPUSH_SMS_TABLE, 'fallback_sms'],
    [OCTAPUSH_SMS_TABLE, 'blocked'],
  ] as const)('%# a status the machine does not document is unranked', (table, status) => {
    expect(rankOf(table, status, true)).toBe(UNRANKED);
  });

  it.each([
    ['credas', 'viber'],
    ['octapush', 'email'],
    ['authvia', 'sms'],
    ['cellosign', 'email'],
  ] as const)('has no machine for %s/%s', (provider, channel) => {
    expect(() => communicationTable(provider, channel)).toThrow(/no communication state machine/);
  });
});
