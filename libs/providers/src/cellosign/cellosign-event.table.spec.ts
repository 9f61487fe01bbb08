import { PROCESS_STATUSES } from '@hookbus/contracts';
import { CELLOSIGN_EVENT_TYPES, resolveCellosignEventType } from './cellosign-event.table';

describe('Cellosign event types (docs/providers/cellosign.md#event-types)', () => {
  it.each([
    ['WHEF_SESSION_CREATED', 'created', false],
    ['WHEF_CLIENT_LOGGED_IN', 'in_progress', false],
    ['WHEF_CLIENT_FORM_LOADED', 'in_progress', false],
    ['WHEF_CLIENT_FORM_SUBMITTED', 'submitted', false],
    ['WHP_ARCHIVE', 'completed', true],
    ['WHEF_SESSION_EXPIRED', 'expired', true],
    ['WHEF_SESSION_DELETED', 'deleted', true],
  ] as const)('%s → %s (final %s)', (type, status, final) => {
    expect(resolveCellosignEventType(type)).toEqual({ status, final });
    expect(resolveCellosignEventType(` ${type.toLowerCase()} `)).toEqual({ status, final });
  });

  it('lists exactly the documented types, each on a canonical process status', () => {
    expect(CELLOSIGN_EVENT_TYPES.map((e) => e.type)).toHaveLength(7);
    for (const entry of CELLOSIGN_EVENT_TYPES) expect(PROCESS_STATUSES).toContain(entry.status);
  });

  // The other way round: each canonical status reached, and only final where the process cannot go on.
  it.each([
    ['created', ['WHEF_SESSION_CREATED'], false],
    ['in_progress', ['WHEF_CLIENT_LOGGED_IN', 'WHEF_CLIENT_FORM_LOADED'], false],
    ['submitted', ['WHEF_CLIENT_FORM_SUBMITTED'], false],
    ['completed', ['WHP_ARCHIVE'], true],
    ['expired', ['WHEF_SESSION_EXPIRED'], true],
    ['deleted', ['WHEF_SESSION_DELETED'], true],
  ] as const)('%s comes from %j', (status, types, final) => {
    const entries = CELLOSIGN_EVENT_TYPES.filter((e) => e.status === status);
    expect(entries.map((e) => e.type)).toEqual(types);
    expect(entries.every((e) => e.final === final)).toBe(true);
  });

  it.each(['WHEF_SESSION_REOPENED', 'SESSION_CREATED', '', 'whef'])('maps the unknown type %j to unknown, not final', (type) => {
    expect(resolveCellosignEventType(type)).toEqual({ status: 'unknown', final: false });
  });
});
