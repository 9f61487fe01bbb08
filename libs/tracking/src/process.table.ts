import type { ProcessStatus, ProviderName } from '@hookbus/contracts';
import { InvalidRecordError } from '@hookbus/contracts';
import type { StatusTable } from './status-table';

/**
 * Credas sends one process webhook, status 2 Complete (docs/providers/credas.md#process-status). `created` is the
 * tracker's own placeholder for a process it learned about from an actor webhook before Credas reported it (see
 * learnProcessEntity): it ranks below everything, even an unrecognised status, so learning an entity never changes a
 * status that was announced.
 */
export const CREDAS_PROCESS_TABLE: StatusTable<ProcessStatus> = {
  machine: 'credas/process',
  rows: [
    { status: 'created', rank: 0, final: false },
    { status: 'completed', rank: 100, final: true },
  ],
};

/**
 * Authvia business processes (docs/providers/authvia.md#process-status): scheduled → in-progress, never back; resolved
 * (completed) and failed are terminal; failed with statusReason `expired` is `expired`. Updates are ordered by
 * `version` first (see event-order.ts); the rank only orders updates of one version, which Authvia should never send
 * twice with different statuses.
 */
export const AUTHVIA_PROCESS_TABLE: StatusTable<ProcessStatus> = {
  machine: 'authvia/process',
  rows: [
    { status: 'scheduled', rank: 10, final: false },
    { status: 'in_progress', rank: 20, final: false },
    { status: 'failed', rank: 30, final: true, action: 'process_failed' },
    { status: 'expired', rank: 31, final: true, action: 'process_expired' },
    { status: 'completed', rank: 32, final: true },
  ],
};

/**
 * Cellosign sessions (docs/providers/cellosign.md#event-types): WHEF_SESSION_CREATED → WHEF_CLIENT_LOGGED_IN /
 * WHEF_CLIENT_FORM_LOADED (both in_progress) → WHEF_CLIENT_FORM_SUBMITTED → WHP_ARCHIVE (completed). A session expires
 * or is deleted only while nobody has submitted it in a way that matters: once submitted, the archive is the outcome,
 * so expired and deleted rank below submitted. Deleted outranks expired (a sender cleaning up an expired session).
 */
export const CELLOSIGN_PROCESS_TABLE: StatusTable<ProcessStatus> = {
  machine: 'cellosign/process',
  rows: [
    { status: 'created', rank: 10, final: false },
    { status: 'in_progress', rank: 20, final: false },
    { status: 'expired', rank: 25, final: true, action: 'process_expired' },
    { status: 'deleted', rank: 26, final: true },
    { status: 'submitted', rank: 30, final: false },
    { status: 'completed', rank: 40, final: true },
  ],
};

export const PROCESS_TABLES: readonly StatusTable<ProcessStatus>[] = [CREDAS_PROCESS_TABLE, AUTHVIA_PROCESS_TABLE, CELLOSIGN_PROCESS_TABLE];

export function processTable(provider: ProviderName): StatusTable<ProcessStatus> {
  const table = PROCESS_TABLES.find((t) => t.machine === `${provider}/process`);
  if (!table) throw new InvalidRecordError('tracking.no_machine', `no process state machine for ${provider}`);
  return table;
}
