import type { CommunicationChannel, CommunicationStatus, ProviderName } from '@hookbus/contracts';
import { InvalidRecordError } from '@hookbus/contracts';
import type { StatusRow, StatusTable } from './status-table';

type Row = StatusRow<CommunicationStatus>;

/**
 * Credas invitation delivery, from the process actor webhook (docs/providers/credas.md#process-actor-webhook):
 * 0 Not sent, 1 Sent, 2 Delivered, 3 Opened (email only, best effort), 5 Bounced. Finality agrees with the Credas
 * normalizer (libs/providers/src/credas/credas-communication-status.table.ts): an SMS reports nothing after delivery;
 * an email may still be opened. Bounced outranks delivered because a bounce can be reported after the receiving server
 * first accepted the message; opened outranks bounced because an open proves the invite arrived. A reissued invite is a
 * new attempt (a new communication), not a later state of this one.
 */
const CREDAS_BOUNCED: Row = { status: 'bounced', rank: 40, final: true, action: 'invite_bounced' };

export const CREDAS_SMS_TABLE: StatusTable<CommunicationStatus> = {
  machine: 'credas/sms',
  rows: [
    { status: 'not_sent', rank: 10, final: false },
    { status: 'sent', rank: 20, final: false },
    { status: 'delivered', rank: 30, final: true },
    CREDAS_BOUNCED,
  ],
};

export const CREDAS_EMAIL_TABLE: StatusTable<CommunicationStatus> = {
  machine: 'credas/email',
  rows: [
    { status: 'not_sent', rank: 10, final: false },
    { status: 'sent', rank: 20, final: false },
    { status: 'delivered', rank: 30, final: false },
    CREDAS_BOUNCED,
    { status: 'opened', rank: 50, final: true },
  ],
};

/**
 * Octapush (docs/providers/octapush.md#statuses). Non-final statuses progress towards the network; the provider's own
 * `Unknown` is final but says nothing, so it ranks above the non-final ones and below every informative final status; a
 * name Octapush never documented also normalizes to `unknown`, but not final, and that one stays unranked. Failures
 * rank below delivered: if both arrive, the positive evidence wins. Delivered, seen and clicked may follow one another
 * although each is final; unsubscribed and blocked are the recipient's reactions to a delivered message, so they rank
 * highest.
 */
const OCTAPUSH_PROGRESS: readonly Row[] = [
  { status: 'scheduled', rank: 10, final: false },
  { status: 'pending', rank: 20, final: false },
  { status: 'submitted', rank: 30, final: false },
  { status: 'sent', rank: 40, final: false },
  { status: 'unknown', rank: 50, final: true, onlyWhenFinal: true },
];
const OCTAPUSH_FAILURES: readonly Row[] = [
  { status: 'canceled', rank: 60, final: true },
  { status: 'expired', rank: 61, final: true },
  { status: 'not_delivered', rank: 62, final: true, action: 'not_delivered' },
  { status: 'rejected', rank: 63, final: true, action: 'rejected' },
  // Octapush's `Failed` means the account ran out of balance.
  { status: 'failed', rank: 64, final: true, action: 'insufficient_balance' },
  { status: 'error', rank: 65, final: true, action: 'send_error' },
  { status: 'blacklisted', rank: 66, final: true, action: 'blacklisted' },
];
const OCTAPUSH_DELIVERED: Row = { status: 'delivered', rank: 80, final: true };
const OCTAPUSH_UNSUBSCRIBED: Row = { status: 'unsubscribed', rank: 110, final: true, action: 'unsubscribed' };

export const OCTAPUSH_SMS_TABLE: StatusTable<CommunicationStatus> = {
  machine: 'octapush/sms',
  rows: [...OCTAPUSH_PROGRESS, ...OCTAPUSH_FAILURES, OCTAPUSH_DELIVERED, OCTAPUSH_UNSUBSCRIBED],
};

/**
 * Viber adds seen, clicked and blocked (Viber only), and `fallback_sms`: Viber failed and the message was resent as
 * SMS. Octapush calls that non-final, but for the Viber communication it is a hand-off: the outcome lives on the SMS
 * communication named by `continuedAs`, so this machine treats it as final. It outranks the failures (a failure
 * followed by a fallback needs no action) and stays below delivered.
 */
export const OCTAPUSH_VIBER_TABLE: StatusTable<CommunicationStatus> = {
  machine: 'octapush/viber',
  rows: [
    ...OCTAPUSH_PROGRESS,
    ...OCTAPUSH_FAILURES,
    { status: 'fallback_sms', rank: 70, final: true },
    OCTAPUSH_DELIVERED,
    { status: 'seen', rank: 90, final: true },
    { status: 'clicked', rank: 100, final: true },
    OCTAPUSH_UNSUBSCRIBED,
    { status: 'blocked', rank: 120, final: true, action: 'sender_blocked' },
  ],
};

export const COMMUNICATION_TABLES: readonly StatusTable<CommunicationStatus>[] = [
  CREDAS_SMS_TABLE,
  CREDAS_EMAIL_TABLE,
  OCTAPUSH_SMS_TABLE,
  OCTAPUSH_VIBER_TABLE,
];

export function communicationTable(provider: ProviderName, channel: CommunicationChannel): StatusTable<CommunicationStatus> {
  const table = COMMUNICATION_TABLES.find((t) => t.machine === `${provider}/${channel}`);
  if (!table) throw new InvalidRecordError('tracking.no_machine', `no communication state machine for ${provider}/${channel}`);
  return table;
}
