import fc from 'fast-check';
import { agreementOnEvery, expectAgreement, mutated, singleEdits } from '../support/testing/fast-payload-agreement';
import { readFixture } from './fixtures/webhook-fixture';
import { fastCellosignWebhook, parseCellosignWebhook, parseCellosignWebhookWithClassValidator } from './cellosign.payloads';

/*
 * The Cellosign body's fast validators agree with class-validator (support/fast-payload.ts): on every fixture body,
 * and on mutations of them anywhere inside (event, session, recipient, labels, client, archive).
 */
const FIXTURES = ['seed-session-created.json', 'session-client-logged-in.json', 'session-client-form-loaded.json', 'session-client-form-submitted.json', 'session-archive.template.json'];
const FIELDS = ['event', 'session', 'client', 'type', 'timestamp', 'id', 'reference', 'process_id', 'process_number', 'transaction_number', 'recipient', 'labels', 'name', 'ip', 'user_agent'];

const seed = JSON.parse(readFixture('seed-session-created.json')) as { event: object; session: Record<string, unknown> };
const BODIES: Array<[string, Record<string, unknown>]> = [
  ...FIXTURES.map((name): [string, Record<string, unknown>] => [name, JSON.parse(readFixture(name)) as Record<string, unknown>]),
  // A numeric session id (read as text), and the optional objects sent as null.
  ['numeric session id', { ...seed, session: { ...seed.session, id: 51 } }],
  ['null recipient, labels and client', { ...seed, session: { ...seed.session, recipient: null, labels: null }, client: null }],
];

function agree(body: unknown): boolean {
  return expectAgreement(fastCellosignWebhook(body), () => parseCellosignWebhook(body), () => parseCellosignWebhookWithClassValidator(body));
}

describe('Cellosign fast validators', () => {
  it.each(BODIES)('%s: is certain, and builds what class-validator builds', (_name, body) => {
    expect(agree(body)).toBe(true);
  });

  it.each(BODIES)('%s, every single edit: the same value or the same refusal as class-validator', (_name, body) => {
    expect(agreementOnEvery(singleEdits(body, FIELDS), agree)).toBeGreaterThan(0);
  });

  it.each(BODIES)('%s, mutated: the same value or the same refusal as class-validator', (_name, body) => {
    fc.assert(
      fc.property(mutated(body, FIELDS), (plain) => {
        agree(plain);
      }),
      { numRuns: 300 },
    );
  });

  it.each([null, 'text', 7, [], [{ event: {} }]])('%p as the body: left to class-validator', (body) => {
    expect(agree(body)).toBe(false);
  });
});
