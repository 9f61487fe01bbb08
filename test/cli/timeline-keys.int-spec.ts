import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ensurePartition, loadTimeline, type Timeline } from '@hookbus/db';
import { TEST_DATABASE_URL } from '@hookbus/testing';

/**
 * Every key the console's search box (and `npm run show`) takes finds its story in the real read model: one row per
 * kind of key, each naming what the timeline must hold. Rows are this run's only (ids carry `run`), written as the
 * projector writes them.
 */
let db: Client;
const run = randomUUID().slice(0, 8);
const digits = String(parseInt(run, 16) % 100_000_000).padStart(8, '0');
const t = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute));
/** uuid v7 ids minted at `t(minute)`: receipt ids are, and the receipts table is partitioned by them. */
const receiptId = (minute: number) => {
  const hex = t(minute).getTime().toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${randomUUID().slice(15)}`;
};

const credas = { processId: randomUUID(), entityId: `E-${run}`, receipt: receiptId(1), laterReceipt: receiptId(5) };
const credasKey = `credas:${credas.processId}`;
const credasSms = `credas:${credas.processId}:7:sms`;
const authvia = { businessProcessId: `bp-${run}`, receipt: receiptId(2) };
const cellosign = { sessionId: `S-${run}:2`, receipt: receiptId(3) };
const phone = `+3069${digits}`;
const octapush = { id: `octapush:sms:${phone}`, campaign: `octapush:sms:${phone}:campaign-7`, receipt: receiptId(4) };

async function insertProcess(key: string, provider: string, processId: string, updated: Date, entityId: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO hookbus.processes (process_key, provider, process_id, status, provider_status, final, entity_id, entity_ids, seq, updated_at, state, state_offset)
     VALUES ($1, $2, $3, 'completed', '{"code":"3","text":"Completed"}', true, $4, $5, 2, $6, '{}', 0)`,
    [key, provider, processId, entityId, JSON.stringify(entityId ? [entityId] : []), updated],
  );
}

async function insertCommunication(id: string, provider: string, updated: Date, processKey: string | null = null, processId: string | null = null, entityId: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO hookbus.communications (communication_id, provider, channel, status, provider_status, final, process_key, process_id, entity_id, seq, updated_at, state, state_offset)
     VALUES ($1, $2, 'sms', 'delivered', '{"code":"DELIVRD"}', true, $3, $4, $5, 2, $6, '{}', 0)`,
    [id, provider, processKey, processId, entityId, updated],
  );
}

async function insertReceipt(id: string, provider: string, entityKey: string | null, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO hookbus.receipts (receipt_id, received_at, source_id, provider, entity_key, method, path, query, headers, body, body_bytes)
     VALUES ($1, $2, $3, $3, $4, 'POST', $5, '', '{}', '\\x7b7d', 2)`,
    [id, at, provider, entityKey, `/webhooks/${provider}`],
  );
}

async function insertEvent(id: string, subject: string, receipt: string | null, at: Date, ids: { processKey?: string; processId?: string; entityId?: string } = {}): Promise<void> {
  await db.query(
    `INSERT INTO hookbus.events (event_id, received_at, topic, type, source, subject, time, provider, receipt_id, process_key, process_id, entity_id, data)
     VALUES ($1, $2, 'events.test.v1', 'hookbus.test', '/test', $3, $2, 'test', $4, $5, $6, $7, '{"status":"delivered"}')`,
    [id, at, subject, receipt, ids.processKey ?? null, ids.processId ?? null, ids.entityId ?? null],
  );
}

beforeAll(async () => {
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  await ensurePartition(db, 'receipts', t(0).getTime());
  await ensurePartition(db, 'events', t(0).getTime());

  // Credas: a process with an entity, its SMS, two receipts, events, transitions and a result.
  await insertProcess(credasKey, 'credas', credas.processId, t(6), credas.entityId);
  await insertCommunication(credasSms, 'credas', t(5), credasKey, credas.processId, credas.entityId);
  await insertReceipt(credas.receipt, 'credas', credas.processId, t(1));
  await insertReceipt(credas.laterReceipt, 'credas', credas.processId, t(5));
  const ids = { processKey: credasKey, processId: credas.processId, entityId: credas.entityId };
  await insertEvent(`ev-${run}-c1`, credasKey, credas.receipt, t(1), ids);
  await insertEvent(`ev-${run}-c2`, credasSms, credas.laterReceipt, t(5), ids);
  await db.query(
    `INSERT INTO hookbus.process_transitions (process_key, seq, provider, from_status, to_status, final, requires_action, event_id, at)
     VALUES ($1, 1, 'credas', NULL, 'in_progress', false, false, $2, $3), ($1, 2, 'credas', 'in_progress', 'completed', true, false, $4, $5)`,
    [credasKey, `tr-${run}-p1`, t(1), `tr-${run}-p2`, t(6)],
  );
  await db.query(
    `INSERT INTO hookbus.communication_transitions (communication_id, seq, provider, from_status, to_status, final, requires_action, event_id, at)
     VALUES ($1, 1, 'credas', NULL, 'delivered', true, false, $2, $3)`,
    [credasSms, `tr-${run}-c1`, t(5)],
  );
  await db.query(
    `INSERT INTO hookbus.credas_results (process_id, process_key, entity_id, active_checks, report_pdf, report_sha256, report_bytes, retrieved_at, event_id)
     VALUES ($1, $2, $3, '[]', '\\x25504446', 'abc', 4, $4, $5)`,
    [credas.processId, credasKey, credas.entityId, t(7), `res-${run}`],
  );

  // Authvia and Cellosign: a process, a receipt and its event each (a Cellosign session id may hold ':').
  await insertProcess(`authvia:${authvia.businessProcessId}`, 'authvia', authvia.businessProcessId, t(2));
  await insertReceipt(authvia.receipt, 'authvia', authvia.businessProcessId, t(2));
  await insertEvent(`ev-${run}-a1`, `authvia:${authvia.businessProcessId}`, authvia.receipt, t(2), { processKey: `authvia:${authvia.businessProcessId}`, processId: authvia.businessProcessId });
  await insertProcess(`cellosign:${cellosign.sessionId}`, 'cellosign', cellosign.sessionId, t(3));
  await insertReceipt(cellosign.receipt, 'cellosign', cellosign.sessionId, t(3));
  await insertEvent(`ev-${run}-s1`, `cellosign:${cellosign.sessionId}`, cellosign.receipt, t(3), { processKey: `cellosign:${cellosign.sessionId}`, processId: cellosign.sessionId });

  // Octapush: two message keys of one phone number, one receipt (its key: the message key) and its event.
  await insertCommunication(octapush.id, 'octapush', t(4));
  await insertCommunication(octapush.campaign, 'octapush', t(3));
  await insertReceipt(octapush.receipt, 'octapush', phone, t(4));
  await insertEvent(`ev-${run}-o1`, octapush.id, octapush.receipt, t(4));
});

afterAll(async () => {
  await db.end();
});

interface Story {
  processes?: string[];
  communications?: string[];
  receipts?: string[];
  events?: string[];
  transitions?: number;
  results?: string[];
}

/** What the timeline holds of this run's rows (other files' rows share the database). */
function story(timeline: Timeline): Required<Story> {
  const mine = (values: unknown[]) => values.map(String).filter((v) => v.includes(run) || [phone, credas.processId, credas.receipt, credas.laterReceipt, authvia.receipt, cellosign.receipt, octapush.receipt].some((id) => v.includes(id)));
  return {
    processes: mine(timeline.processes.map((p) => p.process_key)).sort(),
    communications: mine(timeline.communications.map((c) => c.communication_id)).sort(),
    receipts: mine(timeline.receipts.map((r) => r.receipt_id)).sort(),
    events: mine(timeline.events.map((e) => e.event_id)).sort(),
    transitions: timeline.transitions.filter((x) => mine([x.key]).length > 0).length,
    results: mine(timeline.results.map((r) => r.process_id)).sort(),
  };
}

const credasStory: Required<Story> = {
  processes: [credasKey],
  communications: [credasSms],
  receipts: [credas.receipt, credas.laterReceipt].sort(),
  events: [`ev-${run}-c1`, `ev-${run}-c2`],
  transitions: 3,
  results: [credas.processId],
};
const authviaStory: Required<Story> = { processes: [`authvia:${authvia.businessProcessId}`], communications: [], receipts: [authvia.receipt], events: [`ev-${run}-a1`], transitions: 0, results: [] };
const cellosignStory: Required<Story> = { processes: [`cellosign:${cellosign.sessionId}`], communications: [], receipts: [cellosign.receipt], events: [`ev-${run}-s1`], transitions: 0, results: [] };
const phoneStory: Required<Story> = { processes: [], communications: [octapush.id, octapush.campaign].sort(), receipts: [octapush.receipt], events: [`ev-${run}-o1`], transitions: 0, results: [] };
const nothing: Required<Story> = { processes: [], communications: [], receipts: [], events: [], transitions: 0, results: [] };

describe('loadTimeline: every kind of key the console search takes finds its story', () => {
  it.each<[string, () => string, Required<Story>]>([
    ['processKey', () => credasKey, credasStory],
    ['entity id', () => credas.entityId, credasStory],
    ['Credas ProcessId', () => credas.processId, credasStory],
    ['receipt id (Credas)', () => credas.receipt, credasStory],
    ['receipt id (Octapush)', () => octapush.receipt, { ...phoneStory, communications: [octapush.id] }],
    ['Authvia business process id', () => authvia.businessProcessId, authviaStory],
    ['Authvia processKey', () => `authvia:${authvia.businessProcessId}`, authviaStory],
    ['Cellosign session id (holding ":")', () => cellosign.sessionId, cellosignStory],
    ['Cellosign processKey', () => `cellosign:${cellosign.sessionId}`, cellosignStory],
    ['phone number (E.164)', () => phone, phoneStory],
    ['phone number as typed with spaces', () => `+30 69${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)}`, phoneStory],
    ['unknown id', () => `nobody-${run}`, nothing],
    ['unknown receipt id', () => receiptId(9), nothing],
  ])('%s', async (_kind, key, expected) => {
    expect(story(await loadTimeline(db, key()))).toEqual(expected);
  });

  it('communicationId: the story of its process (a Credas SMS belongs to one)', async () => {
    expect(story(await loadTimeline(db, credasSms))).toEqual(credasStory);
  });

  it('lists newest first: current state by update, each list and the merged entries by time, later steps first at one instant', async () => {
    const timeline = await loadTimeline(db, credasKey);
    const times = (rows: Array<Record<string, unknown>>, column: string) => rows.map((r) => (r[column] as Date).getTime());
    const descending = (values: number[]) => expect(values).toEqual([...values].sort((a, b) => b - a));
    descending(times(timeline.events, 'time'));
    descending(times(timeline.receipts, 'received_at'));
    descending(times(timeline.transitions, 'at'));
    descending(timeline.entries.map((e) => e.at.getTime()));
    expect(timeline.entries.map((e) => e.kind)).toEqual(['result', 'transition', 'transition', 'event', 'receipt', 'transition', 'event', 'receipt']);
    expect(timeline.entries[0]!.row.process_id).toBe(credas.processId);
    expect(timeline.truncated).toBe(false);
  });
});
