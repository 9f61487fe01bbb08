import type { ProcessStatus } from '@hookbus/contracts';

export interface CellosignEventEntry {
  readonly type: string;
  readonly status: ProcessStatus;
  readonly final: boolean;
}

/**
 * Cellosign's outbound webhook event types (docs/providers/cellosign.md#event-types).
 * WHP_ARCHIVE closes the business process with its form data and signed PDF; an expired or deleted session ends it
 * too. Logging in and loading the form both mean the recipient is working on it.
 */
export const CELLOSIGN_EVENT_TYPES: readonly CellosignEventEntry[] = [
  { type: 'WHEF_SESSION_CREATED', status: 'created', final: false },
  { type: 'WHEF_CLIENT_LOGGED_IN', status: 'in_progress', final: false },
  { type: 'WHEF_CLIENT_FORM_LOADED', status: 'in_progress', final: false },
  { type: 'WHEF_CLIENT_FORM_SUBMITTED', status: 'submitted', final: false },
  { type: 'WHP_ARCHIVE', status: 'completed', final: true },
  { type: 'WHEF_SESSION_EXPIRED', status: 'expired', final: true },
  { type: 'WHEF_SESSION_DELETED', status: 'deleted', final: true },
];

const BY_TYPE: ReadonlyMap<string, CellosignEventEntry> = new Map(CELLOSIGN_EVENT_TYPES.map((e) => [e.type, e]));

/** The type as sent, trimmed and upper-cased (the documented names are upper case); unknown types are not errors. */
export function resolveCellosignEventType(type: string): { status: ProcessStatus; final: boolean } {
  const entry = BY_TYPE.get(type.trim().toUpperCase());
  return entry ? { status: entry.status, final: entry.final } : { status: 'unknown', final: false };
}
