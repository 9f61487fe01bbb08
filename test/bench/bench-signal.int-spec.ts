/**
 * An interrupted or killed bench leaves no broker behind. The bench starts its broker in a session of its own, so a
 * terminal's Ctrl-C reaches the bench and not the broker: the bench must stop it, as the end of a run does, and a
 * guard process stops it if the bench is SIGKILLed. Before, every interrupted run left a JVM with a 768 MB heap
 * listening on 19192. The built bench (dist/, built by `npm test`'s pretest), each case with a broker of its own
 * (127.0.0.1:19592, BENCH_SIGNAL_TEST_KAFKA_PORT; a temporary data directory) and the database hookbus_signal_bench,
 * which the bench drops and recreates.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL, waitFor } from '@hookbus/testing';
import { defaultOptions, isProcessAlive as running, runningPid } from '../../scripts/kafka/local-kafka';

const ROOT = join(__dirname, '..', '..');
const KAFKA_PORT = Number(process.env.BENCH_SIGNAL_TEST_KAFKA_PORT || 19592);
/** A broker's controlled shutdown, on a loaded two-core machine (stopLocalKafka's own bound is 30 s, then SIGKILL). */
const BROKER_GONE_WITHIN_MS = 45_000;

/**
 * Runs `--only ceilings` until it has set up (its broker started, its database ready), then does `interrupt` to it
 * and hands `check` the bench's exit and the broker's pid. Whatever happens, nothing it started is left running:
 * the bench runs in a process group of its own, killed as a group, and the broker is found by its data directory.
 */
async function interruptedBench(interrupt: (pid: number) => void, check: (exit: { code: number | null; signal: NodeJS.Signals | null }, out: string, brokerPid: number) => Promise<void>): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'hookbus-bench-signal-'));
  const database = new URL(TEST_DATABASE_URL);
  database.pathname = '/hookbus_signal_bench';
  const bench = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), '--only', 'ceilings', '--ceiling-records', '200000'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
      HOOKBUS_KAFKA_CONTROLLER_PORT: String(KAFKA_PORT + 1),
      HOOKBUS_KAFKA_DATA: data,
      BENCH_DATABASE_URL: database.toString(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  bench.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  bench.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => bench.once('exit', (code, signal) => resolve({ code, signal })));
  const brokerOptions = defaultOptions({ dataDir: data, port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1 });
  let brokerPid: number | null = null;
  try {
    // Past its set-up, inside the run: the broker is the bench's own and the run has parts left to do.
    await waitFor(() => /postgres: hookbus_signal_bench ready/.test(out) || bench.exitCode !== null, { timeoutMs: 180_000, what: 'the bench set up (its broker started, its database ready)' });
    if (bench.exitCode !== null) throw new Error(`the bench exited ${bench.exitCode} before it was set up; it printed:\n${out}`);
    brokerPid = runningPid(brokerOptions);
    expect(brokerPid).not.toBeNull();
    expect(running(brokerPid!)).toBe(true);
    interrupt(bench.pid!);
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([exit, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), BROKER_GONE_WITHIN_MS + 30_000)))]).finally(() => clearTimeout(timer));
    if (exited === null) throw new Error(`the bench did not exit after the signal; it printed:\n${out}`);
    await check(exited, out, brokerPid!);
  } finally {
    if (bench.exitCode === null && bench.signalCode === null) {
      process.kill(-bench.pid!, 'SIGKILL');
      await exit;
    }
    const left = brokerPid ?? runningPid(brokerOptions);
    if (left !== null && running(left)) process.kill(left, 'SIGKILL');
    await waitFor(() => left === null || !running(left), { timeoutMs: 10_000, what: 'the broker gone' });
    rmSync(data, { recursive: true, force: true });
  }
}

it('SIGINT during a run stops the broker the bench started, and the bench exits 130', async () => {
  await interruptedBench(
    (pid) => process.kill(pid, 'SIGINT'),
    async (exit, out, brokerPid) => {
      expect(exit).toEqual({ code: 130, signal: null });
      expect(out).toContain('SIGINT: stopping every child');
      expect(out).toContain('kafka: stopping the broker the bench started');
      // stopLocalKafka waits for the JVM to exit before the bench exits.
      expect(running(brokerPid)).toBe(false);
    },
  );
}, 360_000);

it('a SIGKILLed bench, which can stop nothing itself, leaves no broker: its guard stops it', async () => {
  await interruptedBench(
    (pid) => process.kill(pid, 'SIGKILL'),
    async (exit, out, brokerPid) => {
      expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(out).not.toContain('kafka: stopping the broker');
      await waitFor(() => !running(brokerPid), { timeoutMs: BROKER_GONE_WITHIN_MS, what: 'the broker stopped by the guard' });
    },
  );
}, 360_000);
