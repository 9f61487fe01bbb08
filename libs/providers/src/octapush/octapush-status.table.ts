import type { CommunicationStatus, ProviderStatus } from '@hookbus/contracts';

export interface OctapushStatusEntry {
  /** The status as Octapush writes it in its documentation (docs/providers/octapush.md#statuses). */
  readonly name: string;
  readonly status: CommunicationStatus;
  readonly final: boolean;
}

/**
 * Every status of the Octapush status table (docs/providers/octapush.md#statuses) with its final flag. Octapush's own
 * "Unknown" is a final status it documents ("took another status from the ones we have available"), so it maps to
 * canonical `unknown` with final true; a name that is not in this table is something else (see resolveOctapushStatus).
 */
export const OCTAPUSH_STATUSES: readonly OctapushStatusEntry[] = [
  { name: 'Sent', status: 'sent', final: false },
  { name: 'Pending', status: 'pending', final: false },
  { name: 'Submitted', status: 'submitted', final: false },
  { name: 'Scheduled', status: 'scheduled', final: false },
  { name: 'Fallbacksms', status: 'fallback_sms', final: false },
  { name: 'Delivered', status: 'delivered', final: true },
  { name: 'Not Delivered', status: 'not_delivered', final: true },
  { name: 'Unknown', status: 'unknown', final: true },
  { name: 'Error', status: 'error', final: true },
  { name: 'Expired', status: 'expired', final: true },
  { name: 'Failed', status: 'failed', final: true },
  { name: 'Rejected', status: 'rejected', final: true },
  { name: 'Canceled', status: 'canceled', final: true },
  { name: 'Seen', status: 'seen', final: true },
  { name: 'Clicked', status: 'clicked', final: true },
  { name: 'Blacklisted', status: 'blacklisted', final: true },
  { name: 'Unsubscribed', status: 'unsubscribed', final: true },
  { name: 'Blocked', status: 'blocked', final: true },
];

/**
 * Users type status names into URLs and JSON templates themselves (docs/providers/octapush.md#callbacks), so
 * "Not Delivered", "not_delivered", "NotDelivered" and "not-delivered" must all meet: compare letters and digits only,
 * case-folded.
 */
export function compactStatusName(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_COMPACT_NAME: ReadonlyMap<string, OctapushStatusEntry> = new Map(
  OCTAPUSH_STATUSES.map((entry) => [compactStatusName(entry.name), entry]),
);

export interface ResolvedOctapushStatus {
  readonly status: CommunicationStatus;
  readonly final: boolean;
  /** code: the value as received; text: Octapush's documented name, null when the value is not in the table. */
  readonly providerStatus: ProviderStatus;
}

/** providerStatus.code is a copy: a status token of any size stays whole in `original` only. */
export const MAX_STATUS_CODE_LENGTH = 200;

/** An unrecognised status is not an error: it becomes `unknown`, not final, with the provider's value kept. */
export function resolveOctapushStatus(raw: string): ResolvedOctapushStatus {
  const code = raw.length > MAX_STATUS_CODE_LENGTH ? raw.slice(0, MAX_STATUS_CODE_LENGTH) : raw;
  const entry = BY_COMPACT_NAME.get(compactStatusName(code));
  if (!entry) return { status: 'unknown', final: false, providerStatus: { code, text: null } };
  return { status: entry.status, final: entry.final, providerStatus: { code, text: entry.name } };
}
