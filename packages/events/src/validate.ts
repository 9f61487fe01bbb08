/**
 * @hookbus/events/validate: checks a record against the full JSON Schemas of its topic, as hookbus' own contract test
 * does. Needs `ajv` and `ajv-formats` installed beside this package (optional peer dependencies: the decoder in the
 * main entry does not need them).
 */
export { validateEvent, validateRecord, describeViolations, type ContractCheck, type ContractRecord, type ContractViolation } from '../../../libs/contracts/src/schemas/event-validator';
