import fc from 'fast-check';
import { mergeProjections, withoutExpired } from './projection-batch';
import type { CommunicationRow, ConsoleAuditRow, EventRow, ReceiptRow, TransitionRow } from './projection-rows';

function communication(seq: number, updatedAtMs: number, offset: number): CommunicationRow {
  return {
    communicationId: 'octapush:sms:1', provider: 'octapush', channel: 'sms', status: `s${seq}`, providerStatus: '{}', final: false,
    processKey: null, processId: null, entityId: null, continuedAs: null, statusEventId: null, seq,
    updatedAt: new Date(updatedAtMs).toISOString(), updatedAtMs, state: '{}', stateOffset: String(offset),
  };
}

describe('mergeProjections', () => {
  it('keeps the state the SQL guard would keep, whatever the order within the batch', () => {
    const rows = fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.nat(1000)), { minLength: 1 }).map((ts) => ts.map(([s, u, o]) => communication(s, u, o)));
    fc.assert(
      fc.property(rows, (list) => {
        const max = [...list].sort((a, b) => a.seq - b.seq || a.updatedAtMs - b.updatedAtMs || Number(a.stateOffset) - Number(b.stateOffset)).at(-1)!;
        const merged = mergeProjections(list.map((c) => ({ communications: [c] }))).communications;
        expect(merged).toHaveLength(1);
        expect([merged[0]!.seq, merged[0]!.updatedAtMs, merged[0]!.stateOffset]).toEqual([max.seq, max.updatedAtMs, max.stateOffset]);
      }),
    );
  });

  it('writes each event once per batch', () => {
    const event = { eventId: 'e1', receivedAtMs: 1 } as EventRow;
    expect(mergeProjections([{ events: [event] }, { events: [{ ...event }] }]).events).toHaveLength(1);
  });

  it('writes each console action once per batch, the first delivery of it (one row per actionId in the statement)', () => {
    const audit = { actionId: 'a1', detail: 'first' } as ConsoleAuditRow;
    expect(mergeProjections([{ consoleAudit: [audit] }, { consoleAudit: [{ ...audit, detail: 'second' }] }, { consoleAudit: [{ ...audit, actionId: 'a2' }] }]).consoleAudit.map((r) => [r.actionId, r.detail])).toEqual([
      ['a1', 'first'],
      ['a2', 'first'],
    ]);
  });

  it('keeps an overdue notice beside the transition whose seq it carries, and each of them once', () => {
    const transition = { kind: 'process', key: 'authvia:bp-1', seq: 3, entry: 'transition', eventId: 't3' } as TransitionRow;
    const notice = { ...transition, entry: 'overdue', eventId: 'overdue-1' } as TransitionRow;
    const merged = mergeProjections([{ transitions: [transition] }, { transitions: [notice] }, { transitions: [{ ...notice }, { ...transition }] }]).transitions;
    expect(merged.map((t) => [t.entry, t.eventId])).toEqual([['transition', 't3'], ['overdue', 'overdue-1']]);
  });
});

describe('withoutExpired', () => {
  it('drops receipts and events whose month ended before the horizon', () => {
    const old = Date.UTC(2020, 0, 15);
    const recent = Date.UTC(2025, 0, 15);
    const batch = mergeProjections([
      { receipts: [{ receiptId: 'a', partitionMs: old } as ReceiptRow, { receiptId: 'b', partitionMs: recent } as ReceiptRow] },
      { events: [{ eventId: 'x', receivedAtMs: old } as EventRow] },
    ]);
    const kept = withoutExpired(batch, { receipts: Date.UTC(2024, 0, 1), events: Date.UTC(2024, 0, 1) });
    expect(kept.receipts.map((r) => r.receiptId)).toEqual(['b']);
    expect(kept.events).toEqual([]);
  });
});
