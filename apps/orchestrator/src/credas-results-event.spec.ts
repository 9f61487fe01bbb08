import { createHash } from 'node:crypto';
import { validateRecord } from '@hookbus/contracts';
import { credasResultsEvent, resultsRecords, withCanonicalStatus } from './credas-results-event';
import { RETRIEVALS_TOPIC } from './retry-schedule';

describe('withCanonicalStatus', () => {
  it.each<[unknown, unknown, string, boolean, string | null]>([
    [1, 11, 'pass', true, 'right_to_work'],
    [4, 12, 'fail', true, 'right_to_rent'],
    [6, 4, 'refer', false, null],
    [9, 6, 'awaiting_data', false, null],
    ['8', 11, 'complete', true, 'right_to_work'],
    [42, 11, 'unknown', false, 'right_to_work'],
  ])('status %p type %p → %s (final %p), type %p', (status, type, name, final, typeName) => {
    const check = withCanonicalStatus({ entityId: 'e', status, type, name: 'x' });
    expect(check).toMatchObject({ status, type, statusName: name, statusFinal: final, typeName });
  });
});

describe('credasResultsEvent', () => {
  const pdf = Buffer.from('%PDF-1.4 test');
  const base = {
    processKey: 'credas:p-1',
    processId: 'p-1',
    entityId: 'e-1',
    entitySource: 'details' as const,
    details: { id: 'p-1' },
    activeChecks: [{ status: 1, type: 11 }],
    pdf,
    retrievedAt: new Date('2025-01-21T14:05:00Z'),
    trigger: { kind: 'completed' as const, eventId: 'ev-1', receiptId: 'r-1' },
  };

  it('carries the report inline with its digest and size', () => {
    const event = credasResultsEvent(base);
    expect(event.data.report).toEqual({
      contentType: 'application/pdf',
      encoding: 'base64',
      pdf: pdf.toString('base64'),
      sha256: createHash('sha256').update(pdf).digest('hex'),
      bytes: pdf.length,
    });
    expect(event).toMatchObject({ type: 'hookbus.credas.results', subject: 'credas:p-1', time: '2025-01-21T14:05:00.000Z', receiptid: 'r-1' });
  });

  it('has the same id for the same trigger and a new one for another', () => {
    expect(credasResultsEvent(base).id).toBe(credasResultsEvent({ ...base, retrievedAt: new Date() }).id);
    expect(credasResultsEvent(base).id).not.toBe(credasResultsEvent({ ...base, trigger: { ...base.trigger, kind: 'refetch', eventId: 'cmd-1' } }).id);
  });

  it('writes a retrieval memo the contract accepts, with and without the checks it reflects', () => {
    for (const checks of [[], ['check-a', 'check-b']]) {
      const { memo, memoValue } = resultsRecords(credasResultsEvent(base), RETRIEVALS_TOPIC, checks);
      expect(memoValue.checkEventIds ?? []).toEqual(checks);
      const check = validateRecord({ topic: memo.topic, key: Buffer.from(String(memo.key)), value: Buffer.from(String(memo.value)), headers: {} });
      expect(check.violations).toEqual([]);
    }
  });
});
