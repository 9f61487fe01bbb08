import {
  COMMUNICATION_STATUSES,
  EventTypes,
  InvalidRecordError,
  PROCESS_STATUSES,
  PROVIDERS,
  type CloudEvent,
  type CommunicationStatusEvent,
  type ProcessStatusEvent,
  type ProviderStatus,
} from '@hookbus/contracts';
import { timeKey } from './event-order';

/**
 * What the merge relies on in an incoming event, checked once. A record that fails is the normalizer's bug: it
 * is dead-lettered (InvalidRecordError), never half-applied. Messages name fields, never values (values may be
 * phone numbers or emails).
 */
export function assertCommunicationStatusEvent(event: CloudEvent): asserts event is CommunicationStatusEvent {
  assertEnvelope(event, EventTypes.communicationStatus);
  const data = event.data as Record<string, unknown>;
  requireString(data, 'communicationId');
  requireOneOf(data, 'provider', PROVIDERS);
  requireOneOf(data, 'channel', ['sms', 'email', 'viber']);
  requireOneOf(data, 'status', COMMUNICATION_STATUSES);
  requireBoolean(data, 'final');
  requireProviderStatus(data);
  for (const field of ['processKey', 'processId', 'entityId', 'continuedAs']) optionalString(data, field);
}

export function assertProcessStatusEvent(event: CloudEvent): asserts event is ProcessStatusEvent {
  assertEnvelope(event, EventTypes.processStatus);
  const data = event.data as Record<string, unknown>;
  requireString(data, 'processKey');
  requireOneOf(data, 'provider', PROVIDERS);
  requireString(data, 'processId');
  requireOneOf(data, 'status', PROCESS_STATUSES);
  requireBoolean(data, 'final');
  requireProviderStatus(data);
  for (const field of ['statusReason', 'expiresAt', 'closedAt', 'entityId']) optionalString(data, field);
  if (data.version !== undefined && data.version !== null && !Number.isFinite(data.version)) invalid('data.version must be a number');
  if (typeof data.expiresAt === 'string') timeKey(data.expiresAt);
}

function assertEnvelope(event: CloudEvent, type: string): void {
  if (event.type !== type) invalid(`event type ${String(event.type)} is not ${type}`);
  if (typeof event.id !== 'string' || event.id === '') invalid('event id is missing');
  if (typeof event.time !== 'string') invalid('event time is missing');
  timeKey(event.time);
  if (typeof event.data !== 'object' || event.data === null) invalid('event data is missing');
}

function requireString(data: Record<string, unknown>, field: string): void {
  if (typeof data[field] !== 'string' || data[field] === '') invalid(`data.${field} must be a non-empty string`);
}

function optionalString(data: Record<string, unknown>, field: string): void {
  const value = data[field];
  if (value !== undefined && value !== null && typeof value !== 'string') invalid(`data.${field} must be a string`);
}

function requireBoolean(data: Record<string, unknown>, field: string): void {
  if (typeof data[field] !== 'boolean') invalid(`data.${field} must be a boolean`);
}

function requireOneOf(data: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  if (!allowed.includes(data[field] as string)) invalid(`data.${field} is not one of the canonical values`);
}

function requireProviderStatus(data: Record<string, unknown>): void {
  const status = data.providerStatus as ProviderStatus | undefined;
  if (typeof status !== 'object' || status === null) invalid('data.providerStatus is missing');
  const code = status.code;
  if (code !== null && typeof code !== 'string' && typeof code !== 'number') invalid('data.providerStatus.code must be a string, number or null');
}

function invalid(message: string): never {
  throw new InvalidRecordError('tracking.invalid_event', message);
}
