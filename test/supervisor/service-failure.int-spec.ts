/**
 * runService (libs/platform/src/service-process.ts) as a process, from dist/ as services run: a part of the service
 * that stopped for good (stopServiceAfterFailure: a consumer kafkajs will not restart) stops the process gracefully
 * and exits 1 naming it — also when it happens during a SIGTERM stop, which then is not clean — while a plain SIGTERM
 * still exits 0. No broker, no database: the service here is a stand-in whose close() says when it ran.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PROCESS_MODULE = join(__dirname, '..', '..', 'dist', 'libs', 'platform', 'src', 'service-process.js');

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a stand-in service: `started` runs once it is up (its stdout says "up"); close() takes `closeMs`. */
function runStandIn(started: string, closeMs: number, afterUp?: (pid: number) => void): Promise<Ended> {
  const script = `
    const { runService, stopServiceAfterFailure } = require(${JSON.stringify(PROCESS_MODULE)});
    runService(async () => {
      setImmediate(() => { process.stdout.write('up\\n'); ${started} });
      return { close: () => new Promise((resolve) => { process.stdout.write('closing\\n'); setTimeout(() => { process.stdout.write('closed\\n'); resolve(); }, ${closeMs}); }) };
    });
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (afterUp && stdout.startsWith('up\n')) {
      const call = afterUp;
      afterUp = undefined;
      call(child.pid!);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

it('a part that stopped for good stops the service gracefully and exits 1, naming it', async () => {
  const ended = await runStandIn("stopServiceAfterFailure('the test consumer stopped for good (a reason)');", 50);
  expect(ended).toMatchObject({ code: 1, signal: null, stdout: 'up\nclosing\nclosed\n' });
  expect(ended.stderr).toBe('the test consumer stopped for good (a reason): stopped; exiting 1\n');
});

it('a plain SIGTERM stop exits 0', async () => {
  const ended = await runStandIn('', 50, (pid) => process.kill(pid, 'SIGTERM'));
  expect(ended).toMatchObject({ code: 0, signal: null, stdout: 'up\nclosing\nclosed\n', stderr: '' });
});

it('a part that stops for good during a SIGTERM stop makes that stop unclean: exit 1, naming both', async () => {
  // The failure arrives while close() runs (a consumer fenced during its last batch, say).
  const ended = await runStandIn("process.kill(process.pid, 'SIGTERM'); setTimeout(() => stopServiceAfterFailure('the test consumer stopped for good (fenced)'), 100);", 500);
  expect(ended).toMatchObject({ code: 1, signal: null, stdout: 'up\nclosing\nclosed\n' });
  expect(ended.stderr).toBe('SIGTERM: the test consumer stopped for good (fenced): stopped; exiting 1\n');
});
