import { ConfigError } from './config-error';
import { DEFAULT_KAFKA_SESSION_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_TRACKER_OVERDUE_INTERVAL_MS, DEFAULT_TRACKER_STATE_CACHE, loadEnv } from './env';

const noFile = () => false;

describe('loadEnv service ports', () => {
  it('defaults the consumers to 3001–3004 and the monitor to 3005', () => {
    expect(loadEnv({}, noFile).servicePorts).toEqual({ normalizer: 3001, tracker: 3002, orchestrator: 3003, projector: 3004, monitor: 3005, console: 3006 });
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

describe('KAFKA_SESSION_TIMEOUT_MS (how long a dead consumer holds its partitions)', () => {
  it('defaults to 30 s and reads a value', () => {
    expect(loadEnv({}, noFile).kafkaSessionTimeoutMs).toBe(DEFAULT_KAFKA_SESSION_TIMEOUT_MS);
    expect(loadEnv({ KAFKA_SESSION_TIMEOUT_MS: '10000' }, noFile).kafkaSessionTimeoutMs).toBe(10_000);
  });

  it.each([
    ['5999', /KAFKA_SESSION_TIMEOUT_MS: expected at least 6000/],
    ['0', /KAFKA_SESSION_TIMEOUT_MS: expected a whole number/],
    ['10s', /KAFKA_SESSION_TIMEOUT_MS: expected a whole number/],
    ['300001', /KAFKA_SESSION_TIMEOUT_MS: expected a whole number/],
  ])('refuses %s, naming the setting', (value, message) => {
    expect(() => loadEnv({ KAFKA_SESSION_TIMEOUT_MS: value }, noFile)).toThrow(message);
  });
});

describe('Kafka security settings (managed Kafka: TLS and SASL)', () => {
  const files = new Set(['/etc/kafka/ca.pem', '/etc/kafka/client.pem', '/etc/kafka/client.key']);
  const exists = (path: string) => files.has(path);

  it('defaults to PLAINTEXT, neither TLS nor SASL', () => {
    expect(loadEnv({}, exists).kafkaSecurity).toEqual({ protocol: 'PLAINTEXT', tls: null, sasl: null });
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL' }, { protocol: 'SSL', tls: { caFile: null, certFile: null, keyFile: null }, sasl: null }],
    [
      { KAFKA_SECURITY_PROTOCOL: 'ssl', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key' },
      { protocol: 'SSL', tls: { caFile: '/etc/kafka/ca.pem', certFile: '/etc/kafka/client.pem', keyFile: '/etc/kafka/client.key' }, sasl: null },
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: 's3cret' },
      { protocol: 'SASL_SSL', tls: { caFile: null, certFile: null, keyFile: null }, sasl: { mechanism: 'scram-sha-512', username: 'gateway', password: 's3cret' } },
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      { protocol: 'SASL_PLAINTEXT', tls: null, sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' },
      { protocol: 'SASL_SSL', tls: { caFile: '/etc/kafka/ca.pem', certFile: null, keyFile: null }, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } },
    ],
  ])('reads %j', (settings, expected) => {
    expect(loadEnv(settings, exists).kafkaSecurity).toEqual(expected);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ KAFKA_SECURITY_PROTOCOL: 'TLS' }, /KAFKA_SECURITY_PROTOCOL: expected PLAINTEXT \| SSL \| SASL_PLAINTEXT \| SASL_SSL/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM: expected PLAIN \| SCRAM-SHA-256 \| SCRAM-SHA-512/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM: expected/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_USERNAME: required/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD: required/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/nowhere/ca.pem' }, /KAFKA_SSL_CA_FILE: file "\/nowhere\/ca.pem" does not exist/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem' }, /a client certificate needs its key/],
    // Set for a protocol that would ignore it: the operator meant TLS or SASL, and would connect in clear.
    [{ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, /KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use TLS/],
    [{ KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_USERNAME: set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, /KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT does not use TLS/],
  ])('refuses %j, naming the setting', (settings, message) => {
    expect(() => loadEnv(settings, exists)).toThrow(message);
  });

  it('never puts the SASL password in its refusal', () => {
    let message = '';
    try {
      loadEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'nope', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2-very-secret' }, exists);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/KAFKA_SASL_MECHANISM/);
    expect(message).not.toContain('hunter2-very-secret');
  });
});

describe('Kafka durability settings', () => {
  it.each([
    [{}, { profile: 'local', replicationFactor: 1, minInsyncReplicas: 1 }],
    [{ KAFKA_DURABILITY: 'local' }, { profile: 'local', replicationFactor: 1, minInsyncReplicas: 1 }],
    [{ KAFKA_DURABILITY: 'production' }, { profile: 'production', replicationFactor: 3, minInsyncReplicas: 2 }],
    [{ KAFKA_DURABILITY: 'production', KAFKA_REPLICATION_FACTOR: '5', KAFKA_MIN_INSYNC_REPLICAS: '3' }, { profile: 'production', replicationFactor: 5, minInsyncReplicas: 3 }],
    [{ KAFKA_DURABILITY: 'production', KAFKA_REPLICATION_FACTOR: '2' }, { profile: 'production', replicationFactor: 2, minInsyncReplicas: 2 }],
    [{ KAFKA_REPLICATION_FACTOR: '3' }, { profile: 'local', replicationFactor: 3, minInsyncReplicas: 1 }],
  ])('%j gives %j', (settings, expected) => {
    expect(loadEnv(settings, noFile).kafkaDurability).toEqual(expected);
  });

  it.each([
    [{ KAFKA_DURABILITY: 'prod' }, /KAFKA_DURABILITY: expected production or local, got "prod"/],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, /KAFKA_REPLICATION_FACTOR: expected a whole number 1-16/],
    [{ KAFKA_MIN_INSYNC_REPLICAS: 'two' }, /KAFKA_MIN_INSYNC_REPLICAS: expected a whole number 1-16/],
    [{ KAFKA_MIN_INSYNC_REPLICAS: '2' }, /KAFKA_MIN_INSYNC_REPLICAS: 2 is above KAFKA_REPLICATION_FACTOR 1/],
    [{ KAFKA_DURABILITY: 'production', KAFKA_MIN_INSYNC_REPLICAS: '1' }, /KAFKA_MIN_INSYNC_REPLICAS: 1 lets a write acknowledged by one broker be lost .* KAFKA_DURABILITY=production needs 2 or more/],
  ])('refuses %j, naming the setting', (settings, message) => {
    expect(() => loadEnv(settings, noFile)).toThrow(message);
  });
});

describe('LISTEN_HOST', () => {
  it('binds all interfaces by default (containers), or the address given', () => {
    expect(loadEnv({}, noFile).listenHost).toBe('0.0.0.0');
    expect(loadEnv({ LISTEN_HOST: '127.0.0.1' }, noFile).listenHost).toBe('127.0.0.1');
    expect(loadEnv({ LISTEN_HOST: '::1' }, noFile).listenHost).toBe('::1');
  });

  it.each(['localhost', 'example.com', '127.0.0.256', ' 127.0.0.1'])('refuses %j: an IP address, not a name', (value) => {
    expect(() => loadEnv({ LISTEN_HOST: value }, noFile)).toThrow(/LISTEN_HOST: expected an IP address/);
  });
});
