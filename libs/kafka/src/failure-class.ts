import { HookbusError, UnclassifiedError } from '@hookbus/contracts';
import { RECORD_REFUSALS } from './produce-refusals';

/**
 * What a failure says about what to do next — decided by what the error is, never by default:
 * - `unavailable`: a dependency (broker, database, API) cannot answer now; retrying with backoff is the only right
 *   thing, for as long as it takes (the partition waits, lag grows, nothing is skipped);
 * - `record`: the record itself can never succeed (refused data, too large for Kafka, unparseable): dead-letter it
 *   at once, with the reason;
 * - `unknown`: nothing says which (a bug, an unlisted SQLSTATE): retried a bounded number of times for the same
 *   record, then dead-lettered (MAX_RECORD_ATTEMPTS in batch-consumer.ts).
 */
export type FailureClass = 'unavailable' | 'record' | 'unknown';

/**
 * Kafka answers that are about the cluster or its configuration, not about the record, although kafkajs marks them
 * not retriable: an operator fixes them (ACLs, a missing topic) and the partition must wait for that, not lose data.
 */
const KAFKA_UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NETWORK_EXCEPTION',
  'KAFKA_STORAGE_ERROR',
]);

/** kafkajs' own errors for a broker it cannot reach or that does not answer in time. */
const KAFKAJS_UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

/** Socket and DNS failures (Node system errors): the other side is not there now. */
const NODE_UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Postgres SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html). About the row: 22 data
 * exception (NUL in text 22021, bad jsonb 22P05, value too long 22001, ...), 23 integrity constraint, 54 program
 * limit exceeded (an index row above the btree limit, 54000), 42 syntax error or access rule (a value that makes a
 * statement invalid). About the server: 08 connection exception, 53 insufficient resources, 57P01-03 shutdown or
 * cannot connect now, 57014 canceled (statement timeout), 40001/40P01 serialization failure or deadlock (another
 * transaction won: the same statement succeeds when retried).
 */
export function postgresFailureClass(sqlState: string): FailureClass {
  // A deployment fault wears a record fault's class: a revoked grant, a migration not run. Every
  // record would fail the same way (and its dead letter too): wait for an operator instead of emptying the backlog.
  if (DEPLOYMENT_FAULTS.has(sqlState)) return 'unavailable';
  const klass = sqlState.slice(0, 2);
  if (klass === '22' || klass === '23' || klass === '54' || klass === '42') return 'record';
  if (klass === '08' || klass === '53') return 'unavailable';
  if (sqlState === '57P01' || sqlState === '57P02' || sqlState === '57P03' || sqlState === '57014') return 'unavailable';
  if (sqlState === '40001' || sqlState === '40P01') return 'unavailable';
  return 'unknown';
}

/**
 * SQLSTATEs in the "record" classes that say the database is not as the projector expects, whatever the row:
 * 42501 insufficient privilege, 42P01 undefined table, 42703 undefined column, 42883 undefined function,
 * 42704 undefined object, 3F000 invalid schema name (not class 42, listed for the reader). Not 23514 (check
 * violation): Postgres also answers it for a row no partition accepts, which here is a row too old for the
 * read model's retention (a replay of records whose partitions were dropped) — a property of the record.
 */
const DEPLOYMENT_FAULTS: ReadonlySet<string> = new Set(['42501', '42P01', '42703', '42883', '42704', '3F000']);

/** pg's own errors for a connection it lost or could not make (they carry no SQLSTATE). */
const PG_CLIENT_UNAVAILABLE = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection timeout/i, /Client has encountered a connection error/i, /cannot use a pool after calling end/i];

const SQLSTATE = /^[0-9A-Z]{5}$/;

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** Classifies any error a stage can meet. Wrapped errors (kafkajs' retries-exceeded, `cause`) are judged by their cause. */
export function failureClass(error: unknown, depth = 0): FailureClass {
  if (error instanceof UnclassifiedError) return 'unknown';
  if (error instanceof HookbusError) return error.retriable ? 'unavailable' : 'record';
  if (typeof error !== 'object' || error === null || depth > 5) return 'unknown';
  const type = field(error, 'type');
  if (typeof type === 'string') {
    // Kafka refuses the record itself: it will refuse it again (the same list the gateway's spool drain uses).
    if (RECORD_REFUSALS.has(type)) return 'record';
    if (KAFKA_UNAVAILABLE_ERRORS.has(type)) return 'unavailable';
  }
  const name = field(error, 'name');
  if (typeof name === 'string' && KAFKAJS_UNAVAILABLE_NAMES.has(name)) return 'unavailable';
  const code = field(error, 'code');
  if (typeof code === 'string') {
    if (NODE_UNAVAILABLE_CODES.has(code)) return 'unavailable';
    if (SQLSTATE.test(code)) return postgresFailureClass(code);
  }
  // kafkajs wraps the last failure of its own retrier (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError).
  const cause = field(error, 'originalError') ?? field(error, 'cause');
  if (cause !== undefined && cause !== error) {
    const judged = failureClass(cause, depth + 1);
    if (judged !== 'unknown') return judged;
  }
  // A kafkajs protocol error it would retry itself (leadership moved, not enough replicas, ...).
  if (field(error, 'retriable') === true && typeof name === 'string' && name.startsWith('KafkaJS')) return 'unavailable';
  const message = field(error, 'message');
  if (typeof message === 'string' && PG_CLIENT_UNAVAILABLE.some((pattern) => pattern.test(message))) return 'unavailable';
  return 'unknown';
}
