#!/usr/bin/env node
/**
 * `npm run demo|lag|show|replay|deadletters|credas:refetch|kafka|docs:generate|contracts:check|contracts:release`: runs a
 * command from dist/, building first only when
 * dist/ is missing or a source file changed since the last build. These commands run beside a running stack, and
 * `npm run build` starts with `rm -rf dist` under the services' feet (and costs minutes on a busy two-core machine).
 * Plain JavaScript, outside the TypeScript build, because it decides whether that build runs.
 *
 *   node scripts/bin/run-built.js dist/scripts/lag.js [args...]
 *
 * The wrapper stands between npm and the command, and stays out of the way: it waits for the command and exits with
 * its code (128 + the signal number when a signal ended it), so `npm run lag -- --watch`'s exit code reaches the
 * caller. Ctrl-C reaches the command from the terminal itself (SIGINT goes to the whole foreground process group), so
 * the wrapper ignores SIGINT and waits for the command to stop as it chooses; SIGTERM and SIGHUP sent to the wrapper
 * alone (a process manager, `kill`) are passed on, so no command keeps running as an orphan.
 */
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { constants } = require('node:os');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['apps', 'libs', 'scripts', 'bench', 'test', 'packages'];

/**
 * Directories under SOURCE_DIRS that the build itself writes: a package's compiled output and generated schema files
 * (packages/events: dist/ and schemas/, rewritten by `npm run build` and by `npm pack`'s prepack). Counting them as
 * sources would make every command rebuild after each build or pack, with `rm -rf dist` beside a running stack.
 * (libs/contracts/src/schemas is source and is not matched.)
 */
const GENERATED_DIR = /^packages\/[^/]+\/(dist|schemas)$/;

/** The newest mtime of a .ts or .json source file under `dir` (a path relative to `base`), generated output left out. */
function newestSource(base, dir) {
  let newest = 0;
  for (const entry of readdirSync(join(base, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!GENERATED_DIR.test(path)) newest = Math.max(newest, newestSource(base, path));
    } else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(join(base, path)).mtimeMs);
  }
  return newest;
}

/** Whether the build in `base`/dist is missing or older than a source file, a tsconfig or package.json. */
function isStale(base = root) {
  const stamp = join(base, 'dist', '.built');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = SOURCE_DIRS.filter((d) => existsSync(join(base, d)));
  const tsconfigs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(join(base, f)).mtimeMs);
  return Math.max(...tsconfigs, ...sources.map((d) => newestSource(base, d))) > built;
}

/**
 * Runs `command args` with this process's stdio and resolves with the exit code this process should end with: the
 * child's, or 128 + the number of the signal that ended it. While it runs, SIGINT is ignored here (the child gets its
 * own from the terminal) and SIGTERM / SIGHUP are passed on to the child.
 */
function runChild(command, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    const ignore = () => undefined;
    const relay = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on('SIGINT', ignore);
    process.on('SIGTERM', relay);
    process.on('SIGHUP', relay);
    const done = (code) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', relay);
      process.off('SIGHUP', relay);
      resolvePromise(code);
    };
    child.once('error', (error) => {
      process.stderr.write(`${command}: ${error.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  });
}

async function main() {
  const [target, ...args] = process.argv.slice(2);
  if (!target) {
    process.stderr.write('usage: run-built.js dist/<command>.js [args...]\n');
    return 64;
  }
  if (isStale()) {
    const built = await runChild('npm', ['run', 'build', '--silent'], { cwd: root });
    if (built !== 0) return built;
  }
  return runChild(process.execPath, [join(root, target), ...args]);
}

module.exports = { runChild, isStale };

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
