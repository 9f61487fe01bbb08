import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordError } from '@hookbus/contracts';
import { eventProblems, testSource, testWebhook, TEST_RECEIPT_ID, TEST_RECEIVED_AT } from '../support/test-webhook';
import { authviaAdapter } from './authvia.adapter';
import type { ProcessActionData } from './process-action-data';

const source = testSource('authvia', 'business-process-action', { id: 'authvia-business-process-action' });
const fixture = readFileSync(join(__dirname, 'fixtures', 'business-process-action.completed.json'));
const action = (body: unknown) =>
  testWebhook({ provider: 'authvia', kind: 'business-process-action', sourceId: 'authvia-business-process-action', body });
const BP = '6f1c2a9e-3b7d-4e15-9a0c-8d2f5b4e7a61';
const ACTION = '0c5e8a71-2d4f-4b93-a6e0-7f1b3c9d5e24';

describe('Authvia business-process-action webhook', () => {
  it('becomes hookbus.process.action keyed by its business process', () => {
    const webhook = action(fixture);
    const events = authviaAdapter.normalize(webhook, source);
    expect(events).toEqual([
      {
        topic: 'events.processes.v1',
        key: `authvia:${BP}`,
        event: {
          specversion: '1.0',
          id: expect.any(String),
          type: 'hookbus.process.action',
          source: '/webhooks/authvia-business-process-action',
          subject: `authvia:${BP}`,
          time: TEST_RECEIVED_AT,
          datacontenttype: 'application/json',
          provider: 'authvia',
          receiptid: TEST_RECEIPT_ID,
          data: {
            actionId: ACTION,
            provider: 'authvia',
            businessProcessId: BP,
            processKey: `authvia:${BP}`,
            type: 'payment',
            status: 'completed',
            context: { amount: 12500, currency: 'USD', invoiceNumber: 'INV-2025-0311' },
            features: ['card', 'ach'],
            original: JSON.parse(fixture.toString('utf8')),
          },
        },
      },
    ]);
    expect(eventProblems(events, webhook)).toEqual([]);
    expect(authviaAdapter.routingKey(webhook, source)).toBe(BP);
  });

  it('reads a bare id as the action id and snake_case names', () => {
    const data = authviaAdapter.normalize(action({ id: ACTION, business_process_id: BP, action_type: 'acknowledgement' }), source)[0]!.event
      .data as ProcessActionData;
    expect(data).toMatchObject({ actionId: ACTION, businessProcessId: BP, type: 'acknowledgement', status: null, context: null, features: null });
  });

  it('gives the same id to the same delivery twice', () => {
    const ids = [action(fixture), action(fixture)].map((w) => authviaAdapter.normalize(w, source)[0]!.event.id);
    expect(ids[0]).toBe(ids[1]);
  });

  it.each([
    ['businessProcessId missing', { actionId: ACTION }, 'providers.missing_field', true],
    ['businessProcessId a number', { actionId: ACTION, businessProcessId: 5 }, 'providers.invalid_field', true],
    ['actionId missing', { businessProcessId: BP }, 'providers.missing_field', false],
    ['actionId an array', { actionId: [ACTION], businessProcessId: BP }, 'providers.invalid_field', false],
    ['status an object', { actionId: ACTION, businessProcessId: BP, status: { s: 1 } }, 'providers.invalid_field', false],
  ])('refuses %s (at the gateway: %s)', (_name, body, code, atGateway) => {
    const webhook = action(body);
    expect(() => authviaAdapter.normalize(webhook, source)).toThrow(InvalidRecordError);
    expect(() => authviaAdapter.normalize(webhook, source)).toThrow(expect.objectContaining({ code }));
    if (atGateway) expect(() => authviaAdapter.routingKey(webhook, source)).toThrow(expect.objectContaining({ code }));
    else expect(authviaAdapter.routingKey(webhook, source)).toBe(BP);
  });
});
