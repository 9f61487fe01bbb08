import fc from 'fast-check';
import { overdueIndexBound, overdueIndexKey, overdueNotice, overdueNoticeId, overdueProcesses, isOverdue, DEFAULT_OVERDUE_GRACE_MS } from './overdue';
import { applyProcessEvent, type ProcessState } from './process-state';
import { processEvent } from './testing/tracking-events';

const EXPIRES = '2025-02-15T10:00:00Z';
const inProgress: ProcessState = applyProcessEvent(
  null,
  processEvent('a1', '2025-01-01T10:00:00Z', { processKey: 'authvia:bp-1', provider: 'authvia', status: 'in_progress', version: 2, expiresAt: EXPIRES }),
).state;
const at = (iso: string) => new Date(iso);

describe('overdue processes', () => {
  it('waits 30 minutes past the expiry by default, because Authvia expires up to 20 minutes late', () => {
    expect(DEFAULT_OVERDUE_GRACE_MS).toBe(30 * 60 * 1000);
  });

  it.each([
    ['before the expiry', '2025-02-15T09:59:59Z', false],
    ['within the grace period', '2025-02-15T10:20:00Z', false],
    ['exactly at the end of the grace period', '2025-02-15T10:30:00Z', false],
    ['after the grace period', '2025-02-15T10:30:00.001Z', true],
  ])('%s: overdue is %s', (_name, now, expected) => {
    expect(isOverdue(inProgress, at(now))).toBe(expected);
  });

  it('honours a custom grace period', () => {
    expect(isOverdue(inProgress, at('2025-02-15T10:00:01Z'), 0)).toBe(true);
    expect(isOverdue(inProgress, at('2025-02-15T10:59:00Z'), 60 * 60 * 1000)).toBe(false);
  });

  it('never calls a final process or one without an expiry overdue', () => {
    const completed = { ...inProgress, status: 'completed', final: true } as const;
    const noExpiry = { ...inProgress, expiresAt: null };
    expect(overdueNotice(completed, at('2026-01-01T00:00:00Z'))).toBeNull();
    expect(overdueNotice(noExpiry, at('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('builds a transition-shaped notice that changes nothing and needs action', () => {
    expect(overdueNotice(inProgress, at('2025-02-15T11:00:00Z'))).toEqual({
      kind: 'process',
      key: 'authvia:bp-1',
      provider: 'authvia',
      from: 'in_progress',
      to: 'in_progress',
      final: false,
      requiresAction: true,
      reason: 'overdue',
      seq: 1,
      causedBy: overdueNoticeId('authvia:bp-1', EXPIRES),
      expiresAt: EXPIRES,
      overdueSince: '2025-02-15T10:30:00.000Z',
    });
  });

  it('gives the same notice id at every scan and a new one for a new expiry', () => {
    const first = overdueNotice(inProgress, at('2025-02-15T11:00:00Z'));
    const later = overdueNotice(inProgress, at('2025-02-16T11:00:00Z'));
    expect(later?.causedBy).toBe(first?.causedBy);
    expect(overdueNoticeId('authvia:bp-1', '2025-03-01T00:00:00Z')).not.toBe(first?.causedBy);
  });

  it('lists the overdue ones among many states', () => {
    const fresh = { ...inProgress, key: 'authvia:bp-2', expiresAt: '2025-03-01T00:00:00Z' };
    expect(overdueProcesses([inProgress, fresh], at('2025-02-16T00:00:00Z')).map((n) => n.key)).toEqual(['authvia:bp-1']);
  });

  it('the due index finds every overdue process: overdue implies a key at or below the bound', () => {
    const states = fc.record({
      final: fc.boolean(),
      expiresAt: fc.option(fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString())),
    });
    fc.assert(
      fc.property(states, fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-06-01T00:00:00Z'), noInvalidDate: true }), fc.nat(7_200_000), (overrides, now, grace) => {
        const state = { ...inProgress, ...overrides } as ProcessState;
        const key = overdueIndexKey(state);
        if (isOverdue(state, now, grace)) expect(key !== null && key <= overdueIndexBound(now, grace)).toBe(true);
        if (key === null) expect(overdueNotice(state, now, grace)).toBeNull();
      }),
    );
  });
});
