/**
 * Asks the orchestrator to retrieve a Credas process again, even if it already did: a command on
 * orchestrator.credas.commands.v1 (services talk only through Kafka), for which the orchestrator publishes a new
 * hookbus.credas.results event. One implementation for every caller: `npm run credas:refetch`
 * (apps/orchestrator/src/cli/refetch.ts) and the console's re-fetch button (apps/console) run this code.
 */
import { randomUUID } from 'node:crypto';
import { encodeRefetchCommand, type RefetchCommand } from '@hookbus/contracts';
import { createDurableProducer, createKafka, type KafkaClientSecurity } from './kafka-client';
import type { OutgoingRecord } from './records';

/** Credas ids fill URL path segments (CredasApiClient): refused before a command is written rather than dead-lettered there. */
const CREDAS_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** Whether `id` may be a Credas processId or entityId (letters, digits and dashes, up to 64). */
export function isCredasId(id: string): boolean {
  return CREDAS_ID.test(id);
}

/** A new re-fetch command (a fresh commandId, requested now). */
export function refetchCommand(processId: string, entityId: string | null, now = new Date(), commandId: string = randomUUID()): RefetchCommand {
  return { type: 'refetch', commandId, processId, entityId, requestedAt: now.toISOString() };
}

/** The command as the record to produce (its codec, keyed by the process key). */
export function refetchRecord(command: RefetchCommand): OutgoingRecord {
  return encodeRefetchCommand(command);
}

/** Sends one re-fetch command on a producer of its own (acks all); resolves with the command sent. */
export async function sendRefetch(brokers: readonly string[], processId: string, entityId: string | null, security?: KafkaClientSecurity): Promise<RefetchCommand> {
  const command = refetchCommand(processId, entityId);
  const producer = createDurableProducer(createKafka({ brokers, security, clientId: 'hookbus-credas-refetch' }));
  await producer.connect();
  try {
    const { topic, key, value, headers } = refetchRecord(command);
    await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  } finally {
    await producer.disconnect();
  }
  return command;
}
