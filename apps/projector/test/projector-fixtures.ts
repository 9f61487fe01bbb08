import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { loadEnv } from '@hookbus/config';
import { Topics, encodeCloudEventRecord, encodeQuarantine, encodeRawWebhook, encodeStateRecord, encodeStateTombstone, type CloudEvent, type EncodedRecord, type EventType, type RawWebhook } from '@hookbus/contracts';
import { serviceContext, type ServiceContext } from '@hookbus/platform';
import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, waitFor } from '@hookbus/testing';

export const kafka = new Kafka({ clientId: 'projector-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });

export function projectorContext(databaseUrl = TEST_DATABASE_URL): ServiceContext {
  return serviceContext('projector', { env: loadEnv({ ...process.env, DATABASE_URL: databaseUrl, KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error' }) });
}

export async function connectProducer(): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

export async function connectDb(): Promise<Client> {
  const client = new Client({ connectionString: TEST_DATABASE_URL, options: '-c TimeZone=UTC' });
  await client.connect();
  return client;
}

/** A raw Octapush SMS webhook's facts, as the gateway records them; `overrides` changes any of them. */
export function rawWebhook(receiptId: string, overrides: Partial<Omit<RawWebhook, 'receiptId'>> = {}): RawWebhook {
  return {
    key: 'octapush-sms',
    body: Buffer.alloc(0),
    receiptId,
    receivedAt: new Date().toISOString(),
    sourceId: 'octapush-sms',
    provider: 'octapush',
    kind: 'sms',
    method: 'POST',
    path: '/webhooks/octapush-sms',
    query: '',
    contentType: 'application/json',
    pathStatus: null,
    requestHeaders: JSON.stringify({ 'content-type': 'application/json' }),
    ...overrides,
  };
}

/** The headers of that raw record (the raw webhook codec's). */
export function rawHeaders(receiptId: string, overrides: Partial<Omit<RawWebhook, 'receiptId'>> = {}): Record<string, string> {
  return { ...encodeRawWebhook(rawWebhook(receiptId, overrides)).headers };
}

export function cloudEvent(id: string, type: string, subject: string, receiptId: string, data: Record<string, unknown>, time = new Date().toISOString()): CloudEvent<unknown> {
  return { specversion: '1.0', id, type: type as EventType, source: '/webhooks/test', subject, time, datacontenttype: 'application/json', provider: 'credas', receiptid: receiptId, data };
}

/** One event as a kafkajs message of its topic, written by the CloudEvent record codec. */
/**
 * A state record as the tracker writes it (caused by `eventId`), on partition 0: the projector reads any partition,
 * and one partition keeps the fixture's order (newer state, older state, tombstone) for one key.
 */
function stateMessage(topic: string, key: string, state: string | null, eventId: string, receiptid: string): Message {
  const record: EncodedRecord = state === null ? encodeStateTombstone({ topic, key, partition: 0 }) : encodeStateRecord({ topic, key, partition: 0, value: state, cause: { id: eventId, receiptid } });
  return { key: record.key, value: record.value, partition: 0, headers: { ...record.headers } };
}

function eventMessage(topic: string, event: CloudEvent<unknown>): Message {
  const { key, value, headers } = encodeCloudEventRecord({ topic, event });
  return { key, value, headers: { ...headers } };
}

/** One scenario's ids: unique per call, so tests never see each other's rows. */
export function scenarioIds() {
  const run = randomUUID().slice(0, 8);
  return {
    run,
    processId: `P-${run}`,
    processKey: `credas:P-${run}`,
    entityId: `E-${run}`,
    communicationId: `credas:P-${run}:1:sms`,
    overdueEventId: `overdue-notice-${run}`,
    receipt: uuidv7(),
    quarantined: uuidv7(),
  };
}

/** A quarantined copy of the raw record: refused 400 for an unparseable body. */
function quarantineMessage(receiptId: string): Message {
  const { key: _key, ...raw } = rawWebhook(receiptId, { body: Buffer.from('not json') });
  const { key, value, headers } = encodeQuarantine({ ...raw, refusedStatus: 400, refusedReason: 'unparseable body', bodyTruncated: false });
  return { key, value, headers: { ...headers } };
}

/** Produces one record of every kind the projector reads, for one process. */
export async function produceScenario(producer: Producer, ids: ReturnType<typeof scenarioIds>): Promise<{ body: Buffer; pdf: Buffer }> {
  const body = Buffer.from(JSON.stringify({ ProcessId: ids.processId, note: 'caf\u00e9' }));
  const pdf = Buffer.from(`%PDF-1.7 ${ids.run}`);
  const now = Date.now();
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const commState = (seq: number, status: string, updatedAt: string) =>
    JSON.stringify({ kind: 'communication', key: ids.communicationId, provider: 'credas', channel: 'sms', status, final: status === 'delivered', providerStatus: { code: status, text: null }, processKey: ids.processKey, processId: ids.processId, entityId: ids.entityId, continuedAs: null, statusEventId: `ev-${seq}`, statusEventTime: updatedAt, seq, updatedAt });
  const procState = JSON.stringify({ kind: 'process', key: ids.processKey, provider: 'credas', processId: ids.processId, status: 'completed', final: true, providerStatus: { code: 4, text: 'Completed' }, version: null, statusReason: null, closedAt: null, expiresAt: null, expiresAtVersion: null, entityIds: [ids.entityId], entityId: ids.entityId, statusEventId: `pe-${ids.run}`, statusEventTime: at(0), seq: 2, updatedAt: at(0) });
  const transition = (kind: 'communication' | 'process', key: string, seq: number, from: string | null, to: string) =>
    cloudEvent(`tr-${kind}-${ids.run}-${seq}`, 'hookbus.transition', key, ids.receipt, { kind, key, provider: 'credas', from, to, final: false, requiresAction: false, seq, causedBy: `ev-${seq}` }, at(seq));
  // The tracker's overdue notice (libs/tracking/src/overdue.ts): the seq of the transition it comments on, from = to,
  // no receipt. A tracker restart announces it again with the same id at a later tick.
  const overdue = (tick: string) =>
    cloudEvent(ids.overdueEventId, 'hookbus.transition', ids.processKey, '', { kind: 'process', key: ids.processKey, provider: 'credas', from: 'in_progress', to: 'in_progress', final: false, requiresAction: true, reason: 'overdue', seq: 1, causedBy: `overdue-${ids.run}`, expiresAt: at(-7_200_000), overdueSince: at(-5_400_000) }, tick);
  await producer.sendBatch({
    acks: -1,
    topicMessages: [
      { topic: Topics.raw.credas.name, messages: [{ key: ids.processId, value: body, headers: rawHeaders(ids.receipt, { provider: 'credas', sourceId: 'credas-process', kind: 'process' }) }] },
      { topic: Topics.quarantine.name, messages: [quarantineMessage(ids.quarantined)] },
      { topic: Topics.processes.name, messages: [eventMessage(Topics.processes.name, cloudEvent(`pe-${ids.run}`, 'hookbus.process.status', ids.processKey, ids.receipt, { processKey: ids.processKey, processId: ids.processId, entityId: ids.entityId, status: 'completed', final: true }))] },
      { topic: Topics.communications.name, messages: [eventMessage(Topics.communications.name, cloudEvent(`ce-${ids.run}`, 'hookbus.communication.status', ids.communicationId, ids.receipt, { communicationId: ids.communicationId, processKey: ids.processKey, processId: ids.processId, entityId: ids.entityId, status: 'delivered' }))] },
      { topic: Topics.checks.name, messages: [eventMessage(Topics.checks.name, cloudEvent(`ck-${ids.run}`, 'hookbus.check.update', ids.entityId, ids.receipt, { entityId: ids.entityId, kind: 'status-update' }))] },
      { topic: Topics.transitions.name, messages: [
        eventMessage(Topics.transitions.name, transition('communication', ids.communicationId, 1, null, 'sent')),
        eventMessage(Topics.transitions.name, transition('communication', ids.communicationId, 2, 'sent', 'delivered')),
        eventMessage(Topics.transitions.name, transition('process', ids.processKey, 1, null, 'in_progress')),
        eventMessage(Topics.transitions.name, overdue(at(1))),
        eventMessage(Topics.transitions.name, overdue(at(2))),
        eventMessage(Topics.transitions.name, transition('process', ids.processKey, 2, 'in_progress', 'completed')),
      ] },
      // The newer state first, then an older one: the older must not overwrite it.
      { topic: Topics.communicationState.name, messages: [
        stateMessage(Topics.communicationState.name, ids.communicationId, commState(2, 'delivered', at(2)), 'ev-2', ids.receipt),
        stateMessage(Topics.communicationState.name, ids.communicationId, commState(1, 'sent', at(1)), 'ev-1', ids.receipt),
        stateMessage(Topics.communicationState.name, ids.communicationId, null, '', ''),
      ] },
      { topic: Topics.processState.name, messages: [stateMessage(Topics.processState.name, ids.processKey, procState, `pe-${ids.run}`, ids.receipt)] },
      { topic: Topics.results.name, messages: [eventMessage(Topics.results.name, cloudEvent(`rs-${ids.run}`, 'hookbus.credas.results', ids.processKey, ids.receipt, { processId: ids.processId, entityId: ids.entityId, details: { name: 'x' }, activeChecks: [{ id: 1 }], report: { pdf: pdf.toString('base64'), bytes: pdf.length }, retrievedAt: at(3) }))] },
      // A record that can never be stored: the projector dead-letters it, then projects its own dead letter.
      { topic: Topics.checks.name, messages: [{ key: ids.entityId, value: `not a cloud event ${ids.run}` }] },
    ],
  });
  return { body, pdf };
}

/** Sum over the topics' partitions of (end offset - group's committed offset). */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  let lag = 0;
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const end of ends) {
      const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
      lag += Number(end.high) - Math.max(at, Number(end.low), 0);
    }
  }
  return lag;
}

export type Offsets = Map<string, number>;

export async function committedOffsets(admin: Admin, groupId: string, topics: readonly string[]): Promise<Offsets> {
  const offsets: Offsets = new Map();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    for (const p of partitions) offsets.set(`${topic}/${p.partition}`, Math.max(0, Number(p.offset)));
  }
  return offsets;
}

/**
 * Waits until the group has consumed every partition and stopped moving. A transactional producer's commit
 * marker is the last offset of its partition and is never delivered, so a partition counts as consumed one short
 * of its end; "stopped moving" across two polls guards the record that tolerance could otherwise hide.
 */
export async function waitSettled(admin: Admin, groupId: string, topics: readonly string[], timeoutMs = 90_000): Promise<Offsets> {
  let previous = '';
  return waitFor(
    async () => {
      const committed = await committedOffsets(admin, groupId, topics);
      for (const topic of topics) {
        for (const end of await admin.fetchTopicOffsets(topic)) {
          if ((committed.get(`${topic}/${end.partition}`) ?? 0) < Number(end.high) - 1) return false;
        }
      }
      const seen = JSON.stringify([...committed]);
      const settled = seen === previous;
      previous = seen;
      return settled ? committed : false;
    },
    { timeoutMs, intervalMs: 1000, what: `group ${groupId} to consume every partition` },
  );
}

/** Waits until `groupId` has committed at least `target` on every partition (a replay reaching the first run). */
export async function waitReached(admin: Admin, groupId: string, topics: readonly string[], target: Offsets, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    async () => {
      const committed = await committedOffsets(admin, groupId, topics);
      return [...target].every(([partition, offset]) => (committed.get(partition) ?? 0) >= offset);
    },
    { timeoutMs, intervalMs: 250, what: `group ${groupId} to reach the first run's offsets` },
  );
}

export const READ_MODEL_TABLES = [
  'receipts', 'events', 'event_ids', 'communications', 'communication_transitions', 'processes', 'process_transitions', 'credas_results', 'dead_letters', 'console_audit',
] as const;

/** Every row of every table, as a sorted list of row hashes per table (projected_at included: rewrites show). */
export async function snapshot(db: Client): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await db.query<{ h: string }>(`SELECT md5(t::text) AS h FROM hookbus.${table} t ORDER BY 1`);
    result[table] = rows.map((r) => r.h);
  }
  return result;
}
