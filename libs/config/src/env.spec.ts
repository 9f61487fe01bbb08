import { DEFAULT_TRACKER_STATE_CACHE, loadEnv } from './env';

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
