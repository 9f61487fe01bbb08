/**
 * Redrive: a dead letter goes back to its original topic with its original key, value and headers, and a marker
 * record on webhooks.deadletter (null value, header hookbus-dlq-redrive-of) tells the projector to set the row's
 * `redriven_at`. One implementation for every caller: `npm run deadletters` (scripts/deadletters.ts) and the
 * console's redrive button (apps/console) run this code.
 */
import type { Kafka, Producer } from 'kafkajs';
import { Topics, deadLetterRowId, encodeRedriveMarker, isRedriveMarker, originalOfDeadLetter, readDeadLetter } from '@hookbus/contracts';
import { createDurableProducer, createKafka, type KafkaClientSecurity } from './kafka-client';
import { groupByTopic, type ConsumedRecord, type OutgoingRecord } from './records';
import { rangeByTime, readTopicRange } from './topic-range-reader';

/** One dead letter on webhooks.deadletter, as `npm run deadletters -- list` shows it. */
export interface DeadLetterEntry {
  /** Its position on webhooks.deadletter, `partition:offset`: the id the CLI prints and takes. */
  readonly id: string;
  /** The id of its row in hookbus.dead_letters (deadLetterRowId), null when its headers lack the stage or origin. */
  readonly rowId: string | null;
  readonly stage: string;
  readonly code: string;
  readonly error: string;
  readonly origin: string;
  readonly failedAt: string;
  readonly record: ConsumedRecord;
}

/** Which dead letters to redrive: named ones (by position or row id), or those of a stage and/or code. */
export interface DeadLetterSelection {
  /** `partition:offset` positions on webhooks.deadletter (the CLI's ids). */
  readonly ids?: readonly string[];
  /** hookbus.dead_letters row ids (the console's ids). */
  readonly rowIds?: readonly string[];
  readonly stage?: string;
  readonly code?: string;
}

/** Sends records durably (acks all); the CLI makes a producer per command, the console keeps one. */
export type BatchSend = (records: readonly OutgoingRecord[]) => Promise<void>;

/** A dead letter as an entry, or null for a redrive marker. */
export function toEntry(record: ConsumedRecord): DeadLetterEntry | null {
  if (isRedriveMarker(record)) return null;
  const dl = readDeadLetter(record);
  let rowId: string | null;
  try {
    rowId = deadLetterRowId(record);
  } catch {
    rowId = null;
  }
  return {
    id: `${record.partition}:${record.offset}`,
    rowId,
    stage: dl.stage ?? '?',
    code: dl.errorCode ?? '?',
    error: dl.errorClass ?? '',
    origin: `${dl.originalTopic ?? '?'}/${dl.originalPartition ?? '?'}@${dl.originalOffset ?? '?'}`,
    failedAt: dl.failedAt ?? '',
    record,
  };
}

/** The marker names the dead letter by its position, stage and origin, as the projector's dead_letters row does. */
export function redriveMarker(entry: DeadLetterEntry, now: Date): OutgoingRecord {
  return encodeRedriveMarker(entry.record, now);
}

/** The original record, as it was before it failed. */
export function originalRecord(entry: DeadLetterEntry): OutgoingRecord {
  return originalOfDeadLetter(entry.record);
}

/** The dead letters of a topic read in offset order that no later marker redrove: pure, for readDeadLetters and specs. */
export function notYetRedriven(records: Iterable<ConsumedRecord>): DeadLetterEntry[] {
  const entries: DeadLetterEntry[] = [];
  const redriven = new Set<string>();
  for (const record of records) {
    if (isRedriveMarker(record)) {
      const of = readDeadLetter(record).redriveOf;
      if (of) redriven.add(of);
    }
    const entry = toEntry(record);
    if (entry) entries.push(entry);
  }
  return entries.filter((e) => !redriven.has(e.id));
}

/** Every dead letter of webhooks.deadletter not yet redriven, in offset order per partition. */
export async function readDeadLetters(brokers: readonly string[], security?: KafkaClientSecurity): Promise<DeadLetterEntry[]>;
export async function readDeadLetters(kafka: Kafka): Promise<DeadLetterEntry[]>;
export async function readDeadLetters(brokersOrKafka: readonly string[] | Kafka, security?: KafkaClientSecurity): Promise<DeadLetterEntry[]> {
  const kafka = isKafka(brokersOrKafka) ? brokersOrKafka : createKafka({ brokers: brokersOrKafka, security, clientId: 'hookbus-deadletters' });
  const records: ConsumedRecord[] = [];
  await readTopicRange(kafka, Topics.deadLetter.name, await rangeByTime(kafka, Topics.deadLetter.name), (record) => {
    records.push(record);
  });
  return notYetRedriven(records);
}

/**
 * The entries a selection names. Named ids (positions or row ids) choose exactly those; otherwise stage and code
 * filter; an empty selection chooses every entry (callers refuse that when it is not meant: the CLI does). A row id
 * that matches several entries (one failure dead-lettered again before a redrive) chooses the newest only, so the
 * original is sent once.
 */
export function selectDeadLetters(entries: readonly DeadLetterEntry[], selection: DeadLetterSelection): DeadLetterEntry[] {
  const { ids = [], rowIds = [], stage, code } = selection;
  const filtered = entries.filter((e) => (!stage || e.stage === stage) && (!code || e.code === code));
  if (ids.length === 0 && rowIds.length === 0) return filtered;
  const byRow = new Map<string, DeadLetterEntry>();
  for (const e of filtered) if (e.rowId !== null && rowIds.includes(e.rowId) && isNewer(e, byRow.get(e.rowId))) byRow.set(e.rowId, e);
  const rowChosen = new Set(byRow.values());
  return filtered.filter((e) => ids.includes(e.id) || rowChosen.has(e));
}

function isNewer(a: DeadLetterEntry, b: DeadLetterEntry | undefined): boolean {
  if (!b) return true;
  const [ap, ao] = a.id.split(':');
  const [bp, bo] = b.id.split(':');
  if (ap === bp) return BigInt(ao!) > BigInt(bo!);
  return Number(a.record.timestamp) > Number(b.record.timestamp);
}

/** What a redrive sends for these entries: each original, then its marker, in one batch. */
export function redriveRecords(entries: readonly DeadLetterEntry[], now: Date): OutgoingRecord[] {
  return entries.flatMap((e) => [originalRecord(e), redriveMarker(e, now)]);
}

/** Sends the entries back (originals and markers in one acks=all batch); resolves with what it sent. */
export async function redriveDeadLetters(send: BatchSend, entries: readonly DeadLetterEntry[], now = new Date()): Promise<readonly DeadLetterEntry[]> {
  if (entries.length === 0) return entries;
  await send(redriveRecords(entries, now));
  return entries;
}

/** A BatchSend on a connected durable producer: one sendBatch, acks from all in-sync replicas. */
export function producerSender(producer: Producer): BatchSend {
  return async (records) => {
    await producer.sendBatch({ topicMessages: groupByTopic(records), acks: -1 });
  };
}

/** Runs `use` with a BatchSend on a producer of its own, connected for the call and disconnected after. */
export async function withDurableSender<T>(kafka: Kafka, use: (send: BatchSend) => Promise<T>): Promise<T> {
  const producer = createDurableProducer(kafka);
  await producer.connect();
  try {
    return await use(producerSender(producer));
  } finally {
    await producer.disconnect();
  }
}

function isKafka(value: readonly string[] | Kafka): value is Kafka {
  return !Array.isArray(value);
}
