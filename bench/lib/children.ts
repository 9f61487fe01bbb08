import { spawn, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Every child the bench starts, so a failure anywhere (or Ctrl-C) still ends them all: the bench must never leave a
 * service or load generator running on a shared machine.
 */
const children = new Set<ChildProcess>();

export interface SpawnedChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Last lines of output, for the error message when a child dies early. */
  tail(): string;
  exited(): Promise<number | null>;
}

function track(child: ChildProcess, label: string): SpawnedChild {
  if (child.pid === undefined) throw new Error(`${label}: could not start`);
  children.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exit.then(() => children.delete(child));
  return { process: child, pid: child.pid, tail: () => lines.join('\n'), exited: () => exit };
}

/** `BENCH_CPU_PROF=<dir>`: every service the bench starts writes a V8 CPU profile there when it exits. */
function profilingFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export function spawnNode(label: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): SpawnedChild {
  return track(spawn(process.execPath, [...profilingFlags(), script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }), label);
}

/** A child with an IPC channel (the load generator reports through it). */
export function forkNode(label: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): SpawnedChild {
  return track(fork(script, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), label);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child is gone. */
export async function stopChild(child: SpawnedChild, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited();
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild({ process: c, pid: c.pid ?? 0, tail: () => '', exited: () => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', r))) }, 5_000)));
}

/** Last resort on a sudden exit of the bench itself: no grace, but nothing left behind. */
export function killAllChildrenNow(): void {
  for (const child of children) child.kill('SIGKILL');
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
