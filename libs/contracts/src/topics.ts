/**
 * Every Kafka topic hookbus uses, declared once. Services, the provisioner (`npm start`, tests), the docs
 * (docs/topics.md is generated from this list) and the AsyncAPI document all read this declaration.
 */
export type ProviderName = 'credas' | 'authvia' | 'octapush' | 'cellosign';
export const PROVIDERS: readonly ProviderName[] = ['credas', 'authvia', 'octapush', 'cellosign'];

export interface TopicDeclaration {
  readonly name: string;
  readonly partitions: number;
  /** `compact` keeps the newest record per key forever (state topics); `delete` ages records out. */
  readonly cleanupPolicy: 'delete' | 'compact';
  /** Retention in ms for `delete` topics; -1 keeps records forever. */
  readonly retentionMs: number;
  /** Broker-side max.message.bytes for the topic. */
  readonly maxMessageBytes: number;
  readonly key: string;
  readonly value: string;
  readonly writtenBy: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MIB = 1024 * 1024;
/** Raw webhooks are the only copy of what a provider sent: keep them long enough to replay after an adapter fix. */
const RAW_RETENTION_MS = 14 * DAY_MS;
const EVENT_RETENTION_MS = 14 * DAY_MS;
/** Cellosign archives carry the signed PDF and attachments inline; the gateway accepts up to 16 MiB for them. */
const RAW_MAX_MESSAGE_BYTES = 20 * MIB;
const DEFAULT_PARTITIONS = 6;
/**
 * Kafka's max.message.bytes bounds a whole record batch per partition, not one record: a stage producing many small
 * events to one partition in one request needs room. Producers also split their requests (MAX_PRODUCE_REQUEST_BYTES
 * in libs/kafka) so no batch comes near this.
 */
const EVENT_MAX_MESSAGE_BYTES = 8 * MIB;

function rawTopic(provider: ProviderName): TopicDeclaration {
  return {
    name: `webhooks.raw.${provider}`,
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: RAW_RETENTION_MS,
    maxMessageBytes: RAW_MAX_MESSAGE_BYTES,
    key: 'the entity the webhook is about (e.g. Credas ProcessId)',
    value: 'the request body, byte for byte; request facts in headers',
    writtenBy: 'gateway',
  };
}

export const Topics = {
  raw: {
    credas: rawTopic('credas'),
    authvia: rawTopic('authvia'),
    octapush: rawTopic('octapush'),
    cellosign: rawTopic('cellosign'),
  },
  quarantine: {
    name: 'webhooks.quarantine',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    maxMessageBytes: RAW_MAX_MESSAGE_BYTES,
    key: 'receipt id',
    value: 'the refused request (as much as the limits allow), the reason in headers',
    writtenBy: 'gateway',
  },
  communications: {
    name: 'events.communications.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: EVENT_RETENTION_MS,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'communicationId',
    value: 'CloudEvent hookbus.communication.status',
    writtenBy: 'normalizer',
  },
  processes: {
    name: 'events.processes.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: EVENT_RETENTION_MS,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'processKey',
    value: 'CloudEvent hookbus.process.status (and hookbus.process.action for Authvia actions)',
    writtenBy: 'normalizer',
  },
  checks: {
    name: 'events.checks.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: EVENT_RETENTION_MS,
    // A status-update event carries the Payload twice (the string in `original`, parsed in `payload`): a 1 MiB body
    // can make a 2 MiB event.
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'entity id',
    value: 'CloudEvent hookbus.check.update',
    writtenBy: 'normalizer',
  },
  communicationState: {
    name: 'state.communications.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'communicationId',
    value: 'current state of one communication',
    writtenBy: 'tracker',
  },
  processState: {
    name: 'state.processes.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'processKey',
    value: 'current state of one process',
    writtenBy: 'tracker',
  },
  transitions: {
    name: 'events.transitions.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: EVENT_RETENTION_MS,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'communicationId or processKey',
    value: 'CloudEvent hookbus.transition',
    writtenBy: 'tracker',
  },
  results: {
    name: 'events.results.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: EVENT_RETENTION_MS,
    // The Credas PDF report travels inline (ARCHITECTURE.md, “Follow one webhook”); reports above this are refused by the broker.
    maxMessageBytes: 16 * MIB,
    key: 'processKey',
    value: 'CloudEvent hookbus.credas.results',
    writtenBy: 'orchestrator',
  },
  deadLetter: {
    name: 'webhooks.deadletter',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    maxMessageBytes: RAW_MAX_MESSAGE_BYTES,
    key: 'original key',
    value: 'the original record; stage, error, origin and attempts in headers',
    writtenBy: 'any consumer',
  },
  consoleAudit: {
    // Who did what in the console, and how it ended: kept a year on the topic, for ever in hookbus.console_audit.
    name: 'console.audit.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 365 * DAY_MS,
    maxMessageBytes: MIB,
    key: 'actionId',
    value: 'one console action (login, redrive, re-fetch, replay, unmask): actor, role, target, outcome',
    writtenBy: 'console',
  },
} as const satisfies Record<string, TopicDeclaration | Record<ProviderName, TopicDeclaration>>;

/** Topics private to one service (retry lanes); declared here so provisioning and docs see them too. */
export const InternalTopics: readonly TopicDeclaration[] = [
  {
    // Same partition count as events.processes.v1: a hint lands on the partition whose owner holds the process state.
    name: 'tracker.process-hints.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'processKey',
    value: 'what a communication event teaches about its process (Credas entity), and overdue-check ticks',
    writtenBy: 'tracker',
  },
  // The orchestrator's non-blocking retry lanes (apps/orchestrator/README.md): a failed Credas retrieval waits in
  // the lane whose delay bound covers its backoff, so one failing process never holds up the main topics.
  ...(['10s', '2m', '15m'] as const).map((lane) => ({
    name: `orchestrator.credas.retry-${lane}.v1`,
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete' as const,
    retentionMs: 7 * DAY_MS,
    // Holds the triggering record byte for byte: as large as the largest input (events.checks.v1, 8 MiB).
    maxMessageBytes: 5 * MIB,
    key: 'processKey',
    value: 'the triggering record, byte for byte; attempt, due time and origin in headers',
    writtenBy: 'orchestrator',
  })),
  {
    name: 'orchestrator.credas.commands.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'processKey',
    value: 'an operator command, e.g. {"type":"refetch","processId":"..."}',
    writtenBy: 'orchestrator CLI (apps/orchestrator/src/cli/refetch.ts)',
  },
  {
    // Replay commands (issue 20): the console (or anyone with the codec) asks the normalizer to re-normalize a range
    // of a raw topic; the normalizer's command consumer runs the same replay as `npm run replay`.
    name: 'normalizer.commands.v1',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    maxMessageBytes: MIB,
    key: 'commandId',
    value: 'a replay command: {"type":"replay","commandId","provider","sourceId","from","to","partition","fromOffset","toOffset","requestedBy","requestedAt"}',
    writtenBy: 'console (apps/console, /replay)',
  },
  {
    // The orchestrator's memory of what it already retrieved, so a redelivered completion is not fetched again.
    name: 'orchestrator.credas.retrievals.v1',
    partitions: DEFAULT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    maxMessageBytes: EVENT_MAX_MESSAGE_BYTES,
    key: 'processKey',
    value: 'the last retrieval of one process: entityId, event id, report sha256, retrievedAt',
    writtenBy: 'orchestrator',
  },
];

/**
 * How hookbus sets up its topics for durability (KAFKA_DURABILITY). `production`: three copies, and a write is
 * acknowledged only once two of them have it, so losing one broker's disk loses no acknowledged record and writes go
 * on while one broker is down. `local`: one copy, the only setup a single-broker stack (`npm start`, compose, the
 * tests) can hold.
 */
export type KafkaDurabilityProfile = 'production' | 'local';

export interface TopicDurability {
  /** Copies of each partition; given to a new topic (an existing topic keeps its own: see docs/operations.md). */
  readonly replicationFactor: number;
  /**
   * Copies a write needs before acks=all acknowledges it. A floor: provisioning raises a lower value to it and keeps a
   * higher one an operator set.
   */
  readonly minInsyncReplicas: number;
}

/** The same for every topic: an event topic is the public contract, and losing one of its records is as silent. */
export const TOPIC_DURABILITY: Readonly<Record<KafkaDurabilityProfile, TopicDurability>> = {
  production: { replicationFactor: 3, minInsyncReplicas: 2 },
  local: { replicationFactor: 1, minInsyncReplicas: 1 },
};

/**
 * The topics whose acknowledged writes matter most: a raw webhook record is written before the provider is answered
 * 200, and it is the only copy (the provider does not send it again). Services writing them check at start that the
 * topic cannot lose an acknowledged write (libs/kafka/src/topic-durability.ts).
 */
export function holdsAcknowledgedWebhooks(topic: string): boolean {
  return Object.values(Topics.raw).some((raw) => raw.name === topic);
}

export const TRACKER_HINTS_TOPIC = 'tracker.process-hints.v1';

export function allTopics(): TopicDeclaration[] {
  const { raw, ...rest } = Topics;
  return [...Object.values(raw), ...Object.values(rest), ...InternalTopics];
}

export function rawTopicFor(provider: ProviderName): string {
  return Topics.raw[provider].name;
}

export function registerInternalTopic(topic: TopicDeclaration): void {
  if (!(InternalTopics as TopicDeclaration[]).some((t) => t.name === topic.name)) {
    (InternalTopics as TopicDeclaration[]).push(topic);
  }
}
