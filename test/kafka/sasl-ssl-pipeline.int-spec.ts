/**
 * Managed-Kafka security end to end: a broker of this file's own with a SASL_SSL listener (127.0.0.1:19784; PLAINTEXT
 * 19782 and the controller 19783 are the broker's own; SASL_TEST_KAFKA_PORT moves all three), its certificate signed
 * by a CA made here with keytool, SCRAM and PLAIN users. The whole stack (`npm start`'s supervisor from dist/, services
 * on 19730–19736, its own database hookbus_sasl_test) is given only the SASL_SSL address and the KAFKA_SECURITY_*
 * settings; `npm run demo` then sends every provider's webhooks, and the rows reach Postgres (the Credas result too:
 * gateway → normalizer → tracker → orchestrator → projector, all through TLS and SCRAM-SHA-512). A wrong password and a
 * client that does not speak TLS are refused by the same listener. The broker has an authorizer (nothing without an
 * ACL; the stack's principal is a super user): a principal given only the gateway's ACLs writes the raw topics and
 * checks their durability, and may neither read nor write the event topics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { allTopics } from '@hookbus/contracts';
import { describeTopicDurability, kafkaSecurityConfig, type KafkaClientSecurity } from '@hookbus/kafka';
import { makeTestCertificates, recreateDatabase, stackPortSettings, stackPorts, waitFor, waitForStackReady, type TestCertificates } from '@hookbus/testing';
import { defaultOptions, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const PLAINTEXT_PORT = Number(process.env.SASL_TEST_KAFKA_PORT || 19782);
const SASL_SSL_PORT = PLAINTEXT_PORT + 2;
const SASL_BROKERS = `127.0.0.1:${SASL_SSL_PORT}`;
const PORT_BASE = Number(process.env.SASL_TEST_PORT_BASE || 19730);
const DATABASE_URL = process.env.SASL_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_sasl_test';
const PORTS = stackPorts(PORT_BASE);
const SCRAM_USER = { name: 'hookbus', password: 'scram-secret-for-the-test' };
const PLAIN_USER = { name: 'hookbus-plain', password: 'plain-secret-for-the-test' };
/** A principal with only the gateway's ACLs (docs/operations.md, "Kafka ACLs"); the two above are super users. */
const GATEWAY_USER = { name: 'hookbus-gateway', password: 'gateway-secret-for-the-test' };

let dir: string;
let certificates: TestCertificates;
let kafka: LocalKafkaOptions;
let stack: ChildProcess | null = null;
let stackOutput = '';
let stackEnv: NodeJS.ProcessEnv;

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An admin through the SASL_SSL listener with `security`; resolves with the cluster's broker addresses or rejects. */
async function describeThrough(security: KafkaClientSecurity | undefined): Promise<string[]> {
  const admin = new Kafka({ clientId: 'sasl-test', brokers: [SASL_BROKERS], ...kafkaSecurityConfig(security), connectionTimeout: 3_000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.map((b) => `${b.host}:${b.port}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const scram: KafkaClientSecurity = {
  protocol: 'SASL_SSL',
  tls: { caFile: null, certFile: null, keyFile: null },
  sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER.name, password: SCRAM_USER.password },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-sasl-'));
  certificates = makeTestCertificates(dir);
  kafka = defaultOptions({
    dataDir: join(dir, 'kafka'),
    port: PLAINTEXT_PORT,
    controllerPort: PLAINTEXT_PORT + 1,
    heapMb: 384,
    reset: true,
    saslSsl: { port: SASL_SSL_PORT, keystoreFile: certificates.keystoreFile, keystorePassword: certificates.keystorePassword, scramUsers: [SCRAM_USER, GATEWAY_USER], plainUsers: [PLAIN_USER], superUsers: [SCRAM_USER.name, PLAIN_USER.name] },
  });
  await Promise.all([startLocalKafka(kafka, () => undefined), recreateDatabase(DATABASE_URL)]);
}, 180_000);

afterAll(async () => {
  if (stack && stack.exitCode === null && stack.signalCode === null) {
    const exited = new Promise((resolve) => stack!.once('exit', resolve));
    stack.kill('SIGTERM');
    await exited;
  }
  if (kafka) await stopLocalKafka(kafka);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the SASL_SSL listener', () => {
  it.each([
    ['SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: SCRAM_USER.name, password: SCRAM_USER.password }],
    ['SCRAM-SHA-256', { mechanism: 'scram-sha-256', username: SCRAM_USER.name, password: SCRAM_USER.password }],
    ['PLAIN', { mechanism: 'plain', username: PLAIN_USER.name, password: PLAIN_USER.password }],
  ] as const)('lets in a client with %s over TLS verified against the test CA, and hands it only its own listener', async (_name, sasl) => {
    const brokers = await describeThrough({ ...scram, tls: { caFile: certificates.caFile, certFile: null, keyFile: null }, sasl });
    expect(brokers).toEqual([SASL_BROKERS]);
  });

  it('refuses a wrong password', async () => {
    await expect(describeThrough({ ...scram, tls: { caFile: certificates.caFile, certFile: null, keyFile: null }, sasl: { ...scram.sasl!, password: 'wrong' } })).rejects.toThrow(/SASL|authenticat/i);
  });

  it("refuses a client that does not trust the broker's CA (TLS verified, never turned off)", async () => {
    await expect(describeThrough({ ...scram, tls: { caFile: null, certFile: null, keyFile: null } })).rejects.toThrow();
  });

  it('gives nothing to a client that speaks PLAINTEXT to it', async () => {
    await expect(describeThrough(undefined)).rejects.toThrow();
  });
});

describe('the whole stack through SASL_SSL', () => {
  beforeAll(async () => {
    stackEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KAFKA_BROKERS: SASL_BROKERS,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SSL_CA_FILE: certificates.caFile,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: SCRAM_USER.name,
      KAFKA_SASL_PASSWORD: SCRAM_USER.password,
      DATABASE_URL,
      TRACKER_STORE_DIR: join(dir, 'tracker-store'),
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
      ...stackPortSettings(PORTS),
    };
    stack = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start.js'), '--only', 'gateway,normalizer,tracker,orchestrator,projector'], { cwd: dir, env: stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (stackOutput = (stackOutput + chunk.toString('utf8')).slice(-30_000));
    stack.stdout!.on('data', keep);
    stack.stderr!.on('data', keep);
    await waitForStackReady(stack, PORTS, () => stackOutput, 120_000);
  }, 300_000);

  it('carries the demo from the gateway to Postgres, the Credas result included', async () => {
    // The demo signs with the secrets npm start wrote in its cwd, and waits for the stages.
    const demo = await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'demo.js')], { ...stackEnv, HOOKBUS_CONFIG: join(dir, '.hookbus', 'local.hookbus.yaml') }, 150_000);
    expect({ code: demo.code, stderr: demo.stderr }).toEqual({ code: 0, stderr: '' });
    // It used the broker only through SASL_SSL: npm start says which broker it uses and started none of its own.
    expect(stackOutput).toContain(`using the broker at ${SASL_BROKERS}`);
    const db = new Client({ connectionString: DATABASE_URL });
    await db.connect();
    try {
      const counts = await waitFor(
        async () => {
          const row = (
            await db.query<{ receipts: string; communications: string; processes: string; results: string }>(
              `SELECT (SELECT count(*) FROM hookbus.receipts) AS receipts, (SELECT count(*) FROM hookbus.communications) AS communications,
                      (SELECT count(*) FROM hookbus.processes) AS processes, (SELECT count(*) FROM hookbus.credas_results WHERE report_pdf IS NOT NULL) AS results`,
            )
          ).rows[0]!;
          const numbers = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
          return numbers.results >= 1 ? numbers : false;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'a Credas result with its PDF in Postgres' },
      );
      expect(counts.receipts).toBeGreaterThanOrEqual(10);
      expect(counts.communications).toBeGreaterThanOrEqual(4);
      expect(counts.processes).toBeGreaterThanOrEqual(3);
    } finally {
      await db.end();
    }
  }, 240_000);
});

describe("least privilege: a principal with only the gateway's ACLs", () => {
  const gateway: KafkaClientSecurity = { protocol: 'SASL_SSL', tls: { caFile: '', certFile: null, keyFile: null }, sasl: { mechanism: 'scram-sha-512', username: GATEWAY_USER.name, password: GATEWAY_USER.password } };
  const client = (clientId: string) =>
    new Kafka({ clientId, brokers: [SASL_BROKERS], ...kafkaSecurityConfig({ ...gateway, tls: { caFile: certificates.caFile, certFile: null, keyFile: null } }), retry: { retries: 1, initialRetryTime: 100 }, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    // Through PLAINTEXT at 127.0.0.1: the broker's own listener, whose principal (ANONYMOUS) is a super user.
    const admin = new Kafka({ clientId: 'acl-admin', brokers: [`127.0.0.1:${PLAINTEXT_PORT}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const principal = `User:${GATEWAY_USER.name}`;
      const allow = (resourceName: string, resourcePatternType: ResourcePatternTypes, operation: AclOperationTypes) => ({
        resourceType: AclResourceTypes.TOPIC, resourceName, resourcePatternType, principal, host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
      });
      await admin.createAcls({
        acl: [
          allow('webhooks.raw.', ResourcePatternTypes.PREFIXED, AclOperationTypes.WRITE),
          allow('webhooks.quarantine', ResourcePatternTypes.LITERAL, AclOperationTypes.WRITE),
          allow('webhooks.raw.', ResourcePatternTypes.PREFIXED, AclOperationTypes.DESCRIBE_CONFIGS),
        ],
      });
      // Topics exist already (the stack above provisioned them); ACLs take effect once the broker applied them.
      await waitFor(async () => (await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal, host: '*', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY })).resources.length >= 2, { what: 'the ACLs applied', timeoutMs: 30_000 });
    } finally {
      await admin.disconnect();
    }
  }, 60_000);

  it('writes a raw webhook record, acknowledged by all in-sync replicas, with an idempotent producer', async () => {
    const producer = client('acl-gateway').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const [written] = await producer.send({ topic: 'webhooks.raw.credas', acks: -1, messages: [{ key: 'acl-test', value: '{}' }] });
      expect(written!.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });

  it("checks the raw topics' durability (DescribeConfigs), as the gateway does at start", async () => {
    const admin = client('acl-gateway-admin').admin();
    await admin.connect();
    try {
      const raw = allTopics().filter((t) => t.name.startsWith('webhooks.raw.')).map((t) => t.name);
      const described = await describeTopicDurability(admin, raw);
      expect(described.topics.map((t) => t.topic).sort()).toEqual([...raw].sort());
    } finally {
      await admin.disconnect();
    }
  });

  it('may not write an event topic', async () => {
    const producer = client('acl-gateway-events').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'events.communications.v1', acks: -1, messages: [{ key: 'x', value: '{}' }] })).rejects.toThrow(/authoriz/i);
    } finally {
      await producer.disconnect();
    }
  });

  it('may not read an event topic', async () => {
    const consumer = client('acl-gateway-reader').consumer({ groupId: `acl-gateway-reader-${Date.now()}`, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      // Refused at once: the topic's metadata is not even shown to this principal.
      await expect(consumer.subscribe({ topics: ['events.communications.v1'], fromBeginning: true })).rejects.toThrow(/not authorized/i);
    } finally {
      await consumer.disconnect();
    }
  });
});
