/**
 * scripts/bin/run-built.js, the wrapper between `npm run <command>` and the command: it waits for the command and
 * exits with its code; Ctrl-C (SIGINT to the terminal's whole process group) is the command's to handle, and SIGTERM
 * or SIGHUP sent to the wrapper alone reach the command, which never outlives it. Real processes, no build: the
 * wrapper's runChild is given a small node script in place of a built command. Whether it builds first (isStale) is
 * decided on a small file tree in a temporary directory, with file times set explicitly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const RUN_BUILT = join(__dirname, '..', '..', 'scripts', 'bin', 'run-built.js');

interface Wrapper {
  readonly process: ChildProcess;
  /** The command's pid, once it said it is ready (its handlers are installed). */
  readonly ready: Promise<number>;
  /** How the wrapper ended ('exit': the command may hold its stdout open if it outlived the wrapper). */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written on stdout, once it is closed. */
  readonly output: Promise<string>;
  commandPid?: number;
}

/** The wrapper running `node -e command`, as the leader of a process group of its own (as under a terminal). */
function wrap(command: string): Wrapper {
  const script = `require(${JSON.stringify(RUN_BUILT)}).runChild(process.execPath, ['-e', ${JSON.stringify(command)}]).then((code) => process.exit(code))`;
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const pid = /^ready (\d+)$/m.exec(stdout)?.[1];
      if (pid) resolve(Number(pid));
    });
    child.once('close', () => reject(new Error(`the command ended before it was ready: ${JSON.stringify(stdout)}`)));
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const output = new Promise<string>((resolve) => child.once('close', () => resolve(stdout)));
  const wrapper: Wrapper = { process: child, ready, ended, output };
  void ready.then((pid) => (wrapper.commandPid = pid), () => undefined);
  return wrapper;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const started: Wrapper[] = [];
afterEach(() => {
  // Whatever a failed test left: the wrapper's whole group.
  for (const w of started.splice(0)) {
    if (w.process.exitCode === null && w.process.signalCode === null) process.kill(-w.process.pid!, 'SIGKILL');
    if (w.commandPid !== undefined && alive(w.commandPid)) process.kill(w.commandPid, 'SIGKILL');
  }
});
const run = (command: string) => {
  const w = wrap(command);
  started.push(w);
  return w;
};

it("Ctrl-C: the wrapper waits while the command stops, and exits with the command's code", async () => {
  // lag --watch: Ctrl-C ends the sampling, the command prints its last lines and exits with its verdict.
  const w = run("process.on('SIGINT', () => setImmediate(() => { process.stdout.write('last verdict\\n'); process.exit(2); })); process.stdout.write(`ready ${process.pid}\\n`); setInterval(() => undefined, 1000);");
  await w.ready;
  // What the terminal does on Ctrl-C: SIGINT to every process of the foreground group.
  process.kill(-w.process.pid!, 'SIGINT');
  expect(await w.ended).toEqual({ code: 2, signal: null });
  expect(await w.output).toMatch(/^ready \d+\nlast verdict\n$/);
});

it('SIGTERM to the wrapper alone reaches the command, whose code the wrapper exits with; nothing is left running', async () => {
  const w = run("process.on('SIGTERM', () => process.exit(3)); process.stdout.write(`ready ${process.pid}\\n`); setInterval(() => undefined, 1000);");
  const pid = await w.ready;
  w.process.kill('SIGTERM');
  expect(await w.ended).toEqual({ code: 3, signal: null });
  expect(alive(pid)).toBe(false);
});

it('SIGHUP to the wrapper alone reaches the command; a command ended by a signal makes the wrapper exit 128 + its number', async () => {
  const w = run("process.stdout.write(`ready ${process.pid}\\n`); setInterval(() => undefined, 1000);");
  const pid = await w.ready;
  w.process.kill('SIGHUP');
  expect(await w.ended).toEqual({ code: 129, signal: null });
  expect(alive(pid)).toBe(false);
});

it("a command that ends by itself: the wrapper exits with its code", async () => {
  const w = run("process.stdout.write(`ready ${process.pid}\\n`); process.exitCode = 2;");
  await w.ready;
  expect(await w.ended).toEqual({ code: 2, signal: null });
});

describe('isStale: whether a command must build first', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isStale } = require(RUN_BUILT) as { isStale: (base: string) => boolean };
  const BUILT_AT = new Date('2026-11-30T20:00:00Z');
  const LATER = new Date('2026-11-30T20:05:00Z');
  const TREE = [
    'tsconfig.json',
    'tsconfig.build.json',
    'package.json',
    'libs/contracts/src/index.ts',
    'libs/contracts/src/schemas/transition.schema.ts',
    'packages/events/package.json',
    'packages/events/src/index.ts',
    'packages/events/dist/packages/events/src/index.d.ts',
    'packages/events/dist/libs/contracts/src/schemas/transition.schema.d.ts',
    'packages/events/schemas/TransitionEvent.json',
    'packages/events/node_modules/dep/index.d.ts',
  ];
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'hookbus-run-built-'));
    for (const file of [...TREE, 'dist/.built']) {
      mkdirSync(dirname(join(base, file)), { recursive: true });
      writeFileSync(join(base, file), '{}');
      utimesSync(join(base, file), BUILT_AT, BUILT_AT);
    }
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const touch = (file: string) => utimesSync(join(base, file), LATER, LATER);

  it('a build newer than every source is not stale', () => {
    expect(isStale(base)).toBe(false);
  });

  it('no build stamp is stale', () => {
    rmSync(join(base, 'dist', '.built'));
    expect(isStale(base)).toBe(true);
  });

  it.each([
    ['a source file', 'libs/contracts/src/index.ts', true],
    ['a schema source', 'libs/contracts/src/schemas/transition.schema.ts', true],
    ["the kit's own source", 'packages/events/src/index.ts', true],
    ["the kit's package.json", 'packages/events/package.json', true],
    ['the root package.json', 'package.json', true],
    // What `npm run build` and `npm pack` (prepack) write: not sources, or every command would rebuild after them.
    ["the kit's compiled declarations", 'packages/events/dist/packages/events/src/index.d.ts', false],
    ["the kit's compiled schema declarations", 'packages/events/dist/libs/contracts/src/schemas/transition.schema.d.ts', false],
    ["the kit's generated schema files", 'packages/events/schemas/TransitionEvent.json', false],
    ['an installed dependency', 'packages/events/node_modules/dep/index.d.ts', false],
  ])('%s (%s) changed after the build: stale is %s', (_what, file, stale) => {
    touch(file);
    expect(isStale(base)).toBe(stale);
  });
});
