/**
 * `npm start`: the whole stack on this machine, each service its own process.
 *
 *   node dist/scripts/start.js [--init-only] [--reset-kafka] [--fake-credas] [--only gateway,normalizer,...]
 *
 * Uses the Kafka at KAFKA_BROKERS if one answers, else starts the project's own single-node KRaft broker (and stops
 * it on exit); creates the database at DATABASE_URL if missing and applies migrations; provisions topics; starts
 * every service; Ctrl-C stops them all, then the broker it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ConfigError, DEFAULT_KAFKA_BROKERS, loadEnv, loadHookbusConfig, type HookbusEnv } from '@hookbus/config';
import { allTopics } from '@hookbus/contracts';
import { migrate } from '@hookbus/db';
import { brokerAnswers, provisionTopics } from '@hookbus/kafka';
import { serviceNodeOptions } from '@hookbus/platform';
import { defaultOptions, repoRoot, startLocalKafka, stopLocalKafka } from './kafka/local-kafka';

const SERVICES = ['gateway', 'normalizer', 'tracker', 'orchestrator', 'projector'] as const;
type ServiceName = (typeof SERVICES)[number];
const COLORS: Record<string, string> = { gateway: '36', normalizer: '35', tracker: '33', orchestrator: '32', projector: '34', kafka: '90', 'fake-credas': '90' };
const LEVEL_LABELS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

function say(line: string): void {
  process.stdout.write(`${line}\n`);
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

function argValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function prepareKafka(env: HookbusEnv, reset: boolean): Promise<boolean> {
  if (await brokerAnswers(env.kafkaBrokers, 2000)) {
    say(`${prefix('kafka')} using the broker at ${env.kafkaBrokers.join(',')}`);
    return false;
  }
  if (env.kafkaBrokers.join(',') !== DEFAULT_KAFKA_BROKERS) {
    throw new Error(`KAFKA_BROKERS: no broker answers at ${env.kafkaBrokers.join(',')} (hookbus starts its own broker only for the default ${DEFAULT_KAFKA_BROKERS})`);
  }
  const started = await startLocalKafka(defaultOptions({ reset }), (line) => say(`${prefix('kafka')} ${line}`));
  return started.startedHere;
}

async function provision(env: HookbusEnv): Promise<void> {
  const admin = new Kafka({ clientId: 'hookbus-start', brokers: [...env.kafkaBrokers], logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    const { created } = await provisionTopics(admin, allTopics());
    say(`${prefix('kafka')} topics ready (${allTopics().length} declared${created.length ? `, created ${created.length}` : ''})`);
  } finally {
    await admin.disconnect();
  }
}

async function main(argv: string[]): Promise<void> {
  let env: HookbusEnv;
  try {
    env = loadEnv();
    const config = loadHookbusConfig(env.configPath);
    for (const source of config.sources.filter((s) => s.auth.type === 'none')) {
      say(`${prefix('gateway')} WARN  source ${source.id} accepts unauthenticated requests (auth: none); give it a secret in ${env.configPath ?? 'hookbus.yaml'}`);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new Error(`HOOKBUS_CONFIG: ${(error as Error).message}`);
  }
  const startedKafka = await prepareKafka(env, argv.includes('--reset-kafka'));
  const stopKafka = async () => {
    if (startedKafka) {
      say(`${prefix('kafka')} stopping the local broker`);
      await stopLocalKafka(defaultOptions());
    }
  };
  try {
    const applied = await migrate(env.databaseUrl);
    say(`${prefix('projector')} database ready${applied.length ? `, applied ${applied.join(', ')}` : ''}`);
    await provision(env);
  } catch (error) {
    await stopKafka();
    throw error;
  }
  if (argv.includes('--init-only')) {
    await stopKafka();
    return;
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  // The tracker's state store survives npm start restarts (a restart replays only the changelog's tail); it lives
  // beside the local broker's data, and --reset-kafka's new cluster id makes the tracker discard it.
  childEnv.TRACKER_STORE_DIR = childEnv.TRACKER_STORE_DIR || join(repoRoot(), '.hookbus', 'tracker-store');
  const children = new Map<string, ChildProcess>();
  const root = join(__dirname, '..');
  if (argv.includes('--fake-credas')) {
    const port = Number(process.env.FAKE_CREDAS_PORT || 3100);
    childEnv.CREDAS_API_BASE_URL = `http://127.0.0.1:${port}/api/v2/ci/`;
    childEnv.CREDAS_API_KEY = childEnv.CREDAS_API_KEY || 'fake-credas-key';
    const fake = spawn(process.execPath, [join(root, 'test', 'fake-credas', 'main.js')], { env: { ...childEnv, FAKE_CREDAS_PORT: String(port), FAKE_CREDAS_API_KEY: childEnv.CREDAS_API_KEY } });
    pipeLines(fake, 'fake-credas');
    children.set('fake-credas', fake);
  }
  const only = argValue(argv, '--only')?.split(',') as ServiceName[] | undefined;
  for (const name of SERVICES.filter((s) => !only || only.includes(s))) {
    const env = { ...childEnv, NODE_OPTIONS: process.env.NODE_OPTIONS || serviceNodeOptions(name) };
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'apps', name, 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    pipeLines(child, name);
    children.set(name, child);
  }
  const ports = { gateway: env.gatewayPort, ...env.servicePorts };
  say('');
  say('hookbus is starting:');
  for (const name of SERVICES.filter((s) => children.has(s))) say(`  ${name.padEnd(13)} http://127.0.0.1:${ports[name]}  (/health/ready, /metrics)`);
  say(`  webhooks      http://127.0.0.1:${env.gatewayPort}/webhooks/{sourceId}`);
  say(`  kafka         ${env.kafkaBrokers.join(',')}${startedKafka ? ' (started by hookbus)' : ''}`);
  say('Ctrl-C stops everything.');
  say('');

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping services...');
    const exits = [...children.values()].map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))));
    for (const child of children.values()) child.kill('SIGTERM');
    const timeout = setTimeout(() => [...children.values()].forEach((c) => c.kill('SIGKILL')), 20_000);
    await Promise.all(exits);
    clearTimeout(timeout);
    await stopKafka();
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const [name, child] of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${prefix(name)} exited (${signal ?? `code ${code}`}); stopping the stack`);
      void stopAll(1);
    });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
