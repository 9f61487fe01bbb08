import { InvalidRecordError } from '../errors';
import {
  CONSOLE_AUDIT_ACTIONS,
  CONSOLE_AUDIT_LIMITS,
  CONSOLE_AUDIT_OUTCOMES,
  CONSOLE_AUDIT_ROLES,
  CONSOLE_AUDIT_TARGET_KINDS,
} from '../schemas/console-audit.schemas';
import { Topics } from '../topics';
import { jsonValueOf, type EncodedRecord, type RecordMessage } from './kafka-record';

export type ConsoleAuditAction = (typeof CONSOLE_AUDIT_ACTIONS)[number];
export type ConsoleAuditOutcome = (typeof CONSOLE_AUDIT_OUTCOMES)[number];
export type ConsoleAuditRole = (typeof CONSOLE_AUDIT_ROLES)[number];
export type ConsoleAuditTargetKind = (typeof CONSOLE_AUDIT_TARGET_KINDS)[number];

/**
 * One console action on console.audit.v1 (schema ConsoleAuditRecord): written by the console (apps/console), read
 * by the projector into hookbus.console_audit, once per actionId.
 */
export interface ConsoleAuditRecord {
  readonly actionId: string;
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly actor: string;
  readonly role: ConsoleAuditRole;
  readonly action: ConsoleAuditAction;
  readonly target: { readonly kind: ConsoleAuditTargetKind; readonly ids: readonly string[] };
  readonly outcome: ConsoleAuditOutcome;
  readonly detail: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** At most `max` characters (code points, as JSON Schema's maxLength counts). */
function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

/**
 * Keyed by the actionId, no headers; the fields in schema order. The writer keeps to the schema's bounds (actor,
 * detail and target ids cut, at most CONSOLE_AUDIT_LIMITS.targetIds ids: the detail says how many there were), so
 * a record it writes always decodes; an actionId that is not a uuid or a time that is not UTC is a bug and throws.
 */
export function encodeConsoleAudit(record: ConsoleAuditRecord): EncodedRecord {
  if (!UUID.test(record.actionId)) throw new InvalidRecordError('contracts.invalid_audit_record', 'the actionId is not a uuid');
  if (!UTC.test(record.at)) throw new InvalidRecordError('contracts.invalid_audit_record', 'at is not an ISO 8601 UTC time');
  const ids = record.target.ids.filter((id) => id !== '').map((id) => cut(id, CONSOLE_AUDIT_LIMITS.targetId));
  const kept = ids.slice(0, CONSOLE_AUDIT_LIMITS.targetIds);
  const more = ids.length > kept.length ? ` (${ids.length} targets, the first ${kept.length} listed)` : '';
  const value = {
    actionId: record.actionId.toLowerCase(),
    at: record.at,
    actor: cut(record.actor === '' ? '?' : record.actor, CONSOLE_AUDIT_LIMITS.actor),
    role: record.role,
    action: record.action,
    target: { kind: record.target.kind, ids: kept },
    outcome: record.outcome,
    detail: cut(`${record.detail}${more}`, CONSOLE_AUDIT_LIMITS.detail),
  };
  return { topic: Topics.consoleAudit.name, key: value.actionId, value: Buffer.from(JSON.stringify(value)), headers: {} };
}

/**
 * An audit record, InvalidRecordError otherwise (the projector dead-letters it): projector.empty_record for no
 * value, projector.invalid_json for bytes that are not JSON, projector.invalid_audit_record naming the first field
 * that breaks the schema.
 */
export function decodeConsoleAudit(message: RecordMessage): ConsoleAuditRecord {
  const json = jsonValueOf(message, 'projector');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('the value is not an object');
  const r = json as Record<string, unknown>;
  const actionId = r.actionId;
  if (typeof actionId !== 'string' || !UUID.test(actionId)) throw invalid('actionId must be a uuid');
  if (typeof r.at !== 'string' || !UTC.test(r.at) || Number.isNaN(Date.parse(r.at))) throw invalid('at must be an ISO 8601 UTC time');
  const actor = boundedString(r.actor, 'actor', CONSOLE_AUDIT_LIMITS.actor, 1);
  const role = oneOf(r.role, CONSOLE_AUDIT_ROLES, 'role');
  const action = oneOf(r.action, CONSOLE_AUDIT_ACTIONS, 'action');
  const outcome = oneOf(r.outcome, CONSOLE_AUDIT_OUTCOMES, 'outcome');
  const detail = boundedString(r.detail, 'detail', CONSOLE_AUDIT_LIMITS.detail, 0);
  const target = r.target as Record<string, unknown> | null;
  if (typeof target !== 'object' || target === null || Array.isArray(target)) throw invalid('target must be an object');
  const kind = oneOf(target.kind, CONSOLE_AUDIT_TARGET_KINDS, 'target.kind');
  if (!Array.isArray(target.ids) || target.ids.length > CONSOLE_AUDIT_LIMITS.targetIds) throw invalid(`target.ids must be a list of at most ${CONSOLE_AUDIT_LIMITS.targetIds}`);
  const ids = target.ids.map((id) => boundedString(id, 'target.ids[]', CONSOLE_AUDIT_LIMITS.targetId, 1));
  return { actionId: actionId.toLowerCase(), at: r.at, actor, role, action, target: { kind, ids }, outcome, detail };
}

function invalid(reason: string): InvalidRecordError {
  return new InvalidRecordError('projector.invalid_audit_record', `console audit record: ${reason}`);
}

function boundedString(value: unknown, field: string, max: number, min: number): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  const length = [...value].length;
  if (length < min || length > max) throw invalid(`${field} must be ${min}–${max} characters`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw invalid(`${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export const consoleAuditCodec = { encode: encodeConsoleAudit, decode: decodeConsoleAudit } as const;
