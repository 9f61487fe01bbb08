/**
 * A real single-node Apache Kafka (KRaft, combined broker + controller) for machines without Docker: the broker
 * jars come from Maven Central through scripts/kafka/pom.xml and are cached outside git.
 *
 *   node dist/scripts/kafka/local-kafka.js fetch|start|stop|status [--reset] [--data DIR]
 *   node dist/scripts/kafka/local-kafka.js cluster start|stop|status [--reset] [--data DIR]   (three nodes)
 *
 * Kept free of the @hookbus path aliases: jest's globalSetup imports it without the module mapper.
 */
import { execFile, execFileSync, fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brokerAnswers, waitForBroker } from '../../libs/kafka/src/kafka-client';
import { finishCommand, handleHelp, UsageError, type CommandHelp } from '../../libs/config/src/cli';

/** The one setting for the broker version (see README: supported versions). */
export const KAFKA_VERSION = process.env.HOOKBUS_KAFKA_VERSION || '3.9.1';

export interface LocalKafkaOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly heapMb: number;
  readonly reset: boolean;
  /** A SASL_SSL listener beside PLAINTEXT, as managed Kafka offers (tests of TLS and SASL); none by default. */
  readonly saslSsl?: SaslSslListener;
  /** This broker as one node of a local multi-node cluster (startKafkaCluster); a single node of its own when absent. */
  readonly clusterNode?: ClusterNode;
}

/** One node of a local KRaft cluster: its id, every voter of the controller quorum, and the cluster's shared id. */
export interface ClusterNode {
  readonly nodeId: number;
  /** `id@host:port` of every controller, comma-separated (controller.quorum.voters). */
  readonly quorumVoters: string;
  readonly clusterId: string;
  /** Copies of the internal topics (consumer offsets, transaction state); also the brokers' default replication. */
  readonly replicationFactor: number;
  /** The brokers' default min.insync.replicas, also that of the transaction state log. */
  readonly minInsyncReplicas: number;
}

/**
 * A listener that takes TLS and SASL (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN), as MSK, Confluent Cloud and Aiven do.
 * The broker's own traffic (controller, inter-broker) stays on PLAINTEXT at 127.0.0.1; clients given only this port
 * get this listener's addresses in metadata, so all their traffic goes through it.
 */
export interface SaslSslListener {
  readonly port: number;
  /** PKCS12 keystore holding the broker's key and certificate chain. */
  readonly keystoreFile: string;
  readonly keystorePassword: string;
  /** SCRAM credentials, stored by the storage format step (both SCRAM-SHA-256 and SCRAM-SHA-512). */
  readonly scramUsers: ReadonlyArray<{ readonly name: string; readonly password: string }>;
  /** PLAIN credentials, in the listener's JAAS configuration. */
  readonly plainUsers: ReadonlyArray<{ readonly name: string; readonly password: string }>;
  /**
   * With an authorizer (KRaft's StandardAuthorizer, nothing allowed without an ACL): the SASL users allowed
   * everything. The broker's own PLAINTEXT traffic (User:ANONYMOUS, 127.0.0.1 only) is always among them.
   */
  readonly superUsers?: readonly string[];
}

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'scripts', 'kafka', 'pom.xml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the hookbus repository root');
    dir = parent;
  }
  return dir;
}

export function defaultOptions(overrides: Partial<LocalKafkaOptions> = {}): LocalKafkaOptions {
  // `npm run kafka -- start` starts the broker `npm start` would use: HOOKBUS_KAFKA_PORT, else KAFKA_BROKERS' port
  // when it is one local address, else 9092.
  const local = /^(?:127\.0\.0\.1|localhost):(\d{1,5})$/.exec((process.env.KAFKA_BROKERS ?? '').trim());
  const port = Number(process.env.HOOKBUS_KAFKA_PORT || local?.[1] || 9092);
  return {
    dataDir: process.env.HOOKBUS_KAFKA_DATA || join(repoRoot(), '.hookbus', 'kafka'),
    port,
    controllerPort: Number(process.env.HOOKBUS_KAFKA_CONTROLLER_PORT || port + 1),
    heapMb: Number(process.env.HOOKBUS_KAFKA_HEAP_MB || 768),
    reset: false,
    ...overrides,
  };
}

/**
 * The local broker each entry point uses unless KAFKA_BROKERS says otherwise: `npm test` and `npm run bench` have
 * their own port and data directory, so they never add records to, or read them from, `npm start`'s broker, and
 * can run while it runs. (The fault suite has its own too: 19292, in its temporary directory.)
 */
export const LOCAL_KAFKA_PROFILES = {
  start: { port: 9092, dataDir: 'kafka' },
  test: { port: 19092, dataDir: 'kafka-test' },
  bench: { port: 19192, dataDir: 'kafka-bench' },
} as const;
export type LocalKafkaProfile = keyof typeof LOCAL_KAFKA_PROFILES;

export interface LocalKafkaSetup {
  readonly brokers: string[];
  /** How to start the broker at `brokers` here, or null when it is not a single local address (not ours to start). */
  readonly options: LocalKafkaOptions | null;
}

/**
 * The brokers an entry point talks to and how to start them if none answers. KAFKA_BROKERS overrides the
 * profile's address (the started broker then listens on its port, the controller on the next one unless
 * HOOKBUS_KAFKA_CONTROLLER_PORT says otherwise); HOOKBUS_KAFKA_DATA overrides the data directory.
 */
export function localKafkaSetup(profile: LocalKafkaProfile, env: NodeJS.ProcessEnv = process.env): LocalKafkaSetup {
  const defaults = LOCAL_KAFKA_PROFILES[profile];
  const brokers = (env.KAFKA_BROKERS || `127.0.0.1:${defaults.port}`).split(',').map((b) => b.trim()).filter(Boolean);
  const local = brokers.length === 1 ? /^(?:127\.0\.0\.1|localhost):(\d{1,5})$/.exec(brokers[0]!) : null;
  if (!local) return { brokers, options: null };
  const port = Number(local[1]);
  return {
    brokers,
    options: {
      dataDir: env.HOOKBUS_KAFKA_DATA || join(repoRoot(), '.hookbus', defaults.dataDir),
      port,
      controllerPort: Number(env.HOOKBUS_KAFKA_CONTROLLER_PORT || port + 1),
      heapMb: Number(env.HOOKBUS_KAFKA_HEAP_MB || 768),
      reset: false,
    },
  };
}

function cacheDir(): string {
  return join(process.env.HOOKBUS_CACHE_DIR || join(homedir(), '.cache', 'hookbus'), `kafka-${KAFKA_VERSION}`);
}

export function requireJava(command = 'java'): void {
  const probe = spawnSync(command, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java is not installed, so hookbus cannot run its own Kafka broker. Install a JDK 17+ (and Maven), ' +
        'point KAFKA_BROKERS at an existing broker, or run the whole stack in containers with `docker compose up --build`.',
    );
  }
}

/** Resolves the broker jars once (Maven Central), then reuses the cache. Returns the classpath directory. */
export function fetchKafkaJars(log: (line: string) => void = console.log): string {
  const libs = join(cacheDir(), 'libs');
  const marker = join(cacheDir(), '.complete');
  // The marker holds a digest of the pom: a cache fetched for another dependency list is fetched again.
  const pom = join(repoRoot(), 'scripts', 'kafka', 'pom.xml');
  const wanted = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === wanted) return libs;
  requireJava();
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) throw new Error('Maven (mvn) is needed once to fetch the Kafka broker jars from Maven Central; install it or use `docker compose up --build`.');
  log(`fetching Apache Kafka ${KAFKA_VERSION} broker jars from Maven Central into ${libs}`);
  rmSync(libs, { recursive: true, force: true });
  execFileSync(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-Dkafka.version=${KAFKA_VERSION}`, `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
    // All of Maven's output goes to stderr: `kafka fetch` prints only the jars' folder on stdout.
    { stdio: ['ignore', 2, 2] },
  );
  writeFileSync(marker, `${wanted}\n`);
  return libs;
}

/**
 * A 22-character base64url UUID, the form `kafka-storage format -t` expects. One in 64 such ids starts
 * with '-', which StorageTool's argument parser reads as an option and fails on; Kafka's own
 * Uuid.randomUuid() draws again in that case, and so do we.
 */
export function newClusterId(uuid: () => string = randomUUID): string {
  for (;;) {
    const id = Buffer.from(uuid().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Java properties escaping for a value inside a JAAS option string (quotes and backslashes). */
function jaasQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function saslSslProperties(listener: SaslSslListener): string[] {
  const plainUsers = listener.plainUsers.map((u) => `user_${u.name}=${jaasQuoted(u.password)}`).join(' ');
  return [
    'sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    `listener.name.sasl_ssl.ssl.keystore.location=${listener.keystoreFile}`,
    `listener.name.sasl_ssl.ssl.keystore.password=${listener.keystorePassword}`,
    `listener.name.sasl_ssl.ssl.key.password=${listener.keystorePassword}`,
    'listener.name.sasl_ssl.ssl.keystore.type=PKCS12',
    ...(listener.superUsers
      ? [
          'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          `super.users=${['ANONYMOUS', ...listener.superUsers].map((user) => `User:${user}`).join(';')}`,
          'allow.everyone.if.no.acl.found=false',
        ]
      : []),
  ];
}

/** The storage format arguments that store the listener's SCRAM users (KRaft keeps them in the metadata log). */
function scramFormatArgs(listener: SaslSslListener | undefined): string[] {
  if (!listener) return [];
  return listener.scramUsers.flatMap((u) => ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${u.name},password=${u.password}]`]));
}

function serverProperties(options: LocalKafkaOptions): string {
  const sasl = options.saslSsl;
  const node = options.clusterNode;
  const replicas = node?.replicationFactor ?? 1;
  const minInsync = node?.minInsyncReplicas ?? 1;
  return [
    'process.roles=broker,controller',
    `node.id=${node?.nodeId ?? 1}`,
    `controller.quorum.voters=${node?.quorumVoters ?? `1@127.0.0.1:${options.controllerPort}`}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}${sasl ? `,SASL_SSL://127.0.0.1:${sasl.port}` : ''}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}${sasl ? `,SASL_SSL://127.0.0.1:${sasl.port}` : ''}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${sasl ? ',SASL_SSL:SASL_SSL' : ''}`,
    ...(sasl ? saslSslProperties(sasl) : []),
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(options.dataDir, 'data')}`,
    'num.partitions=6',
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minInsync}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minInsync}`,
    'transaction.state.log.num.partitions=10',
    // Groups start at once: no 3 s wait for more members (tests and single-node use).
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'message.max.bytes=20971520',
    'replica.fetch.max.bytes=20971520',
    'log.cleaner.dedupe.buffer.size=33554432',
    'transactional.id.expiration.ms=604800000',
    // A cluster node: a SIGKILLed broker is fenced (its partitions get new leaders) after 3 s without a heartbeat,
    // not Kafka's default 9 s — the local cluster exists to watch failovers happen.
    ...(node ? ['broker.heartbeat.interval.ms=500', 'broker.session.timeout.ms=3000'] : []),
  ].join('\n') + '\n';
}

function pidFile(options: LocalKafkaOptions): string {
  return join(options.dataDir, 'broker.pid');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) answers signal 0 but is gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Whether `pid` is this data directory's broker: a live `kafka.Kafka` JVM started with its server.properties. A pid
 * from a pidfile is only a hint — after a reboot, an OOM kill or a broker stopped by other means it may name an
 * unrelated process (or another broker), which must never be signalled. Linux only (/proc), like the rest of the
 * local tooling; where /proc cannot be read, no pid is taken for ours.
 */
export function isOurBroker(pid: number, options: Pick<LocalKafkaOptions, 'dataDir'>): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.includes('kafka.Kafka') && args.includes(resolve(options.dataDir, 'server.properties'));
  } catch {
    return false;
  }
}

/** The pid of this data directory's running broker, from its pidfile, or null (no pidfile, or a stale one). */
export function runningPid(options: LocalKafkaOptions): number | null {
  const file = pidFile(options);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return isOurBroker(pid, options) ? pid : null;
}

/** Whether `pid` runs (a zombie does not count). */
export const isProcessAlive = (pid: number): boolean => isAlive(pid);

export interface StartedKafka {
  readonly pid: number;
  readonly brokers: string[];
  readonly logFile: string;
  readonly startedHere: boolean;
}

/**
 * Starts the broker (detached, so it can outlive the caller when asked to) and waits until a client can
 * describe the cluster. If one already answers on the port, it is reused.
 */
export async function startLocalKafka(
  options: LocalKafkaOptions,
  log: (line: string) => void = console.log,
  /** Told the JVM's pid as soon as it is spawned (before it answers): the broker-guard must know what to stop. */
  onSpawned: (pid: number) => void = () => undefined,
  /** How long the started broker has to answer. */
  timeoutMs = 90_000,
): Promise<StartedKafka> {
  const brokers = [`127.0.0.1:${options.port}`];
  if (await brokerAnswers(brokers, 1500, undefined)) {
    return { pid: runningPid(options) ?? -1, brokers, logFile: join(options.dataDir, 'broker.log'), startedHere: false };
  }
  const spawned = await spawnBroker(options, log, onSpawned);
  await spawned.answering(timeoutMs);
  return spawned.started;
}

interface SpawnedBroker {
  readonly started: StartedKafka;
  /** Resolves once a client can describe the cluster through this broker; a JVM that exits first fails the start. */
  answering(timeoutMs: number): Promise<void>;
}

/** Formats the storage if it is new, writes server.properties and spawns the JVM (detached); does not wait. */
async function spawnBroker(options: LocalKafkaOptions, log: (line: string) => void, onSpawned: (pid: number) => void): Promise<SpawnedBroker> {
  const brokers = [`127.0.0.1:${options.port}`];
  const logFile = join(options.dataDir, 'broker.log');
  requireJava();
  const libs = fetchKafkaJars(log);
  if (options.reset) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(join(options.dataDir, 'data'), { recursive: true });
  const propsFile = resolve(options.dataDir, 'server.properties');
  writeFileSync(propsFile, serverProperties(options));
  const classpath = `${libs}/*`;
  const log4j = `-Dlog4j.configuration=file:${join(repoRoot(), 'scripts', 'kafka', 'log4j.properties')}`;
  const logProp = `-Dhookbus.kafka.logfile=${logFile}`;
  if (!existsSync(join(options.dataDir, 'data', 'meta.properties'))) {
    if (options.clusterNode && !options.clusterNode.clusterId) throw new Error(`node ${options.clusterNode.nodeId} is not formatted and its cluster has no id yet: start the whole cluster first`);
    const clusterId = options.clusterNode?.clusterId || newClusterId();
    // Asynchronous, so that a cluster's nodes format side by side; a short-lived JVM, so no optimizing compiler. A
    // failed format says why in the thrown error (its stderr), instead of only "Command failed".
    await promisify(execFile)('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath, log4j, logProp, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile, ...scramFormatArgs(options.saslSsl)]);
  }
  const out = openSync(join(options.dataDir, 'broker.out'), 'a');
  const child = spawn(
    'java',
    [
      `-Xms${Math.min(256, options.heapMb)}m`,
      `-Xmx${options.heapMb}m`,
      '-XX:+UseG1GC',
      // Three JVMs on a laptop (or a 2-core CI runner): no optimizing compiler, whose threads would compete with the
      // brokers themselves while they start and recover; a local cluster needs availability, not peak throughput.
      ...(options.clusterNode ? ['-XX:TieredStopAtLevel=1'] : []),
      '-Djava.awt.headless=true',
      log4j,
      logProp,
      '-cp',
      classpath,
      'kafka.Kafka',
      propsFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  if (child.pid === undefined) throw new Error('could not start java for the Kafka broker');
  const pid = child.pid;
  onSpawned(pid);
  writeFileSync(pidFile(options), String(pid));
  log(`started Apache Kafka ${KAFKA_VERSION} (pid ${pid}) on ${brokers[0]}, data in ${options.dataDir}`);
  // Our JVM may exit before it answers (a lock on the log directory because another broker of this data directory is
  // booting, a port in use...): then the start failed. Whatever answers on the port meanwhile is not ours to adopt.
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`the Kafka broker (pid ${pid}) exited while starting (${signal ?? `code ${code}`})`))),
  );
  exited.catch(() => undefined);
  return {
    started: { pid, brokers, logFile, startedHere: true },
    async answering(timeoutMs: number): Promise<void> {
      try {
        await Promise.race([waitForBroker(brokers, timeoutMs, undefined), exited]);
      } catch (error) {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        if (existsSync(pidFile(options)) && readFileSync(pidFile(options), 'utf8').trim() === String(pid)) rmSync(pidFile(options), { force: true });
        throw new Error(`${(error as Error).message}; see ${logFile} and ${join(options.dataDir, 'broker.out')}`);
      }
      child.removeAllListeners('exit');
    },
  };
}

/**
 * A local KRaft cluster of `nodes` combined broker + controller nodes (every node a voter of the controller quorum),
 * formatted with one cluster id: what `KAFKA_DURABILITY=production` needs (three copies, two in sync) on one machine.
 * Node i (1-based) listens on basePort + 2(i-1), its controller on the port after; its data is in dataDir/node-i.
 */
export interface LocalKafkaClusterOptions {
  readonly dataDir: string;
  readonly basePort: number;
  readonly nodes: number;
  readonly heapMb: number;
  readonly reset: boolean;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

export function defaultClusterOptions(overrides: Partial<LocalKafkaClusterOptions> = {}): LocalKafkaClusterOptions {
  return {
    dataDir: process.env.HOOKBUS_KAFKA_DATA || join(repoRoot(), '.hookbus', 'kafka-cluster'),
    basePort: Number(process.env.HOOKBUS_KAFKA_PORT || 9092),
    nodes: 3,
    heapMb: Number(process.env.HOOKBUS_KAFKA_HEAP_MB || 384),
    reset: false,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    ...overrides,
  };
}

/** The cluster's shared id: drawn once, kept in the cluster's data directory so a node formatted later joins it. */
function clusterIdOf(cluster: LocalKafkaClusterOptions): string {
  const file = join(cluster.dataDir, 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(cluster.dataDir, { recursive: true });
  const id = newClusterId();
  writeFileSync(file, `${id}\n`);
  return id;
}

/** Each node's own options (1-based node ids), as startLocalKafka and stopLocalKafka take them. */
export function clusterNodeOptions(cluster: LocalKafkaClusterOptions): LocalKafkaOptions[] {
  if (!Number.isInteger(cluster.nodes) || cluster.nodes < 1) throw new Error(`a cluster needs 1 or more nodes, got ${cluster.nodes}`);
  const ids = Array.from({ length: cluster.nodes }, (_, i) => i + 1);
  const portOf = (id: number) => cluster.basePort + 2 * (id - 1);
  const quorumVoters = ids.map((id) => `${id}@127.0.0.1:${portOf(id) + 1}`).join(',');
  // Read only: `status` and `stop` must not create anything. startKafkaCluster draws the id before any node formats.
  const idFile = join(cluster.dataDir, 'cluster.id');
  const clusterId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : '';
  return ids.map((nodeId) => ({
    dataDir: join(cluster.dataDir, `node-${nodeId}`),
    port: portOf(nodeId),
    controllerPort: portOf(nodeId) + 1,
    heapMb: cluster.heapMb,
    reset: false,
    clusterNode: { nodeId, quorumVoters, clusterId, replicationFactor: Math.min(cluster.replicationFactor, cluster.nodes), minInsyncReplicas: Math.min(cluster.minInsyncReplicas, cluster.nodes) },
  }));
}

export interface StartedCluster {
  readonly brokers: string[];
  readonly nodes: StartedKafka[];
}

/**
 * Starts every node of the cluster that does not answer yet, all at once (a node answers only once a majority of
 * the controller quorum runs), then waits until each answers.
 */
export async function startKafkaCluster(cluster: LocalKafkaClusterOptions, log: (line: string) => void = console.log): Promise<StartedCluster> {
  if (cluster.reset) rmSync(cluster.dataDir, { recursive: true, force: true });
  clusterIdOf(cluster);
  const nodes = clusterNodeOptions({ ...cluster, reset: false });
  const answering = await Promise.all(nodes.map((node) => brokerAnswers([`127.0.0.1:${node.port}`], 1000, undefined)));
  const spawned = await Promise.all(nodes.map((node, i) => (answering[i] ? null : spawnBroker(node, log, () => undefined))));
  await Promise.all(spawned.map((s) => s?.answering(180_000)));
  return {
    brokers: nodes.map((node) => `127.0.0.1:${node.port}`),
    nodes: nodes.map((node, i) => spawned[i]?.started ?? { pid: runningPid(node) ?? -1, brokers: [`127.0.0.1:${node.port}`], logFile: join(node.dataDir, 'broker.log'), startedHere: false }),
  };
}

/**
 * Starts one node of a running cluster again (after killClusterNode) and waits until it answers: after a SIGKILL it
 * recovers every partition's log first, which on a busy machine takes minutes rather than seconds.
 */
export async function startClusterNode(cluster: LocalKafkaClusterOptions, nodeId: number, log: (line: string) => void = console.log, timeoutMs = 180_000): Promise<StartedKafka> {
  return startLocalKafka(nodeOptions(cluster, nodeId), log, () => undefined, timeoutMs);
}

/** SIGKILL, as a crash or the OOM killer would: no controlled shutdown, no leadership handed over. */
export async function killClusterNode(cluster: LocalKafkaClusterOptions, nodeId: number): Promise<boolean> {
  const node = nodeOptions(cluster, nodeId);
  const pid = runningPid(node);
  if (pid === null) return false;
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  rmSync(pidFile(node), { force: true });
  return true;
}

/** Controlled shutdown of every node (the last ones may be SIGKILLed after the timeout: no quorum left to leave). */
export async function stopKafkaCluster(cluster: LocalKafkaClusterOptions, timeoutMs = 15_000): Promise<number> {
  const stopped = await Promise.all(clusterNodeOptions({ ...cluster, reset: false }).map((node) => stopLocalKafka(node, timeoutMs)));
  return stopped.filter(Boolean).length;
}

function nodeOptions(cluster: LocalKafkaClusterOptions, nodeId: number): LocalKafkaOptions {
  const node = clusterNodeOptions({ ...cluster, reset: false }).find((n) => n.clusterNode?.nodeId === nodeId);
  if (!node) throw new Error(`the cluster has no node ${nodeId} (nodes 1..${cluster.nodes})`);
  return node;
}

/**
 * Runs one of Apache Kafka's own command-line tools (org.apache.kafka:kafka-tools, same version as the broker) and
 * returns what it printed: the peer our own figures are checked against (ConsumerGroupCommand for lag, the perf
 * tools for throughput). Its log lines go to stderr, which is returned apart.
 */
export function runKafkaTool(
  mainClass: string,
  args: readonly string[],
  /** `jvm`: the JVM's heap and collector (default a small serial-GC JVM; the perf tools get what Kafka's own scripts give them). */
  options: { timeoutMs?: number; jvm?: readonly string[] } = {},
): { stdout: string; stderr: string; status: number | null } {
  requireJava();
  const libs = fetchKafkaJars(() => undefined);
  const result = spawnSync(
    'java',
    [...(options.jvm ?? ['-Xmx256m', '-XX:+UseSerialGC']), '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${join(repoRoot(), 'scripts', 'kafka', 'tools-log4j.properties')}`, '-cp', `${libs}/*`, mainClass, ...args],
    { encoding: 'utf8', timeout: options.timeoutMs ?? 120_000 },
  );
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/**
 * Controlled shutdown (SIGTERM), then SIGKILL if the broker has not exited after `timeoutMs`. Given `pid` (the JVM a
 * caller spawned itself), only that process is stopped, and only while it still is this data directory's broker;
 * without it, the pidfile's broker (`npm run kafka -- stop`). A pid that is not this data directory's broker — a
 * stale pidfile's, reused by an unrelated process — is never signalled. Returns whether a broker was stopped.
 */
export async function stopLocalKafka(options: LocalKafkaOptions, timeoutMs = 30_000, pid: number | null = runningPid(options)): Promise<boolean> {
  if (pid === null || !isOurBroker(pid, options)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  // Only our pidfile: a broker started since (whose pid it now names) keeps its own.
  const file = pidFile(options);
  if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
  return true;
}

/** What the supervisor tells its broker-guard over IPC (any subset, any number of times). */
export interface GuardMessage {
  /** The pid of the broker JVM the supervisor spawned: the only process the guard may stop. */
  readonly pid?: number;
  /** The services' pids: the guard stops the broker only once none is alive (or after shutdownTimeoutMs + a margin). */
  readonly services?: readonly number[];
  readonly shutdownTimeoutMs?: number;
}

/**
 * Forks scripts/kafka/broker-guard.js, which stops the broker it is told (guard.send({ pid })) once this process is
 * gone (its IPC channel closes), even if this process is SIGKILLed. Detached: its own process group, so a signal to
 * the caller's group (or a group SIGKILL) does not reach it. The caller disconnects it after stopping the broker
 * itself; the guard then finds no broker of that pid and exits.
 */
export function guardLocalKafka(options: LocalKafkaOptions): ChildProcess {
  const guard = fork(join(__dirname, 'broker-guard.js'), [JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true });
  // A lifeline, not work: the channel must not keep the caller alive.
  guard.channel?.unref();
  guard.unref();
  return guard;
}

/**
 * Lets a guard go once its broker is stopped (or was never spawned): it exits when its channel closes. It was unref'd
 * (a lifeline must not keep the caller alive); waiting for it needs it counted again, or the event loop could end
 * before the caller has said what it did. A guard that is gone already (killed by hand) has no channel left to close.
 */
export async function releaseGuard(guard: ChildProcess): Promise<void> {
  guard.ref();
  if (guard.connected) guard.disconnect();
  if (guard.exitCode === null && guard.signalCode === null) await new Promise<void>((resolve) => guard.once('exit', () => resolve()));
}

/** Sends the guard a message if its channel is still open (a guard that died must not crash the caller). */
export function tellGuard(guard: ChildProcess, message: GuardMessage): void {
  if (guard.connected) guard.send(message, (error) => error && undefined);
}

/** `status`: no broker of this data directory runs (LSB's code for "not running"). */
const EXIT_NOT_RUNNING = 3;

const KAFKA_HELP: CommandHelp = {
  usage: [
    'npm run kafka -- fetch|start|stop|status [--reset] [--data DIR]',
    'npm run kafka -- cluster start|stop|status [--reset] [--data DIR]',
    'node dist/scripts/kafka/local-kafka.js fetch|start|stop|status [--reset] [--data DIR]',
  ],
  summary:
    `The project's own single-node Apache Kafka ${KAFKA_VERSION} (KRaft) for machines without Docker. fetch: resolve the jars into the cache; start: start it detached on HOOKBUS_KAFKA_PORT (default: KAFKA_BROKERS' port when it is one local address, else 9092) and wait until it answers (reuses one that answers); stop: controlled shutdown of the broker the pidfile names, if it is this data directory's; status: whether it runs (a stale pidfile counts as not running). Default command: status. ` +
    `cluster start|stop|status: the same for a three-node cluster (each node a broker and a controller, a three-voter quorum, one cluster id; internal topics with 3 replicas, min.insync.replicas 2), for KAFKA_DURABILITY=production on one machine: node i on HOOKBUS_KAFKA_PORT (default 9092) + 2(i-1), its controller on the next port, its data in DIR/node-i (default .hookbus/kafka-cluster), heap HOOKBUS_KAFKA_HEAP_MB (default 384) each.`,
  options: [
    ['--reset', '`start`: wipe the data directory first'],
    ['--data DIR', 'the data directory (default HOOKBUS_KAFKA_DATA, else .hookbus/kafka or, for `cluster`, .hookbus/kafka-cluster)'],
  ],
  exitCodes: [[EXIT_NOT_RUNNING, '`status`: not running (`cluster status`: not every node runs)']],
};

async function clusterCommand(command: string, cluster: LocalKafkaClusterOptions): Promise<number> {
  switch (command) {
    case 'start': {
      const started = await startKafkaCluster(cluster, (line) => console.error(line));
      console.log(`kafka cluster ready on ${started.brokers.join(',')}`);
      console.error(`use it with KAFKA_BROKERS=${started.brokers.join(',')} KAFKA_DURABILITY=production`);
      return 0;
    }
    case 'stop': {
      const stopped = await stopKafkaCluster(cluster);
      console.log(stopped > 0 ? `kafka cluster stopped (${stopped} nodes)` : 'no node of the local kafka cluster running');
      return 0;
    }
    case 'status': {
      const nodes = clusterNodeOptions(cluster).map((node) => ({ node, pid: runningPid(node) }));
      for (const { node, pid } of nodes) console.log(`node ${node.clusterNode!.nodeId} 127.0.0.1:${node.port}: ${pid ? `running (pid ${pid})` : 'not running'}`);
      return nodes.every((n) => n.pid !== null) ? 0 : EXIT_NOT_RUNNING;
    }
    default:
      throw new UsageError(`unknown command cluster ${command}: expected cluster start, stop or status`);
  }
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'status';
  const dataIndex = argv.indexOf('--data');
  if (command === 'cluster') {
    return clusterCommand(argv[1] && !argv[1].startsWith('--') ? argv[1] : 'status', defaultClusterOptions({
      reset: argv.includes('--reset'),
      ...(dataIndex >= 0 && argv[dataIndex + 1] ? { dataDir: resolve(argv[dataIndex + 1]!) } : {}),
    }));
  }
  const options = defaultOptions({
    reset: argv.includes('--reset'),
    ...(dataIndex >= 0 && argv[dataIndex + 1] ? { dataDir: resolve(argv[dataIndex + 1]!) } : {}),
  });
  switch (command) {
    case 'fetch':
      // Maven's progress goes to stderr: stdout holds only the jars' folder.
      console.log(fetchKafkaJars((line) => console.error(line)));
      return 0;
    case 'start': {
      const started = await startLocalKafka(options, (line) => console.error(line));
      console.log(started.startedHere ? `kafka ready on ${started.brokers[0]}` : `a broker already answers on ${started.brokers[0]}; reusing it`);
      return 0;
    }
    case 'stop':
      console.log((await stopLocalKafka(options)) ? 'kafka stopped' : 'no local kafka running');
      return 0;
    case 'status': {
      const pid = runningPid(options);
      console.log(pid ? `running (pid ${pid})` : 'not running');
      return pid ? 0 : EXIT_NOT_RUNNING;
    }
    default:
      throw new UsageError(`unknown command ${command}: expected fetch, start, stop, status or cluster`);
  }
}

if (require.main === module) {
  handleHelp(process.argv.slice(2), KAFKA_HELP);
  finishCommand(main(process.argv.slice(2)), KAFKA_HELP);
}
