import {
  describeViolations,
  validateEvent as validateEventAs,
  validateRecord as validateRecordAs,
  type ContractCheck,
  type ContractRecord,
  type ContractViolation,
} from '../../../libs/contracts/src/schemas/event-validator';

/**
 * @hookbus/events/validate: checks a record against the JSON Schemas of its topic, as a tolerant reader: fields the
 * schemas do not declare are allowed (every `additionalProperties: false` removed, as in this package's
 * schemas/*.json), because a compatible release may add optional fields (docs/compatibility.md). Needs `ajv` and
 * `ajv-formats` installed beside this package (optional peer dependencies: the decoder in the main entry does not
 * need them).
 */
export function validateEvent(topic: string, value: unknown): ContractCheck {
  return validateEventAs(topic, value, { mode: 'tolerant' });
}

export function validateRecord(record: ContractRecord): ContractCheck {
  return validateRecordAs(record, { mode: 'tolerant' });
}

export { describeViolations, type ContractCheck, type ContractRecord, type ContractViolation };
