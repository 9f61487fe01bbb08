import { spawn, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Every child the bench starts, so a failure anywhere (or Ctrl-C) still ends them all: the bench must never leave a
 * service or load generator running on a shared machine.
 */
const children = new Set<ChildProcess>();

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly label: string;
  /** Last lines of output, for the error message when a child dies early. */
  tail(): string;
  exited(): Promise<number | null>;
  /** How it ended, or null while it runs. */
  exit(): ChildExit | null;
  /**
   * One line for a report when it ended without being asked to: its exit code or signal and its last stderr lines
   * (a V8 "JavaScript heap out of memory" report, a stack trace) — what a timeout would otherwise hide.
   */
  describeExit(): string;
}

/**
 * Children that failed, in the order they ended: a service stage (spawnNode) that ended in any way without being
 * asked to (stopChild, killChild), whatever its code — a stage stopped from outside with SIGTERM exits 0, and its
 * figures are as meaningless as a crashed one's; a load worker (forkNode) that ended with a signal or a non-zero code
 * (a load worker ending with 0 is a finished run). Each failure makes the bench exit 2 (BenchFailed).
 */
const unexpected: SpawnedChild[] = [];

/** Every child that exited without being asked to, described (see describeExit). */
export function unexpectedExits(): string[] {
  return unexpected.map((c) => c.describeExit());
}

const asked = new WeakSet<ChildProcess>();
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+ /;

export function exitText(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * The run measured something that died: its figures are failures, not slow rates, and BENCHMARKS.md is left as it
 * was. bench/run.ts exits 2 on it (README), any other error exits 1.
 */
export class BenchFailed extends Error {}

/** The failure of a stage that ended while the bench still needed it (`what`: where the bench was). */
export function stageFailed(child: Pick<SpawnedChild, 'describeExit'>, what: string): BenchFailed {
  return new BenchFailed(`${what}: ${child.describeExit()}`);
}

/**
 * Everything that makes a run a failure, once each: the children that ended without being asked to, and the drains
 * that recorded a stage's exit (`failure`), however that stage ended.
 */
export function runFailures(drains: ReadonlyArray<{ readonly failure?: string }>): string[] {
  return [...new Set([...unexpectedExits(), ...drains.flatMap((d) => (d.failure ? [d.failure] : []))])];
}

/** Polls `url` until it answers 200 (any answer below 500 for a non-health URL); the child's exit is a BenchFailed. */
export async function waitHttp(url: string, child: SpawnedChild, what: string, timeoutMs = 90_000): Promise<void> {
  const began = Date.now();
  while (Date.now() - began < timeoutMs) {
    if (child.exit() !== null) throw stageFailed(child, `${what} exited before it was ready at ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200 || (!url.includes('/health') && res.status < 500)) return;
    } catch {
      // not listening yet
    }
    // Ends the wait as soon as the child exits, not a poll interval later.
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 200)), child.exited()]);
  }
  if (child.exit() !== null) throw stageFailed(child, `${what} exited before it was ready at ${url}`);
  throw new Error(`${what} not ready at ${url} after ${timeoutMs / 1000} s:\n${child.tail()}`);
}

function track(child: ChildProcess, label: string, service: boolean): SpawnedChild {
  if (child.pid === undefined) throw new Error(`${label}: could not start`);
  children.add(child);
  const lines: string[] = [];
  const errLines: string[] = [];
  const keep = (into: string[], max: number, more: string[]) => {
    into.push(...more.filter(Boolean));
    if (into.length > max) into.splice(0, into.length - max);
  };
  const keeper = (into: string[], max: number) => (chunk: Buffer) => keep(into, max, chunk.toString('utf8').split('\n'));
  child.stdout?.on('data', keeper(lines, 40));
  child.stderr?.on('data', keeper(lines, 40));
  // Native stack frames ("  7: 0x10ea385 v8::internal::...") fill a V8 crash report after its one telling line
  // ("FATAL ERROR: ... JavaScript heap out of memory"): kept out, so the last lines say why.
  child.stderr?.on('data', (chunk: Buffer) => keep(errLines, 12, chunk.toString('utf8').split('\n').filter((line) => !NATIVE_FRAME.test(line))));
  let ended: ChildExit | null = null;
  // 'close', not 'exit': its output is read to the end by then, so describeExit has the last lines.
  const exit = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => {
      ended = { code, signal };
      resolve(code);
    }),
  );
  const spawned: SpawnedChild = {
    process: child,
    pid: child.pid,
    label,
    tail: () => lines.join('\n'),
    exited: () => exit,
    exit: () => ended,
    describeExit: () => {
      const how = ended ? exitText(ended) : 'still running';
      const last = errLines.length > 0 ? `; last stderr lines:\n    ${errLines.join('\n    ')}` : '; nothing on stderr';
      return `${label} (pid ${child.pid}) exited: ${how}${last}`;
    },
  };
  void exit.then(() => {
    children.delete(child);
    if (!asked.has(child) && (service || ended!.signal !== null || ended!.code !== 0)) unexpected.push(spawned);
  });
  return spawned;
}

/** `BENCH_CPU_PROF=<dir>`: every service the bench starts writes a V8 CPU profile there when it exits. */
function profilingFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export function spawnNode(label: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): SpawnedChild {
  // The IPC channel is the child's lifeline: a service stops itself when it closes (runService), so a bench that is
  // SIGKILLed leaves no stage behind.
  return track(spawn(process.execPath, [...profilingFlags(), script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), label, true);
}

/** A child with an IPC channel (the load generator reports through it). */
export function forkNode(label: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): SpawnedChild {
  return track(fork(script, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), label, false);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child is gone. */
export async function stopChild(child: Pick<SpawnedChild, 'process' | 'exited'>, graceMs = 10_000): Promise<void> {
  asked.add(child.process);
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited();
  clearTimeout(timer);
}

/** Kills a child on purpose (a SIGKILL-and-restart measurement): not a failure of the child. */
export async function killChild(child: SpawnedChild, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  asked.add(child.process);
  child.process.kill(signal);
  await child.exited();
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild({ process: c, exited: () => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', r))) }, 5_000)));
}

/** Last resort on a sudden exit of the bench itself: no grace, but nothing left behind. */
export function killAllChildrenNow(): void {
  for (const child of children) {
    asked.add(child);
    child.kill('SIGKILL');
  }
}

export interface MemorySample {
  readonly rssMb: number;
  readonly hwmMb: number;
}

/** Resident and peak resident memory of a process (Linux /proc). */
export function readMemory(pid: number): MemorySample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}
