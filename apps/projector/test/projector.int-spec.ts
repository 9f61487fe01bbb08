import { randomUUID, createHash } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import type { Client } from 'pg';
import { loadTimeline, formatTimeline } from '@hookbus/db';
import type { RunningService } from '@hookbus/nest-kafka';
import { waitFor } from '@hookbus/testing';
import { PROJECTOR_TOPICS, startProjector } from '../src/projector.app';
import { connectDb, connectProducer, kafka, produceScenario, projectorContext, scenarioIds, snapshot, waitReached, waitSettled } from './projector-fixtures';

/**
 * A new group reads every projected topic from the beginning of the shared test broker, which holds what every
 * earlier file wrote: on a loaded two-core machine that backlog took more than waitFor's default 30 s to reach a
 * topic read last (quarantine). The rows are awaited as events, with room for that backlog.
 */
const BACKLOG_MS = 100_000;

describe('projector: every topic into Postgres', () => {
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

  async function stop(service: RunningService): Promise<void> {
    await service.close();
    running.splice(running.indexOf(service), 1);
  }

  it('projects every topic, keeps the newest state, and a full replay leaves every table as it was', async () => {
    const ids = scenarioIds();
    const { body, pdf } = await produceScenario(producer, ids);
    const first = `test-projector-${randomUUID()}`;
    const projector = await start(first);

    const receipt = await waitFor(async () => (await db.query('SELECT * FROM hookbus.receipts WHERE receipt_id = $1', [ids.receipt])).rows[0], { timeoutMs: BACKLOG_MS, what: 'receipt row' });
    expect(Buffer.compare(receipt.body, body)).toBe(0);
    expect(receipt).toMatchObject({ source_id: 'credas-process', provider: 'credas', entity_key: ids.processId, quarantined: false, body_bytes: body.length });
    const quarantined = await waitFor(async () => (await db.query('SELECT * FROM hookbus.receipts WHERE receipt_id = $1', [ids.quarantined])).rows[0], { timeoutMs: BACKLOG_MS, what: 'quarantined receipt' });
    expect(quarantined).toMatchObject({ quarantined: true, refused_status: 400, refused_reason: 'unparseable body' });

    const communication = await waitFor(async () => (await db.query('SELECT * FROM hookbus.communications WHERE communication_id = $1', [ids.communicationId])).rows[0], { timeoutMs: BACKLOG_MS, what: 'communication row' });
    const process = await waitFor(async () => (await db.query('SELECT * FROM hookbus.processes WHERE process_key = $1', [ids.processKey])).rows[0], { timeoutMs: BACKLOG_MS, what: 'process row' });
    const result = await waitFor(async () => (await db.query('SELECT * FROM hookbus.credas_results WHERE process_id = $1', [ids.processId])).rows[0], { timeoutMs: BACKLOG_MS, what: 'credas result' });
    const deadLetter = await waitFor(async () => (await db.query("SELECT * FROM hookbus.dead_letters WHERE key = $1 AND stage = 'projector'", [ids.entityId])).rows[0], { timeoutMs: BACKLOG_MS, what: 'dead letter' });

    expect(communication).toMatchObject({ status: 'delivered', seq: 2, process_id: ids.processId, entity_id: ids.entityId });
    expect(process).toMatchObject({ status: 'completed', process_id: ids.processId, entity_ids: [ids.entityId] });
    expect(Buffer.compare(result.report_pdf, pdf)).toBe(0);
    expect(result.report_sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(deadLetter).toMatchObject({ topic: 'events.checks.v1', error_code: 'projector.event_not_json' });
    const events = await db.query('SELECT type FROM hookbus.events WHERE receipt_id = $1 ORDER BY type', [ids.receipt]);
    expect(events.rows.map((r) => r.type)).toEqual([
      'hookbus.check.update', 'hookbus.communication.status', 'hookbus.credas.results', 'hookbus.process.status', 'hookbus.transition', 'hookbus.transition', 'hookbus.transition', 'hookbus.transition',
    ]);
    const transitions = await db.query('SELECT seq, from_status, to_status FROM hookbus.communication_transitions WHERE communication_id = $1 ORDER BY seq', [ids.communicationId]);
    expect(transitions.rows).toEqual([{ seq: 1, from_status: null, to_status: 'sent' }, { seq: 2, from_status: 'sent', to_status: 'delivered' }]);
    // The overdue notice shares seq 1 with the transition it comments on, and lands once although it came twice.
    const processTransitions = async () =>
      (await db.query('SELECT seq, kind, from_status, to_status, requires_action, reason, event_id FROM hookbus.process_transitions WHERE process_key = $1 ORDER BY seq, kind DESC', [ids.processKey])).rows;
    await waitFor(async () => (await processTransitions()).length >= 3, { timeoutMs: BACKLOG_MS, what: 'process transitions and the overdue notice' });
    expect(await processTransitions()).toEqual([
      { seq: 1, kind: 'transition', from_status: null, to_status: 'in_progress', requires_action: false, reason: null, event_id: `tr-process-${ids.run}-1` },
      { seq: 1, kind: 'overdue', from_status: 'in_progress', to_status: 'in_progress', requires_action: true, reason: 'overdue', event_id: ids.overdueEventId },
      { seq: 2, kind: 'transition', from_status: 'in_progress', to_status: 'completed', requires_action: false, reason: null, event_id: `tr-process-${ids.run}-2` },
    ]);
    expect((await db.query('SELECT count(*)::int AS n FROM hookbus.events WHERE event_id = $1', [ids.overdueEventId])).rows[0].n).toBe(1);

    const timeline = formatTimeline(await loadTimeline(db, ids.processKey));
    expect(timeline).toContain(ids.receipt);
    expect(timeline).toContain('sent → delivered');
    expect(timeline).toContain(`${ids.processKey} #1  in_progress → in_progress  NEEDS ACTION  overdue`);
    expect(timeline.indexOf('receipts (')).toBeLessThan(timeline.indexOf('events ('));
    expect(timeline.indexOf('transitions (')).toBeLessThan(timeline.indexOf('credas results ('));
    expect((await loadTimeline(db, ids.entityId)).processes).toHaveLength(1);

    const firstRun = await waitSettled(admin, first, PROJECTOR_TOPICS);
    await stop(projector);
    const before = await snapshot(db);

    const replay = `test-projector-replay-${randomUUID()}`;
    const second = await start(replay);
    // The replay re-dead-letters the same poison records; they map onto the dead letters already there.
    await waitReached(admin, replay, PROJECTOR_TOPICS, firstRun);
    await stop(second);
    const after = await snapshot(db);
    for (const table of Object.keys(before)) {
      expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
    }
  }, 300_000);
});
