import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics, type CloudEvent } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import { TEST_DATABASE_URL, TopicObserver, testServiceContext, valueJson, waitFor } from '@hookbus/testing';
import { startGateway } from '../../apps/gateway/src/gateway.app';
import { startNormalizer } from '../../apps/normalizer/src/normalizer.app';
import { startProjector } from '../../apps/projector/src/projector.app';
import { startTracker } from '../../apps/tracker/src/tracker.app';

/**
 * The walking skeleton through every stage: a webhook POSTed to the gateway over HTTP lands on its raw topic, becomes
 * canonical events, is tracked into state, and is projected into Postgres — real broker, real database.
 */
describe('pipeline (real broker, real Postgres): HTTP → raw → events → state → Postgres', () => {
  const services: RunningService[] = [];
  let gatewayUrl: string;
  let db: Client;
  let observer: TopicObserver;

  beforeAll(async () => {
    observer = await TopicObserver.start([Topics.raw.credas.name, Topics.communications.name, Topics.processes.name, Topics.communicationState.name]);
    const gateway = await startGateway(testServiceContext('gateway'));
    gatewayUrl = gateway.url;
    services.push(gateway);
    services.push(await startNormalizer(testServiceContext('normalizer')));
    services.push(await startTracker(testServiceContext('tracker')));
    services.push(await startProjector(testServiceContext('projector')));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const service of services.reverse()) await service.close();
    await db?.end();
    await observer?.stop();
  });

  async function post(sourceId: string, body: unknown, query = ''): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${gatewayUrl}/webhooks/${sourceId}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('a Credas process-actor webhook ends as two rows in hookbus.communications', async () => {
    const processId = randomUUID();
    const entityId = randomUUID();
    // Credas' example (libs/providers/src/credas/fixtures/process-actor.seed-000.json), with fresh ids.
    const body = { clientId: '75e7fa46-7c93-4d2e-86ee-727737c6f482', processId, processActorId: 11014, entityId, smsStatus: 2, smsStatusDescription: 'Delivered', emailStatus: 2, emailStatusDescription: 'Delivered' };
    const reply = await post('credas-actor', body);
    expect(reply.status).toBe(200);
    expect(reply.json.receiptId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const [rawRecord] = await observer.waitForRecords((r) => r.topic === Topics.raw.credas.name && r.key?.toString() === processId);
    expect(rawRecord!.value!.equals(Buffer.from(JSON.stringify(body)))).toBe(true);

    const rows = await waitFor(
      async () => {
        const result = await db.query('SELECT communication_id, channel, status, final, process_id, entity_id FROM hookbus.communications WHERE process_id = $1 ORDER BY channel', [processId]);
        return result.rowCount === 2 ? result.rows : undefined;
      },
      { what: 'two communications rows', timeoutMs: 60_000 },
    );
    expect(rows).toEqual([
      { communication_id: `credas:${processId}:11014:email`, channel: 'email', status: 'delivered', final: false, process_id: processId, entity_id: entityId },
      { communication_id: `credas:${processId}:11014:sms`, channel: 'sms', status: 'delivered', final: true, process_id: processId, entity_id: entityId },
    ]);
    // The projector reads the raw topic independently of the state topic: the archived receipt may land later.
    const receipt = await waitFor(
      async () => {
        const result = await db.query('SELECT source_id, provider, method FROM hookbus.receipts WHERE receipt_id = $1', [reply.json.receiptId]);
        return result.rowCount === 1 ? result.rows : undefined;
      },
      { what: 'the archived receipt', timeoutMs: 60_000 },
    );
    expect(receipt).toEqual([{ source_id: 'credas-actor', provider: 'credas', method: 'POST' }]);
  });

  it('every provider: one webhook over HTTP becomes its canonical event', async () => {
    const processId = randomUUID();
    const bpId = randomUUID();
    const sessionId = `S${randomUUID().slice(0, 8)}`;
    const phone = `+44 7700 9${String(Date.now()).slice(-5)}`;
    const customId = `A7-${randomUUID()}`;
    expect((await post('credas-process', { ProcessId: processId, ClientId: randomUUID(), Status: 2, StatusDescription: 'The process is complete' }, '?our-reference=1232323')).status).toBe(200);
    expect((await post('authvia-business-process', { id: bpId, partnerId: 'p', avid: 'A1', customerId: 'c1', status: 'failed', statusReason: 'expired', version: 4, expiration: '2026-01-01T00:00:00Z', actions: [], addresses: [] })).status).toBe(200);
    const octapush = await fetch(`${gatewayUrl}/webhooks/octapush-sms/Delivered?phone=${encodeURIComponent(phone)}&customId=${customId}`);
    expect(octapush.status).toBe(200);
    const cellosign = await post('cellosign', { event: { type: 'WHEF_SESSION_CREATED', timestamp: '2025-01-26T08:49:33.626046' }, session: { id: sessionId, reference: 'r', process_id: 'p', process_number: 51, transaction_number: 53, recipient: { id: 1, name: 'client' }, labels: { CUSTOMER_TAG: 'CUSTOMER_VALUE' } } });
    expect(cellosign).toEqual({ status: 200, json: { status: '0', errordesc: '' } });

    const status = (key: string, topic: string) =>
      observer.waitForRecords((r) => r.topic === topic && r.key?.toString() === key).then(([r]) => valueJson<CloudEvent<{ status: string }>>(r!).data.status);
    expect(await status(`credas:${processId}`, Topics.processes.name)).toBe('completed');
    expect(await status(`authvia:${bpId}`, Topics.processes.name)).toBe('expired');
    expect(await status(`cellosign:${sessionId}`, Topics.processes.name)).toBe('created');
    const [sms] = await observer.waitForRecords((r) => r.topic === Topics.communications.name && r.key?.toString().startsWith('octapush:sms:+447700') === true && valueJson<CloudEvent<{ original: Record<string, unknown> }>>(r).data.original.customId === customId);
    expect(valueJson<CloudEvent<{ status: string; final: boolean }>>(sms!).data).toMatchObject({ status: 'delivered', final: true });
  });
});
