import { parseIdentity } from '@hookbus/contracts';
import type { Queryable } from './partitions';

/**
 * What support sees for one processKey, communicationId, entity id, process id or phone number: the current
 * state, then everything that happened, receipts → events → transitions → results. Read-only; never logs.
 */
export interface Timeline {
  readonly query: string;
  readonly processes: Array<Record<string, unknown>>;
  readonly communications: Array<Record<string, unknown>>;
  readonly receipts: Array<Record<string, unknown>>;
  readonly events: Array<Record<string, unknown>>;
  readonly transitions: Array<Record<string, unknown>>;
  readonly results: Array<Record<string, unknown>>;
}

const LIMIT = 500;

export type TimelineKeyKind = 'communication' | 'process' | 'other';

/** Which identity support typed, by the contract's own parsers (a Cellosign session id may hold `:`). */
export function keyKind(key: string): TimelineKeyKind {
  return parseIdentity(key)?.kind ?? 'other';
}

export async function loadTimeline(db: Queryable, key: string): Promise<Timeline> {
  const kind = keyKind(key);
  const processes = (
    await db.query(
      `SELECT process_key, provider, process_id, status, provider_status, final, version, status_reason, entity_id, entity_ids, seq, updated_at
         FROM hookbus.processes
        WHERE process_key = $1 OR ($2 AND (process_id = $1 OR entity_id = $1 OR entity_ids @> jsonb_build_array($1::text)))
        ORDER BY updated_at LIMIT ${LIMIT}`,
      [key, kind === 'other'],
    )
  ).rows;
  const processKeys = unique([...(kind === 'process' ? [key] : []), ...processes.map((p) => p.process_key as string)]);
  const processIds = unique([...processes.map((p) => p.process_id as string), ...(kind === 'other' ? [key] : [])]);
  const communications = (
    await db.query(
      `SELECT communication_id, provider, channel, status, provider_status, final, process_key, process_id, entity_id, continued_as, seq, updated_at
         FROM hookbus.communications
        WHERE communication_id = $1 OR process_key = ANY($2::text[])
           OR ($3 AND (entity_id = $1 OR process_id = $1 OR communication_id = ANY($4::text[])
                       OR communication_id LIKE $5 OR communication_id LIKE $6))
        ORDER BY updated_at LIMIT ${LIMIT}`,
      [key, processKeys, kind === 'other', ...octapushLookup(key)],
    )
  ).rows;
  const communicationIds = unique([...(kind === 'communication' ? [key] : []), ...communications.map((c) => c.communication_id as string)]);
  const entityIds = unique([
    ...processes.flatMap((p) => [p.entity_id as string | null, ...((p.entity_ids as string[] | null) ?? [])]),
    ...communications.map((c) => c.entity_id as string | null),
    ...(kind === 'other' ? [key] : []),
  ]);
  const subjects = unique([...processKeys, ...communicationIds, ...entityIds]);
  const events = (
    await db.query(
      `SELECT event_id, time, received_at, topic, type, subject, provider, receipt_id, data
         FROM hookbus.events
        WHERE subject = ANY($1::text[]) OR process_key = ANY($2::text[]) OR entity_id = ANY($3::text[])
        ORDER BY time, event_id LIMIT ${LIMIT}`,
      [subjects, processKeys, entityIds],
    )
  ).rows;
  const receiptIds = unique(events.map((e) => e.receipt_id as string | null));
  const receipts = (
    await db.query(
      `SELECT receipt_id, received_at, source_id, provider, method, path, query, content_type, body_bytes, quarantined, refused_status, refused_reason
         FROM hookbus.receipts
        WHERE receipt_id = ANY($1::uuid[]) OR entity_key = ANY($2::text[])
        ORDER BY receipt_id LIMIT ${LIMIT}`,
      [receiptIds, unique([...processIds, ...entityIds])],
    )
  ).rows;
  const transitions = (
    await db.query(
      `SELECT 'communication' AS kind, communication_id AS key, seq, from_status, to_status, final, requires_action, reason, at
         FROM hookbus.communication_transitions WHERE communication_id = ANY($1::text[])
       UNION ALL
       SELECT 'process', process_key, seq, from_status, to_status, final, requires_action, reason, at
         FROM hookbus.process_transitions WHERE process_key = ANY($2::text[])
       ORDER BY at, key, seq LIMIT ${LIMIT}`,
      [communicationIds, processKeys],
    )
  ).rows;
  const results = (
    await db.query(
      `SELECT process_id, process_key, entity_id, retrieved_at, jsonb_array_length(CASE jsonb_typeof(active_checks) WHEN 'array' THEN active_checks ELSE '[]' END) AS active_checks,
              report_sha256, report_bytes, report_ref, report_pdf IS NOT NULL AS report_stored
         FROM hookbus.credas_results
        WHERE process_key = ANY($1::text[]) OR process_id = ANY($2::text[]) OR entity_id = ANY($3::text[])
        ORDER BY retrieved_at`,
      [processKeys, processIds, entityIds],
    )
  ).rows;
  return { query: key, processes, communications, receipts, events, transitions, results };
}

/**
 * A phone number (or other message key) as the Octapush communication ids that start with it: the whole message key,
 * or its first part (parts are ':'-separated, and escaped so a part never holds one). Matched literally: the key is
 * the operator's text, and in a LIKE pattern `%` would list every communication.
 */
function octapushLookup(key: string): [string[], string, string] {
  const literal = key.replace(/[\\%_]/g, '\\$&');
  return [[`octapush:sms:${key}`, `octapush:viber:${key}`], `octapush:sms:${literal}:%`, `octapush:viber:${literal}:%`];
}

/**
 * Plain text for a terminal: one line per fact, sections in the order things happen. Every line is escaped
 * (`terminalSafe`): provider strings and the query are someone else's text, and a control character in them would
 * drive the operator's terminal.
 */
export function formatTimeline(t: Timeline): string {
  return `${formatLines(t).map(terminalSafe).join('\n')}\n`;
}

/**
 * Control characters (C0, DEL, C1) and the Unicode bidirectional overrides, which reorder what a line appears to
 * say, written as visible escapes (`\x1b`, `\u202e`).
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** True when nothing in the read model matched the query (`npm run show` then exits 2). */
export function timelineIsEmpty(t: Timeline): boolean {
  return [t.processes, t.communications, t.receipts, t.events, t.transitions, t.results].every((rows) => rows.length === 0);
}

function formatLines(t: Timeline): string[] {
  const lines: string[] = [`hookbus timeline for ${t.query}`];
  if (timelineIsEmpty(t)) return [lines[0]!, '  nothing found (try a processKey such as credas:<ProcessId>, a communicationId, an entity id or a phone number)'];
  section(lines, 'processes (current state)', t.processes, (p) =>
    `${p.process_key}  ${p.status}${p.final ? ' (final)' : ''}  provider status ${providerStatus(p.provider_status)}  updated ${time(p.updated_at)}${p.entity_id ? `  entity ${p.entity_id}` : ''}`,
  );
  section(lines, 'communications (current state)', t.communications, (c) =>
    `${c.communication_id}  ${c.status}${c.final ? ' (final)' : ''}  provider status ${providerStatus(c.provider_status)}  updated ${time(c.updated_at)}`,
  );
  section(lines, 'receipts', t.receipts, (r) =>
    `${time(r.received_at)}  ${r.receipt_id}  ${r.method} ${r.path}${r.query ? `?${r.query}` : ''}  ${r.content_type ?? '-'} ${r.body_bytes} bytes` +
      (r.quarantined ? `  QUARANTINED ${r.refused_status ?? ''} ${r.refused_reason ?? ''}` : ''),
  );
  section(lines, 'events', t.events, (e) => `${time(e.time)}  ${e.type}  ${e.subject}  ${eventSummary(e.data)}  id ${e.event_id}`);
  section(lines, 'transitions', t.transitions, (x) =>
    `${time(x.at)}  ${x.key} #${x.seq}  ${x.from_status ?? '∅'} → ${x.to_status}${x.final ? ' (final)' : ''}${x.requires_action ? '  NEEDS ACTION' : ''}${x.reason ? `  ${x.reason}` : ''}`,
  );
  section(lines, 'credas results', t.results, (r) =>
    `${time(r.retrieved_at)}  ${r.process_key}  ${r.active_checks} active checks  report ${r.report_stored ? `stored, ${r.report_bytes} bytes, sha256 ${r.report_sha256}` : r.report_ref ? `at ${r.report_ref}` : 'none'}`,
  );
  return lines;
}

function section(lines: string[], title: string, rows: ReadonlyArray<Record<string, unknown>>, line: (row: Record<string, unknown>) => string): void {
  lines.push('', `${title} (${rows.length}${rows.length >= LIMIT ? ', first ' + LIMIT : ''})`);
  for (const row of rows) lines.push(`  ${line(row)}`);
}

function time(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value ?? '-');
}

function providerStatus(value: unknown): string {
  if (!value || typeof value !== 'object') return '-';
  const { code, text } = value as { code?: unknown; text?: unknown };
  return [code, text].filter((v) => v !== null && v !== undefined && v !== '').join(' ') || '-';
}

function eventSummary(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as Record<string, unknown>;
  if (typeof d.to === 'string') return `${d.from ?? '∅'} → ${d.to}`;
  if (typeof d.status === 'string') return `status ${d.status}${d.final ? ' (final)' : ''}`;
  if (typeof d.updateTypeName === 'string') return String(d.updateTypeName);
  return '';
}

function unique(values: ReadonlyArray<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}
