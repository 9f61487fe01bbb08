import { InvalidRecordError } from '../errors';
import { ORCHESTRATOR_COMMANDS_TOPIC } from '../stages';
import { jsonValueOf, type EncodedRecord, type RecordMessage } from './kafka-record';

/**
 * An operator command to the orchestrator on orchestrator.credas.commands.v1 (schema CredasCommand): today only the
 * re-fetch `npm run credas:refetch` writes (apps/orchestrator/src/cli/refetch.ts) and the orchestrator reads.
 */
export interface RefetchCommand {
  readonly type: 'refetch';
  readonly commandId: string;
  readonly processId: string;
  readonly entityId?: string | null;
  readonly requestedAt: string;
}

/** Keyed by the process key (credas:{processId}), no headers; the fields in the order the CLI always wrote them. */
export function encodeRefetchCommand(command: RefetchCommand): EncodedRecord {
  const value = { type: command.type, commandId: command.commandId, processId: command.processId, entityId: command.entityId, requestedAt: command.requestedAt };
  return { topic: ORCHESTRATOR_COMMANDS_TOPIC, key: `credas:${command.processId}`, value: Buffer.from(JSON.stringify(value)), headers: {} };
}

/**
 * A command record, InvalidRecordError otherwise (the orchestrator dead-letters it): orchestrator.empty_record for no
 * value, orchestrator.invalid_json for bytes that are not JSON, orchestrator.unknown_command for a type other than
 * refetch, orchestrator.invalid_event for a processId or commandId that is not a non-empty string. The entityId is
 * read as a string or null, requestedAt as a string ('' when absent: the orchestrator does not use it).
 */
export function decodeRefetchCommand(message: RecordMessage): RefetchCommand {
  const json = jsonValueOf(message, 'orchestrator');
  const command = (typeof json === 'object' && json !== null ? json : {}) as Partial<Record<keyof RefetchCommand, unknown>>;
  if (command.type !== 'refetch') throw new InvalidRecordError('orchestrator.unknown_command', 'the command type is not refetch');
  const processId = requireString(command.processId, 'processId');
  const commandId = requireString(command.commandId, 'commandId');
  const entityId = typeof command.entityId === 'string' ? command.entityId : null;
  return { type: 'refetch', commandId, processId, entityId, requestedAt: typeof command.requestedAt === 'string' ? command.requestedAt : '' };
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidRecordError('orchestrator.invalid_event', `${field} must be a non-empty string`);
  return value;
}

export const refetchCommandCodec = { encode: encodeRefetchCommand, decode: decodeRefetchCommand } as const;
