import { join } from 'node:path';
import { localKafkaSetup, newClusterId, repoRoot, requireJava } from './local-kafka';

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

  describe('localKafkaSetup: npm start, npm test and npm run bench never share a broker by default', () => {
    it.each([
      ['start', 9092, 'kafka'],
      ['test', 19092, 'kafka-test'],
      ['bench', 19192, 'kafka-bench'],
    ] as const)('%s: 127.0.0.1:%i, data in .hookbus/%s', (profile, port, dir) => {
      expect(localKafkaSetup(profile, {})).toEqual({
        brokers: [`127.0.0.1:${port}`],
        options: { dataDir: join(repoRoot(), '.hookbus', dir), port, controllerPort: port + 1, heapMb: 768, reset: false },
      });
    });

    it('follows KAFKA_BROKERS and the HOOKBUS_KAFKA_* overrides (CI and engineers set them)', () => {
      const env = { KAFKA_BROKERS: 'localhost:19160', HOOKBUS_KAFKA_CONTROLLER_PORT: '29161', HOOKBUS_KAFKA_DATA: '/tmp/k', HOOKBUS_KAFKA_HEAP_MB: '512' };
      expect(localKafkaSetup('test', env)).toEqual({
        brokers: ['localhost:19160'],
        options: { dataDir: '/tmp/k', port: 19160, controllerPort: 29161, heapMb: 512, reset: false },
      });
    });

    it('does not offer to start a broker that is not a single local address', () => {
      expect(localKafkaSetup('test', { KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092' })).toEqual({ brokers: ['kafka-1:9092', 'kafka-2:9092'], options: null });
      expect(localKafkaSetup('start', { KAFKA_BROKERS: 'kafka:9092' }).options).toBeNull();
    });
  });
});
