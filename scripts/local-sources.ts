import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOCAL_CONFIG_PATH, SOURCE_TEMPLATES, type SourceKind } from '@hookbus/config';
import type { ProviderName } from '@hookbus/contracts';

/**
 * How each provider can prove a delivery is its own (the Authentication or Signature section of
 * docs/providers/<provider>.md): the auth `npm start` gives its built-in sources.
 */
function authFor(provider: ProviderName, secret: string): string {
  switch (provider) {
    // Credas sends a custom header configured per portal; its name cannot contain hyphens.
    case 'credas':
      return `{ type: header, name: webhookAuth, value: "${secret}" }`;
    // Authvia signs {VALUE}.{VALUE.length}.{TIMESTAMP} with the subscription secret.
    case 'authvia':
      return `{ type: authvia, secret: "${secret}" }`;
    // Octapush and Cellosign document no auth: a secret in the URL they call.
    case 'octapush':
    case 'cellosign':
      return `{ type: token, value: "${secret}" }`;
  }
}

/** The local config: every built-in source, each with its own 256-bit secret (base64url, so YAML needs no escaping). */
export function localSourcesYaml(secret: () => string = () => randomBytes(32).toString('base64url')): string {
  const sources = SOURCE_TEMPLATES.map((t: { id: string; provider: ProviderName; kind: SourceKind }) => `  - id: ${t.id}\n    auth: ${authFor(t.provider, secret())}`);
  return [
    '# Written by `npm start` on a fresh clone: every built-in source with a generated secret, so nothing is open and',
    '# `npm run demo` (which reads this file) authenticates. Not in git; delete it to get new secrets. Your own',
    '# hookbus.yaml (or HOOKBUS_CONFIG) takes precedence over this file.',
    'sources:',
    ...sources,
    '',
  ].join('\n');
}

/**
 * With no config at all, writes the local one (owner-readable only) and returns its path; otherwise returns null
 * and the configured file stays the only truth. A user never has to choose between "it works" and "it is safe".
 */
export function ensureLocalSources(configPath: string | null, path = LOCAL_CONFIG_PATH): string | null {
  if (configPath !== null) return null;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, localSourcesYaml(), { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return path;
}
