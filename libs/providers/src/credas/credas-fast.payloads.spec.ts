import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickFields, type FieldAliases, type JsonObject } from '../support/payload-support';
import { describeDtoAgreement, type DtoCase } from '../support/testing/fast-payload-agreement';
import {
  CREDAS_ACTOR_FIELDS,
  CREDAS_ACTOR_IDENTITY_FIELDS,
  CREDAS_ENTITY_FIELDS,
  CREDAS_PROCESS_FIELDS,
  CREDAS_STATUS_UPDATE_FIELDS,
  CredasActorIdentity,
  CredasEntityPayload,
  CredasProcessActorPayload,
  CredasProcessPayload,
  CredasStatusUpdatePayload,
  fastCredasActorIdentity,
  fastCredasEntityPayload,
  fastCredasProcessActorPayload,
  fastCredasProcessPayload,
  fastCredasStatusUpdatePayload,
} from './credas.payloads';

/*
 * Each Credas DTO's fast validator agrees with class-validator (support/fast-payload.ts): on the picked fields of
 * every fixture body, and on mutations of them.
 */
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

function casesOf(name: string, kind: string, body: JsonObject): DtoCase[] {
  const pick = (aliases: FieldAliases) => pickFields(body, aliases, name);
  switch (kind) {
    case 'process-actor':
      return [
        { name: `${name} (actor)`, dto: CredasProcessActorPayload, fast: fastCredasProcessActorPayload, aliases: CREDAS_ACTOR_FIELDS, picked: pick(CREDAS_ACTOR_FIELDS) },
        { name: `${name} (actor identity)`, dto: CredasActorIdentity, fast: fastCredasActorIdentity, aliases: CREDAS_ACTOR_IDENTITY_FIELDS, picked: pick(CREDAS_ACTOR_IDENTITY_FIELDS) },
      ];
    case 'process':
      return [{ name, dto: CredasProcessPayload, fast: fastCredasProcessPayload, aliases: CREDAS_PROCESS_FIELDS, picked: pick(CREDAS_PROCESS_FIELDS) }];
    case 'status-update': {
      const outer = pick(CREDAS_STATUS_UPDATE_FIELDS);
      const payload = JSON.parse(outer.payload as string) as JsonObject;
      return [
        { name: `${name} (outer)`, dto: CredasStatusUpdatePayload, fast: fastCredasStatusUpdatePayload, aliases: { updateType: ['updateType'] }, picked: { updateType: outer.updateType } },
        { name: `${name} (Payload)`, dto: CredasEntityPayload, fast: fastCredasEntityPayload, aliases: CREDAS_ENTITY_FIELDS, picked: pickFields(payload, CREDAS_ENTITY_FIELDS, name) },
      ];
    }
    case 'monitoring':
      return [{ name, dto: CredasEntityPayload, fast: fastCredasEntityPayload, aliases: CREDAS_ENTITY_FIELDS, picked: pick(CREDAS_ENTITY_FIELDS) }];
    default:
      throw new Error(`no DTO case for kind ${kind}`);
  }
}

const sequence = fixture('process.sequence.json') as { deliveries: Array<{ kind: string; body: JsonObject }> };
const CASES: DtoCase[] = [
  ...casesOf('process-actor.seed-000.json', 'process-actor', fixture('process-actor.seed-000.json') as JsonObject),
  ...casesOf('process.seed-001.json', 'process', fixture('process.seed-001.json') as JsonObject),
  ...casesOf('status-update.name-check.json', 'status-update', fixture('status-update.name-check.json') as JsonObject),
  ...casesOf('monitoring.json', 'monitoring', fixture('monitoring.json') as JsonObject),
  ...sequence.deliveries.flatMap((d, i) => casesOf(`process.sequence.json #${i}`, d.kind, d.body)),
  // Numbers sent as text and ids sent as numbers: the coercions (ToInteger, ToIdText) on the fast path.
  { name: 'actor, coerced fields', dto: CredasProcessActorPayload, fast: fastCredasProcessActorPayload, aliases: CREDAS_ACTOR_FIELDS, picked: { processId: 'p-1', processActorId: ' 11014 ', clientId: 75, smsStatus: '2', emailStatus: -1 } },
];

describeDtoAgreement('Credas fast validators', CASES);
