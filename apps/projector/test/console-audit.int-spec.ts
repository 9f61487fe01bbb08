import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import type { Client } from 'pg';
import { Topics, encodeConsoleAudit, type ConsoleAuditRecord } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { waitFor } from '@hookbus/testing';
import { startProjector } from '../src/projector.app';
import { connectDb, connectProducer, kafka, projectorContext, waitReached, type Offsets } from './projector-fixtures';

/** The console's audit trail (console.audit.v1) reaches hookbus.console_audit once per action, however often it is delivered. */
describe('projector: the console audit trail', () => {
  const TOPIC = Topics.consoleAudit.name;
  let producer: Producer;
  let admin: Admin;
  let db: Client;
  const running: RunningService[] = [];

  beforeAll(async () => {
    producer = await connectProducer();
    admin = kafka.admin();
    await admin.connect();
    db = await connectDb();
  });

  afterAll(async () => {
    for (const service of running) await service.close();
    await producer.disconnect();
    await admin.disconnect();
    await db.end();
  });

  async function start(groupId: string): Promise<RunningService> {
    const service = await startProjector(projectorContext(), { port: 0, groupId });
    running.push(service);
    return service;
  }

  /** Sends the record and answers the offset just past it, as the group's committed offset once it consumed it. */
  async function deliver(audit: ConsoleAuditRecord): Promise<Offsets> {
    const { topic, key, value, headers } = encodeConsoleAudit(audit);
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
    return new Map([[`${TOPIC}/${meta!.partition}`, Number(meta!.baseOffset) + 1]]);
  }

  it('writes one row per actionId: a second delivery, even with other content, and a replay change nothing', async () => {
    const audit: ConsoleAuditRecord = {
      actionId: randomUUID(),
      at: '2026-12-01T06:30:00.000Z',
      actor: 'operator',
      role: 'operator',
      action: 'redrive',
      target: { kind: 'dead-letter', ids: ['row-1', 'row-2'] },
      outcome: 'ok',
      detail: '2 redriven',
    };
    await deliver(audit);
    // The same action delivered again (a producer retry after a lost acknowledgement), and once more with other
    // content under the same id: the first one written stays.
    await deliver(audit);
    const last = await deliver({ ...audit, outcome: 'failed', detail: 'not the first' });

    const group = `test-projector-audit-${randomUUID()}`;
    await start(group);
    await waitReached(admin, group, [TOPIC], last);
    const { rows } = await db.query('SELECT action_id, at, actor, role, action, target_kind, target_ids, outcome, detail FROM hookbus.console_audit WHERE action_id = $1', [audit.actionId]);
    expect(rows).toEqual([
      { action_id: audit.actionId, at: new Date(audit.at), actor: 'operator', role: 'operator', action: 'redrive', target_kind: 'dead-letter', target_ids: ['row-1', 'row-2'], outcome: 'ok', detail: '2 redriven' },
    ]);
    const before = (await db.query('SELECT md5(t::text) AS h FROM hookbus.console_audit t WHERE action_id = $1', [audit.actionId])).rows;

    // A replay of the whole topic by another group leaves the row as it was (projected_at included).
    const replay = `test-projector-audit-replay-${randomUUID()}`;
    await start(replay);
    await waitReached(admin, replay, [TOPIC], last);
    expect((await db.query('SELECT md5(t::text) AS h FROM hookbus.console_audit t WHERE action_id = $1', [audit.actionId])).rows).toEqual(before);
  });

  it('dead-letters an audit record that breaks the schema and goes on with the next', async () => {
    const actionId = randomUUID();
    const [bad] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: actionId, value: JSON.stringify({ actionId, action: 'drop-table' }) }] });
    const good: ConsoleAuditRecord = { actionId: randomUUID(), at: new Date().toISOString(), actor: 'viewer', role: 'viewer', action: 'login', target: { kind: 'session', ids: [] }, outcome: 'ok', detail: '' };
    await deliver(good);
    await start(`test-projector-audit-bad-${randomUUID()}`);
    const row = await waitFor(async () => (await db.query("SELECT stage, error_code FROM hookbus.dead_letters WHERE topic = $1 AND partition = $2 AND \"offset\" = $3", [TOPIC, bad!.partition, bad!.baseOffset])).rows[0], { timeoutMs: 60_000, what: 'the dead letter of the bad audit record' });
    expect(row).toEqual({ stage: 'projector', error_code: 'projector.invalid_audit_record' });
    await waitFor(async () => (await db.query('SELECT 1 FROM hookbus.console_audit WHERE action_id = $1', [good.actionId])).rowCount === 1, { timeoutMs: 60_000, what: 'the good audit row' });
    expect((await db.query('SELECT 1 FROM hookbus.console_audit WHERE action_id = $1', [actionId])).rowCount).toBe(0);
  });
});
