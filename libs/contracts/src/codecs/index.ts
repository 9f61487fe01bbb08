// One codec per record kind: the only code that knows the record headers' names and the values' encodings.
export * from './kafka-record';
export * from './raw-webhook.codec';
export * from './quarantine.codec';
export * from './cloud-event-record.codec';
export * from './state-record.codec';
export * from './dead-letter.codec';
export * from './tracker-hint.codec';
export * from './retry-record.codec';
export * from './retrieval-memo.codec';
export * from './refetch-command.codec';
export * from './console-audit.codec';
export * from './replay-command.codec';
