import type { ProcessStatus } from '@hookbus/contracts';

export interface CredasProcessStatusRow {
  readonly code: number;
  readonly text: string;
  readonly status: ProcessStatus;
  readonly final: boolean;
}

/** The process webhook's Status: only 2 (Complete) is sent today (docs/providers/credas.md#process-status). */
export const CREDAS_PROCESS_STATUSES: readonly CredasProcessStatusRow[] = [
  { code: 2, text: 'Complete', status: 'completed', final: true },
];

export function credasProcessStatus(code: number): { status: ProcessStatus; final: boolean } {
  const row = CREDAS_PROCESS_STATUSES.find((r) => r.code === code);
  return row ? { status: row.status, final: row.final } : { status: 'unknown', final: false };
}
