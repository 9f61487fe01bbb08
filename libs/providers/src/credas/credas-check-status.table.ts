import { coerceInteger } from '../support/payload-support';

/**
 * Credas active-check statuses (GET entities/{entityId}/active-checks, docs/providers/credas.md#active-checks).
 * The orchestrator reads these when it fetches results.
 */
export const CREDAS_CHECK_STATUS_NAMES = [
  'pass', 'requested', 'action_required', 'fail', 'not_performed', 'refer', 'under_review', 'complete', 'awaiting_data',
  'unknown',
] as const;
export type CredasCheckStatusName = (typeof CREDAS_CHECK_STATUS_NAMES)[number];

export interface CredasCheckStatusRow {
  readonly code: number;
  readonly text: string;
  readonly status: Exclude<CredasCheckStatusName, 'unknown'>;
  /** The check has an outcome; false while Credas or the applicant still has work to do. */
  readonly final: boolean;
}

export const CREDAS_CHECK_STATUSES: readonly CredasCheckStatusRow[] = [
  { code: 1, text: 'Pass', status: 'pass', final: true },
  { code: 2, text: 'Requested', status: 'requested', final: false },
  { code: 3, text: 'ActionRequired', status: 'action_required', final: false },
  { code: 4, text: 'Fail', status: 'fail', final: true },
  { code: 5, text: 'NotPerformed', status: 'not_performed', final: true },
  // Refer hands the check to a person at Credas: an outcome follows.
  { code: 6, text: 'Refer', status: 'refer', final: false },
  { code: 7, text: 'UnderReview', status: 'under_review', final: false },
  { code: 8, text: 'Complete', status: 'complete', final: true },
  { code: 9, text: 'AwaitingData', status: 'awaiting_data', final: false },
];

export interface CredasCheckStatus {
  readonly status: CredasCheckStatusName;
  readonly final: boolean;
  /** The provider's code as sent (a number, a numeric string read as a number, or whatever else arrived). */
  readonly code: string | number | null;
  readonly text: string | null;
}

/** Maps a check status code; unknown codes (and non-numeric values) are kept as `unknown`, never thrown. */
export function credasCheckStatus(code: unknown): CredasCheckStatus {
  const value = coerceInteger(code);
  const row = CREDAS_CHECK_STATUSES.find((r) => r.code === value);
  if (row) return { status: row.status, final: row.final, code: row.code, text: row.text };
  const kept = typeof value === 'number' || typeof value === 'string' ? value : null;
  return { status: 'unknown', final: false, code: kept, text: null };
}

/** Check type codes; only these two are documented (others are kept by their number). */
export const CREDAS_CHECK_TYPES: Readonly<Record<number, string>> = {
  11: 'right_to_work',
  12: 'right_to_rent',
};

/** The check type's name, or null for an undocumented code. */
export function credasCheckType(code: unknown): string | null {
  const value = coerceInteger(code);
  return typeof value === 'number' ? (CREDAS_CHECK_TYPES[value] ?? null) : null;
}

/** UpdateType of the status-update (result) webhook (docs/providers/credas.md#update-types). */
export const CREDAS_UPDATE_TYPES: Readonly<Record<number, string>> = {
  1: 'name_check',
  2: 'share_code',
  3: 'liveness',
  4: 'id_document',
  5: 'non_biometric_document',
  6: 'datacheck',
  7: 'right_to_rent',
  8: 'right_to_work',
  9: 'safe_harbour',
};

export function credasUpdateTypeName(code: number | null): string | null {
  return code === null ? null : (CREDAS_UPDATE_TYPES[code] ?? null);
}

