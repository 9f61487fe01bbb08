// State records (state.communications.v1, state.processes.v1) → hookbus.communications / processes rows. Part of record-projection.ts's projectRecord, split along its record families.
import { decodeStateRecord, InvalidRecordError, parseCommunicationId } from '@hookbus/contracts';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { CommunicationRow, ProcessRow } from '../projection-rows';
import { parseObject, text, withZone, type Json } from './json-fields';

/**
 * The state topics' values (CommunicationState / ProcessState of libs/tracking), read tolerantly: the fields the
 * table needs must be there, anything else is kept in `state` as it came so a field added by the tracker is not a
 * reason to refuse the record.
 */
function readState(record: ConsumedRecord, kind: string): { json: Json; key: string; seq: number; updatedAt: string; updatedAtMs: number } {
  const decoded = decodeStateRecord(record);
  const json = parseObject(decoded.value ?? undefined);
  if (!json) throw new InvalidRecordError('projector.state_not_json', `${kind} state is not a JSON object`);
  const key = text(json.key) ?? decoded.key;
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

export function communicationRow(record: ConsumedRecord): CommunicationRow {
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

export function processRow(record: ConsumedRecord): ProcessRow {
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
