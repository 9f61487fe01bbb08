/**
 * The consumer kit (packages/events, @hookbus/events) as a downstream team gets it: `npm pack`, then `npm install
 * <tarball> --offline` in an empty project outside this repository (so nothing resolves from our node_modules), then
 * its entry points used from JavaScript and its types from TypeScript. It has no runtime dependency, so the offline
 * install needs nothing from the network or the npm cache.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = join(ROOT, 'packages', 'events');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error'];

let dir: string;
let project: string;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, ...NPM_FLAGS], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-events-kit-'));
  // prepack builds the package first (npm run build), so the tarball is never older than libs/contracts.
  npm(['pack', '--pack-destination', dir], PACKAGE);
  const tarball = readdirSync(dir).find((name) => /^hookbus-events-.*\.tgz$/.test(name));
  if (!tarball) throw new Error(`npm pack wrote no hookbus-events-*.tgz in ${dir}`);
  project = join(dir, 'consumer');
  execFileSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'downstream-consumer', version: '1.0.0', private: true }));
  npm(['install', join(dir, tarball), '--offline'], project);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runNode(script: string): { status: number | null; stdout: string; stderr: string } {
  writeFileSync(join(project, 'smoke.js'), script);
  const result = spawnSync(process.execPath, ['smoke.js'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('@hookbus/events installed from its tarball in an empty project, offline', () => {
  it('installs nothing but itself (no runtime dependency)', () => {
    expect(readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@hookbus']);
  });

  it('decodes a record, parses its key and names the topics, without loading any other package', () => {
    const { status, stdout, stderr } = runNode(`
      const kit = require('@hookbus/events');
      const event = { specversion: '1.0', id: 'e-1', type: kit.EventTypes.transition, source: '/tracker', subject: 'credas:p1:11014:sms',
        time: '2026-11-30T20:00:00Z', datacontenttype: 'application/json', provider: 'credas', receiptid: 'r-1',
        data: { kind: 'communication', key: 'credas:p1:11014:sms', provider: 'credas', from: 'sent', to: 'bounced', final: true, requiresAction: true, seq: 2, causedBy: 'e-0' } };
      const decoded = kit.decodeEventRecord({ topic: kit.Topics.transitions.name, key: Buffer.from(event.subject), value: Buffer.from(JSON.stringify(event)) });
      const foreign = Object.keys(require.cache).filter((path) => !path.includes('@hookbus/events') && !path.endsWith('smoke.js'));
      console.log(JSON.stringify({
        kind: decoded.kind, to: decoded.event.data.to,
        identity: kit.parseIdentity(decoded.key),
        topics: [kit.Topics.communications.name, kit.Topics.transitions.name],
        unknownIsCanonical: kit.COMMUNICATION_STATUSES.includes('unknown'),
        schema: require('@hookbus/events/schemas/TransitionEvent.json').$id,
        foreign,
      }));
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      kind: 'event',
      to: 'bounced',
      identity: { kind: 'communication', id: { provider: 'credas', processId: 'p1', processActorId: '11014', channel: 'sms', processKey: 'credas:p1' } },
      topics: ['events.communications.v1', 'events.transitions.v1'],
      unknownIsCanonical: true,
      schema: 'https://hookbus.dev/schemas/TransitionEvent.json',
      foreign: [],
    });
  });

  it('the validate entry names ajv as what it needs when ajv is not installed (an optional peer)', () => {
    const { status, stdout } = runNode(`
      try { require('@hookbus/events/validate'); console.log('loaded'); } catch (e) { console.log(e.code + ' ' + /'(ajv[^']*)'/.exec(e.message)[1]); }
    `);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('MODULE_NOT_FOUND ajv/dist/2020');
  });

  it('its types narrow an event by type (TypeScript, node16 resolution)', () => {
    writeFileSync(join(project, 'consumer.ts'), `
      import { decodeEventRecord, parseCommunicationId, type HookbusEvent, type TransitionData } from '@hookbus/events';
      export function describe(topic: string, key: Buffer, value: Buffer): string {
        const decoded = decodeEventRecord({ topic, key, value });
        if (decoded.kind !== 'event') return decoded.kind;
        const event: HookbusEvent = decoded.event;
        if (event.type === 'hookbus.transition') {
          const data: TransitionData = event.data;
          return data.to + (data.requiresAction ? '!' : '');
        }
        if (event.type === 'hookbus.communication.status') return event.data.status + ' ' + (parseCommunicationId(event.subject)?.provider ?? '?');
        return event.type;
      }
    `);
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'consumer.ts'],
      { cwd: project, encoding: 'utf8', timeout: 60_000 },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);
});
