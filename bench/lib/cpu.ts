import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of every process on the machine, grouped (the services under test, the broker, Postgres, the harness
 * with its load generator, everything else), from /proc: what a fixed-rate run cost, and so how many cores a rate
 * needs. On a machine where all of them share two cores this is the figure that says whether a rate can be held.
 * A process that exits before the second snapshot (the load generator) is missed: it reports its own time.
 */
export type CpuGroups = Record<string, number>;

/** Linux counts process CPU time in clock ticks of 1/100 s (USER_HZ, fixed at 100 for the /proc ABI). */
const TICKS_PER_SEC = 100;

export interface CpuSnapshot {
  readonly at: number;
  /** The whole machine's busy ticks (/proc/stat: user, nice, system, irq, softirq, steal), all cores. */
  readonly machineBusy: number;
  readonly ticks: ReadonlyMap<number, { readonly group: string; readonly ticks: number }>;
}

/** `named` maps a pid (a spawned service) to its group name; others are classified by their command line. */
export function cpuSnapshot(named: ReadonlyMap<number, string>): CpuSnapshot {
  const ticks = new Map<number, { group: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const used = processTicks(pid);
    // NaN: the process ended between listing and reading; its time is lost to both snapshots alike.
    if (!Number.isNaN(used)) ticks.set(pid, { group: named.get(pid) ?? classify(pid), ticks: used });
  }
  return { at: Date.now(), machineBusy: machineBusyTicks(), ticks };
}

/**
 * CPU seconds (user + system) one process has used so far, or NaN once it is gone: two readings around a load run
 * give what the server spent on it, a figure that moves far less with the machine's load than its rate does.
 */
export function processCpuSeconds(pid: number): number {
  return processTicks(pid) / TICKS_PER_SEC;
}

/** CPU seconds so far of a process (all its threads) and of its main thread, the one that runs its JavaScript. */
export interface CpuReading {
  readonly process: number;
  readonly mainThread: number;
}

/** NaN for either once the process is gone. A process' main thread has the process' own id. */
export function cpuReading(pid: number): CpuReading {
  return { process: processCpuSeconds(pid), mainThread: statTicks(`/proc/${pid}/task/${pid}/stat`) / TICKS_PER_SEC };
}

/** The steady window of a drain (bench/lib/offsets.ts watchDrain): offsets counted, milliseconds, CPU seconds. */
export interface SteadyWindow {
  readonly progressAtFirst: number;
  readonly progressAtEnd: number;
  readonly firstCommitMs: number;
  readonly lastChangeMs: number;
  readonly steadyCpu: CpuReading;
}

/**
 * What a drain's steady window cost its process: CPU µs per counted offset (all its threads: the garbage collector's
 * and libuv's count, they work for it), and how busy its main thread was (its CPU over the window's wall time). Near
 * 1 the stage is bound by its one JavaScript thread, and overlapping its fetches with its produces could not raise
 * its rate; well below 1, it waits on round trips. NaN where the window is empty or its CPU was not read.
 */
export function drainCpu(window: SteadyWindow): { readonly cpuUsPerRecord: number; readonly mainThreadBusy: number } {
  const records = window.progressAtEnd - window.progressAtFirst;
  const seconds = (window.lastChangeMs - window.firstCommitMs) / 1000;
  if (records <= 0 || seconds <= 0) return { cpuUsPerRecord: NaN, mainThreadBusy: NaN };
  return { cpuUsPerRecord: (window.steadyCpu.process / records) * 1e6, mainThreadBusy: window.steadyCpu.mainThread / seconds };
}

/** Clock ticks (user + system) one process has used so far, or NaN once it is gone. */
function processTicks(pid: number): number {
  return statTicks(`/proc/${pid}/stat`);
}

/** utime + stime from a /proc stat file (a process' or one thread's), or NaN once it is gone. */
function statTicks(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'; utime and stime are the
    // 14th and 15th fields of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

function machineBusyTicks(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

/** The group for busy time no process was charged with: interrupts and softirqs (loopback TCP between them all). */
export const KERNEL_GROUP = 'kernel (interrupts, network)';

function classify(pid: number): string {
  if (pid === process.pid) return 'harness';
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') return 'postgres';
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')) return 'kafka broker';
  } catch {
    // Gone meanwhile.
  }
  return 'other';
}

/**
 * Cores used per group between two snapshots (CPU seconds over wall seconds); processes new since `from` count fully.
 * `reported`: groups whose processes reported their own use (gone before `to` was taken), in cores.
 */
export function coresBetween(from: CpuSnapshot, to: CpuSnapshot, reported: CpuGroups = {}): CpuGroups {
  const seconds = (to.at - from.at) / 1000;
  const groups: CpuGroups = { ...reported };
  for (const [pid, { group, ticks }] of to.ticks) {
    const before = from.ticks.get(pid)?.ticks ?? 0;
    const used = Math.max(0, ticks - before) / TICKS_PER_SEC;
    groups[group] = (groups[group] ?? 0) + used / seconds;
  }
  const charged = Object.values(groups).reduce((a, b) => a + b, 0);
  groups[KERNEL_GROUP] = Math.max(0, (to.machineBusy - from.machineBusy) / TICKS_PER_SEC / seconds - charged);
  return groups;
}
