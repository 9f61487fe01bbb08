import { HookbusError, InvalidRecordError, TransientError, UnclassifiedError } from '@hookbus/contracts';
import { failureClass, postgresFailureClass, type FailureClass } from './failure-class';

const kafkaProtocol = (type: string, retriable: boolean) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
const kafkajs = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
const pg = (code: string) => Object.assign(new Error(`pg says ${code}`), { code, severity: 'ERROR' });
const node = (code: string) => Object.assign(new Error(`${code} 127.0.0.1:5432`), { code, syscall: 'connect' });

describe('failureClass: what a failure says about retrying', () => {
  it.each<[string, unknown, FailureClass]>([
    // Our own errors say it themselves.
    ['InvalidRecordError', new InvalidRecordError('tracker.bad', 'bad'), 'record'],
    ['TransientError', new TransientError('tracker.down', 'down'), 'unavailable'],
    ['HookbusError retriable', new HookbusError('tracker.x', 'x', true), 'unavailable'],
    ['UnclassifiedError', new UnclassifiedError('tracker.odd', 'odd'), 'unknown'],
    // Kafka refuses the record itself.
    ['MESSAGE_TOO_LARGE', kafkaProtocol('MESSAGE_TOO_LARGE', false), 'record'],
    ['RECORD_LIST_TOO_LARGE', kafkaProtocol('RECORD_LIST_TOO_LARGE', false), 'record'],
    ['INVALID_RECORD', kafkaProtocol('INVALID_RECORD', false), 'record'],
    ['CORRUPT_MESSAGE', kafkaProtocol('CORRUPT_MESSAGE', true), 'record'],
    // Kafka is not there, or not ready.
    ['NOT_LEADER_FOR_PARTITION', kafkaProtocol('NOT_LEADER_FOR_PARTITION', true), 'unavailable'],
    ['LEADER_NOT_AVAILABLE', kafkaProtocol('LEADER_NOT_AVAILABLE', true), 'unavailable'],
    ['NOT_ENOUGH_REPLICAS', kafkaProtocol('NOT_ENOUGH_REPLICAS', true), 'unavailable'],
    ['REQUEST_TIMED_OUT', kafkaProtocol('REQUEST_TIMED_OUT', true), 'unavailable'],
    ['TOPIC_AUTHORIZATION_FAILED (operator must act; never drop data)', kafkaProtocol('TOPIC_AUTHORIZATION_FAILED', false), 'unavailable'],
    ['UNKNOWN_TOPIC_OR_PARTITION', kafkaProtocol('UNKNOWN_TOPIC_OR_PARTITION', true), 'unavailable'],
    ['another retriable protocol error', kafkaProtocol('OFFSET_NOT_AVAILABLE', true), 'unavailable'],
    ['KafkaJSConnectionError', kafkajs('KafkaJSConnectionError'), 'unavailable'],
    ['KafkaJSConnectionClosedError', kafkajs('KafkaJSConnectionClosedError'), 'unavailable'],
    ['KafkaJSRequestTimeoutError', kafkajs('KafkaJSRequestTimeoutError'), 'unavailable'],
    ['KafkaJSBrokerNotFound', kafkajs('KafkaJSBrokerNotFound'), 'unavailable'],
    // What a consumer's crash carries when the broker is down: kafkajs gives up (restart: false) on finding the coordinator.
    ['coordinator not found, wrapped non-retriable', kafkajs('KafkaJSNonRetriableError', { retriable: false, cause: kafkajs('KafkaJSGroupCoordinatorNotFound', { retriable: false }) }), 'unavailable'],
    ['retries exceeded after connection errors', kafkajs('KafkaJSNumberOfRetriesExceeded', { retriable: false, originalError: kafkajs('KafkaJSConnectionError') }), 'unavailable'],
    ['retries exceeded on a record Kafka refuses', kafkajs('KafkaJSNumberOfRetriesExceeded', { retriable: false, originalError: kafkaProtocol('MESSAGE_TOO_LARGE', false) }), 'record'],
    ['non-retriable wrapper of a too-large batch', kafkajs('KafkaJSNonRetriableError', { retriable: false, originalError: kafkaProtocol('RECORD_LIST_TOO_LARGE', false) }), 'record'],
    // Postgres refuses the row: classes 22, 23, 54, 42.
    ['22021 NUL in text', pg('22021'), 'record'],
    ['22P05 NUL in jsonb', pg('22P05'), 'record'],
    ['22001 value too long', pg('22001'), 'record'],
    ['23505 unique violation', pg('23505'), 'record'],
    ['23502 not null violation', pg('23502'), 'record'],
    ['54000 index row size exceeds', pg('54000'), 'record'],
    ['54001 statement too complex', pg('54001'), 'record'],
    ['42601 syntax error', pg('42601'), 'record'],
    // Deployment faults in the record classes: every record would fail alike, so the partition waits for an operator.
    ['42501 insufficient privilege (a revoked grant)', pg('42501'), 'unavailable'],
    ['42P01 undefined table (a migration not run)', pg('42P01'), 'unavailable'],
    ['42703 undefined column (a migration not run)', pg('42703'), 'unavailable'],
    ['23514 check violation (also: no partition for a row older than the retention)', pg('23514'), 'record'],
    ['42804 datatype mismatch', pg('42804'), 'record'],
    // Postgres is not there, or another transaction won.
    ['08006 connection failure', pg('08006'), 'unavailable'],
    ['08001 cannot connect', pg('08001'), 'unavailable'],
    ['57P01 admin shutdown', pg('57P01'), 'unavailable'],
    ['57P02 crash shutdown', pg('57P02'), 'unavailable'],
    ['57P03 cannot connect now', pg('57P03'), 'unavailable'],
    ['57014 statement timeout', pg('57014'), 'unavailable'],
    ['53300 too many connections', pg('53300'), 'unavailable'],
    ['53100 disk full', pg('53100'), 'unavailable'],
    ['40001 serialization failure', pg('40001'), 'unavailable'],
    ['40P01 deadlock', pg('40P01'), 'unavailable'],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly'), 'unavailable'],
    ['pg: pool connect timeout', new Error('timeout exceeded when trying to connect'), 'unavailable'],
    // Sockets.
    ['ECONNREFUSED', node('ECONNREFUSED'), 'unavailable'],
    ['ECONNRESET', node('ECONNRESET'), 'unavailable'],
    ['ETIMEDOUT', node('ETIMEDOUT'), 'unavailable'],
    ['EAI_AGAIN', node('EAI_AGAIN'), 'unavailable'],
    ['cause chain to a socket error', new Error('fetch failed', { cause: node('ECONNREFUSED') }), 'unavailable'],
    // Nothing says: bounded retries, then a dead letter.
    ['TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'x')"), 'unknown'],
    ['XX000 internal error', pg('XX000'), 'unknown'],
    ['0A000 feature not supported', pg('0A000'), 'unknown'],
    ['40003 statement completion unknown', pg('40003'), 'unknown'],
    ['a non-retriable kafkajs error that names nothing', kafkajs('KafkaJSError', { retriable: false }), 'unknown'],
    ['a thrown string', 'boom', 'unknown'],
    ['null', null, 'unknown'],
    ['a self-caused error', (() => { const e = new Error('loop') as Error & { cause?: unknown }; e.cause = e; return e; })(), 'unknown'],
  ])('%s → %s', (_name, error, expected) => {
    expect(failureClass(error)).toBe(expected);
  });

  it('reads a SQLSTATE by its class, except the few codes named one by one', () => {
    expect(['22000', '23000', '54000', '42000'].map(postgresFailureClass)).toEqual(['record', 'record', 'record', 'record']);
    expect(['08000', '53000', '57P01', '40001', '40P01'].map(postgresFailureClass)).toEqual(Array(5).fill('unavailable'));
    expect(['57000', '40000', '25P02', 'P0001'].map(postgresFailureClass)).toEqual(Array(4).fill('unknown'));
  });
});
