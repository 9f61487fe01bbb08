import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tsExecArgv } from '../support/ts-exec-argv';

/**
 * The fake Credas API process (npm start's) never outlives its parent: its lifeline is the IPC channel, listened to
 * from its first line — a parent gone while it still starts (before it listens) must stop it too, or it holds its
 * port for ever. Port 19760 (FAKE_CREDAS_LIFELINE_TEST_PORT): never npm start's 3100.
 */
describe('fake Credas process', () => {
  it('exits when its parent is gone before it has started', async () => {
    const child = spawn(process.execPath, [...tsExecArgv(), join(__dirname, 'main.ts')], {
      env: { PATH: process.env.PATH, FAKE_CREDAS_PORT: process.env.FAKE_CREDAS_LIFELINE_TEST_PORT || '19760', FAKE_CREDAS_API_KEY: 'lifeline-test-key' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    // What the channel closing looks like to the child when the parent is SIGKILLed during its start.
    child.disconnect();
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    expect(exit).toEqual({ code: 0, signal: null });
  }, 20_000);
});
