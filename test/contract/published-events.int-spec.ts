import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topics, type ProviderName } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { RunningService } from '@hookbus/nest-kafka';
import { adapterFor, decodeBody, queryToObject, type DecodedWebhook } from '@hookbus/providers';
import { RawRecordProducer, TopicObserver, testServiceContext, valueJson, type RawRecordInput } from '@hookbus/testing';
import { describeViolations, validateRecord } from '../../libs/contracts/src/schemas';
import { startNormalizer } from '../../apps/normalizer/src/normalizer.app';
import { startTracker } from '../../apps/tracker/src/tracker.app';

/**
 * Contract §4: what the services publish validates against the event contract (docs/asyncapi.yaml). Every provider
 * and webhook kind goes in as raw records (the provider fixtures, with ids made unique to this run); every record
 * the normalizer and tracker then publish about those ids — events, states, transitions, an overdue notice — is
 * checked with validateRecord: key, headers and value.
 */
const FIXTURES = join(__dirname, '..', '..', 'libs', 'providers', 'src');
const OBSERVED = [
  Topics.communications.name,
  Topics.processes.name,
  Topics.checks.name,
  Topics.communicationState.name,
  Topics.processState.name,
  Topics.transitions.name,
];
const SENTINEL_PREFIX = '__hookbus_restore__/';

function fixture(provider: ProviderName, name: string): string {
  return readFileSync(join(FIXTURES, provider, 'fixtures', name), 'utf8');
}

function source(id: string): SourceConfig {
  const found = sourceTemplates().find((s) => s.id === id);
  if (!found) throw new Error(`no default source ${id}`);
  return found;
}

interface Delivery {
  readonly sourceId: string;
  readonly body: string;
  readonly method?: 'GET' | 'POST';
  readonly query?: string;
  readonly pathStatus?: string;
  readonly contentType?: string | null;
}

/** The raw record the gateway would write, keyed by the adapter's routing key, as the gateway keys it. */
function rawRecord(delivery: Delivery): RawRecordInput {
  const s = source(delivery.sourceId);
  const body = Buffer.from(delivery.body, 'utf8');
  const contentType = delivery.contentType === undefined ? 'application/json' : delivery.contentType;
  const decoded: DecodedWebhook = {
    sourceId: s.id,
    provider: s.provider,
    kind: s.kind,
    method: delivery.method ?? 'POST',
    path: `/webhooks/${s.id}`,
    query: queryToObject(delivery.query ?? ''),
    pathStatus: delivery.pathStatus ?? null,
    contentType,
    body,
    payload: decodeBody(body, contentType),
  };
  return {
    provider: s.provider,
    sourceId: s.id,
    kind: s.kind,
    key: adapterFor(s.provider).routingKey(decoded, s),
    body,
    method: decoded.method,
    query: delivery.query,
    pathStatus: delivery.pathStatus,
    contentType: contentType ?? '',
  };
}

/** Fresh ids for one run: the fixtures' ids are replaced, so only this run's records match. */
function runIds() {
  return {
    credasProcess: randomUUID(),
    credasEntity: randomUUID(),
    credasGuarantorEntity: randomUUID(),
    phoneA: `3069${String(randomInt(10_000_000, 99_999_999))}`,
    phoneB: `3069${String(randomInt(10_000_000, 99_999_999))}`,
    cellosignSession: randomBytes(8).toString('hex'),
    authviaProcess: `bp-${randomUUID()}`,
    authviaOverdueProcess: `bp-${randomUUID()}`,
    authviaAction: `act-${randomUUID()}`,
  };
}
type RunIds = ReturnType<typeof runIds>;

function credasDeliveries(ids: RunIds): Delivery[] {
  const text = fixture('credas', 'process.sequence.json')
    .replaceAll('9afe8b16-0b4d-4da3-a7d3-353c7ebece0d', ids.credasProcess)
    .replaceAll('3bd81445-a87d-4aa1-9f1d-72afc60fa414', ids.credasEntity)
    .replaceAll('c1a7e0d2-5b8f-4e0a-9d3c-2f6b8a4e1d77', ids.credasGuarantorEntity);
  const sequence = JSON.parse(text) as { deliveries: Array<{ sourceId: string; query: Record<string, string>; body: unknown }> };
  return sequence.deliveries.map((d) => ({ sourceId: d.sourceId, body: JSON.stringify(d.body), query: new URLSearchParams(d.query).toString() }));
}

function octapushDeliveries(ids: RunIds): Delivery[] {
  const files = ['submitted-post.json', 'blacklisted-get.json', 'viber-delivered-seen-clicked.json', 'viber-fallback-sms.json'];
  return files.flatMap((name) => {
    const text = fixture('octapush', name)
      .replaceAll('+30 691 234 5678', `+${ids.phoneA}`)
      .replaceAll('306912345678', ids.phoneA)
      .replaceAll('306987654321', ids.phoneB);
    const file = JSON.parse(text) as { requests: Array<{ method: 'GET' | 'POST'; sourceId: string; pathStatus?: string; query?: string; contentType?: string; body?: string }> };
    return file.requests.map((r) => ({ sourceId: r.sourceId, method: r.method, body: r.body ?? '', query: r.query, pathStatus: r.pathStatus, contentType: r.contentType ?? null }));
  });
}

function cellosignDeliveries(ids: RunIds): Delivery[] {
  const archive = fixture('cellosign', 'session-archive.template.json')
    .replace('{{ID_CARD_JPEG_BASE64}}', `/9j/${'A'.repeat(6000)}`)
    .replace('{{SIGNED_PDF_BASE64}}', `JVBERi0${'B'.repeat(12000)}`);
  const bodies = [
    fixture('cellosign', 'seed-session-created.json'),
    fixture('cellosign', 'session-client-logged-in.json'),
    fixture('cellosign', 'session-client-form-loaded.json'),
    fixture('cellosign', 'session-client-form-submitted.json'),
    archive,
  ];
  return bodies.map((text) => {
    const body = JSON.parse(text) as { session: { id: string } };
    body.session.id = ids.cellosignSession;
    return { sourceId: 'cellosign', body: JSON.stringify(body) };
  });
}

/**
 * Authvia publishes no example body (its pages list attributes only,
 * docs/providers/authvia.md#business-process-updated): bodies built from the documented attributes.
 */
function authviaDeliveries(ids: RunIds): Delivery[] {
  const process = {
    id: ids.authviaProcess, blueprint: 'card-payment', partnerId: 'partner-1', avid: 'AV-1001', customerId: 'cus-77',
    status: 'scheduled', expiration: '2031-03-04T10:00:00Z', version: 1, actions: [], addresses: [],
  };
  return [
    { sourceId: 'authvia-business-process', body: JSON.stringify(process) },
    { sourceId: 'authvia-business-process', body: JSON.stringify({ ...process, status: 'in-progress', version: 2 }) },
    { sourceId: 'authvia-business-process', body: JSON.stringify({ ...process, status: 'failed', statusReason: 'expired', version: 3, closedDate: '2031-03-04T10:16:00' }) },
    {
      sourceId: 'authvia-business-process-action',
      body: JSON.stringify({ id: ids.authviaAction, businessProcessId: ids.authviaProcess, type: 'payment', status: 'completed', updatedAt: '2031-03-04T10:01:00Z', context: { amount: 10 } }),
    },
    // Past its expiry and never closed: the tracker announces it overdue.
    { sourceId: 'authvia-business-process', body: JSON.stringify({ ...process, id: ids.authviaOverdueProcess, status: 'in-progress', expiration: '2020-01-01T00:00:00Z' }) },
  ];
}

describe('published events obey the event contract (real broker, normalizer and tracker in-process)', () => {
  let normalizer: RunningService;
  let tracker: RunningService;
  let raw: RawRecordProducer;
  let observer: TopicObserver;
  const ids = runIds();
  const mine = (record: ConsumedRecord) => {
    const key = record.key?.toString('utf8') ?? '';
    return Object.values(ids).some((id) => key.includes(id));
  };
  const keyed = (topic: string, key: string) => (r: ConsumedRecord) => r.topic === topic && r.key?.toString('utf8') === key;

  beforeAll(async () => {
    observer = await TopicObserver.start(OBSERVED);
    raw = await RawRecordProducer.connect();
    normalizer = await startNormalizer(testServiceContext('normalizer'));
    tracker = await startTracker(testServiceContext('tracker'), { overdueCheckIntervalMs: 500, overdueGraceMs: 0 });
  });

  afterAll(async () => {
    await tracker?.close();
    await normalizer?.close();
    await raw?.close();
    await observer?.stop();
  });

  it('every record published for every provider and kind validates: key, headers and value', async () => {
    const deliveries = [...credasDeliveries(ids), ...octapushDeliveries(ids), ...cellosignDeliveries(ids), ...authviaDeliveries(ids)];
    for (const delivery of deliveries) await raw.send(rawRecord(delivery));

    const credasProcessKey = `credas:${ids.credasProcess}`;
    const authviaKey = `authvia:${ids.authviaProcess}`;
    const overdueKey = `authvia:${ids.authviaOverdueProcess}`;
    const cellosignKey = `cellosign:${ids.cellosignSession}`;
    const waits: Array<[string, (r: ConsumedRecord) => boolean]> = [
      ['credas actor events', (r) => r.topic === Topics.communications.name && (r.key?.toString() ?? '').startsWith(`credas:${ids.credasProcess}:`)],
      ['credas process event', keyed(Topics.processes.name, credasProcessKey)],
      ['credas check events', keyed(Topics.checks.name, ids.credasEntity)],
      ['octapush sms events', keyed(Topics.communications.name, `octapush:sms:+${ids.phoneA}`)],
      ['octapush viber events', keyed(Topics.communications.name, `octapush:viber:+${ids.phoneB}`)],
      ['cellosign events', keyed(Topics.processes.name, cellosignKey)],
      ['authvia process and action events', keyed(Topics.processes.name, authviaKey)],
      ['credas communication state', (r) => r.topic === Topics.communicationState.name && (r.key?.toString() ?? '').startsWith(`credas:${ids.credasProcess}:`)],
      ['octapush communication state', keyed(Topics.communicationState.name, `octapush:sms:+${ids.phoneB}`)],
      ['cellosign process state', keyed(Topics.processState.name, cellosignKey)],
      ['authvia process state', keyed(Topics.processState.name, authviaKey)],
      ['credas transitions', (r) => r.topic === Topics.transitions.name && (r.key?.toString() ?? '').startsWith(`credas:${ids.credasProcess}:`)],
      ['authvia transitions', keyed(Topics.transitions.name, authviaKey)],
      ['an overdue notice', (r) => keyed(Topics.transitions.name, overdueKey)(r) && valueJson<{ data: { reason?: string } }>(r).data.reason === 'overdue'],
    ];
    for (const [what, predicate] of waits) {
      await observer.waitForRecords(predicate, 1, 60_000).catch((error: Error) => {
        throw new Error(`${what}: ${error.message}`);
      });
    }
    // The last raw record of each entity has its effects published once the authvia expiry transition is there.
    await observer.waitForRecords((r) => keyed(Topics.transitions.name, authviaKey)(r) && valueJson<{ data: { to: string } }>(r).data.to === 'expired', 1, 60_000);

    const published = observer.matching(mine).filter((r) => !(r.key?.toString() ?? '').startsWith(SENTINEL_PREFIX));
    const failures = published
      .map((r) => validateRecord({ topic: r.topic, key: r.key, value: r.value, headers: r.headers }))
      .filter((check) => !check.valid)
      .map(describeViolations);
    expect(failures).toEqual([]);

    const messages = new Set(published.map((r) => validateRecord({ topic: r.topic, key: r.key, value: r.value, headers: r.headers }).message));
    expect([...messages].sort()).toEqual(
      [
        'authviaProcessAction', 'authviaProcessStatus', 'cellosignProcessStatus', 'communicationState', 'credasCheckUpdate',
        'credasCommunicationStatus', 'credasProcessStatus', 'octapushCommunicationStatus', 'processState', 'transition',
      ].sort(),
    );
  });
});
