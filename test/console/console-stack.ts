/**
 * The browser tests' stack: `npm start` (dist/scripts/start.js) in a fresh folder, so it generates the local console
 * users as on a fresh clone, on ports and a broker of the test's own, fed by `npm run demo`. Shared by the console's
 * browser specs (console-actions.e2e-spec.ts; console.e2e-spec.ts has the same setup inline).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recreateDatabase, stackPortSettings, stackPorts, waitFor, waitForStackReady, type StackPorts } from '@hookbus/testing';

export const ROOT = join(__dirname, '..', '..');

export interface ConsoleStackOptions {
  readonly portBase: number;
  readonly kafkaPort: number;
  readonly databaseUrl: string;
  /** The broker's data folder name under .hookbus/. */
  readonly kafkaData: string;
}

export interface ConsoleStack {
  readonly ports: StackPorts;
  readonly consoleUrl: string;
  readonly cwd: string;
  /** The generated users' passwords (.hookbus/console-credentials.txt). */
  readonly credentials: Readonly<Record<string, string>>;
  /** The stack's output so far. */
  output(): string;
  /** Runs a built script (demo.js...) in the stack's folder and environment. */
  run(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }>;
  stop(): Promise<void>;
}

export async function startConsoleStack(options: ConsoleStackOptions): Promise<ConsoleStack> {
  const ports = stackPorts(options.portBase);
  const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
  const cwd = mkdtempSync(join(tmpdir(), 'hookbus-console-stack-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.HOOKBUS_CACHE_DIR ? { HOOKBUS_CACHE_DIR: process.env.HOOKBUS_CACHE_DIR } : {}),
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: `127.0.0.1:${options.kafkaPort}`,
    HOOKBUS_KAFKA_DATA: join(ROOT, '.hookbus', options.kafkaData),
    HOOKBUS_KAFKA_HEAP_MB: '384',
    ...stackPortSettings(ports),
  };
  await recreateDatabase(options.databaseUrl);
  let output = '';
  const stack: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start.js')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  stack.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async () => {
    if (stack.exitCode === null && stack.signalCode === null) {
      const exited = new Promise((resolve) => stack.once('exit', resolve));
      stack.kill('SIGTERM');
      await exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    await waitForStackReady(stack, ports, () => output.slice(-4000), 180_000);
    await waitFor(async () => (await fetch(`${consoleUrl}/health/ready`).catch(() => null))?.ok === true, { timeoutMs: 60_000, what: 'the console ready' });
  } catch (error) {
    await stop();
    throw error;
  }
  const credentials = Object.fromEntries(
    readFileSync(join(cwd, '.hookbus', 'console-credentials.txt'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(' ') as [string, string]),
  );
  const run = (script: string, timeoutMs: number) =>
    new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', script)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${script} took longer than ${timeoutMs} ms:\n${out}`));
      }, timeoutMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output: out });
      });
    });
  return { ports, consoleUrl, cwd, credentials, output: () => output, run, stop };
}
