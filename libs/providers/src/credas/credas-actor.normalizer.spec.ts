import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordError, type CommunicationStatusData } from '@hookbus/contracts';
import { credasAdapter } from './credas.adapter';
import { CREDAS_EMAIL_STATUSES, CREDAS_SMS_STATUSES } from './credas-communication-status.table';
import { eventProblems, testSource, testWebhook, TEST_RECEIPT_ID, TEST_RECEIVED_AT } from '../support/test-webhook';

const source = testSource('credas', 'process-actor', { id: 'credas-actor' });
const seed = readFileSync(join(__dirname, 'fixtures', 'process-actor.seed-000.json'));
const actor = (body: unknown, extra: { receiptId?: string; receivedAt?: string } = {}) =>
  testWebhook({ provider: 'credas', kind: 'process-actor', sourceId: 'credas-actor', body, ...extra });
const base = {
  clientId: '75e7fa46-7c93-4d2e-86ee-727737c6f482',
  processId: '9afe8b16-0b4d-4da3-a7d3-353c7ebece0d',
  processActorId: 11014,
  entityId: '3bd81445-a87d-4aa1-9f1d-72afc60fa414',
};

describe('Credas process-actor webhook', () => {
  it("normalizes Credas' example (fixtures/process-actor.seed-000.json) into one event per channel", () => {
    const webhook = actor(seed);
    const events = credasAdapter.normalize(webhook, source);
    const original = JSON.parse(seed.toString('utf8'));
    expect(events).toEqual([
      {
        topic: 'events.communications.v1',
        key: 'credas:9afe8b16-0b4d-4da3-a7d3-353c7ebece0d:11014:sms',
        event: {
          specversion: '1.0',
          id: expect.any(String),
          type: 'hookbus.communication.status',
          source: '/webhooks/credas-actor',
          subject: 'credas:9afe8b16-0b4d-4da3-a7d3-353c7ebece0d:11014:sms',
          time: TEST_RECEIVED_AT,
          datacontenttype: 'application/json',
          provider: 'credas',
          receiptid: TEST_RECEIPT_ID,
          data: {
            communicationId: 'credas:9afe8b16-0b4d-4da3-a7d3-353c7ebece0d:11014:sms',
            provider: 'credas',
            channel: 'sms',
            status: 'delivered',
            final: true,
            providerStatus: { code: 2, text: 'Delivered' },
            processKey: 'credas:9afe8b16-0b4d-4da3-a7d3-353c7ebece0d',
            processId: '9afe8b16-0b4d-4da3-a7d3-353c7ebece0d',
            entityId: '3bd81445-a87d-4aa1-9f1d-72afc60fa414',
            original,
          },
        },
      },
      {
        topic: 'events.communications.v1',
        key: 'credas:9afe8b16-0b4d-4da3-a7d3-353c7ebece0d:11014:email',
        event: expect.objectContaining({
          subject: 'credas:9afe8b16-0b4d-4da3-a7d3-353c7ebece0d:11014:email',
          data: expect.objectContaining({ channel: 'email', status: 'delivered', final: false, providerStatus: { code: 2, text: 'Delivered' } }),
        }),
      },
    ]);
    expect(eventProblems(events, webhook)).toEqual([]);
  });

  it('routes by processId so every actor of a process shares a partition', () => {
    expect(credasAdapter.routingKey(actor(seed), source)).toBe('9afe8b16-0b4d-4da3-a7d3-353c7ebece0d');
  });

  describe.each([
    ['sms', CREDAS_SMS_STATUSES],
    ['email', CREDAS_EMAIL_STATUSES],
  ] as const)('every %s status code', (channel, rows) => {
    it.each(rows)('$code → $status, final $final, code and text kept', ({ code, text, status, final }) => {
      const body = { ...base, [`${channel}Status`]: code, [`${channel}StatusDescription`]: text };
      const [event] = credasAdapter.normalize(actor(body), source);
      expect(event!.event.data).toMatchObject({ channel, status, final, providerStatus: { code, text } });
    });
  });

  it('maps an unknown code to unknown, not final, keeping the code and text', () => {
    const [event] = credasAdapter.normalize(actor({ ...base, emailStatus: 7, emailStatusDescription: 'Deferred' }), source);
    expect(event!.event.data).toMatchObject({ status: 'unknown', final: false, providerStatus: { code: 7, text: 'Deferred' } });
  });

  it('gives the same ids to the same delivery received twice, and different ids per channel', () => {
    const first = credasAdapter.normalize(actor(seed), source);
    const again = credasAdapter.normalize(actor(seed, { receiptId: 'another-receipt', receivedAt: '2026-01-01T00:00:00.000Z' }), source);
    expect(again.map((e) => e.event.id)).toEqual(first.map((e) => e.event.id));
    expect(first[0]!.event.id).not.toBe(first[1]!.event.id);
    const later = credasAdapter.normalize(actor({ ...base, smsStatus: 5 }), source);
    expect(later[0]!.event.id).not.toBe(first[0]!.event.id);
  });

  it('accepts PascalCase keys, numeric strings and null fields', () => {
    const body = { ProcessId: base.processId, ProcessActorId: '11014', EntityId: null, SmsStatus: '5', SmsStatusDescription: null, EmailStatus: null };
    const events = credasAdapter.normalize(actor(body), source);
    expect(events).toHaveLength(1);
    expect(events[0]!.key).toBe(`credas:${base.processId}:11014:sms`);
    expect(events[0]!.event.data).toMatchObject({ status: 'bounced', final: true, entityId: null, providerStatus: { code: 5, text: null } });
  });

  it('emits only the channels whose status is present', () => {
    const events = credasAdapter.normalize(actor({ ...base, emailStatus: 3 }), source);
    expect(events.map((e) => (e.event.data as CommunicationStatusData).channel)).toEqual(['email']);
  });

  it('dead-letters a body with no channel status, though the gateway still stores it', () => {
    expect(credasAdapter.routingKey(actor(base), source)).toBe(base.processId);
    expect(() => credasAdapter.normalize(actor(base), source)).toThrow(expect.objectContaining({ code: 'providers.no_channel_status' }));
  });

  // The gateway refuses (400) only what identifies the messages; other bad fields dead-letter in the normalizer.
  it.each([
    ['processId missing', { ...base, processId: undefined, smsStatus: 1 }, 'providers.missing_field', 'processId', true],
    ['processId null', { ...base, processId: null, smsStatus: 1 }, 'providers.missing_field', 'processId', true],
    ['processId a number', { ...base, processId: 42, smsStatus: 1 }, 'providers.invalid_field', 'processId', true],
    ['processId huge', { ...base, processId: 'a'.repeat(100_000), smsStatus: 1 }, 'providers.invalid_field', 'processId', true],
    ['processId with the key separator', { ...base, processId: 'a:b', smsStatus: 1 }, 'providers.invalid_field', 'processId', true],
    ['processActorId missing', { ...base, processActorId: undefined, smsStatus: 1 }, 'providers.missing_field', 'processActorId', true],
    ['processActorId text', { ...base, processActorId: 'eleven', smsStatus: 1 }, 'providers.invalid_field', 'processActorId', true],
    ['processActorId fractional', { ...base, processActorId: 1.5, smsStatus: 1 }, 'providers.invalid_field', 'processActorId', true],
    ['smsStatus an object', { ...base, smsStatus: { code: 1 } }, 'providers.invalid_field', 'smsStatus', false],
    ['smsStatus text', { ...base, smsStatus: 'Delivered' }, 'providers.invalid_field', 'smsStatus', false],
    ['emailStatusDescription a number', { ...base, emailStatus: 1, emailStatusDescription: 1 }, 'providers.invalid_field', 'emailStatusDescription', false],
  ])('refuses %s with a precise InvalidRecordError', (_name, body, code, field, atGateway) => {
    const webhook = actor(body);
    const precise = expect.objectContaining({ code, message: expect.stringContaining(field) });
    expect(() => credasAdapter.normalize(webhook, source)).toThrow(InvalidRecordError);
    expect(() => credasAdapter.normalize(webhook, source)).toThrow(precise);
    if (atGateway) expect(() => credasAdapter.routingKey(webhook, source)).toThrow(precise);
    else expect(credasAdapter.routingKey(webhook, source)).toBe(base.processId);
  });

  it('never puts a value in an error message', () => {
    const secret = 'someone@example.com';
    expect(() => credasAdapter.routingKey(actor({ ...base, processId: secret }), source)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it.each([
    ['an array', [base]],
    ['a string', '"processId"'],
    ['null', null],
  ])('refuses a body that is %s', (_name, body) => {
    expect(() => credasAdapter.routingKey(actor(body), source)).toThrow(expect.objectContaining({ code: 'providers.payload_not_object' }));
  });

  it('refuses two spellings of one field that disagree', () => {
    const body = { ...base, ProcessId: '1e144e85-f45b-4ae3-8915-ae2826ea1e55', smsStatus: 1 };
    expect(() => credasAdapter.routingKey(actor(body), source)).toThrow(expect.objectContaining({ code: 'providers.ambiguous_field' }));
    expect(credasAdapter.routingKey(actor({ ...base, ProcessId: base.processId }), source)).toBe(base.processId);
  });

  it('keeps a __proto__ key as inert data and changes no prototype', () => {
    const text = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"processId":"${base.processId}","processActorId":1,"smsStatus":1}`;
    const webhook = actor(text);
    const [event] = credasAdapter.normalize(webhook, source);
    const original = (event!.event.data as CommunicationStatusData).original;
    expect(Object.getPrototypeOf(original)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(original, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((original as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('normalizes the realistic sequence: the applicant opens, the guarantor bounces', () => {
    const sequence = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'process.sequence.json'), 'utf8')) as {
      deliveries: Array<{ sourceId: string; kind: string; body: unknown }>;
    };
    const latest = new Map<string, CommunicationStatusData>();
    for (const delivery of sequence.deliveries.filter((d) => d.kind === 'process-actor')) {
      for (const { key, event } of credasAdapter.normalize(actor(delivery.body), source)) {
        latest.set(key, event.data as CommunicationStatusData);
      }
    }
    const summary = Object.fromEntries([...latest].map(([key, data]) => [key.split(':').slice(2).join(':'), [data.status, data.final]]));
    expect(summary).toEqual({
      '11014:sms': ['delivered', true],
      '11014:email': ['opened', true],
      '11015:email': ['bounced', true],
    });
  });
});
