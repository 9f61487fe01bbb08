import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { TOPIC_DURABILITY, allTopics } from '@hookbus/contracts';
import { migrate } from '@hookbus/db';
import { brokerAnswers, provisionTopics } from '@hookbus/kafka';
import { waitFor, withOpenBuiltinSources } from '@hookbus/testing';
import { defaultClusterOptions, defaultOptions, startKafkaCluster, startLocalKafka, stopKafkaCluster, stopLocalKafka, type LocalKafkaClusterOptions, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

export const CONSUMERS = ['normalizer', 'tracker', 'orchestrator', 'projector'] as const;
export type ServiceName = 'gateway' | (typeof CONSUMERS)[number];

const PORT_ENV: Record<ServiceName, string> = {
  gateway: 'GATEWAY_PORT',
  normalizer: 'NORMALIZER_PORT',
  tracker: 'TRACKER_PORT',
  orchestrator: 'ORCHESTRATOR_PORT',
  projector: 'PROJECTOR_PORT',
};

const ROOT = join(__dirname, '..', '..');
const FAKE_CREDAS_KEY = 'fault-suite-credas-key';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ServiceInstance {
  readonly name: ServiceName;
  readonly id: string;
  readonly port: number;
  readonly child: ChildProcess;
}

export interface StackOptions {
  /** The port of the stack's own broker (its controller on the next port); 19292 unless given. */
  readonly kafkaPort?: number;
  /** More environment for every service, e.g. HOOKBUS_CONFIG. */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** Names the per-run database and work directory: `hookbus_<suite>_<run>`. */
  readonly suite?: string;
  /**
   * A local KRaft cluster of this many nodes (from kafkaPort, two ports each) instead of one broker: topics provisioned
   * with KAFKA_DURABILITY=production (3 copies, min.insync.replicas 2), which every service is told too.
   */
  readonly clusterNodes?: number;
}

/**
 * The whole stack for the fault suite, each service its own process (from dist/), on a broker of its own (never the
 * shared 9092 one) and a database of its own, with Postgres reached through a TCP proxy the suite can cut.
 */
export class FaultStack {
  readonly runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  readonly suite: string;
  readonly workDir: string;
  readonly kafkaOptions: LocalKafkaOptions;
  /** The cluster's options when the stack runs on a local cluster (StackOptions.clusterNodes), else null. */
  readonly clusterOptions: LocalKafkaClusterOptions | null;
  readonly brokers: string[];
  readonly databaseUrl: string;
  readonly instances: ServiceInstance[] = [];
  proxy!: TcpProxy;
  db!: Client;
  gatewayUrl = '';
  /** More environment for one service's instances started from now on (e.g. a gateway with a spool). */
  readonly envFor: Partial<Record<ServiceName, Record<string, string>>> = {};
  private fakeCredas: ChildProcess | null = null;
  private credasBaseUrl = '';
  private serial = 0;
  private startedKafka = false;

  constructor(
    baseDatabaseUrl: string,
    private readonly options: StackOptions = {},
  ) {
    this.suite = options.suite ?? 'faults';
    this.workDir = mkdtempSync(join(tmpdir(), `hookbus-${this.suite}-`));
    const kafkaPort = options.kafkaPort ?? 19292;
    this.kafkaOptions = defaultOptions({ dataDir: join(this.workDir, 'kafka'), port: kafkaPort, controllerPort: kafkaPort + 1 });
    this.clusterOptions = options.clusterNodes ? defaultClusterOptions({ dataDir: join(this.workDir, 'kafka-cluster'), basePort: kafkaPort, nodes: options.clusterNodes }) : null;
    this.brokers = this.clusterOptions ? Array.from({ length: this.clusterOptions.nodes }, (_, i) => `127.0.0.1:${kafkaPort + 2 * i}`) : [`127.0.0.1:${kafkaPort}`];
    const url = new URL(baseDatabaseUrl);
    url.pathname = `/${this.databaseName}`;
    this.databaseUrl = url.toString();
  }

  get databaseName(): string {
    return `hookbus_${this.suite}_${this.runId}`;
  }

  async start(log: (line: string) => void): Promise<void> {
    if (await brokerAnswers(this.brokers, 1500, undefined)) throw new Error(`a broker already answers on ${this.brokers[0]}; the ${this.suite} suite needs that port for a broker of its own`);
    await this.startKafka();
    await migrate(this.databaseUrl);
    const target = new URL(this.databaseUrl);
    this.proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await this.reconnectDb();
    const credasPort = await freePort();
    this.credasBaseUrl = `http://127.0.0.1:${credasPort}/api/v2/ci/`;
    this.fakeCredas = this.spawnNode('fake-credas', join(ROOT, 'dist', 'test', 'fake-credas', 'main.js'), { FAKE_CREDAS_PORT: String(credasPort), FAKE_CREDAS_API_KEY: FAKE_CREDAS_KEY });
    const gateway = await this.startService('gateway');
    this.gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    for (const name of CONSUMERS) await this.startService(name);
    log(`${this.suite} stack: broker ${this.brokers[0]}, database ${new URL(this.databaseUrl).pathname.slice(1)}, gateway ${this.gatewayUrl}, logs in ${this.workDir}`);
  }

  /** (Re)opens the suite's own connection to the database (direct, not through the proxy), e.g. after a Postgres restart. */
  async reconnectDb(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    const db = new Client({ connectionString: this.databaseUrl });
    // A server that goes away would otherwise raise an unhandled 'error' and end the test process.
    db.on('error', () => undefined);
    await db.connect();
    this.db = db;
  }

  async startKafka(): Promise<void> {
    if (this.clusterOptions) await startKafkaCluster(this.clusterOptions, () => undefined);
    else await startLocalKafka(this.kafkaOptions, () => undefined);
    this.startedKafka = true;
    const admin = new Kafka({ clientId: 'hookbus-faults', brokers: this.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await provisionTopics(admin, allTopics(), this.clusterOptions ? TOPIC_DURABILITY.production : TOPIC_DURABILITY.local);
    } finally {
      await admin.disconnect();
    }
  }

  async stopKafka(): Promise<void> {
    if (this.clusterOptions) await stopKafkaCluster(this.clusterOptions);
    else await stopLocalKafka(this.kafkaOptions);
  }

  private configPath(): string {
    const path = join(this.workDir, 'hookbus.yaml');
    writeFileSync(path, withOpenBuiltinSources());
    return path;
  }

  /**
   * Starts one more instance of a service and waits until it reports ready. The port was free when chosen, not
   * necessarily when the child binds it: on a shared machine another process can take it in between (the child exits
   * with EADDRINUSE) and even answer the health check for it, so only an answer carrying the child's own pid counts,
   * and a child that exits before it is ready is started again on another port.
   */
  async startService(name: ServiceName, attempt = 1): Promise<ServiceInstance> {
    this.serial += 1;
    const port = await freePort();
    const id = `${name}-${this.serial}`;
    const child = this.spawnNode(id, join(ROOT, 'dist', 'apps', name, 'src', 'main.js'), {
      DATABASE_URL: this.proxy.url(this.databaseUrl),
      KAFKA_BROKERS: this.brokers.join(','),
      [PORT_ENV[name]]: String(port),
      CREDAS_API_BASE_URL: this.credasBaseUrl,
      CREDAS_API_KEY: FAKE_CREDAS_KEY,
      HOOKBUS_INSTANCE_ID: `${this.suite}-${this.runId}-${id}`,
      // The fault load posts to the built-in source ids without credentials: the config names them, open (a suite's
      // own serviceEnv may point HOOKBUS_CONFIG elsewhere: the hostile suite authenticates every source).
      HOOKBUS_CONFIG: this.configPath(),
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL || 'warn',
      ...(this.clusterOptions ? { KAFKA_DURABILITY: 'production' } : {}),
      ...this.options.serviceEnv,
      ...this.envFor[name],
    });
    const instance: ServiceInstance = { name, id, port, child };
    this.instances.push(instance);
    const outcome = await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return 'exited' as const;
        const live = (await (await fetch(`http://127.0.0.1:${port}/health/live`)).json()) as { info?: { process?: { pid?: number } } };
        if (live.info?.process?.pid !== child.pid) return false;
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200 ? ('ready' as const) : false;
      },
      { timeoutMs: 180_000, intervalMs: 250, what: `${id} ready` },
    );
    if (outcome === 'exited') {
      this.instances.splice(this.instances.indexOf(instance), 1);
      if (attempt < 3) return this.startService(name, attempt + 1);
      throw new Error(`${id} exited with ${child.exitCode ?? child.signalCode} before it was ready; see ${this.workDir}/${id}.log`);
    }
    return instance;
  }

  running(name: ServiceName): ServiceInstance[] {
    return this.instances.filter((i) => i.name === name && i.child.exitCode === null && i.child.signalCode === null);
  }

  /** SIGKILL: no shutdown hook runs, nothing is committed or flushed on the way out. */
  async kill(instance: ServiceInstance): Promise<void> {
    const exited = new Promise<void>((resolve) => instance.child.once('exit', () => resolve()));
    instance.child.kill('SIGKILL');
    await exited;
    this.instances.splice(this.instances.indexOf(instance), 1);
  }

  async stop(): Promise<void> {
    for (const instance of [...this.instances].reverse()) {
      const exited = new Promise<void>((resolve) => (instance.child.exitCode !== null || instance.child.signalCode !== null ? resolve() : instance.child.once('exit', () => resolve())));
      instance.child.kill('SIGTERM');
      const timer = setTimeout(() => instance.child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    this.fakeCredas?.kill('SIGTERM');
    await this.proxy?.close();
    await this.db?.end().catch(() => undefined);
    if (this.startedKafka) await this.stopKafka();
    // FAULTS_KEEP_DATABASE=1 keeps the run's database for a post-mortem (its name is in the stack's first log line).
    if (process.env.FAULTS_KEEP_DATABASE === '1') return;
    const admin = new URL(this.databaseUrl);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${this.databaseName}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }

  private spawnNode(id: string, script: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(join(this.workDir, `${id}.log`), { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    return child;
  }
}
