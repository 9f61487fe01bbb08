/**
 * Every service exits within a bound on SIGTERM, whatever is down: here the broker is stopped under them, their
 * Postgres connections are cut (through a proxy: the shared Postgres stays up) and the Credas API never answered. Each runs as its own process from dist/ (as npm start, compose and Kubernetes run it),
 * on a broker of its own (127.0.0.1:19794, SHUTDOWN_TEST_KAFKA_PORT; a temporary data directory) that this file
 * stops, and ports 19710–19715 (SHUTDOWN_TEST_PORT_BASE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_DURABILITY, allTopics } from '@hookbus/contracts';
import { provisionTopics } from '@hookbus/kafka';
import { TEST_DATABASE_URL, waitFor } from '@hookbus/testing';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { defaultOptions, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const KAFKA_PORT = Number(process.env.SHUTDOWN_TEST_KAFKA_PORT || 19794);
const PORT_BASE = Number(process.env.SHUTDOWN_TEST_PORT_BASE || 19710);
/** Shorter than the 10 s default to keep the file fast; the bound is the setting, whatever its value. */
const SHUTDOWN_TIMEOUT_MS = 4_000;
/** What a process needs beyond its own bound to be gone: the exit itself, on a busy two-core machine. */
const SLACK_MS = 3_000;
const SERVICES = [
  ['gateway', 'GATEWAY_PORT'],
  ['normalizer', 'NORMALIZER_PORT'],
  ['tracker', 'TRACKER_PORT'],
  ['orchestrator', 'ORCHESTRATOR_PORT'],
  ['projector', 'PROJECTOR_PORT'],
  ['monitor', 'MONITOR_PORT'],
] as const;
type Service = (typeof SERVICES)[number][0];

interface Stopped {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly millis: number;
  readonly output: string;
}

let kafka: LocalKafkaOptions;
let postgres: TcpProxy;
let dir: string;
const children = new Map<Service, ChildProcess>();
const outputs = new Map<Service, string>();
const stopped = new Map<Service, Stopped>();
/** Each child's exit, listened for from its spawn: a child that exits on its own before the SIGTERM must not leave an await hanging on an 'exit' already emitted. */
const exits = new Map<Service, Promise<Pick<Stopped, 'code' | 'signal'>>>();
/** The services that exited before they were sent SIGTERM (while the broker stopped, say): a failure of their test, with the output. */
const exitedEarly = new Map<Service, string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-shutdown-'));
  kafka = defaultOptions({ dataDir: join(dir, 'kafka'), port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1, heapMb: 384 });
  await startLocalKafka(kafka, () => undefined);
  const admin = new Kafka({ clientId: 'shutdown-test', brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  await admin.disconnect();

  const database = new URL(TEST_DATABASE_URL);
  postgres = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });

  const ports = Object.fromEntries(SERVICES.map(([, setting], i) => [setting, String(PORT_BASE + i)]));
  for (const [name] of SERVICES) {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
        DATABASE_URL: postgres.url(TEST_DATABASE_URL),
        // Nothing listens there: the Credas API is down too.
        CREDAS_API_KEY: 'shutdown-test-key',
        CREDAS_API_BASE_URL: 'http://127.0.0.1:9/api/v2/ci/',
        TRACKER_STORE_DIR: join(dir, 'tracker-store'),
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        ...ports,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    outputs.set(name, '');
    const keep = (chunk: Buffer) => outputs.set(name, (outputs.get(name)! + chunk.toString('utf8')).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    children.set(name, child);
    exits.set(name, new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))));
  }
  // Ready: the consumers are in their groups with partitions assigned, so their stop has work to do (leave the group).
  await waitFor(
    async () => {
      for (const [name, child] of children) if (child.exitCode !== null) throw new Error(`${name} exited at start:\n${outputs.get(name)}`);
      const ready = await Promise.all(SERVICES.map(async (_, i) => (await fetch(`http://127.0.0.1:${PORT_BASE + i}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.status === 200));
      return ready.every(Boolean);
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'every service ready' },
  );

  postgres.cut();
  await stopLocalKafka(kafka);
  await Promise.all(
    [...children].map(async ([name, child]) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        exitedEarly.set(name, `exited before SIGTERM (${child.signalCode ?? `code ${child.exitCode}`}):\n${outputs.get(name)}`);
        return;
      }
      const started = Date.now();
      const exit = exits.get(name)!;
      child.kill('SIGTERM');
      // A service that ignores the bound must not hang the file: it fails its test below, measured, then is killed.
      const guard = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_TIMEOUT_MS + 20_000);
      const { code, signal } = await exit;
      clearTimeout(guard);
      stopped.set(name, { code, signal, millis: Date.now() - started, output: outputs.get(name)! });
    }),
  );
}, 300_000);

afterAll(async () => {
  for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (kafka) await stopLocalKafka(kafka);
  await postgres?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.each(SERVICES.map(([name]) => name))('%s, with the broker stopped, Postgres cut and the Credas API down', (name) => {
  it(`exits on SIGTERM within SHUTDOWN_TIMEOUT_MS (${SHUTDOWN_TIMEOUT_MS} ms here), by itself`, () => {
    expect(exitedEarly.get(name)).toBeUndefined();
    const result = stopped.get(name)!;
    expect(result.millis).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SLACK_MS);
    // Exited on its own with a code, not killed by the guard above nor by its own re-raised SIGTERM.
    expect(result.signal).toBeNull();
    // 0: it stopped gracefully; 1: it gave up at the bound, or finished its stop leaving work undone (a batch
    // abandoned uncommitted, a client that could not leave its group), and said which in one line.
    if (result.code === 1) expect(result.output).toMatch(/SIGTERM: (the service did not stop within \d+ ms \(SHUTDOWN_TIMEOUT_MS\)|stopped, leaving work undone \(.+\))/);
    else expect(result.code).toBe(0);
  });
});
