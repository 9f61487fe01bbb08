import { TOPIC_DURABILITY, type KafkaDurabilityProfile, type TopicDurability } from '@hookbus/contracts';
import { isIP } from 'node:net';
import { ConfigError } from './config-error';

/**
 * How the services and CLIs connect to Kafka (managed Kafka needs TLS and SASL): Kafka's own client vocabulary,
 * KAFKA_SECURITY_PROTOCOL PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL. Files are named here (checked to exist at
 * start) and read when a client is made; the password is never logged.
 */
export interface KafkaSecurity {
  readonly protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  /** SSL and SASL_SSL: the CA bundle to trust instead of Node's (KAFKA_SSL_CA_FILE), and a client certificate and key for mutual TLS. */
  readonly tls: { readonly caFile: string | null; readonly certFile: string | null; readonly keyFile: string | null } | null;
  readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string } | null;
}

/** How hookbus sets up and checks its topics' durability (KAFKA_DURABILITY and its two overrides). */
export interface KafkaDurabilitySettings extends TopicDurability {
  readonly profile: KafkaDurabilityProfile;
}

export interface HookbusEnv {
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaSecurity: KafkaSecurity;
  /** Path of the YAML config, or null: then no webhook source exists. */
  readonly configPath: string | null;
  readonly credasApiBaseUrl: string;
  readonly credasApiKey: string | null;
  readonly gatewayPort: number;
  /**
   * The address every service's HTTP server binds (LISTEN_HOST): 0.0.0.0 by default (containers, where the network
   * policy or the published ports decide who reaches it); `npm start` sets 127.0.0.1, so a laptop's stack is not
   * reachable from its network.
   */
  readonly listenHost: string;
  /** Health and metrics of the consumers, of the monitor (the stack-wide lag exporter), and the console's pages (CONSOLE_PORT). */
  readonly servicePorts: Readonly<Record<'normalizer' | 'tracker' | 'orchestrator' | 'projector' | 'monitor' | 'console', number>>;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /**
   * The tracker's state store folder (TRACKER_STORE_DIR), kept across restarts so a restart replays only the
   * changelog's tail; null: a temporary folder per start, restored from the whole changelog each time.
   */
  readonly trackerStoreDir: string | null;
  /** Decoded states the tracker keeps in memory per state topic (TRACKER_STATE_CACHE). */
  readonly trackerStateCacheSize: number;
  /** How long past its expected end a process may stay open before the tracker says it is overdue (TRACKER_OVERDUE_GRACE_MS); null: the tracking library's default. */
  readonly trackerOverdueGraceMs: number | null;
  /** How often the tracker checks for overdue processes (TRACKER_OVERDUE_INTERVAL_MS). */
  readonly trackerOverdueIntervalMs: number;
  /**
   * The consumers' Kafka group session timeout (KAFKA_SESSION_TIMEOUT_MS, 6000-300000, default 30000): how long a
   * member that died without leaving (SIGKILL, a lost node) holds its partitions before the group moves on. Shorter
   * means faster failover and less slack for a slow batch (a batch longer than it costs a rebalance).
   */
  readonly kafkaSessionTimeoutMs: number;
  /**
   * How long a service may take to stop after SIGTERM (SHUTDOWN_TIMEOUT_MS) before it exits anyway: below
   * Kubernetes' default 30 s grace period, so the service exits on its own terms rather than by SIGKILL.
   */
  readonly shutdownTimeoutMs: number;
  /**
   * KAFKA_DURABILITY (`local`, the default, or `production`), KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS:
   * what provisioning gives the topics, and whether the gateway refuses to start on raw topics that can lose an
   * acknowledged webhook (libs/kafka/src/topic-durability.ts).
   */
  readonly kafkaDurability: KafkaDurabilitySettings;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hookbus';
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';
/**
 * The config `npm start` writes on a fresh clone (scripts/local-sources.ts): every built-in source with a generated
 * secret. Under the git-ignored .hookbus/, read when neither HOOKBUS_CONFIG nor ./hookbus.yaml says otherwise.
 */
export const LOCAL_CONFIG_PATH = '.hookbus/local.hookbus.yaml';

export const DEFAULT_TRACKER_STATE_CACHE = 10_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_LISTEN_HOST = '0.0.0.0';
export const DEFAULT_TRACKER_OVERDUE_INTERVAL_MS = 60_000;
export const DEFAULT_KAFKA_SESSION_TIMEOUT_MS = 30_000;
/** The broker's default group.min.session.timeout.ms; also twice the consumers' 3 s heartbeat. */
const MIN_KAFKA_SESSION_TIMEOUT_MS = 6_000;
/** A day: the longest a duration setting may name (an interval or a grace past it would never fire in practice). */
const DAY_MS = 24 * 60 * 60 * 1000;
export const CREDAS_DEMO_API_BASE_URL = 'https://portal.credasdemo.com/api/v2/ci/';

type Env = Readonly<Record<string, string | undefined>>;

function port(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    problems.push(`${name}: expected a port number 0-65535, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

function url(env: Env, name: string, fallback: string, protocols: readonly string[], problems: string[]): string {
  const raw = env[name] || fallback;
  try {
    const parsed = new URL(raw);
    if (!protocols.includes(parsed.protocol)) problems.push(`${name}: expected a ${protocols.join(' or ')} URL, got protocol ${parsed.protocol}`);
  } catch {
    // The value itself may hold a password: name the setting, not the value.
    problems.push(`${name}: not a valid URL`);
  }
  return raw;
}

/**
 * A whole-number setting from 1 to `max`, `fallback` when unset; a bad value is a problem naming the setting. Every
 * numeric setting of every service is read through it (libs/config's own, the orchestrator's Credas knobs).
 */
export function wholeNumberSetting(env: Env, name: string, fallback: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    problems.push(`${name}: expected a whole number 1-${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

function directory(env: Env, name: string, isFile: (path: string) => boolean, problems: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.trim() !== raw || raw.includes('\0')) problems.push(`${name}: expected a folder path without surrounding spaces, got ${JSON.stringify(raw)}`);
  else if (isFile(raw)) problems.push(`${name}: ${JSON.stringify(raw)} exists and is not a folder`);
  return raw;
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const SASL_MECHANISMS = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;

function file(env: Env, name: string, fileExists: (path: string) => boolean, problems: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (!fileExists(raw)) problems.push(`${name}: file ${JSON.stringify(raw)} does not exist`);
  return raw;
}

export function kafkaSecurity(env: Env, fileExists: (path: string) => boolean, problems: string[]): KafkaSecurity {
  const protocolRaw = (env.KAFKA_SECURITY_PROTOCOL || 'PLAINTEXT').toUpperCase();
  const protocol = SECURITY_PROTOCOLS.find((p) => p === protocolRaw);
  if (!protocol) {
    problems.push(`KAFKA_SECURITY_PROTOCOL: expected ${SECURITY_PROTOCOLS.join(' | ')}, got ${JSON.stringify(env.KAFKA_SECURITY_PROTOCOL)}`);
    return { protocol: 'PLAINTEXT', tls: null, sasl: null };
  }
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tlsSettings = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'];
  const saslSettings = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'];
  // A setting that the protocol would ignore is a misunderstanding (TLS files with PLAINTEXT): say so rather than connect in clear.
  if (!usesTls) for (const name of tlsSettings) if (env[name]) problems.push(`${name}: set, but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS (SSL or SASL_SSL does)`);
  if (!usesSasl) for (const name of saslSettings) if (env[name]) problems.push(`${name}: set, but KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL (SASL_SSL or SASL_PLAINTEXT does)`);
  let tls: KafkaSecurity['tls'] = null;
  if (usesTls) {
    tls = { caFile: file(env, 'KAFKA_SSL_CA_FILE', fileExists, problems), certFile: file(env, 'KAFKA_SSL_CERT_FILE', fileExists, problems), keyFile: file(env, 'KAFKA_SSL_KEY_FILE', fileExists, problems) };
    if ((tls.certFile === null) !== (tls.keyFile === null)) problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: a client certificate needs its key, and a key its certificate');
  }
  let sasl: KafkaSecurity['sasl'] = null;
  if (usesSasl) {
    const mechanismRaw = (env.KAFKA_SASL_MECHANISM || '').toUpperCase();
    const mechanism = SASL_MECHANISMS[mechanismRaw as keyof typeof SASL_MECHANISMS];
    if (!mechanism) problems.push(`KAFKA_SASL_MECHANISM: expected ${Object.keys(SASL_MECHANISMS).join(' | ')} with KAFKA_SECURITY_PROTOCOL=${protocol}, got ${JSON.stringify(env.KAFKA_SASL_MECHANISM ?? '')}`);
    if (!env.KAFKA_SASL_USERNAME) problems.push(`KAFKA_SASL_USERNAME: required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    // The password is never echoed, only whether it is there.
    if (!env.KAFKA_SASL_PASSWORD) problems.push(`KAFKA_SASL_PASSWORD: required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    sasl = { mechanism: mechanism ?? 'plain', username: env.KAFKA_SASL_USERNAME ?? '', password: env.KAFKA_SASL_PASSWORD ?? '' };
  }
  return { protocol, tls, sasl };
}

/** Most replicas (and in-sync replicas) a setting may ask for: a typo such as 33 is refused rather than tried. */
const MAX_REPLICAS = 16;

function kafkaDurability(env: Env, problems: string[]): KafkaDurabilitySettings {
  const raw = env.KAFKA_DURABILITY || 'local';
  let profile: KafkaDurabilityProfile = 'local';
  if (raw === 'production' || raw === 'local') profile = raw;
  else problems.push(`KAFKA_DURABILITY: expected production or local, got ${JSON.stringify(env.KAFKA_DURABILITY)}`);
  const defaults = TOPIC_DURABILITY[profile];
  const replicationFactor = wholeNumberSetting(env, 'KAFKA_REPLICATION_FACTOR', defaults.replicationFactor, MAX_REPLICAS, problems);
  const minInsyncReplicas = wholeNumberSetting(env, 'KAFKA_MIN_INSYNC_REPLICAS', defaults.minInsyncReplicas, MAX_REPLICAS, problems);
  if (minInsyncReplicas > replicationFactor) {
    problems.push(`KAFKA_MIN_INSYNC_REPLICAS: ${minInsyncReplicas} is above KAFKA_REPLICATION_FACTOR ${replicationFactor}: no write to a new topic could ever be acknowledged`);
  } else if (profile === 'production' && minInsyncReplicas < 2) {
    // What the gateway's start check would refuse anyway, said here, naming the setting.
    problems.push(`KAFKA_MIN_INSYNC_REPLICAS: ${minInsyncReplicas} lets a write acknowledged by one broker be lost with that broker's disk; KAFKA_DURABILITY=production needs 2 or more`);
  }
  return { profile, replicationFactor, minInsyncReplicas };
}

function listenHost(env: Env, problems: string[]): string {
  const raw = env.LISTEN_HOST;
  if (raw === undefined || raw === '') return DEFAULT_LISTEN_HOST;
  // An address, not a name: a name that resolves elsewhere later would move what the service exposes.
  if (isIP(raw) === 0) problems.push(`LISTEN_HOST: expected an IP address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(raw)}`);
  return raw;
}

function kafkaSessionTimeout(env: Env, problems: string[]): number {
  const value = wholeNumberSetting(env, 'KAFKA_SESSION_TIMEOUT_MS', DEFAULT_KAFKA_SESSION_TIMEOUT_MS, 300_000, problems);
  if (value >= MIN_KAFKA_SESSION_TIMEOUT_MS) return value;
  problems.push(`KAFKA_SESSION_TIMEOUT_MS: expected at least ${MIN_KAFKA_SESSION_TIMEOUT_MS} (the broker's group.min.session.timeout.ms), got ${JSON.stringify(env.KAFKA_SESSION_TIMEOUT_MS)}`);
  return DEFAULT_KAFKA_SESSION_TIMEOUT_MS;
}

/** Reads and validates the environment once, at boot. */
export function loadEnv(env: Env = process.env, fileExists: (path: string) => boolean = defaultFileExists): HookbusEnv {
  const problems: string[] = [];
  const databaseUrl = url(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:'], problems);
  const brokersRaw = env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS;
  const kafkaBrokers = brokersRaw.split(',').map((b) => b.trim()).filter(Boolean);
  if (kafkaBrokers.length === 0 || kafkaBrokers.some((b) => !/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b))) {
    problems.push(`KAFKA_BROKERS: expected host:port[,host:port...], got ${JSON.stringify(brokersRaw)}`);
  }
  let configPath: string | null = null;
  if (env.HOOKBUS_CONFIG) {
    if (!fileExists(env.HOOKBUS_CONFIG)) problems.push(`HOOKBUS_CONFIG: file ${JSON.stringify(env.HOOKBUS_CONFIG)} does not exist`);
    configPath = env.HOOKBUS_CONFIG;
  } else if (fileExists('./hookbus.yaml')) {
    configPath = './hookbus.yaml';
  } else if (fileExists(LOCAL_CONFIG_PATH)) {
    configPath = LOCAL_CONFIG_PATH;
  }
  const credasApiBaseUrl = url(env, 'CREDAS_API_BASE_URL', CREDAS_DEMO_API_BASE_URL, ['https:', 'http:'], problems);
  const logLevel = (env.LOG_LEVEL || 'info') as HookbusEnv['logLevel'];
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(logLevel)) problems.push(`LOG_LEVEL: expected trace|debug|info|warn|error, got ${JSON.stringify(env.LOG_LEVEL)}`);
  const result: HookbusEnv = {
    databaseUrl,
    kafkaBrokers,
    kafkaSecurity: kafkaSecurity(env, fileExists, problems),
    configPath,
    credasApiBaseUrl,
    credasApiKey: env.CREDAS_API_KEY || null,
    gatewayPort: port(env, 'GATEWAY_PORT', 3000, problems),
    listenHost: listenHost(env, problems),
    servicePorts: {
      normalizer: port(env, 'NORMALIZER_PORT', 3001, problems),
      tracker: port(env, 'TRACKER_PORT', 3002, problems),
      orchestrator: port(env, 'ORCHESTRATOR_PORT', 3003, problems),
      projector: port(env, 'PROJECTOR_PORT', 3004, problems),
      monitor: port(env, 'MONITOR_PORT', 3005, problems),
      console: port(env, 'CONSOLE_PORT', 3006, problems),
    },
    logLevel,
    trackerStoreDir: directory(env, 'TRACKER_STORE_DIR', (path) => fileExists(path) && !isDirectory(path), problems),
    trackerStateCacheSize: wholeNumberSetting(env, 'TRACKER_STATE_CACHE', DEFAULT_TRACKER_STATE_CACHE, 10_000_000, problems),
    trackerOverdueGraceMs: env.TRACKER_OVERDUE_GRACE_MS ? wholeNumberSetting(env, 'TRACKER_OVERDUE_GRACE_MS', 1, 30 * DAY_MS, problems) : null,
    trackerOverdueIntervalMs: wholeNumberSetting(env, 'TRACKER_OVERDUE_INTERVAL_MS', DEFAULT_TRACKER_OVERDUE_INTERVAL_MS, DAY_MS, problems),
    kafkaSessionTimeoutMs: kafkaSessionTimeout(env, problems),
    shutdownTimeoutMs: wholeNumberSetting(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 600_000, problems),
    kafkaDurability: kafkaDurability(env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

function isDirectory(path: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  return fs.statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function defaultFileExists(path: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:fs') as typeof import('node:fs')).existsSync(path);
}
