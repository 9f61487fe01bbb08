import fc from 'fast-check';
import { COMMUNICATION_STATUSES, InvalidRecordError, type CloudEvent, type CommunicationStatus, type CommunicationStatusEvent } from '@hookbus/contracts';
import { applyCommunicationEvent, type CommunicationState } from './communication-state';
import { COMMUNICATION_TABLES } from './communication.table';
import { rankOf, type StatusTable } from './status-table';
import { communicationEvent, replay, withoutSeq } from './testing/tracking-events';

const SMS = 'credas:p-1:11014:sms';
const EMAIL = 'credas:p-1:11014:email';
const credas = (id: string, time: string, status: CommunicationStatusEvent['data']['status'], extra = {}) =>
  communicationEvent(id, time, { communicationId: EMAIL, provider: 'credas', channel: 'email', status, ...extra });

function applyAll(events: CloudEvent[]): { state: CommunicationState | null; transitions: unknown[] } {
  let state: CommunicationState | null = null;
  const transitions: unknown[] = [];
  for (const event of events) {
    const result = applyCommunicationEvent(state, event);
    state = result.state;
    transitions.push(...result.transitions);
  }
  return { state, transitions };
}

describe('applyCommunicationEvent', () => {
  it('creates the state from the first event and announces it as seq 1 from null', () => {
    const { state, transitions } = applyCommunicationEvent(null, credas('e1', '2025-01-01T10:00:00Z', 'sent', { entityId: 'ent-1', processKey: 'credas:p-1' }));
    expect(state).toMatchObject({ key: EMAIL, status: 'sent', final: false, entityId: 'ent-1', processKey: 'credas:p-1', seq: 1, statusEventId: 'e1' });
    expect(transitions).toEqual([
      { kind: 'communication', key: EMAIL, provider: 'credas', from: null, to: 'sent', final: false, requiresAction: false, reason: null, seq: 1, causedBy: 'e1' },
    ]);
  });

  it('announces each step of not_sent → sent → delivered → opened', () => {
    const { state, transitions } = applyAll([
      credas('e0', '2025-01-01T10:00:00Z', 'not_sent'),
      credas('e1', '2025-01-01T10:01:00Z', 'sent'),
      credas('e2', '2025-01-01T10:02:00Z', 'delivered'),
      credas('e3', '2025-01-01T10:03:00Z', 'opened', { final: true }),
    ]);
    expect(transitions.map((t) => (t as { to: string }).to)).toEqual(['not_sent', 'sent', 'delivered', 'opened']);
    expect(state).toMatchObject({ status: 'opened', final: true, seq: 4 });
  });

  it('ignores a late sent after delivered (no transition, state unchanged but for updatedAt)', () => {
    const delivered = applyAll([credas('e2', '2025-01-01T10:02:00Z', 'delivered')]).state;
    const late = applyCommunicationEvent(delivered, credas('e1', '2025-01-01T10:05:00Z', 'sent'));
    expect(late.transitions).toEqual([]);
    expect(late.state).toEqual({ ...delivered, updatedAt: '2025-01-01T10:05:00Z' });
  });

  it('flags a Credas bounce: the contact details must be fixed and the invite reissued', () => {
    const { transitions } = applyAll([credas('e1', '2025-01-01T10:00:00Z', 'sent'), credas('e2', '2025-01-01T10:01:00Z', 'bounced', { final: true })]);
    expect(transitions[1]).toMatchObject({ from: 'sent', to: 'bounced', final: true, requiresAction: true, reason: 'invite_bounced', seq: 2, causedBy: 'e2' });
  });

  it('produces nothing for an exact duplicate', () => {
    const event = credas('e1', '2025-01-01T10:00:00Z', 'sent');
    const once = applyCommunicationEvent(null, event);
    const twice = applyCommunicationEvent(once.state, event);
    expect(twice).toEqual({ state: once.state, transitions: [] });
  });

  it('lets a Viber fallback name the SMS that continues it, and takes the hand-off as final', () => {
    const viber = 'octapush:viber:306900000000';
    const base = { communicationId: viber, provider: 'octapush', channel: 'viber' } as const;
    const { state, transitions } = applyAll([
      communicationEvent('v1', '2025-01-01T10:00:00Z', { ...base, status: 'sent' }),
      communicationEvent('v2', '2025-01-01T10:01:00Z', { ...base, status: 'expired', final: true }),
      communicationEvent('v3', '2025-01-01T10:02:00Z', { ...base, status: 'fallback_sms', continuedAs: 'octapush:sms:306900000000' }),
    ]);
    expect(state).toMatchObject({ status: 'fallback_sms', final: true, continuedAs: 'octapush:sms:306900000000' });
    expect(transitions).toHaveLength(3);
  });

  it('lets seen and clicked follow delivered although each is final', () => {
    const base = { communicationId: 'octapush:viber:k', provider: 'octapush', channel: 'viber', final: true } as const;
    const { transitions } = applyAll([
      communicationEvent('v1', '2025-01-01T10:00:00Z', { ...base, status: 'delivered' }),
      communicationEvent('v2', '2025-01-01T10:00:05Z', { ...base, status: 'seen' }),
      communicationEvent('v3', '2025-01-01T10:00:09Z', { ...base, status: 'clicked' }),
    ]);
    expect(transitions.map((t) => (t as { to: string }).to)).toEqual(['delivered', 'seen', 'clicked']);
  });

  it('keeps known progress over an unknown status, and shows unknown only while nothing is known', () => {
    const first = applyCommunicationEvent(null, credas('u1', '2025-01-01T10:00:00Z', 'unknown'));
    expect(first.state.status).toBe('unknown');
    const sent = applyCommunicationEvent(first.state, credas('e1', '2025-01-01T09:00:00Z', 'sent'));
    expect(sent.transitions).toMatchObject([{ from: 'unknown', to: 'sent', seq: 2 }]);
    const again = applyCommunicationEvent(sent.state, credas('u2', '2025-01-01T11:00:00Z', 'unknown'));
    expect(again.state.status).toBe('sent');
    expect(again.transitions).toEqual([]);
  });

  it('breaks a tie of equal rank by time, then by event id, never by arrival', () => {
    const a = credas('aaa', '2025-01-01T10:00:00.000001Z', 'sent', { providerStatus: { code: 1, text: 'a' } });
    const b = credas('bbb', '2025-01-01T10:00:00.000002Z', 'sent', { providerStatus: { code: 1, text: 'b' } });
    expect(applyAll([a, b]).state?.statusEventId).toBe('bbb');
    expect(applyAll([b, a]).state?.statusEventId).toBe('bbb');
    const c = credas('ccc', '2025-01-01T10:00:00.000002+00:00', 'sent');
    expect(applyAll([b, c]).state?.statusEventId).toBe('ccc');
    expect(applyAll([c, b]).state?.statusEventId).toBe('ccc');
  });

  it.each([
    ['another communication', { communicationId: SMS, channel: 'sms' }],
    ['another channel', { channel: 'sms' }],
    ['another provider', { provider: 'octapush' }],
  ])('refuses an event for %s', (_name, change) => {
    const { state } = applyCommunicationEvent(null, credas('e1', '2025-01-01T10:00:00Z', 'sent'));
    const foreign = credas('e2', '2025-01-01T10:00:00Z', 'delivered', change);
    expect(() => applyCommunicationEvent(state, foreign)).toThrow(InvalidRecordError);
  });

  it.each<[string, (e: CommunicationStatusEvent) => unknown]>([
    ['a wrong type', (e) => ({ ...e, type: 'hookbus.process.status' })],
    ['no id', (e) => ({ ...e, id: '' })],
    ['an unparseable time', (e) => ({ ...e, time: 'yesterday' })],
    ['a non-canonical status', (e) => ({ ...e, data: { ...e.data, status: 'Delivered' } })],
    ['no final flag', (e) => ({ ...e, data: { ...e.data, final: 'yes' } })],
    ['no provider status', (e) => ({ ...e, data: { ...e.data, providerStatus: null } })],
    ['a machine that does not exist', (e) => ({ ...e, data: { ...e.data, channel: 'viber' } })],
  ])('refuses an event with %s', (_name, spoil) => {
    const event = spoil(credas('e1', '2025-01-01T10:00:00Z', 'sent')) as CloudEvent;
    expect(() => applyCommunicationEvent(null, event)).toThrow(InvalidRecordError);
  });
});

// ---- properties ---------------------------------------------------------------------------------------------

const TIMES = [
  '2025-01-01T10:00:00Z',
  '2025-01-01T10:00:00.000Z',
  '2025-01-01T10:00:00+00:00',
  '2025-01-01T12:00:00+02:00',
  '2025-01-01T10:00:00.000001Z',
  '2025-01-01T10:00:01Z',
  '2025-01-01T10:00:01.5',
  '2025-01-02T00:00:00Z',
];

function eventsFor(table: StatusTable<CommunicationStatus>): fc.Arbitrary<CommunicationStatusEvent[]> {
  const [provider, channel] = table.machine.split('/') as ['credas' | 'octapush', 'sms' | 'email' | 'viber'];
  const communicationId = `${provider}:${channel}:key`;
  const status = fc.oneof(fc.constantFrom(...table.rows.map((r) => r.status)), fc.constantFrom(...COMMUNICATION_STATUSES));
  const id = fc.stringMatching(/^[a-f0-9]{1,4}$/);
  const maybe = (values: string[]) => fc.option(fc.constantFrom(...values), { nil: null });
  const event = fc.record({
    id,
    time: fc.constantFrom(...TIMES),
    status,
    final: fc.boolean(),
    code: fc.constantFrom(0, 1, 'x', null),
    entityId: maybe(['ent-1', 'ent-2']),
    processKey: maybe(['credas:p-1']),
    continuedAs: maybe(['octapush:sms:a', 'octapush:sms:b']),
  });
  return fc
    .uniqueArray(event, { selector: (e) => e.id, minLength: 1, maxLength: 10 })
    .map((rows) =>
      rows.map((r) =>
        communicationEvent(r.id, r.time, {
          communicationId,
          provider,
          channel,
          status: r.status,
          final: r.final,
          providerStatus: { code: r.code, text: null },
          entityId: r.entityId,
          processKey: r.processKey,
          continuedAs: r.continuedAs,
        }),
      ),
    );
}

/** A random order of 0..n-1 in which every index appears at least once, some more than once. */
function schedule(n: number): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: n - 1 }), { maxLength: n }).chain((dups) => {
    const all = [...Array(n).keys(), ...dups];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

const apply = (state: CommunicationState | null, event: CommunicationStatusEvent) => applyCommunicationEvent(state, event);

describe.each(COMMUNICATION_TABLES.map((t) => [t.machine, t] as const))('%s merge', (_machine, table) => {
  const scenario = eventsFor(table).chain((events) => fc.tuple(fc.constant(events), schedule(events.length), schedule(events.length)));

  it('converges: any permutation with any duplicates yields the same state (but seq)', () => {
    fc.assert(
      fc.property(scenario, ([events, orderA, orderB]) => {
        const a = replay(events, orderA, apply).at(-1)!.after;
        const b = replay(events, orderB, apply).at(-1)!.after;
        expect(withoutSeq(a)).toEqual(withoutSeq(b));
      }),
    );
  });

  it('re-applying any event already merged changes nothing and announces nothing', () => {
    fc.assert(
      fc.property(scenario, ([events, order]) => {
        const seen = new Set<number>();
        for (const step of replay(events, order, apply)) {
          if (seen.has(step.index)) {
            expect(step.after).toEqual(step.before);
            expect(step.transitions).toEqual([]);
          }
          seen.add(step.index);
        }
      }),
    );
  });

  it('announces exactly the status changes, numbered from 1, and never moves down the table', () => {
    fc.assert(
      fc.property(scenario, ([events, order]) => {
        for (const { before, after, transitions, index } of replay(events, order, apply)) {
          const changed = before?.status !== after!.status;
          expect(transitions).toHaveLength(changed ? 1 : 0);
          expect(after!.seq).toBe((before?.seq ?? 0) + (changed ? 1 : 0));
          if (changed) expect(transitions[0]).toMatchObject({ from: before?.status ?? null, to: after!.status, final: after!.final, seq: after!.seq, causedBy: events[index].id });
          if (before) expect(rankOf(table, after!.status, after!.final)).toBeGreaterThanOrEqual(rankOf(table, before.status, before.final));
        }
      }),
    );
  });

  it('shows the highest-ranked status among the events', () => {
    fc.assert(
      fc.property(scenario, ([events, order]) => {
        const state = replay(events, order, apply).at(-1)!.after!;
        const best = Math.max(...events.map((e) => rankOf(table, e.data.status, finalOf(e))));
        expect(rankOf(table, state.status, state.final)).toBe(best);
      }),
    );
  });

  function finalOf(e: CommunicationStatusEvent): boolean {
    return table.rows.find((r) => r.status === e.data.status && (r.onlyWhenFinal === undefined || r.onlyWhenFinal === e.data.final))?.final ?? e.data.final;
  }
});
