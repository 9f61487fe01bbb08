/**
 * The ingest part's CPU per answer (bench/lib/cpu.ts processCpuSeconds): a process' own CPU time from /proc, which
 * grows with work done and is NaN for a process that is gone, so a server that died mid-run shows no figure rather
 * than a wrong one.
 */
import { spawnSync } from 'node:child_process';
import { processCpuSeconds } from '../../bench/lib/cpu';

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
