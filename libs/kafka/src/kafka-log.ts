/**
 * What a kafkajs log line means to an operator. kafkajs logs every failed request at ERROR, including the broker
 * states it then retries by itself (a coordinator loading after a start, a leader election, the transaction
 * coordinator still finishing our previous commit). An ERROR that needs no action teaches operators to ignore
 * ERROR, so those states become DEBUG lines and a count per type (hookbus_kafka_retriable_total); whatever is left
 * at ERROR says what to check.
 */
export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaLogVerdict {
  readonly level: KafkaLogLevel;
  /** The retried broker state (a Kafka error name, or CONNECTION / METADATA_REFRESH), or null for other lines. */
  readonly retriable: string | null;
  /** For lines left at error: what the operator should check. */
  readonly action?: string;
}

/**
 * Broker states that pass by themselves and that kafkajs (or our consumer loop) retries. Named as in kafkajs'
 * protocol error table, whose messages are what the log lines carry. Deliberately not kafkajs' whole "retriable"
 * list: NOT_ENOUGH_REPLICAS, KAFKA_STORAGE_ERROR or UNKNOWN_TOPIC_OR_PARTITION persist until someone acts.
 */
export const TRANSIENT_BROKER_STATES = [
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'CONCURRENT_TRANSACTIONS',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'NETWORK_EXCEPTION',
  'FETCH_SESSION_ID_NOT_FOUND',
  'INVALID_FETCH_SESSION_EPOCH',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OFFSET_NOT_AVAILABLE',
  'UNSTABLE_OFFSET_COMMIT',
  'PREFERRED_LEADER_NOT_AVAILABLE',
] as const;

interface ProtocolError {
  readonly type: string;
  readonly message: string;
}

// kafkajs' own table of protocol errors (type, code, message): the message is the only thing its log lines carry.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: readonly ProtocolError[] };

const TRANSIENT_MESSAGES: ReadonlyArray<readonly [text: string, type: string]> = [
  ...errorCodes.filter((e) => (TRANSIENT_BROKER_STATES as readonly string[]).includes(e.type)).map((e) => [e.message, e.type] as const),
  // Lines kafkajs writes itself while it reconnects or refreshes; a broker that stays away ends in a consumer crash
  // or a failed send, which stay at error.
  ['Connection error:', 'CONNECTION'],
  ['Connection timeout', 'CONNECTION'],
  ['Closed connection', 'CONNECTION'],
  ['Failed to connect to broker, reconnecting', 'CONNECTION'],
  ['Consumer is not aware of all assigned partitions, refreshing metadata', 'METADATA_REFRESH'],
];

/** kafkajs lines that are neither a problem nor a retried state. */
const NOISE_PREFIXES = [
  // Our producers retry a bounded number of times on purpose: the consumer runner retries whole batches and the
  // gateway must answer 503 in time rather than wait forever. kafkajs warns about that on every producer.
  'Limiting retries for the idempotent producer',
  // Follows every "Crash:" line that kafkajs restarts from; the crash line (and the stage's "consumer crashed",
  // kafka-batch.transport.ts) carry the cause and the level.
  'Restarting the consumer in',
  // A late answer to a request kafkajs already failed over (its connection closed or timed out, then retried).
  'Response without match',
];

/**
 * kafkajs' own line for a consumer crash. Every consumer of ours reports its crashes itself, at the level they
 * deserve and with what follows (restarted, or the service stops): the stages' KafkaBatchTransport and the
 * orchestrator's memory log them; the tracker's restore and the topic range reader fail their caller. Left at ERROR,
 * each crash would be two ERROR lines, the second saying "restarts by itself" when the service was about to exit.
 */
const CRASH_PREFIX = 'Crash: ';

/** The transient broker state a log line or error message reports (see TRANSIENT_BROKER_STATES), or null. */
export function transientBrokerState(text: string): string | null {
  return TRANSIENT_MESSAGES.find(([known]) => text.includes(known))?.[1] ?? null;
}

/**
 * A "Crash:" line quoting a transient state (a consumer that could not join while a fresh broker's coordinator
 * loaded) is counted like the state itself: kafkajs restarts the consumer. A stage whose consumer crashes again
 * before it has joined says so at error (kafka-batch.transport.ts).
 */
export function classifyKafkaLog(level: KafkaLogLevel, message: string, extra: Readonly<Record<string, unknown>>, brokers: readonly string[] = []): KafkaLogVerdict {
  if (NOISE_PREFIXES.some((prefix) => message.startsWith(prefix))) return { level: 'debug', retriable: null };
  const transient = transientBrokerState(`${message} ${typeof extra.error === 'string' ? extra.error : ''}`);
  if (transient) return { level: 'debug', retriable: transient };
  if (message.startsWith(CRASH_PREFIX)) return { level: 'debug', retriable: null };
  if (level !== 'error') return { level, retriable: null };
  return {
    level,
    retriable: null,
    action: kafkaAction(brokers),
  };
}

/** What an operator should check when a Kafka client reports a failure that is not a passing state. */
export function kafkaAction(brokers: readonly string[]): string {
  return `check that the Kafka broker at ${brokers.join(',') || 'KAFKA_BROKERS'} answers and that its own log shows no error; the service retries, and restarts its consumer, by itself`;
}

/**
 * Judges one consumer's crashes. A crash kafkajs restarts from, caused by a transient broker state, is that state
 * retried (debug): on a fresh broker under load a consumer can crash two or three times in a row (the coordinator
 * moves, then the connection it was using closes) before it joins. A crash with another cause, or the
 * REPORT_AFTER_CRASHES-th in a row without a join (each comes after kafkajs' own retries: a minute or more of
 * failing), needs someone (error).
 */
export class ConsumerCrashJudge {
  static readonly REPORT_AFTER_CRASHES = 5;
  private crashesSinceJoin = 0;

  joined(): void {
    this.crashesSinceJoin = 0;
  }

  /** The transient state the crash was, or null when it is a failure to report at error. */
  crashed(error: unknown, restart: boolean): string | null {
    this.crashesSinceJoin += 1;
    if (!restart || this.crashesSinceJoin >= ConsumerCrashJudge.REPORT_AFTER_CRASHES) return null;
    return transientBrokerState(error instanceof Error ? error.message : String(error));
  }
}

