export { credasAdapter } from './credas.adapter';
export * from './credas-communication-status.table';
export * from './credas-check-status.table';
export * from './credas-process-status.table';
export * from './credas.payloads';
export { parseCredasActor } from './credas-actor.normalizer';
export { parseCredasProcess } from './credas-process.normalizer';
export { parseCredasCheck, type ParsedCredasCheck } from './credas-check.normalizer';
