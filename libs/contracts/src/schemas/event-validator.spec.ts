import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import { decodeBody, queryToObject, type NormalizedEvent, type ReceivedWebhook } from '@hookbus/providers';
import { ADAPTERS } from '@hookbus/providers/adapters';
import { Topics, type ProviderName } from '../index';
import { describeViolations, validateEvent, validateRecord } from './event-validator';
import { topicContracts } from './topic-contracts';

const PROVIDERS_DIR = join(__dirname, '..', '..', '..', 'providers', 'src');

function source(id: string): SourceConfig {
  const found = sourceTemplates().find((s) => s.id === id);
  if (!found) throw new Error(`no default source ${id}`);
  return found;
}

function webhook(sourceId: string, body: string, options: { method?: 'GET' | 'POST'; query?: string; pathStatus?: string | null; contentType?: string | null } = {}): ReceivedWebhook {
  const s = source(sourceId);
  const bytes = Buffer.from(body, 'utf8');
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  return {
    sourceId,
    provider: s.provider,
    kind: s.kind,
    method: options.method ?? 'POST',
    path: `/webhooks/${sourceId}`,
    query: queryToObject(options.query ?? ''),
    pathStatus: options.pathStatus ?? null,
    contentType,
    body: bytes,
    payload: decodeBody(bytes, contentType),
    receiptId: '01936b2a-0c00-7000-8000-0000000000aa',
    receivedAt: '2025-03-04T09:15:02.120Z',
  };
}

function normalize(w: ReceivedWebhook): NormalizedEvent[] {
  const adapter = ADAPTERS.find((a) => a.provider === w.provider)!;
  return adapter.normalize(w, source(w.sourceId));
}

function fixture(provider: ProviderName, name: string): string {
  return readFileSync(join(PROVIDERS_DIR, provider, 'fixtures', name), 'utf8');
}

function credasWebhooks(): ReceivedWebhook[] {
  const sequence = JSON.parse(fixture('credas', 'process.sequence.json')) as { deliveries: Array<{ sourceId: string; query: Record<string, string>; body: unknown }> };
  return [
    ...sequence.deliveries.map((d) => webhook(d.sourceId, JSON.stringify(d.body), { query: new URLSearchParams(d.query).toString() })),
    webhook('credas-actor', fixture('credas', 'process-actor.seed-000.json')),
    webhook('credas-process', fixture('credas', 'process.seed-001.json'), { query: 'our-reference=1232323' }),
    webhook('credas-status-update', fixture('credas', 'status-update.name-check.json')),
    webhook('credas-monitoring', fixture('credas', 'monitoring.json')),
  ];
}

function octapushWebhooks(): ReceivedWebhook[] {
  const files = ['blacklisted-get.json', 'submitted-post.json', 'viber-delivered-seen-clicked.json', 'viber-fallback-sms.json'];
  return files.flatMap((name) => {
    const file = JSON.parse(fixture('octapush', name)) as { requests: Array<{ method: 'GET' | 'POST'; sourceId: string; pathStatus?: string; query?: string; contentType?: string; body?: string }> };
    return file.requests.map((r) => webhook(r.sourceId, r.body ?? '', { method: r.method, query: r.query, pathStatus: r.pathStatus ?? null, contentType: r.contentType ?? null }));
  });
}

function cellosignWebhooks(): ReceivedWebhook[] {
  const archive = fixture('cellosign', 'session-archive.template.json')
    .replace('{{ID_CARD_JPEG_BASE64}}', `/9j/${'A'.repeat(6000)}`)
    .replace('{{SIGNED_PDF_BASE64}}', `JVBERi0${'B'.repeat(9000)}`);
  return [
    ...['seed-session-created.json', 'session-client-logged-in.json', 'session-client-form-loaded.json', 'session-client-form-submitted.json'].map((name) =>
      webhook('cellosign', fixture('cellosign', name)),
    ),
    webhook('cellosign', archive, { query: 'crm=42' }),
  ];
}

function authviaWebhooks(): ReceivedWebhook[] {
  const process = {
    id: 'bp-7f3a', blueprint: 'card-payment', partnerId: 'p-1', avid: 'AV-9', customerId: 'cus-77', status: 'failed',
    statusReason: 'expired', expiration: '2025-03-04T10:00:00', version: 4, actions: [{ id: 'a-1' }], addresses: [],
  };
  const action = { id: 'act-1', businessProcessId: 'bp-7f3a', type: 'payment', status: 'completed', updatedAt: '2025-03-04T10:01:00Z', context: { amount: 10 }, features: ['x'] };
  return [
    webhook('authvia-business-process', JSON.stringify(process)),
    webhook('authvia-business-process', JSON.stringify({ ...process, status: 'in-progress', statusReason: null, version: 2, closedDate: '2025-03-04T11:00:00+02:00' })),
    webhook('authvia-business-process-action', JSON.stringify(action)),
  ];
}

describe('event contract: what the adapters produce validates', () => {
  const cases: Array<[string, () => ReceivedWebhook[]]> = [
    ['credas', credasWebhooks],
    ['authvia', authviaWebhooks],
    ['octapush', octapushWebhooks],
    ['cellosign', cellosignWebhooks],
  ];

  it.each(cases)('every %s fixture normalizes to events that match their topic contract', (_provider, webhooks) => {
    const events = webhooks().flatMap(normalize);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      const check = validateRecord({
        topic: e.topic,
        key: e.key,
        value: JSON.stringify(e.event),
        headers: { 'content-type': 'application/cloudevents+json', 'hookbus-event-id': e.event.id, 'hookbus-receipt-id': e.event.receiptid },
      });
      if (!check.valid) throw new Error(describeViolations(check));
    }
  });
});

describe('event contract: violations name the field and the rule', () => {
  const event = normalize(webhook('credas-actor', fixture('credas', 'process-actor.seed-000.json')))[0]!;
  const mutate = (change: (data: Record<string, unknown>, envelope: Record<string, unknown>) => void) => {
    const copy = JSON.parse(JSON.stringify(event.event)) as Record<string, unknown>;
    change(copy.data as Record<string, unknown>, copy);
    return validateEvent(Topics.communications.name, copy);
  };

  it.each([
    ['a missing field', (d: Record<string, unknown>) => delete d.final, 'value/data/final is required'],
    ['an unknown field', (d: Record<string, unknown>) => (d.finall = true), 'value/data/finall is not in the contract'],
    ['a status outside the canonical list', (d: Record<string, unknown>) => (d.status = 'deliverd'), 'value/data/status must be one of'],
    ['a wrong type', (d: Record<string, unknown>) => (d.final = 'yes'), 'value/data/final must be boolean (got string)'],
    ['a non-UTC time', (_d: Record<string, unknown>, e: Record<string, unknown>) => (e.time = '2025-03-04T11:15:02+02:00'), 'value/time must match pattern'],
    ['a malformed id', (_d: Record<string, unknown>, e: Record<string, unknown>) => (e.id = 'abc'), 'value/id must match format "uuid"'],
  ])('reports %s precisely', (_what, change, expected) => {
    const check = mutate(change);
    expect(check.valid).toBe(false);
    expect(check.message).toBe('credasCommunicationStatus');
    expect(describeViolations(check)).toContain(expected);
  });

  it('tolerant mode (the consumer kit) accepts a field a later compatible release added; closed mode does not', () => {
    const later = JSON.parse(JSON.stringify(event.event)) as Record<string, any>;
    later.data.addedLater = 'x';
    later.addedLaterToo = 1;
    expect(validateEvent(Topics.communications.name, later).valid).toBe(false);
    expect(validateEvent(Topics.communications.name, later, { mode: 'tolerant' })).toEqual({ topic: Topics.communications.name, message: 'credasCommunicationStatus', valid: true, violations: [] });
    // Everything else is still checked.
    later.data.final = 'yes';
    expect(describeViolations(validateEvent(Topics.communications.name, later, { mode: 'tolerant' }))).toContain('value/data/final must be boolean');
  });

  it('never echoes a value (they may be phone numbers or names)', () => {
    const check = mutate((d) => (d.status = '+306912345678'));
    expect(describeViolations(check)).not.toContain('306912345678');
  });

  it('names the expected messages when the type or provider does not belong on the topic', () => {
    const check = validateEvent(Topics.processes.name, { ...event.event });
    expect(check.valid).toBe(false);
    expect(describeViolations(check)).toContain('type="hookbus.communication.status", provider="credas"');
    expect(describeViolations(check)).toContain('(type=hookbus.process.status, provider=cellosign)');
  });

  it('refuses a key that is not the subject, and a value that is not JSON', () => {
    const keyCheck = validateRecord({ topic: event.topic, key: 'credas:other:1:sms', value: JSON.stringify(event.event), headers: { 'content-type': 'application/cloudevents+json', 'hookbus-event-id': event.event.id, 'hookbus-receipt-id': event.event.receiptid } });
    expect(keyCheck.violations).toEqual([{ path: 'key', message: 'differs from the event subject' }]);
    expect(validateEvent(event.topic, Buffer.from('{nope')).violations).toEqual([{ path: 'value', message: 'is not JSON' }]);
  });

  it('accepts a state topic restore sentinel (null value) only under its key prefix', () => {
    expect(validateRecord({ topic: Topics.processState.name, key: '__hookbus_restore__/x', value: null, headers: {} }).valid).toBe(true);
    expect(validateRecord({ topic: Topics.processState.name, key: 'credas:p', value: null, headers: {} }).valid).toBe(false);
  });
});

describe('event contract: coverage', () => {
  it('describes every declared topic, internal ones included', () => {
    expect(topicContracts().every((c) => c.messages.length > 0)).toBe(true);
  });
});
