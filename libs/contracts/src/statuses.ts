/** Canonical statuses (contract section 4). Providers' own codes map onto these in libs/providers/<provider>. */
export const COMMUNICATION_STATUSES = [
  'not_sent', 'scheduled', 'pending', 'submitted', 'sent', 'fallback_sms', 'delivered', 'opened', 'seen', 'clicked',
  'not_delivered', 'bounced', 'expired', 'rejected', 'failed', 'error', 'canceled', 'blacklisted', 'unsubscribed',
  'blocked', 'unknown',
] as const;
export type CommunicationStatus = (typeof COMMUNICATION_STATUSES)[number];

export const PROCESS_STATUSES = [
  'created', 'scheduled', 'in_progress', 'submitted', 'completed', 'failed', 'expired', 'deleted', 'unknown',
] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

/** The provider's own status, kept beside the canonical one. */
export interface ProviderStatus {
  readonly code: string | number | null;
  readonly text?: string | null;
}
