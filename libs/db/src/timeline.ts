import { parseIdentity } from '@hookbus/contracts';
import type { Queryable } from './partitions';

/**
 * What support sees for one key — a processKey, communicationId, entity id, receipt id, provider process id (Credas
 * ProcessId, Authvia business process id, Cellosign session id) or phone number: the current state of each process
 * and communication on top, then everything that happened, receipts → events → transitions → results. Every list is
 * newest first, and `entries` holds the four of them as one list, newest first, ready to render. Read-only; never logs.
 */
export interface Timeline {
  readonly query: string;
  /** Current state, most recently updated first. */
  readonly processes: Array<Record<string, unknown>>;
  readonly communications: Array<Record<string, unknown>>;
  /** What happened, each list newest first (at most TIMELINE_LIMIT rows each). */
  readonly receipts: Array<Record<string, unknown>>;
  readonly events: Array<Record<string, unknown>>;
  readonly transitions: Array<Record<string, unknown>>;
  readonly results: Array<Record<string, unknown>>;
  /** receipts, events, transitions and results merged, newest first; at the same instant the later step comes first. */
  readonly entries: TimelineEntry[];
  /** True when a list reached TIMELINE_LIMIT rows: older rows exist that were not read. */
  readonly truncated: boolean;
}

export type TimelineEntryKind = 'receipt' | 'event' | 'transition' | 'result';

export interface TimelineEntry {
  readonly kind: TimelineEntryKind;
  readonly at: Date;
  readonly row: Record<string, unknown>;
}

/** The most rows one list of a timeline holds (the newest ones). */
export const TIMELINE_LIMIT = 500;
const LIMIT = TIMELINE_LIMIT;

export type TimelineKeyKind = 'communication' | 'process' | 'other';

/** Which identity support typed, by the contract's own parsers (a Cellosign session id may hold `:`). */
export function keyKind(key: string): TimelineKeyKind {
  return parseIdentity(key)?.kind ?? 'other';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One timeline. Every lookup is a UNION of single-column, indexed lookups (an OR across columns would make Postgres
 * scan: see BENCHMARKS.md, "Console search"), each list is read newest first and cut at TIMELINE_LIMIT.
 */
export async function loadTimeline(db: Queryable, key: string): Promise<Timeline> {
  const kind = keyKind(key);
  const other = kind === 'other';
  // A receipt id (uuid v7) is also looked up as a provider id: Credas ProcessIds are uuids too.
  const receiptKey = other && UUID.test(key) ? key.toLowerCase() : null;
  const fromReceipt = receiptKey ? await receiptIdentities(db, receiptKey) : { identities: [], entityKeys: [] };
  const seeds = [...(other ? [] : [key]), ...fromReceipt.identities];
  // Keys read as provider ids or entity ids: what support typed (unless it is a contract identity) and, for a receipt, the ids it carried.
  const otherKeys = unique([...(other ? [key] : []), ...fromReceipt.entityKeys]);
  const seedProcessKeys = seeds.filter((k) => keyKind(k) === 'process');
  const seedCommunicationIds = seeds.filter((k) => keyKind(k) === 'communication');

  const processes = (
    await db.query(
      `SELECT process_key, provider, process_id, status, provider_status, final, version, status_reason, entity_id, entity_ids, seq, updated_at
         FROM hookbus.processes
        WHERE process_key IN (
                SELECT process_key FROM hookbus.processes WHERE process_key = ANY($1::text[])
                UNION ALL SELECT process_key FROM hookbus.processes WHERE process_id = ANY($2::text[])
                UNION ALL SELECT process_key FROM hookbus.processes WHERE entity_id = ANY($2::text[])
                UNION ALL SELECT process_key FROM hookbus.processes WHERE entity_ids @> ANY($3::jsonb[])
                UNION ALL SELECT process_key FROM hookbus.communications WHERE communication_id = ANY($4::text[]))
        ORDER BY updated_at DESC, process_key LIMIT ${LIMIT}`,
      [seedProcessKeys, otherKeys, otherKeys.map((k) => JSON.stringify([k])), seedCommunicationIds],
    )
  ).rows;
  // A communication's story is its process's (a Credas SMS or email belongs to one): found above, on top.
  const processKeys = unique([...seedProcessKeys, ...processes.map((p) => p.process_key as string)]);
  const processIds = unique([...processes.map((p) => p.process_id as string), ...otherKeys]);
  const phone = other ? octapushLookup(key) : { ids: [], patterns: [] };
  const communications = (
    await db.query(
      `SELECT communication_id, provider, channel, status, provider_status, final, process_key, process_id, entity_id, continued_as, seq, updated_at
         FROM hookbus.communications
        WHERE communication_id IN (
                SELECT communication_id FROM hookbus.communications WHERE communication_id = ANY($1::text[])
                UNION ALL SELECT communication_id FROM hookbus.communications WHERE process_key = ANY($2::text[])
                UNION ALL SELECT communication_id FROM hookbus.communications WHERE entity_id = ANY($3::text[])
                UNION ALL SELECT communication_id FROM hookbus.communications WHERE process_id = ANY($3::text[])
                ${phone.patterns.map((_, i) => `UNION ALL SELECT communication_id FROM hookbus.communications WHERE communication_id LIKE $${4 + i}`).join('\n')})
        ORDER BY updated_at DESC, communication_id LIMIT ${LIMIT}`,
      [[...seedCommunicationIds, ...phone.ids], processKeys, otherKeys, ...phone.patterns],
    )
  ).rows;
  const communicationIds = unique([...seedCommunicationIds, ...communications.map((c) => c.communication_id as string)]);
  const entityIds = unique([
    ...processes.flatMap((p) => [p.entity_id as string | null, ...((p.entity_ids as string[] | null) ?? [])]),
    ...communications.map((c) => c.entity_id as string | null),
    ...otherKeys,
  ]);
  const subjects = unique([...processKeys, ...communicationIds, ...entityIds]);
  const events = newest(
    (
      await db.query(
        `(SELECT ${EVENT_COLUMNS} FROM hookbus.events WHERE subject = ANY($1::text[]) ORDER BY time DESC LIMIT ${LIMIT})
         UNION ALL (SELECT ${EVENT_COLUMNS} FROM hookbus.events WHERE process_key = ANY($2::text[]) ORDER BY time DESC LIMIT ${LIMIT})
         UNION ALL (SELECT ${EVENT_COLUMNS} FROM hookbus.events WHERE entity_id = ANY($3::text[]) ORDER BY time DESC LIMIT ${LIMIT})
         UNION ALL (SELECT ${EVENT_COLUMNS} FROM hookbus.events WHERE receipt_id = ANY($4::uuid[]) ORDER BY time DESC LIMIT ${LIMIT})`,
        [subjects, processKeys, entityIds, receiptKey ? [receiptKey] : []],
      )
    ).rows,
    'event_id',
    (e) => [e.time, e.event_id],
  );
  const receiptIds = unique([...events.map((e) => e.receipt_id as string | null), receiptKey]);
  const receipts = newest(
    (
      await db.query(
        `(SELECT ${RECEIPT_COLUMNS} FROM hookbus.receipts WHERE receipt_id = ANY($1::uuid[]) ORDER BY receipt_id DESC LIMIT ${LIMIT})
         UNION ALL (SELECT ${RECEIPT_COLUMNS} FROM hookbus.receipts WHERE entity_key = ANY($2::text[]) ORDER BY receipt_id DESC LIMIT ${LIMIT})`,
        [receiptIds, unique([...processIds, ...entityIds])],
      )
    ).rows,
    'receipt_id',
    (r) => [r.received_at, r.receipt_id],
  );
  const transitions = (
    await db.query(
      `(SELECT 'communication' AS kind, communication_id AS key, seq, from_status, to_status, final, requires_action, reason, at
          FROM hookbus.communication_transitions WHERE communication_id = ANY($1::text[]) ORDER BY at DESC LIMIT ${LIMIT})
       UNION ALL
       (SELECT 'process', process_key, seq, from_status, to_status, final, requires_action, reason, at
          FROM hookbus.process_transitions WHERE process_key = ANY($2::text[]) ORDER BY at DESC LIMIT ${LIMIT})
       ORDER BY at DESC, key, seq DESC LIMIT ${LIMIT}`,
      [communicationIds, processKeys],
    )
  ).rows;
  const results = newest(
    (
      await db.query(
        `(SELECT ${RESULT_COLUMNS} FROM hookbus.credas_results WHERE process_id = ANY($2::text[]))
         UNION ALL (SELECT ${RESULT_COLUMNS} FROM hookbus.credas_results WHERE process_key = ANY($1::text[]))
         UNION ALL (SELECT ${RESULT_COLUMNS} FROM hookbus.credas_results WHERE entity_id = ANY($3::text[]))`,
        [processKeys, processIds, entityIds],
      )
    ).rows,
    'process_id',
    (r) => [r.retrieved_at, r.process_id],
  );
  const truncated = [processes, communications, receipts, events, transitions, results].some((rows) => rows.length >= LIMIT);
  return { query: key, processes, communications, receipts, events, transitions, results, entries: mergeEntries({ receipts, events, transitions, results }), truncated };
}

const EVENT_COLUMNS = 'event_id, time, received_at, topic, type, subject, provider, receipt_id, data';
const RECEIPT_COLUMNS = 'receipt_id, received_at, source_id, provider, method, path, query, content_type, body_bytes, quarantined, refused_status, refused_reason';
const RESULT_COLUMNS = `process_id, process_key, entity_id, retrieved_at,
  jsonb_array_length(CASE jsonb_typeof(active_checks) WHEN 'array' THEN active_checks ELSE '[]' END) AS active_checks,
  report_sha256, report_bytes, report_ref, report_pdf IS NOT NULL AS report_stored`;

/**
 * A receipt id's way into the story: the identities of the events it became (subjects, processKeys) and the ids it
 * carried (the entity ids of those events, the receipt's own entity key: a Credas ProcessId), looked up like typed ones.
 */
async function receiptIdentities(db: Queryable, receiptId: string): Promise<{ identities: string[]; entityKeys: string[] }> {
  const rows = (
    await db.query(
      `SELECT subject, process_key, entity_id FROM hookbus.events WHERE receipt_id = $1::uuid
       UNION ALL SELECT NULL, NULL, entity_key FROM hookbus.receipts WHERE receipt_id = $1::uuid`,
      [receiptId],
    )
  ).rows as Array<{ subject: string | null; process_key: string | null; entity_id: string | null }>;
  const identities = unique(rows.flatMap((r) => [r.subject, r.process_key])).filter((k) => keyKind(k) !== 'other');
  const entityKeys = unique([...rows.map((r) => r.entity_id), ...rows.map((r) => r.subject).filter((s) => s !== null && keyKind(s) === 'other')]);
  return { identities, entityKeys };
}

/** Rows of several lookups without repeats (one row may match two), newest first, at most TIMELINE_LIMIT. */
function newest(rows: Array<Record<string, unknown>>, id: string, order: (row: Record<string, unknown>) => [unknown, unknown]): Array<Record<string, unknown>> {
  const seen = new Map<string, Record<string, unknown>>();
  for (const row of rows) if (!seen.has(String(row[id]))) seen.set(String(row[id]), row);
  return [...seen.values()]
    .sort((a, b) => {
      const [at, aid] = order(a);
      const [bt, bid] = order(b);
      return millis(bt) - millis(at) || String(bid).localeCompare(String(aid));
    })
    .slice(0, LIMIT);
}

/** Downstream first at the same instant: a result after the transition after the event after the receipt. */
const STEP: Record<TimelineEntryKind, number> = { receipt: 0, event: 1, transition: 2, result: 3 };

function mergeEntries(t: Pick<Timeline, 'receipts' | 'events' | 'transitions' | 'results'>): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...t.receipts.map((row) => ({ kind: 'receipt' as const, at: asDate(row.received_at), row })),
    ...t.events.map((row) => ({ kind: 'event' as const, at: asDate(row.time), row })),
    ...t.transitions.map((row) => ({ kind: 'transition' as const, at: asDate(row.at), row })),
    ...t.results.map((row) => ({ kind: 'result' as const, at: asDate(row.retrieved_at), row })),
  ];
  // Stable: within one kind and instant, the list's own order (already newest first) stays.
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime() || STEP[b.kind] - STEP[a.kind]);
}

function millis(value: unknown): number {
  return asDate(value).getTime();
}

function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/**
 * A phone number (or other message key) as the Octapush communication ids that start with it: the whole message key,
 * or its first part (parts are ':'-separated, and escaped so a part never holds one). Matched literally: the key is
 * the operator's text, and in a LIKE pattern `%` would list every communication. A number typed with spaces, dashes,
 * dots or brackets ("+30 691-234 5678") is also looked up as written without them (Octapush keys hold E.164).
 */
function octapushLookup(key: string): { ids: string[]; patterns: string[] } {
  const compact = /^\+?[\d\s().-]+$/.test(key) ? key.replace(/[\s().-]/g, '') : key;
  const keys = unique([key, compact]);
  const ids = keys.flatMap((k) => [`octapush:sms:${k}`, `octapush:viber:${k}`]);
  const patterns = keys.flatMap((k) => {
    const literal = k.replace(/[\\%_]/g, '\\$&');
    return [`octapush:sms:${literal}:%`, `octapush:viber:${literal}:%`];
  });
  return { ids, patterns };
}

/**
 * Plain text for a terminal: one line per fact, sections in the order things happen, each newest first (as the console
 * shows them). Every line is escaped
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
  if (timelineIsEmpty(t)) {
    return [lines[0]!, '  nothing found (try a processKey such as credas:<ProcessId>, a communicationId, an entity id, a receipt id, a provider process or session id, or a phone number)'];
  }
  lines.push('newest first in every section');
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
