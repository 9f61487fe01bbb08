import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The file-naming convention (CONTRIBUTING.md, "Conventions"): kebab-case names; a dot suffix names the file's kind
 * only for the kinds a reader finds by suffix, from this closed list; a test file adds its test kind after it.
 */
export const FILE_KINDS = ['app', 'module', 'controller', 'transport', 'sink', 'adapter', 'normalizer', 'table', 'payloads', 'schemas', 'codec', 'config', 'd'] as const;
const TEST_KINDS = ['spec', 'int-spec', 'fault-spec', 'hostile-spec', 'e2e-spec'];
const ROOTS = ['apps', 'libs', 'scripts', 'bench', 'test', 'packages/events/src'];
const REPO = join(__dirname, '..');

export function fileNameProblem(name: string): string | null {
  const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)((?:\.[a-z0-9-]+)*)\.(ts|js|mjs|cjs)$/.exec(name);
  if (!match) return 'not kebab-case';
  const suffixes = match[2]!.split('.').filter(Boolean);
  if (suffixes.length > 0 && TEST_KINDS.includes(suffixes[suffixes.length - 1]!)) suffixes.pop();
  if (suffixes.length > 1) return `more than one kind (${suffixes.join('.')})`;
  if (suffixes.length === 1 && !(FILE_KINDS as readonly string[]).includes(suffixes[0]!)) return `.${suffixes[0]} is not a file kind (${FILE_KINDS.join(', ')}): name the role in the kebab-case name instead`;
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('fileNameProblem', () => {
  it.each([
    ['webhook-ingress.ts', null],
    ['tracker.app.ts', null],
    ['credas-check-status.table.spec.ts', null],
    ['orchestrator.int-spec.ts', null],
    ['1732265000000-read-model.ts', null],
    ['jest.config.js', null],
    ['credas-api.client.ts', '.client is not a file kind'],
    ['webhookIngress.ts', 'not kebab-case'],
    ['state_codec.ts', 'not kebab-case'],
    ['raw.codec.table.ts', 'more than one kind'],
  ])('%s → %s', (name, problem) => {
    const found = fileNameProblem(name);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe('every source file follows the naming convention', () => {
  it('in apps, libs, scripts, bench, test and packages/events', () => {
    const problems = ROOTS.flatMap((root) => sourceFiles(join(REPO, root)))
      .map((path) => ({ path: relative(REPO, path), problem: fileNameProblem(path.split('/').pop()!) }))
      .filter((f) => f.problem !== null)
      .map((f) => `${f.path}: ${f.problem}`);
    expect(problems).toEqual([]);
  });
});
