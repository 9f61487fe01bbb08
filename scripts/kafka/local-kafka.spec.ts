import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterNodeOptions, defaultClusterOptions, defaultOptions, localKafkaSetup, newClusterId, repoRoot, requireJava } from './local-kafka';

describe('local Kafka broker helpers', () => {
  it('lays a three-node cluster out on two ports per node, every node a voter, one cluster id, 3 copies / 2 in sync', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookbus-cluster-spec-'));
    try {
      writeFileSync(join(dir, 'cluster.id'), 'AAAAAAAAAAAAAAAAAAAAAA\n');
      const nodes = clusterNodeOptions(defaultClusterOptions({ dataDir: dir, basePort: 19840 }));
      const voters = '1@127.0.0.1:19841,2@127.0.0.1:19843,3@127.0.0.1:19845';
      expect(nodes.map((n) => [n.port, n.controllerPort, n.dataDir, n.heapMb])).toEqual([
        [19840, 19841, join(dir, 'node-1'), 384],
        [19842, 19843, join(dir, 'node-2'), 384],
        [19844, 19845, join(dir, 'node-3'), 384],
      ]);
      expect(nodes.map((n) => n.clusterNode)).toEqual([1, 2, 3].map((nodeId) => ({ nodeId, quorumVoters: voters, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA', replicationFactor: 3, minInsyncReplicas: 2 })));
      // A smaller cluster cannot hold three copies: its internal topics get as many as it has nodes.
      expect(clusterNodeOptions(defaultClusterOptions({ dataDir: dir, basePort: 19840, nodes: 1 }))[0]!.clusterNode).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1, quorumVoters: '1@127.0.0.1:19841' });
      expect(() => clusterNodeOptions(defaultClusterOptions({ dataDir: dir, nodes: 0 }))).toThrow(/1 or more nodes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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

  describe('defaultOptions (`npm run kafka -- start|stop|status`): the broker npm start would use', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of ['KAFKA_BROKERS', 'HOOKBUS_KAFKA_PORT', 'HOOKBUS_KAFKA_CONTROLLER_PORT']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    it("listens on KAFKA_BROKERS' port when it is one local address (controller on the next)", () => {
      process.env.KAFKA_BROKERS = '127.0.0.1:19692';
      delete process.env.HOOKBUS_KAFKA_PORT;
      delete process.env.HOOKBUS_KAFKA_CONTROLLER_PORT;
      expect(defaultOptions()).toMatchObject({ port: 19692, controllerPort: 19693 });
      process.env.HOOKBUS_KAFKA_PORT = '19800';
      expect(defaultOptions()).toMatchObject({ port: 19800, controllerPort: 19801 });
    });

    it('keeps 9092/9093 without KAFKA_BROKERS or when it is not one local address', () => {
      delete process.env.HOOKBUS_KAFKA_PORT;
      delete process.env.HOOKBUS_KAFKA_CONTROLLER_PORT;
      process.env.KAFKA_BROKERS = 'kafka:9092,kafka-2:9092';
      expect(defaultOptions()).toMatchObject({ port: 9092, controllerPort: 9093 });
      delete process.env.KAFKA_BROKERS;
      expect(defaultOptions()).toMatchObject({ port: 9092, controllerPort: 9093 });
    });
  });
});
