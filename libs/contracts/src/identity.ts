/** The identity formats of the contract (section 4): every key on the event and state topics is built here. */
export type CommunicationChannel = 'sms' | 'email' | 'viber';

export function credasCommunicationId(processId: string, processActorId: number | string, channel: 'sms' | 'email'): string {
  return `credas:${processId}:${processActorId}:${channel}`;
}

export function octapushCommunicationId(channel: 'sms' | 'viber', messageKey: string): string {
  return `octapush:${channel}:${messageKey}`;
}

export function processKey(provider: 'credas' | 'authvia' | 'cellosign', id: string): string {
  return `${provider}:${id}`;
}
