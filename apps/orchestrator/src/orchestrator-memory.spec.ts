import type { Kafka } from 'kafkajs';
import type { Logger } from '@hookbus/platform';
import type { RetrievalMemo } from './credas-results-event';
import { APPLIED_CHECKS_KEPT, OrchestratorMemory, recentIds } from './orchestrator-memory';

describe('recentIds', () => {
  it.each<[string[], string[], number, string[]]>([
    [[], ['a'], 3, ['a']],
    [['a', 'b'], ['c'], 3, ['a', 'b', 'c']],
    [['a', 'b', 'c'], ['d'], 3, ['b', 'c', 'd']],
    [['a', 'b'], ['a'], 3, ['b', 'a']],
    [['a'], ['b', 'b'], 3, ['a', 'b']],
    [['a'], [], 3, ['a']],
  ])('%p + %p (keep %p) → %p', (previous, added, limit, expected) => {
    expect(recentIds(previous, added, limit)).toEqual(expected);
  });

  it('keeps the newest APPLIED_CHECKS_KEPT by default', () => {
    const ids = Array.from({ length: APPLIED_CHECKS_KEPT + 5 }, (_, i) => `c${i}`);
    expect(recentIds([], ids)).toEqual(ids.slice(5));
  });
});

describe('OrchestratorMemory.checkApplied', () => {
  const memo = (triggerEventId: string, checkEventIds?: string[]): RetrievalMemo => ({
    processKey: 'credas:p-1',
    processId: 'p-1',
    entityId: 'e-1',
    eventId: `results-${triggerEventId}`,
    triggerEventId,
    sha256: '0'.repeat(64),
    retrievedAt: '2025-01-21T14:05:00.000Z',
    ...(checkEventIds ? { checkEventIds } : {}),
  });
  const memory = () => new OrchestratorMemory({} as Kafka, {} as Logger);

  it('knows the trigger of the last retrieval', () => {
    const m = memory();
    m.remember(memo('completion-1'));
    expect(m.checkApplied('credas:p-1', 'completion-1')).toBe(true);
    expect(m.checkApplied('credas:p-1', 'check-a')).toBe(false);
  });

  it('still knows a check webhook applied before a later one (a replay re-delivers A after B)', () => {
    const m = memory();
    m.remember(memo('completion-1'));
    m.remember(memo('check-a', ['check-a']));
    m.remember(memo('check-b', ['check-b']));
    expect(m.checkApplied('credas:p-1', 'check-a')).toBe(true);
    expect(m.checkApplied('credas:p-1', 'check-b')).toBe(true);
    expect(m.checkApplied('credas:p-2', 'check-a')).toBe(false);
  });

  it('still knows every applied check after a restart: the last memo carries them (a replay refreshes nothing twice)', () => {
    const before = memory();
    before.remember(memo('completion-1'));
    before.remember(memo('check-a', before.checksAppliedWith('credas:p-1', ['check-a'])));
    const last = memo('check-b', before.checksAppliedWith('credas:p-1', ['check-b']));
    before.remember(last);
    expect(last.checkEventIds).toEqual(['check-a', 'check-b']);
    // The compacted topic keeps only the last memo; a new instance reads it back.
    const after = memory();
    after.remember(JSON.parse(JSON.stringify(last)) as RetrievalMemo);
    expect(after.checkApplied('credas:p-1', 'check-a')).toBe(true);
    expect(after.checkApplied('credas:p-1', 'check-b')).toBe(true);
    expect(after.checkApplied('credas:p-1', 'check-c')).toBe(false);
  });

  it('knows a check webhook merged into another refresh of the same batch', () => {
    const m = memory();
    m.remember(memo('check-a', ['check-a', 'check-b']));
    expect(m.checkApplied('credas:p-1', 'check-b')).toBe(true);
    expect(m.retrievedProcessesOf('e-1')).toEqual(['credas:p-1']);
  });
});
