// CloudEvent records (events.*) → hookbus.events rows, plus transitions and Credas results. Part of record-projection.ts's projectRecord, split along its record families.
import { createHash } from 'node:crypto';
import { decodeCloudEventBody, EventTypes, InvalidRecordError, textOf } from '@hookbus/contracts';
import { uuidV7Millis } from '@hookbus/db';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { CredasResultRow, EventRow, Projection, TransitionEntry, TransitionRow } from '../projection-rows';
import { isObject, text, isUuid, withZone, type Json } from './json-fields';

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
  const json = decodeCloudEventBody(record);
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
    subject: text(json.subject) ?? textOf(record.key) ?? '',
    time: withZone(time),
    provider: text(json.provider),
    receiptid: text(json.receiptid),
    data: isObject(json.data) ? json.data : {},
  };
}

export function eventProjection(record: ConsumedRecord): Projection {
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
