import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The architecture's boundaries (.dependency-cruiser.js) hold: a violation fails the unit suite, not just a lint run. */
describe('module boundaries', () => {
  it('apps, libs and scripts respect .dependency-cruiser.js', () => {
    const root = join(__dirname, '..');
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), 'apps', 'libs', 'scripts', '--config', '.dependency-cruiser.js', '--output-type', 'err'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(result.stdout + result.stderr).toContain('no dependency violations found');
    expect(result.status).toBe(0);
  }, 120_000);
});
