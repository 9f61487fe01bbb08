import { decodeRefetchCommand, decodeRetryRecord, EventTypes, InvalidRecordError, readCloudEventBody, Topics, type CheckUpdateData, type CloudEvent, type ProcessStatusData } from '@hookbus/contracts';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { RetrievalTrigger } from './credas-results-event';
import { COMMANDS_TOPIC } from './retry-schedule';

/** One Credas retrieval to make. */
export interface RetrievalJob {
  readonly processKey: string;
  readonly processId: string;
  /** An entity the trigger named (a re-fetch command may); the process state and details come after it. */
  readonly entityIdHint: string | null;
  /** Retrieve even if already retrieved (refresh, re-fetch). */
  readonly force: boolean;
  readonly trigger: RetrievalTrigger;
  /** The attempt about to be made, 1-based. */
  readonly attempt: number;
  /** Not before this (epoch ms); 0 for now. */
  readonly dueAt: number;
  /** The original record (after a retry: as it was on its origin topic), for retry lanes and dead letters. */
  readonly origin: ConsumedRecord;
  /** Check webhooks of the same batch merged into this forced retrieval: it reflects them too. */
  readonly mergedCheckIds?: readonly string[];
}

/** Check webhook triggers (refreshes), as opposed to completions and operator re-fetches. */
export function isCheckTrigger(trigger: RetrievalTrigger): boolean {
  return trigger.kind === 'monitoring' || trigger.kind === 'status-update';
}

/** The check webhooks (event ids) a successful retrieval for this job reflects. */
export function checkIdsOf(job: RetrievalJob): string[] {
  return [...(isCheckTrigger(job.trigger) ? [job.trigger.eventId] : []), ...(job.mergedCheckIds ?? [])];
}

/** A check webhook: refresh every retrieved process of the entity (resolved against memory at flush time). */
export interface RefreshRequest {
  readonly entityId: string;
  readonly trigger: RetrievalTrigger;
  readonly origin: ConsumedRecord;
}

export type Planned = { readonly job: RetrievalJob } | { readonly refresh: RefreshRequest };

const CREDAS_PREFIX = 'credas:';

/**
 * What one consumed record asks of the orchestrator. Records of other providers or statuses ask nothing; a
 * malformed record throws InvalidRecordError and is dead-lettered by the runner.
 */
export function planRecord(record: ConsumedRecord): Planned[] {
  const retry = retryOrigin(record);
  const origin = retry?.origin ?? record;
  const planned = planOrigin(origin);
  if (!retry) return planned;
  return planned
    .map((p): Planned | null => {
      if ('job' in p) return { job: { ...p.job, attempt: retry.attempt, dueAt: retry.dueAt, force: p.job.force || retry.force } };
      // A refresh is retried per process: the retry names the one that failed.
      if (!retry.processKey) return null;
      return { job: jobFor(retry.processKey, null, true, p.refresh.trigger, origin, retry.attempt, retry.dueAt) };
    })
    .filter((p): p is Planned => p !== null);
}

function planOrigin(record: ConsumedRecord): Planned[] {
  if (record.topic === Topics.processes.name) return planCompletion(record);
  if (record.topic === Topics.checks.name) return planCheckUpdate(record);
  if (record.topic === COMMANDS_TOPIC) return planCommand(record);
  throw new InvalidRecordError('orchestrator.unexpected_topic', `the orchestrator does not read ${record.topic}`);
}

function planCompletion(record: ConsumedRecord): Planned[] {
  const event = parseEvent<ProcessStatusData>(record);
  if (event.type !== EventTypes.processStatus || event.data?.provider !== 'credas' || event.data.status !== 'completed') return [];
  const key = requireString(event.data.processKey, 'data.processKey');
  const trigger: RetrievalTrigger = { kind: 'completed', eventId: requireString(event.id, 'id'), receiptId: event.receiptid ?? '' };
  return [{ job: jobFor(key, event.data.entityId ?? null, false, trigger, record, 1, 0) }];
}

function planCheckUpdate(record: ConsumedRecord): Planned[] {
  const event = parseEvent<CheckUpdateData>(record);
  if (event.type !== EventTypes.checkUpdate || event.data?.provider !== 'credas') return [];
  const kind = event.data.kind === 'monitoring' ? 'monitoring' : 'status-update';
  const trigger: RetrievalTrigger = { kind, eventId: requireString(event.id, 'id'), receiptId: event.receiptid ?? '' };
  return [{ refresh: { entityId: requireString(event.data.entityId, 'data.entityId'), trigger, origin: record } }];
}

function planCommand(record: ConsumedRecord): Planned[] {
  const { commandId, processId, entityId } = decodeRefetchCommand(record);
  const trigger: RetrievalTrigger = { kind: 'refetch', eventId: commandId, receiptId: commandId };
  return [{ job: jobFor(`${CREDAS_PREFIX}${processId}`, entityId ?? null, true, trigger, record, 1, 0) }];
}

function jobFor(processKey: string, entityIdHint: string | null, force: boolean, trigger: RetrievalTrigger, origin: ConsumedRecord, attempt: number, dueAt: number): RetrievalJob {
  if (!processKey.startsWith(CREDAS_PREFIX) || processKey.length === CREDAS_PREFIX.length) {
    throw new InvalidRecordError('orchestrator.invalid_process_key', 'the process key is not credas:{processId}');
  }
  return { processKey, processId: processKey.slice(CREDAS_PREFIX.length), entityIdHint, force, trigger, attempt, dueAt, origin };
}

interface RetryOrigin {
  readonly origin: ConsumedRecord;
  readonly attempt: number;
  readonly dueAt: number;
  readonly processKey: string | null;
  readonly force: boolean;
}

/** A retry-lane record back into its original record (its origin topic, partition, offset and own headers). */
export function retryOrigin(record: ConsumedRecord): RetryOrigin | null {
  const retry = decodeRetryRecord(record);
  if (!retry) return null;
  return { origin: { ...record, ...retry.origin }, attempt: retry.attempt, dueAt: retry.dueAt, processKey: retry.processKey, force: retry.force };
}

/** The CloudEvent's body through its codec; the fields this stage uses are checked where they are used. */
function parseEvent<T>(record: ConsumedRecord): CloudEvent<T> {
  return readCloudEventBody(record, 'orchestrator') as unknown as CloudEvent<T>;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidRecordError('orchestrator.invalid_event', `${field} must be a non-empty string`);
  return value;
}
