import { PROVIDERS } from '@hookbus/contracts';
import { ADAPTERS, PROVIDER_ADAPTERS, adapterFor } from './adapters';

describe('PROVIDER_ADAPTERS', () => {
  it('holds one adapter per provider, under the provider it says it serves', () => {
    expect(Object.keys(PROVIDER_ADAPTERS).sort()).toEqual([...PROVIDERS].sort());
    for (const provider of PROVIDERS) expect(adapterFor(provider).provider).toBe(provider);
  });

  it('keeps what each adapter says about its provider through the wrapping: status in the path, own reply shape', () => {
    for (const bare of ADAPTERS) {
      expect(adapterFor(bare.provider).statusInPath).toBe(bare.statusInPath);
      expect(adapterFor(bare.provider).reply).toBe(bare.reply);
    }
    expect(PROVIDERS.filter((p) => adapterFor(p).statusInPath)).toEqual(['octapush']);
    expect(PROVIDERS.filter((p) => adapterFor(p).reply)).toEqual(['cellosign']);
  });

  it('hands out the adapters wrapped by withSafeIdentities, never the bare ones', () => {
    for (const bare of ADAPTERS) expect(adapterFor(bare.provider)).not.toBe(bare);
  });
});
