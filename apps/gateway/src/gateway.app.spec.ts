import { ConfigError, loadEnv, parseHookbusConfig } from '@hookbus/config';
import { serviceContext } from '@hookbus/platform';
import { startGateway } from './gateway.app';

describe('startGateway', () => {
  it('refuses a config loaded without the sources\' credentials before it opens anything', async () => {
    const yaml = 'sources:\n  - id: cellosign\n    auth: { type: token, value: "${CELLOSIGN_WEBHOOK_TOKEN}" }\n';
    const context = serviceContext('gateway', { env: loadEnv({ LOG_LEVEL: 'error' }, () => false), config: parseHookbusConfig(yaml, {}, 'withheld') });
    const started = startGateway(context, { port: 0 });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/the gateway needs the sources' credentials/);
  });
});
