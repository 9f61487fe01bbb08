import { randomInt, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_DATABASE_URL, testServiceContext, waitFor } from '@hookbus/testing';
import { startGateway } from '../../apps/gateway/src/gateway.app';
import { startNormalizer } from '../../apps/normalizer/src/normalizer.app';
import { startProjector } from '../../apps/projector/src/projector.app';
import { startTracker } from '../../apps/tracker/src/tracker.app';

/**
 * SQL-looking strings in every field that reaches Postgres (body, query, headers, identifiers that become primary
 * keys) go through the whole pipeline in-process and are stored verbatim; the tables stay intact. A body with
 * `__proto__`/`constructor` keys is normalized and projected without polluting Object.prototype.
 */
const SQL = [
  "Robert'); DROP TABLE hookbus.receipts; --",
  "1' OR '1'='1",
  "x'; DELETE FROM hookbus.events WHERE '1'='1",
  '$$; TRUNCATE hookbus.communications; $$',
  "'); UPDATE hookbus.processes SET status='completed'; --",
  'E\'\\x27; SELECT pg_sleep(10); --',
];
const TABLES = ['receipts', 'events', 'communications', 'communication_transitions', 'processes', 'credas_results', 'dead_letters'];

const CONFIG = `
sources:
  - id: octapush-sqli
    provider: octapush
    kind: sms
    messageKey: customid
    auth: { type: none }
`;

let gateway: RunningService;
let normalizer: RunningService;
let tracker: RunningService;
let projector: RunningService;
let db: Client;

beforeAll(async () => {
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  gateway = await startGateway(testServiceContext('gateway', { yaml: CONFIG }), { port: 0 });
  normalizer = await startNormalizer(testServiceContext('normalizer', { yaml: CONFIG }), { port: 0 });
  tracker = await startTracker(testServiceContext('tracker', { yaml: CONFIG }), { port: 0 });
  projector = await startProjector(testServiceContext('projector', { yaml: CONFIG }), { port: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await normalizer?.close();
  await tracker?.close();
  await projector?.close();
  await db?.end();
});

async function send(path: string, init: { method?: string; body?: string; headers?: Record<string, string> }): Promise<string> {
  const response = await fetch(`${gateway.url}${path}`, { method: init.method ?? 'POST', body: init.body, headers: init.headers });
  const text = await response.text();
  expect({ path: path.slice(0, 40), status: response.status, text }).toMatchObject({ status: 200 });
  return (JSON.parse(text) as { receiptId: string }).receiptId;
}

const eventsOf = async (receiptId: string) =>
  // Status events only: the tracker's transitions carry the same receipt id but not the provider's fields.
  (await db.query("SELECT event_id, subject, data::text AS data FROM hookbus.events WHERE receipt_id = $1 AND type <> 'hookbus.transition'", [receiptId])).rows as Array<{ event_id: string; subject: string; data: string }>;

async function tablesIntact(): Promise<void> {
  for (const table of TABLES) {
    expect((await db.query('SELECT to_regclass($1) AS t', [`hookbus.${table}`])).rows[0].t).not.toBeNull();
  }
  expect((await db.query('SELECT count(*)::int AS n FROM hookbus.receipts')).rows[0].n).toBeGreaterThan(0);
}

describe.each(SQL.map((s, i) => [i, s] as const))('SQL-looking string #%i', (_i, sql) => {
  it('is stored verbatim in receipts, events and tracked state, and the tables stay intact', async () => {
    const phone = `3069${randomInt(10_000_000, 99_999_999)}`;
    const customId = `${sql} ${randomUUID()}`;
    const query = new URLSearchParams({ phone, status: 'Delivered', customid: customId, firstname: sql }).toString();
    const octapushReceipt = await send(`/webhooks/octapush-sqli?${query}`, { method: 'GET', headers: { 'x-note': sql } });

    const processId = randomUUID();
    const actorBody = JSON.stringify({ clientId: sql, processId, processActorId: 11014, entityId: randomUUID(), smsStatus: 2, smsStatusDescription: sql, emailStatus: 1, emailStatusDescription: sql });
    const actorReceipt = await send('/webhooks/credas-actor', { body: actorBody, headers: { 'content-type': 'application/json', 'x-note': sql } });

    const businessProcessId = randomUUID();
    const authviaBody = JSON.stringify({ id: businessProcessId, blueprintSlug: sql, customerId: sql, avid: sql, status: 'scheduled', version: 1, actions: [] });
    const authviaReceipt = await send(`/webhooks/authvia-business-process?ref=${encodeURIComponent(sql)}`, { body: authviaBody, headers: { 'content-type': 'application/json' } });

    const receipts = await waitFor(
      async () => {
        const rows = (await db.query('SELECT receipt_id::text AS id, body, query, headers::text AS headers FROM hookbus.receipts WHERE receipt_id = ANY($1::uuid[])', [[octapushReceipt, actorReceipt, authviaReceipt]])).rows as Array<{ id: string; body: Buffer | null; query: string; headers: string }>;
        return rows.length === 3 ? new Map(rows.map((r) => [r.id, r])) : undefined;
      },
      { timeoutMs: 60_000, what: 'the three receipts in Postgres' },
    );
    expect(receipts.get(octapushReceipt)!.query).toContain(query);
    expect(receipts.get(octapushReceipt)!.headers).toContain(JSON.stringify(sql).slice(1, -1));
    expect(receipts.get(actorReceipt)!.body!.toString('utf8')).toBe(actorBody);
    expect(receipts.get(authviaReceipt)!.body!.toString('utf8')).toBe(authviaBody);

    const [octapushEvent] = await waitFor(async () => ((await eventsOf(octapushReceipt)).length > 0 ? eventsOf(octapushReceipt) : undefined), { timeoutMs: 60_000, what: 'the Octapush event' });
    expect(octapushEvent!.subject).toContain(customId);
    const communication = await waitFor(
      async () => (await db.query('SELECT communication_id, status FROM hookbus.communications WHERE communication_id = $1', [octapushEvent!.subject])).rows[0] as { communication_id: string; status: string } | undefined,
      { timeoutMs: 60_000, what: 'the Octapush communication keyed by the SQL-looking message key' },
    );
    expect(communication).toEqual({ communication_id: octapushEvent!.subject, status: 'delivered' });

    const actorEvents = await waitFor(async () => ((await eventsOf(actorReceipt)).length >= 2 ? eventsOf(actorReceipt) : undefined), { timeoutMs: 60_000, what: 'the Credas actor events' });
    expect(actorEvents.every((e) => e.data.includes(JSON.stringify(sql).slice(1, -1)))).toBe(true);
    await waitFor(async () => (await db.query('SELECT 1 FROM hookbus.communications WHERE communication_id = $1', [`credas:${processId}:11014:sms`])).rowCount === 1, { timeoutMs: 60_000, what: 'the Credas SMS communication' });

    const authviaProcess = await waitFor(
      async () => (await db.query('SELECT status FROM hookbus.processes WHERE process_key = $1', [`authvia:${businessProcessId}`])).rows[0] as { status: string } | undefined,
      { timeoutMs: 60_000, what: 'the Authvia process' },
    );
    expect(authviaProcess.status).toBe('scheduled');
    const [authviaEvent] = await eventsOf(authviaReceipt);
    expect(authviaEvent!.data).toContain(JSON.stringify(sql).slice(1, -1));

    await tablesIntact();
  });
});

it('__proto__ and constructor keys travel through normalizer, tracker and projector without polluting anything', async () => {
  const processId = randomUUID();
  const body = `{"__proto__":{"polluted":"yes","smsStatus":5},"constructor":{"prototype":{"polluted":"yes"}},"clientId":"c","processId":"${processId}","processActorId":11014,"entityId":"${randomUUID()}","smsStatus":2,"smsStatusDescription":"Delivered","emailStatus":1,"emailStatusDescription":"Sent"}`;
  const receiptId = await send('/webhooks/credas-actor', { body, headers: { 'content-type': 'application/json' } });
  const events = await waitFor(async () => ((await eventsOf(receiptId)).length >= 2 ? eventsOf(receiptId) : undefined), { timeoutMs: 60_000, what: 'the events of the __proto__ body' });
  expect(events).toHaveLength(2);
  const sms = await waitFor(
    async () => (await db.query('SELECT status FROM hookbus.communications WHERE communication_id = $1', [`credas:${processId}:11014:sms`])).rows[0] as { status: string } | undefined,
    { timeoutMs: 60_000, what: 'the SMS communication' },
  );
  // The smsStatus inside __proto__ (5, bounced) must not shadow the real one (2, delivered).
  expect(sms.status).toBe('delivered');
  const stored = (await db.query('SELECT body FROM hookbus.receipts WHERE receipt_id = $1', [receiptId])).rows[0] as { body: Buffer };
  expect(stored.body.toString('utf8')).toBe(body);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  await tablesIntact();
});
