import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickFields, type FieldAliases } from '../support/payload-support';
import { describeDtoAgreement, type DtoCase } from '../support/testing/fast-payload-agreement';
import { authviaEntity } from './authvia-envelope';
import {
  AUTHVIA_ACTION_FIELDS,
  AUTHVIA_BUSINESS_PROCESS_FIELDS,
  AUTHVIA_ENVELOPE_KEYS,
  AuthviaBusinessProcessActionPayload,
  AuthviaBusinessProcessPayload,
  AuthviaVersionPayload,
  fastAuthviaBusinessProcessActionPayload,
  fastAuthviaBusinessProcessPayload,
  fastAuthviaVersionPayload,
} from './authvia.payloads';

/*
 * Each Authvia DTO's fast validator agrees with class-validator (support/fast-payload.ts): on the picked fields of
 * every fixture body (and the drain bench's bodies), and on mutations of them.
 */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const VERSION_FIELDS: FieldAliases = { version: AUTHVIA_BUSINESS_PROCESS_FIELDS.version! };

function casesOf(name: string, kind: string, body: unknown): DtoCase[] {
  if (kind === 'business-process') {
    const entity = authviaEntity(body, AUTHVIA_BUSINESS_PROCESS_FIELDS.businessProcessId!, AUTHVIA_ENVELOPE_KEYS['business-process'], name);
    return [
      { name, dto: AuthviaBusinessProcessPayload, fast: fastAuthviaBusinessProcessPayload, aliases: AUTHVIA_BUSINESS_PROCESS_FIELDS, picked: pickFields(entity, AUTHVIA_BUSINESS_PROCESS_FIELDS, name) },
      { name: `${name} (version)`, dto: AuthviaVersionPayload, fast: fastAuthviaVersionPayload, aliases: VERSION_FIELDS, picked: pickFields(entity, VERSION_FIELDS, name) },
    ];
  }
  const idAliases = [...AUTHVIA_ACTION_FIELDS.actionId!, ...AUTHVIA_ACTION_FIELDS.businessProcessId!];
  const entity = authviaEntity(body, idAliases, AUTHVIA_ENVELOPE_KEYS['business-process-action'], name);
  return [{ name, dto: AuthviaBusinessProcessActionPayload, fast: fastAuthviaBusinessProcessActionPayload, aliases: AUTHVIA_ACTION_FIELDS, picked: pickFields(entity, AUTHVIA_ACTION_FIELDS, name) }];
}

type Sequence = { deliveries: Array<{ kind: string; body: unknown }> };
const sequenceCases = (name: string) => (fixture(name) as Sequence).deliveries.flatMap((d, i) => casesOf(`${name} #${i}`, d.kind, d.body));
// The drain bench's bodies (bench/workload.ts): no offset on closedDate, empty arrays, a context object.
const benchProcess = { id: 'bp-bench-1', blueprint: 'card-payment', partnerId: 'partner-1', avid: 'AV-1001', customerId: 'cus-77', status: 'resolved', expiration: '2031-03-04T10:00:00Z', version: 3, actions: [], addresses: [], closedDate: '2031-03-04T10:16:00' };
const benchAction = { id: 'act-bench-1', businessProcessId: 'bp-bench-1', type: 'payment', status: 'completed', updatedAt: '2031-03-04T10:01:00Z', context: { amount: 10 } };

const CASES: DtoCase[] = [
  ...casesOf('business-process.scheduled.json', 'business-process', fixture('business-process.scheduled.json')),
  ...casesOf('business-process-action.completed.json', 'business-process-action', fixture('business-process-action.completed.json')),
  ...sequenceCases('business-process.resolved.sequence.json'),
  ...sequenceCases('business-process.expired.sequence.json'),
  ...casesOf('bench business process', 'business-process', benchProcess),
  ...casesOf('bench action', 'business-process-action', benchAction),
  // Ids sent as numbers and a version sent as text: the coercions (ToIdText, ToNumber) on the fast path.
  ...casesOf('coerced fields', 'business-process', { id: 'bp-1', partnerId: 17, avid: 4, customerId: 0, version: ' 42 ', actions: [{ id: 'a', nested: [1, { x: null }] }] }),
];

describeDtoAgreement('Authvia fast validators', CASES);
