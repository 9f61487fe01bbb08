import { ConfigError } from './config-error';
import { loadEnv } from './env';

const noFile = () => false;

describe('loadEnv service ports', () => {
  it('defaults the consumers to 3001–3004 and the monitor to 3005', () => {
    expect(loadEnv({}, noFile).servicePorts).toEqual({ normalizer: 3001, tracker: 3002, orchestrator: 3003, projector: 3004, monitor: 3005 });
  });

  it('reads MONITOR_PORT', () => {
    expect(loadEnv({ MONITOR_PORT: '19005' }, noFile).servicePorts.monitor).toBe(19005);
  });

  it.each(['70000', 'abc', '-1', '30.5'])('refuses MONITOR_PORT=%s, naming the setting', (value) => {
    expect(() => loadEnv({ MONITOR_PORT: value }, noFile)).toThrow(ConfigError);
    expect(() => loadEnv({ MONITOR_PORT: value }, noFile)).toThrow(/MONITOR_PORT: expected a port number/);
  });
});
