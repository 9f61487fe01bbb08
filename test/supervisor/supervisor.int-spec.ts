/**
 * `npm start`'s supervisor (scripts/start.ts) as a process citizen: however it disappears, it leaves no process of
 * the stack and no listening port behind. It runs the built supervisor (dist/, built by `npm test`'s pretest) with
 * ports of its own (19700–19707, SUPERVISOR_TEST_PORT_BASE moves them) and, for the SIGKILL case, a broker of its
 * own (127.0.0.1:19792, SUPERVISOR_TEST_KAFKA_PORT; data in .hookbus/kafka-supervisor-test), because that case
 * must show that the broker the supervisor started is stopped too. (The no-Java case uses 19796, its own data directory.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, stackPortSettings, stackPorts, waitFor } from '@hookbus/testing';
import { isProcessAlive as isAlive } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'dist', 'scripts', 'start.js');
const PORT_BASE = Number(process.env.SUPERVISOR_TEST_PORT_BASE || 19700);
const KAFKA_PORT = Number(process.env.SUPERVISOR_TEST_KAFKA_PORT || 19792);
const PORTS = stackPorts(PORT_BASE);
/** "A few seconds": the services stop at once; the broker's controlled shutdown takes a few seconds of its own. */
const LEFT_NOTHING_WITHIN_MS = 15_000;
/**
 * The tests that wait up to 180 s for a stack to be live (its broker booting, on a loaded two-core CI machine) need
 * a bound above that wait: under jest's 120 s default they timed out in CI without saying what the stack printed.
 */
const STACK_TEST_TIMEOUT_MS = 300_000;

/** Every live descendant of `pid` (from /proc: Linux, like the rest of the local tooling). Zombies count as gone. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(entry), Number(ppid));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) if (ppid === parent) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

/** The latest modification time of a folder and the files in it (SQLite writes into files it already has), or null. */
function newestChange(dir: string): number | null {
  if (!existsSync(dir)) return null;
  return Math.max(statSync(dir).mtimeMs, ...readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs));
}

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function answersLive(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  return response?.status === 200;
}

/** A user's environment plus this test's ports, broker and database: nothing of the caller's stack inherited. */
function stackEnv(kafkaBrokers: string, cwd: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: TEST_DATABASE_URL,
    TRACKER_STORE_DIR: join(cwd, 'tracker-store'),
    ...stackPortSettings(PORTS),
    ...extra,
  };
}

interface Supervisor {
  readonly child: ChildProcess;
  output(): string;
  /** Kills whatever of the stack is still alive: only on a failed test, so that it leaves nothing behind either. */
  cleanup(pids: readonly number[]): void;
}

/** Live broker-guard processes guarding `dataDir` (from /proc: they are detached, and outlive a killed supervisor). */
function guardsOf(dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.endsWith('broker-guard.js')) && args.some((a) => a.includes(JSON.stringify(dataDir))) && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** `detached`: in a process group of its own, so that a test can signal the whole group as `timeout` or CI does. */
function startSupervisor(args: string[], env: NodeJS.ProcessEnv, cwd: string, detached = false): Supervisor {
  const child = spawn(process.execPath, [START, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stdout!.on('error', () => undefined);
  return {
    child,
    output: () => output,
    cleanup(pids) {
      for (const pid of [child.pid!, ...pids]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

/**
 * The local addresses (`ip:port`) that listen on `ports`, from /proc/net/tcp and tcp6 (Linux): 0.0.0.0 and :: mean
 * every interface.
 */
function listeningAddresses(ports: readonly number[]): string[] {
  const wanted = new Set(ports);
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table = '';
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hexAddress, hexPort] = local.split(':') as [string, string];
      const port = parseInt(hexPort, 16);
      if (!wanted.has(port)) continue;
      found.push(`${hexAddressToText(hexAddress)}:${port}`);
    }
  }
  return found;
}

/** /proc/net/tcp writes IPv4 as one little-endian word; tcp6 as four. IPv4-mapped IPv6 (::ffff:a.b.c.d) reads as a.b.c.d. */
function hexAddressToText(hex: string): string {
  const ipv4 = (word: string) => [6, 4, 2, 0].map((i) => parseInt(word.slice(i, i + 2), 16)).join('.');
  if (hex.length === 8) return ipv4(hex);
  if (hex === '0'.repeat(32)) return '::';
  if (hex.slice(0, 16) === '0'.repeat(16) && hex.slice(16, 24).toUpperCase() === 'FFFF0000') return ipv4(hex.slice(24));
  return `[${hex}]`;
}

/** True once the supervisor has printed `expected`; until then it throws, so that a timeout shows what it printed. */
function outputSays(supervisor: Supervisor, expected: string | RegExp): true {
  const output = supervisor.output();
  if (typeof expected === 'string' ? output.includes(expected) : expected.test(output)) return true;
  throw new Error(`not printed yet; its output so far:\n${output.slice(-3000)}`);
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve({ code: child.exitCode, signal: child.signalCode })
      : child.once('exit', (code, signal) => resolve({ code, signal })),
  );
}

async function expectNothingLeft(pids: readonly number[], ports: readonly number[]): Promise<void> {
  await waitFor(
    async () => {
      const alive = pids.filter(isAlive);
      const listening = (await Promise.all(ports.map(async (port) => ((await listens(port)) ? port : null)))).filter((p) => p !== null);
      if (alive.length > 0 || listening.length > 0) throw new Error(`still alive: ${JSON.stringify(alive)}, still listening: ${JSON.stringify(listening)}`);
      return true;
    },
    { timeoutMs: LEFT_NOTHING_WITHIN_MS, intervalMs: 200, what: 'every process of the stack gone and every port closed' },
  );
}

describe('npm start supervisor', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'hookbus-supervisor-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('SIGKILLed, it leaves no service, no fake Credas, no broker and no listening port behind', async () => {
    const kafkaBrokers = `127.0.0.1:${KAFKA_PORT}`;
    const dataDir = join(ROOT, '.hookbus', 'kafka-supervisor-test');
    // No TRACKER_STORE_DIR, as a user runs it: the tracker's store must go with this stack's broker, not into the
    // repository's .hookbus where npm start's own stack keeps its store.
    const trackerStore = join(dataDir, 'tracker-store');
    rmSync(trackerStore, { recursive: true, force: true });
    const usersStore = join(ROOT, '.hookbus', 'tracker-store');
    const usersStoreBefore = newestChange(usersStore);
    const { TRACKER_STORE_DIR: _unset, ...env } = stackEnv(kafkaBrokers, cwd, { HOOKBUS_KAFKA_DATA: dataDir, HOOKBUS_KAFKA_HEAP_MB: '384' });
    const supervisor = startSupervisor([], env, cwd);
    let stack: number[] = [];
    try {
      const servicePorts = Object.values(PORTS).filter((port) => port !== PORTS.FAKE_CREDAS_PORT);
      await waitFor(
        async () => {
          if (supervisor.child.exitCode !== null) throw new Error(`npm start exited:\n${supervisor.output().slice(-3000)}`);
          return (await Promise.all(servicePorts.map(answersLive))).every(Boolean) && (await listens(PORTS.FAKE_CREDAS_PORT));
        },
        { timeoutMs: 180_000, intervalMs: 500, what: 'every service live' },
      );
      stack = descendants(supervisor.child.pid!);
      // Seven services, the fake Credas API and the broker (and whatever helps stop them): the premise of what follows.
      expect(stack.length).toBeGreaterThanOrEqual(9);
      // A laptop's stack answers this machine only: every port of it is bound to 127.0.0.1, none to all interfaces.
      const bound = listeningAddresses([...Object.values(PORTS), KAFKA_PORT]);
      expect(bound.filter((address) => !address.startsWith('127.0.0.1:'))).toEqual([]);
      expect(bound.length).toBeGreaterThanOrEqual(Object.values(PORTS).length + 1);
      expect(await listens(KAFKA_PORT)).toBe(true);
      expect(readdirSync(trackerStore).length).toBeGreaterThan(0);
      expect(newestChange(usersStore)).toBe(usersStoreBefore);

      supervisor.child.kill('SIGKILL');
      const started = Date.now();
      await expectNothingLeft(stack, [...Object.values(PORTS), KAFKA_PORT, KAFKA_PORT + 1]);
      expect(Date.now() - started).toBeLessThan(LEFT_NOTHING_WITHIN_MS);
    } finally {
      supervisor.cleanup(stack);
    }
  }, STACK_TEST_TIMEOUT_MS);

  it('SIGTERMed, it stops the services, then the broker it started, says "stopped." and exits 0 after all of them', async () => {
    const kafkaBrokers = `127.0.0.1:${KAFKA_PORT}`;
    const supervisor = startSupervisor(['--only', 'gateway,monitor'], stackEnv(kafkaBrokers, cwd, { HOOKBUS_KAFKA_DATA: join(ROOT, '.hookbus', 'kafka-supervisor-test'), HOOKBUS_KAFKA_HEAP_MB: '384' }), cwd);
    let stack: number[] = [];
    try {
      await waitFor(
        async () => {
          if (supervisor.child.exitCode !== null) throw new Error(`npm start exited:\n${supervisor.output().slice(-3000)}`);
          return (await answersLive(PORTS.GATEWAY_PORT)) && (await answersLive(PORTS.MONITOR_PORT));
        },
        { timeoutMs: 180_000, intervalMs: 500, what: 'the gateway and the monitor live' },
      );
      stack = descendants(supervisor.child.pid!);
      supervisor.child.kill('SIGTERM');
      const exit = await exitOf(supervisor.child);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(supervisor.output()).toContain('stopping services (SIGTERM)');
      expect(supervisor.output().trimEnd().endsWith('stopped.')).toBe(true);
      // When it has exited, nothing of it is left: it waited for every child, the broker included.
      expect(stack.filter(isAlive)).toEqual([]);
      expect(await listens(KAFKA_PORT)).toBe(false);
    } finally {
      supervisor.cleanup(stack);
    }
  }, STACK_TEST_TIMEOUT_MS);

  it('when the reader of its output goes away (EPIPE), it stops the stack and exits only after every child', async () => {
    // The tests' own broker: this case is about the services, and --only gateway,monitor joins no consumer group there.
    const supervisor = startSupervisor(['--only', 'gateway,monitor'], stackEnv(TEST_KAFKA_BROKERS.join(','), cwd), cwd);
    let stack: number[] = [];
    try {
      await waitFor(() => outputSays(supervisor, 'Ctrl-C stops everything.'), { timeoutMs: 180_000, what: 'the services spawned' });
      stack = descendants(supervisor.child.pid!);
      expect(stack.length).toBe(2);
      // What `npm start | head` does once head has its lines: the pipe's reading end closes; the next line the
      // supervisor writes (a service's start-up log) fails with EPIPE.
      supervisor.child.stdout!.destroy();
      const exit = await exitOf(supervisor.child);
      // It exited on its own (not killed) and only after its children: none is left when it is gone.
      expect(exit).toEqual({ code: 0, signal: null });
      expect(stack.filter(isAlive)).toEqual([]);
      expect(await listens(PORTS.GATEWAY_PORT)).toBe(false);
      expect(await listens(PORTS.MONITOR_PORT)).toBe(false);
    } finally {
      supervisor.cleanup(stack);
    }
  }, STACK_TEST_TIMEOUT_MS);

  it('signalled as a whole process group (timeout, kill -- -PGID, CI), it still stops the services before the broker, says "stopped." and exits 0', async () => {
    const kafkaBrokers = `127.0.0.1:${KAFKA_PORT}`;
    const dataDir = join(ROOT, '.hookbus', 'kafka-supervisor-test');
    const supervisor = startSupervisor(['--only', 'gateway,monitor'], stackEnv(kafkaBrokers, cwd, { HOOKBUS_KAFKA_DATA: dataDir, HOOKBUS_KAFKA_HEAP_MB: '384' }), cwd, true);
    let stack: number[] = [];
    try {
      await waitFor(
        async () => {
          if (supervisor.child.exitCode !== null) throw new Error(`npm start exited:\n${supervisor.output().slice(-3000)}`);
          return (await answersLive(PORTS.GATEWAY_PORT)) && (await answersLive(PORTS.MONITOR_PORT));
        },
        { timeoutMs: 180_000, intervalMs: 500, what: 'the gateway and the monitor live' },
      );
      stack = descendants(supervisor.child.pid!);
      process.kill(-supervisor.child.pid!, 'SIGTERM');
      const exit = await exitOf(supervisor.child);
      expect({ exit, output: supervisor.output().slice(-2000) }).toEqual({ exit: { code: 0, signal: null }, output: expect.stringMatching(/stopped\.\s*$/) });
      expect(supervisor.output()).not.toContain('IPC channel');
      expect(supervisor.output()).not.toContain('did not stop cleanly');
      // The broker was stopped by the supervisor after the services (the guard, out of the group, ignored it).
      expect(supervisor.output()).toContain('stopping services');
      const servicesStopped = supervisor.output().indexOf('stopping services');
      expect(supervisor.output().indexOf('stopping the local broker', servicesStopped)).toBeGreaterThan(servicesStopped);
      expect(stack.filter(isAlive)).toEqual([]);
      expect(await listens(KAFKA_PORT)).toBe(false);
    } finally {
      supervisor.cleanup(stack);
    }
  }, STACK_TEST_TIMEOUT_MS);

  it('a child that does not stop within SHUTDOWN_TIMEOUT_MS is killed at that bound plus a margin (not 20 s), and it exits 1 after "stopped."', async () => {
    const shutdownTimeoutMs = 1_000;
    const supervisor = startSupervisor(['--only', 'gateway,monitor'], stackEnv(TEST_KAFKA_BROKERS.join(','), cwd, { SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) }), cwd);
    let stack: number[] = [];
    try {
      await waitFor(
        async () => {
          if (supervisor.child.exitCode !== null) throw new Error(`npm start exited:\n${supervisor.output().slice(-3000)}`);
          return (await answersLive(PORTS.GATEWAY_PORT)) && (await answersLive(PORTS.MONITOR_PORT));
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'the gateway and the monitor live' },
      );
      stack = descendants(supervisor.child.pid!);
      // A gateway that cannot stop at all (a hung process): stopped, it neither handles SIGTERM nor exits by its bound.
      const gateway = stack.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('apps/gateway/src/main.js'))!;
      process.kill(gateway, 'SIGSTOP');
      const started = Date.now();
      supervisor.child.kill('SIGTERM');
      const exit = await exitOf(supervisor.child);
      const millis = Date.now() - started;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(supervisor.output()).toContain('did not stop; killing it');
      // On stderr: a problem, said even when the reader of stdout is gone.
      expect(supervisor.output()).toMatch(/did not stop cleanly: gateway \(SIGKILL\)/);
      expect(supervisor.output()).toMatch(/did not stop; killing it[\s\S]*stopped\./);
      // Killed after SHUTDOWN_TIMEOUT_MS plus the supervisor's 10 s margin, not after a fixed 20 s.
      expect(millis).toBeGreaterThanOrEqual(shutdownTimeoutMs + 10_000);
      expect(millis).toBeLessThan(18_000);
      expect(stack.filter(isAlive)).toEqual([]);
    } finally {
      supervisor.cleanup(stack);
    }
  }, STACK_TEST_TIMEOUT_MS);

  it('failing to start its broker (no Java), it stops nothing a stale pidfile names: not even a process reusing that pid', async () => {
    // A pidfile left by a broker that died with the machine; its pid now belongs to an unrelated process.
    const dataDir = join(cwd, 'kafka');
    mkdirSync(dataDir, { recursive: true });
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dataDir, 'broker.pid'), String(unrelated.pid));
      // No java on PATH: startLocalKafka fails before it spawns anything (as a failed jar fetch or Ctrl-C there does).
      const supervisor = startSupervisor([], { ...stackEnv(`127.0.0.1:${KAFKA_PORT + 4}`, cwd, { HOOKBUS_KAFKA_DATA: dataDir }), PATH: '/nonexistent' }, cwd);
      const exit = await exitOf(supervisor.child);
      expect({ code: exit.code, output: supervisor.output() }).toEqual({ code: 1, output: expect.stringContaining('Java is not installed') });
      // Its guard saw the channel close and exited: the moment it would have acted.
      await waitFor(() => guardsOf(dataDir).length === 0, { timeoutMs: 15_000, intervalMs: 100, what: 'the broker guard gone' });
      expect(isAlive(unrelated.pid!)).toBe(true);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('Ctrl-C while its broker boots: says so at once, does not wait for the broker, stops it and exits 0', async () => {
    const kafkaBrokers = `127.0.0.1:${KAFKA_PORT}`;
    const dataDir = join(ROOT, '.hookbus', 'kafka-supervisor-test');
    const supervisor = startSupervisor([], stackEnv(kafkaBrokers, cwd, { HOOKBUS_KAFKA_DATA: dataDir, HOOKBUS_KAFKA_HEAP_MB: '384' }), cwd);
    let stack: number[] = [];
    try {
      await waitFor(() => outputSays(supervisor, /started Apache Kafka .*\(pid \d+\)/), { timeoutMs: 120_000, what: 'the broker spawned' });
      stack = descendants(supervisor.child.pid!);
      const jvm = Number(/started Apache Kafka .*\(pid (\d+)\)/.exec(supervisor.output())![1]);
      supervisor.child.kill('SIGINT');
      await waitFor(() => supervisor.output().includes('stopping (SIGINT)'), { timeoutMs: 5_000, what: 'the stop said at once' });
      const exit = await exitOf(supervisor.child);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(supervisor.output()).toContain('stopped before the services started (SIGINT)');
      // It did not wait for the broker to answer, nor go on to the database.
      expect(supervisor.output()).not.toContain('database ready');
      expect(isAlive(jvm)).toBe(false);
      expect([...stack, jvm].filter(isAlive)).toEqual([]);
      expect(await listens(KAFKA_PORT)).toBe(false);
    } finally {
      supervisor.cleanup(stack);
    }
  }, STACK_TEST_TIMEOUT_MS);
});
