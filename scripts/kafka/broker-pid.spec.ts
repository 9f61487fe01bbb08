/**
 * Which process the local-broker tooling may signal (scripts/kafka/local-kafka.ts, broker-guard.ts): only the broker
 * JVM of this data directory that the caller spawned — never what a stale pidfile names (after a reboot or an OOM
 * kill the pid may belong to anything), nor a broker someone started since. Linux (/proc), like the tooling.
 *
 * The "brokers" here are Node processes whose command line looks like ours (`… kafka.Kafka <dataDir>/server.properties`):
 * what the tooling checks, without a JVM. The guard runs as its own process, compiled on the fly by @swc/core.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tsExecArgv } from '../../test/support/ts-exec-argv';
import { defaultOptions, isOurBroker, runningPid, stopLocalKafka, type GuardMessage, type LocalKafkaOptions } from './local-kafka';

const dirs: string[] = [];
const spawned: ChildProcess[] = [];

afterAll(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): LocalKafkaOptions {
  const dir = mkdtempSync(join(tmpdir(), 'hookbus-broker-pid-'));
  dirs.push(dir);
  return defaultOptions({ dataDir: dir, port: 1, controllerPort: 2 });
}

/** A live process; with `brokerOf`, its command line is that data directory's broker's. Resolves once it runs. */
async function processLike(brokerOf?: LocalKafkaOptions): Promise<ChildProcess> {
  const args = brokerOf ? ['kafka.Kafka', resolve(brokerOf.dataDir, 'server.properties')] : ['unrelated'];
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => undefined, 1000)', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  spawned.push(child);
  await new Promise((r) => child.stdout!.once('data', r));
  return child;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((r) => (running(child) ? child.once('exit', () => r()) : r()));
}

describe('local broker pids', () => {
  it('a stale pidfile naming an unrelated process: not running, and stop signals nothing', async () => {
    const options = dataDir();
    const unrelated = await processLike();
    writeFileSync(join(options.dataDir, 'broker.pid'), String(unrelated.pid));
    expect(isOurBroker(unrelated.pid!, options)).toBe(false);
    expect(runningPid(options)).toBeNull();
    expect(await stopLocalKafka(options, 1_000)).toBe(false);
    expect(running(unrelated)).toBe(true);
  });

  it("another data directory's broker is not this one's", async () => {
    const ours = dataDir();
    const other = await processLike(dataDir());
    writeFileSync(join(ours.dataDir, 'broker.pid'), String(other.pid));
    expect(runningPid(ours)).toBeNull();
    expect(await stopLocalKafka(ours, 1_000, other.pid!)).toBe(false);
    expect(running(other)).toBe(true);
  });

  it('stopping the broker a caller spawned leaves a broker started since (named by the pidfile now) running', async () => {
    const options = dataDir();
    const spawnedHere = await processLike(options);
    const startedSince = await processLike(options);
    writeFileSync(join(options.dataDir, 'broker.pid'), String(startedSince.pid));
    expect(runningPid(options)).toBe(startedSince.pid);
    const stopped = exitOf(spawnedHere);
    expect(await stopLocalKafka(options, 5_000, spawnedHere.pid!)).toBe(true);
    await stopped;
    expect(running(startedSince)).toBe(true);
    expect(readFileSync(join(options.dataDir, 'broker.pid'), 'utf8')).toBe(String(startedSince.pid));
    // And `kafka stop` (no pid given) stops the pidfile's broker, and removes the pidfile.
    const stoppedToo = exitOf(startedSince);
    expect(await stopLocalKafka(options, 5_000)).toBe(true);
    await stoppedToo;
    expect(existsSync(join(options.dataDir, 'broker.pid'))).toBe(false);
  });
});

describe('broker-guard', () => {
  /** Forks scripts/kafka/broker-guard.ts as guardLocalKafka forks the built one (detached), compiled by @swc/core. */
  function forkGuard(options: LocalKafkaOptions): ChildProcess {
    const guard = fork(join(__dirname, 'broker-guard.ts'), [JSON.stringify(options)], { execArgv: tsExecArgv(), stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true });
    spawned.push(guard);
    return guard;
  }

  /** Resolves once the guard's handlers are installed (it says so over the channel). */
  function ready(guard: ChildProcess): Promise<void> {
    return new Promise((r) => guard.once('message', () => r()));
  }

  function send(guard: ChildProcess, message: GuardMessage): Promise<void> {
    return new Promise((r, reject) => guard.send(message, (error) => (error ? reject(error) : r())));
  }

  it('ignores SIGTERM, and once its supervisor is gone waits for the services, then stops only the broker it was told', async () => {
    const options = dataDir();
    const ours = await processLike(options);
    const usersBroker = await processLike(options);
    writeFileSync(join(options.dataDir, 'broker.pid'), String(usersBroker.pid));
    const service = await processLike();
    const guard = forkGuard(options);
    await ready(guard);
    await send(guard, { pid: ours.pid! });
    await send(guard, { services: [service.pid!], shutdownTimeoutMs: 60_000 });
    // A group-wide SIGTERM (timeout, kill -- -PGID, CI cancellation) is the supervisor's to handle.
    guard.kill('SIGTERM');
    guard.disconnect();
    // A negative over time has no event to await: the guard checks every 100 ms; give it several rounds.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(running(guard)).toBe(true);
    expect(running(ours)).toBe(true);
    const brokerStopped = exitOf(ours);
    service.kill('SIGKILL');
    await brokerStopped;
    await exitOf(guard);
    expect(guard.exitCode).toBe(0);
    expect(running(usersBroker)).toBe(true);
  });

  it('told no broker pid (the broker answered already), stops nothing', async () => {
    const options = dataDir();
    const usersBroker = await processLike(options);
    writeFileSync(join(options.dataDir, 'broker.pid'), String(usersBroker.pid));
    const guard = forkGuard(options);
    await ready(guard);
    guard.disconnect();
    await exitOf(guard);
    expect(guard.exitCode).toBe(0);
    expect(running(usersBroker)).toBe(true);
  });
});
