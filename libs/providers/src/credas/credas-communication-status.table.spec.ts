import { COMMUNICATION_STATUSES } from '@hookbus/contracts';
import {
  CREDAS_EMAIL_STATUSES,
  CREDAS_SMS_STATUSES,
  credasCommunicationStatus,
  type CredasChannel,
} from './credas-communication-status.table';

describe('Credas communication status tables', () => {
  const rows = [
    ...CREDAS_SMS_STATUSES.map((row) => ({ channel: 'sms' as CredasChannel, ...row })),
    ...CREDAS_EMAIL_STATUSES.map((row) => ({ channel: 'email' as CredasChannel, ...row })),
  ];

  it.each([
    ['sms', 0, 'not_sent', false],
    ['sms', 1, 'sent', false],
    ['sms', 2, 'delivered', true],
    ['sms', 5, 'bounced', true],
    ['email', 0, 'not_sent', false],
    ['email', 1, 'sent', false],
    ['email', 2, 'delivered', false],
    ['email', 3, 'opened', true],
    ['email', 5, 'bounced', true],
  ] as const)('%s code %i → %s (final %s)', (channel, code, status, final) => {
    expect(credasCommunicationStatus(channel, code)).toEqual({ status, final });
  });

  it.each(rows)('$channel $status maps back to exactly code $code', ({ channel, code, status }) => {
    const table = channel === 'sms' ? CREDAS_SMS_STATUSES : CREDAS_EMAIL_STATUSES;
    expect(table.filter((r) => r.status === status).map((r) => r.code)).toEqual([code]);
  });

  it.each(rows)('$channel $code: canonical status exists and the row says why it is (not) final', ({ status, why }) => {
    expect(COMMUNICATION_STATUSES).toContain(status);
    expect(why.length).toBeGreaterThan(10);
  });

  it.each([
    ['sms', 3],
    ['sms', 4],
    ['email', 4],
    ['email', 99],
    ['sms', -1],
  ] as const)('%s code %i is unknown and not final', (channel, code) => {
    expect(credasCommunicationStatus(channel, code)).toEqual({ status: 'unknown', final: false });
  });
});
