import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_TEMPLATES, parseHookbusConfig } from '@hookbus/config';
import { authenticate } from '../apps/gateway/src/auth/source-authenticator';
import { ensureLocalSources, localSourcesYaml } from './local-sources';
import { credentialsFor } from './webhook-credentials';

describe('the local config npm start writes on a fresh clone', () => {
  const config = parseHookbusConfig(localSourcesYaml(), {});

  it('names every built-in source, none of them open', () => {
    expect(config.sources.map((s) => s.id)).toEqual(SOURCE_TEMPLATES.map((t) => t.id));
    expect(config.sources.map((s) => s.auth.type)).toEqual(['header', 'header', 'header', 'header', 'authvia', 'authvia', 'token', 'token', 'token']);
  });

  it('gives each source its own secret', () => {
    const secrets = config.sources.map((s) => JSON.stringify(s.auth));
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('is what the demo authenticates with: its credentials pass the gateway’s check for every source', () => {
    const body = Buffer.from('{"id":"x"}');
    const now = Date.now();
    for (const source of config.sources) {
      const { headers, query } = credentialsFor(source.auth, body, now);
      expect(authenticate(source.auth, { headers, query, body }, now)).toEqual({ ok: true });
      expect(authenticate(source.auth, { headers: {}, query: {}, body }, now).ok).toBe(false);
    }
  });

  it('is written once, readable by its owner only, and only when there is no config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookbus-local-'));
    try {
      const path = join(dir, '.hookbus', 'local.hookbus.yaml');
      expect(ensureLocalSources('./hookbus.yaml', path)).toBeNull();
      expect(ensureLocalSources(null, path)).toBe(path);
      const first = readFileSync(path, 'utf8');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(ensureLocalSources(null, path)).toBe(path);
      expect(readFileSync(path, 'utf8')).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
