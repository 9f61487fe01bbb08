/**
 * The consumer kit (packages/events, @hookbus/events) as a downstream team gets it: packed, then `npm install
 * <tarball> --offline` in an empty project outside this repository (so nothing resolves from our node_modules), then
 * its entry points used from JavaScript and its types from TypeScript. It has no runtime dependency, so the offline
 * install needs nothing from the network. A second project installs it beside ajv and ajv-formats (its optional peers,
 * for @hookbus/events/validate), at the versions this repository's lockfile pins, from the npm cache.
 *
 * The package is built and packed in a temporary copy, as its prepack (`npm run build`) would, so that the test never
 * rewrites packages/events/dist or schemas/ under a running stack (npm start runs from dist/).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = join(ROOT, 'packages', 'events');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error'];
const REGISTRY = 'https://registry.npmjs.org';

let dir: string;
let tarball: string;
let project: string;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, ...NPM_FLAGS], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
}

/** An empty downstream project in `dir`/`name` with `specs` installed offline (tarball paths or URLs). */
function installProject(name: string, specs: string[]): string {
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'package.json'), JSON.stringify({ name: `downstream-${name}`, version: '1.0.0', private: true }));
  npm(['install', ...specs, '--offline'], path);
  return path;
}

/**
 * The registry tarballs of `names` and everything they depend on, at the versions of this repository's lockfile. As
 * tarball URLs, npm needs no package metadata (which the cache may not hold), only the tarballs (which it does, since
 * the repository's own install fetched them).
 */
function lockedTarballs(names: string[]): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; dependencies?: Record<string, string> }> };
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`${name} is not hoisted in package-lock.json`);
    seen.add(name);
    Object.keys(entry.dependencies ?? {}).forEach(visit);
  };
  names.forEach(visit);
  return [...seen].map((name) => `${REGISTRY}/${name}/-/${name.split('/').pop()}-${lock.packages[`node_modules/${name}`].version}.tgz`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookbus-events-kit-'));
  // What prepack does (npm run build: compile, then write schemas/), into a copy: the tarball is built from the current
  // libs/contracts, and packages/events itself is left as it is.
  const stage = join(dir, 'kit');
  mkdirSync(stage);
  for (const entry of ['package.json', 'README.md', 'scripts']) cpSync(join(PACKAGE, entry), join(stage, entry), { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(PACKAGE, 'tsconfig.json'), '--outDir', join(stage, 'dist')], { stdio: 'pipe', timeout: 90_000 });
  execFileSync(process.execPath, [join(stage, 'scripts', 'write-schemas.js')], { stdio: 'pipe' });
  npm(['pack', '--ignore-scripts', '--pack-destination', dir], stage);
  const packed = readdirSync(dir).find((name) => /^hookbus-events-.*\.tgz$/.test(name));
  if (!packed) throw new Error(`npm pack wrote no hookbus-events-*.tgz in ${dir}`);
  tarball = join(dir, packed);
  project = installProject('consumer', [tarball]);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runNode(script: string, cwd = project): { status: number | null; stdout: string; stderr: string } {
  writeFileSync(join(cwd, 'smoke.js'), script);
  const result = spawnSync(process.execPath, ['smoke.js'], { cwd, encoding: 'utf8', timeout: 30_000 });
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

describe('@hookbus/events/validate with ajv and ajv-formats installed beside it (offline, from the npm cache)', () => {
  let withAjv: string;
  beforeAll(() => {
    withAjv = installProject('with-ajv', [tarball, ...lockedTarballs(['ajv', 'ajv-formats'])]);
  }, 120_000);

  it('passes a transition that keeps the contract and names the field of one that breaks it', () => {
    const { status, stdout, stderr } = runNode(`
      const { validateRecord, describeViolations } = require('@hookbus/events/validate');
      const event = { specversion: '1.0', id: '01936b2a-0c00-7000-8000-0000000000e1', type: 'hookbus.transition', source: '/hookbus/tracker', subject: 'credas:p1:11014:sms',
        time: '2026-11-30T20:00:00Z', datacontenttype: 'application/json', provider: 'credas', receiptid: '01936b2a-0c00-7000-8000-0000000000aa',
        data: { kind: 'communication', key: 'credas:p1:11014:sms', provider: 'credas', from: 'sent', to: 'bounced', final: true, requiresAction: true, reason: null, seq: 2, causedBy: '01936b2a-0c00-7000-8000-0000000000e0' } };
      const headers = { 'content-type': 'application/cloudevents+json', 'hookbus-event-id': event.id, 'hookbus-receipt-id': event.receiptid };
      const record = (value) => ({ topic: 'events.transitions.v1', key: event.subject, value: Buffer.from(JSON.stringify(value)), headers });
      const good = validateRecord(record(event));
      const bad = validateRecord(record({ ...event, data: { ...event.data, seq: 'two' } }));
      console.log(JSON.stringify({ good: [good.valid, good.message, describeViolations(good)], bad: [bad.valid, bad.violations] }));
    `, withAjv);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const { good, bad } = JSON.parse(stdout);
    expect(good).toEqual([true, 'transition', 'events.transitions.v1: valid transition']);
    expect(bad).toEqual([false, [{ path: 'value/data/seq', message: 'must be integer (got string)' }]]);
  });
});
