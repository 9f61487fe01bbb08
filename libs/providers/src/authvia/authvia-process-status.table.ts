import type { ProcessStatus } from '@hookbus/contracts';

export interface AuthviaProcessStatusRow {
  /** Authvia's status as documented (docs/providers/authvia.md#process-status). */
  readonly code: string;
  readonly status: ProcessStatus;
  readonly final: boolean;
}

/**
 * `scheduled` → `in-progress`, never back; `resolved` and `failed` are terminal
 * (docs/providers/authvia.md#process-status).
 */
export const AUTHVIA_PROCESS_STATUSES: readonly AuthviaProcessStatusRow[] = [
  { code: 'scheduled', status: 'scheduled', final: false },
  { code: 'in-progress', status: 'in_progress', final: false },
  { code: 'resolved', status: 'completed', final: true },
  { code: 'failed', status: 'failed', final: true },
];

/** On expiry Authvia sets status `failed` with statusReason `expired` (contract §4: canonical `expired`). */
export const AUTHVIA_EXPIRED_REASON = 'expired';

/** `In-Progress`, `in_progress` and `IN PROGRESS` all read as `in-progress`: the spelling on the wire is unverified. */
export function foldAuthviaStatus(value: string): string {
  return value.trim().toLowerCase().replace(/[_\s]+/g, '-');
}

/** Unknown statuses are not errors: `unknown`, not final, with the provider's text kept by the caller. */
export function authviaProcessStatus(status: string | null, statusReason: string | null): { status: ProcessStatus; final: boolean } {
  if (status === null) return { status: 'unknown', final: false };
  const row = AUTHVIA_PROCESS_STATUSES.find((r) => r.code === foldAuthviaStatus(status));
  if (!row) return { status: 'unknown', final: false };
  if (row.code === 'failed' && statusReason !== null && foldAuthviaStatus(statusReason) === AUTHVIA_EXPIRED_REASON) {
    return { status: 'expired', final: true };
  }
  return { status: row.status, final: row.final };
}
