import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ConfigError } from '@hookbus/config';
import { errorFields } from '@hookbus/contracts';
import type { RunningService } from '@hookbus/nest-kafka';
import type { Kafka } from 'kafkajs';
import { brokerAnswers, createDurableProducer, createKafka, reportIncompleteStop, type DurabilityVerdict } from '@hookbus/kafka';
import { createServiceApp, kafkaLogging, listen, stopServiceAfterFailure, trustedProxyList, type ServiceContext } from '@hookbus/platform';
import { GatewayMetrics } from './gateway-metrics';
import { GatewayModule } from './gateway.module';
import { DEFAULT_HTTP_LIMITS, registerWebhookRoutes } from './http/webhook-routes';
import { BodyBudget } from './http/body-budget';
import { WebhookIngress } from './ingress/webhook-ingress';
import type { RecordStore } from './ingress/webhook-ingress';
import { DEFAULT_STORE_OPTIONS, DurableRecordStore, type DurableRecordStoreOptions } from './kafka/durable-record-store';
import { rawTopicDurabilityVerdict } from './kafka/raw-topic-durability';
import { SegmentLog } from './spool/segment-log';
import { DEFAULT_SPOOL_OPTIONS, SpoolingRecordStore, type SpoolOptions } from './spool/spooling-record-store';

export interface GatewayOptions {
  readonly port?: number;
  readonly store?: Partial<DurableRecordStoreOptions>;
  readonly spool?: Partial<SpoolOptions>;
}

/** Segments are a fraction of the bound, so deleting drained ones frees space well before the spool is full. */
export function spoolSegmentBytes(maxBytes: number): number {
  return Math.max(1024 * 1024, Math.min(64 * 1024 * 1024, Math.floor(maxBytes / 8)));
}

/** Node server limits against slow or oversized requests (slowloris: headers or body dripped byte by byte). */
export const SERVER_LIMITS = {
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
} as const;

function warnUnauthenticated(context: ServiceContext): void {
  if (context.config.sources.length === 0) {
    context.logger.warn(`no webhook source is configured (${context.env.configPath ?? 'no config file'}): every webhook is answered 404`);
  }
  for (const source of context.config.sources) {
    if (source.auth.type === 'none') {
      context.logger.warn({ source: source.id }, `source ${source.id} accepts webhooks without authentication (auth: none); give it a secret in the config`);
    }
  }
}

/** How often a gateway with a spool, started while Kafka did not answer, tries the raw topics' durability check. */
export const DURABILITY_CHECK_RETRY_MS = 30_000;

/**
 * The start check of the raw topics' durability (libs/kafka/src/topic-durability.ts): in production a raw topic that
 * can lose a webhook already answered 200 refuses the start; in local it may warn. Without a spool the gateway needs
 * Kafka to start, so Kafka not answering fails the start as it always did. With a spool it serves while Kafka is down:
 * the check then runs every DURABILITY_CHECK_RETRY_MS until Kafka answers it, and a refusal then stops the service —
 * what was spooled meanwhile stays in the spool for the next start, which drains it once the topic is fixed.
 * Returns what cancels a pending check (at close).
 */
async function checkRawTopicDurability(context: ServiceContext, kafka: Kafka): Promise<() => void> {
  if (!context.config.spool) {
    report(context, await rawTopicDurabilityVerdict(context, kafka), (message) => {
      throw new Error(message);
    });
    return () => undefined;
  }
  if (await brokerAnswers(context.env.kafkaBrokers, 2_000, context.env.kafkaSecurity)) {
    const verdict = await rawTopicDurabilityVerdict(context, kafka).catch(() => null);
    if (verdict) {
      report(context, verdict, (message) => {
        throw new Error(message);
      });
      return () => undefined;
    }
  }
  context.logger.info('Kafka does not answer: the raw topics\' durability check runs once it does');
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  let refusalSaid = false;
  const later = (): void => {
    timer = setTimeout(() => {
      rawTopicDurabilityVerdict(context, kafka).then(
        (verdict) => {
          if (cancelled) return;
          report(context, verdict, (message) => {
            context.logger.error(message);
            stopServiceAfterFailure(message);
          });
        },
        (error: unknown) => {
          if (cancelled) return;
          // A broker still down is waited for quietly; a refusal someone must fix (an ACL) is said, once.
          const type = (error as { type?: unknown }).type;
          if (typeof type === 'string' && type.endsWith('_AUTHORIZATION_FAILED') && !refusalSaid) {
            refusalSaid = true;
            context.logger.error({ err: errorFields(error), action: (error as Error).message }, `the raw topics' durability check is refused by Kafka; retried every ${DURABILITY_CHECK_RETRY_MS / 1000} s`);
          } else context.logger.debug({ err: errorFields(error) }, 'the raw topics\' durability check could not run yet');
          later();
        },
      );
    }, DURABILITY_CHECK_RETRY_MS);
    // A pending check must not keep a stopped gateway's process alive.
    timer.unref();
  };
  later();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

function report(context: ServiceContext, verdict: DurabilityVerdict, refuse: (message: string) => void): void {
  if (verdict.action === 'refuse') refuse(verdict.message);
  else if (verdict.action === 'warn') context.logger.warn(verdict.message);
}

/** How long the stop waits for the spool drainer's attempt under way once the drain's time is up. */
export const SPOOL_STOP_MS = 2_000;
/** Kept from the stop's bound for the producer's flush after the spool's drain and for the exit itself. */
export const STOP_RESERVE_MS = 3_000;

/**
 * The stop's bound (SHUTDOWN_TIMEOUT_MS, counted by runService from the signal; here from when the HTTP server began
 * to close, an instant later) shared out: the HTTP server's close first (the answers in flight), then
 * the spool's drain for as long as the rest allows, less SPOOL_STOP_MS and STOP_RESERVE_MS, then the producer's flush.
 */
export function stopBudget(closingSince: number, shutdownTimeoutMs: number, now: () => number = Date.now): { spoolDrainMs(): number; producerFlushMs(): number } {
  const deadline = closingSince + shutdownTimeoutMs;
  return {
    spoolDrainMs: () => Math.max(0, deadline - now() - SPOOL_STOP_MS - STOP_RESERVE_MS),
    // At least a moment: a producer whose flush was cut to nothing would drop what it holds without trying.
    producerFlushMs: () => Math.max(500, deadline - now() - 1_000),
  };
}

/**
 * Starts the gateway: provider webhooks in, raw records on Kafka (acknowledged by all in-sync replicas) before the
 * reply. Graceful close: stop accepting, answer what is in flight, drain the spool into Kafka (bounded), flush the
 * producer, disconnect.
 */
export async function startGateway(context: ServiceContext, options: GatewayOptions = {}): Promise<RunningService> {
  // A config loaded for a consumer has empty credentials: serving it would compare requests against empty secrets.
  if (context.config.credentialsWithheld) throw new ConfigError(['HOOKBUS_CONFIG: the gateway needs the sources\' credentials, but this config was loaded without them']);
  warnUnauthenticated(context);
  const metrics = new GatewayMetrics(context.metrics);
  const kafka = createKafka({
    brokers: context.env.kafkaBrokers,
    security: context.env.kafkaSecurity,
    clientId: `hookbus-${context.name}`,
    ...kafkaLogging(context),
  });
  const store = new DurableRecordStore(
    () => createDurableProducer(kafka),
    { ...DEFAULT_STORE_OPTIONS, ...options.store },
    (records, millis, error) => metrics.batch(records, millis, error),
    () => context.logger.debug('a send failed: the next batch goes out on a new producer session'),
  );
  // Before the spool opens and before any webhook is accepted.
  const cancelDurabilityCheck = await checkRawTopicDurability(context, kafka);
  const spool = context.config.spool ? await openSpool(context, store, metrics, options.spool) : null;
  if (spool) {
    // With a spool the gateway serves while Kafka is down: until the producer connects, writes go to the spool and
    // the drainer keeps trying to connect.
    void store.connect().catch(() => context.logger.warn('Kafka is not reachable at start: webhooks go to the spool until it is'));
    spool.start();
  } else {
    await store.connect();
  }
  const checks = new Map([
    spool
      ? [
          'spool',
          async () => {
            if (!(await spool.takesWebhooks(store.isConnected()))) throw new Error('the spool does not accept records (full, or the disk write failed) and Kafka cannot take them directly');
          },
        ]
      : [
          'kafka',
          async () => {
            if (!store.isConnected()) throw new Error('producer not connected');
          },
        ],
  ]);
  // When the HTTP server began to close: the stores' close shares what is left of the stop's bound.
  let closingSince: number | null = null;
  const closeStores = async (): Promise<void> => {
    cancelDurabilityCheck();
    const stop = stopBudget(closingSince ?? Date.now(), context.env.shutdownTimeoutMs);
    if (spool) {
      const left = await spool.close({ drainMs: stop.spoolDrainMs(), stopMs: SPOOL_STOP_MS });
      if (left > 0) {
        context.logger.error(
          { records: left, directory: context.config.spool!.directory },
          'spool: records left on disk at the stop (Kafka did not take them in time); the next gateway started on this directory drains them (docs/operations.md: a spool left behind)',
        );
        reportIncompleteStop(`gateway spool: ${left} record(s) left on disk for the next gateway on ${context.config.spool!.directory}`);
      }
    }
    await store.close(stop.producerFlushMs());
  };
  const adapter = new FastifyAdapter({
    http: { maxHeaderSize: SERVER_LIMITS.maxHeaderSize },
    // Fastify answers 414 on its own for a path segment over 100 characters, before the route runs: a long Octapush
    // path status would be refused with a status the contract does not list, and never quarantined. Any segment that
    // fits the request head reaches the route, which answers in the contract's terms.
    routerOptions: { maxParamLength: SERVER_LIMITS.maxHeaderSize },
    requestTimeout: SERVER_LIMITS.requestTimeoutMs,
    keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
    // Webhook bodies never go through Fastify's limit (the route enforces each source's); this caps other routes.
    bodyLimit: 1024 * 1024,
    // Requests arriving while closing reach the webhook routes, which refuse them in the gateway's reply format.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // The gateway uses no Nest middleware; @fastify/middie would still run on every request (7 % of the gateway's
    // CPU under load in a profile).
    skipMiddie: true,
  });
  const app = await createServiceApp(context, GatewayModule.forContext(context, closeStores, checks), adapter);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preClose', (done) => {
      closingSince = Date.now();
      done();
    });
  const records: RecordStore = spool ?? store;
  const ingress = new WebhookIngress(context.config.sources, records, metrics);
  registerWebhookRoutes(app.getHttpAdapter().getInstance(), ingress, metrics, context.logger, {
    bodyBudget: new BodyBudget(context.config.gateway.maxBodyBytesInFlight),
    trustedProxies: trustedProxyList(context.config.gateway.trustedProxies),
  });
  await app.init();
  const server = app.getHttpServer();
  server.headersTimeout = SERVER_LIMITS.headersTimeoutMs;
  // Node drops header fields past maxHeadersCount; one more than the route's limit lets it see and refuse them.
  server.maxHeadersCount = DEFAULT_HTTP_LIMITS.maxHeaderCount + 1;
  const url = await listen(app, options.port ?? context.env.gatewayPort, context);
  return {
    app,
    url,
    close: async () => {
      await app.close();
    },
  };
}

async function openSpool(context: ServiceContext, kafka: DurableRecordStore, metrics: GatewayMetrics, options: Partial<SpoolOptions> = {}): Promise<SpoolingRecordStore> {
  const { directory, maxBytes } = context.config.spool!;
  const log = await SegmentLog.open(directory, {
    maxBytes,
    segmentBytes: spoolSegmentBytes(maxBytes),
    // Put off and tried again; what is acknowledged stays safe. Repeated, it means the disk is failing.
    onFault: (operation, error) => context.logger.warn({ operation, err: errorFields(error) }, 'spool: a housekeeping step failed; tried again later'),
  });
  const { truncatedBytes, corruptBytes, records } = log.recovery;
  if (truncatedBytes > 0) context.logger.warn({ truncatedBytes }, 'spool: cut a torn record from the tail (a crash during its write; it was never acknowledged)');
  if (corruptBytes > 0) context.logger.error({ corruptBytes }, 'spool: unreadable bytes inside a sealed segment were skipped (disk corruption)');
  if (records > 0) context.logger.info({ records }, 'spool: found records from an earlier run; draining them to Kafka before anything new');
  let spool: SpoolingRecordStore | undefined;
  const counters = metrics.spool(context.metrics, {
    get bytes() {
      return log.bytes;
    },
    get records() {
      return log.records;
    },
    get oldestAppendedAtMs() {
      return log.oldestAppendedAtMs;
    },
    get spooling() {
      return spool?.isSpooling() ?? false;
    },
  });
  spool = new SpoolingRecordStore(kafka, log, maxBytes, context.logger, counters, { ...DEFAULT_SPOOL_OPTIONS, ...options });
  return spool;
}
