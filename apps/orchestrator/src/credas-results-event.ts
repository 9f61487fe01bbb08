import { createHash } from 'node:crypto';
import { cloudEventEnvelope, EventTypes, Topics, deterministicEventId, encodeCloudEventRecord, encodeRetrievalMemo, type CloudEvent, type RetrievalMemo } from '@hookbus/contracts';

export type { RetrievalMemo } from '@hookbus/contracts';
import type { OutgoingRecord } from '@hookbus/kafka';
import { credasCheckStatus, credasCheckType } from '@hookbus/providers/credas';

/** What caused a retrieval: a completion, a check webhook (refresh) or an operator's re-fetch command. */
export interface RetrievalTrigger {
  readonly kind: 'completed' | 'monitoring' | 'status-update' | 'refetch';
  /** The CloudEvent id or command id: it makes the results event id deterministic. */
  readonly eventId: string;
  readonly receiptId: string;
}

/** The report as it travels on events.results.v1: inline, base64 (see README, "The PDF travels inline"). */
export interface CredasReport {
  readonly contentType: 'application/pdf';
  readonly encoding: 'base64';
  readonly pdf: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** One active check as Credas sent it, plus canonical names (libs/providers/src/credas check-status table). */
export type CredasActiveCheck = Record<string, unknown> & {
  readonly statusName: string;
  readonly statusFinal: boolean;
  readonly typeName: string | null;
};

/** `data` of hookbus.credas.results (topic events.results.v1, key processKey; table credas_results). */
export interface CredasResultsData {
  readonly processKey: string;
  readonly processId: string;
  readonly entityId: string;
  /** Where the entity id came from: the tracker's process state, the trigger event, the command, or the details' actors. */
  readonly entitySource: 'process-state' | 'event' | 'command' | 'details';
  /** GET processes/{processId}/details, as received (shape undocumented). */
  readonly details: unknown;
  readonly activeChecks: readonly CredasActiveCheck[];
  readonly report: CredasReport;
  readonly retrievedAt: string;
  readonly trigger: RetrievalTrigger;
}

export type CredasResultsEvent = CloudEvent<CredasResultsData, 'hookbus.credas.results'>;

export const RESULTS_SOURCE = '/orchestrator/credas';

export interface Retrieved {
  readonly processKey: string;
  readonly processId: string;
  readonly entityId: string;
  readonly entitySource: CredasResultsData['entitySource'];
  readonly details: unknown;
  readonly activeChecks: readonly unknown[];
  readonly pdf: Buffer;
  readonly retrievedAt: Date;
  readonly trigger: RetrievalTrigger;
}

export function withCanonicalStatus(check: unknown): CredasActiveCheck {
  const fields = typeof check === 'object' && check !== null && !Array.isArray(check) ? (check as Record<string, unknown>) : { value: check };
  const status = credasCheckStatus(fields.status);
  return { ...fields, statusName: status.status, statusFinal: status.final, typeName: credasCheckType(fields.type) };
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The results event. Its id is derived from the process and the trigger, so a retrieval repeated after a crash
 * (same trigger) publishes the same id and consumers deduplicate; a refresh or re-fetch has a new trigger, a new id.
 */
export function credasResultsEvent(r: Retrieved): CredasResultsEvent {
  return cloudEventEnvelope({
    id: deterministicEventId([EventTypes.credasResults, r.processKey, r.trigger.kind, r.trigger.eventId]),
    type: EventTypes.credasResults,
    source: RESULTS_SOURCE,
    subject: r.processKey,
    time: r.retrievedAt.toISOString(),
    provider: 'credas',
    receiptid: r.trigger.receiptId,
    data: {
      processKey: r.processKey,
      processId: r.processId,
      entityId: r.entityId,
      entitySource: r.entitySource,
      details: r.details,
      activeChecks: r.activeChecks.map(withCanonicalStatus),
      report: { contentType: 'application/pdf', encoding: 'base64', pdf: r.pdf.toString('base64'), sha256: sha256Hex(r.pdf), bytes: r.pdf.length },
      retrievedAt: r.retrievedAt.toISOString(),
      trigger: r.trigger,
    },
  });
}

export function resultsRecords(
  event: CredasResultsEvent,
  retrievalsTopic: string,
  checkEventIds: readonly string[] = [],
): { result: OutgoingRecord; memo: OutgoingRecord; memoValue: RetrievalMemo } {
  const memoValue: RetrievalMemo = {
    processKey: event.data.processKey,
    processId: event.data.processId,
    entityId: event.data.entityId,
    eventId: event.id,
    triggerEventId: event.data.trigger.eventId,
    sha256: event.data.report.sha256,
    retrievedAt: event.data.retrievedAt,
    ...(checkEventIds.length > 0 ? { checkEventIds } : {}),
  };
  return {
    result: encodeCloudEventRecord({ topic: Topics.results.name, event }),
    memo: encodeRetrievalMemo(retrievalsTopic, memoValue),
    memoValue,
  };
}
