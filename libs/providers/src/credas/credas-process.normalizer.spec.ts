import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordError } from '@hookbus/contracts';
import { credasAdapter } from './credas.adapter';
import { eventProblems, testSource, testWebhook, TEST_RECEIPT_ID, TEST_RECEIVED_AT } from '../support/test-webhook';

const source = testSource('credas', 'process', { id: 'credas-process' });
const seed = readFileSync(join(__dirname, 'fixtures', 'process.seed-001.json'));
const processWebhook = (body: unknown, query = '') =>
  testWebhook({ provider: 'credas', kind: 'process', sourceId: 'credas-process', body, query });

describe('Credas process webhook', () => {
  it("normalizes Credas' example (fixtures/process.seed-001.json), keeping the webhookUrl query as the customer reference", () => {
    const webhook = processWebhook(seed, 'our-reference=1232323');
    const events = credasAdapter.normalize(webhook, source);
    expect(events).toEqual([
      {
        topic: 'events.processes.v1',
        key: 'credas:1e144e85-f45b-4ae3-8915-ae2826ea1e55',
        event: {
          specversion: '1.0',
          id: expect.any(String),
          type: 'hookbus.process.status',
          source: '/webhooks/credas-process',
          subject: 'credas:1e144e85-f45b-4ae3-8915-ae2826ea1e55',
          time: TEST_RECEIVED_AT,
          datacontenttype: 'application/json',
          provider: 'credas',
          receiptid: TEST_RECEIPT_ID,
          data: {
            processKey: 'credas:1e144e85-f45b-4ae3-8915-ae2826ea1e55',
            provider: 'credas',
            processId: '1e144e85-f45b-4ae3-8915-ae2826ea1e55',
            status: 'completed',
            final: true,
            providerStatus: { code: 2, text: 'The process is complete' },
            entityId: null,
            reference: { 'our-reference': '1232323' },
            original: {
              ProcessId: '1e144e85-f45b-4ae3-8915-ae2826ea1e55',
              ClientId: '8c55ebc3-7ac2-469e-9837-94023aa82c3d',
              Status: 2,
              StatusDescription: 'The process is complete',
            },
          },
        },
      },
    ]);
    expect(eventProblems(events, webhook)).toEqual([]);
    expect(Object.getPrototypeOf(events[0]!.event.data)).toBe(Object.prototype);
  });

  it('routes by ProcessId', () => {
    expect(credasAdapter.routingKey(processWebhook(seed), source)).toBe('1e144e85-f45b-4ae3-8915-ae2826ea1e55');
  });

  it('gives the same id to the same delivery, and a different one when the query differs', () => {
    const [a] = credasAdapter.normalize(processWebhook(seed, 'our-reference=1'), source);
    const [b] = credasAdapter.normalize(processWebhook(seed, 'our-reference=1'), source);
    const [c] = credasAdapter.normalize(processWebhook(seed, 'our-reference=2'), source);
    expect(a!.event.id).toBe(b!.event.id);
    expect(a!.event.id).not.toBe(c!.event.id);
  });

  it.each([
    [{ processId: 'p-1', status: '2' }, 'completed', true, 2],
    [{ ProcessId: 'p-1', Status: 3, StatusDescription: 'Something new' }, 'unknown', false, 3],
    [{ ProcessId: 'p-1', Status: null }, 'unknown', false, null],
    [{ ProcessId: 'p-1' }, 'unknown', false, null],
  ])('%j → %s (final %s)', (body, status, final, code) => {
    const [event] = credasAdapter.normalize(processWebhook(body), source);
    expect(event!.event.data).toMatchObject({ status, final, providerStatus: { code }, reference: {} });
  });

  it.each([
    [{ ClientId: 'c' }, 'providers.missing_field', true],
    [{ ProcessId: ['p-1'] }, 'providers.invalid_field', true],
    [{ ProcessId: 'p-1', Status: 'Complete' }, 'providers.invalid_field', false],
    [{ ProcessId: 'p-1', StatusDescription: { text: 'x' } }, 'providers.invalid_field', false],
  ])('refuses %j with %s (at the gateway: %s)', (body, code, atGateway) => {
    expect(() => credasAdapter.normalize(processWebhook(body), source)).toThrow(InvalidRecordError);
    expect(() => credasAdapter.normalize(processWebhook(body), source)).toThrow(expect.objectContaining({ code }));
    if (atGateway) expect(() => credasAdapter.routingKey(processWebhook(body), source)).toThrow(expect.objectContaining({ code }));
    else expect(credasAdapter.routingKey(processWebhook(body), source)).toBe('p-1');
  });

  it('keeps a hostile query parameter name as data', () => {
    const [event] = credasAdapter.normalize(processWebhook(seed, '__proto__=x&our-reference=9'), source);
    const reference = (event!.event.data as { reference: Record<string, string> }).reference;
    expect(Object.getPrototypeOf(reference)).toBe(Object.prototype);
    expect(reference['our-reference']).toBe('9');
  });
});
