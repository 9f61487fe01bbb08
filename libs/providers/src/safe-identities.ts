import { InvalidRecordError, identityProblem } from '@hookbus/contracts';
import type { NormalizedEvent, ProviderAdapter } from './provider-adapter';

/** Fields of an event's data that become keys of the tracker's state topics and the read model's primary keys. */
const IDENTITY_FIELDS = ['communicationId', 'processKey', 'continuedAs'] as const;

/** Refuses `value` as an identity, naming the rule it broke and where — never the value (it may be a phone number). */
export function checkedIdentity(what: string, value: string): string {
  const problem = identityProblem(value);
  if (problem) throw new InvalidRecordError('providers.invalid_identity', `the ${what} ${problem}`);
  return value;
}

function checkedEvent(normalized: NormalizedEvent): NormalizedEvent {
  checkedIdentity('Kafka key', normalized.key);
  checkedIdentity('event subject', normalized.event.subject);
  const data = normalized.event.data as Record<string, unknown> | null;
  for (const field of IDENTITY_FIELDS) {
    const value = data?.[field];
    if (typeof value === 'string') checkedIdentity(field, value);
  }
  return normalized;
}

/**
 * Every identity a provider adapter makes is checked here, once, for every provider: the gateway's routing key
 * (a refusal is a 400 and the request is kept on webhooks.quarantine) and every key, subject, communicationId and
 * processKey the normalizer publishes (a refusal dead-letters the raw record with the rule it broke). Rules:
 * identityProblem in libs/contracts (UTF-8 bytes, no control characters, no lone surrogates).
 */
export function withSafeIdentities(adapter: ProviderAdapter): ProviderAdapter {
  return {
    provider: adapter.provider,
    kinds: adapter.kinds,
    statusInPath: adapter.statusInPath,
    ...(adapter.reply ? { reply: adapter.reply } : {}),
    routingKey: (webhook, source) => checkedIdentity('routing key', adapter.routingKey(webhook, source)),
    normalize: (webhook, source) => adapter.normalize(webhook, source).map(checkedEvent),
  };
}
