import { join } from 'node:path';
import { loadEnv } from '@hookbus/config';
import { serviceContext, sourceCredentialsOf } from './bootstrap';

describe('sourceCredentialsOf', () => {
  // Only the gateway authenticates webhooks; the others are deployed without the webhook secrets (deploy/k8s).
  it.each([
    ['gateway', 'read'],
    ['normalizer', 'withheld'],
    ['tracker', 'withheld'],
    ['orchestrator', 'withheld'],
    ['projector', 'withheld'],
    ['monitor', 'withheld'],
  ])('%s -> %s', (service, expected) => {
    expect(sourceCredentialsOf(service)).toBe(expected);
  });
});

describe('serviceContext', () => {
  const composeConfig = join(__dirname, '..', '..', '..', 'docker', 'hookbus', 'hookbus.yaml');
  const secretNames = ['CREDAS_WEBHOOK_SECRET', 'AUTHVIA_WEBHOOK_SECRET', 'OCTAPUSH_WEBHOOK_TOKEN', 'CELLOSIGN_WEBHOOK_TOKEN'];
  const saved = Object.fromEntries(secretNames.map((name) => [name, process.env[name]]));
  beforeEach(() => secretNames.forEach((name) => delete process.env[name]));
  afterEach(() => secretNames.forEach((name) => (saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name]))));

  it('starts a consumer from the shipped config without any webhook secret', () => {
    const context = serviceContext('projector', { env: loadEnv({ HOOKBUS_CONFIG: composeConfig, LOG_LEVEL: 'error' }) });
    expect(context.config.sources).toHaveLength(9);
    expect(context.config.credentialsWithheld).toBe(true);
  });

  it('refuses to start the gateway without them, naming the variable', () => {
    expect(() => serviceContext('gateway', { env: loadEnv({ HOOKBUS_CONFIG: composeConfig, LOG_LEVEL: 'error' }) })).toThrow(/CREDAS_WEBHOOK_SECRET is not set/);
  });
});
