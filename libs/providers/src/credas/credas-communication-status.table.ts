import type { CommunicationStatus } from '@hookbus/contracts';

/** One row of a Credas invite-delivery table: the canonical status, whether it is final, and why. */
export interface CredasCommunicationStatusRow {
  readonly code: number;
  readonly text: string;
  readonly status: CommunicationStatus;
  readonly final: boolean;
  readonly why: string;
}

/**
 * smsStatus of the process actor webhook (docs/providers/credas.md#sms-status). An SMS reports nothing after
 * delivery, so delivered is final.
 */
export const CREDAS_SMS_STATUSES: readonly CredasCommunicationStatusRow[] = [
  { code: 0, text: 'Not sent', status: 'not_sent', final: false, why: 'the invite may still be sent' },
  { code: 1, text: 'Sent', status: 'sent', final: false, why: 'delivered or bounced follows' },
  { code: 2, text: 'Delivered', status: 'delivered', final: true, why: 'Credas reports nothing after an SMS is delivered' },
  {
    code: 5,
    text: 'Bounced',
    status: 'bounced',
    final: true,
    why: 'delivery failed: the contact details are wrong and the invite must be reissued (a new attempt, not a later state)',
  },
];

/**
 * emailStatus of the process actor webhook (docs/providers/credas.md#email-status). Credas sends "opened" only where
 * the mail provider lets it ("best effort"), so delivered is not final: an opened may still follow.
 */
export const CREDAS_EMAIL_STATUSES: readonly CredasCommunicationStatusRow[] = [
  { code: 0, text: 'Not sent', status: 'not_sent', final: false, why: 'the invite may still be sent' },
  { code: 1, text: 'Sent', status: 'sent', final: false, why: 'delivered, opened or bounced follows' },
  { code: 2, text: 'Delivered', status: 'delivered', final: false, why: 'an opened may still follow (best effort)' },
  { code: 3, text: 'Opened', status: 'opened', final: true, why: 'the last state Credas reports for an email' },
  {
    code: 5,
    text: 'Bounced',
    status: 'bounced',
    final: true,
    why: 'delivery failed: the contact details are wrong and the invite must be reissued (a new attempt, not a later state)',
  },
];

export type CredasChannel = 'sms' | 'email';

export const CREDAS_COMMUNICATION_STATUSES: Readonly<Record<CredasChannel, readonly CredasCommunicationStatusRow[]>> = {
  sms: CREDAS_SMS_STATUSES,
  email: CREDAS_EMAIL_STATUSES,
};

export interface CredasCommunicationStatus {
  readonly status: CommunicationStatus;
  readonly final: boolean;
}

/** Unknown codes are not errors: they map to `unknown`, not final, and the code is kept by the caller. */
export function credasCommunicationStatus(channel: CredasChannel, code: number): CredasCommunicationStatus {
  const row = CREDAS_COMMUNICATION_STATUSES[channel].find((r) => r.code === code);
  return row ? { status: row.status, final: row.final } : { status: 'unknown', final: false };
}
