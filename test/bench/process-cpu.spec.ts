/**
 * The ingest part's CPU per answer and the drains' CPU per offset (bench/lib/cpu.ts processCpuSeconds, drainCpu): a
 * process' own CPU time from /proc, which grows with work done and is NaN for a process that is gone, so a server
 * that died mid-run shows no figure rather than a wrong one.
 */
import { spawnSync } from 'node:child_process';
import { drainCpu, processCpuSeconds } from '../../bench/lib/cpu';

it('counts the CPU time a process spends, in seconds', () => {
  const before = processCpuSeconds(process.pid);
  const until = process.cpuUsage().user + 300_000; // 0.3 s of user time, however long the machine takes to give it
  let spin = 0;
  while (process.cpuUsage().user < until) spin++;
  const used = processCpuSeconds(process.pid) - before;
  expect(spin).toBeGreaterThan(0);
  // USER_HZ ticks are 10 ms: 0.3 s of user time reads 0.29 s at least; another thread's time may add to it.
  expect(used).toBeGreaterThanOrEqual(0.29);
  expect(used).toBeLessThan(5);
});

it('is NaN for a process that has exited', () => {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  expect(processCpuSeconds(Number(child.stdout))).toBeNaN();
});

describe('a drain\'s steady window', () => {
  const window = { progressAtFirst: 1_000, progressAtEnd: 21_000, firstCommitMs: 3_000, lastChangeMs: 7_000, steadyCpuSeconds: 3 };

  it('costs its CPU seconds per counted offset, and that CPU over its wall time in cores', () => {
    // 3 s of CPU for 20,000 offsets over 4 s: 150 µs per offset, 0.75 of a core.
    expect(drainCpu(window)).toEqual({ cpuUsPerRecord: 150, busyCores: 0.75 });
  });

  it.each([
    ['its CPU was not read', { ...window, steadyCpuSeconds: NaN }],
    ['no offset moved after the first commit', { ...window, progressAtEnd: 1_000 }],
    ['the first commit was also the last change', { ...window, lastChangeMs: 3_000 }],
  ])('has no figure when %s', (_, empty) => {
    expect(drainCpu(empty)).toEqual({ cpuUsPerRecord: NaN, busyCores: NaN });
  });
});
