import type { ProviderName } from '@hookbus/contracts';
import { AUTHVIA_SOURCE } from './authvia/authvia-source';
import { CELLOSIGN_SOURCE } from './cellosign/cellosign-source';
import { CREDAS_SOURCE } from './credas/credas-source';
import { OCTAPUSH_SOURCE } from './octapush/octapush-source';

/**
 * Each provider's source profile (source-profile.ts), by provider: read by libs/config's loader
 * (`import { SOURCE_PROFILES } from '@hookbus/providers/source-profiles'`, this file and not the package index, which
 * pulls in the adapters and their libs/config types). A provider without a profile does not compile.
 */
export const SOURCE_PROFILES = {
  credas: CREDAS_SOURCE,
  authvia: AUTHVIA_SOURCE,
  octapush: OCTAPUSH_SOURCE,
  cellosign: CELLOSIGN_SOURCE,
} as const satisfies Record<ProviderName, unknown>;
