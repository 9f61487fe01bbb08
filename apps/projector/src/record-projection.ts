import { createHash } from 'node:crypto';
import {
  ALWAYS_SECRET_HEADERS,
  DeadLetterHeaders,
  EventTypes,
  InvalidRecordError,
  MAX_IDENTITY_BYTES,
  PROVIDERS,
  QuarantineHeaders,
  RawHeaders,
  Topics,
  deterministicEventId,
  errorCode,
  parseCommunicationId,
  truncateUtf8,
  type ProviderName,
} from '@hookbus/contracts';
import { uuidV7Millis } from '@hookbus/db';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { CommunicationRow, CredasResultRow, DeadLetterRow, EventRow, ProcessRow, Projection, ReceiptRow, RedriveRow, TransitionEntry, TransitionRow } from './projection-rows';

type Json = Record<string, unknown>;

/** Header names never archived even if a gateway let one through (the gateway removes them first). */
export { ALWAYS_SECRET_HEADERS };

const RAW_TOPICS: ReadonlyMap<string, ProviderName> = new Map(PROVIDERS.map((p) => [Topics.raw[p].name, p]));
const EVENT_TOPICS: ReadonlySet<string> = new Set([
  Topics.communications.name,
  Topics.processes.name,
  Topics.checks.name,
  Topics.transitions.name,
  Topics.results.name,
]);

/** Every topic the projector reads. */
export const PROJECTOR_TOPICS: readonly string[] = [
  ...RAW_TOPICS.keys(),
  Topics.quarantine.name,
  ...EVENT_TOPICS,
  Topics.communicationState.name,
  Topics.processState.name,
  Topics.deadLetter.name,
];

/**
 * One consumed record → the rows it contributes. Pure: the same record always yields the same rows, which is what
 * makes a replay land on the rows already there. Throws InvalidRecordError for a record that can never be stored.
 */
export function projectRecord(record: ConsumedRecord, secretHeaders: ReadonlySet<string> = ALWAYS_SECRET_HEADERS): Projection {
  const rawProvider = RAW_TOPICS.get(record.topic);
  if (rawProvider) return { receipts: [receiptRow(record, false, secretHeaders, rawProvider)] };
  if (record.topic === Topics.quarantine.name) return { receipts: [receiptRow(record, true, secretHeaders, null)] };
  if (EVENT_TOPICS.has(record.topic)) return eventProjection(record);
  // A tombstone on a compacted state topic deletes nothing: the read model keeps the last state it saw.
  if (record.topic === Topics.communicationState.name) return record.value ? { communications: [communicationRow(record)] } : {};
  if (record.topic === Topics.processState.name) return record.value ? { processes: [processRow(record)] } : {};
  if (record.topic === Topics.deadLetter.name) return deadLetterProjection(record);
  throw new InvalidRecordError('projector.unknown_topic', `the projector does not read topic ${record.topic}`);
}

// ---- receipts -------------------------------------------------------------------------------------------------

function receiptRow(record: ConsumedRecord, quarantined: boolean, secretHeaders: ReadonlySet<string>, topicProvider: ProviderName | null): ReceiptRow {
  const h = record.headers;
  // Quarantine records are keyed by receipt id; raw records by the entity they are about.
  const key = record.key?.toString('utf8') || null;
  const receiptId = (h[RawHeaders.receiptId] || (quarantined ? key : null) || '').toLowerCase();
  const partitionMs = uuidV7Millis(receiptId);
  if (partitionMs === null) throw new InvalidRecordError('projector.receipt_id', `${RawHeaders.receiptId} is not a uuid v7`);
  const sourceId = h[RawHeaders.sourceId];
  if (!sourceId) throw new InvalidRecordError('projector.receipt_source', `record lacks ${RawHeaders.sourceId}`);
  const provider = h[RawHeaders.provider] || topicProvider;
  if (!provider) throw new InvalidRecordError('projector.receipt_provider', `record lacks ${RawHeaders.provider}`);
  const body = record.value ?? Buffer.alloc(0);
  const refusedStatus = quarantined ? Number.parseInt(h[QuarantineHeaders.status] ?? '', 10) : NaN;
  return {
    receiptId,
    partitionMs,
    receivedAt: isoOr(h[RawHeaders.receivedAt], partitionMs),
    sourceId,
    provider,
    kind: h[RawHeaders.kind] || null,
    entityKey: quarantined ? null : key,
    method: h[RawHeaders.method] || 'POST',
    path: h[RawHeaders.path] || `/webhooks/${sourceId}`,
    query: h[RawHeaders.query] ?? '',
    pathStatus: h[RawHeaders.pathStatus] || null,
    headers: JSON.stringify(publicHeaders(h[RawHeaders.requestHeaders], secretHeaders)),
    contentType: h[RawHeaders.contentType] || null,
    body,
    quarantined,
    refusedStatus: Number.isInteger(refusedStatus) ? refusedStatus : null,
    refusedReason: quarantined ? h[QuarantineHeaders.reason] || null : null,
    bodyTruncated: quarantined && h[QuarantineHeaders.truncated] === 'true',
  };
}

function publicHeaders(json: string | undefined, secret: ReadonlySet<string>): Json {
  const parsed = parseObject(json);
  if (!parsed) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([name]) => !secret.has(name.toLowerCase())));
}

// ---- events ---------------------------------------------------------------------------------------------------

interface CloudEventLike {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly provider: string | null;
  readonly receiptid: string | null;
  readonly data: Json;
}

function readCloudEvent(record: ConsumedRecord): CloudEventLike {
  const json = parseObject(record.value?.toString('utf8'));
  if (!json) throw new InvalidRecordError('projector.event_not_json', `record on ${record.topic} is not a JSON CloudEvent`);
  const id = text(json.id);
  const type = text(json.type);
  const time = text(json.time);
  if (!id || !type) throw new InvalidRecordError('projector.event_fields', 'CloudEvent lacks id or type');
  if (!time || Number.isNaN(Date.parse(withZone(time)))) throw new InvalidRecordError('projector.event_time', 'CloudEvent time is missing or not a date-time');
  return {
    id,
    type,
    source: text(json.source) ?? '',
    subject: text(json.subject) ?? record.key?.toString('utf8') ?? '',
    time: withZone(time),
    provider: text(json.provider),
    receiptid: text(json.receiptid),
    data: isObject(json.data) ? json.data : {},
  };
}

function eventProjection(record: ConsumedRecord): Projection {
  const event = readCloudEvent(record);
  const projection: Projection = { events: [eventRow(record, event)] };
  if (event.type === EventTypes.transition) projection.transitions = [transitionRow(event)];
  if (event.type === EventTypes.credasResults) projection.credasResults = [credasResultRow(event)];
  return projection;
}

function eventRow(record: ConsumedRecord, event: CloudEventLike): EventRow {
  const receiptId = event.receiptid?.toLowerCase() ?? null;
  const receiptMs = receiptId ? uuidV7Millis(receiptId) : null;
  const ids = identifiers(event);
  return {
    eventId: event.id,
    // Arrival time, not provider time: a provider clock (or a naive timestamp) must not decide retention.
    receivedAtMs: receiptMs ?? Number(record.timestamp),
    topic: record.topic,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    provider: event.provider,
    receiptId: receiptMs !== null || isUuid(receiptId) ? receiptId : null,
    ...ids,
    data: JSON.stringify(event.type === EventTypes.credasResults ? withoutInlinePdf(event.data) : event.data),
  };
}

/** The identifiers support looks events up by, wherever the event type keeps them. */
function identifiers(event: CloudEventLike): Pick<EventRow, 'processKey' | 'processId' | 'entityId'> {
  const d = event.data;
  let processKey = text(d.processKey);
  if (!processKey && (event.type === EventTypes.processStatus || event.type === EventTypes.processAction || event.type === EventTypes.credasResults)) processKey = event.subject;
  if (!processKey && event.type === EventTypes.transition && d.kind === 'process') processKey = text(d.key);
  let processId = text(d.processId);
  if (!processId && processKey) processId = processKey.slice(processKey.indexOf(':') + 1) || null;
  return { processKey, processId, entityId: text(d.entityId) };
}

/** The PDF is stored once, in credas_results.report_pdf; the event row keeps its digest and size. */
function withoutInlinePdf(data: Json): Json {
  const report = data.report;
  if (!isObject(report)) return data;
  const { pdf: _pdf, ...rest } = report;
  return { ...data, report: { ...rest, storedIn: 'credas_results.report_pdf' } };
}

function transitionRow(event: CloudEventLike): TransitionRow {
  const d = event.data;
  const kind = d.kind === 'communication' || d.kind === 'process' ? d.kind : null;
  const key = text(d.key) ?? event.subject;
  const seq = d.seq;
  const to = text(d.to);
  if (!kind || !key || !Number.isInteger(seq) || (seq as number) < 0 || !to) {
    throw new InvalidRecordError('projector.transition_fields', 'transition lacks kind, key, seq or to');
  }
  const fromStatus = text(d.from);
  const reason = text(d.reason);
  return {
    kind,
    key,
    seq: seq as number,
    entry: transitionEntry(reason, fromStatus, to),
    provider: text(d.provider) ?? event.provider ?? 'unknown',
    fromStatus,
    toStatus: to,
    final: d.final === true,
    requiresAction: d.requiresAction === true,
    reason,
    causedBy: text(d.causedBy),
    eventId: event.id,
    at: event.time,
  };
}

/**
 * An overdue notice carries the seq of the transition it comments on and changes nothing (from = to; see
 * libs/tracking/src/overdue.ts); a status change always moves, so the pair tells them apart.
 */
export function transitionEntry(reason: string | null, from: string | null, to: string): TransitionEntry {
  return reason === 'overdue' && from === to ? 'overdue' : 'transition';
}

/**
 * hookbus.credas.results: the orchestrator's retrieval of one Credas process. The report travels inline, base64 in
 * `report.pdf` (the contract's only form: results-data.schemas.ts); it must match its announced digest, or the record
 * is refused. `report_ref` stays null: no contract version carries the report by reference.
 */
function credasResultRow(event: CloudEventLike): CredasResultRow {
  const d = event.data;
  const processKey = text(d.processKey) ?? event.subject;
  const processId = text(d.processId) ?? (processKey.startsWith('credas:') ? processKey.slice('credas:'.length) : null);
  if (!processId) throw new InvalidRecordError('projector.results_process', 'results event names no processId');
  const retrievedAt = withZone(text(d.retrievedAt) ?? event.time);
  const retrievedAtMs = Date.parse(retrievedAt);
  if (Number.isNaN(retrievedAtMs)) throw new InvalidRecordError('projector.results_time', 'results retrievedAt is not a date-time');
  const report = isObject(d.report) ? d.report : {};
  const base64 = text(report.pdf);
  if (!base64) throw new InvalidRecordError('projector.results_report', 'results report carries no inline PDF (report.pdf)');
  const pdf = Buffer.from(base64, 'base64');
  const announced = text(report.sha256)?.toLowerCase() ?? null;
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  if (announced && announced !== sha256) throw new InvalidRecordError('projector.results_digest', 'report PDF does not match its sha256');
  const bytes = pdf.length;
  return {
    processId,
    processKey,
    entityId: text(d.entityId),
    details: d.details === undefined ? null : JSON.stringify(d.details),
    activeChecks: d.activeChecks === undefined ? null : JSON.stringify(d.activeChecks),
    reportPdf: pdf,
    reportRef: null,
    reportSha256: sha256,
    reportBytes: bytes,
    retrievedAt,
    retrievedAtMs,
    eventId: event.id,
  };
}

// ---- state ----------------------------------------------------------------------------------------------------

/**
 * The state topics' values (CommunicationState / ProcessState of libs/tracking), read tolerantly: the fields the
 * table needs must be there, anything else is kept in `state` as it came so a field added by the tracker is not a
 * reason to refuse the record.
 */
function readState(record: ConsumedRecord, kind: string): { json: Json; key: string; seq: number; updatedAt: string; updatedAtMs: number } {
  const json = parseObject(record.value?.toString('utf8'));
  if (!json) throw new InvalidRecordError('projector.state_not_json', `${kind} state is not a JSON object`);
  const key = text(json.key) ?? record.key?.toString('utf8');
  if (!key) throw new InvalidRecordError('projector.state_key', `${kind} state has no key`);
  const seq = Number.isInteger(json.seq) ? (json.seq as number) : 0;
  const updatedAt = withZone(text(json.updatedAt) ?? text(json.statusEventTime) ?? '');
  const updatedAtMs = Date.parse(updatedAt);
  if (Number.isNaN(updatedAtMs)) throw new InvalidRecordError('projector.state_time', `${kind} state has no valid updatedAt`);
  for (const field of ['provider', 'status']) {
    if (!text(json[field])) throw new InvalidRecordError('projector.state_fields', `${kind} state lacks ${field}`);
  }
  return { json, key, seq, updatedAt, updatedAtMs };
}

function communicationRow(record: ConsumedRecord): CommunicationRow {
  const { json, key, seq, updatedAt, updatedAtMs } = readState(record, 'communication');
  return {
    communicationId: key,
    provider: text(json.provider)!,
    channel: text(json.channel) ?? parseCommunicationId(key)?.channel ?? 'unknown',
    status: text(json.status)!,
    providerStatus: JSON.stringify(json.providerStatus ?? null),
    final: json.final === true,
    processKey: text(json.processKey),
    processId: text(json.processId),
    entityId: text(json.entityId),
    continuedAs: text(json.continuedAs),
    statusEventId: text(json.statusEventId),
    seq,
    updatedAt,
    updatedAtMs,
    state: JSON.stringify(json),
    stateOffset: record.offset,
  };
}

function processRow(record: ConsumedRecord): ProcessRow {
  const { json, key, seq, updatedAt, updatedAtMs } = readState(record, 'process');
  const entityIds = Array.isArray(json.entityIds) ? json.entityIds.filter((e): e is string => typeof e === 'string') : [];
  return {
    processKey: key,
    provider: text(json.provider)!,
    processId: text(json.processId) ?? key.slice(key.indexOf(':') + 1),
    status: text(json.status)!,
    providerStatus: JSON.stringify(json.providerStatus ?? null),
    final: json.final === true,
    version: typeof json.version === 'number' && Number.isFinite(json.version) ? json.version : null,
    statusReason: text(json.statusReason),
    entityId: text(json.entityId),
    entityIds: JSON.stringify(entityIds),
    closedAt: text(json.closedAt),
    expiresAt: text(json.expiresAt),
    statusEventId: text(json.statusEventId),
    seq,
    updatedAt,
    updatedAtMs,
    state: JSON.stringify(json),
    stateOffset: record.offset,
  };
}

// ---- dead letters ---------------------------------------------------------------------------------------------

const DLQ_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(DeadLetterHeaders));

/**
 * One failure of one record at one stage is one row, whatever retries re-publish it: the id hashes the stage and
 * the original coordinates, not the failure time.
 */
function deadLetterOrigin(record: ConsumedRecord): { stage: string; topic: string; partition: number; offset: string; id: string } {
  const h = record.headers;
  const stage = h[DeadLetterHeaders.stage];
  const topic = h[DeadLetterHeaders.originalTopic];
  const partition = Number.parseInt(h[DeadLetterHeaders.originalPartition] ?? '', 10);
  const offset = h[DeadLetterHeaders.originalOffset];
  if (!stage || !topic || !Number.isInteger(partition) || !offset || !/^\d+$/.test(offset)) {
    throw new InvalidRecordError('projector.dead_letter_headers', 'dead letter lacks its stage or origin headers');
  }
  return { stage, topic, partition, offset, id: deterministicEventId(['dead-letter', stage, topic, String(partition), offset]) };
}

/** A redrive marker (null value) names the dead letter by the same stage and origin as its row. */
function redriveRow(record: ConsumedRecord): RedriveRow {
  const at = Date.parse(record.headers[DeadLetterHeaders.redrivenAt] ?? '');
  return { id: deadLetterOrigin(record).id, redrivenAt: new Date(Number.isNaN(at) ? Number(record.timestamp) : at).toISOString() };
}

/** Header values kept in a dead letter row's text columns; the error text is cut by its writer already. */
const MAX_DEAD_LETTER_TEXT = 4000;

/**
 * A record of webhooks.deadletter is never dead-lettered again (that is how a loop starts): whatever it holds, it
 * becomes a row — as it came when it can, else salvaged (deadLetterSalvage). Text is bounded here; NUL is escaped
 * by the writer like all text.
 */
function deadLetterProjection(record: ConsumedRecord): Projection {
  try {
    return record.value === null && record.headers[DeadLetterHeaders.redriveOf] ? { redrives: [redriveRow(record)] } : { deadLetters: [deadLetterRow(record)] };
  } catch (error) {
    return { deadLetters: [deadLetterSalvage(record, error)] };
  }
}

function deadLetterRow(record: ConsumedRecord): DeadLetterRow {
  const h = record.headers;
  const { id, stage, topic, partition, offset } = deadLetterOrigin(record);
  const failedMs = Date.parse(h[DeadLetterHeaders.failedAt] ?? '');
  const attempts = Number.parseInt(h[DeadLetterHeaders.attempts] ?? '', 10);
  const original = Object.fromEntries(Object.entries(h).filter(([name]) => !DLQ_HEADER_NAMES.has(name)));
  return {
    id,
    stage: truncateUtf8(stage, 200),
    topic: truncateUtf8(topic, 400),
    partition,
    offset,
    // The key is indexed: a key too long for a btree entry (SQLSTATE 54000) is stored cut, the payload keeps it whole.
    key: record.key ? truncateUtf8(record.key.toString('utf8'), MAX_IDENTITY_BYTES) : null,
    errorCode: truncateUtf8(h[DeadLetterHeaders.errorCode] || '', 200) || null,
    error: truncateUtf8(h[DeadLetterHeaders.error] || 'unknown error', MAX_DEAD_LETTER_TEXT),
    attempts: Number.isInteger(attempts) && attempts > 0 && attempts < 2 ** 31 ? attempts : 1,
    payload: record.value,
    headers: JSON.stringify(original),
    failedAt: new Date(Number.isNaN(failedMs) ? Number(record.timestamp) : failedMs).toISOString(),
  };
}

/**
 * What can always be stored of a dead letter: where it sits on webhooks.deadletter, its payload (bytea takes any
 * bytes) and why it could not be stored as it came. Its id is its own position, so a replay lands on the same row.
 */
export function deadLetterSalvage(record: ConsumedRecord, error: unknown): DeadLetterRow {
  const timestamp = Number(record.timestamp);
  return {
    id: deterministicEventId(['dead-letter-salvaged', record.topic, String(record.partition), record.offset]),
    stage: 'unknown',
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: null,
    errorCode: 'projector.dead_letter_salvaged',
    error: `this dead letter could not be stored as it came (${errorCode(error)}); its key and headers are on ${record.topic} at this partition and offset`,
    attempts: 1,
    payload: record.value,
    headers: '{}',
    failedAt: new Date(Number.isFinite(timestamp) ? timestamp : 0).toISOString(),
  };
}

// ---- helpers --------------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(json: string | undefined): Json | null {
  if (!json) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function isUuid(value: string | null): boolean {
  return value !== null && UUID.test(value);
}

const OFFSET = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;
/** Contract event times are UTC; a time written without an offset is read as UTC, never as the server's zone. */
function withZone(iso: string): string {
  if (!iso) return iso;
  return OFFSET.test(iso) || !/T\d/.test(iso) ? iso : `${iso}Z`;
}

function isoOr(value: string | undefined, fallbackMs: number): string {
  if (value && !Number.isNaN(Date.parse(value))) return value;
  return new Date(fallbackMs).toISOString();
}
