#!/usr/bin/env node
/**
 * `npm run demo|lag|show|replay|deadletters|credas:refetch|kafka`: runs a command from dist/, building first only when
 * dist/ is missing or a source file changed since the last build. These commands run beside a running stack, and
 * `npm run build` starts with `rm -rf dist` under the services' feet (and costs minutes on a busy two-core machine).
 * Plain JavaScript, outside the TypeScript build, because it decides whether that build runs.
 *
 *   node scripts/bin/run-built.js dist/scripts/lag.js [args...]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['apps', 'libs', 'scripts', 'bench', 'test'];
const stamp = join(root, 'dist', '.built');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = SOURCE_DIRS.map((d) => join(root, d)).filter(existsSync);
  const tsconfigs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs);
  return Math.max(...tsconfigs, ...sources.map(newestSource)) > built;
}

const [target, ...args] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: run-built.js dist/<command>.js [args...]\n');
  process.exit(64);
}
if (isStale()) {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [join(root, target), ...args], { stdio: 'inherit' });
if (run.signal) process.kill(process.pid, run.signal);
process.exit(run.status ?? 1);
