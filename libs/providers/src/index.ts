export * from './webhook';
export * from './decode-body';
export * from './provider-adapter';
export * from './registry';
export * from './safe-identities';
