import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordError } from '@hookbus/contracts';
import { credasAdapter } from './credas.adapter';
import { eventProblems, testSource, testWebhook, TEST_RECEIPT_ID, TEST_RECEIVED_AT } from '../support/test-webhook';

const statusUpdateSource = testSource('credas', 'status-update', { id: 'credas-status-update' });
const monitoringSource = testSource('credas', 'monitoring', { id: 'credas-monitoring' });
const statusUpdate = (body: unknown) => testWebhook({ provider: 'credas', kind: 'status-update', sourceId: 'credas-status-update', body });
const monitoring = (body: unknown) => testWebhook({ provider: 'credas', kind: 'monitoring', sourceId: 'credas-monitoring', body });
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));
const ENTITY = '3bd81445-a87d-4aa1-9f1d-72afc60fa414';
const CLIENT = '75e7fa46-7c93-4d2e-86ee-727737c6f482';

describe('Credas status-update webhook', () => {
  it('parses the Payload string a second time and keys the event by its EntityId', () => {
    const webhook = statusUpdate(fixture('status-update.name-check.json'));
    const events = credasAdapter.normalize(webhook, statusUpdateSource);
    const original = JSON.parse(fixture('status-update.name-check.json').toString('utf8'));
    expect(events).toEqual([
      {
        topic: 'events.checks.v1',
        key: ENTITY,
        event: {
          specversion: '1.0',
          id: expect.any(String),
          type: 'hookbus.check.update',
          source: '/webhooks/credas-status-update',
          subject: ENTITY,
          time: TEST_RECEIVED_AT,
          datacontenttype: 'application/json',
          provider: 'credas',
          receiptid: TEST_RECEIPT_ID,
          data: {
            entityId: ENTITY,
            provider: 'credas',
            kind: 'status-update',
            clientId: CLIENT,
            updateType: 1,
            updateTypeName: 'name_check',
            payload: { EntityIdvEntryIdDocumentId: 48213, NameCheckVerificationResult: 1, EntityId: ENTITY, ClientId: CLIENT },
            original,
          },
        },
      },
    ]);
    expect(eventProblems(events, webhook)).toEqual([]);
    expect(credasAdapter.routingKey(webhook, statusUpdateSource)).toBe(ENTITY);
  });

  it.each([
    [1, 'name_check'],
    ['8', 'right_to_work'],
    [42, null],
    [null, null],
  ])('UpdateType %p is named %p', (updateType, name) => {
    const body = { UpdateType: updateType, Payload: JSON.stringify({ EntityId: ENTITY }) };
    const [event] = credasAdapter.normalize(statusUpdate(body), statusUpdateSource);
    expect(event!.event.data).toMatchObject({ updateTypeName: name, clientId: null });
  });

  it('accepts camelCase keys and a Payload that is already an object', () => {
    const [event] = credasAdapter.normalize(statusUpdate({ updateType: 3, payload: { entityId: ENTITY } }), statusUpdateSource);
    expect(event!.key).toBe(ENTITY);
  });

  it.each([
    ['Payload missing', { UpdateType: 1 }, 'providers.missing_field'],
    ['Payload not JSON', { UpdateType: 1, Payload: '{EntityId: nope' }, 'providers.invalid_embedded_json'],
    ['Payload a number', { UpdateType: 1, Payload: 7 }, 'providers.invalid_field'],
    ['Payload a JSON array', { UpdateType: 1, Payload: '[1,2]' }, 'providers.payload_not_object'],
    ['Payload too deep', { UpdateType: 1, Payload: '['.repeat(1000) + ']'.repeat(1000) }, 'providers.invalid_embedded_json'],
    ['EntityId missing', { UpdateType: 1, Payload: '{"ClientId":"c"}' }, 'providers.missing_field'],
    ['EntityId a number', { UpdateType: 1, Payload: '{"EntityId":5}' }, 'providers.invalid_field'],
  ])('refuses %s, at the gateway too', (_name, body, code) => {
    const webhook = statusUpdate(body);
    expect(() => credasAdapter.routingKey(webhook, statusUpdateSource)).toThrow(InvalidRecordError);
    expect(() => credasAdapter.routingKey(webhook, statusUpdateSource)).toThrow(expect.objectContaining({ code }));
    expect(() => credasAdapter.normalize(webhook, statusUpdateSource)).toThrow(expect.objectContaining({ code }));
  });

  it('dead-letters a bad UpdateType in the normalizer but lets the gateway store it', () => {
    const webhook = statusUpdate({ UpdateType: [1], Payload: `{"EntityId":"${ENTITY}"}` });
    expect(credasAdapter.routingKey(webhook, statusUpdateSource)).toBe(ENTITY);
    expect(() => credasAdapter.normalize(webhook, statusUpdateSource)).toThrow(expect.objectContaining({ code: 'providers.invalid_field' }));
  });

  it('gives the same id to the same delivery twice', () => {
    const a = credasAdapter.normalize(statusUpdate(fixture('status-update.name-check.json')), statusUpdateSource);
    const b = credasAdapter.normalize(statusUpdate(fixture('status-update.name-check.json')), statusUpdateSource);
    expect(a[0]!.event.id).toBe(b[0]!.event.id);
  });
});

describe('Credas monitoring webhook', () => {
  it('asks for a refresh of the entity', () => {
    const webhook = monitoring(fixture('monitoring.json'));
    const events = credasAdapter.normalize(webhook, monitoringSource);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      topic: 'events.checks.v1',
      key: ENTITY,
      event: {
        type: 'hookbus.check.update',
        source: '/webhooks/credas-monitoring',
        data: { entityId: ENTITY, provider: 'credas', kind: 'monitoring', clientId: CLIENT, updateType: null, updateTypeName: null, payload: null, original: { EntityId: ENTITY, ClientId: CLIENT } },
      },
    });
    expect(eventProblems(events, webhook)).toEqual([]);
    expect(credasAdapter.routingKey(webhook, monitoringSource)).toBe(ENTITY);
  });

  it.each([
    [{ ClientId: CLIENT }, 'providers.missing_field'],
    [{ EntityId: null }, 'providers.missing_field'],
    [{ EntityId: true }, 'providers.invalid_field'],
  ])('refuses %j with %s', (body, code) => {
    expect(() => credasAdapter.routingKey(monitoring(body), monitoringSource)).toThrow(expect.objectContaining({ code }));
    expect(() => credasAdapter.normalize(monitoring(body), monitoringSource)).toThrow(expect.objectContaining({ code }));
  });

  it('dead-letters a ClientId of the wrong type in the normalizer only', () => {
    const webhook = monitoring({ EntityId: ENTITY, ClientId: { id: 1 } });
    expect(credasAdapter.routingKey(webhook, monitoringSource)).toBe(ENTITY);
    expect(() => credasAdapter.normalize(webhook, monitoringSource)).toThrow(expect.objectContaining({ code: 'providers.invalid_field' }));
  });

  it('accepts a numeric ClientId as text', () => {
    const [event] = credasAdapter.normalize(monitoring({ entityId: ENTITY, clientId: 1234 }), monitoringSource);
    expect(event!.event.data).toMatchObject({ clientId: '1234' });
  });
});
