import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordError, type ProcessStatusData } from '@hookbus/contracts';
import { eventProblems, testSource, testWebhook, TEST_RECEIPT_ID, TEST_RECEIVED_AT } from '../support/test-webhook';
import { authviaAdapter } from './authvia.adapter';

const source = testSource('authvia', 'business-process', { id: 'authvia-business-process' });
const fixtureText = (name: string) => readFileSync(join(__dirname, 'fixtures', name));
const scheduled = fixtureText('business-process.scheduled.json');
const bp = (body: unknown, extra: { receiptId?: string; receivedAt?: string } = {}) =>
  testWebhook({ provider: 'authvia', kind: 'business-process', sourceId: 'authvia-business-process', body, ...extra });
const ID = '6f1c2a9e-3b7d-4e15-9a0c-8d2f5b4e7a61';
const dataOf = (body: unknown, from = source) => authviaAdapter.normalize(bp(body), from)[0]!.event.data as ProcessStatusData;

describe('Authvia business-process webhook', () => {
  it('normalizes a Business Process Updated body built from the documented attributes', () => {
    const webhook = bp(scheduled);
    const events = authviaAdapter.normalize(webhook, source);
    expect(events).toEqual([
      {
        topic: 'events.processes.v1',
        key: `authvia:${ID}`,
        event: {
          specversion: '1.0',
          id: expect.any(String),
          type: 'hookbus.process.status',
          source: '/webhooks/authvia-business-process',
          subject: `authvia:${ID}`,
          time: TEST_RECEIVED_AT,
          datacontenttype: 'application/json',
          provider: 'authvia',
          receiptid: TEST_RECEIPT_ID,
          data: {
            processKey: `authvia:${ID}`,
            provider: 'authvia',
            processId: ID,
            status: 'scheduled',
            final: false,
            providerStatus: { code: 'scheduled', text: null },
            version: 1,
            statusReason: null,
            expiresAt: '2025-04-18T10:15:30.000Z',
            closedAt: null,
            entityId: 'cust-00042917',
            original: JSON.parse(scheduled.toString('utf8')),
          },
        },
      },
    ]);
    expect(eventProblems(events, webhook)).toEqual([]);
    expect(authviaAdapter.routingKey(webhook, source)).toBe(ID);
  });

  it.each([
    ['id', { id: ID }],
    ['businessProcessId', { businessProcessId: ID }],
    ['business_process_id', { business_process_id: ID }],
    ['BusinessProcessId', { BusinessProcessId: ID }],
    ['business-process-v4-id', { 'business-process-v4-id': ID }],
  ])('accepts the id spelled %s', (_name, body) => {
    expect(authviaAdapter.routingKey(bp(body), source)).toBe(ID);
    expect(dataOf({ ...body, status: 'in-progress' })).toMatchObject({ processKey: `authvia:${ID}`, status: 'in_progress' });
  });

  it('accepts snake_case attributes and numeric strings', () => {
    const data = dataOf({
      business_process_id: ID,
      status: 'failed',
      status_reason: 'expired',
      expires_at: '2025-02-01T09:00:00Z',
      closed_date: '2025-02-01T09:18:04Z',
      version: '7',
      customer_id: 42,
    });
    expect(data).toMatchObject({
      status: 'expired',
      final: true,
      statusReason: 'expired',
      expiresAt: '2025-02-01T09:00:00.000Z',
      closedAt: '2025-02-01T09:18:04.000Z',
      version: 7,
      entityId: '42',
      providerStatus: { code: 'failed', text: 'expired' },
    });
  });

  it('converts offsets to UTC and reads naive times in the source timezone', () => {
    expect(dataOf({ id: ID, expiration: '2025-06-01T12:00:00+02:00' }).expiresAt).toBe('2025-06-01T10:00:00.000Z');
    const london = testSource('authvia', 'business-process', { id: 'authvia-business-process', timezone: 'Europe/London' });
    expect(dataOf({ id: ID, expiration: '2025-06-01T12:00:00' }, london).expiresAt).toBe('2025-06-01T11:00:00.000Z');
  });

  it('uses an updatedAt as the event time when a delivery carries one', () => {
    const [event] = authviaAdapter.normalize(bp({ id: ID, updatedAt: '2025-03-05T15:02:11+01:00' }), source);
    expect(event!.event.time).toBe('2025-03-05T14:02:11.000Z');
  });

  it('maps nulls to nulls and an unknown status to unknown', () => {
    expect(dataOf({ id: ID, status: 'paused', statusReason: null, version: null, expiration: null, actions: null })).toMatchObject({
      status: 'unknown',
      final: false,
      providerStatus: { code: 'paused', text: null },
      version: null,
      expiresAt: null,
    });
  });

  it('looks inside a {data: ...} wrapper only when the top level has no id', () => {
    const wrapped = { type: 'business_processes.update', data: { id: ID, status: 'resolved' } };
    expect(authviaAdapter.routingKey(bp(wrapped), source)).toBe(ID);
    expect(dataOf(wrapped)).toMatchObject({ status: 'completed', original: wrapped });
    expect(authviaAdapter.routingKey(bp({ id: 'outer', data: { id: ID } }), source)).toBe('outer');
  });

  it('prefers businessProcessId over a bare id, but refuses two spellings of one name that disagree', () => {
    expect(authviaAdapter.routingKey(bp({ id: 'other', businessProcessId: ID }), source)).toBe(ID);
    expect(() => authviaAdapter.routingKey(bp({ businessProcessId: ID, business_process_id: 'other' }), source)).toThrow(
      expect.objectContaining({ code: 'providers.ambiguous_field' }),
    );
  });

  it('gives the same id to the same delivery twice, and a new id to the next version', () => {
    const a = authviaAdapter.normalize(bp(scheduled), source)[0]!.event.id;
    const b = authviaAdapter.normalize(bp(scheduled, { receiptId: 'r2', receivedAt: '2025-03-06T00:00:00.000Z' }), source)[0]!.event.id;
    const c = authviaAdapter.normalize(bp({ ...JSON.parse(scheduled.toString('utf8')), version: 2 }), source)[0]!.event.id;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it.each([
    ['id missing', { status: 'resolved' }, 'providers.missing_field', true],
    ['id null', { id: null }, 'providers.missing_field', true],
    ['id a number', { id: 42 }, 'providers.invalid_field', true],
    ['id an object', { id: { v4: ID } }, 'providers.invalid_field', true],
    ['id huge', { id: 'x'.repeat(200_000) }, 'providers.invalid_field', true],
    ['status a number', { id: ID, status: 3 }, 'providers.invalid_field', false],
    ['version text', { id: ID, version: 'seven' }, 'providers.invalid_field', true],
    ['version 1e308', { id: ID, version: 1e308 }, 'providers.invalid_field', true],
    ['version 1e308 as text', { id: ID, version: '1e308' }, 'providers.invalid_field', true],
    ['version past 2^53 - 1', { id: ID, version: 2 ** 53 }, 'providers.invalid_field', true],
    ['version negative', { id: ID, version: -1 }, 'providers.invalid_field', true],
    ['version fractional', { id: ID, version: 2.5 }, 'providers.invalid_field', true],
    ['expiration not a date', { id: ID, expiration: 'in 45 days' }, 'providers.invalid_field', false],
    ['closedDate a number', { id: ID, closedDate: 1738400284 }, 'providers.invalid_field', false],
    ['actions an object', { id: ID, actions: { first: {} } }, 'providers.invalid_field', false],
    ['addresses a string', { id: ID, addresses: 'alex.doe@example.com' }, 'providers.invalid_field', false],
  ])('refuses %s (at the gateway: %s)', (_name, body, code, atGateway) => {
    const webhook = bp(body);
    const expected = expect.objectContaining({ code });
    expect(() => authviaAdapter.normalize(webhook, source)).toThrow(InvalidRecordError);
    expect(() => authviaAdapter.normalize(webhook, source)).toThrow(expected);
    if (atGateway) expect(() => authviaAdapter.routingKey(webhook, source)).toThrow(expected);
    else expect(authviaAdapter.routingKey(webhook, source)).toBe(ID);
  });

  it('accepts versions from 0 to 2^53 - 1 (a counter or an epoch timestamp in ms or µs)', () => {
    for (const version of [0, 7, 1_732_265_000_000, 1_732_265_000_000_000, Number.MAX_SAFE_INTEGER]) {
      expect(authviaAdapter.routingKey(bp({ id: ID, version }), source)).toBe(ID);
      expect((authviaAdapter.normalize(bp({ id: ID, version }), source)[0]!.event.data as ProcessStatusData).version).toBe(version);
    }
  });

  it('keeps personal data out of error messages', () => {
    expect(() => authviaAdapter.normalize(bp({ id: ID, addresses: 'alex.doe@example.com' }), source)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('alex') }),
    );
  });

  it('keeps a __proto__ key as inert data', () => {
    const webhook = bp(`{"id":"${ID}","__proto__":{"polluted":true},"actions":[{"__proto__":{"polluted":true}}]}`);
    const data = authviaAdapter.normalize(webhook, source)[0]!.event.data as ProcessStatusData;
    expect(Object.getPrototypeOf(data.original)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(data.original, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['business-process.resolved.sequence.json', 'completed', 3],
    ['business-process.expired.sequence.json', 'expired', 2],
  ])('%s ends %s at version %i, later deliveries carrying a lower version', (file, finalStatus, finalVersion) => {
    const sequence = JSON.parse(fixtureText(file).toString('utf8')) as { deliveries: Array<{ kind: string; body: unknown }> };
    const updates = sequence.deliveries
      .filter((d) => d.kind === 'business-process')
      .map((d) => authviaAdapter.normalize(bp(d.body), source)[0]!.event.data as ProcessStatusData);
    const newest = updates.reduce((a, b) => ((b.version ?? 0) > (a.version ?? 0) ? b : a));
    expect(newest).toMatchObject({ status: finalStatus, final: true, version: finalVersion, closedAt: expect.any(String) });
    expect(updates.slice(updates.indexOf(newest) + 1).every((u) => (u.version ?? 0) < finalVersion)).toBe(true);
  });
});
