import type { SourceProfile } from '../source-profile';

/** Credas' four webhook kinds (docs/providers/credas.md#webhook-kinds), POSTed. */
export const CREDAS_SOURCE = {
  kinds: ['process', 'process-actor', 'status-update', 'monitoring'],
  defaultMethods: ['POST'],
  defaultMaxBodyBytes: null,
} as const satisfies SourceProfile;
