import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PASSWORD_HASH } from '@hookbus/config';

/**
 * Console passwords are stored as scrypt hashes (memory-hard: N=2^15, r=8, p=1 takes 32 MiB and about 50-100 ms per
 * guess), in the format `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` with a 16-byte random salt and a 32-byte key.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Bounds on what a stored hash may ask for: a hash from the config never makes verification take minutes or gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<string> {
  if (password.length === 0) throw new Error('console: an empty password cannot be hashed');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params.N, params.r, params.p, KEY_BYTES);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/** The hash's parameters, or null when it is not one this console would verify (the config check refuses it at start). */
export function parsePasswordHash(hash: string): ParsedHash | null {
  if (!PASSWORD_HASH.test(hash)) return null;
  const [, n, r, p, salt, key] = hash.split('$') as [string, string, string, string, string, string];
  const N = Number(n);
  const parsed = { N, r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || parsed.r < 1 || parsed.r > MAX_R || parsed.p < 1 || parsed.p > MAX_P) return null;
  if (parsed.salt.length < 8 || parsed.key.length < 16) return null;
  return parsed;
}

/** Constant-time comparison of the derived key; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** Why a stored hash would never verify (for the settings' check at start), or null when it is one verifyPassword takes. */
export function passwordHashProblem(hash: string): string | null {
  if (parsePasswordHash(hash)) return null;
  return `not a scrypt hash this console verifies (N a power of two up to 2^20, r 1-${MAX_R}, p 1-${MAX_P}, salt of 8 bytes or more, key of 16 or more): make it with \`npm run console:hash-password\``;
}

/**
 * A hash to verify against when the user name is unknown, so an unknown name costs the same scrypt as a wrong
 * password (no user enumeration by timing): made once at start (startConsole), before anyone can log in, with the
 * parameters most of the configured users' hashes have (SCRYPT_PARAMS when there is none).
 */
export async function decoyHashFor(hashes: readonly string[]): Promise<string> {
  const counts = new Map<string, { n: number; params: { N: number; r: number; p: number } }>();
  for (const hash of hashes) {
    const parsed = parsePasswordHash(hash);
    if (!parsed) continue;
    const id = `${parsed.N}$${parsed.r}$${parsed.p}`;
    const seen = counts.get(id) ?? { n: 0, params: { N: parsed.N, r: parsed.r, p: parsed.p } };
    seen.n += 1;
    counts.set(id, seen);
  }
  const common = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return hashPassword(randomBytes(16).toString('base64'), common?.params ?? SCRYPT_PARAMS);
}
