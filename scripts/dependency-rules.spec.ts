import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

function cruise(...paths: string[]): { output: string; status: number | null } {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), ...paths, '--config', '.dependency-cruiser.js', '--output-type', 'err'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { output: result.stdout + result.stderr, status: result.status };
}

/** The architecture's boundaries (.dependency-cruiser.js) hold: a violation fails the unit suite, not just a lint run. */
describe('module boundaries', () => {
  it('apps, libs, scripts, bench and test respect .dependency-cruiser.js', () => {
    const { output, status } = cruise('apps', 'libs', 'scripts', 'bench', 'test');
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  }, 120_000);

  describe('records are built and read only through the codecs', () => {
    // A probe outside the codecs that names a record header, in an ignored folder of the worktree.
    mkdirSync(join(root, '.hookbus'), { recursive: true });
    const dir = mkdtempSync(join(root, '.hookbus', 'dependency-probe-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const probe = (name: string, source: string): string => {
      writeFileSync(join(dir, name), source);
      return join(dir, name).slice(root.length + 1);
    };

    it('refuses a writer that imports the header names', () => {
      const file = probe('hand-built-record.ts', "import { RawHeaders } from '../../libs/contracts/src/record-headers';\nexport const header = RawHeaders.receiptId;\n");
      const { output, status } = cruise(file);
      expect(output).toContain('records-only-through-codecs');
      expect(status).not.toBe(0);
    }, 120_000);

    it('is checked by lint:deps in bench and test too (their writers and readers use the codecs as well)', () => {
      const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['lint:deps']!;
      expect(script.split(' ')).toEqual(expect.arrayContaining(['apps', 'libs', 'scripts', 'bench', 'test']));
    });

    it.each(['wire.spec.ts', 'wire.int-spec.ts'])('lets a spec (%s) name them, to assert what the wire carries', (name) => {
      const file = probe(name, "import { RawHeaders } from '../../libs/contracts/src/record-headers';\nexport const header = RawHeaders.receiptId;\n");
      const { output, status } = cruise(file);
      expect(output).toContain('no dependency violations found');
      expect(status).toBe(0);
    }, 120_000);
  });
});
