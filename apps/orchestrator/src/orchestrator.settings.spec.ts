import { ConfigError, loadEnv } from '@hookbus/config';
import { credasClientSettings } from './orchestrator.settings';

describe('credasClientSettings', () => {
  // `npm start` runs the local fake Credas API without a key; compose and Kubernetes start the orchestrator directly,
  // and there a missing key must stop it at boot, naming the setting.
  it('refuses to start without CREDAS_API_KEY', () => {
    const env = loadEnv({}, () => false);
    expect(() => credasClientSettings(env, {})).toThrow(ConfigError);
    expect(() => credasClientSettings(env, {})).toThrow(/CREDAS_API_KEY: required by the orchestrator/);
  });

  it('takes the key and base URL from the validated environment', () => {
    const env = loadEnv({ CREDAS_API_KEY: 'k', CREDAS_API_BASE_URL: 'http://127.0.0.1:3100/api/v2/ci/' }, () => false);
    expect(credasClientSettings(env, {})).toMatchObject({ apiKey: 'k', baseUrl: 'http://127.0.0.1:3100/api/v2/ci/' });
  });
});
