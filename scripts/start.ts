/**
 * `npm start`: the whole stack on this machine, each service its own process.
 *
 *   node dist/scripts/start.js [--init-only] [--reset-kafka] [--fake-credas] [--only gateway,normalizer,...]
 *
 * Uses the Kafka at KAFKA_BROKERS if one answers, else starts the project's own single-node KRaft broker (and stops
 * it on exit); creates the database at DATABASE_URL if missing and applies migrations; provisions topics; starts
 * every service; Ctrl-C stops them all, then the broker it started.
 *
 * A good process citizen: SIGINT, SIGTERM, SIGHUP (a closed terminal or SSH session) and an EPIPE on its output
 * (whatever read it went away: `npm start | head`, a killed wrapper) all stop the stack the same way, and this
 * process exits only once every child has. Each child holds an IPC channel to this process and stops itself when the
 * channel closes (libs/platform/src/service-process.ts), and a guard process stops the broker started here
 * (scripts/kafka/broker-guard.ts): a SIGKILLed supervisor, which can intercept nothing, still leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { ConfigError, loadEnv, loadHookbusConfig, type HookbusConfig, type HookbusEnv } from '@hookbus/config';
import { allTopics } from '@hookbus/contracts';
import { migrate } from '@hookbus/db';
import { brokerAnswers, kafkaSecurityConfig, provisionTopics } from '@hookbus/kafka';
import { localUrl, serviceEnvironment, serviceNodeOptions } from '@hookbus/platform';
import { guardLocalKafka, isOurBroker, localKafkaSetup, releaseGuard, repoRoot, runningPid, startLocalKafka, stopLocalKafka, tellGuard, type LocalKafkaOptions } from './kafka/local-kafka';
import { ensureLocalConsoleUsers } from './local-console-users';
import { ensureLocalSources } from './local-sources';
import { readinessTargets, readyLine, watchReadiness } from './readiness';

const SERVICES = ['gateway', 'normalizer', 'tracker', 'orchestrator', 'projector', 'monitor', 'console'] as const;
type ServiceName = (typeof SERVICES)[number];
const COLORS: Record<string, string> = { gateway: '36', normalizer: '35', tracker: '33', orchestrator: '32', projector: '34', monitor: '94', console: '96', kafka: '90', 'fake-credas': '90' };
const LEVEL_LABELS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

/** Set once stdout's reader is gone: nothing more is written there (every write would fail with EPIPE again). */
let outputGone = false;

function say(line: string): void {
  if (outputGone) return;
  process.stdout.write(`${line}\n`);
}

/** stderr when it is still there: the supervisor's own problems, never a reason to die of EPIPE. */
function complain(line: string): void {
  if (!process.stderr.destroyed) process.stderr.write(`${line}\n`);
}

/**
 * Why the supervisor should stop, however it learns it: a signal, the reader of its output gone, a bug of its own.
 * `stop` is replaced once the stack runs; before that a request is remembered and honoured between start steps.
 */
const supervisor = {
  requested: null as { why: string; code: number } | null,
  /** The start step under way, for "stopping after …". */
  step: 'reading the configuration',
  /** Aborted by the first stop request before the stack runs: cuts the wait for the broker short. */
  startAborted: new AbortController(),
  /** The broker JVM this run spawned, once it is spawned: what a forced stop kills. */
  spawnedBroker: null as { pid: number; options: LocalKafkaOptions } | null,
  stop(why: string, code: number): void {
    if (supervisor.requested) {
      // A second request (Ctrl-C again) while still starting: stop now, leaving the step unfinished.
      say(`stopping now (${why}), without finishing ${supervisor.step}.`);
      const broker = supervisor.spawnedBroker;
      if (broker && isOurBroker(broker.pid, broker.options)) process.kill(broker.pid, 'SIGKILL');
      process.exit(1);
    }
    supervisor.requested = { why, code };
    // The broker's start is cut short (its wait can take a minute); the other steps are short and end first.
    say(
      supervisor.step === 'starting the broker'
        ? `stopping (${why}): abandoning the broker's start; again to stop at once...`
        : `stopping after ${supervisor.step} (${why}); again to stop at once...`,
    );
    supervisor.startAborted.abort();
  },
};

function watchForStopRequests(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => supervisor.stop(signal, 0));
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    outputGone = true;
    supervisor.stop(`output closed (${error.code ?? 'error'})`, 0);
  });
  process.stderr.on('error', () => undefined);
  process.on('uncaughtException', (error) => {
    complain(`npm start: unexpected ${error.name}: ${error.message}; stopping the stack`);
    supervisor.stop('unexpected error', 1);
  });
}

class StopRequested extends Error {}

/** How long past SHUTDOWN_TIMEOUT_MS a service may take before it is SIGKILLed: its own bounded exit comes first. */
const KILL_MARGIN_MS = 10_000;

/** Between start steps: a stop asked for while the broker or the database was being prepared ends the start there. */
function checkStopRequested(): void {
  if (supervisor.requested) throw new StopRequested(supervisor.requested.why);
}

function prefix(name: string): string {
  const label = `[${name}]`.padEnd(15);
  return process.stdout.isTTY ? `\x1b[${COLORS[name] ?? '37'}m${label}\x1b[0m` : label;
}

/** pino's JSON lines made readable: time, level, message, then the remaining fields compactly. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { time, level, msg, service: _service, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const clock = typeof time === 'string' ? time.slice(11, 23) : '';
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${clock} ${LEVEL_LABELS[String(level)] ?? String(level)} ${String(msg ?? '')}${extra}`;
  } catch {
    return line;
  }
}

function pipeLines(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        say(`${prefix(name)} ${formatLogLine(buffered.slice(0, newline))}`);
        buffered = buffered.slice(newline + 1);
      }
    });
  }
}

/** What `npm start` was asked: the flags it knows, each at most once. */
export interface StartArgs {
  /** The services `--only a,b` (or `--only=a,b`) names, in start order; all of them without the flag. */
  readonly services: readonly ServiceName[];
  readonly initOnly: boolean;
  readonly resetKafka: boolean;
  readonly fakeCredas: boolean;
}

const SWITCHES = ['--init-only', '--reset-kafka', '--fake-credas'] as const;
const USAGE = `usage: npm start -- [${SWITCHES.join('] [')}] [--only ${SERVICES.join(',')}]`;

/**
 * Reads the command line once, before anything starts. An unknown flag, a repeated one, or an `--only` that names no
 * service or one that does not exist is an error: a typo would otherwise start the wrong stack (or none, and call
 * that ready). node:util parseArgs splits it (`--only a` and `--only=a`); it runs lenient and hands back its tokens
 * so that these errors name the argument as it was typed and refuse a repeat, which strict mode lets the last win.
 */
export function parseStartArgs(argv: readonly string[]): StartArgs {
  const { tokens } = parseArgs({
    args: [...argv],
    options: { only: { type: 'string' }, 'init-only': { type: 'boolean' }, 'reset-kafka': { type: 'boolean' }, 'fake-credas': { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Set<string>();
  let only: string | undefined;
  for (const token of tokens) {
    const arg = argv[token.index]!;
    const flag = token.kind === 'option' ? `--${token.name}` : '';
    const known = token.kind === 'option' && (flag === '--only' || ((SWITCHES as readonly string[]).includes(flag) && !token.inlineValue));
    if (!known) throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    if (seen.has(flag)) throw new Error(`${flag} given twice; ${USAGE}`);
    seen.add(flag);
    if (flag === '--only') only = token.value ?? '';
  }
  return { services: only === undefined ? [...SERVICES] : onlyServices(only), initOnly: seen.has('--init-only'), resetKafka: seen.has('--reset-kafka'), fakeCredas: seen.has('--fake-credas') };
}

function onlyServices(list: string): ServiceName[] {
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(SERVICES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const given = names.length === 0 ? 'no service named' : `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`;
    throw new Error(`--only: ${given}; expected a comma-separated list of ${SERVICES.join(', ')}`);
  }
  return SERVICES.filter((service) => names.includes(service));
}

interface StartedBroker {
  readonly options: LocalKafkaOptions;
  /** The JVM this run spawned: the only process stopped on exit (never whatever the pidfile names by then). */
  readonly pid: number;
  /** Stops the broker if this process disappears (scripts/kafka/broker-guard.ts). */
  readonly guard: ChildProcess;
}

/** Resolves once `child` has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/**
 * Where npm start keeps the tracker's state store when TRACKER_STORE_DIR is unset. The store survives restarts (a
 * restart replays only the changelog's tail) and caches one broker's changelog, so with the project's own broker
 * (`ownBroker`: started by this run, or already running from that data directory) it lives in that broker's data
 * directory, beside its `data`: a stack started with a HOOKBUS_KAFKA_DATA of its own (the console and supervisor
 * suites) never writes npm start's store, and a --reset-kafka that starts the broker afresh removes the store with
 * the broker's data. With any other broker (KAFKA_BROKERS at one that answered, the tests' own included) it is
 * `.hookbus/tracker-store`; the tracker discards a store written for another cluster id.
 */
export function localTrackerStoreDir(ownBroker: Pick<LocalKafkaOptions, 'dataDir'> | null, root: string = repoRoot()): string {
  return ownBroker ? join(ownBroker.dataDir, 'tracker-store') : join(root, '.hookbus', 'tracker-store');
}

/** The broker this run started (to stop on exit), or null when it uses one that already answered. */
async function prepareKafka(env: HookbusEnv, reset: boolean): Promise<StartedBroker | null> {
  if (await brokerAnswers(env.kafkaBrokers, 2000, env.kafkaSecurity)) {
    say(`${prefix('kafka')} using the broker at ${env.kafkaBrokers.join(',')}`);
    return null;
  }
  // The project's own broker listens where KAFKA_BROKERS points (127.0.0.1:9092 by default), if that is one local address.
  const { options } = localKafkaSetup('start');
  if (!options) {
    throw new Error(`KAFKA_BROKERS: no broker answers at ${env.kafkaBrokers.join(',')} (hookbus starts its own broker only at one local address such as 127.0.0.1:9092)`);
  }
  // Guarded from before the start: a supervisor killed while the JVM boots must not leave it running. The guard
  // learns the JVM's pid the moment it is spawned, and stops that process only.
  const guard = guardLocalKafka(options);
  supervisor.step = 'starting the broker';
  const starting = startLocalKafka(
    { ...options, reset },
    (line) => say(`${prefix('kafka')} ${line}`),
    (pid) => {
      supervisor.spawnedBroker = { pid, options };
      tellGuard(guard, { pid });
    },
  );
  // A stop asked for while the broker boots (its wait can take a minute) ends the start now, not once it answers.
  const aborted = new Promise<never>((_, reject) => {
    const signal = supervisor.startAborted.signal;
    const abort = () => reject(new StopRequested(supervisor.requested?.why ?? 'stop requested'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
  starting.catch(() => undefined);
  aborted.catch(() => undefined);
  let started: Awaited<typeof starting>;
  try {
    started = await Promise.race([starting, aborted]);
  } catch (error) {
    // A failed start has stopped its own JVM already; a stop request leaves it booting.
    const spawned = supervisor.spawnedBroker;
    if (spawned && error instanceof StopRequested) {
      say(`${prefix('kafka')} stopping the local broker`);
      await stopLocalKafka(spawned.options, 30_000, spawned.pid);
    }
    await releaseGuard(guard);
    throw error;
  }
  // A broker that answered already is someone else's: the guard was told no pid, stops nothing and exits.
  if (!started.startedHere) {
    if (guard.connected) guard.disconnect();
    return null;
  }
  return { options, pid: started.pid, guard };
}

async function provision(env: HookbusEnv): Promise<void> {
  const admin = new Kafka({ clientId: 'hookbus-start', brokers: [...env.kafkaBrokers], ...kafkaSecurityConfig(env.kafkaSecurity), logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    const { created, replicationBelowDeclared } = await provisionTopics(admin, allTopics(), env.kafkaDurability);
    say(`${prefix('kafka')} topics ready (${allTopics().length} declared${created.length ? `, created ${created.length}` : ''})`);
    if (replicationBelowDeclared.length > 0) {
      // Not fixed here: raising an existing topic's replication factor moves data between brokers (a reassignment).
      const topics = replicationBelowDeclared.map((t) => `${t.topic} (${t.replicationFactor})`).join(', ');
      say(`${prefix('kafka')} warning: ${replicationBelowDeclared.length} topics have fewer replicas than KAFKA_REPLICATION_FACTOR ${env.kafkaDurability.replicationFactor}: ${topics}; their min.insync.replicas is raised no higher than that; raise them with kafka-reassign-partitions.sh, then run this again (docs/operations.md, "Kafka durability")`);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * The orchestrator calls the real Credas API when CREDAS_API_KEY is set; without it (or with --fake-credas) `npm start`
 * runs the local fake Credas API from test/fake-credas, so a fresh clone runs the whole stack. Compose and Kubernetes
 * have no such default: there the orchestrator refuses to start without the key (apps/orchestrator/src/orchestrator-settings.ts).
 */
export function usesFakeCredas(env: NodeJS.ProcessEnv, asked: boolean): boolean {
  return asked || !env.CREDAS_API_KEY;
}

/** Starts the fake Credas API, points the services' environment at it, and says so in one line. */
function startFakeCredas(childEnv: NodeJS.ProcessEnv, root: string, asked: boolean): ChildProcess {
  const port = Number(process.env.FAKE_CREDAS_PORT || 3100);
  childEnv.CREDAS_API_BASE_URL = `http://127.0.0.1:${port}/api/v2/ci/`;
  childEnv.CREDAS_API_KEY = childEnv.CREDAS_API_KEY || 'fake-credas-key';
  // Its stdout only repeats the address said below; its stderr (a port in use...) is shown.
  // The IPC channel is its lifeline to this process (it stops when the channel closes).
  const fake = spawn(process.execPath, [join(root, 'test', 'fake-credas', 'main.js')], {
    env: { ...childEnv, FAKE_CREDAS_PORT: String(port), FAKE_CREDAS_API_KEY: childEnv.CREDAS_API_KEY },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  pipeLines(fake, 'fake-credas');
  const why = asked ? '--fake-credas' : 'no CREDAS_API_KEY';
  say(`${prefix('fake-credas')} ${why}: the orchestrator calls the local fake Credas API at ${childEnv.CREDAS_API_BASE_URL} (set CREDAS_API_KEY, and CREDAS_API_BASE_URL for another Credas environment, to call the real API)`);
  return fake;
}

/** A fresh clone has no config: generate the local one (every built-in source with a secret) and use it. */
function withLocalSources(env: HookbusEnv): HookbusEnv {
  const written = ensureLocalSources(env.configPath);
  if (written === null) return env;
  say(`${prefix('gateway')} no hookbus.yaml: using ${written} (every built-in source with a generated secret; npm run demo reads it)`);
  return { ...env, configPath: written };
}

async function main(argv: string[]): Promise<void> {
  watchForStopRequests();
  const args = parseStartArgs(argv);
  const { services } = args;
  let env: HookbusEnv;
  let config: HookbusConfig;
  try {
    env = withLocalSources(loadEnv());
    // --init-only (compose's init, the Kubernetes Job) starts no gateway: it is deployed without the webhook secrets.
    config = loadHookbusConfig(env.configPath, process.env, args.initOnly ? 'withheld' : 'read');
    for (const source of config.sources.filter((s) => s.auth.type === 'none')) {
      say(`${prefix('gateway')} WARN  source ${source.id} accepts unauthenticated requests (auth: none); give it a secret in ${env.configPath ?? 'hookbus.yaml'}`);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new Error(`HOOKBUS_CONFIG: ${(error as Error).message}`);
  }
  const startedKafka = await prepareKafka(env, args.resetKafka);
  const stopKafka = async () => {
    if (startedKafka) {
      say(`${prefix('kafka')} stopping the local broker`);
      await stopLocalKafka(startedKafka.options, 30_000, startedKafka.pid);
      // The broker is stopped: the guard has nothing left to do. Waited for, or this process could exit before
      // saying "stopped.".
      await releaseGuard(startedKafka.guard);
    }
  };
  try {
    checkStopRequested();
    supervisor.step = 'preparing the database';
    const applied = await migrate(env.databaseUrl);
    say(`${prefix('projector')} database ready${applied.length ? `, applied ${applied.join(', ')}` : ''}`);
    checkStopRequested();
    supervisor.step = 'provisioning topics';
    await provision(env);
    checkStopRequested();
  } catch (error) {
    await stopKafka();
    throw error;
  }
  if (args.initOnly) {
    await stopKafka();
    return;
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...(env.configPath ? { HOOKBUS_CONFIG: env.configPath } : {}) };
  const { options: ownBrokerOptions } = localKafkaSetup('start');
  const ownBroker = ownBrokerOptions && (startedKafka !== null || runningPid(ownBrokerOptions) !== null) ? ownBrokerOptions : null;
  childEnv.TRACKER_STORE_DIR = childEnv.TRACKER_STORE_DIR || localTrackerStoreDir(ownBroker);
  // A laptop's stack answers this machine only (its secrets are generated, its fake Credas plain http): LISTEN_HOST
  // opens it wider when asked.
  const listenHost = childEnv.LISTEN_HOST || '127.0.0.1';
  childEnv.LISTEN_HOST = listenHost;
  const children = new Map<string, ChildProcess>();
  const root = join(__dirname, '..');
  // The console needs users: a fresh clone gets an operator and a viewer (scripts/local-console-users.ts). Its
  // session cookie is not Secure here: the local console is plain http on 127.0.0.1.
  let consoleLine: string | null = null;
  if (services.includes('console')) {
    const users = await ensureLocalConsoleUsers(env.configPath, config, process.env, localUrl(listenHost, env.servicePorts.console));
    Object.assign(childEnv, users.env);
    childEnv.CONSOLE_COOKIE_SECURE = childEnv.CONSOLE_COOKIE_SECURE || 'false';
    consoleLine = users.line;
  }
  if (services.includes('orchestrator') && usesFakeCredas(process.env, args.fakeCredas)) {
    children.set('fake-credas', startFakeCredas(childEnv, root, args.fakeCredas));
  }
  for (const name of services) {
    const env = { ...serviceEnvironment(name), ...childEnv, NODE_OPTIONS: process.env.NODE_OPTIONS || serviceNodeOptions(name) };
    // The IPC channel is the service's lifeline: it stops itself when the channel closes (this process is gone).
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'apps', name, 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    pipeLines(child, name);
    children.set(name, child);
  }
  // The guard stops the broker only once these are gone, should this process disappear: they stop themselves when
  // their channel closes, and need the broker to flush and commit meanwhile.
  if (startedKafka) tellGuard(startedKafka.guard, { services: [...children.values()].flatMap((c) => (c.pid ? [c.pid] : [])), shutdownTimeoutMs: env.shutdownTimeoutMs });
  const ports = { gateway: env.gatewayPort, ...env.servicePorts };
  say('');
  say('hookbus is starting:');
  for (const name of services) say(`  ${name.padEnd(13)} ${localUrl(listenHost, ports[name])}  (/health/ready, /metrics)`);
  if (services.includes('gateway')) say(`  webhooks      ${localUrl(listenHost, env.gatewayPort)}/webhooks/{sourceId}`);
  say(`  kafka         ${env.kafkaBrokers.join(',')}${startedKafka ? ' (started by hookbus)' : ''}`);
  if (consoleLine) say(consoleLine);
  say('Ctrl-C stops everything.');
  say('');
  // The children listen a few seconds after they spawn; a curl sent before then is refused. This line is the moment.
  let stopping = false;
  const patienceMs = 60_000;
  const readiness = watchReadiness({
    targets: readinessTargets(services, listenHost, ports, (name) => children.get(name)?.pid),
    patienceMs,
    // Set apart by blank lines: it lands among the services' start-up lines.
    onReady: () => {
      // A child that exited during the last round is seen here before its exit event stops the stack.
      if (stopping || [...children.values()].some((child) => child.exitCode !== null || child.signalCode !== null)) return;
      say(`\n${readyLine(services, listenHost, env.gatewayPort)}\n`);
    },
    onSlow: (waiting) => say(`still starting after ${patienceMs / 1000} s, waiting for: ${waiting}`),
  });

  const stopAll = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    readiness.stop();
    say(`stopping services (${why})...`);
    const exits = [...children.values()].map(exited);
    for (const child of children.values()) child.kill('SIGTERM');
    // Each service bounds its own stop (SHUTDOWN_TIMEOUT_MS, default 10 s); this is for one that hangs regardless.
    const timeout = setTimeout(() => {
      for (const [name, child] of children) {
        if (child.exitCode === null && child.signalCode === null) {
          say(`${prefix(name)} did not stop; killing it`);
          child.kill('SIGKILL');
        }
      }
    }, env.shutdownTimeoutMs + KILL_MARGIN_MS);
    await Promise.all(exits);
    clearTimeout(timeout);
    // A child that exited non-zero on the stop (past its SHUTDOWN_TIMEOUT_MS, work abandoned, killed) makes the whole
    // stop a failure: a wrapper or CI must see it. One ended by the SIGTERM itself had not installed its handlers yet
    // (still loading): it held no work, and ended as asked.
    const failed = [...children]
      .filter(([, child]) => child.exitCode !== 0 && child.signalCode !== 'SIGTERM')
      .map(([name, child]) => `${name} (${child.signalCode ?? `code ${child.exitCode}`})`);
    await stopKafka();
    if (failed.length > 0) complain(`npm start: did not stop cleanly: ${failed.join(', ')}`);
    say('stopped.');
    process.exit(failed.length > 0 ? 1 : code);
  };
  supervisor.stop = (why, code) => void stopAll(why, code);
  for (const [name, child] of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${prefix(name)} exited (${signal ?? `code ${code}`}); stopping the stack`);
      void stopAll(`${name} exited`, 1);
    });
  }
  // A stop asked for while the children were being spawned.
  if (supervisor.requested) void stopAll(supervisor.requested.why, supervisor.requested.code);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof StopRequested) {
      say(`stopped before the services started (${error.message}).`);
      process.exit(supervisor.requested?.code ?? 0);
    }
    complain(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
