/**
 * Registers every provider's adapter. Imported for its effect by the services that normalize or route
 * (`import '@hookbus/providers/adapters'`), so libs/providers/src/index.ts stays free of the provider folders.
 */
import { authviaAdapter } from './authvia';
import { cellosignAdapter } from './cellosign';
import { credasAdapter } from './credas';
import { octapushAdapter } from './octapush';
import { registerAdapters } from './registry';

export const ADAPTERS = [credasAdapter, authviaAdapter, octapushAdapter, cellosignAdapter] as const;
registerAdapters(ADAPTERS);
