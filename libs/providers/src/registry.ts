import type { ProviderName } from '@hookbus/contracts';
import type { ProviderAdapter } from './provider-adapter';
import { withSafeIdentities } from './safe-identities';

/**
 * The adapters by provider. Each provider folder (credas/, authvia/, octapush/, cellosign/) exports its adapter
 * from its index.ts; the map is filled in libs/providers/src/adapters.ts so this file has no import cycle.
 */
const adapters = new Map<ProviderName, ProviderAdapter>();

export function registerAdapters(list: readonly ProviderAdapter[]): void {
  // Registered adapters check every identity they make (safe-identities.ts): no caller can skip it.
  for (const adapter of list) adapters.set(adapter.provider, withSafeIdentities(adapter));
}

export function adapterFor(provider: ProviderName): ProviderAdapter {
  const adapter = adapters.get(provider);
  if (!adapter) throw new Error(`no adapter registered for provider ${provider}`);
  return adapter;
}
