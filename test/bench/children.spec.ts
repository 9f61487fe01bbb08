/**
 * How the bench judges its children (bench/lib/children.ts), with real processes and no broker: a service stage that
 * ends without being asked to is a failure whatever its exit code (stopped from outside with SIGTERM, a stage exits
 * 0), a load worker ending with 0 is a finished run, and a stage that dies before it is ready is the bench's failure
 * type (exit 2), not a plain error (exit 1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchFailed, forkNode, runFailures, spawnNode, stageFailed, stopChild, unexpectedExits, waitHttp } from '../../bench/lib/children';

const env = { PATH: process.env.PATH };

it('a service stage that exits 0 without being asked to (stopped from outside) is a failure', async () => {
  const stage = spawnNode('tracker', '-e', env, ['process.exit(0)']);
  await stage.exited();
  expect(stage.exit()).toEqual({ code: 0, signal: null });
  expect(stage.describeExit()).toMatch(/^tracker \(pid \d+\) exited: exit code 0/);
  expect(unexpectedExits()).toContain(stage.describeExit());
});

it('a service stage stopped by the bench is not a failure, whatever its code', async () => {
  // Exits 0 on SIGTERM, as a service does after a clean stop.
  const stage = spawnNode('projector', '-e', env, ["process.on('SIGTERM', () => process.exit(0)); process.send?.('up'); setInterval(() => undefined, 1000)"]);
  await new Promise((resolve) => stage.process.once('message', resolve));
  const before = unexpectedExits();
  await stopChild(stage);
  expect(stage.exit()).toEqual({ code: 0, signal: null });
  expect(unexpectedExits()).toEqual(before);
});

describe('load workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-children-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a load worker that ends with 0 has finished its run; one that ends with 3 has failed', async () => {
    writeFileSync(join(dir, 'done.js'), 'process.exit(0)');
    writeFileSync(join(dir, 'broken.js'), 'process.exit(3)');
    const done = forkNode('autocannon', join(dir, 'done.js'), env);
    await done.exited();
    expect(unexpectedExits()).not.toContain(done.describeExit());
    const broken = forkNode('autocannon', join(dir, 'broken.js'), env);
    await broken.exited();
    expect(unexpectedExits()).toContain(broken.describeExit());
  });
});

it('a drain that recorded its stage exit fails the run, once, even when that exit was already counted', async () => {
  const stage = spawnNode('normalizer', '-e', env, ['process.exit(0)']);
  await stage.exited();
  const failure = stage.describeExit();
  const failures = runFailures([{ failure }, {}, { failure: 'copy-tracker (pid 1) exited: exit code 0; nothing on stderr' }]);
  expect(failures.filter((f) => f === failure)).toHaveLength(1);
  expect(failures).toContain('copy-tracker (pid 1) exited: exit code 0; nothing on stderr');
});

it('a stage that dies before it is ready is a BenchFailed (exit 2), at once', async () => {
  const stage = spawnNode('gateway', '-e', env, ["console.error('listen EADDRINUSE'); process.exit(0)"]);
  const began = Date.now();
  const wait = waitHttp('http://127.0.0.1:1/health/ready', stage, 'gateway', 60_000);
  await expect(wait).rejects.toBeInstanceOf(BenchFailed);
  await expect(wait).rejects.toThrow(/^gateway exited before it was ready at http:\/\/127\.0\.0\.1:1\/health\/ready: gateway \(pid \d+\) exited: exit code 0; last stderr lines:\n {4}listen EADDRINUSE/);
  expect(Date.now() - began).toBeLessThan(10_000);
});

it('stageFailed (tracker-scale: the tracker died during its drain or after a restart) is a BenchFailed', () => {
  const failure = stageFailed({ describeExit: () => 'tracker (pid 7) exited: killed by SIGABRT; nothing on stderr' }, 'tracker-scale: the tracker exited during the drain');
  expect(failure).toBeInstanceOf(BenchFailed);
  expect(failure.message).toBe('tracker-scale: the tracker exited during the drain: tracker (pid 7) exited: killed by SIGABRT; nothing on stderr');
});
