import { ConfigError } from './config-error';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_TRACKER_OVERDUE_INTERVAL_MS, DEFAULT_TRACKER_STATE_CACHE, loadEnv } from './env';

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

describe('tracker state store settings', () => {
  const noFiles = () => false;

  it('defaults to a temporary store and a bounded cache', () => {
    const env = loadEnv({}, noFiles);
    expect(env.trackerStoreDir).toBeNull();
    expect(env.trackerStateCacheSize).toBe(DEFAULT_TRACKER_STATE_CACHE);
  });

  it('takes a store folder and a cache size', () => {
    const env = loadEnv({ TRACKER_STORE_DIR: '/var/lib/hookbus/tracker', TRACKER_STATE_CACHE: '500' }, noFiles);
    expect(env.trackerStoreDir).toBe('/var/lib/hookbus/tracker');
    expect(env.trackerStateCacheSize).toBe(500);
  });

  it.each([
    [{ TRACKER_STATE_CACHE: '0' }, /TRACKER_STATE_CACHE: expected a whole number/],
    [{ TRACKER_STATE_CACHE: 'lots' }, /TRACKER_STATE_CACHE: expected a whole number/],
    [{ TRACKER_STORE_DIR: ' /data' }, /TRACKER_STORE_DIR: expected a folder path/],
    [{ TRACKER_STORE_DIR: __filename }, /TRACKER_STORE_DIR: .* exists and is not a folder/],
  ])('refuses %j, naming the setting', (settings, message) => {
    expect(() => loadEnv(settings, (path) => path === __filename)).toThrow(message);
  });
});

describe('shutdown timeout', () => {
  it('defaults to 10 s, below Kubernetes\' 30 s grace period', () => {
    expect(loadEnv({}, noFile).shutdownTimeoutMs).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(DEFAULT_SHUTDOWN_TIMEOUT_MS).toBe(10_000);
  });

  it('reads SHUTDOWN_TIMEOUT_MS and refuses what is not a positive whole number', () => {
    expect(loadEnv({ SHUTDOWN_TIMEOUT_MS: '2500' }, noFile).shutdownTimeoutMs).toBe(2500);
    expect(() => loadEnv({ SHUTDOWN_TIMEOUT_MS: '0' }, noFile)).toThrow(/SHUTDOWN_TIMEOUT_MS: expected a whole number/);
  });
});

describe('tracker overdue settings (read once at boot: a bad value used to become NaN inside the tracker)', () => {
  it('defaults: the tracking library\'s grace, a check a minute', () => {
    const env = loadEnv({}, noFile);
    expect(env.trackerOverdueGraceMs).toBeNull();
    expect(env.trackerOverdueIntervalMs).toBe(DEFAULT_TRACKER_OVERDUE_INTERVAL_MS);
  });

  it('reads both', () => {
    const env = loadEnv({ TRACKER_OVERDUE_GRACE_MS: '900000', TRACKER_OVERDUE_INTERVAL_MS: '5000' }, noFile);
    expect(env.trackerOverdueGraceMs).toBe(900_000);
    expect(env.trackerOverdueIntervalMs).toBe(5_000);
  });

  it.each([
    ['TRACKER_OVERDUE_GRACE_MS', 'soon'],
    ['TRACKER_OVERDUE_GRACE_MS', '-5'],
    ['TRACKER_OVERDUE_INTERVAL_MS', '0'],
    ['TRACKER_OVERDUE_INTERVAL_MS', '1.5'],
    ['TRACKER_OVERDUE_INTERVAL_MS', String(2 * 24 * 60 * 60 * 1000)],
  ])('refuses %s=%s, naming the setting', (name, value) => {
    expect(() => loadEnv({ [name]: value }, noFile)).toThrow(new RegExp(`${name}: expected a whole number`));
  });
});
