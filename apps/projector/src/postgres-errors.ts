import { HookbusError, InvalidRecordError, TransientError, UnclassifiedError } from '@hookbus/contracts';
import { failureClass } from '@hookbus/kafka';

/**
 * Decides what a Postgres failure means for the batch runner, by what the error is (libs/kafka failure-class.ts):
 * - about a row (SQLSTATE classes 22 data exception, 23 integrity constraint, 54 program limit such as an index
 *   row too large, 42 a value that makes a statement invalid): the runner isolates the record and dead-letters it;
 * - Postgres unavailable (refused or cut connections, timeouts, class 08, 53, 57P01-03, 57014, and 40001/40P01
 *   where another transaction won): the partition waits with backoff, lag grows, nothing is skipped;
 * - anything else (a bug, an unlisted SQLSTATE): retried a bounded number of times for the record, then
 *   dead-lettered — never retried forever.
 * Only the SQLSTATE goes into the message: Postgres' own text can quote the offending value (a phone number).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export function classifyPostgresError(error: unknown): HookbusError {
  if (error instanceof HookbusError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  const what = sqlState ? `SQLSTATE ${sqlState}` : typeof code === 'string' ? code.slice(0, 40) : error instanceof Error ? error.name : 'unknown';
  switch (failureClass(error)) {
    case 'record':
      return new InvalidRecordError('projector.row_refused', `Postgres refused a row (${what})`, { cause: error });
    case 'unavailable':
      return new TransientError('projector.postgres_unavailable', `Postgres unavailable (${what})`, { cause: error });
    default:
      return new UnclassifiedError('projector.unexpected_failure', `unexpected failure while writing (${what})`, { cause: error });
  }
}
