import type * as Crypto from 'node:crypto';
import { startHarness, type Harness } from '../console-harness';

/**
 * Security review (issue 20: memory-hard KDF; "an unknown user name costs the same scrypt as a wrong password").
 */
describe('what a login costs, known name or not', () => {
  let h: Harness;
  const calls: number[] = [];
  beforeAll(async () => {
    // A hash made with other parameters than SCRYPT_PARAMS (older tooling, a cheaper N chosen by hand): accepted.
    h = await startHarness([{ name: 'operator', role: 'operator', password: 'operator-password-123', params: { N: 2 ** 14, r: 8, p: 1 } }]);
    // The module object itself (an `import * as` is a copy under esModuleInterop): password-hash.ts calls through it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require('node:crypto') as typeof Crypto;
    const original = crypto.scrypt;
    jest.spyOn(crypto, 'scrypt').mockImplementation(((...args: Parameters<typeof Crypto.scrypt>) => {
      calls.push((args[3] as Crypto.ScryptOptions).N ?? 0);
      return (original as (...a: unknown[]) => void)(...args);
    }) as typeof Crypto.scrypt);
  });
  afterAll(() => h.close());

  it('runs the same scrypt work for an unknown name as for a wrong password of a known one', async () => {
    calls.length = 0;
    await h.login('operator', 'wrong-password-1');
    const known = [...calls];
    calls.length = 0;
    await h.login('nobody', 'wrong-password-1');
    const unknown = [...calls];
    // Before the fix: known [16384]; unknown [32768, 32768] on the first unknown name (the decoy is hashed lazily,
    // then verified, always with SCRYPT_PARAMS): the time tells which names exist.
    expect(known).toHaveLength(1);
    expect(unknown).toEqual(known);
  });
});
