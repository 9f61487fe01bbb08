// Raw and quarantined webhook records → hookbus.receipts rows. Part of record-projection.ts's projectRecord, split along its record families.
import { InvalidRecordError, QuarantineHeaders, RawHeaders, type ProviderName } from '@hookbus/contracts';
import { uuidV7Millis } from '@hookbus/db';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { ReceiptRow } from '../projection-rows';
import { parseObject, isoOr, type Json } from './json-fields';

export function receiptRow(record: ConsumedRecord, quarantined: boolean, secretHeaders: ReadonlySet<string>, topicProvider: ProviderName | null): ReceiptRow {
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
