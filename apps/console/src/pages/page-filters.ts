import { CONSOLE_AUDIT_ACTIONS } from '@hookbus/contracts';
import type { AuditFilter, DeadLetterFilter } from '../operations-queries';

/**
 * The operators' pages' query strings, read into filters (pure): a value that is not plausible is dropped and
 * named, so a typo shows as "ignored" rather than as an empty list or an error.
 */
export interface Parsed<T> {
  readonly filter: T;
  /** The parameters ignored, with why. */
  readonly ignored: readonly string[];
}

const NAME = /^[A-Za-z0-9._:-]{1,200}$/;
/** `since`: an ISO time, or a duration back from now (`15m`, `2h`, `7d`). */
const DURATION = /^(\d{1,4})([mhd])$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDeadLetterFilter(query: Record<string, unknown>, now: Date): Parsed<DeadLetterFilter> {
  const ignored: string[] = [];
  const name = (key: 'stage' | 'topic' | 'code'): string | undefined => {
    const value = typeof query[key] === 'string' ? (query[key] as string).trim() : '';
    if (value === '') return undefined;
    if (NAME.test(value)) return value;
    ignored.push(`${key}: not a ${key} name`);
    return undefined;
  };
  const filter: { stage?: string; topic?: string; code?: string; since?: Date } = {};
  const stage = name('stage');
  const topic = name('topic');
  const code = name('code');
  if (stage) filter.stage = stage;
  if (topic) filter.topic = topic;
  if (code) filter.code = code;
  const since = typeof query.since === 'string' ? query.since.trim() : '';
  if (since !== '') {
    const duration = DURATION.exec(since);
    const at = duration ? new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!) : new Date(since);
    if (Number.isNaN(at.getTime()) || (!duration && !/^\d{4}-\d{2}-\d{2}/.test(since))) ignored.push('since: an ISO time or a duration such as 15m, 2h, 7d');
    else filter.since = at;
  }
  return { filter, ignored };
}

export function parseAuditFilter(query: Record<string, unknown>): Parsed<AuditFilter> {
  const ignored: string[] = [];
  const filter: { actor?: string; action?: string } = {};
  const actor = typeof query.actor === 'string' ? query.actor.trim() : '';
  if (actor !== '') filter.actor = actor.slice(0, 200);
  const action = typeof query.action === 'string' ? query.action.trim() : '';
  if (action !== '') {
    if ((CONSOLE_AUDIT_ACTIONS as readonly string[]).includes(action)) filter.action = action;
    else ignored.push(`action: one of ${CONSOLE_AUDIT_ACTIONS.join(', ')}`);
  }
  return { filter, ignored };
}

/** A form field that may be given once or several times (checkboxes), as a list of non-empty strings. */
export function formList(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>)[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** A dead letter's row id (deadLetterRowId: a uuid-shaped digest). */
export const DEAD_LETTER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
