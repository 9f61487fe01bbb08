import { execFileSync, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { TOPIC_DURABILITY, allTopics } from '@hookbus/contracts';
import { migrate } from '@hookbus/db';
import { brokerAnswers, provisionTopics } from '@hookbus/kafka';
import { KAFKA_VERSION, guardLocalKafka, localKafkaSetup, releaseGuard, startLocalKafka, stopLocalKafka, tellGuard, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

export interface BenchInfra {
  readonly brokers: string[];
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** Stops what the bench started (the broker only if it started it). */
  close(): Promise<void>;
}

function assertLocal(what: string, hostPort: string): void {
  const host = hostPort.replace(/^\[|\]?:\d+$/g, '').split(':')[0];
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`${what} must be on 127.0.0.1 for the bench (got ${host})`);
}

/**
 * The ports the bench's servers listen on, all on 127.0.0.1: BENCH_PORT_BASE (3210 unless told) and the six after it
 * (gateway, normalizer, tracker, projector, then the ingest baselines), so a bench can run beside other work.
 */
export function benchPorts(base: string | undefined) {
  const first = base === undefined || base === '' ? 3210 : Number(base);
  if (!Number.isInteger(first) || first < 1 || first > 65535 - 6) throw new Error(`BENCH_PORT_BASE must be a port number (got ${base})`);
  return { gateway: first, normalizer: first + 1, tracker: first + 2, projector: first + 3, bare: first + 4, naive: first + 5, durable: first + 6 };
}

/** A database the bench may drop: `hookbus_bench…`, or a helper's own `hookbus_<name>_bench…` (never hookbus, hookbus_test). */
export function isBenchDatabaseName(name: string): boolean {
  return /^hookbus_(?:(?!faults|test_)[a-z0-9]+_)?bench[a-z0-9_]*$/.test(name);
}

/**
 * Every run starts from an empty database: tables that kept every earlier run's rows (a million events after a
 * day of runs) made Postgres and the end-to-end follower slower from run to run. Only a database whose name says it
 * is the bench's is dropped (`mayDrop`: the console-search part's own names, bench/console-search.ts).
 */
export async function recreateDatabase(databaseUrl: string, mayDrop: (name: string) => boolean = isBenchDatabaseName): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!mayDrop(name)) throw new Error(`BENCH_DATABASE_URL must name a database hookbus_bench* or hookbus_<name>_bench*, which the bench drops and recreates (got ${name})`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

/** The broker this bench process spawned and the guard that stops it should this process disappear. */
let startedBroker: { readonly options: LocalKafkaOptions; readonly pid: number; readonly guard: ChildProcess } | null = null;
/** The one stop of that broker: the end of a run and a signal may both ask, and both must wait for the same stop. */
let brokerStop: Promise<void> | null = null;

/**
 * Stops the broker this process started, if it did (the end of a run, or SIGINT/SIGTERM: bench/run.ts). The broker
 * runs in a session of its own, so a terminal's Ctrl-C does not reach it: before this, an interrupted bench left a
 * broker with a 768 MB heap running on 19192. Every caller gets the same stop; a bench that dies without calling it
 * (SIGKILL, out of memory) is covered by the guard (scripts/kafka/broker-guard.ts), spawned before the JVM is.
 */
export function stopStartedBroker(log: (line: string) => void): Promise<void> {
  brokerStop ??= (async () => {
    const broker = startedBroker;
    if (!broker) return;
    log('kafka: stopping the broker the bench started');
    await stopLocalKafka(broker.options, 30_000, broker.pid);
    await releaseGuard(broker.guard);
  })();
  return brokerStop;
}

/**
 * Like the test setup: reuse a broker that answers or start the bench's own (127.0.0.1:19192, data in
 * .hookbus/kafka-bench: never `npm start`'s, whose projector would otherwise catch up on every bench event); the
 * bench's database, migrated.
 */
export async function prepareInfra(log: (line: string) => void, extraTopics: string[]): Promise<BenchInfra> {
  const kafkaSetup = localKafkaSetup('bench');
  const brokers = kafkaSetup.brokers;
  const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_bench';
  brokers.forEach((b) => assertLocal('KAFKA_BROKERS', b));
  assertLocal('BENCH_DATABASE_URL', new URL(databaseUrl).host);
  if (await brokerAnswers(brokers, 2000, undefined)) {
    log(`kafka: using the broker at ${brokers.join(',')}`);
  } else {
    if (!kafkaSetup.options) throw new Error(`KAFKA_BROKERS: no broker answers at ${brokers.join(',')}`);
    const options = kafkaSetup.options;
    // Guarded from before the spawn, as npm start's broker: the guard learns the JVM's pid the moment it exists.
    const guard = guardLocalKafka(options);
    const started = await startLocalKafka(options, (line) => log(`kafka: ${line}`), (pid) => {
      startedBroker = { options, pid, guard };
      tellGuard(guard, { pid });
    }).catch(async (error: unknown) => {
      // A failed start has stopped its own JVM.
      await releaseGuard(guard);
      throw error;
    });
    if (!started.startedHere) await releaseGuard(guard);
  }
  await recreateDatabase(databaseUrl);
  const applied = await migrate(databaseUrl);
  log(`postgres: ${new URL(databaseUrl).pathname.slice(1)} ready${applied.length ? ` (applied ${applied.length} migrations)` : ''}`);
  const kafka = new Kafka({ clientId: 'hookbus-bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // The services the bench starts run with KAFKA_DURABILITY's default, local: the same durability here.
  await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  const existing = new Set(await admin.listTopics());
  const missing = extraTopics.filter((t) => !existing.has(t));
  // A broker that has just created topics can answer metadata with UNKNOWN_TOPIC_OR_PARTITION for a moment (seen on
  // a fresh broker): what was created stays created, so look again, as provisionTopics does.
  for (let attempt = 1; missing.length > 0; attempt++) {
    try {
      const now = new Set(await admin.listTopics());
      const create = missing.filter((t) => !now.has(t));
      if (create.length > 0) await admin.createTopics({ waitForLeaders: true, topics: create.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: String(24 * 3600 * 1000) }] })) });
      break;
    } catch (error) {
      if (attempt >= 6) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
  return {
    brokers,
    databaseUrl,
    kafka,
    admin,
    close: async () => {
      await admin.disconnect().catch(() => undefined);
      await stopStartedBroker(log);
    },
  };
}

function firstLine(command: string, args: string[]): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
    return out.split('\n')[0]!.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    return stderr ? stderr.split('\n')[0]!.trim() : 'unknown';
  }
}

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly kafka: string;
  readonly postgres: string;
}

export async function machineInfo(databaseUrl: string): Promise<MachineInfo> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const postgres = ((await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? 'unknown').split(' ')[0]!;
  await client.end();
  // The running broker's jar names its version (kafka_2.13-3.9.1.jar); else the version the local scripts start.
  const jar = /kafka_[\d.]+-([\d.]+)\.jar/.exec(firstLine('sh', ['-c', "ps -eo args | grep -o 'kafka_[0-9.]*-[0-9.]*\\.jar' | head -1"]));
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: firstLine('uname', ['-sr']),
    node: process.version,
    java: firstLine('sh', ['-c', 'java -version 2>&1']),
    kafka: jar ? jar[1]! : `${KAFKA_VERSION} (expected; could not read the running broker's version)`,
    postgres,
  };
}
