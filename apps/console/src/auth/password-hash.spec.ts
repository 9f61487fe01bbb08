import { decoyHashFor, hashPassword, parsePasswordHash, verifyPassword } from './password-hash';

// Small parameters keep the spec fast; the format and the checks are the same as for N=2^15.
const FAST = { N: 1024, r: 8, p: 1 };

describe('console password hashes (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', FAST);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here', FAST)).not.toBe(await hashPassword('same password here', FAST));
  });

  it('uses N=2^15, r=8, p=1 by default', async () => {
    const hash = await hashPassword('default parameters');
    expect(parsePasswordHash(hash)).toMatchObject({ N: 32768, r: 8, p: 1 });
    expect(parsePasswordHash(hash)!.salt).toHaveLength(16);
  });

  it('refuses hashes it would not verify: not scrypt, N not a power of two, absurd cost', async () => {
    expect(parsePasswordHash('bcrypt$2b$10$abc')).toBeNull();
    expect(parsePasswordHash('scrypt$1000$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5')).toBeNull();
    expect(parsePasswordHash(`scrypt$${2 ** 24}$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5`)).toBeNull();
    await expect(verifyPassword('x', 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5')).resolves.toBe(false);
  });
});

describe('decoyHashFor', () => {
  it("has the parameters most configured users' hashes have, SCRYPT_PARAMS without any, and verifies nothing", async () => {
    const hashes = [await hashPassword('a', FAST), await hashPassword('b', { N: 2048, r: 8, p: 1 }), await hashPassword('c', FAST), 'not-a-hash'];
    const decoy = await decoyHashFor(hashes);
    expect(decoy).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(verifyPassword('a', decoy)).resolves.toBe(false);
    expect(await decoyHashFor([])).toMatch(/^scrypt\$32768\$8\$1\$/);
  });
});
