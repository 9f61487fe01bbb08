export * from './webhook';
export * from './decode-body';
export * from './provider-adapter';
export * from './adapters';
export * from './safe-identities';
