import { HookbusError, InvalidRecordError, TransientError } from '@hookbus/contracts';

/**
 * Decides what a Postgres failure means for the batch runner. Class 22 (data exception) and 23 (integrity
 * constraint) are about a row: the runner isolates the record at fault and dead-letters it. Anything else —
 * refused or cut connections, timeouts, shutdowns, lock and serialization failures, and bugs alike — is retried
 * with backoff: the partition waits and lag grows, nothing is skipped.
 * Only the SQLSTATE goes into the message: Postgres' own text can quote the offending value (a phone number).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export function classifyPostgresError(error: unknown): HookbusError {
  if (error instanceof HookbusError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  if (sqlState && (sqlState.startsWith('22') || sqlState.startsWith('23'))) {
    return new InvalidRecordError('projector.row_refused', `Postgres refused a row (SQLSTATE ${sqlState})`, { cause: error });
  }
  const what = sqlState ? `SQLSTATE ${sqlState}` : typeof code === 'string' ? code : error instanceof Error ? error.message.slice(0, 120) : 'unknown';
  return new TransientError('projector.postgres_unavailable', `Postgres unavailable (${what})`, { cause: error });
}
