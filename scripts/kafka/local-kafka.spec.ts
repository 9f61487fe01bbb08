import { newClusterId, requireJava } from './local-kafka';

describe('local Kafka broker helpers', () => {
  it('makes cluster ids of 22 base64url characters (the form kafka-storage format expects), each new', () => {
    const ids = Array.from({ length: 50 }, newClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(50);
  });

  it('never starts a cluster id with "-", which StorageTool would take for an option', () => {
    // f8… encodes to a leading '-' in base64url; the generator must draw again.
    const draws = ['f8000000-0000-4000-8000-000000000000', '0c000000-0000-4000-8000-000000000000'];
    const id = newClusterId(() => draws.shift()!);
    expect(id.startsWith('-')).toBe(false);
    expect(id).toBe(Buffer.from('0c000000000040008000000000000000', 'hex').toString('base64url'));
    expect(draws).toHaveLength(0);
  });

  it('without Java, says so and points to docker compose', () => {
    expect(() => requireJava('java-that-is-not-installed')).toThrow(/Java is not installed.*docker compose up --build/);
    expect(() => requireJava()).not.toThrow();
  });
});
