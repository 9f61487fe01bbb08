import type { ProviderName } from '@hookbus/contracts';
import { authviaAdapter } from './authvia';
import { cellosignAdapter } from './cellosign';
import { credasAdapter } from './credas';
import { octapushAdapter } from './octapush';
import type { ProviderAdapter } from './provider-adapter';
import { withSafeIdentities } from './safe-identities';

/**
 * Every provider's adapter, by provider: a plain map imported where it is used (no registration by side effect).
 * Typed as a Record over ProviderName, so a provider added to PROVIDERS without an adapter does not compile.
 * Every adapter is wrapped by withSafeIdentities (safe-identities.ts): it checks every identity the adapter makes, so no
 * caller can skip it.
 */
export const PROVIDER_ADAPTERS: Readonly<Record<ProviderName, ProviderAdapter>> = {
  credas: withSafeIdentities(credasAdapter),
  authvia: withSafeIdentities(authviaAdapter),
  octapush: withSafeIdentities(octapushAdapter),
  cellosign: withSafeIdentities(cellosignAdapter),
};

/** The adapters as written, unwrapped (specs that check what each adapter itself produces). */
export const ADAPTERS = [credasAdapter, authviaAdapter, octapushAdapter, cellosignAdapter] as const;

export function adapterFor(provider: ProviderName): ProviderAdapter {
  const adapter = PROVIDER_ADAPTERS[provider];
  // A provider name read from a record header is checked by the caller; this guards a cast that skipped the check.
  if (!adapter) throw new Error(`no adapter for provider ${provider}`);
  return adapter;
}
