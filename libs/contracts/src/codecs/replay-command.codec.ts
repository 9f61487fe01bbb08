import { InvalidRecordError } from '../errors';
import { NORMALIZER_COMMANDS_TOPIC } from '../stages';
import { PROVIDERS, type ProviderName } from '../topics';
import { jsonValueOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/**
 * An operator's replay command on normalizer.commands.v1 (schema ReplayCommand): re-normalize a range of
 * webhooks.raw.<provider> (optionally one source, a receipt time range, one partition and an offset range) and publish
 * the events again. The console's /replay page writes it, the normalizer's command consumer runs it with the code of
 * `npm run replay`. Offsets are strings (Kafka offsets are 64-bit).
 */
export interface ReplayCommand {
  readonly type: 'replay';
  readonly commandId: string;
  readonly provider: ProviderName;
  readonly sourceId?: string;
  /** ISO 8601, UTC. */
  readonly from?: string;
  readonly to?: string;
  readonly partition?: number;
  readonly fromOffset?: string;
  readonly toOffset?: string;
  /** The console user who asked. */
  readonly requestedBy: string;
  readonly requestedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WHOLE_NUMBER = /^(0|[1-9][0-9]*)$/;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function refuse(message: string): never {
  throw new InvalidRecordError('normalizer.invalid_command', message);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') refuse(`${field} must be a non-empty string when present`);
  return value;
}

function time(value: unknown, field: string): string | undefined {
  const text = optionalString(value, field);
  if (text === undefined) return undefined;
  if (!UTC_TIME.test(text) || Number.isNaN(new Date(text).getTime())) refuse(`${field}: not a UTC ISO 8601 time: ${JSON.stringify(text)}`);
  return text;
}

function offset(value: unknown, field: string): string | undefined {
  const text = optionalString(value, field);
  if (text !== undefined && !WHOLE_NUMBER.test(text)) refuse(`${field}: expected a whole number, got ${JSON.stringify(text)}`);
  return text;
}

/**
 * The command as it may run, InvalidRecordError (normalizer.invalid_command) otherwise — the refusals of the CLI's
 * parseReplayArgs (apps/normalizer/src/cli/replay.ts): an unknown provider, an empty source, a time that is not
 * one, from not before to, a partition that is not a whole number, offsets without a partition or the wrong way
 * round. Whether the source and partition exist is for the replay to say (it knows the config and the topic).
 */
export function validReplayCommand(input: unknown): ReplayCommand {
  const command = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Partial<Record<keyof ReplayCommand, unknown>>;
  if (command.type !== 'replay') throw new InvalidRecordError('normalizer.unknown_command', 'the command type is not replay');
  if (typeof command.commandId !== 'string' || !UUID.test(command.commandId)) refuse('commandId must be a UUID');
  if (typeof command.provider !== 'string' || !PROVIDERS.includes(command.provider as ProviderName)) refuse(`provider: one of ${PROVIDERS.join(', ')}`);
  const sourceId = optionalString(command.sourceId, 'sourceId');
  const from = time(command.from, 'from');
  const to = time(command.to, 'to');
  if (from && to && new Date(from).getTime() >= new Date(to).getTime()) refuse(`from ${from} is not before to ${to}`);
  let partition: number | undefined;
  if (command.partition !== undefined && command.partition !== null) {
    if (typeof command.partition !== 'number' || !Number.isSafeInteger(command.partition) || command.partition < 0) refuse('partition: expected a whole number');
    partition = command.partition;
  }
  const fromOffset = offset(command.fromOffset, 'fromOffset');
  const toOffset = offset(command.toOffset, 'toOffset');
  if ((fromOffset !== undefined || toOffset !== undefined) && partition === undefined) refuse('fromOffset / toOffset need a partition');
  if (fromOffset !== undefined && toOffset !== undefined && BigInt(fromOffset) > BigInt(toOffset)) refuse(`fromOffset ${fromOffset} is after toOffset ${toOffset}`);
  const requestedBy = optionalString(command.requestedBy, 'requestedBy') ?? refuse('requestedBy must be a non-empty string');
  const requestedAt = time(command.requestedAt, 'requestedAt') ?? refuse('requestedAt must be a UTC time');
  return {
    type: 'replay',
    commandId: command.commandId,
    provider: command.provider as ProviderName,
    ...(sourceId !== undefined ? { sourceId } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(partition !== undefined ? { partition } : {}),
    ...(fromOffset !== undefined ? { fromOffset } : {}),
    ...(toOffset !== undefined ? { toOffset } : {}),
    requestedBy,
    requestedAt,
  };
}

/** Keyed by the command id, no headers; refuses (as the decoder would) a command that could not run. */
export function encodeReplayCommand(command: ReplayCommand): EncodedRecord {
  const valid = validReplayCommand(command);
  return { topic: NORMALIZER_COMMANDS_TOPIC, key: valid.commandId, value: Buffer.from(JSON.stringify(valid)), headers: {} };
}

/**
 * A command record, InvalidRecordError otherwise (the normalizer dead-letters it, once): normalizer.empty_record,
 * normalizer.invalid_json, normalizer.unknown_command for a type other than replay, normalizer.invalid_command for a
 * field validReplayCommand refuses.
 */
export function decodeReplayCommand(message: RecordMessage): ReplayCommand {
  return validReplayCommand(jsonValueOf(message, 'normalizer'));
}

export const replayCommandCodec = { encode: encodeReplayCommand, decode: decodeReplayCommand } as const;
