import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Admin, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import { classifyKafkaLog } from './kafka-log';

/** TLS and SASL for a client (libs/config's KafkaSecurity, validated at start; this library does not read the environment). */
export interface KafkaClientSecurity {
  readonly protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  readonly tls: { readonly caFile: string | null; readonly certFile: string | null; readonly keyFile: string | null } | null;
  readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string } | null;
}

/**
 * kafkajs' ssl and sasl settings for `security`. Certificates are read here, when a client is made (a rotated file is
 * picked up by the next client); TLS always verifies the broker's certificate (against the CA file when one is given,
 * else Node's trusted roots).
 */
export function kafkaSecurityConfig(security: KafkaClientSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security || security.protocol === 'PLAINTEXT') return {};
  const tls = security.tls;
  const ssl: KafkaConfig['ssl'] = tls
    ? {
        rejectUnauthorized: true,
        ...(tls.caFile ? { ca: [readFileSync(tls.caFile, 'utf8')] } : {}),
        ...(tls.certFile ? { cert: readFileSync(tls.certFile, 'utf8') } : {}),
        ...(tls.keyFile ? { key: readFileSync(tls.keyFile, 'utf8') } : {}),
      }
    : undefined;
  const sasl = security.sasl ? ({ mechanism: security.sasl.mechanism, username: security.sasl.username, password: security.sasl.password } as KafkaConfig['sasl']) : undefined;
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS and SASL; absent: PLAINTEXT. */
  readonly security?: KafkaClientSecurity;
  /** Where kafkajs' own log lines go; defaults to warnings and errors on stderr as JSON. */
  readonly log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
  /** Called once per retried broker state kafkajs logged (see kafka-log.ts), with its type: feeds a counter. */
  readonly onRetriable?: (type: string) => void;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

// We use kafkajs' v2 default partitioner everywhere (Java-compatible murmur2); the migration notice is noise.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export function createKafka(options: KafkaClientOptions): Kafka {
  const log = options.log ?? defaultLog;
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...kafkaSecurityConfig(options.security),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        // CONCURRENT_TRANSACTIONS answers while the coordinator completes our previous commit are retried here and
        // in batch-consumer.ts; classifyKafkaLog says which lines are such retried states.
        const verdict = classifyKafkaLog(LEVEL_NAMES[level] ?? 'info', message, extra, options.brokers);
        if (verdict.retriable) options.onRetriable?.(verdict.retriable);
        log(verdict.level, `kafkajs: ${message}`, {
          ...extra,
          ...(verdict.retriable ? { retriable: verdict.retriable } : {}),
          ...(verdict.action ? { action: verdict.action } : {}),
        });
      },
  });
}

function defaultLog(level: string, message: string, extra: Record<string, unknown>): void {
  // Retried broker states arrive here at debug: shown only when asked for, as services do with LOG_LEVEL.
  if (level === 'debug' && !['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '')) return;
  process.stderr.write(JSON.stringify({ level, msg: message, ...extra }) + '\n');
}

/**
 * A producer whose acknowledged records survive a broker crash: idempotent (no duplicates from internal
 * retries) and acknowledged by all in-sync replicas (acks = -1 on every send).
 */
export function createDurableProducer(kafka: Kafka, options: { transactionalId?: string } = {}): Producer {
  return kafka.producer({
    idempotent: true,
    // kafkajs only guarantees ordering with idempotence when one request is in flight per connection.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    transactionalId: options.transactionalId,
    transactionTimeout: 60_000,
  });
}

/** Resolves once a client can describe the cluster, or rejects after `timeoutMs`. */
/** `security`: the clients' TLS and SASL; `undefined` only where PLAINTEXT is meant (the project's own local broker). */
export async function waitForBroker(brokers: readonly string[], timeoutMs: number, security: KafkaClientSecurity | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const kafka = new Kafka({
      clientId: 'hookbus-probe',
      brokers: [...brokers],
      ...kafkaSecurityConfig(security),
      connectionTimeout: 1000,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin: Admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(`Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/** True if a broker at `brokers` answers within `timeoutMs`. */
export async function brokerAnswers(brokers: readonly string[], timeoutMs: number, security: KafkaClientSecurity | undefined): Promise<boolean> {
  try {
    await waitForBroker(brokers, timeoutMs, security);
    return true;
  } catch {
    return false;
  }
}
