import { COMMUNICATION_STATUSES } from '@hookbus/contracts';
import { OCTAPUSH_STATUSES, compactStatusName, resolveOctapushStatus } from './octapush-status.table';

describe('Octapush status table (docs/providers/octapush.md#statuses)', () => {
  it.each([
    ['Sent', 'sent', false],
    ['Pending', 'pending', false],
    ['Submitted', 'submitted', false],
    ['Scheduled', 'scheduled', false],
    ['Fallbacksms', 'fallback_sms', false],
    ['Delivered', 'delivered', true],
    ['Not Delivered', 'not_delivered', true],
    ['Unknown', 'unknown', true],
    ['Error', 'error', true],
    ['Expired', 'expired', true],
    ['Failed', 'failed', true],
    ['Rejected', 'rejected', true],
    ['Canceled', 'canceled', true],
    ['Seen', 'seen', true],
    ['Clicked', 'clicked', true],
    ['Blacklisted', 'blacklisted', true],
    ['Unsubscribed', 'unsubscribed', true],
    ['Blocked', 'blocked', true],
  ] as const)('%s → %s (final %s)', (name, status, final) => {
    expect(resolveOctapushStatus(name)).toEqual({ status, final, providerStatus: { code: name, text: name } });
  });

  it('covers exactly the documented statuses, each mapped to a canonical status', () => {
    expect(OCTAPUSH_STATUSES).toHaveLength(18);
    for (const entry of OCTAPUSH_STATUSES) expect(COMMUNICATION_STATUSES).toContain(entry.status);
  });

  // The other way round: every canonical status the table produces, written as hookbus writes it, resolves back.
  it.each(OCTAPUSH_STATUSES.map((e) => [e.status, e.name, e.final] as const))('canonical %s resolves back to %s', (canonical, name, final) => {
    const resolved = resolveOctapushStatus(canonical);
    expect(resolved.status).toBe(canonical);
    expect(resolved.final).toBe(final);
    expect(resolved.providerStatus).toEqual({ code: canonical, text: name });
  });

  it.each(['Not Delivered', 'not_delivered', 'NotDelivered', 'NOT DELIVERED', 'notdelivered', 'not-delivered', ' Not  Delivered '])(
    'matches %j loosely as not_delivered',
    (raw) => {
      expect(resolveOctapushStatus(raw)).toMatchObject({ status: 'not_delivered', final: true, providerStatus: { code: raw, text: 'Not Delivered' } });
    },
  );

  it.each(['FallbackSMS', 'fallback_sms', 'Fallback SMS', 'FALLBACKSMS'])('matches %j as fallback_sms', (raw) => {
    expect(resolveOctapushStatus(raw)).toMatchObject({ status: 'fallback_sms', final: false });
  });

  it.each(['Undelivered', 'queued', '42', '', 'délivré'])('maps the unrecognised %j to unknown, not final, value kept', (raw) => {
    expect(resolveOctapushStatus(raw)).toEqual({ status: 'unknown', final: false, providerStatus: { code: raw, text: null } });
  });

  it('keeps at most the first 200 characters of an oversized status', () => {
    expect(resolveOctapushStatus('x'.repeat(10_000))).toEqual({ status: 'unknown', final: false, providerStatus: { code: 'x'.repeat(200), text: null } });
  });

  it('compacts names to lower-case letters and digits', () => {
    expect(compactStatusName('Not_Delivered-2 ')).toBe('notdelivered2');
  });
});
