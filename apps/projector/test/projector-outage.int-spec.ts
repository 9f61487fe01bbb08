import type { Admin, Producer } from 'kafkajs';
import type { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_DATABASE_URL, groupStartingNow, waitFor } from '@hookbus/testing';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy';
import { PROJECTOR_TOPICS, startProjector } from '../src/projector.app';
import { connectDb, connectProducer, groupLag, kafka, projectorContext, rawHeaders, waitSettled } from './projector-fixtures';

const TOPIC = Topics.raw.octapush.name;

describe('projector: Postgres outage', () => {
  let producer: Producer;
  let admin: Admin;
  let db: Client;
  let proxy: TcpProxy;
  let projector: RunningService | undefined;

  beforeAll(async () => {
    producer = await connectProducer();
    admin = kafka.admin();
    await admin.connect();
    db = await connectDb();
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });

  afterAll(async () => {
    await projector?.close();
    await proxy.close();
    await producer.disconnect();
    await admin.disconnect();
    await db.end();
  });

  async function produce(count: number): Promise<string[]> {
    const receipts = Array.from({ length: count }, () => uuidv7());
    await producer.send({ topic: TOPIC, acks: -1, messages: receipts.map((id) => ({ key: `447700${id.slice(-6)}`, value: `{"n":"${id}"}`, headers: rawHeaders(id) })) });
    return receipts;
  }

  const stored = async (ids: string[]) => (await db.query('SELECT count(*)::int AS n FROM hookbus.receipts WHERE receipt_id = ANY($1::uuid[])', [ids])).rows[0].n as number;

  async function failures(): Promise<number> {
    const text = await (await fetch(`${projector!.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('hookbus_flush_failures_total{'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  it('pauses while Postgres is unreachable, lets lag grow, and resumes without losing a record', async () => {
    const groupId = await groupStartingNow('test-projector-outage', PROJECTOR_TOPICS);
    projector = await startProjector(projectorContext(proxy.url(TEST_DATABASE_URL)), { port: 0, groupId, backoff: { initialMs: 100, maxMs: 1000, factor: 2 } });
    const before = await produce(20);
    await waitFor(async () => (await stored(before)) === 20, { timeoutMs: 90_000, what: 'records before the outage' });

    proxy.cut();
    const during = await produce(30);
    await waitFor(async () => (await failures()) >= 3, { timeoutMs: 30_000, what: 'failed flushes retried with backoff' });
    expect(await stored(during)).toBe(0);
    expect(await groupLag(admin, groupId, [TOPIC])).toBeGreaterThanOrEqual(30);
    const ready = await fetch(`${projector.url}/health/ready`);
    expect(ready.status).toBe(503);

    proxy.restore();
    await waitFor(async () => (await stored(during)) === 30, { timeoutMs: 60_000, what: 'records produced during the outage' });
    await waitSettled(admin, groupId, [TOPIC]);
    expect(await stored([...before, ...during])).toBe(50);
  });
});
