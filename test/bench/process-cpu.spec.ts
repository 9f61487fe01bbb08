/**
 * The ingest part's CPU per answer and the drains' CPU per offset (bench/lib/cpu.ts processCpuSeconds, drainCpu): a
 * process' own CPU time from /proc, which grows with work done and is NaN for a process that is gone, so a server
 * that died mid-run shows no figure rather than a wrong one.
 */
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { cpuReading, drainCpu, processCpuSeconds } from '../../bench/lib/cpu';

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
  const window = { progressAtFirst: 1_000, progressAtEnd: 21_000, firstCommitMs: 3_000, lastChangeMs: 7_000, steadyCpu: { process: 3.4, mainThread: 3 } };

  it('costs its process\'s CPU seconds per counted offset; its main thread was busy for its CPU over the wall time', () => {
    // 3.4 s of CPU for 20,000 offsets over 4 s, 3 s of it on the main thread: 170 µs per offset, 75 % busy.
    const figures = drainCpu(window);
    expect(figures.cpuUsPerRecord).toBeCloseTo(170, 9);
    expect(figures.mainThreadBusy).toBeCloseTo(0.75, 9);
  });

  it.each([
    ['its CPU was not read', { ...window, steadyCpu: { process: NaN, mainThread: NaN } }],
    ['no offset moved after the first commit', { ...window, progressAtEnd: 1_000 }],
    ['the first commit was also the last change', { ...window, lastChangeMs: 3_000 }],
  ])('has no figure when %s', (_, empty) => {
    expect(drainCpu(empty)).toEqual({ cpuUsPerRecord: NaN, mainThreadBusy: NaN });
  });
});

it('reads the main thread apart from the process: a worker thread\'s CPU counts for the process only', async () => {
  // The same fixed work on the main thread, then on a worker while the main thread waits: CPU time, not wall time,
  // so a loaded machine slows both alike.
  const work = 'let x = 0; for (let i = 0; i < 1e8; i++) x = (x + i) % 1000003; globalThis.sink = x;';
  const onMain = cpuReading(process.pid);
  new Function(work)();
  const mainDone = cpuReading(process.pid);
  const mainWork = mainDone.mainThread - onMain.mainThread;
  const worker = new Worker(work, { eval: true });
  await new Promise((resolve) => worker.once('exit', resolve));
  const workerDone = cpuReading(process.pid);
  expect(mainWork).toBeGreaterThanOrEqual(0.05);
  // The worker's share: in the process's CPU, not in the main thread's.
  expect(workerDone.process - mainDone.process - (workerDone.mainThread - mainDone.mainThread)).toBeGreaterThanOrEqual(mainWork * 0.7);
  expect(workerDone.mainThread - mainDone.mainThread).toBeLessThan(mainWork * 0.5);
});
