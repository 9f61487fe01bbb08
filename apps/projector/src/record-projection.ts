import { ALWAYS_SECRET_HEADERS, InvalidRecordError, PROVIDERS, Topics, type ProviderName } from '@hookbus/contracts';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { Projection } from './projection-rows';
import { consoleAuditProjection } from './projection/console-audit-rows';
import { deadLetterProjection } from './projection/dead-letter-rows';
import { eventProjection } from './projection/event-rows';
import { receiptRow } from './projection/receipt-rows';
import { communicationRow, processRow } from './projection/state-rows';

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

/** The topics projectRecord dispatches; the projector subscribes to STAGES.projector.inputs (record-projection.spec.ts: the same). */
export const PROJECTED_TOPICS: readonly string[] = [
  ...RAW_TOPICS.keys(),
  Topics.quarantine.name,
  ...EVENT_TOPICS,
  Topics.communicationState.name,
  Topics.processState.name,
  Topics.deadLetter.name,
  Topics.consoleAudit.name,
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
  if (record.topic === Topics.consoleAudit.name) return consoleAuditProjection(record);
  throw new InvalidRecordError('projector.unknown_topic', `the projector does not read topic ${record.topic}`);
}

export { deadLetterSalvage } from './projection/dead-letter-rows';
export { transitionEntry } from './projection/event-rows';
