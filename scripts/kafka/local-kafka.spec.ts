import { newClusterId, requireJava } from './local-kafka';

describe('local Kafka broker helpers', () => {
  it('makes cluster ids of 22 base64url characters (the form kafka-storage format expects), each new', () => {
    const ids = Array.from({ length: 50 }, newClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(50);
  });

  it('without Java, says so and points to docker compose', () => {
    expect(() => requireJava('java-that-is-not-installed')).toThrow(/Java is not installed.*docker compose up --build/);
    expect(() => requireJava()).not.toThrow();
  });
});
