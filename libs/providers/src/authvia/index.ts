export { authviaAdapter } from './authvia.adapter';
export * from './authvia-process-status.table';
export * from './authvia.payloads';
export * from './process-action-data';
export { parseAuthviaBusinessProcess } from './authvia-business-process.normalizer';
export { parseAuthviaAction } from './authvia-action.normalizer';
