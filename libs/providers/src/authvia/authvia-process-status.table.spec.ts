import { PROCESS_STATUSES } from '@hookbus/contracts';
import { AUTHVIA_PROCESS_STATUSES, authviaProcessStatus } from './authvia-process-status.table';

describe('Authvia business process status table', () => {
  it.each([
    ['scheduled', null, 'scheduled', false],
    ['in-progress', null, 'in_progress', false],
    ['resolved', null, 'completed', true],
    ['failed', null, 'failed', true],
    ['failed', 'expired', 'expired', true],
    ['failed', 'Expired', 'expired', true],
    ['failed', 'declined', 'failed', true],
    ['resolved', 'expired', 'completed', true],
    ['In-Progress', null, 'in_progress', false],
    ['in_progress', null, 'in_progress', false],
    [' SCHEDULED ', null, 'scheduled', false],
  ] as const)('%j with statusReason %j → %s (final %s)', (status, reason, canonical, final) => {
    expect(authviaProcessStatus(status, reason)).toEqual({ status: canonical, final });
  });

  it.each(AUTHVIA_PROCESS_STATUSES)('$status maps back to exactly $code', ({ code, status }) => {
    expect(PROCESS_STATUSES).toContain(status);
    expect(AUTHVIA_PROCESS_STATUSES.filter((r) => r.status === status).map((r) => r.code)).toEqual([code]);
  });

  it.each([['paused'], ['canceled'], [''], [null]])('%j is unknown and not final', (status) => {
    expect(authviaProcessStatus(status, null)).toEqual({ status: 'unknown', final: false });
  });
});
