import fc from 'fast-check';
import { retentionRisk, type RetentionStatus } from './retention-risk';

describe('retentionRisk', () => {
  const cases: Array<{ name: string; committed: number | null; start: number; end: number; retention: RetentionStatus; headroom: number | null }> = [
    { name: 'never committed', committed: null, start: 100, end: 200, retention: 'OK', headroom: null },
    { name: 'caught up at the log start', committed: 200, start: 200, end: 200, retention: 'OK', headroom: 1 },
    { name: 'caught up on a trimmed log', committed: 200, start: 195, end: 200, retention: 'OK', headroom: 1 },
    { name: 'lagging on a log retention never trimmed', committed: 0, start: 0, end: 500, retention: 'OK', headroom: 0 },
    { name: 'lagging, far from the log start', committed: 150, start: 100, end: 200, retention: 'OK', headroom: 0.5 },
    { name: 'lagging, exactly at the ratio', committed: 110, start: 100, end: 200, retention: 'OK', headroom: 0.1 },
    { name: 'lagging, just inside the ratio', committed: 109, start: 100, end: 200, retention: 'AT_RISK', headroom: 0.09 },
    { name: 'lagging, at the log start', committed: 100, start: 100, end: 200, retention: 'AT_RISK', headroom: 0 },
    { name: 'records already deleted unconsumed', committed: 90, start: 100, end: 200, retention: 'LOST', headroom: 0 },
  ];

  it.each(cases)('$name → $retention', ({ committed, start, end, retention, headroom }) => {
    expect(retentionRisk(committed, start, end)).toEqual({ retention, headroom });
  });

  it('honours the ratio', () => {
    expect(retentionRisk(140, 100, 200, 0.5).retention).toBe('AT_RISK');
    expect(retentionRisk(140, 100, 200, 0.3).retention).toBe('OK');
  });

  const logArb = fc
    .record({ start: fc.integer({ min: 0, max: 1e6 }), size: fc.integer({ min: 0, max: 1e6 }), at: fc.double({ min: -0.5, max: 1.5, noNaN: true }) })
    .map(({ start, size, at }) => ({ start, end: start + size, committed: Math.max(0, start + Math.round(at * size)) }));

  it('keeps the headroom within [0, 1] and is never at risk without lag', () => {
    fc.assert(
      fc.property(logArb, ({ committed, start, end }) => {
        const { retention, headroom } = retentionRisk(committed, start, end);
        expect(headroom).toBeGreaterThanOrEqual(0);
        expect(headroom).toBeLessThanOrEqual(1);
        if (committed >= end) expect(retention).toBe('OK');
      }),
    );
  });

  it('says LOST exactly when the committed offset is below the log start and records wait', () => {
    fc.assert(
      fc.property(logArb, ({ committed, start, end }) => {
        expect(retentionRisk(committed, start, end).retention === 'LOST').toBe(committed < start && committed < end);
      }),
    );
  });
});
