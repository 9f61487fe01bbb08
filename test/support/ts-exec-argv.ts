import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * execArgv that lets a unit spec run a TypeScript entry point (without @hookbus path aliases) as its own Node process,
 * compiled on the fly by @swc/core as jest compiles the specs: no `npm run build` needed for a process-level test.
 */
export function tsExecArgv(): string[] {
  const hook = join(mkdtempSync(join(tmpdir(), 'hookbus-ts-hook-')), 'ts-hook.js');
  writeFileSync(
    hook,
    `const swc = require(${JSON.stringify(require.resolve('@swc/core'))});\n` +
      `require.extensions['.ts'] = (m, f) => m._compile(swc.transformFileSync(f, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, f);\n`,
  );
  return ['-r', hook];
}
