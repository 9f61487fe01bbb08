// Raw and quarantined webhook records → hookbus.receipts rows. Part of record-projection.ts's projectRecord, split along its record families.
import { InvalidRecordError, readQuarantine, readRawWebhookFacts, type ProviderName } from '@hookbus/contracts';
import { uuidV7Millis } from '@hookbus/db';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { ReceiptRow } from '../projection-rows';
import { parseObject, isoOr, type Json } from './json-fields';

export function receiptRow(record: ConsumedRecord, quarantined: boolean, secretHeaders: ReadonlySet<string>, topicProvider: ProviderName | null): ReceiptRow {
  const facts = quarantined ? readQuarantine(record) : { ...readRawWebhookFacts(record), refusedStatus: null, refusedReason: null, bodyTruncated: false };
  // Quarantine records are keyed by receipt id; raw records by the entity they are about.
  const key = facts.key;
  const receiptId = (facts.receiptId || (quarantined ? key : null) || '').toLowerCase();
  const partitionMs = uuidV7Millis(receiptId);
  if (partitionMs === null) throw new InvalidRecordError('projector.receipt_id', 'the receipt id is not a uuid v7');
  const sourceId = facts.sourceId;
  if (!sourceId) throw new InvalidRecordError('projector.receipt_source', 'record lacks its source id');
  const provider = facts.provider || topicProvider;
  if (!provider) throw new InvalidRecordError('projector.receipt_provider', 'record lacks its provider');
  return {
    receiptId,
    partitionMs,
    receivedAt: isoOr(facts.receivedAt ?? undefined, partitionMs),
    sourceId,
    provider,
    kind: facts.kind,
    entityKey: quarantined ? null : key,
    method: facts.method || 'POST',
    path: facts.path || `/webhooks/${sourceId}`,
    query: facts.query,
    pathStatus: facts.pathStatus,
    headers: JSON.stringify(publicHeaders(facts.requestHeaders ?? undefined, secretHeaders)),
    contentType: facts.contentType,
    body: facts.body,
    quarantined,
    refusedStatus: facts.refusedStatus,
    refusedReason: quarantined ? facts.refusedReason : null,
    bodyTruncated: facts.bodyTruncated,
  };
}

function publicHeaders(json: string | undefined, secret: ReadonlySet<string>): Json {
  const parsed = parseObject(json);
  if (!parsed) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([name]) => !secret.has(name.toLowerCase())));
}
